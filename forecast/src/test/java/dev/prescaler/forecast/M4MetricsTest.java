package dev.prescaler.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
}
