package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InMemoryMetricSourceTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final WorkloadSpec SPEC = WorkloadSpec.builder(WEB).maxReplicas(10)
      .metric(MetricTarget.utilization("cpu", 70))
      .metric(MetricTarget.averageValue("rps", 100))
      .build();
  private static final MetricTarget RPS = SPEC.metric("rps").orElseThrow();

  @Test
  void reportsWhatWasSetMeasuredAtTheReadOrAtItsOwnInstant() {
    InMemoryMetricSource source = new InMemoryMetricSource().set(WEB, "rps", 420)
        .set(WEB, "cpu", 55, NOW.minusSeconds(30));
    Observation o = source.read(SPEC, NOW);
    assertThat(o.reading("rps").value()).isEqualTo(420);
    assertThat(o.reading("rps").timestamp()).isEqualTo(NOW);
    assertThat(o.reading("cpu").timestamp()).isEqualTo(NOW.minusSeconds(30));
    assertThat(source.read(SPEC, NOW.plusSeconds(15)).reading("rps").timestamp())
        .isEqualTo(NOW.plusSeconds(15));
    assertThat(o.replicas()).isEmpty();

    source.unavailable(WEB, "rps", "scrape failed").replicas(WEB, ReplicaStatus.of(3, 2));
    Observation later = source.read(SPEC, NOW);
    assertThat(later.reading("rps").isAvailable()).isFalse();
    assertThat(later.reading("rps").reason()).isEqualTo("scrape failed");
    assertThat(later.replicas()).contains(ReplicaStatus.of(3, 2));
    assertThatThrownBy(() -> source.set(WEB, "rps", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be finite");
  }

  @Test
  void aMetricNeverSetIsUnavailable() {
    Observation o = new InMemoryMetricSource().read(SPEC, NOW);
    assertThat(o.reading("cpu").isAvailable()).isFalse();
    assertThat(o.reading("cpu").reason())
        .isEqualTo("no value set in the InMemoryMetricSource for shop/web");
  }

  @Test
  void servesItsHistoryOnTheGridAskedFor() {
    InMemoryMetricSource source = new InMemoryMetricSource();
    assertThat(source.history(SPEC, RPS, NOW.minusSeconds(300), NOW, Duration.ofMinutes(1)))
        .isEmpty();
    // Loads every 2 min from NOW - 6 min: on a 1-min grid from NOW - 8 min each step takes the
    // 2-min step holding its start, NaN before the series.
    source.history(WEB, "rps", MetricSeries.of(NOW.minusSeconds(360), Duration.ofMinutes(2),
        10, 20, 30));
    MetricSeries h = source.history(SPEC, RPS, NOW.minusSeconds(480), NOW,
        Duration.ofMinutes(1)).orElseThrow();
    assertThat(h.start()).isEqualTo(NOW.minusSeconds(480));
    assertThat(h.step()).isEqualTo(Duration.ofMinutes(1));
    assertThat(h.toArray()).containsExactly(Double.NaN, Double.NaN, 10, 10, 20, 20, 30, 30);
  }

  @Test
  void honoursTheMetricSourceContract() {
    InMemoryMetricSource source = new InMemoryMetricSource();
    assertThat(MetricSourceContract.check(source, SPEC, NOW)).isEmpty();
    source.set(WEB, "rps", 420).unavailable(WEB, "cpu", "no pods")
        .replicas(WEB, ReplicaStatus.of(4, 4))
        .history(WEB, "rps", MetricSeries.of(NOW.minusSeconds(7200), Duration.ofSeconds(15),
            new double[480]));
    assertThat(MetricSourceContract.check(source, SPEC, NOW)).isEmpty();
    assertThat(MetricSourceContract.check(source.set(WEB, "cpu", 65, NOW.minusSeconds(90)),
        SPEC, NOW)).isEmpty();
  }

  @Test
  void anEngineBackfillsFromItsHistory() {
    ManualClock clock = new ManualClock(NOW);
    InMemoryMetricSource source = new InMemoryMetricSource()
        .set(WEB, "rps", 300).set(WEB, "cpu", 50).replicas(WEB, ReplicaStatus.of(3, 3))
        .history(WEB, "rps", MetricSeries.of(NOW.minus(Duration.ofHours(1)),
            Duration.ofMinutes(1), new double[60]));
    AtomicReference<Integer> seen = new AtomicReference<>();
    DecisionPolicy watching = (ctx, p) -> {
      seen.set(ctx.histories().get("rps").countPresent());
      return p;
    };
    try (AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).metricSource(source)
        .policy(watching).workload(SPEC).build()) {
      engine.tick();
    }
    assertThat(seen.get()).isGreaterThanOrEqualTo(59);
  }
}
