package dev.prescaler.simulator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.simulator.trace.Sample;
import dev.prescaler.simulator.trace.Trace;
import dev.prescaler.testkit.InMemoryCluster;
import dev.prescaler.testkit.ManualClock;
import dev.prescaler.testkit.MetricSourceContract;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link MetricSourceContract} against the simulator's {@link TraceMetricSource}. */
class TraceMetricSourceContractTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration DELAY = Duration.ofSeconds(30);
  private static final WorkloadSpec SPEC = WorkloadSpec.builder(WorkloadRef.deployment("a", "b"))
      .maxReplicas(20).metric(MetricTarget.averageValue("demand", 10))
      .metric(MetricTarget.averageValue("rps", 5)).build();

  /** Ten minutes of demand, one sample every 15 s, rising from 20 to 80 and back. */
  private static Trace trace() {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i <= 40; i++) {
      samples.add(new Sample(T0.plusSeconds(15L * i), 20 + 60 * Math.sin(Math.PI * i / 40)));
    }
    return Trace.of("small", samples);
  }

  private static TraceMetricSource source(Duration delay, double unit) {
    InMemoryCluster cluster = new InMemoryCluster(new ManualClock(T0), Duration.ofSeconds(60))
        .add(SPEC.workload(), 3);
    return new TraceMetricSource(trace(), delay, cluster, unit);
  }

  @Test
  void honoursTheContractBeforeDuringAndAfterTheTrace() {
    TraceMetricSource source = source(DELAY, 1);
    Instant[] times = {T0.minusSeconds(60), T0.plusSeconds(10), T0.plus(DELAY),
        T0.plusSeconds(300), T0.plusSeconds(600).plus(DELAY), T0.plusSeconds(700)};

    for (Instant now : times) {
      assertThat(MetricSourceContract.check(source, SPEC, now)).as("at %s", now).isEmpty();
    }
  }

  @Test
  void honoursTheContractWithoutDelayAndWithNoSyncPeriodToSpare() {
    TraceMetricSource source = source(Duration.ZERO, 0.001);
    Instant now = T0.plusSeconds(200);

    Observation obs = source.read(SPEC, now);
    assertThat(obs.reading("demand").isAvailable()).isTrue();
    assertThat(obs.reading("demand").timestamp()).isEqualTo(now);
    assertThat(MetricSourceContract.check(source, SPEC, now, Duration.ZERO)).isEmpty();
  }

  /** The checks above are not vacuous: the times cover available and unavailable readings. */
  @Test
  void theCheckedTimesCoverAvailableAndUnavailableReadings() {
    TraceMetricSource source = source(DELAY, 1);

    Observation mid = source.read(SPEC, T0.plusSeconds(300));
    Observation before = source.read(SPEC, T0.plusSeconds(10));
    Observation after = source.read(SPEC, T0.plusSeconds(700));

    assertThat(mid.reading("demand").isAvailable()).isTrue();
    assertThat(mid.reading("rps").isAvailable()).isTrue();
    assertThat(mid.reading("demand").timestamp()).isEqualTo(T0.plusSeconds(270));
    assertThat(mid.replicas().orElseThrow().ready()).isEqualTo(3);
    assertThat(before.reading("demand").isAvailable()).isFalse();
    assertThat(after.reading("rps").isAvailable()).isFalse();
  }
}
