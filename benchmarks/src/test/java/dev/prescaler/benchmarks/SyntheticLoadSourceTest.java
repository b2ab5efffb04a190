package dev.prescaler.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticLoadSourceTest {
  static final WorkloadRef A = WorkloadRef.deployment("bench", "a");
  static final WorkloadRef B = WorkloadRef.deployment("bench", "b");
  static final MetricTarget RPS = MetricTarget.averageValue(SyntheticLoadSource.METRIC, 10);

  static WorkloadSpec spec(WorkloadRef ref) {
    return WorkloadSpec.builder(ref).maxReplicas(100).metric(RPS).build();
  }

  /** Every load is finite and within base × [0.5 × 0.95, 1.5 × 1.05]. */
  @Test
  void loadIsPositiveAndBounded() {
    qt().withExamples(2000).forAll(integers().between(0, 100_000),
        longs().between(0, 4_000_000_000_000L)).checkAssert((i, t) -> {
          double v = SyntheticLoadSource.load(i, t);
          assertThat(v).isFinite().isBetween(SyntheticLoadSource.base(i) * 0.5 * 0.95,
              SyntheticLoadSource.base(i) * 1.5 * 1.05);
        });
  }

  @Test
  void readsTheLoadOfTheDelayedInstantWithFixedReplicas() {
    SyntheticLoadSource s = new SyntheticLoadSource(List.of(A, B), Duration.ofSeconds(60));
    Instant now = Instant.parse("2026-01-05T12:00:00Z");
    Observation o = s.read(spec(B), now);
    Instant measured = now.minusSeconds(60);
    assertThat(o.reading(SyntheticLoadSource.METRIC).timestamp()).isEqualTo(measured);
    assertThat(o.reading(SyntheticLoadSource.METRIC).value())
        .isEqualTo(SyntheticLoadSource.load(1, measured.toEpochMilli()));
    int replicas = (int) Math.ceil(SyntheticLoadSource.base(1) / 10);
    assertThat(o.replicas()).hasValueSatisfying(r -> {
      assertThat(r.current()).isEqualTo(replicas);
      assertThat(r.ready()).isEqualTo(replicas);
    });
  }

  @Test
  void historyIsTheFormulaOnTheGridAskedFor() {
    SyntheticLoadSource s = new SyntheticLoadSource(List.of(A), Duration.ZERO);
    Instant to = Instant.parse("2026-01-05T00:00:00Z");
    Instant from = to.minus(Duration.ofDays(7));
    MetricSeries h = s.history(spec(A), RPS, from, to, Duration.ofMinutes(1)).orElseThrow();
    assertThat(h.size()).isEqualTo(10_080);
    assertThat(h.start()).isEqualTo(from);
    assertThat(h.end()).isEqualTo(to);
    assertThat(h.value(123)).isEqualTo(SyntheticLoadSource.load(0,
        from.plus(Duration.ofMinutes(123)).toEpochMilli()));
    assertThat(h.countPresent()).isEqualTo(10_080);
    assertThat(s.history(spec(A), MetricTarget.averageValue("other", 1), from, to,
        Duration.ofMinutes(1))).isEmpty();
  }

  @Test
  void workloads_duplicated() {
    assertThatThrownBy(() -> new SyntheticLoadSource(List.of(A, A), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workloads must be unique, but bench/a appears twice");
  }

  @Test
  void delay_negative() {
    assertThatThrownBy(() -> new SyntheticLoadSource(List.of(A), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be >= 0, but was PT-1S");
  }

  @Test
  void read_unknownWorkload() {
    SyntheticLoadSource s = new SyntheticLoadSource(List.of(A), Duration.ZERO);
    assertThatThrownBy(() -> s.read(spec(B), Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workload bench/b is not served");
  }
}
