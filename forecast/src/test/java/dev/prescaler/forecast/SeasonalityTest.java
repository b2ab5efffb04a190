package dev.prescaler.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeasonalityTest {

  /** A noisy daily pattern at {@code perDay} steps a day, scaled by {@code unit}. */
  private static double[] daily(int perDay, int days, double unit) {
    Random r = new Random(11);
    double[] y = new double[perDay * days];
    for (int i = 0; i < y.length; i++) {
      y[i] = unit * (100 + 40 * Math.sin(2 * Math.PI * i / perDay) + 5 * r.nextGaussian());
    }
    return y;
  }

  /**
   * Catches squared deviations that overflow (NaN beyond about 1e154) or underflow (0 near
   * 1e-300): the same series in another unit is as seasonal. Multiplied by a power of two, which
   * is exact, it has the very same autocorrelation, to the bit.
   */
  @Test
  void theAutocorrelationDoesNotDependOnTheUnit() {
    double[] y = daily(24, 10, 1);
    double r24 = Seasonality.autocorrelation(y, 24);
    double r5 = Seasonality.autocorrelation(y, 5);
    assertThat(r24).isGreaterThan(0.8);
    for (int k : new int[] {-1020, -1000, -400, -340, 340, 400, 1000}) {
      double[] scaled = y.clone();
      for (int i = 0; i < y.length; i++) {
        scaled[i] = Math.scalb(y[i], k);
      }
      assertThat(Seasonality.autocorrelation(scaled, 24)).as("2^%d", k).isEqualTo(r24);
      assertThat(Seasonality.autocorrelation(scaled, 5)).as("2^%d", k).isEqualTo(r5);
    }
    for (double unit : new double[] {1e-300, 1e-200, 1e160, 1e300, 1e306}) {
      double[] scaled = daily(24, 10, unit);
      assertThat(Seasonality.autocorrelation(scaled, 24)).as("unit %s", unit)
          .isCloseTo(r24, within(1e-12));
    }
  }

  @Test
  void detectFindsTheDailySeasonWhateverTheUnit() {
    for (double unit : new double[] {1e-300, 1e-120, 1, 1e120, 1e160, 1e300}) {
      assertThat(Seasonality.detect(daily(1440, 3, unit), Duration.ofMinutes(1),
          Seasonality.DEFAULT_THRESHOLD)).as("unit %s", unit).containsExactly(1440);
    }
  }

  /**
   * Catches the engine's default history step at an 11-minute sync period: it was 11 minutes,
   * which a day is no whole number of (130.9 steps), so neither the season detection nor {@code
   * auto} had a daily season. The default is now 12 minutes, 120 steps a day.
   */
  @Test
  void aDailySeasonIsFoundAtTheDefaultStepOfAnElevenMinuteSync() {
    Duration step = AutoscalerEngine.defaultHistoryStep(Duration.ofMinutes(11));
    assertThat(Seasonality.candidates(step)).contains(120);
    double[] y = daily(120, 5, 1);
    assertThat(Seasonality.detect(y, step, Seasonality.DEFAULT_THRESHOLD)).containsExactly(120);
    ModelForecaster.State auto = (ModelForecaster.State) Forecasters.auto().forSeries();
    auto.forecast(MetricSeries.of(Instant.parse("2024-01-01T00:00:00Z"), step, y),
        Duration.ofHours(1), 0.9);
    assertThat(auto.periods()).containsExactly(120);
  }

  /**
   * Catches Naive2's seasonality test, and so every OWA, moving with the data's unit: the same
   * hourly series scored non-seasonal at 1e-300 or 1e160 (its autocorrelations 0 or NaN), and at
   * 1e306 its moving average overflowed.
   */
  @Test
  void naive2FindsTheSeasonAndTheSameIndicesWhateverTheUnit() {
    double[] y = daily(24, 12, 1);
    assertThat(Naive2.seasonal(y, 24)).isTrue();
    double[] idx = Naive2.seasonalIndices(y, 24);
    double[] f = Naive2.forecast(y, 24, 48);
    for (double unit : new double[] {1e-300, 1e-200, 1e160, 1e300, 1e306}) {
      double[] scaled = daily(24, 12, unit);
      assertThat(Naive2.seasonal(scaled, 24)).as("unit %s", unit).isTrue();
      double[] scaledIdx = Naive2.seasonalIndices(scaled, 24);
      double[] scaledF = Naive2.forecast(scaled, 24, 48);
      for (int i = 0; i < idx.length; i++) {
        assertThat(scaledIdx[i]).as("unit %s, index %d", unit, i)
            .isCloseTo(idx[i], within(1e-12));
      }
      for (int i = 0; i < f.length; i++) {
        assertThat(scaledF[i] / unit).as("unit %s, step %d", unit, i)
            .isCloseTo(f[i], within(1e-9 * f[i]));
      }
    }
  }
}
