package dev.prescaler.forecast;

import java.util.Arrays;
import java.util.List;

/**
 * A rolling-origin out-of-sample record at a set of tracked horizons: the forecasts made at the
 * last {@code span} origins (span = the longest tracked horizon) for those horizons and, per
 * tracked horizon, the signed errors of the last {@code window} of them once their outcomes
 * arrived. Gives the windowed mean absolute error per tracked horizon (for model selection) and
 * empirical error quantiles per tracked horizon (for calibrated intervals). O(tracked horizons)
 * per observation.
 *
 * <p>A refit's validation replay gives every candidate a tracker of all horizons 1..H; the
 * per-series instance then keeps one tracker, at a few horizons only, for the combined forecast
 * it outputs ({@link #combine}).
 */
final class ErrorTracker {
  /** Observations between recomputations of the error quantiles (sorting is the costly part). */
  static final int QUANTILE_REFRESH = 64;

  /*
   * Errors are stored in 16 bits as bfloat16 (the top half of a float: 8 exponent bits, 7
   * mantissa bits; encode/decode), rounded to nearest, with the sign as the sign of the short so
   * that the codes sort as the errors do. Each kept error is within 2^-8 (0.4 %) of its own
   * value, whatever the other errors of the window are: one huge error (a unit mix-up, a bad
   * exporter value) costs the ordinary ones nothing, and there is no scale to rescale. The range
   * is the float range the forecasts are stored in: a magnitude under 2^-126 (1.2e-38) is kept as
   * 0, one beyond 3.39e38 (an infinite forecast, an outcome beyond the float range) as infinite,
   * so that a quantile that reaches it says the errors are beyond measure (the widest interval);
   * in the absolute sum an infinite error counts as 3.4e38, so that the MAE stays finite, and a
   * finite one beyond the range as itself (below).
   *
   * The codes are monotone in the value, so the order statistics of the decoded errors are the
   * decoded order statistics of the exact ones, each within 2^-8 of its own magnitude.
   *
   * The windowed sum of absolute errors is kept by adding and subtracting decoded values; once
   * a large error has left the window, the rounding left behind by it would swamp the others, so
   * the sum is recomputed from the kept errors whenever it falls below 2^-20 of the largest it
   * has been since it was last recomputed (rare: the sum must fall by a factor of a million), and
   * at each quantile refresh, which decodes every error anyway.
   *
   * A finite forecast or error beyond the float range (after a sample beyond about 3.4e38) is
   * also kept exactly, in double, in side records made at the first one (pendingExact,
   * errorExact; NaN where the float or code stands for itself). The error still decodes as
   * infinite for the quantiles (beyond measure, the widest interval), but the MAE counts its
   * magnitude: it used to count 3.4e38 for every such error, so that beyond it the MAEs that weigh
   * `auto`'s models were alike and the weights were equal whatever the errors. The magnitudes
   * are summed apart (bigSum, in units of 2^64 so that 400 of them up to the largest double do
   * not overflow). Their magnitudes span 2^128 to 2^1024, so that the one leaving the window may
   * be far larger than those still in it, whose sum the rounding it left behind would swamp (it
   * made the MAE of 4e38, 4e38 and 1 after 1e300 left 0.333, and negative after the next): that
   * sum is recomputed from errorExact, as the ordinary one is, whenever it falls below 2^-20 of
   * the largest it has been since it was last recomputed, and after every window of departures.
   * Between recomputations it sees at most three windows of additions and subtractions (each
   * addition beyond a window follows a departure), each rounded within 2^-53 of the peak, so it
   * stays within 3 × window × 2^-33 of the exact sum (1.4e-7 for a window of 400). That costs
   * O(window) per window of departures, and at a departure that leaves under 2^-20 of the peak:
   * only while such errors are in the window.
   * Without such a value nothing of this is made, and every result is what it was, to the bit.
   */
  private static final int INFINITE = 0x7F80; // the bfloat16 bits of +infinity
  private static final long REBIAS = (1023L - 127) << 7; // double to float exponent, 7-bit shift
  private static final double DRIFT = 0x1p-20;

  private final int[] steps; // tracked horizons, 1-based, ascending
  private final int span; // the longest tracked horizon: origins whose forecasts are pending
  private final int window;
  private final float[][] pending; // pending[o % span][k] = forecast at origin o, steps[k] ahead
  private final boolean[] pendingValid;
  private final short[][] errors; // errors[k][ring] = the signed error, encoded
  private final int[] count;
  private final int[] next;
  private final double[] sumAbs;
  private final double[] sumPeak; // the largest sumAbs[k] since it was last recomputed
  private long origin; // index of the next origin slot
  private double[] lo;
  private double[] hi;
  private double cachedLevel = Double.NaN;
  private long observedSinceQuantiles;
  /** Per horizon, how many errors it had at the last recomputation of the quantiles. */
  private int[] countAtQuantiles;
  private long observed;
  /** Forecasts beyond the float range, exactly ([slot][k]; NaN elsewhere); null until one. */
  private double[][] pendingExact;
  /** Errors beyond the bfloat16 range, exactly ([k][ring]; NaN elsewhere); null until one. */
  private double[][] errorExact;
  /** Per horizon, the sum of the magnitudes in errorExact times 2^-64, and their count. */
  private double[] bigSum;
  private int[] bigCount;
  /** Per horizon, the largest bigSum since it was last recomputed, and departures since. */
  private double[] bigPeak;
  private int[] bigLeft;

  /** A tracker of every horizon 1..{@code horizon}. */
  ErrorTracker(int horizon, int window) {
    this(allSteps(horizon), window);
  }

  /**
   * A tracker of the given horizons.
   *
   * @param steps tracked horizons in steps, ascending, each &gt;= 1
   * @param window errors kept per tracked horizon
   */
  ErrorTracker(int[] steps, int window) {
    if (steps.length == 0) {
      throw new IllegalArgumentException("steps must not be empty");
    }
    for (int k = 0; k < steps.length; k++) {
      if (steps[k] < 1 || (k > 0 && steps[k] <= steps[k - 1])) {
        throw new IllegalArgumentException("steps must be ascending and >= 1, but was "
            + Arrays.toString(steps));
      }
    }
    this.steps = steps.clone();
    this.span = steps[steps.length - 1];
    this.window = window;
    int k = steps.length;
    this.pending = new float[span][k];
    this.pendingValid = new boolean[span];
    this.errors = new short[k][window];
    this.count = new int[k];
    this.next = new int[k];
    this.sumAbs = new double[k];
    this.sumPeak = new double[k];
  }

  /** The horizons 1..{@code horizon}. */
  static int[] allSteps(int horizon) {
    int[] s = new int[horizon];
    for (int i = 0; i < horizon; i++) {
      s[i] = i + 1;
    }
    return s;
  }

  /** The tracked horizons, 1-based, ascending (not a copy: do not modify). */
  int[] steps() {
    return steps;
  }

  /** The number of tracked horizons. */
  int size() {
    return steps.length;
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
    for (int k = 0; k < steps.length; k++) {
      long o = origin - steps[k]; // origin whose forecast steps[k] ahead targets this outcome
      if (o < 0) {
        break;
      }
      int slot = (int) (o % span);
      if (!pendingValid[slot]) {
        continue;
      }
      double e = y - forecast(slot, k);
      int i = next[k];
      if (count[k] == window) {
        if (isBig(k, i)) {
          forget(k, i);
        } else {
          sumAbs[k] -= size(errors[k][i]);
        }
      } else {
        count[k]++;
      }
      put(k, i, e);
      next[k] = i + 1 == window ? 0 : i + 1;
    }
  }

  /** Stores error {@code e} at ring index {@code i} of tracked horizon {@code k}. */
  private void put(int k, int i, double e) {
    short q = encode(e);
    errors[k][i] = q;
    if ((q == INFINITE || q == -INFINITE) && Double.isFinite(e)) {
      if (errorExact == null) {
        errorExact = new double[steps.length][window];
        for (double[] r : errorExact) {
          Arrays.fill(r, Double.NaN);
        }
        bigSum = new double[steps.length];
        bigCount = new int[steps.length];
        bigPeak = new double[steps.length];
        bigLeft = new int[steps.length];
      }
      errorExact[k][i] = e;
      bigSum[k] += Math.scalb(Math.abs(e), -64);
      bigCount[k]++;
      bigPeak[k] = Math.max(bigPeak[k], bigSum[k]);
      return; // counted in bigSum, not in sumAbs
    }
    double sum = sumAbs[k] + size(q);
    sumAbs[k] = sum;
    if (sum > sumPeak[k]) {
      sumPeak[k] = sum;
    } else if (sum < sumPeak[k] * DRIFT) {
      resum(k);
    }
  }

  /** Recomputes horizon {@code k}'s sum of absolute errors from the kept errors. */
  private void resum(int k) {
    double sum = 0;
    for (int j = 0; j < count[k]; j++) {
      sum += isBig(k, j) ? 0 : size(errors[k][j]);
    }
    sumAbs[k] = sum;
    sumPeak[k] = sum;
  }

  /** Whether the error at ring index {@code j} of horizon {@code k} is kept in errorExact. */
  private boolean isBig(int k, int j) {
    return errorExact != null && !Double.isNaN(errorExact[k][j]);
  }

  /**
   * Takes the exactly kept error at ring index {@code j} of horizon {@code k} out of the sums,
   * and recomputes the sum of those left when the rounding may have swamped it.
   */
  private void forget(int k, int j) {
    double e = errorExact[k][j];
    errorExact[k][j] = Double.NaN;
    if (--bigCount[k] == 0) {
      bigSum[k] = 0;
      bigPeak[k] = 0;
      bigLeft[k] = 0;
      return;
    }
    double sum = bigSum[k] - Math.scalb(Math.abs(e), -64);
    bigSum[k] = sum;
    if (sum < bigPeak[k] * DRIFT || ++bigLeft[k] >= window) {
      rebig(k);
    }
  }

  /** Recomputes horizon {@code k}'s sum of the exactly kept magnitudes from errorExact. */
  private void rebig(int k) {
    double sum = 0;
    for (double e : errorExact[k]) {
      sum += Double.isNaN(e) ? 0 : Math.scalb(Math.abs(e), -64);
    }
    bigSum[k] = sum;
    bigPeak[k] = sum;
    bigLeft[k] = 0;
  }

  /** The signed error at ring index {@code j} of horizon {@code k}: exact if kept so. */
  private double error(int k, int j) {
    return isBig(k, j) ? errorExact[k][j] : decode(errors[k][j]);
  }

  /** The forecast kept at {@code slot} for tracked horizon {@code k}: exact if kept so. */
  private double forecast(int slot, int k) {
    float p = pending[slot][k];
    if (Float.isInfinite(p) && pendingExact != null && !Double.isNaN(pendingExact[slot][k])) {
      return pendingExact[slot][k];
    }
    return p;
  }

  /** Keeps forecast {@code f} at {@code slot} for tracked horizon {@code k}. */
  private void keep(int slot, int k, double f) {
    float p = (float) f;
    pending[slot][k] = p;
    if (Float.isInfinite(p) && Double.isFinite(f)) {
      if (pendingExact == null) {
        pendingExact = new double[span][steps.length];
        for (double[] r : pendingExact) {
          Arrays.fill(r, Double.NaN);
        }
      }
      pendingExact[slot][k] = f;
    } else if (pendingExact != null) {
      pendingExact[slot][k] = Double.NaN;
    }
  }

  /**
   * The 16-bit code of {@code e}: its bfloat16 magnitude rounded to nearest (ties away from
   * zero), within 2^-8 of {@code |e|} for 2^-126 &lt;= |e| &lt; 3.39e38 (the largest finite
   * bfloat16, 0.4 % under the largest float), negated for a negative {@code e}; smaller
   * magnitudes give 0, larger ones (and NaN, not expected: NaN outcomes score nothing) infinity.
   */
  static short encode(double e) {
    long bits = Double.doubleToRawLongBits(Math.abs(e));
    long c = ((bits + (1L << 44)) >>> 45) - REBIAS; // 11 exponent + 7 mantissa bits, rounded
    int code = c < (1 << 7) ? 0 : c >= INFINITE ? INFINITE : (int) c;
    return (short) (e < 0 ? -code : code);
  }

  /** The error that code {@code q} stands for. */
  static double decode(short q) {
    double a = Float.intBitsToFloat(Math.abs(q) << 16);
    return q < 0 ? -a : a;
  }

  /** The magnitude code {@code q} adds to the absolute sum: infinity counts as 3.4e38. */
  private static double size(short q) {
    return Math.min(Math.abs(decode(q)), Float.MAX_VALUE);
  }

  /**
   * Stores the forecasts made at the current origin (after its observation).
   *
   * @param forecast the forecast for each tracked horizon, in the order of {@link #steps()}
   */
  void store(double[] forecast) {
    int slot = (int) (origin % span);
    for (int k = 0; k < steps.length; k++) {
      keep(slot, k, forecast[k]);
    }
    pendingValid[slot] = true;
    origin++;
  }

  /** Errors recorded at tracked horizon {@code k} (0-based index into {@link #steps()}). */
  int count(int k) {
    return count[k];
  }

  /** Windowed MAE at tracked horizon {@code k}, NaN without errors. */
  double mae(int k) {
    if (count[k] == 0) {
      return Double.NaN;
    }
    double m = sumAbs[k] / count[k];
    m = m < 0 ? 0 : m;
    // 2^64 × the mean of the big ones cannot overflow: it is at most the largest of them.
    return bigSum == null || bigCount[k] == 0 ? m : m + Math.scalb(bigSum[k] / count[k], 64);
  }

  /**
   * The mean over the tracked horizons up to {@code horizon} steps of the windowed MAE; NaN unless
   * every one of them has at least {@code minCount} errors.
   */
  double score(int horizon, int minCount) {
    double s = 0;
    int n = 0;
    for (int k = 0; k < steps.length && steps[k] <= horizon; k++) {
      if (count[k] < minCount) {
        return Double.NaN;
      }
      s += mae(k);
      n++;
    }
    return n == 0 ? Double.NaN : s / n;
  }

  /** Lower error quantile at tracked horizon {@code k} for a central interval of {@code level}. */
  double lower(int k, double level) {
    refresh(level, k);
    return lo[k];
  }

  /** Upper error quantile at tracked horizon {@code k} for a central interval of {@code level}. */
  double upper(int k, double level) {
    refresh(level, k);
    return hi[k];
  }

  /**
   * Recomputes the quantiles every {@link #QUANTILE_REFRESH} observations, at another level, and
   * when horizon {@code asked}, asked for now, had no error at the last recomputation but has
   * some now: its cached NaN would otherwise stand for up to 63 observations more.
   */
  private void refresh(double level, int asked) {
    if (lo != null && level == cachedLevel && observedSinceQuantiles < QUANTILE_REFRESH
        && !(countAtQuantiles[asked] == 0 && count[asked] > 0)) {
      return;
    }
    if (lo == null) {
      lo = new double[steps.length];
      hi = new double[steps.length];
      countAtQuantiles = new int[steps.length];
    }
    System.arraycopy(count, 0, countAtQuantiles, 0, steps.length);
    cachedLevel = level;
    observedSinceQuantiles = 0;
    double[] tmp = new double[window];
    for (int k = 0; k < steps.length; k++) {
      int n = count[k];
      if (n == 0) {
        lo[k] = Double.NaN;
        hi[k] = Double.NaN;
        continue;
      }
      double sum = 0;
      double big = 0;
      for (int j = 0; j < n; j++) {
        tmp[j] = decode(errors[k][j]);
        if (isBig(k, j)) {
          big += Math.scalb(Math.abs(errorExact[k][j]), -64);
        } else {
          sum += size(errors[k][j]);
        }
      }
      sumAbs[k] = sum;
      sumPeak[k] = sum;
      if (bigSum != null) {
        bigSum[k] = big; // the rounding of the additions and subtractions left behind
        bigPeak[k] = big;
        bigLeft[k] = 0;
      }
      Arrays.sort(tmp, 0, n);
      lo[k] = quantile(tmp, n, (1 - level) / 2);
      hi[k] = quantile(tmp, n, (1 + level) / 2);
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
    return f == 0 ? sorted[i] : sorted[i] * (1 - f) + sorted[i + 1] * f; // infinity × 0 is NaN
  }

  long observed() {
    return observed;
  }

  /** Bytes held in arrays, for the per-series memory bound. */
  long arrayBytes() {
    long b = 4L * steps.length + pendingValid.length + 4L * count.length + 4L * next.length
        + 16L * sumAbs.length + (lo == null ? 0 : 20L * lo.length); // lo, hi, countAtQuantiles
    b += 4L * span * steps.length + 2L * steps.length * window;
    b += pendingExact == null ? 0 : 8L * span * steps.length;
    b += errorExact == null ? 0 : 8L * steps.length * window + 24L * steps.length;
    return b;
  }

  /**
   * The record a weighted combination of forecasters would have: parts that observed the same
   * outcomes from the same origins (the candidates of one validation replay), each tracking every
   * horizon up to at least the longest of {@code steps}, combine into a tracker of {@code steps}
   * whose forecasts and errors are the weighted sums of theirs (the error of a weighted mean with
   * weights summing to 1 is the weighted mean of the errors). Null when the parts are not aligned.
   *
   * @param parts full trackers (horizons 1..H, H &gt;= the longest of {@code steps})
   * @param weights one per part, summing to 1
   * @param steps the horizons the result tracks
   */
  static ErrorTracker combine(List<ErrorTracker> parts, double[] weights, int[] steps) {
    ErrorTracker first = parts.get(0);
    ErrorTracker out = new ErrorTracker(steps, first.window);
    int last = steps[steps.length - 1];
    for (ErrorTracker p : parts) {
      if (p.origin != first.origin || p.window != first.window || p.span < last
          || p.steps.length != p.span) {
        return null;
      }
      for (int k = 0; k < steps.length; k++) {
        int h = steps[k] - 1;
        if (p.count[h] != first.count[h] || p.next[h] != first.next[h]) {
          return null;
        }
      }
    }
    out.origin = first.origin;
    out.observed = first.observed;
    for (long o = Math.max(0, first.origin - out.span); o < first.origin; o++) {
      int to = (int) (o % out.span);
      boolean valid = true;
      for (int k = 0; k < steps.length; k++) {
        double f = 0;
        for (int i = 0; i < parts.size(); i++) {
          ErrorTracker p = parts.get(i);
          int from = (int) (o % p.span);
          valid &= p.pendingValid[from];
          f += weights[i] * p.forecast(from, steps[k] - 1);
        }
        out.keep(to, k, f);
      }
      out.pendingValid[to] = valid;
    }
    for (int k = 0; k < steps.length; k++) {
      int h = steps[k] - 1;
      int n = first.count[h];
      out.count[k] = n;
      out.next[k] = first.next[h];
      for (int j = 0; j < n; j++) {
        double e = 0;
        for (int i = 0; i < parts.size(); i++) {
          e += weights[i] * parts.get(i).error(h, j);
        }
        out.put(k, j, e);
      }
    }
    return out;
  }
}
