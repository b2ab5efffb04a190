package dev.prescaler.forecast;

import dev.prescaler.core.Forecaster;
import dev.prescaler.forecast.HoltWintersModel.Seasonal;
import dev.prescaler.forecast.HoltWintersModel.Trend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Static factories for the project's forecasters. Each returns a shareable {@link Forecaster}
 * whose {@link Forecaster#forSeries()} gives a stateful, incrementally updated instance per
 * series; every one calibrates its prediction interval from the recent out-of-sample errors of
 * the forecast it outputs (empirical quantiles of the last {@link #DEFAULT_ERROR_WINDOW} errors
 * at horizons 1, 2, 3, 4, 6, 8, 12, 16, 24, 32 and the longest tracked one, interpolated in
 * between, once {@link #DEFAULT_MIN_ERRORS} are known; before that a normal band scaled by the
 * recent mean absolute step change × √h).
 *
 * <p>Seasonal periods are given as durations (converted to steps at the history's step) or, with
 * no argument, detected per series from the autocorrelation at one day and one week
 * ({@link Seasonality}).
 */
public final class Forecasters {
  /** Default data between refits of a per-series instance: 6 hours. */
  public static final Duration DEFAULT_REFIT_EVERY = Duration.ofHours(6);
  /** Default most history values used for the rolling-origin evaluation at a refit: 1,440. */
  public static final int DEFAULT_MAX_VALIDATION = 1440;
  /**
   * Default number of recent out-of-sample errors kept per tracked horizon: 400 (at 1-minute
   * steps, the last 6.7 hours). With 200, one burst of ten large errors set the 95 % interval for
   * the next 200 steps; measured in the simulator (NAB ec2-network-in-257a54: cost at the SLO
   * 360.5 replica-hours with 200, 344.5 with 400, HPA 339.8; NASA 4 days unchanged).
   */
  public static final int DEFAULT_ERROR_WINDOW = 400;
  /** Default number of errors per horizon before they calibrate the interval: 20. */
  public static final int DEFAULT_MIN_ERRORS = 20;
  /** Default sliding window of the linear trend, in values present: 30. */
  public static final int DEFAULT_TREND_WINDOW = 30;
  /**
   * Largest sliding window of the linear trend: 1,000,000 values, as the longest season and
   * horizon. Each series' model holds two arrays of the window: {@code Integer.MAX_VALUE} made
   * every forecast throw OutOfMemoryError.
   */
  public static final int MAX_TREND_WINDOW = 1_000_000;
  /** Default number of best candidates {@code auto} averages: 2. */
  public static final int DEFAULT_COMBINE = 2;
  /** Default daily harmonics of the Fourier model: 10 (weekly: 5). */
  public static final int DEFAULT_DAILY_HARMONICS = 10;
  /**
   * The largest point or bound any forecaster of this class gives out: {@code Double.MAX_VALUE /
   * 8}, about 2.2e307, so that sums and differences of a few forecasts stay finite downstream. A
   * series whose forecast would pass it is beyond the forecasters' range: its points and upper
   * bounds are held at this value, so that the interval no longer covers what it would at its
   * level, and the forecast's model name then ends with {@value #CAPPED}. (An interval made
   * widest because its error quantiles overflowed also ends here, and is not marked: it is as
   * wide as it can be, not held below its point.)
   */
  public static final double MAX_FORECAST = Double.MAX_VALUE / 8;

  /** What ends the model name of a forecast held at {@link #MAX_FORECAST}. */
  public static final String CAPPED = " [capped]";

  /** Most daily and weekly harmonics of {@code auto}'s weekly log-scale Fourier candidate. */
  static final int WEEKLY_FOURIER_HARMONICS = 20;

  private static final double FIT_FRACTION = 0.75;
  private static final int HW_FIT_SEASONS = 3;
  private static final int HW_FIT_MIN = 2016;

  /**
   * The names {@link #named} knows, as the commands accept them: {@code linear-trend}, {@code
   * seasonal-naive}, {@code holt-winters}, {@code fourier} (daily and weekly seasons) and {@code
   * auto}.
   */
  public static final List<String> NAMES;

  /** Each name's factory, in the order of {@link #NAMES}. */
  private static final Map<String, Supplier<Forecaster>> BY_NAME;

  static {
    Map<String, Supplier<Forecaster>> m = new LinkedHashMap<>();
    m.put("linear-trend", Forecasters::linearTrend);
    m.put("seasonal-naive", Forecasters::seasonalNaive);
    m.put("holt-winters", Forecasters::holtWinters);
    m.put("fourier", () -> new ModelForecaster(settings("fourier",
        new Duration[] {Duration.ofDays(1), Duration.ofDays(7)}, true,
        Forecasters::fourierCandidates, 0)));
    m.put("auto", Forecasters::auto);
    BY_NAME = Collections.unmodifiableMap(m);
    NAMES = List.copyOf(m.keySet());
  }

  private Forecasters() {}

  /**
   * A new forecaster by name, with its defaults, as {@code forecast-eval --methods} and {@code
   * simulate --forecaster} take it; empty for a name not in {@link #NAMES}. {@code fourier} is
   * {@link #fourier} with the daily and weekly seasons, except that a season the history's step
   * does not divide is left out (as detection leaves it out) rather than rejected.
   */
  public static Optional<Forecaster> named(String name) {
    return Optional.ofNullable(BY_NAME.get(name)).map(Supplier::get);
  }

  /**
   * The automatic forecaster: per series, detects daily/weekly periods, fits every applicable
   * candidate, ranks them by rolling-origin out-of-sample MAE (mean over the horizon steps) and
   * averages the best {@link #DEFAULT_COMBINE}, each weighted by the inverse of its MAE. A
   * per-series instance keeps the selection and weights until its next refit (every
   * {@link #DEFAULT_REFIT_EVERY} of data), when every candidate is fitted and scored again.
   * Candidates: naive, damped Holt and linear trend;
   * with a daily period also seasonal naive, the mean of the last 3 seasons, additive
   * Holt-Winters without and with damped trend, multiplicative Holt-Winters, additive
   * Holt-Winters on the log scale and trend-plus-Fourier regression; with a weekly period also
   * the weekly seasonal naive, weekly Holt-Winters (plain and on the log scale) and a log-scale
   * Fourier regression with 20 weekly and at most 20 daily harmonics. Short histories leave only
   * the candidates they can fit and validate (a candidate whose fit part of the history is too
   * short for it is not fitted: it could not be scored); a single value forecasts flat.
   */
  public static Forecaster auto() {
    return auto(new Duration[0]);
  }

  /**
   * The automatic forecaster with the seasonal periods given rather than detected.
   *
   * @param seasons season lengths, each a multiple of the history's step, at most 1,000,000 steps
   *     (checked at the first forecast, which throws {@link IllegalArgumentException} otherwise)
   */
  public static Forecaster auto(Duration... seasons) {
    return new ModelForecaster(settings("auto", seasons, Forecasters::autoCandidates,
        DEFAULT_COMBINE));
  }

  static List<ModelSpec> autoCandidates(int[] periods) {
    List<ModelSpec> out = new ArrayList<>();
    out.add(SeasonalNaiveModel.spec(1, 1));
    out.add(new HoltWintersSpec(1, Seasonal.NONE, Trend.DAMPED, HW_FIT_MIN));
    out.add(LinearTrendModel.spec(DEFAULT_TREND_WINDOW));
    if (periods.length > 0) {
      int p = periods[0];
      int fit = hwFit(p);
      out.add(SeasonalNaiveModel.spec(p, 1));
      out.add(SeasonalNaiveModel.spec(p, 3));
      out.add(new HoltWintersSpec(p, Seasonal.ADDITIVE, Trend.NONE, fit));
      out.add(new HoltWintersSpec(p, Seasonal.ADDITIVE, Trend.DAMPED, fit));
      out.add(new HoltWintersSpec(p, Seasonal.MULTIPLICATIVE, Trend.NONE, fit));
      out.add(TransformedModel.log(new HoltWintersSpec(p, Seasonal.ADDITIVE, Trend.NONE, fit)));
      out.add(FourierModel.spec(periods, harmonics(periods), true, 2));
    }
    if (periods.length > 1) {
      int q = periods[1];
      out.add(SeasonalNaiveModel.spec(q, 1));
      out.add(new HoltWintersSpec(q, Seasonal.ADDITIVE, Trend.NONE, hwFit(q)));
      out.add(TransformedModel.log(new HoltWintersSpec(q, Seasonal.ADDITIVE, Trend.NONE,
          hwFit(q))));
      out.add(TransformedModel.log(FourierModel.spec(periods, weeklyFourierHarmonics(periods),
          false, 2)));
    }
    return out;
  }

  /**
   * The harmonics of {@code auto}'s weekly log-scale Fourier candidate: as many daily ones as the
   * daily period allows (11 at an hourly step), at most {@link #WEEKLY_FOURIER_HARMONICS}, and
   * {@link #WEEKLY_FOURIER_HARMONICS} weekly ones. Uncapped, a 1-minute step asked for 719 daily
   * harmonics: 1,479 least-squares columns, seconds of refit for one series.
   */
  static int[] weeklyFourierHarmonics(int[] periods) {
    int daily = Math.min(periods[0] / 2 - 1, WEEKLY_FOURIER_HARMONICS);
    return new int[] {daily, WEEKLY_FOURIER_HARMONICS};
  }

  private static int hwFit(int period) {
    return Math.max(HW_FIT_SEASONS * period, HW_FIT_MIN);
  }

  private static int[] harmonics(int[] periods) {
    int[] k = new int[periods.length];
    for (int i = 0; i < k.length; i++) {
      k[i] = i == 0 ? DEFAULT_DAILY_HARMONICS : 5;
    }
    return k;
  }

  /**
   * Least-squares linear trend over the last {@code window} values present, extrapolated. A
   * missing step is left out of the line, and the line is carried at most {@code window} steps
   * past its last present value, so a gap does not carry a slope on without limit.
   *
   * @param window values present in the sliding window, in [2, {@link #MAX_TREND_WINDOW}]
   *     (default {@link #DEFAULT_TREND_WINDOW})
   * @throws IllegalArgumentException when {@code window} is out of that range
   */
  public static Forecaster linearTrend(int window) {
    if (window < 2 || window > MAX_TREND_WINDOW) {
      throw new IllegalArgumentException("window must be in [2, " + MAX_TREND_WINDOW
          + "], but was " + window);
    }
    return new ModelForecaster(settings("linear-trend", new Duration[0],
        p -> List.of(LinearTrendModel.spec(window)), 0));
  }

  /** Least-squares linear trend over the last {@link #DEFAULT_TREND_WINDOW} values present. */
  public static Forecaster linearTrend() {
    return linearTrend(DEFAULT_TREND_WINDOW);
  }

  /**
   * Holt-Winters with the given season, seasonal kind and trend kind; parameters fitted on the
   * last 3 seasons (at least 2,016 values) by minimising the one-step squared error; until two
   * seasons are known, Holt's damped trend without season.
   *
   * @param season season length, a multiple of the history's step, at most 1,000,000 steps
   *     (checked at the first forecast, which throws {@link IllegalArgumentException} otherwise)
   */
  public static Forecaster holtWinters(Duration season, Seasonal seasonal, Trend trend) {
    Objects.requireNonNull(season, "season");
    Objects.requireNonNull(seasonal, "seasonal");
    Objects.requireNonNull(trend, "trend");
    if (season.isZero() || season.isNegative()) {
      throw new IllegalArgumentException("season must be > 0, but was " + season);
    }
    return new ModelForecaster(settings("holt-winters", new Duration[] {season},
        p -> hwCandidates(p, seasonal, trend), 0));
  }

  /**
   * Additive, damped Holt-Winters with the daily or weekly season detected per series (Holt's
   * damped trend when none is).
   */
  public static Forecaster holtWinters() {
    return new ModelForecaster(settings("holt-winters", new Duration[0],
        p -> hwCandidates(p, Seasonal.ADDITIVE, Trend.DAMPED), 0));
  }

  private static List<ModelSpec> hwCandidates(int[] periods, Seasonal seasonal, Trend trend) {
    List<ModelSpec> out = new ArrayList<>();
    if (periods.length > 0 && seasonal != Seasonal.NONE) {
      out.add(new HoltWintersSpec(periods[0], seasonal, trend, hwFit(periods[0])));
    }
    out.add(new HoltWintersSpec(1, Seasonal.NONE, trend, HW_FIT_MIN));
    out.add(SeasonalNaiveModel.spec(1, 1));
    return out;
  }

  /**
   * Seasonal naive: each step forecasts the value one season earlier.
   *
   * @param season season length, a multiple of the history's step, at most 1,000,000 steps
   *     (checked at the first forecast, which throws {@link IllegalArgumentException} otherwise)
   */
  public static Forecaster seasonalNaive(Duration season) {
    Objects.requireNonNull(season, "season");
    if (season.isZero() || season.isNegative()) {
      throw new IllegalArgumentException("season must be > 0, but was " + season);
    }
    return new ModelForecaster(settings("seasonal-naive", new Duration[] {season},
        Forecasters::snaiveCandidates, 0));
  }

  /** Seasonal naive with the daily or weekly season detected per series (naive when none is). */
  public static Forecaster seasonalNaive() {
    return new ModelForecaster(settings("seasonal-naive", new Duration[0],
        Forecasters::snaiveCandidates, 0));
  }

  private static List<ModelSpec> snaiveCandidates(int[] periods) {
    List<ModelSpec> out = new ArrayList<>();
    if (periods.length > 0) {
      out.add(SeasonalNaiveModel.spec(periods[0], 1));
    }
    out.add(SeasonalNaiveModel.spec(1, 1));
    return out;
  }

  /**
   * Trend plus Fourier terms for each season (10 harmonics of the shortest, 5 of the others) by
   * least squares, with the residual level smoothed between refits. It needs two of the longest
   * season; with less history but two of the shortest season it fits the shortest season alone
   * (a daily model when the seasons are a day and a week), and naive before that. With no season
   * given, the daily and weekly seasons are detected per series (naive when none is).
   *
   * @param seasons season lengths, each a multiple of the history's step, at most 1,000,000 steps
   *     (checked at the first forecast, which throws {@link IllegalArgumentException} otherwise)
   */
  public static Forecaster fourier(Duration... seasons) {
    Objects.requireNonNull(seasons, "seasons");
    for (Duration d : seasons) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("seasons must be > 0, but was " + d);
      }
    }
    return new ModelForecaster(settings("fourier", seasons, Forecasters::fourierCandidates, 0));
  }

  private static List<ModelSpec> fourierCandidates(int[] periods) {
    List<ModelSpec> out = new ArrayList<>();
    if (periods.length > 0) {
      out.add(FourierModel.spec(periods, harmonics(periods), true, 2));
      if (periods.length > 1) {
        int[] first = {periods[0]};
        out.add(FourierModel.spec(first, harmonics(first), true, 2));
      }
    }
    out.add(SeasonalNaiveModel.spec(1, 1));
    return out;
  }

  private static ModelForecaster.Settings settings(String name, Duration[] seasons,
      java.util.function.Function<int[], List<ModelSpec>> candidates, int combine) {
    return settings(name, seasons, false, candidates, combine);
  }

  private static ModelForecaster.Settings settings(String name, Duration[] seasons,
      boolean skipIndivisible, java.util.function.Function<int[], List<ModelSpec>> candidates,
      int combine) {
    for (Duration d : seasons) {
      Objects.requireNonNull(d, "seasons");
    }
    return new ModelForecaster.Settings(name, seasons, skipIndivisible, candidates, combine,
        DEFAULT_REFIT_EVERY, DEFAULT_MAX_VALIDATION, DEFAULT_ERROR_WINDOW, DEFAULT_MIN_ERRORS,
        FIT_FRACTION);
  }
}
