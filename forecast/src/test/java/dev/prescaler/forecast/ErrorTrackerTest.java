package dev.prescaler.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

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
        // Each error is kept within 0.4 % of itself; the combined ones are rounded twice, from
        // parts' errors of about their size.
        assertThat(c.count(k)).isEqualTo(direct.count(k));
        assertThat(c.mae(k)).isCloseTo(direct.mae(k), withinPercentage(1));
        assertThat(c.lower(k, 0.9)).isCloseTo(direct.lower(k, 0.9), withinPercentage(1));
        assertThat(c.upper(k, 0.9)).isCloseTo(direct.upper(k, 0.9), withinPercentage(1));
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
  void smallErrorsKeepTheirResolutionNextToALargeOne() {
    ErrorTracker t = new ErrorTracker(1, 100);
    t.store(new double[] {0});
    t.observe(50); // one error 1,000 times the others
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 100; i++) { // 100 errors of −0.050 … 0.049, pushing it out
        t.store(new double[] {0});
        t.observe((i - 50) / 1000.0);
      }
      // Empirical 5 % / 95 % quantiles of −0.050 … 0.049 in steps of 0.001: −0.04505, 0.04405,
      // to 0.4 %, both for errors stored while the large one was in the window (round 0) and for
      // the next window's (round 1).
      assertThat(t.lower(0, 0.9)).isCloseTo(-0.04505, within(2e-4));
      assertThat(t.upper(0, 0.9)).isCloseTo(0.04405, within(2e-4));
      assertThat(t.mae(0)).isCloseTo(0.025, within(1e-4));
    }
  }

  /** Errors of σ = 3 around 0 with, when {@code outlier} is not NaN, it as error 401. */
  private static ErrorTracker gaussianErrors(double outlier, int after) {
    ErrorTracker t = new ErrorTracker(1, 400);
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < 400 + 1 + after; i++) {
      double e = 3 * r.nextGaussian();
      t.store(new double[] {0});
      t.observe(i == 400 && !Double.isNaN(outlier) ? outlier : e);
    }
    return t;
  }

  @Test
  void oneHugeErrorLeavesTheOthersIntervalAlone() {
    for (double outlier : new double[] {1e6, -1e6, 1e300, Double.POSITIVE_INFINITY}) {
      for (int after : new int[] {64, 394}) {
        ErrorTracker with = gaussianErrors(outlier, after);
        ErrorTracker without = gaussianErrors(Double.NaN, after); // the same errors but that one
        // The outlier takes one of the top ranks, so the quantiles move by about a rank: about
        // ±4.6 here, up to 3 % apart (1e6 after 64: upper 4.66 against 4.54). Before the
        // errors kept their own precision, every ordinary error rounded to 0 beside the outlier
        // and the interval was [0, 0] until it left the window.
        assertThat(with.lower(0, 0.9)).as("%s after %d", outlier, after)
            .isCloseTo(without.lower(0, 0.9), withinPercentage(5));
        assertThat(with.upper(0, 0.9)).as("%s after %d", outlier, after)
            .isCloseTo(without.upper(0, 0.9), withinPercentage(5));
      }
    }
  }

  @Test
  void theMeanAbsoluteErrorForgetsAHugeErrorThatLeftTheWindow() {
    ErrorTracker with = gaussianErrors(1e300, 400);
    ErrorTracker without = gaussianErrors(Double.NaN, 400);
    assertThat(with.mae(0)).isCloseTo(without.mae(0), withinPercentage(0.5)).isBetween(2.0, 3.0);
    assertThat(gaussianErrors(1e6, 399).mae(0)).isGreaterThan(1e6 / 400);
  }

  @Test
  void errorsKeepTheirOwnRelativePrecisionOverTheFloatRange() {
    for (double e : new double[] {1e-37, 1e-12, 3e-7, 0.1, 1, 3, 12_345.678, 1e9, 1e18, 3e38}) {
      assertThat(ErrorTracker.decode(ErrorTracker.encode(e))).isCloseTo(e, withinPercentage(0.4));
      assertThat(ErrorTracker.decode(ErrorTracker.encode(-e)))
          .isEqualTo(-ErrorTracker.decode(ErrorTracker.encode(e)));
    }
    assertThat(ErrorTracker.decode(ErrorTracker.encode(0))).isZero();
    assertThat(ErrorTracker.decode(ErrorTracker.encode(-0.0))).isZero();
    assertThat(ErrorTracker.decode(ErrorTracker.encode(1e-39))).isZero(); // under 2^-126
    // Beyond the float range the forecasts are kept in: beyond measure.
    assertThat(ErrorTracker.decode(ErrorTracker.encode(1e300))).isInfinite().isPositive();
    assertThat(ErrorTracker.decode(ErrorTracker.encode(Double.NEGATIVE_INFINITY)))
        .isInfinite().isNegative();
    // Every code stands for one value, in the order of the codes (the quantiles sort on them).
    double previous = Double.NEGATIVE_INFINITY;
    for (int q = -0x7F7F; q <= 0x7F80; q++) { // after −infinity
      if (q != 0 && Math.abs(q) < 1 << 7) {
        continue; // exponent 0: never made, magnitudes there are kept as 0
      }
      double e = ErrorTracker.decode((short) q);
      assertThat(ErrorTracker.encode(e)).isEqualTo((short) q);
      assertThat(e).isGreaterThan(previous);
      previous = e;
    }
  }

  @Test
  void anErrorBeyondMeasureKeepsTheMeanAbsoluteErrorFinite() {
    ErrorTracker t = new ErrorTracker(1, 10);
    t.store(new double[] {0});
    t.observe(1e300); // a finite error beyond the float range counts as itself
    t.store(new double[] {Double.POSITIVE_INFINITY}); // an infinite forecast: as 3.4e38
    t.observe(5);
    assertThat(t.mae(0)).isCloseTo((1e300 + Float.MAX_VALUE) / 2, withinPercentage(1e-6));
    // The quantiles between −infinity and +infinity: beyond measure (the widest interval).
    assertThat(Double.isFinite(t.upper(0, 0.5))).isFalse();
    assertThat(Double.isFinite(t.lower(0, 0.5))).isFalse();
    for (int i = 0; i < ErrorTracker.QUANTILE_REFRESH; i++) { // past the quantiles' refresh
      t.store(new double[] {0});
      t.observe(2);
    }
    assertThat(t.mae(0)).isCloseTo(2, withinPercentage(0.4));
    assertThat(t.upper(0, 0.5)).isCloseTo(2, withinPercentage(0.4));
  }
}
