package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class InMemoryClusterTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final WorkloadSpec SPEC = WorkloadSpec.builder(WEB).maxReplicas(100)
      .mode(Mode.ACT).metric(MetricTarget.averageValue("rps", 50)).build();

  private final ManualClock clock = new ManualClock(T0);

  private static ScaleRequest request(int from, int to) {
    return new ScaleRequest(SPEC, Mode.ACT, from, to, List.of(), T0);
  }

  @Test
  void newPodsAreReadyAfterTheStartupDelayOnTheClock() {
    InMemoryCluster c = new InMemoryCluster(clock, Duration.ofSeconds(120)).add(WEB, 2);
    assertThat(c.apply(request(2, 5)).isApplied()).isTrue();
    assertThat(c.status(WEB)).isEqualTo(ReplicaStatus.of(5, 2));
    clock.advance(Duration.ofSeconds(105));
    assertThat(c.ready(WEB)).isEqualTo(2);
    clock.advance(Duration.ofSeconds(15));
    assertThat(c.ready(WEB)).isEqualTo(5);
    assertThat(c.replicas(WEB)).contains(ReplicaStatus.of(5, 5));
  }

  @Test
  void removalsAreImmediateAndTakeTheNewestStartingPodsFirst() {
    InMemoryCluster c = new InMemoryCluster(clock, Duration.ofSeconds(120)).add(WEB, 1);
    c.apply(request(1, 2));
    clock.advance(Duration.ofSeconds(60));
    c.apply(request(2, 3));
    clock.advance(Duration.ofSeconds(15));
    c.apply(request(3, 2));
    assertThat(c.current(WEB)).isEqualTo(2);
    clock.set(T0.plusSeconds(120));
    assertThat(c.ready(WEB)).isEqualTo(2); // the pod asked for at T0 survived
    c.apply(request(2, 1));
    assertThat(c.status(WEB)).isEqualTo(ReplicaStatus.of(1, 1));
    assertThat(c.actions()).isEqualTo(4);
  }

  @Test
  void aStaleRequestOrAnUnknownWorkloadIsRefusedAndChangesNothing() {
    InMemoryCluster c = new InMemoryCluster(clock, Duration.ofSeconds(120)).add(WEB, 4);
    ScaleOutcome o = c.apply(request(3, 8));
    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(o.message()).isEqualTo("conflict: the request expected 3 replicas, but the "
        + "cluster has 4");
    assertThat(c.current(WEB)).isEqualTo(4);
    assertThat(c.actions()).isZero();
    assertThat(c.requests()).hasSize(1);
    WorkloadRef api = WorkloadRef.deployment("shop", "api");
    assertThat(c.replicas(api)).isEmpty();
    assertThatThrownBy(() -> c.status(api)).hasMessage("workload must have been added, but "
        + "shop/api was not: call add(workload, replicas)");
  }

  @Test
  void aFloorIsSetByHpaFloorRequestsAndClearedByRelease() {
    InMemoryCluster c = new InMemoryCluster(clock, Duration.ZERO).add(WEB, 3);
    assertThat(c.apply(new ScaleRequest(SPEC.withMode(Mode.HPA_FLOOR), Mode.HPA_FLOOR, 3, 6,
        List.of(), T0)).isApplied()).isTrue();
    assertThat(c.floor(WEB)).hasValue(6);
    assertThat(c.current(WEB)).isEqualTo(3);
    c.release(WEB);
    assertThat(c.floor(WEB)).isEmpty();
    assertThat(c.released()).containsExactly(WEB);
  }

  @Test
  void honoursTheScaleExecutorContract() {
    InMemoryCluster c = new InMemoryCluster(clock, Duration.ofSeconds(30));
    Random random = new Random(7);
    Mode[] modes = {Mode.ACT, Mode.HPA_FLOOR, Mode.OBSERVE_ONLY};
    Supplier<WorkloadSpec> workloads = () -> {
      WorkloadSpec s;
      do {
        s = Generators.workloadSpecs(random, modes[random.nextInt(modes.length)]);
      } while (c.replicas(s.workload()).isPresent());
      c.add(s.workload(), Generators.replicaStatus(random, s).current());
      return s;
    };
    assertThat(ScaleExecutorContract.check(c, workloads, 1, 30)).isEmpty();
    assertThat(ScaleExecutorContract.check(c, workloads, ref -> {
      OptionalInt floor = c.floor(ref);
      return floor.isPresent() ? floor : OptionalInt.of(c.current(ref));
    }, 2, 30)).isEmpty();
    assertThat(ScaleExecutorContract.checkMissingWorkload(c, SPEC)).isEmpty();
  }

  @Test
  void anEngineScalesTheClusterAndSeesItsPodsGetReady() {
    InMemoryCluster cluster = new InMemoryCluster(clock, Duration.ofSeconds(90)).add(WEB, 2);
    InMemoryMetricSource source = new InMemoryMetricSource().set(WEB, "rps", 240);
    DecisionPolicy capacity = (ctx, p) -> p.to("capacity",
        (int) Math.ceil(ctx.load("rps") / 50), "rps / 50");
    InMemoryJournal journal = new InMemoryJournal();
    try (AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).metricSource(source)
        .policy(capacity).executor(cluster).journal(journal).workload(SPEC).build()) {
      engine.tick();
      assertThat(cluster.status(WEB)).isEqualTo(ReplicaStatus.of(5, 2));
      clock.advance(Duration.ofSeconds(90));
      engine.tick();
    }
    assertThat(cluster.status(WEB)).isEqualTo(ReplicaStatus.of(5, 5));
    assertThat(cluster.requests()).singleElement()
        .satisfies(r -> assertThat(r.to()).isEqualTo(5));
    // The source reports no replica counts: the engine asked the cluster.
    assertThat(journal.records(WEB)).extracting(DecisionRecord::ready).containsExactly(2, 5);
  }
}
