package dev.prescaler.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.forecast.HoltWintersModel.Seasonal;
import dev.prescaler.forecast.HoltWintersModel.Trend;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Validation of steps and seasons, and intervals when the error record overflows. */
class ModelForecasterTest {
  private static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");
  private static final Duration HOUR = Duration.ofHours(1);

  private static MetricSeries ramp(Duration step, int n) {
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = 10 + i % 7;
    }
    return MetricSeries.of(T0, step, y);
  }

  @Test
  void step_belowOneMillisecond() {
    MetricSeries h = ramp(Duration.ofNanos(500_000), 50);
    for (Forecaster f : new Forecaster[] {Forecasters.auto(), Forecasters.auto().forSeries()}) {
      assertThatThrownBy(() -> f.forecast(h, HOUR, 0.9))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("history step must be a whole number of milliseconds, at least 1 ms, but "
              + "was PT0.0005S");
    }
  }

  @Test
  void step_notAWholeNumberOfMilliseconds() {
    assertThatThrownBy(() -> Forecasters.linearTrend().forecast(
        ramp(Duration.ofNanos(1_500_000), 50), HOUR, 0.9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("history step must be a whole number of milliseconds, at least 1 ms, but "
            + "was PT0.0015S");
  }

  /**
   * Catches a horizon of more than a million steps failing with "steps must not be empty" (the
   * step count overflowed an int), naming neither the horizon nor the step.
   */
  @Test
  void horizon_moreThanAMillionSteps() {
    MetricSeries h = ramp(Duration.ofMillis(1), 50);
    for (Forecaster f : new Forecaster[] {Forecasters.auto(), Forecasters.linearTrend()
        .forSeries()}) {
      assertThatThrownBy(() -> f.forecast(h, Duration.ofDays(30), 0.9))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("horizon must be at most 1000000 steps, but was PT720H at a step of "
              + "PT0.001S (2592000000 steps)");
    }
  }

  /** A series over {@code y} as is: MetricSeries.of refuses the infinite values some hold. */
  private static MetricSeries unchecked(double... y) {
    return new MetricSeries() {
      @Override
      public Instant start() {
        return T0;
      }

      @Override
      public Duration step() {
        return HOUR;
      }

      @Override
      public int size() {
        return y.length;
      }

      @Override
      public double value(int i) {
        return y[i];
      }
    };
  }

  /**
   * Catches a history holding an infinite value forecasting 0 with a near-zero interval, a silent
   * scale-to-zero signal, instead of throwing.
   */
  @Test
  void history_infinite() {
    double[] y = ramp(HOUR, 50).toArray();
    y[5] = Double.POSITIVE_INFINITY;
    for (Forecaster f : new Forecaster[] {Forecasters.auto(), Forecasters.auto().forSeries(),
        Forecasters.holtWinters().forSeries()}) {
      assertThatThrownBy(() -> f.forecast(unchecked(y), HOUR, 0.9))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("history value at 5 (2026-01-05T05:00:00Z) must be finite or NaN, but was "
              + "Infinity");
    }
    // In a step added since the last call of a per-series instance.
    Forecaster f = Forecasters.auto().forSeries();
    double[] clean = ramp(HOUR, 40).toArray();
    f.forecast(unchecked(clean), HOUR, 0.9);
    double[] next = Arrays.copyOf(clean, 41);
    next[40] = Double.NEGATIVE_INFINITY;
    assertThatThrownBy(() -> f.forecast(unchecked(next), HOUR, 0.9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("history value at 40 (2026-01-06T16:00:00Z) must be finite or NaN, but was "
            + "-Infinity");
    // Nothing of it was absorbed: the instance goes on from the clean history.
    next[40] = 12;
    assertThat(f.forecast(unchecked(next), HOUR, 0.9).point(0)).isPositive();
  }

  /**
   * Guards HoltWintersModel.update's refusal of infinite values on the forecasters' path: near
   * Double.MAX_VALUE the interpolation over a gap and the log scale's {@code y + shift} overflowed
   * to infinity and reached the model, which now throws.
   */
  @Test
  void valuesNearTheDoubleMaximumWithGapsStillForecast() {
    double max = Double.MAX_VALUE;
    double[] y = new double[24 * 12];
    for (int i = 0; i < y.length; i++) {
      // A daily pattern around 1e300, then the maximum and a tenth of it with two-step gaps
      // between them (2 × 0.9 × max overflows) where the validation replays and calls absorb.
      int k = i % 6;
      y[i] = i < 24 * 9 ? 1e300 * (2 + Math.sin(2 * Math.PI * i / 24))
          : k == 1 || k == 2 ? Double.NaN : k == 0 ? max : max / 10;
    }
    for (Forecaster f : new Forecaster[] {Forecasters.auto(Duration.ofDays(1)).forSeries(),
        Forecasters.holtWinters().forSeries()}) {
      for (int end = 24 * 11; end <= y.length; end++) {
        Forecast fc = f.forecast(MetricSeries.of(T0, HOUR, Arrays.copyOf(y, end)), HOUR, 0.9);
        assertThat(fc.point(0)).isFinite();
      }
    }
  }

  @Test
  void season_notAMultipleOfTheStep() {
    // One day is 205.71 steps of 7 minutes: it used to become 205 steps, silently.
    Forecaster hw = Forecasters.holtWinters(Duration.ofDays(1), Seasonal.ADDITIVE, Trend.NONE)
        .forSeries();
    assertThatThrownBy(() -> hw.forecast(ramp(Duration.ofMinutes(7), 1000), HOUR, 0.9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("season must be a multiple of the history step, of at most 1000000 steps, "
            + "but was PT24H at a step of PT7M (205.71 steps)");
    // The same instance still takes a step that divides the season.
    Forecast f = hw.forecast(ramp(Duration.ofMinutes(6), 1000), HOUR, 0.9);
    assertThat(((ModelForecaster.State) hw).periods()).containsExactly(240);
    assertThat(f.steps()).isEqualTo(10);
  }

  @Test
  void season_moreThanAMillionSteps() {
    // 30 days of 1-second steps used to be capped at 1,000,000 steps, silently.
    assertThatThrownBy(() -> Forecasters.seasonalNaive(Duration.ofDays(30)).forecast(
        ramp(Duration.ofSeconds(1), 100), HOUR, 0.9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("season must be a multiple of the history step, of at most 1000000 steps, "
            + "but was PT720H at a step of PT1S (2592000 steps)");
  }

  /**
   * Catches a season too long for Duration.toMillis(): ChronoUnit.FOREVER, given to any factory
   * that takes a season, threw ArithmeticException at the first forecast instead of the
   * documented IllegalArgumentException naming the season and the step.
   */
  @Test
  void season_forever() {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    String message = "season must be a multiple of the history step, of at most 1000000 steps, "
        + "but was PT2562047788015215H30M7.999999999S at a step of PT1H (2562047788015215.50 "
        + "steps)";
    for (Forecaster f : new Forecaster[] {Forecasters.seasonalNaive(forever),
        Forecasters.holtWinters(forever, Seasonal.ADDITIVE, Trend.DAMPED),
        Forecasters.fourier(forever), Forecasters.auto(forever),
        Forecasters.auto(Duration.ofDays(1), forever).forSeries()}) {
      assertThatThrownBy(() -> f.forecast(ramp(HOUR, 50), HOUR, 0.9))
          .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
    // auto takes seasons unchecked until the first forecast: the most negative one as well.
    Duration least = Duration.ofSeconds(Long.MIN_VALUE);
    assertThatThrownBy(() -> Forecasters.auto(least).forecast(ramp(HOUR, 50), HOUR, 0.9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("season must be a multiple of the history step, of at most 1000000 steps, "
            + "but was " + least + " at a step of PT1H (-2562047788015215.50 steps)");
  }

  /**
   * Catches a linear-trend window that allocates two arrays of its size for every series:
   * linearTrend(Integer.MAX_VALUE) was built, and every forecast threw OutOfMemoryError.
   */
  @Test
  void linearTrend_windowAboveAMillion() {
    for (int window : new int[] {Integer.MAX_VALUE, 1_000_001, 1, Integer.MIN_VALUE}) {
      assertThatThrownBy(() -> Forecasters.linearTrend(window))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("window must be in [2, 1000000], but was " + window);
    }
    Forecast f = Forecasters.linearTrend(1_000_000).forecast(ramp(HOUR, 50), HOUR, 0.9);
    assertThat(f.point(0)).isFinite();
  }

  @Test
  void aSeasonOfOneStepMeansNoSeason() {
    Forecast f = Forecasters.seasonalNaive(HOUR).forecast(ramp(HOUR, 50), HOUR, 0.9);
    assertThat(f.model()).isEqualTo("seasonal-naive");
    assertThat(f.point(0)).isEqualTo(10 + 49 % 7);
  }

  @Test
  void theNamedFourierLeavesOutASeasonTheStepDoesNotDivide() {
    // At 7 minutes a week is 1,440 steps and a day 205.71: the daily season is left out.
    ModelForecaster.State f = (ModelForecaster.State) Forecasters.named("fourier").orElseThrow()
        .forSeries();
    f.forecast(ramp(Duration.ofMinutes(7), 3000), HOUR, 0.9);
    assertThat(f.periods()).containsExactly(1440);
    ModelForecaster.State g = (ModelForecaster.State) Forecasters.named("fourier").orElseThrow()
        .forSeries();
    g.forecast(ramp(Duration.ofMinutes(5), 3000), HOUR, 0.9);
    assertThat(g.periods()).containsExactly(288, 2016);
  }

  @Test
  void aQuantileThatOverflowsGivesTheWidestInterval() {
    // Errors beyond the float range are beyond measure to the quantiles (they decode as
    // infinite): past the last tracked horizon (48 steps) the quantiles scaled by √h overflow.
    // The interval is then the widest allowed, where it used to shrink to the point. (A constant
    // 1e39 made such errors too while its forecasts were kept as infinite floats; they are kept
    // exactly now, and its errors are 0.)
    double[] y = new double[400];
    for (int i = 0; i < y.length; i++) {
      y[i] = i % 2 == 0 ? 1e39 : 3e39;
    }
    Forecast f = Forecasters.linearTrend().forSeries().forecast(MetricSeries.of(T0, HOUR, y),
        HOUR.multipliedBy(60), 0.9);
    assertThat(f.point(59)).isBetween(1e39, 3e39);
    assertThat(f.lower(59)).isZero();
    assertThat(f.upper(59)).isEqualTo(Double.MAX_VALUE / 8);
    assertThat(f.model()).doesNotEndWith(Forecasters.CAPPED); // as wide as it can be
  }

  /**
   * Catches a forecast held at the limit without saying so: a series between 0.85 and 1.7e308
   * was forecast at 2.2e307 with its upper bound there too, an interval that never covers, and
   * nothing told it from an ordinary forecast.
   */
  @Test
  void aForecastBeyondTheLimitIsHeldThereAndSaysSo() {
    java.util.Random r = new java.util.Random(1);
    double[] y = new double[3000];
    for (int i = 0; i < y.length; i++) {
      y[i] = 1.7e308 * (0.5 + 0.5 * r.nextDouble());
    }
    for (Forecaster f : new Forecaster[] {Forecasters.auto().forSeries(),
        Forecasters.linearTrend().forSeries(), Forecasters.seasonalNaive()}) {
      Forecast fc = f.forecast(MetricSeries.of(T0, Duration.ofMinutes(1), y),
          Duration.ofMinutes(30), 0.9);
      assertThat(fc.point(0)).isEqualTo(Forecasters.MAX_FORECAST);
      assertThat(fc.upper(29)).isEqualTo(Forecasters.MAX_FORECAST);
      assertThat(fc.model()).endsWith(Forecasters.CAPPED);
    }
    // An ordinary series is not marked.
    assertThat(Forecasters.auto().forecast(ramp(HOUR, 200), HOUR, 0.9).model())
        .doesNotEndWith(Forecasters.CAPPED);
  }
}
