package dev.prescaler.forecast;

import java.util.Arrays;

/**
 * The M4 benchmarks built on classical multiplicative decomposition: Naive2 (the OWA reference),
 * Naive1 and seasonal naive, exactly as M4 defines them.
 *
 * <p>Seasonality test: lag-{@code m} autocorrelation {@code r_m}; seasonal when {@code |r_m| >
 * 1.645 √((1 + 2 Σ_{k=1..m−1} r_k²) / n)} (series shorter than {@code 3m} are not seasonal). If
 * seasonal, indices are the per-position means of {@code Y / CMA} (centred 2×m moving average),
 * normalised to mean 1; the series is divided by them, its last value is held flat, and the
 * forecast is multiplied by the indices continued from the end.
 */
public final class Naive2 {
  private Naive2() {}

  /** Naive2's forecast of {@code h} steps with period {@code m}. */
  public static double[] forecast(double[] y, int m, int h) {
    double[] idx = seasonalIndices(y, m);
    int n = y.length;
    double last = y[n - 1] / idx[(n - 1) % m];
    double[] out = new double[h];
    for (int i = 0; i < h; i++) {
      out[i] = last * idx[(n + i) % m];
    }
    return out;
  }

  /** Naive1: the last value, {@code h} times. */
  public static double[] naive1(double[] y, int h) {
    double[] out = new double[h];
    Arrays.fill(out, y[y.length - 1]);
    return out;
  }

  /** Seasonal naive: the last {@code m} values repeated. */
  public static double[] seasonalNaive(double[] y, int m, int h) {
    double[] out = new double[h];
    int n = y.length;
    for (int i = 0; i < h; i++) {
      out[i] = y[n - m + (i % m)];
    }
    return out;
  }

  /** Whether M4's 90 % autocorrelation test finds the period-{@code m} season in {@code y}. */
  public static boolean seasonal(double[] y, int m) {
    int n = y.length;
    if (m <= 1 || n < 3 * m) {
      return false;
    }
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
   */
  public static double[] seasonalIndices(double[] y, int m) {
    double[] idx = new double[m];
    Arrays.fill(idx, 1);
    if (!seasonal(y, m)) {
      return idx;
    }
    int n = y.length;
    double[] sum = new double[m];
    int[] cnt = new int[m];
    int half = m / 2;
    for (int t = 0; t < n; t++) {
      double cma;
      if (m % 2 == 0) {
        if (t - half < 0 || t + half >= n) {
          continue;
        }
        double a = 0;
        for (int j = t - half; j <= t + half; j++) {
          double w = (j == t - half || j == t + half) ? 0.5 : 1;
          a += w * y[j];
        }
        cma = a / m;
      } else {
        if (t - half < 0 || t + half >= n) {
          continue;
        }
        double a = 0;
        for (int j = t - half; j <= t + half; j++) {
          a += y[j];
        }
        cma = a / m;
      }
      sum[t % m] += y[t] / cma;
      cnt[t % m]++;
    }
    double mean = 0;
    for (int i = 0; i < m; i++) {
      idx[i] = sum[i] / cnt[i];
      mean += idx[i];
    }
    mean /= m;
    for (int i = 0; i < m; i++) {
      idx[i] /= mean;
    }
    return idx;
  }
}
