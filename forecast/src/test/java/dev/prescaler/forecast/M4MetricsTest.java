package dev.prescaler.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.core.Forecaster;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The M4 measures on examples computed by hand. */
class M4MetricsTest {

  @Test
  void smapeMatchesAHandComputedExample() {
    // |100-110|·2/210 = 0.095238..., |50-40|·2/90 = 0.222222..., 0 → mean·100 = 10.582010...
    double s = M4Metrics.smape(new double[] {100, 50, 20}, new double[] {110, 40, 20});
    assertThat(s).isCloseTo(100.0 / 3 * (20.0 / 210 + 20.0 / 90), within(1e-12));
    assertThat(s).isCloseTo(10.582010582, within(1e-8));
  }

  @Test
  void smapeCountsBothZeroAsNoError() {
    assertThat(M4Metrics.smape(new double[] {0, 10}, new double[] {0, 10})).isZero();
    assertThat(M4Metrics.smape(new double[] {0}, new double[] {5})).isEqualTo(200);
  }

  @Test
  void maseScalesByTheInSampleSeasonalNaiveError() {
    // m = 2: train 1,2,3,5,4 → |3-1| + |5-2| + |4-3| = 6 over 3 → scale 2.
    double[] train = {1, 2, 3, 5, 4};
    // errors 1 and 3 → MAE 2 → MASE 1.
    double mase = M4Metrics.mase(train, new double[] {10, 10}, new double[] {9, 13}, 2);
    assertThat(mase).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void maseRejectsTooShortTraining() {
    assertThatThrownBy(() -> M4Metrics.mase(new double[] {1, 2}, new double[] {1},
        new double[] {1}, 2)).hasMessage("train.length must be > m (2), but was 2");
  }

  @Test
  void owaIsTheMeanOfTheTwoRatiosToNaive2() {
    // sNaive's published 13.912 / 1.193 → 0.62745 (M4 README).
    assertThat(M4Metrics.owa(13.912, 1.193, M4Metrics.HOURLY_NAIVE2_SMAPE,
        M4Metrics.HOURLY_NAIVE2_MASE)).isCloseTo(0.62745, within(5e-6));
    assertThat(M4Metrics.owa(18.383, 2.395, 18.383, 2.395)).isEqualTo(1.0);
  }

  @Test
  void lengthsMustMatch() {
    assertThatThrownBy(() -> M4Metrics.smape(new double[] {1, 2}, new double[] {1}))
        .hasMessage("forecast.length must equal actual.length (2) and be > 0, but was 1");
  }

  @Test
  void seasonalNaiveAndNaive1RepeatTheRightValues() {
    double[] y = {1, 2, 3, 4, 5, 6};
    assertThat(Naive2.seasonalNaive(y, 3, 5)).containsExactly(4, 5, 6, 4, 5);
    assertThat(Naive2.naive1(y, 3)).containsExactly(6, 6, 6);
  }

  /**
   * Catches Naive2's statics failing with ArrayIndexOutOfBoundsException or ArithmeticException
   * on empty or short input or m = 0, and taking NaN in, instead of naming the bad argument.
   */
  @Test
  void naive2RejectsBadInputNamingTheArgument() {
    double[] y = new double[100];
    Arrays.fill(y, 5);
    assertThatThrownBy(() -> Naive2.seasonalNaive(new double[3], 24, 48))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("y.length must be >= m (24), but was 3");
    assertThatThrownBy(() -> Naive2.forecast(new double[0], 24, 48))
        .hasMessage("y.length must be >= 1, but was 0");
    assertThatThrownBy(() -> Naive2.naive1(new double[0], 48))
        .hasMessage("y.length must be >= 1, but was 0");
    assertThatThrownBy(() -> Naive2.forecast(y, 0, 48)).hasMessage("m must be >= 1, but was 0");
    assertThatThrownBy(() -> Naive2.seasonalNaive(y, 0, 48))
        .hasMessage("m must be >= 1, but was 0");
    assertThatThrownBy(() -> Naive2.seasonalIndices(y, 0))
        .hasMessage("m must be >= 1, but was 0");
    assertThatThrownBy(() -> Naive2.seasonal(y, -1)).hasMessage("m must be >= 1, but was -1");
    assertThatThrownBy(() -> Naive2.naive1(y, -1)).hasMessage("h must be >= 1, but was -1");
    y[5] = Double.NaN;
    assertThatThrownBy(() -> Naive2.forecast(y, 24, 48))
        .hasMessage("y must be finite, but was NaN at 5");
    y[5] = Double.POSITIVE_INFINITY;
    assertThatThrownBy(() -> Naive2.seasonalIndices(y, 24))
        .hasMessage("y must be finite, but was Infinity at 5");
    // m = 1 is no season; h = 1 and y.length = m are the smallest allowed.
    assertThat(Naive2.forecast(new double[] {3}, 1, 1)).containsExactly(3);
    assertThat(Naive2.seasonalNaive(new double[] {1, 2}, 2, 1)).containsExactly(1);
  }

  /**
   * Catches {@code Naive2.forecast(y, m, Integer.MAX_VALUE)} allocating what it was asked for
   * (OutOfMemoryError) where the forecasters refuse a horizon beyond {@link
   * Forecaster#MAX_STEPS}: the same limit, named with the value, nothing allocated.
   */
  @Test
  void naive2RefusesAHorizonBeyondTheForecastersLimit() {
    double[] y = {1, 2, 3, 4, 5, 6};
    String message = "h must be at most 1000000 (Forecaster.MAX_STEPS), but was ";
    assertThatThrownBy(() -> Naive2.forecast(y, 2, Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message + Integer.MAX_VALUE);
    assertThatThrownBy(() -> Naive2.naive1(y, Forecaster.MAX_STEPS + 1))
        .hasMessage(message + (Forecaster.MAX_STEPS + 1));
    assertThatThrownBy(() -> Naive2.seasonalNaive(y, 2, Integer.MAX_VALUE))
        .hasMessage(message + Integer.MAX_VALUE);
    assertThat(Naive2.naive1(y, Forecaster.MAX_STEPS)).hasSize(Forecaster.MAX_STEPS)
        .containsOnly(6);
    assertThat(Naive2.seasonalNaive(y, 2, Forecaster.MAX_STEPS)[Forecaster.MAX_STEPS - 1])
        .isEqualTo(6);
  }

  // Caught Naive2.forecast(y, Integer.MAX_VALUE, 1) and seasonalIndices with that period
  // allocating 2^31 indices (OutOfMemoryError) for a series no such period can be found in.
  @Test
  void naive2DoesNotAllocateAPeriodItCannotFind() {
    double[] y = {1, 2, 3, 4, 5, 6};
    assertThat(Naive2.forecast(y, Integer.MAX_VALUE, 3)).containsExactly(6, 6, 6);
    assertThatThrownBy(() -> Naive2.seasonalIndices(y, Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("m must be at most 1000000 (Forecaster.MAX_STEPS), but was "
            + Integer.MAX_VALUE);
    assertThat(Naive2.seasonalIndices(y, 2)).containsExactly(1, 1);
  }

  @Test
  void naive2IsNaive1OnANonSeasonalSeries() {
    double[] y = new double[100];
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < y.length; i++) {
      y[i] = 50 + r.nextGaussian();
    }
    assertThat(Naive2.seasonal(y, 24)).isFalse();
    assertThat(Naive2.forecast(y, 24, 3)).containsExactly(y[99], y[99], y[99]);
  }

  @Test
  void naive2DeseasonalisesMultiplicatively() {
    // Period 4 with factors 0.5, 1, 1.5, 1 on a flat level of 100: the indices come back exactly,
    // and the forecast continues the pattern from the last deseasonalised value.
    double[] f = {0.5, 1, 1.5, 1};
    double[] y = new double[40];
    for (int i = 0; i < y.length; i++) {
      y[i] = 100 * f[i % 4];
    }
    assertThat(Naive2.seasonal(y, 4)).isTrue();
    assertThat(Naive2.seasonalIndices(y, 4)).containsExactly(f, within(1e-12));
    assertThat(Naive2.forecast(y, 4, 4)).containsExactly(new double[] {50, 100, 150, 100},
        within(1e-9));
  }

  /**
   * Catches a season found where M4's R test finds none: R's acf stops at lag floor(10 log10 n),
   * 23 for n = 200, so xacf[24] is NA there and the series counts as not seasonal.
   */
  @Test
  void seasonalityTestNeedsTheLagWithinRsAcf() {
    for (int n : new int[] {200, 251, 252}) {
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        y[i] = 100 + 30 * Math.sin(2 * Math.PI * i / 24);
      }
      assertThat(Naive2.seasonal(y, 24)).as("n = " + n).isEqualTo(n >= 252);
      assertThat(Naive2.forecast(y, 24, 1)[0]).as("n = " + n)
          .isCloseTo(n >= 252 ? 100 + 30 * Math.sin(2 * Math.PI * n / 24) : y[n - 1],
              within(1e-9));
    }
  }

  @Test
  void seasonalityTestUsesTheM4Limit() {
    // Shorter than 3 periods: never seasonal.
    assertThat(Naive2.seasonal(new double[] {1, 2, 1, 2, 1}, 2)).isFalse();
  }
  /**
   * Catches a 0/0 ratio (zero values under a zero moving average) summed into its position's
   * mean, which made every index NaN where R's decompose, taking mean(..., na.rm = TRUE), leaves
   * it out: a series of 30 zeros, then a daily pattern.
   */
  @Test
  void naive2LeavesZeroOverZeroRatiosOutAsRsDecomposeDoes() {
    double[] y = new double[800];
    for (int t = 30; t < y.length; t++) {
      y[t] = 100 + 50 * Math.sin(2 * Math.PI * t / 24);
    }
    assertThat(Naive2.seasonal(y, 24)).isTrue();
    double[] expected = rDecomposeFigure(y, 24);
    assertThat(Naive2.seasonalIndices(y, 24)).containsExactly(expected, within(1e-12));
    double[] f = Naive2.forecast(y, 24, 48);
    for (int i = 0; i < 48; i++) {
      assertThat(f[i]).isCloseTo(y[799] / expected[799 % 24] * expected[(800 + i) % 24],
          within(1e-9));
    }
  }

  /**
   * An infinite ratio (a moving average of exactly 0 under a value that is not) stays in the
   * mean, as in R, so the indices and the forecast are not finite: R gives NaN there too.
   */
  @Test
  void naive2HasNoNumberWhereRsDecomposeHasNone() {
    double[] y = new double[24 * 12];
    for (int t = 0; t < y.length; t++) {
      y[t] = t % 24 < 12 ? 5 : -5; // every centred 2x24 average is exactly 0
    }
    assertThat(Naive2.seasonal(y, 24)).isTrue();
    assertThat(Naive2.forecast(y, 24, 3)).containsOnly(Double.NaN);
  }

  /** R's decompose(type = "multiplicative")$figure, written as R computes it. */
  private static double[] rDecomposeFigure(double[] x, int f) {
    int l = x.length;
    double[] filter = new double[f + 1];
    Arrays.fill(filter, 1.0 / f);
    filter[0] = 0.5 / f;
    filter[f] = 0.5 / f;
    double[] season = new double[l];
    Arrays.fill(season, Double.NaN);
    for (int i = f / 2; i + f / 2 < l; i++) {
      double z = 0;
      for (int j = 0; j <= f; j++) {
        z += filter[j] * x[i + f / 2 - j];
      }
      season[i] = x[i] / z;
    }
    double[] figure = new double[f];
    double total = 0;
    for (int i = 0; i < f; i++) {
      double s = 0;
      int n = 0;
      for (int t = i; t < l; t += f) {
        if (!Double.isNaN(season[t])) { // na.rm = TRUE drops NA and NaN
          s += season[t];
          n++;
        }
      }
      figure[i] = s / n;
      total += figure[i];
    }
    for (int i = 0; i < f; i++) {
      figure[i] /= total / f;
    }
    return figure;
  }

  /**
   * Catches 2|Y−F| or |Y|+|F| overflowing: sMAPE({1e308}, {1}) was Infinity, and values near
   * 1.2e308 scored 0 (a finite numerator over an infinite denominator).
   */
  @Test
  void smapeIsExactForTheLargestValues() {
    assertThat(M4Metrics.smape(new double[] {1e308}, new double[] {1})).isEqualTo(200);
    assertThat(M4Metrics.smape(new double[] {-1e308}, new double[] {1e308})).isEqualTo(200);
    assertThat(M4Metrics.smape(new double[] {1.5e308}, new double[] {1.35e308}))
        .isCloseTo(100 * 2 * 0.15 / 2.85, within(1e-12));
    assertThat(M4Metrics.smape(new double[] {Double.MAX_VALUE}, new double[] {Double.MAX_VALUE}))
        .isZero();
  }

  /**
   * Catches the MASE scale overflowing to infinity (MASE 0 or NaN) or underflowing to 0 (an
   * exception for a series that varies).
   */
  @Test
  void maseIsExactForTheLargestAndSmallestValues() {
    double[] train = new double[100];
    for (int i = 0; i < train.length; i++) {
      train[i] = i % 2 == 0 ? 1e308 : -1e308; // every lag-1 difference is 2e308
    }
    assertThat(M4Metrics.mase(train, new double[] {1e308}, new double[] {-1e308}, 1))
        .isCloseTo(1.0, within(1e-15));
    for (int i = 0; i < train.length; i++) {
      train[i] = i % 2 == 0 ? 1e308 : 1;
    }
    assertThat(M4Metrics.mase(train, new double[] {1e300}, new double[] {0}, 1))
        .isCloseTo(1e-8, within(1e-22));
    double[] tiny = new double[100];
    Arrays.fill(tiny, 1, 100, Double.MIN_VALUE); // the scale, MIN_VALUE / 99, underflows
    assertThat(M4Metrics.mase(tiny, new double[] {Double.MIN_VALUE}, new double[] {0}, 1))
        .isCloseTo(99, within(1e-12));
    // A ratio beyond the largest double is +Infinity, for the caller to refuse.
    assertThat(M4Metrics.mase(new double[] {0, Double.MIN_VALUE}, new double[] {1e308},
        new double[] {0}, 1)).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void metricsRefuseValuesThatAreNotFinite() {
    assertThatThrownBy(() -> M4Metrics.smape(new double[] {1}, new double[] {Double.NaN}))
        .hasMessage("forecast must be finite, but was NaN at 0");
    assertThatThrownBy(() -> M4Metrics.owa(1, 1, Double.NaN, 1))
        .hasMessage("Naive2 references must be finite and > 0, but were NaN and 1.0");
  }
}
