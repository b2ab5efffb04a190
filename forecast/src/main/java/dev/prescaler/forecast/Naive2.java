package dev.prescaler.forecast;

import dev.prescaler.core.Forecaster;
import java.util.Arrays;
import java.util.Objects;

/**
 * The M4 benchmarks built on classical multiplicative decomposition: Naive2 (the OWA reference),
 * Naive1 and seasonal naive, exactly as M4 defines them.
 *
 * <p>Seasonality test: lag-{@code m} autocorrelation {@code r_m}; seasonal when {@code |r_m| >
 * 1.645 √((1 + 2 Σ_{k=1..m−1} r_k²) / n)} (series shorter than {@code 3m} are not seasonal, nor
 * are those with {@code m > floor(10 log10 n)}, the last lag R's {@code acf} computes). If
 * seasonal, indices are the per-position means of {@code Y / CMA} (centred 2×m moving average),
 * normalised to mean 1; the series is divided by them, its last value is held flat, and the
 * forecast is multiplied by the indices continued from the end.
 *
 * <p>As in R's {@code decompose}, which M4's code calls, a ratio {@code 0/0} (a zero value where
 * the moving average is 0) is left out of its position's mean ({@code na.rm = TRUE}). The
 * forecast is NaN or infinite where the decomposition gives no number, in R as here: a position
 * whose ratios are all {@code 0/0}, an infinite ratio (a moving average of 0 under a value that
 * is not: only with negative or subnormal values), or a last value of 0 at an index of 0.
 */
public final class Naive2 {
  private Naive2() {}

  /**
   * Naive2's forecast of {@code h} steps with period {@code m}.
   *
   * @param y the series, oldest first, finite, at least one value
   * @param m the period, &gt;= 1 (1: no season)
   * @param h the steps to forecast, 1 to {@link Forecaster#MAX_STEPS} (1,000,000), the limit of
   *     every forecaster's horizon
   * @return the forecast; not finite where M4's R code gives no number either (see the class
   *     description)
   * @throws IllegalArgumentException naming the argument that is out of range
   */
  public static double[] forecast(double[] y, int m, int h) {
    check(y, m, h, 1, "1");
    if (!seasonal(y, m)) {
      // Indices of all 1: the last value, without an array of m ones (m may be any int).
      return naive1(y, h);
    }
    double[] idx = seasonalIndices(y, m);
    int n = y.length;
    double last = y[n - 1] / idx[(n - 1) % m];
    double[] out = new double[h];
    for (int i = 0; i < h; i++) {
      out[i] = last * idx[(n + i) % m];
    }
    return out;
  }

  /**
   * Naive1: the last value, {@code h} times.
   *
   * @throws IllegalArgumentException when {@code y} is empty or not finite, or {@code h} is not
   *     in [1, {@link Forecaster#MAX_STEPS}]
   */
  public static double[] naive1(double[] y, int h) {
    check(y, 1, h, 1, "1");
    double[] out = new double[h];
    Arrays.fill(out, y[y.length - 1]);
    return out;
  }

  /**
   * Seasonal naive: the last {@code m} values repeated.
   *
   * @throws IllegalArgumentException when {@code m < 1}, {@code y} holds fewer than {@code m}
   *     values or is not finite, or {@code h} is not in [1, {@link Forecaster#MAX_STEPS}]
   */
  public static double[] seasonalNaive(double[] y, int m, int h) {
    check(y, m, h, m, "m (" + m + ")");
    double[] out = new double[h];
    int n = y.length;
    for (int i = 0; i < h; i++) {
      out[i] = y[n - m + (i % m)];
    }
    return out;
  }

  /**
   * Whether M4's 90 % autocorrelation test finds the period-{@code m} season in {@code y}.
   *
   * @throws IllegalArgumentException when {@code m < 1} or {@code y} is not finite
   */
  public static boolean seasonal(double[] y, int m) {
    check(y, m, 1, 0, "0");
    int n = y.length;
    // R's acf, which M4's SeasonalityTest calls, stops at lag floor(10 log10 n): beyond it the
    // lag-m autocorrelation is NA, which the test reads as not seasonal (with m = 24, for
    // 72 <= n <= 251). 3m in long: in int it overflows for m > 715,827,882 (such an m fails the
    // lag test after it anyway).
    if (m <= 1 || n < 3L * m || m > Math.floor(10 * Math.log10(n))) {
      return false;
    }
    // Rescaled once (a power of two, only beyond 1e100 or below 1e-100) rather than by each of
    // the m autocorrelations: squared deviations beyond about 1e154 overflowed to NaN and near
    // 1e-300 underflowed to 0, and a seasonal series measured in such a unit was not seasonal.
    y = Seasonality.inSafeRange(y);
    double s = 0;
    for (int k = 1; k < m; k++) {
      double r = Seasonality.autocorrelation(y, k);
      s += r * r;
    }
    double limit = 1.645 * Math.sqrt((1 + 2 * s) / n);
    return Math.abs(Seasonality.autocorrelation(y, m)) > limit;
  }

  /**
   * Multiplicative seasonal indices by position {@code t mod m}, or all 1 when the series is not
   * seasonal by {@link #seasonal}.
   *
   * @throws IllegalArgumentException when {@code m} is not in [1, {@link Forecaster#MAX_STEPS}]
   *     (the array has {@code m} entries) or {@code y} is not finite
   */
  public static double[] seasonalIndices(double[] y, int m) {
    check(y, m, 1, 0, "0");
    if (m > Forecaster.MAX_STEPS) { // the longest season of any forecaster; more is allocated
      throw new IllegalArgumentException("m must be at most " + Forecaster.MAX_STEPS
          + " (Forecaster.MAX_STEPS), but was " + m);
    }
    double[] idx = new double[m];
    Arrays.fill(idx, 1);
    if (!seasonal(y, m)) {
      return idx;
    }
    // The ratios do not depend on the unit: rescaled as the seasonality test is, so that the
    // moving average of values beyond about 1e306 does not overflow (the original y beyond it).
    y = Seasonality.inSafeRange(y);
    int n = y.length;
    double[] sum = new double[m];
    int[] cnt = new int[m];
    int half = m / 2;
    boolean even = m % 2 == 0;
    for (int t = half; t + half < n; t++) {
      // Centred moving average: 2×m for an even m (the two ends weigh 1/2), plain for an odd m.
      double a = 0;
      for (int j = t - half; j <= t + half; j++) {
        a += even && (j == t - half || j == t + half) ? 0.5 * y[j] : y[j];
      }
      double ratio = y[t] / (a / m);
      // R's decompose takes mean(..., na.rm = TRUE): a 0/0 (a zero value where the moving
      // average is 0) is NaN and left out of its position's mean. An infinite ratio is kept, as
      // R keeps it, and makes the indices and the forecast not finite.
      if (!Double.isNaN(ratio)) {
        sum[t % m] += ratio;
        cnt[t % m]++;
      }
    }
    double mean = 0;
    for (int i = 0; i < m; i++) {
      idx[i] = sum[i] / cnt[i]; // NaN, as R's mean of nothing, when every ratio was 0/0
      mean += idx[i];
    }
    mean /= m;
    for (int i = 0; i < m; i++) {
      idx[i] /= mean;
    }
    return idx;
  }

  /**
   * Checks {@code m >= 1}, {@code 1 <= h <= }{@link Forecaster#MAX_STEPS}, at least {@code
   * min} values ({@code minText} in the message) and that they are finite.
   */
  private static void check(double[] y, int m, int h, int min, String minText) {
    Objects.requireNonNull(y, "y");
    if (m < 1) {
      throw new IllegalArgumentException("m must be >= 1, but was " + m);
    }
    if (h < 1) {
      throw new IllegalArgumentException("h must be >= 1, but was " + h);
    }
    if (h > Forecaster.MAX_STEPS) { // the forecasters' limit: more would be allocated at once
      throw new IllegalArgumentException("h must be at most " + Forecaster.MAX_STEPS
          + " (Forecaster.MAX_STEPS), but was " + h);
    }
    if (y.length < min) {
      throw new IllegalArgumentException("y.length must be >= " + minText + ", but was "
          + y.length);
    }
    for (int i = 0; i < y.length; i++) {
      if (!Double.isFinite(y[i])) {
        throw new IllegalArgumentException("y must be finite, but was " + y[i] + " at " + i);
      }
    }
  }
}
