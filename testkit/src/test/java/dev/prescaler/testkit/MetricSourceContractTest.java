package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MetricSourceContractTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final WorkloadSpec SPEC = WorkloadSpec.builder(WorkloadRef.deployment("shop", "web"))
      .maxReplicas(10)
      .metric(MetricTarget.utilization("cpu", 70))
      .metric(MetricTarget.averageValue("rps", 100))
      .build();

  static Observation good(Instant now) {
    return Observation.of(now, ReplicaStatus.of(3, 3),
        MetricReading.of("cpu", 55, now.minusSeconds(30)),
        MetricReading.unavailable("rps", "no series for rps"));
  }

  @Test
  void aCorrectSourceHasNoViolations() {
    MetricSource source = new MetricSource() {
      @Override
      public Observation read(WorkloadSpec spec, Instant now) {
        return good(now);
      }

      @Override
      public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric, Instant from,
          Instant to, Duration step) {
        return Optional.of(MetricSeries.of(from, step, 1, Double.NaN, 3));
      }
    };
    assertThat(MetricSourceContract.check(source, SPEC, NOW)).isEmpty();
  }

  @Test
  void findsANegativeValue() {
    MetricSource source = (spec, now) -> Observation.of(now, ReplicaStatus.of(3, 3),
        MetricReading.of("cpu", -1, now), MetricReading.of("rps", 5, now));
    assertThat(MetricSourceContract.check(source, SPEC, NOW))
        .containsExactly("shop/web at " + NOW + ": metric cpu must be >= 0 or unavailable with "
            + "a reason, but was -1.0");
  }

  @Test
  void findsAFutureSampleAndABlankReason() {
    MetricSource source = (spec, now) -> Observation.of(now, ReplicaStatus.of(3, 3),
        MetricReading.of("cpu", 1, now.plusSeconds(60)), MetricReading.unavailable("rps", " "));
    assertThat(MetricSourceContract.check(source, SPEC, NOW)).containsExactly(
        "shop/web at " + NOW + ": metric cpu must not be measured after now, but was measured at "
            + NOW.plusSeconds(60),
        "shop/web at " + NOW + ": unavailable metric rps must carry a reason, but was \" \"");
  }

  @Test
  void findsAMissingMetricUnlessAbsenceIsAllowed() {
    MetricSource source = (spec, now) -> Observation.of(now, ReplicaStatus.of(3, 3),
        MetricReading.of("cpu", 1, now));
    assertThat(MetricSourceContract.check(source, SPEC, NOW))
        .singleElement().asString().contains("metric rps of the spec must have a reading");
    assertThat(MetricSourceContract.checkAllowingAbsentMetrics(source, SPEC, NOW)).isEmpty();
  }

  @Test
  void findsASourceThatThrowsOrReturnsNull() {
    MetricSource throwing = (spec, now) -> {
      throw new IllegalStateException("connection refused");
    };
    assertThat(MetricSourceContract.check(throwing, SPEC, NOW)).containsExactly(
        "shop/web at " + NOW + ": read should report MetricReading.unavailable(metric, reason) "
            + "rather than throw, but threw java.lang.IllegalStateException: connection refused");
    assertThat(MetricSourceContract.check((spec, now) -> null, SPEC, NOW))
        .containsExactly("shop/web at " + NOW + ": read must return an observation, but returned "
            + "null");
  }

  @Test
  void findsAMiskeyedReadingAndAFutureObservation() {
    MetricSource source = (spec, now) -> new Observation(now.plusSeconds(1),
        Map.of("cpu", MetricReading.of("rps", 1, now), "rps", MetricReading.of("rps", 1, now)),
        Optional.empty());
    assertThat(MetricSourceContract.check(source, SPEC, NOW))
        .anyMatch(s -> s.endsWith("observation time must not be after now, but was "
            + NOW.plusSeconds(1)))
        .anyMatch(s -> s.endsWith("reading keyed cpu must be of that metric, but was of rps"));
  }

  @Test
  void findsABadHistory() {
    MetricSource source = new MetricSource() {
      @Override
      public Observation read(WorkloadSpec spec, Instant now) {
        return good(now);
      }

      @Override
      public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric, Instant from,
          Instant to, Duration step) {
        return Optional.of(MetricSeries.of(to, Duration.ofSeconds(15), -2));
      }
    };
    assertThat(MetricSourceContract.check(source, SPEC, NOW))
        .anyMatch(s -> s.contains("history of cpu must be on the step asked for (PT1M), but was "
            + "on PT15S"))
        .anyMatch(s -> s.contains("history of rps must hold values >= 0 or NaN, but step 0 was "
            + "-2.0"))
        .anyMatch(s -> s.contains("history of cpu must have its steps start in"));
  }
}
