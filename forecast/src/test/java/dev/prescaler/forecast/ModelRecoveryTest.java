package dev.prescaler.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.forecast.HoltWintersModel.Seasonal;
import dev.prescaler.forecast.HoltWintersModel.Trend;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModelRecoveryTest {
  private static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");

  private static double[] pattern(int period, int seasons) {
    double[] y = new double[period * seasons];
    for (int i = 0; i < y.length; i++) {
      int p = i % period;
      y[i] = 100 + 40 * Math.sin(2 * Math.PI * p / period) + (p == 3 ? 25 : 0);
    }
    return y;
  }

  /**
   * Catches a fit whose squared errors overflow (values beyond about 1e154) leaving the model
   * with no state: the recursion stopped at the first overflow, before the level and season were
   * set, and a multiplicative model of a daily pattern near 1e200 forecast 0 (and through the
   * SPI 0 with an upper bound near 1e199, without the cap's mark). The fit now runs to the end.
   */
  @Test
  void aFitWhoseSquaredErrorsOverflowStillForecastsTheSeriesLevel() {
    double scale = 1e200;
    double[] y = pattern(24, 6);
    java.util.Random noise = new java.util.Random(5);
    for (int i = 0; i < y.length; i++) {
      y[i] *= scale * (1 + 0.05 * noise.nextGaussian());
    }
    HoltWintersModel m = HoltWintersModel.fit(y, 24, Seasonal.MULTIPLICATIVE, Trend.NONE);
    assertThat(m.sse()).isEqualTo(Double.POSITIVE_INFINITY);
    double[] next = m.forecast(24);
    for (int h = 0; h < next.length; h++) {
      assertThat(next[h] / scale).as("step %d", h + 1).isCloseTo(y[h] / scale, within(20.0));
    }
    Forecast f = Forecasters.holtWinters(Duration.ofDays(1), Seasonal.MULTIPLICATIVE, Trend.NONE)
        .forecast(MetricSeries.of(T0, Duration.ofHours(1), y), Duration.ofHours(3), 0.9);
    assertThat(f.point(0) / scale).isBetween(50.0, 200.0);
  }

  @Test
  void linearTrendRecoversALineExactly() {
    double[] y = new double[200];
    for (int i = 0; i < y.length; i++) {
      y[i] = 7 + 0.5 * i;
    }
    Forecast f = Forecasters.linearTrend().forecast(MetricSeries.of(T0, Duration.ofMinutes(1), y),
        Duration.ofMinutes(10), 0.9);
    assertThat(f.steps()).isEqualTo(10);
    for (int h = 0; h < 10; h++) {
      assertThat(f.point(h)).isCloseTo(7 + 0.5 * (200 + h), within(1e-6));
    }
  }

  @Test
  void linearTrendStreamingMatchesAFreshFit() {
    double[] y = new double[500];
    for (int i = 0; i < y.length; i++) {
      y[i] = 50 + 0.1 * i + 3 * Math.sin(i / 7.0);
    }
    LinearTrendModel streamed = new LinearTrendModel(30, java.util.Arrays.copyOf(y, 100), 0);
    for (int i = 100; i < y.length; i++) {
      streamed.update(y[i]);
    }
    LinearTrendModel fresh = new LinearTrendModel(30, y, 0);
    double[] a = new double[5];
    double[] b = new double[5];
    streamed.forecast(a);
    fresh.forecast(b);
    assertThat(a).containsExactly(b, within(1e-9));
  }

  @Test
  void multiplicativeHoltWintersStaysBoundedAfterARunOfZeros() {
    // The level falls to ~1e-9 over the zeros; the first real value divided by it used to store
    // a seasonal index of 1e9 or more, and forecasts of ~1e12 one season later.
    double[] y = pattern(24, 8);
    HoltWintersModel m = HoltWintersModel.fit(y, 24, Seasonal.MULTIPLICATIVE, Trend.NONE);
    for (int i = 0; i < 48; i++) {
      m.update(0);
    }
    double most = 0;
    for (int i = 0; i < 24 * 6; i++) {
      m.update(y[i % y.length]);
      for (double v : m.forecast(48)) {
        most = Math.max(most, v);
      }
    }
    // The pattern peaks at 165: an index at most 4 times the fit's largest (about 1.65).
    assertThat(most).isLessThan(10 * 165.0);
    double[] f = m.forecast(24);
    assertThat(f[0]).isCloseTo(y[24 * 6 % y.length], within(40.0));
  }

  @Test
  void holtWintersRecoversAPureSeasonalPattern() {
    double[] y = pattern(24, 12);
    for (Seasonal s : new Seasonal[] {Seasonal.ADDITIVE, Seasonal.MULTIPLICATIVE}) {
      HoltWintersModel m = HoltWintersModel.fit(y, 24, s, Trend.NONE);
      double[] f = m.forecast(48);
      for (int h = 0; h < 48; h++) {
        // The season is kept in float: a relative rounding of 6e-8 on values of up to 165.
        assertThat(f[h]).as(s + " step " + h).isCloseTo(y[(y.length + h) % 24], within(2e-5));
      }
    }
  }

  @Test
  void holtWintersDampedTrendRecoversAPatternOnASlope() {
    double[] y = pattern(24, 12);
    for (int i = 0; i < y.length; i++) {
      y[i] += 0.2 * i;
    }
    HoltWintersModel m = HoltWintersModel.fit(y, 24, Seasonal.ADDITIVE, Trend.LINEAR);
    double[] f = m.forecast(24);
    for (int h = 0; h < 24; h++) {
      double expected = pattern(24, 1)[(y.length + h) % 24] + 0.2 * (y.length + h);
      assertThat(f[h]).isCloseTo(expected, within(0.5));
    }
    assertThat(m.alpha()).isBetween(0.0, 1.0);
    assertThat(m.phi()).isEqualTo(1.0);
  }

  @Test
  void holtWintersUpdateContinuesTheFitInConstantTime() {
    double[] y = pattern(24, 12);
    HoltWintersModel m = HoltWintersModel.fit(java.util.Arrays.copyOf(y, 240), 24);
    for (int i = 240; i < y.length; i++) {
      m.update(y[i]);
    }
    double[] f = m.forecast(24);
    for (int h = 0; h < 24; h++) {
      assertThat(f[h]).isCloseTo(y[(y.length + h) % 24], within(1e-3));
    }
  }

  /**
   * Catches update taking a value that is not finite: NaN made the level, and every forecast
   * after it, NaN for good, and ±Infinity was absorbed although the javadoc asks for finite.
   */
  @Test
  void holtWintersUpdateRejectsAValueThatIsNotFinite() {
    for (Seasonal s : new Seasonal[] {Seasonal.ADDITIVE, Seasonal.MULTIPLICATIVE}) {
      HoltWintersModel m = HoltWintersModel.fit(pattern(24, 4), 24, s, Trend.DAMPED);
      double[] before = m.forecast(30);
      for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY,
          Double.NEGATIVE_INFINITY}) {
        assertThatThrownBy(() -> m.update(bad)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("y must be finite, but was " + bad);
      }
      assertThat(m.forecast(30)).containsExactly(before); // nothing was absorbed
    }
  }

  /**
   * Guards the check above on the engine's path: a missing step (NaN) in the history reaches the
   * models as the one-step forecast, never as NaN, so a Holt-Winters forecaster with gaps in the
   * steps it absorbs still forecasts, near the pattern.
   */
  @Test
  void aHoltWintersForecasterFillsMissingStepsBeforeTheModelSeesThem() {
    double[] y = pattern(24, 12);
    Forecaster f = Forecasters.holtWinters(Duration.ofDays(1), Seasonal.ADDITIVE, Trend.NONE)
        .forSeries();
    f.forecast(MetricSeries.of(T0, Duration.ofHours(1), Arrays.copyOf(y, 240)),
        Duration.ofHours(24), 0.9);
    double[] gaps = y.clone();
    for (int i = 240; i < y.length; i += 3) {
      gaps[i] = Double.NaN;
    }
    for (int end = 241; end <= y.length; end++) {
      Forecast fc = f.forecast(MetricSeries.of(T0, Duration.ofHours(1),
          Arrays.copyOf(gaps, end)), Duration.ofHours(24), 0.9);
      assertThat(fc.point(0)).isCloseTo(y[end % 24], within(5.0));
    }
  }

  @Test
  void holtWintersFitRejectsShortOrBadData() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HoltWintersModel.fit(new double[30],
        24)).hasMessage("y.length must be >= 48, but was 30");
    double[] y = pattern(24, 3);
    y[5] = 0;
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HoltWintersModel.fit(y, 24,
        Seasonal.MULTIPLICATIVE, Trend.NONE))
        .hasMessage("y[5] must be > 0 for a multiplicative season, but was 0.0");
  }

  @Test
  void holtWintersFitRejectsAPeriodWhoseTwoSeasonsPassTheIntRange() {
    // 2 × 2^30 overflowed to a negative minimum length: the fit went on and allocated a season
    // of 2^30 doubles, an OutOfMemoryError, where a period of 51 for 100 values is refused.
    double[] y = pattern(24, 4);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HoltWintersModel.fit(y, 51))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("y.length must be >= 102, but was 96");
    for (int period : new int[] {1 << 30, Integer.MAX_VALUE}) {
      for (Seasonal seasonal : new Seasonal[] {Seasonal.ADDITIVE, Seasonal.MULTIPLICATIVE}) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HoltWintersModel.fit(y, period,
            seasonal, Trend.DAMPED))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("y.length must be >= " + 2L * period + ", but was 96");
      }
    }
  }

  @Test
  void seasonalNaiveRecoversAPureSeasonalPattern() {
    double[] y = pattern(24, 3);
    Forecast f = Forecasters.seasonalNaive(Duration.ofDays(1)).forecast(
        MetricSeries.of(T0, Duration.ofHours(1), y), Duration.ofHours(36), 0.8);
    assertThat(f.steps()).isEqualTo(36);
    for (int h = 0; h < 36; h++) {
      // The values are kept in float: a relative rounding of 6e-8 on values of up to 165.
      assertThat(f.point(h)).isCloseTo(y[(y.length + h) % 24], within(2e-5));
    }
  }

  @Test
  void holtWintersForecasterRecoversAPureSeasonalPattern() {
    double[] y = pattern(24, 10);
    Forecast f = Forecasters.holtWinters(Duration.ofDays(1), Seasonal.ADDITIVE, Trend.NONE)
        .forecast(MetricSeries.of(T0, Duration.ofHours(1), y), Duration.ofHours(24), 0.9);
    for (int h = 0; h < 24; h++) {
      // The season is kept in float: a relative rounding of 6e-8 on values of up to 165.
      assertThat(f.point(h)).isCloseTo(y[(y.length + h) % 24], within(2e-5));
    }
  }

  @Test
  void fourierRecoversHarmonicsPlusTrend() {
    int n = 24 * 7 * 3;
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = 200 + 0.05 * i + 30 * Math.cos(2 * Math.PI * i / 24)
          + 10 * Math.sin(2 * Math.PI * 2 * i / 168);
    }
    Forecast f = Forecasters.fourier(Duration.ofDays(1), Duration.ofDays(7)).forecast(
        MetricSeries.of(T0, Duration.ofHours(1), y), Duration.ofHours(48), 0.9);
    for (int h = 0; h < 48; h++) {
      int i = n + h;
      double expected = 200 + 0.05 * i + 30 * Math.cos(2 * Math.PI * i / 24)
          + 10 * Math.sin(2 * Math.PI * 2 * i / 168);
      assertThat(f.point(h)).isCloseTo(expected, within(1e-3));
    }
  }
}
