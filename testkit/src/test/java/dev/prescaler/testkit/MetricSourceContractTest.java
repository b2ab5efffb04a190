package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
  void acceptsWhatTheEngineAcceptsANegativeValueAnObservationTimedLaterAndASlightlyLateSample() {
    // The engine holds a negative value itself ("invalid negative value"), never reads
    // Observation.time(), and takes a sample stamped up to one sync period after its clock.
    MetricSource source = (spec, now) -> new Observation(now.plusSeconds(5), Map.of(
        "cpu", MetricReading.of("cpu", -1, now.plusSeconds(10)),
        "rps", MetricReading.of("rps", 5, now.plus(AutoscalerEngine.DEFAULT_SYNC_PERIOD))),
        Optional.of(ReplicaStatus.of(3, 3)));
    assertThat(MetricSourceContract.check(source, SPEC, NOW)).isEmpty();
    assertThat(MetricSourceContract.checkAllowingAbsentMetrics(source, SPEC, NOW)).isEmpty();
  }

  @Test
  void findsAFutureSampleAndABlankReason() {
    MetricSource source = (spec, now) -> Observation.of(now, ReplicaStatus.of(3, 3),
        MetricReading.of("cpu", 1, now.plusSeconds(16)), MetricReading.unavailable("rps", " "));
    assertThat(MetricSourceContract.check(source, SPEC, NOW)).containsExactly(
        "shop/web at " + NOW + ": metric cpu must not be measured more than the sync period "
            + "PT15S after now (the engine holds it as in the future), but was measured at "
            + NOW.plusSeconds(16),
        "shop/web at " + NOW + ": unavailable metric rps must carry a reason, but was \" \"");
  }

  @Test
  void takesTheEnginesSyncPeriod() {
    MetricSource late = (spec, now) -> Observation.of(now, ReplicaStatus.of(3, 3),
        MetricReading.of("cpu", 1, now.plusSeconds(60)), MetricReading.of("rps", 1, now));
    Duration minute = Duration.ofMinutes(1);
    assertThat(MetricSourceContract.check(late, SPEC, NOW, minute)).isEmpty();
    assertThat(MetricSourceContract.checkAllowingAbsentMetrics(late, SPEC, NOW, minute)).isEmpty();
    assertThat(MetricSourceContract.check(late, SPEC, NOW, Duration.ofSeconds(59)))
        .singleElement().asString().contains("more than the sync period PT59S after now");
    assertThat(MetricSourceContract.check(late, SPEC, NOW, Duration.ZERO))
        .singleElement().asString().contains("more than the sync period PT0S after now");
    assertThatThrownBy(() -> MetricSourceContract.check(late, SPEC, NOW, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("syncPeriod must be >= 0, but was PT-1S");
  }

  @Test
  void agreesWithTheEngineOnWhatIsAFutureSample() {
    for (Duration syncPeriod : List.of(Duration.ofSeconds(15), Duration.ofSeconds(60))) {
      for (long ahead : new long[] {0, syncPeriod.toSeconds(), syncPeriod.toSeconds() + 1}) {
        ManualClock clock = new ManualClock(NOW);
        MetricSource source = (spec, now) -> Observation.of(now, ReplicaStatus.of(3, 3),
            MetricReading.of("cpu", 50, now.plusSeconds(ahead)),
            MetricReading.of("rps", 10, now));
        AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).metricSource(source)
            .policy((ctx, p) -> p).backfill(false).syncPeriod(syncPeriod).workload(SPEC).build();
        engine.tick();
        DecisionRecord r = ((InMemoryJournal) engine.journal()).records(SPEC.workload()).get(0);
        boolean engineCallsItFuture = r.actionMessage().contains("in the future");
        List<String> violations = MetricSourceContract.check(source, SPEC, NOW, syncPeriod);
        assertThat(violations.isEmpty()).as(ahead + " s ahead, sync " + syncPeriod + ": " + r
            + " / " + violations).isEqualTo(!engineCallsItFuture);
        assertThat(engineCallsItFuture).isEqualTo(ahead > syncPeriod.toSeconds());
        engine.close();
      }
    }
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
  void findsAMiskeyedReading() {
    MetricSource source = (spec, now) -> new Observation(now,
        Map.of("cpu", MetricReading.of("rps", 1, now), "rps", MetricReading.of("rps", 1, now)),
        Optional.empty());
    assertThat(MetricSourceContract.check(source, SPEC, NOW)).containsExactly("shop/web at " + NOW
        + ": reading keyed cpu must be of that metric, but was of rps");
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
    // The negative value is no violation: the engine's backfill skips it as a missing step.
    assertThat(MetricSourceContract.check(source, SPEC, NOW))
        .anyMatch(s -> s.contains("history of cpu must be on the step asked for (PT1M), but was "
            + "on PT15S"))
        .noneMatch(s -> s.contains("-2.0"))
        .anyMatch(s -> s.contains("history of cpu must have its steps start in"));
  }
}
