package dev.prescaler.simulator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.simulator.trace.Sample;
import dev.prescaler.simulator.trace.Trace;
import dev.prescaler.testkit.InMemoryCluster;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final WorkloadSpec SPEC = WorkloadSpec.builder(WorkloadRef.deployment("a", "b"))
      .maxReplicas(100).mode(Mode.ACT).metric(MetricTarget.averageValue("demand", 1)).build();

  @Test
  void sourceReportsTheDemandLateAndNothingBeforeTheTraceStarts() {
    Trace t = Trace.of("t", List.of(new Sample(T0, 10), new Sample(T0.plusSeconds(60), 70)));
    InMemoryCluster c = new InMemoryCluster(new ManualClock(T0), Duration.ofSeconds(120))
        .add(SPEC.workload(), 3);
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

  @Test
  void demandCurveRefusesMoreGridStepsThanItCanHoldNamingSpanPeriodAndCount() {
    // Catches the step count cast to int: 3e9 s at 1 s wrapped to a negative array size, and
    // rows 130 years apart at 15 s ran for hours over 273 million steps.
    Instant start = Instant.ofEpochSecond(60);
    Trace t = Trace.of("t", List.of(new Sample(start, 1),
        new Sample(start.plusSeconds(3_000_000_000L), 2)));
    assertThatThrownBy(() -> new DemandCurve(t, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the trace spans 1970-01-01T00:01:00Z .. 2065-01-24T05:21:00Z (34722 days), "
            + "3,000,000,001 grid steps at a sync period of 1 s; at most 20,000,000 are "
            + "simulated: give a sync period of at least 151 s (--sync-period)");
    Trace old = Trace.of("old", List.of(new Sample(start, 1),
        new Sample(Instant.parse("2099-12-31T00:00:00Z"), 2)));
    assertThatThrownBy(() -> new DemandCurve(old, Duration.ofSeconds(15)))
        .hasMessageContaining("273,")
        .hasMessageContaining("at a sync period of 15 s");
    // The cap itself is a curve that can be made, and its last step is the trace's end.
    Trace most = Trace.of("most", List.of(new Sample(start, 1),
        new Sample(start.plusSeconds(DemandCurve.MAX_STEPS - 1), 2)));
    DemandCurve d = new DemandCurve(most, Duration.ofSeconds(1));
    assertThat(d.size()).isEqualTo(DemandCurve.MAX_STEPS);
    assertThat(d.time(d.size() - 1)).isEqualTo(most.end());
  }
}
