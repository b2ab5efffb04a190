package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GeneratorsTest {

  @Test
  void theSameSeedGivesTheSameValues() {
    for (long seed = 0; seed < 20; seed++) {
      assertThat(Generators.demandSeries(new Random(seed)).toArray())
          .isEqualTo(Generators.demandSeries(new Random(seed)).toArray());
      assertThat(Generators.workloadSpecs(new Random(seed)))
          .isEqualTo(Generators.workloadSpecs(new Random(seed)));
      assertThat(Generators.forecasts(new Random(seed)))
          .isEqualTo(Generators.forecasts(new Random(seed)));
      assertThat(Generators.decisionContexts(new Random(seed)).loads())
          .isEqualTo(Generators.decisionContexts(new Random(seed)).loads());
    }
  }

  @Test
  void demandSeriesAreNonNegativeOrMissingWithAtLeastOneValue() {
    Random r = new Random(1);
    for (int i = 0; i < 300; i++) {
      MetricSeries s = Generators.demandSeries(r);
      assertThat(s.size()).isBetween(1, 2000);
      assertThat(s.countPresent()).isPositive();
      assertThat(s.start().toEpochMilli() % s.step().toMillis()).isZero();
      for (double v : s.toArray()) {
        assertThat(Double.isNaN(v) || (Double.isFinite(v) && v >= 0)).isTrue();
      }
    }
  }

  @Test
  void demandSeriesHaveADailyCycleWhenAsked() {
    // Over many seeds, at least some series vary with the time of day: the seasonal part works.
    int seasonal = 0;
    for (long seed = 0; seed < 50; seed++) {
      MetricSeries s = Generators.demandSeries(new Random(seed), Generators.BASE_TIME,
          Duration.ofHours(1), 24 * 7, 0);
      double[] v = s.toArray();
      double min = Double.MAX_VALUE;
      double max = 0;
      for (double x : v) {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      if (max > 1.5 * min) {
        seasonal++;
      }
    }
    assertThat(seasonal).isGreaterThan(10);
  }

  @Test
  void demandSeriesRejectBadArguments() {
    Random r = new Random(1);
    assertThatThrownBy(() -> Generators.demandSeries(r, Instant.EPOCH, Duration.ZERO, 3, 0))
        .hasMessage("step must be > 0, but was PT0S");
    assertThatThrownBy(() -> Generators.demandSeries(r, Instant.EPOCH, Duration.ofSeconds(1), -1,
        0)).hasMessage("steps must be >= 0, but was -1");
    assertThatThrownBy(() -> Generators.demandSeries(r, Instant.EPOCH, Duration.ofSeconds(1), 1,
        1.0)).hasMessage("gapProbability must be in [0, 1), but was 1.0");
    assertThatThrownBy(() -> Generators.forecasts(r, Instant.EPOCH, Duration.ofSeconds(1), 0))
        .hasMessage("steps must be >= 1, but was 0");
  }

  @Test
  void specsHonourTheRequestedMode() {
    Random r = new Random(2);
    for (Mode m : Mode.values()) {
      WorkloadSpec s = Generators.workloadSpecs(r, m);
      assertThat(s.mode()).isEqualTo(m);
      assertThat(s.maxReplicas()).isGreaterThanOrEqualTo(Math.max(1, s.minReplicas()));
      assertThat(s.metrics()).isNotEmpty();
    }
  }

  @Test
  void forecastsAreNonNegative() {
    Random r = new Random(3);
    for (int i = 0; i < 200; i++) {
      Forecast f = Generators.forecasts(r);
      for (int k = 0; k < f.steps(); k++) {
        assertThat(f.lower(k)).isGreaterThanOrEqualTo(0);
      }
    }
  }

  @Test
  void contextsHoldAValidLoadForEveryMetricAndForecastsAfterTheirHistory() {
    Random r = new Random(4);
    for (int i = 0; i < 300; i++) {
      DecisionContext c = Generators.decisionContexts(r);
      for (MetricTarget m : c.spec().metrics()) {
        assertThat(c.load(m.name())).isFinite().isGreaterThanOrEqualTo(0);
        c.forecast(m.name()).ifPresent(f ->
            assertThat(f.start()).isEqualTo(c.histories().get(m.name()).end()));
        if (c.histories().containsKey(m.name())) {
          assertThat(c.histories().get(m.name()).end()).isBeforeOrEqualTo(c.now());
        }
      }
      assertThat(c.recent()).allMatch(d -> d.time().isBefore(c.now()));
      assertThat(c.sampleTime()).isBeforeOrEqualTo(c.now());
    }
  }

  /**
   * Catches a metric's history left out of a generated context one time in five: the engine
   * always hands one (empty before its first step closes), so a policy may read it.
   */
  @Test
  void contextsHoldAHistoryForEveryMetricEmptyAtTimes() {
    Random r = new Random(6);
    int empty = 0;
    int forecasts = 0;
    int metrics = 0;
    for (int i = 0; i < 2000; i++) {
      DecisionContext c = Generators.decisionContexts(r);
      for (MetricTarget m : c.spec().metrics()) {
        metrics++;
        MetricSeries h = c.histories().get(m.name());
        assertThat(h).as("history of %s", m.name()).isNotNull();
        empty += h.isEmpty() ? 1 : 0;
        forecasts += c.forecast(m.name()).isPresent() ? 1 : 0;
      }
    }
    assertThat((double) empty / metrics).as("empty histories").isBetween(0.17, 0.23);
    // The share the javadoc and README give: 4/5 of the 4/5 of histories with a step, 64 %.
    assertThat((double) forecasts / metrics).as("forecasts").isBetween(0.60, 0.68);
  }

  @Test
  void contextsAreOnesTheEngineHandsToItsPolicies() {
    Random r = new Random(5);
    int scaledToZero = 0;
    int noneReady = 0;
    int outOfBounds = 0;
    int moreReadyThanCurrent = 0;
    for (int i = 0; i < 3000; i++) {
      DecisionContext c = Generators.decisionContexts(r);
      WorkloadSpec s = c.spec();
      int current = c.replicas().current();
      int ready = c.replicas().ready();
      boolean utilization = s.metrics().stream()
          .anyMatch(m -> m.type() == MetricTarget.Type.UTILIZATION);
      // AutoscalerEngine.evaluate holds the workload in these two cases: no policy sees them.
      assertThat(current == 0 && s.minReplicas() > 0).as("current 0, min %d", s.minReplicas())
          .isFalse();
      assertThat(utilization && ready == 0).as("utilization with 0 ready: %s", s.metrics())
          .isFalse();
      scaledToZero += current == 0 ? 1 : 0;
      noneReady += ready == 0 ? 1 : 0;
      outOfBounds += current < s.minReplicas() || current > s.maxReplicas() ? 1 : 0;
      moreReadyThanCurrent += ready > current ? 1 : 0;
    }
    // What the engine does decide on is still covered.
    assertThat(scaledToZero).as("current 0 with min 0").isGreaterThan(20);
    assertThat(noneReady).as("0 ready without a utilization metric").isGreaterThan(20);
    assertThat(outOfBounds).as("current outside [min, max]").isGreaterThan(20);
    assertThat(moreReadyThanCurrent).as("more ready than current").isGreaterThan(20);
  }
}
