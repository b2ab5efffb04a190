package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.core.journal.InMemoryJournal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The interval the engine asks the forecaster for is the one the policy plans for ({@link
 * DecisionPolicy#riskQuantile}), not always the workload's: a policy that plans at its own
 * quantile on a workload whose quantile is 0.5 got forecasts without an interval.
 */
class AutoscalerEngineRiskQuantileTest {
  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 500);
  List<Double> levels = new ArrayList<>();
  Forecaster recording = (h, horizon, level) -> {
    levels.add(level);
    return Forecast.flat("flat", h.end(), h.step(), Forecaster.steps(horizon, h.step()), 500);
  };

  /** CAPACITY, planning for the quantile {@code q} on every workload. */
  private static DecisionPolicy plansFor(double q) {
    return new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext ctx, Proposal p) {
        return CAPACITY.apply(ctx, p);
      }

      @Override
      public double riskQuantile(WorkloadSpec spec) {
        if (Double.isNaN(q)) {
          throw new IllegalStateException("no quantile");
        }
        return q;
      }
    };
  }

  private double levelAskedFor(DecisionPolicy policy) {
    return levelAskedFor(policy, 0.5);
  }

  private double levelAskedFor(DecisionPolicy policy, double workloadQuantile) {
    WorkloadSpec median = WorkloadSpec.builder(WEB).minReplicas(1).maxReplicas(20)
        .metric(MetricTarget.averageValue("rps", 100)).riskQuantile(workloadQuantile).build();
    levels.clear();
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, policy,
        new RecordingExecutor(), new InMemoryJournal()).forecaster(recording)
        .workload(median).build()) {
      for (int i = 0; i < 3; i++) {
        engine.tick();
        clock.advance(Fixtures.SYNC);
      }
    }
    assertThat(levels).isNotEmpty();
    assertThat(levels).containsOnly(levels.get(0));
    return levels.get(0);
  }

  @Test
  void theForecastCarriesTheIntervalOfTheQuantileThePolicyPlansFor() {
    assertThat(levelAskedFor(CAPACITY)).isZero(); // the workload's own: 0.5
    assertThat(levelAskedFor(plansFor(0.99))).isCloseTo(0.98, within(1e-12));
    // A chain asks for the highest quantile among its steps.
    assertThat(levelAskedFor(DecisionPolicy.chain(CAPACITY, plansFor(0.9), plansFor(0.8))))
        .isCloseTo(0.8, within(1e-12));
    // Never below the workload's own: a policy planning lower rescales that interval down.
    assertThat(levelAskedFor(plansFor(0.8), 0.95)).isCloseTo(0.9, within(1e-12));
    assertThat(levelAskedFor(plansFor(0.99), 0.95)).isCloseTo(0.98, within(1e-12));
  }

  // Catches the level of 2q - 1 in floating point: the journal's forecasts read
  // 0.8999999999999999 for the default quantile 0.95.
  @Test
  void theForecastsLevelReadsAsTheDecimalTheQuantileGives() {
    Forecaster withLevel = (h, horizon, level) -> {
      int n = Forecaster.steps(horizon, h.step());
      double[] point = new double[n];
      java.util.Arrays.fill(point, 500);
      return new Forecast("flat", h.end(), h.step(), point, point, point, level);
    };
    InMemoryJournal journal = new InMemoryJournal();
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY,
        new RecordingExecutor(), journal).forecaster(withLevel)
        .workload(Fixtures.spec(WEB, 1, 20, Mode.ACT)).build()) {
      for (int i = 0; i < 3; i++) {
        engine.tick();
        clock.advance(Fixtures.SYNC);
      }
    }
    Forecast f = Fixtures.last(journal, WEB).forecasts().get("rps");
    assertThat(f.level()).isEqualTo(0.9);
    assertThat(f.toString()).endsWith(", level=0.9}");
  }

  @Test
  void aPolicyThatFailsToNameItsQuantileOrNamesABadOneGetsTheWorkloads() {
    assertThat(levelAskedFor(plansFor(Double.NaN))).isZero();
    assertThat(levelAskedFor(plansFor(1.5))).isZero();
  }
}
