package dev.prescaler.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A series forecast from its first value on, as the engine does for a new workload: every
 * horizon's interval stays a measure of the series, also while the far horizons gather their
 * first errors.
 */
class YoungSeriesIntervalTest {
  private static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");
  private static final Duration MIN = Duration.ofMinutes(1);

  /**
   * Catches a horizon whose quantiles were cached empty (no error yet) at the last recomputation
   * and used, once it had the 20 errors an interval needs, until the next one 64 observations
   * later: a NaN quantile read as "errors beyond measure", an upper bound of 2.2e307 at horizons
   * 17 to 30 of a constant load of 10 in its second and third hour, for every model.
   */
  @Test
  void farHorizonsNeverJumpToTheCapWhileTheyGatherTheirFirstErrors() {
    Map<String, Forecaster> models = Map.of("auto", Forecasters.auto(),
        "linear-trend", Forecasters.linearTrend(), "holt-winters", Forecasters.holtWinters(),
        "seasonal-naive", Forecasters.seasonalNaive(), "fourier", Forecasters.fourier());
    double[] y = new double[240];
    for (int i = 0; i < y.length; i++) {
      y[i] = 10 + (i % 3) * 0.5;
    }
    models.forEach((name, shared) -> {
      Forecaster f = shared.forSeries();
      double highest = 0;
      for (int end = 1; end <= y.length; end++) {
        Forecast fc = f.forecast(MetricSeries.of(T0, MIN, Arrays.copyOf(y, end)),
            MIN.multipliedBy(30), 0.9);
        for (int h = 0; h < fc.steps(); h++) {
          highest = Math.max(highest, fc.upper(h));
        }
      }
      assertThat(highest).as(name).isLessThan(1000);
    });
  }

  /**
   * Catches a band of no width when the load comes back after a long outage: the refit that fell
   * in the gap had no error to calibrate on, and the fallback band's scale, the mean step of the
   * recent history with the gap filled in flat, was 0, so every model forecast [p, p].
   */
  @Test
  void theFallbackBandAfterALongGapIsMeasuredOnWhatWasSeen() {
    java.util.Random r = new java.util.Random(7);
    double[] y = new double[3010];
    for (int i = 0; i < y.length; i++) {
      y[i] = i < 1000 ? 100 + 0.1 * i + r.nextGaussian() : i < 3000 ? Double.NaN
          : 200 + r.nextGaussian();
    }
    Forecaster f = Forecasters.seasonalNaive().forSeries();
    for (int end = 1; end <= y.length; end++) {
      Forecast fc = f.forecast(MetricSeries.of(T0, MIN, Arrays.copyOf(y, end)),
          MIN.multipliedBy(30), 0.9);
      if (end > 3000) {
        assertThat(fc.upper(0) - fc.lower(0)).as("width at %d", end).isGreaterThan(0.5);
      }
    }
  }

  /**
   * Catches a band of no width when no two steps in a row are seen (a 2-minute sample on a
   * 1-minute grid): the fallback scale, counted only over steps whose previous step was seen,
   * had nothing to count.
   */
  @Test
  void theFallbackBandOfASeriesSeenEveryOtherStepHasAWidth() {
    java.util.Random r = new java.util.Random(11);
    double[] y = new double[120];
    for (int i = 0; i < y.length; i++) {
      y[i] = i % 2 == 0 ? 100 + 5 * r.nextGaussian() : Double.NaN;
    }
    Forecast fc = Forecasters.seasonalNaive().forSeries().forecast(
        MetricSeries.of(T0, MIN, y), MIN.multipliedBy(30), 0.9);
    for (int h = 0; h < fc.steps(); h++) {
      assertThat(fc.upper(h) - fc.lower(h)).as("width at horizon %d", h + 1).isGreaterThan(1);
    }
  }
}
