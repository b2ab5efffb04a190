package dev.prescaler.simulator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.simulator.trace.Sample;
import dev.prescaler.simulator.trace.Trace;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final WorkloadSpec SPEC = WorkloadSpec.builder(WorkloadRef.deployment("a", "b"))
      .maxReplicas(100).mode(Mode.ACT).metric(MetricTarget.averageValue("demand", 1)).build();

  private static ScaleRequest request(int from, int to, Instant at) {
    return new ScaleRequest(SPEC, Mode.ACT, from, to, List.of(), at);
  }

  @Test
  void newReplicasAreReadyAfterTheStartupDelay() {
    SimulatedCluster c = new SimulatedCluster(Duration.ofSeconds(120), 2);
    assertThat(c.apply(request(2, 5, T0)).isApplied()).isTrue();
    assertThat(c.status().current()).isEqualTo(5);
    c.advanceTo(T0.plusSeconds(105));
    assertThat(c.ready()).isEqualTo(2);
    c.advanceTo(T0.plusSeconds(120));
    assertThat(c.ready()).isEqualTo(5);
    assertThat(c.pending()).isZero();
  }

  @Test
  void removalsAreImmediateAndTakePendingReplicasFirst() {
    SimulatedCluster c = new SimulatedCluster(Duration.ofSeconds(120), 4);
    c.apply(request(4, 6, T0));
    c.apply(request(6, 3, T0.plusSeconds(15)));
    assertThat(c.ready()).isEqualTo(3);
    assertThat(c.pending()).isZero();
    assertThat(c.actions()).isEqualTo(2);
  }

  @Test
  void removalTakesTheNewestPendingReplicaFirst() {
    SimulatedCluster c = new SimulatedCluster(Duration.ofSeconds(120), 1);
    c.apply(request(1, 2, T0));
    c.apply(request(2, 3, T0.plusSeconds(60)));
    c.apply(request(3, 2, T0.plusSeconds(75)));
    c.advanceTo(T0.plusSeconds(120));
    assertThat(c.ready()).isEqualTo(2); // the replica asked for at T0 survived
  }

  @Test
  void staleRequestIsRefusedAndChangesNothing() {
    SimulatedCluster c = new SimulatedCluster(Duration.ofSeconds(120), 4);
    ScaleOutcome o = c.apply(request(3, 8, T0));
    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(o.message()).contains("expected 3").contains("has 4");
    assertThat(c.current()).isEqualTo(4);
    assertThat(c.actions()).isZero();
  }

  @Test
  void sourceReportsTheDemandLateAndNothingBeforeTheTraceStarts() {
    Trace t = Trace.of("t", List.of(new Sample(T0, 10), new Sample(T0.plusSeconds(60), 70)));
    SimulatedCluster c = new SimulatedCluster(Duration.ofSeconds(120), 3);
    TraceMetricSource s = new TraceMetricSource(t, Duration.ofSeconds(30), c);
    Observation early = s.read(SPEC, T0.plusSeconds(15));
    assertThat(early.reading("demand").isAvailable()).isFalse();
    assertThat(early.reading("demand").reason()).contains("no data yet");
    Observation o = s.read(SPEC, T0.plusSeconds(60));
    assertThat(o.reading("demand").value()).isEqualTo(40);
    assertThat(o.reading("demand").timestamp()).isEqualTo(T0.plusSeconds(30));
    assertThat(o.replicas().orElseThrow().ready()).isEqualTo(3);
  }

  @Test
  void demandCurveResamplesOntoTheGrid() {
    Trace t = Trace.of("t", List.of(new Sample(T0, 0), new Sample(T0.plusSeconds(300), 100)));
    DemandCurve d = new DemandCurve(t, Duration.ofSeconds(15));
    assertThat(d.size()).isEqualTo(21);
    assertThat(d.demand(3)).isEqualTo(15.0);
    assertThat(d.time(20)).isEqualTo(T0.plusSeconds(300));
    assertThat(d.max()).isEqualTo(100);
    assertThat(d.indexOf(T0.plusSeconds(31))).isEqualTo(2);
  }
}
