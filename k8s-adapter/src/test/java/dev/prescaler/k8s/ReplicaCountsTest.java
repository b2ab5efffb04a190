package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ScaleSubresourceExecutor#replicas} over HTTP against fabric8's CRUD mock: {@code ready}
 * is the pods ready to serve, not the pods that exist. The workloads' status is seeded as their
 * controllers would set it (which only a mock lets a test do, so this class always uses it).
 */
class ReplicaCountsTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static KubeBackend k8s;

  @BeforeAll
  static void start() {
    k8s = KubeBackend.mock();
  }

  @AfterAll
  static void stop() {
    k8s.close();
  }

  private static ScaleSubresourceExecutor executor() {
    return ScaleSubresourceExecutor.builder(k8s.adapter()).clock(new ManualClock(T0))
        .sleeper(d -> { }).hpaCacheTtl(Duration.ZERO).build();
  }

  @Test
  void aDeploymentWithFiveReplicasOfWhichThreeAreReadyReportsThreeReady() throws Exception {
    k8s.deployment("five", 5);
    k8s.deploymentStatus("five", 5, 3);

    assertThat(executor().replicas(WorkloadRef.deployment(k8s.namespace(), "five")))
        .contains(ReplicaStatus.of(5, 3));
  }

  @Test
  void aStatefulSetReportsItsReadyReplicas() throws Exception {
    k8s.statefulSet("db", 4);
    k8s.statefulSetStatus("db", 4, 2);

    assertThat(executor().replicas(WorkloadRef.statefulSet(k8s.namespace(), "db")))
        .contains(ReplicaStatus.of(4, 2));
  }

  @Test
  void podsAddedByAScaleUpAreNotReadyUntilTheControllerSaysSo() throws Exception {
    k8s.deployment("grow", 3);
    k8s.deploymentStatus("grow", 3, 3);
    WorkloadRef ref = WorkloadRef.deployment(k8s.namespace(), "grow");
    WorkloadSpec spec = WorkloadSpec.builder(ref).maxReplicas(10)
        .metric(MetricTarget.utilization("cpu", 70)).mode(Mode.ACT).build();
    ScaleSubresourceExecutor executor = executor();

    ScaleOutcome up = executor.apply(new ScaleRequest(spec, Mode.ACT, 3, 5, List.of(), T0));
    assertThat(up.isApplied()).as(up.message()).isTrue();
    // The two new pods exist at once (status.replicas 5) but are still starting.
    k8s.deploymentStatus("grow", 5, 3);
    assertThat(executor.replicas(ref)).contains(ReplicaStatus.of(5, 3));
    k8s.deploymentStatus("grow", 5, 5);
    assertThat(executor.replicas(ref)).contains(ReplicaStatus.of(5, 5));
  }

  @Test
  void theEngineLearnsHowLongNewPodsTakeToBecomeReadyFromTheExecutorsCounts() throws Exception {
    // A source that reports no replica counts (Prometheus without replica queries): the engine
    // asks the executor.
    k8s.deployment("slow", 3);
    k8s.deploymentStatus("slow", 3, 3);
    WorkloadRef ref = WorkloadRef.deployment(k8s.namespace(), "slow");
    ManualClock clock = new ManualClock(T0);
    MetricSource noCounts = (spec, now) ->
        new Observation(now, Map.of("rps", MetricReading.of("rps", 100, now)), Optional.empty());
    try (AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).metricSource(noCounts)
        .policy((ctx, p) -> p).executor(executor()).backfill(false)
        .workload(WorkloadSpec.builder(ref).maxReplicas(10)
            .metric(MetricTarget.averageValue("rps", 50)).mode(Mode.OBSERVE_ONLY).build())
        .build()) {
      engine.tick();
      // Someone raises the count by 2, three times (the engine uses the median once it measured
      // three): both new pods exist at once, and start for 90 s.
      for (int to = 5; to <= 9; to += 2) {
        k8s.setDeploymentReplicas("slow", to);
        k8s.deploymentStatus("slow", to, to - 2);
        for (int i = 0; i < 7; i++) {
          clock.advance(Duration.ofSeconds(15));
          if (i == 6) {
            k8s.deploymentStatus("slow", to, to);
          }
          engine.tick();
        }
      }
      assertThat(engine.measuredStartupDelay(ref)).contains(Duration.ofSeconds(90));
    }
  }

  @Test
  void aWorkloadWhoseControllerHasNotReportedYetHasNoReadyPod() throws Exception {
    k8s.deployment("new", 2);

    // No status.replicas either: 0, as the scale subresource the HPA reads gives it.
    assertThat(executor().replicas(WorkloadRef.deployment(k8s.namespace(), "new")))
        .contains(ReplicaStatus.of(2, 0).withExisting(0));
  }

  @Test
  void podsThatExistAreTheControllersStatusReplicasWhichASurgeTakesAboveTheDesiredCount()
      throws Exception {
    // A rolling update of spec 8 with 25 % surge: 10 pods exist, 7 ready. The HPA takes an
    // AverageValue ratio against those 10 (status.replicas), not against spec's 8.
    k8s.deployment("surge", 8);
    k8s.deploymentStatus("surge", 10, 7);
    assertThat(executor().replicas(WorkloadRef.deployment(k8s.namespace(), "surge")))
        .contains(ReplicaStatus.of(8, 7).withExisting(10));
    k8s.statefulSet("set", 3);
    k8s.statefulSetStatus("set", 2, 2); // one pod not created yet (a quota)
    assertThat(executor().replicas(WorkloadRef.statefulSet(k8s.namespace(), "set")))
        .contains(ReplicaStatus.of(3, 2).withExisting(2));
  }
}
