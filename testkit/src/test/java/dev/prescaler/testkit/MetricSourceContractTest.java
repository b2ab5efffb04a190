package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
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
  void findsAFutureSample() {
    MetricSource source = (spec, now) -> Observation.of(now, ReplicaStatus.of(3, 3),
        MetricReading.of("cpu", 1, now.plusSeconds(16)), MetricReading.unavailable("rps", "x"));
    assertThat(MetricSourceContract.check(source, SPEC, NOW)).containsExactly(
        "shop/web at " + NOW + ": metric cpu must not be measured more than the sync period "
            + "PT15S after now (the engine holds it as in the future), but was measured at "
            + NOW.plusSeconds(16));
    // A blank reason cannot be made any more: the source's read throws, which the contract
    // allows (the engine holds the workload) and its preferences report.
    MetricSource blank = (spec, now) -> Observation.of(now, ReplicaStatus.of(3, 3),
        MetricReading.of("cpu", 1, now), MetricReading.unavailable("rps", " "));
    assertThat(MetricSourceContract.check(blank, SPEC, NOW)).isEmpty();
    assertThat(MetricSourceContract.checkPreferences(blank, SPEC, NOW)).singleElement()
        .asString().contains("IllegalArgumentException");
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

  /**
   * Catches the contract reporting what MetricSource allows: "Throwing is allowed (the engine
   * contains it and holds the workload) but an unavailable reading is preferred". A read that
   * throws was a violation; it is now reported only by checkPreferences, apart.
   */
  @Test
  void aSourceThatThrowsHonoursTheContractButNotThePreference() {
    MetricSource throwing = (spec, now) -> {
      throw new IllegalStateException("connection refused");
    };
    assertThat(MetricSourceContract.check(throwing, SPEC, NOW)).isEmpty();
    assertThat(MetricSourceContract.checkAllowingAbsentMetrics(throwing, SPEC, NOW)).isEmpty();
    assertThat(MetricSourceContract.checkPreferences(throwing, SPEC, NOW)).containsExactly(
        "shop/web at " + NOW + ": read should report MetricReading.unavailable(metric, reason) "
            + "rather than throw (allowed, but the engine then holds the workload on the "
            + "exception), but threw java.lang.IllegalStateException: connection refused");
    assertThat(MetricSourceContract.checkPreferences((spec, now) -> good(now), SPEC, NOW))
        .isEmpty();
  }

  /**
   * Catches the contract reporting what MetricSource allows of history: the engine starts a
   * metric whose backfill throws without history, as it does for an empty one. A history that
   * threw was a violation; it is now reported only by checkPreferences, per metric.
   */
  @Test
  void aHistoryThatThrowsHonoursTheContractButNotThePreference() {
    MetricSource source = new MetricSource() {
      @Override
      public Observation read(WorkloadSpec spec, Instant now) {
        return good(now);
      }

      @Override
      public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric,
          Instant from, Instant to, Duration step) {
        if (metric.name().equals("rps")) {
          throw new IllegalStateException("range query refused");
        }
        return Optional.empty();
      }
    };
    assertThat(MetricSourceContract.check(source, SPEC, NOW)).isEmpty();
    assertThat(MetricSourceContract.checkPreferences(source, SPEC, NOW)).containsExactly(
        "shop/web at " + NOW + ": history of rps should be empty rather than throw (allowed: the "
            + "engine starts the metric without history), but threw "
            + "java.lang.IllegalStateException: range query refused");
  }

  @Test
  void findsASourceThatReturnsNull() {
    assertThat(MetricSourceContract.check((spec, now) -> null, SPEC, NOW))
        .containsExactly("shop/web at " + NOW + ": read must return an observation, but returned "
            + "null");
  }

  @Test
  void findsAMiskeyedReading() {
    MetricSource source = (spec, now) -> new Observation(now,
        Map.of("cpu", MetricReading.of("rps", 1, now), "rps", MetricReading.of("rps", 1, now)),
        Optional.empty());
    // Core refuses such an observation now: the source's read throws, which the contract
    // allows (the engine holds the workload) and its preferences report.
    assertThat(MetricSourceContract.check(source, SPEC, NOW)).isEmpty();
    assertThat(MetricSourceContract.checkPreferences(source, SPEC, NOW)).singleElement()
        .asString().contains("IllegalArgumentException").contains("\"cpu\"")
        .contains("\"rps\"");
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

  /** A source reading {@code cpu} and {@code rps} as given, with that history for each. */
  static MetricSource withHistory(double cpu, double rps, Optional<ReplicaStatus> replicas,
      Map<String, double[]> history) {
    return new MetricSource() {
      @Override
      public Observation read(WorkloadSpec spec, Instant now) {
        return new Observation(now, Map.of("cpu", MetricReading.of("cpu", cpu, now),
            "rps", MetricReading.of("rps", rps, now)), replicas);
      }

      @Override
      public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric, Instant from,
          Instant to, Duration step) {
        double[] last = history.get(metric.name());
        if (last == null) {
          return Optional.empty();
        }
        // The values given are the last steps before `to`; NaN before them.
        double[] v = new double[60];
        Arrays.fill(v, Double.NaN);
        System.arraycopy(last, 0, v, v.length - last.length, last.length);
        return Optional.of(MetricSeries.of(from, step, v));
      }
    };
  }

  static double[] filled(int n, double value) {
    double[] v = new double[n];
    Arrays.fill(v, value);
    return v;
  }

  /**
   * The review's case: live cpu 50 % on 4 ready pods (load 2.0) and a history of raw percent
   * (50.0 everywhere) drove an engine to maxReplicas; the contract reports it.
   */
  @Test
  void findsAUtilizationHistoryInPercentRatherThanLoad() {
    MetricSource percent = withHistory(50, 100, Optional.of(ReplicaStatus.of(4, 4)),
        Map.of("cpu", filled(60, 50.0)));
    assertThat(MetricSourceContract.check(percent, SPEC, NOW)).containsExactly("shop/web at "
        + NOW + ": history of cpu must be in load units, as the engine takes the live reading "
        + "(50.0 % / 100 * 4 ready pods = 2.0), but its last present steps [50.0, 50.0, 50.0] "
        + "(from " + NOW.minusSeconds(180) + ") are all more than 10 times above or below that "
        + "load: is it in percent, or per pod, rather than load (percent / 100 * ready pods)? "
        + "(The rule also reports a load that changed 10-fold within the last 10 minutes.)");
    MetricSource load = withHistory(50, 100, Optional.of(ReplicaStatus.of(4, 4)),
        Map.of("cpu", filled(60, 2.0)));
    assertThat(MetricSourceContract.check(load, SPEC, NOW)).isEmpty();
  }

  @Test
  void findsAnAverageValueHistoryPerPodRatherThanTheTotal() {
    // 400 rps in all on 40 ready pods; the history holds 10 per pod.
    MetricSource perPod = withHistory(50, 400, Optional.of(ReplicaStatus.of(40, 40)),
        Map.of("rps", new double[] {10, Double.NaN, 10, 10, -1, 0}));
    assertThat(MetricSourceContract.check(perPod, SPEC, NOW)).containsExactly("shop/web at "
        + NOW + ": history of rps must be in load units, as the engine takes the live reading "
        + "(400.0, the workload's total), but its last present steps [10.0, 10.0, 10.0] (from "
        + NOW.minusSeconds(360) + ") are all more than 10 times above or below that load: is it "
        + "per pod rather than the workload's total, or in other units than the reading? (The "
        + "rule also reports a load that changed 10-fold within the last 10 minutes.)");
  }

  @Test
  void takesTheReadyCountFromTheObservationElseFromTheCallerAsTheEngineDoes() {
    MetricSource percent = withHistory(50, 100, Optional.empty(),
        Map.of("cpu", filled(60, 50.0)));
    Duration sync = AutoscalerEngine.DEFAULT_SYNC_PERIOD;
    // Without a ready count, a utilization reading has no load to compare with.
    assertThat(MetricSourceContract.check(percent, SPEC, NOW)).isEmpty();
    assertThat(MetricSourceContract.check(percent, SPEC, NOW, sync, 0)).isEmpty();
    assertThat(MetricSourceContract.check(percent, SPEC, NOW, sync, 4)).singleElement()
        .asString().contains("(50.0 % / 100 * 4 ready pods = 2.0)");
    assertThat(MetricSourceContract.checkAllowingAbsentMetrics(percent, SPEC, NOW, sync, 4))
        .singleElement().asString().contains("history of cpu must be in load units");
    // 50 % of 100 ready pods is a load of 50: the same history is right for it.
    assertThat(MetricSourceContract.check(percent, SPEC, NOW, sync, 100)).isEmpty();
    MetricSource reporting = withHistory(50, 100, Optional.of(ReplicaStatus.of(100, 100)),
        Map.of("cpu", filled(60, 50.0)));
    assertThat(MetricSourceContract.check(reporting, SPEC, NOW, sync, 4))
        .as("the observation's count wins").isEmpty();
    assertThatThrownBy(() -> MetricSourceContract.check(percent, SPEC, NOW, sync, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("readyReplicas must be >= 0, but was -1");
  }

  @Test
  void acceptsAHistoryWhoseLoadMovedWithinTheFactorOrWhoseRecentStepsSaySomethingElse() {
    Optional<ReplicaStatus> four = Optional.of(ReplicaStatus.of(4, 4));
    // Load 2.0 now: 0.21 and 19.9 are within 10 times of it.
    assertThat(MetricSourceContract.check(withHistory(50, 100, four,
        Map.of("cpu", new double[] {0.21}, "rps", new double[] {999})), SPEC, NOW)).isEmpty();
    // One of the last three present steps near the load is enough: a load that just jumped.
    assertThat(MetricSourceContract.check(withHistory(50, 100, four,
        Map.of("cpu", new double[] {2.5, 40, 40})), SPEC, NOW)).isEmpty();
    // Steps older than 10 minutes are not compared, nor are zeros, nor missing ones.
    double[] old = filled(11, Double.NaN);
    old[0] = 50;
    assertThat(MetricSourceContract.check(withHistory(50, 100, four,
        Map.of("cpu", old, "rps", filled(5, 0))), SPEC, NOW)).isEmpty();
    // An unavailable or zero live reading has no load to compare with.
    assertThat(MetricSourceContract.check(withHistory(0, 100, four,
        Map.of("cpu", filled(60, 50.0))), SPEC, NOW)).isEmpty();
    MetricSource unavailable = new MetricSource() {
      @Override
      public Observation read(WorkloadSpec spec, Instant now) {
        return Observation.of(now, ReplicaStatus.of(4, 4),
            MetricReading.unavailable("cpu", "no pods"), MetricReading.of("rps", 1, now));
      }

      @Override
      public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric, Instant from,
          Instant to, Duration step) {
        return Optional.of(MetricSeries.of(from, step, filled(60, 50.0)));
      }
    };
    assertThat(MetricSourceContract.check(unavailable, SPEC, NOW)).singleElement().asString()
        .contains("history of rps must be in load units");
  }

  /**
   * The engine side of the review's case: the history in percent drives the workload to
   * maxReplicas within four ticks, where the same history in load units holds it at 4.
   */
  @Test
  void theEngineScalesToItsMaximumOnAHistoryThatTheContractReports() {
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment("shop", "web"))
        .minReplicas(1).maxReplicas(40).mode(Mode.ACT)
        .metric(MetricTarget.utilization("cpu", 50)).build();
    int[] after = new int[2];
    double[] histories = {50.0, 2.0};
    for (int k = 0; k < 2; k++) {
      ManualClock clock = new ManualClock(NOW);
      InMemoryCluster cluster = new InMemoryCluster(clock, Duration.ZERO);
      cluster.add(spec.workload(), 4);
      InMemoryMetricSource source = new InMemoryMetricSource().set(spec.workload(), "cpu", 50)
          .history(spec.workload(), "cpu", MetricSeries.of(NOW.minus(Duration.ofDays(8)),
              Duration.ofMinutes(1), filled(8 * 1440, histories[k])));
      assertThat(MetricSourceContract.check(source, spec, NOW,
          AutoscalerEngine.DEFAULT_SYNC_PERIOD, 4).isEmpty()).as("history " + histories[k])
          .isEqualTo(k == 1);
      try (AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock)
          .metricSource(source).executor(cluster).forecaster(EngineWorld.LAST_VALUE)
          .policy(EngineWorld.CAPACITY).workload(spec).build()) {
        for (int t = 0; t < 4; t++) {
          engine.tick();
          clock.advance(AutoscalerEngine.DEFAULT_SYNC_PERIOD);
        }
      }
      after[k] = cluster.replicas(spec.workload()).orElseThrow().current();
    }
    assertThat(after).containsExactly(40, 4);
  }
}
