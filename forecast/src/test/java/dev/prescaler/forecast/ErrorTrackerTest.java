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
}
