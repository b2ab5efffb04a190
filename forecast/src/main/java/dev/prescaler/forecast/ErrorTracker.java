package dev.prescaler.forecast;

import java.util.Arrays;

/**
 * One model's rolling-origin out-of-sample record: the forecasts it made at the last
 * {@code horizon} origins and, per horizon, the signed errors of the last {@code window} of them
 * once their outcomes arrived. Gives the windowed mean absolute error per horizon (for model
 * selection) and empirical error quantiles per horizon (for calibrated intervals). O(horizon) per
 * observation.
 */
final class ErrorTracker {
  /** Observations between recomputations of the error quantiles (sorting is the costly part). */
  static final int QUANTILE_REFRESH = 64;

  private final int horizon;
  private final int window;
  private final double[][] pending; // pending[o % horizon] = forecasts made at origin o
  private final boolean[] pendingValid;
  private final float[][] errors; // errors[h][ring], float to halve the memory per series
  private final int[] count;
  private final int[] next;
  private final double[] sumAbs;
  private long origin; // index of the next origin slot
  private double[] lo;
  private double[] hi;
  private double cachedLevel = Double.NaN;
  private long observedSinceQuantiles;
  private long observed;

  ErrorTracker(int horizon, int window) {
    this.horizon = horizon;
    this.window = window;
    this.pending = new double[horizon][horizon];
    this.pendingValid = new boolean[horizon];
    this.errors = new float[horizon][window];
    this.count = new int[horizon];
    this.next = new int[horizon];
    this.sumAbs = new double[horizon];
  }

  int horizon() {
    return horizon;
  }

  /**
   * Scores the stored forecasts against the outcome of the step after the latest origin; NaN
   * outcomes (missing data) score nothing.
   */
  void observe(double y) {
    if (Double.isNaN(y)) {
      return;
    }
    observed++;
    observedSinceQuantiles++;
    for (int h = 0; h < horizon; h++) {
      long o = origin - 1 - h; // origin whose forecast h+1 steps ahead targets this outcome
      if (o < 0) {
        break;
      }
      int slot = (int) (o % horizon);
      if (!pendingValid[slot]) {
        continue;
      }
      double e = y - pending[slot][h];
      int i = next[h];
      if (count[h] == window) {
        sumAbs[h] -= Math.abs(errors[h][i]);
      } else {
        count[h]++;
      }
      errors[h][i] = (float) e;
      sumAbs[h] += Math.abs(errors[h][i]);
      next[h] = (i + 1) % window;
    }
  }

  /** Stores the forecasts made at the current origin (after its observation). */
  void store(double[] forecast) {
    int slot = (int) (origin % horizon);
    System.arraycopy(forecast, 0, pending[slot], 0, horizon);
    pendingValid[slot] = true;
    origin++;
  }

  /** Replaces the forecasts of the latest origin (after a refit at that origin). */
  void replaceLatest(double[] forecast) {
    if (origin == 0) {
      store(forecast);
      return;
    }
    System.arraycopy(forecast, 0, pending[(int) ((origin - 1) % horizon)], 0, horizon);
  }

  /** The forecasts stored at the latest origin. */
  double[] latest() {
    return pending[(int) ((origin - 1) % horizon)];
  }

  /** Errors recorded at horizon {@code h} (0-based). */
  int count(int h) {
    return count[h];
  }

  /** Windowed MAE at horizon {@code h} (0-based), NaN without errors. */
  double mae(int h) {
    if (count[h] == 0) {
      return Double.NaN;
    }
    double m = sumAbs[h] / count[h];
    return m < 0 ? 0 : m;
  }

  /**
   * The mean over horizons 1..steps of the windowed MAE; NaN unless every horizon has at least
   * {@code minCount} errors.
   */
  double score(int steps, int minCount) {
    double s = 0;
    int k = Math.min(steps, horizon);
    for (int h = 0; h < k; h++) {
      if (count[h] < minCount) {
        return Double.NaN;
      }
      s += mae(h);
    }
    return s / k;
  }

  /** Lower error quantile at horizon {@code h} for a central interval of {@code level}. */
  double lower(int h, double level) {
    refresh(level);
    return lo[h];
  }

  /** Upper error quantile at horizon {@code h} for a central interval of {@code level}. */
  double upper(int h, double level) {
    refresh(level);
    return hi[h];
  }

  private void refresh(double level) {
    if (lo != null && level == cachedLevel && observedSinceQuantiles < QUANTILE_REFRESH) {
      return;
    }
    if (lo == null) {
      lo = new double[horizon];
      hi = new double[horizon];
    }
    cachedLevel = level;
    observedSinceQuantiles = 0;
    double[] tmp = new double[window];
    for (int h = 0; h < horizon; h++) {
      int n = count[h];
      if (n == 0) {
        lo[h] = Double.NaN;
        hi[h] = Double.NaN;
        continue;
      }
      for (int j = 0; j < n; j++) {
        tmp[j] = errors[h][j];
      }
      Arrays.sort(tmp, 0, n);
      lo[h] = quantile(tmp, n, (1 - level) / 2);
      hi[h] = quantile(tmp, n, (1 + level) / 2);
    }
  }

  /** Linear-interpolated empirical quantile of the first {@code n} sorted values. */
  static double quantile(double[] sorted, int n, double q) {
    double pos = q * (n - 1);
    int i = (int) Math.floor(pos);
    if (i >= n - 1) {
      return sorted[n - 1];
    }
    double f = pos - i;
    return sorted[i] * (1 - f) + sorted[i + 1] * f;
  }

  long observed() {
    return observed;
  }
}
