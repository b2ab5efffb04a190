package dev.prescaler.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ErrorTrackerTest {

  @Test
  void scoresEachForecastAgainstTheOutcomeItTargeted() {
    ErrorTracker t = new ErrorTracker(2, 10);
    t.store(new double[] {10, 20}); // origin 0: forecasts for steps 1 and 2
    t.observe(11); // step 1: h1 error +1
    t.store(new double[] {30, 40}); // origin 1: forecasts for steps 2 and 3
    t.observe(25); // step 2: h1 error 25-30 = -5, h2 error 25-20 = +5
    assertThat(t.count(0)).isEqualTo(2);
    assertThat(t.count(1)).isEqualTo(1);
    assertThat(t.mae(0)).isCloseTo(3.0, within(1e-12));
    assertThat(t.mae(1)).isCloseTo(5.0, within(1e-12));
    assertThat(t.score(2, 1)).isCloseTo(4.0, within(1e-12));
    assertThat(t.score(2, 2)).isNaN();
  }

  @Test
  void missingOutcomesScoreNothing() {
    ErrorTracker t = new ErrorTracker(1, 10);
    t.store(new double[] {10});
    t.observe(Double.NaN);
    assertThat(t.count(0)).isZero();
    assertThat(t.mae(0)).isNaN();
  }

  @Test
  void keepsOnlyTheLastWindowOfErrors() {
    ErrorTracker t = new ErrorTracker(1, 3);
    double[] outcomes = {100, 1, 2, 3};
    for (double y : outcomes) {
      t.store(new double[] {0});
      t.observe(y);
    }
    assertThat(t.count(0)).isEqualTo(3);
    assertThat(t.mae(0)).isCloseTo(2.0, within(1e-6));
  }

  @Test
  void quantilesAreEmpirical() {
    ErrorTracker t = new ErrorTracker(1, 101);
    for (int i = 0; i <= 100; i++) {
      t.store(new double[] {0});
      t.observe(i - 50); // errors −50 … 50
    }
    assertThat(t.lower(0, 0.9)).isCloseTo(-45, within(1e-6));
    assertThat(t.upper(0, 0.9)).isCloseTo(45, within(1e-6));
    double[] sorted = {1, 2, 3, 4};
    assertThat(ErrorTracker.quantile(sorted, 4, 0.5)).isEqualTo(2.5);
  }

  @Test
  void tracksOnlyTheGivenHorizons() {
    ErrorTracker t = new ErrorTracker(new int[] {1, 3}, 10);
    t.store(new double[] {10, 30}); // origin 0: forecasts for steps 1 and 3
    t.observe(11); // step 1: h1 error +1
    t.store(new double[] {20, 40}); // origin 1: steps 2 and 4
    t.observe(19); // step 2: h1 error −1
    t.store(new double[] {0, 0});
    t.observe(33); // step 3: h3 error +3 (origin 0)
    assertThat(t.count(0)).isEqualTo(3);
    assertThat(t.count(1)).isEqualTo(1);
    assertThat(t.mae(1)).isCloseTo(3.0, within(1e-12));
    assertThat(t.score(2, 1)).isCloseTo(t.mae(0), within(1e-12)); // only step 1 is <= 2
    assertThat(t.score(3, 1)).isCloseTo((t.mae(0) + 3) / 2, within(1e-12));
  }

  @Test
  void combinedRecordsAreTheRecordOfTheWeightedForecast() {
    java.util.Random r = new java.util.Random(42);
    ErrorTracker a = new ErrorTracker(6, 50);
    ErrorTracker b = new ErrorTracker(6, 50);
    int[] steps = {1, 2, 4, 6};
    double[] w = {0.3, 0.7};
    ErrorTracker direct = new ErrorTracker(steps, 50);
    double[] fa = new double[6];
    double[] fb = new double[6];
    double[] fw = new double[steps.length];
    for (int o = 0; o < 120; o++) {
      double y = 100 + 10 * r.nextGaussian();
      if (o > 0) {
        a.observe(y);
        b.observe(y);
        direct.observe(y);
      }
      for (int h = 0; h < 6; h++) {
        fa[h] = 100 + r.nextGaussian();
        fb[h] = 90 + 5 * r.nextGaussian();
      }
      for (int k = 0; k < steps.length; k++) {
        fw[k] = w[0] * fa[steps[k] - 1] + w[1] * fb[steps[k] - 1];
      }
      a.store(fa);
      b.store(fb);
      direct.store(fw);
    }
    ErrorTracker c = ErrorTracker.combine(java.util.List.of(a, b), w, steps);
    assertThat(c).isNotNull();
    for (int step = 0; step < 10; step++) { // and it goes on as the direct one does
      for (int k = 0; k < steps.length; k++) {
        // Errors are kept in 16 bits: a resolution of 1/16,000 of the largest (about 40 here).
        assertThat(c.count(k)).isEqualTo(direct.count(k));
        assertThat(c.mae(k)).isCloseTo(direct.mae(k), within(1e-2));
        assertThat(c.lower(k, 0.9)).isCloseTo(direct.lower(k, 0.9), within(1e-2));
        assertThat(c.upper(k, 0.9)).isCloseTo(direct.upper(k, 0.9), within(1e-2));
      }
      c.observe(100 + step);
      direct.observe(100 + step);
      c.store(new double[] {100, 101, 102, 103});
      direct.store(new double[] {100, 101, 102, 103});
    }
    // Records of different origins do not combine.
    ErrorTracker late = new ErrorTracker(6, 50);
    late.store(fa);
    assertThat(ErrorTracker.combine(java.util.List.of(a, late), w, steps)).isNull();
  }

  @Test
  void smallErrorsRegainTheirResolutionOnceALargeOneHasLeftTheWindow() {
    ErrorTracker t = new ErrorTracker(1, 100);
    t.store(new double[] {0});
    t.observe(50); // one error 1,000 times the others: the resolution becomes 50 / 16,000
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 100; i++) { // 100 errors of −0.050 … 0.049, pushing it out
        t.store(new double[] {0});
        t.observe((i - 50) / 1000.0);
      }
      // Empirical 5 % / 95 % quantiles of −0.050 … 0.049 in steps of 0.001: −0.04505, 0.04405;
      // those stored next to the large error are as coarse as it made them (0.003), the next
      // window's, stored after the quantile refresh rescaled the record, are fine again.
      double tolerance = round == 0 ? 0.002 : 1e-5;
      assertThat(t.lower(0, 0.9)).isCloseTo(-0.04505, within(tolerance));
      assertThat(t.upper(0, 0.9)).isCloseTo(0.04405, within(tolerance));
      assertThat(t.mae(0)).isCloseTo(0.025, within(tolerance));
    }
  }
}
