package dev.prescaler.forecast;

/**
 * Where a value is wild: far outside the spread of the values around it. The engine accepts any
 * finite reading, so one sample of a unit mix-up or an exporter glitch (1e7 in a load of 100)
 * reaches the history; a least-squares fit or an autocorrelation over the history would answer
 * it without bound. The Fourier fit and the season detection winsorize with these bounds: a
 * value beyond them counts as the bound.
 *
 * <p>The bounds are the median ± {@link #LIMIT} robust standard deviations, the deviation being
 * the larger of 1.4826 × the median absolute deviation and the 98th percentile of the absolute
 * deviations / 2.326 (both the standard deviation for normal values). The percentile keeps the
 * bounds at the series' own spread where more than half the values are equal (a count series
 * with long runs of 0, an instance idle half the time: a median absolute deviation of 0) or
 * where they sit in two modes; it moves with at most 2 % of the values, so up to that many wild
 * ones (a few in a short history) cannot widen the bounds to themselves. On normal values the
 * bounds lie at ±8 σ and clip nothing; on the residuals of a plain Fourier fit of each 7-day
 * window of the 29 bundled traces they clipped under 0.1 % of the values for 18 traces and at
 * most 0.85 % (bursty network-in, disk and tweet traces).
 */
final class WildValues {
  /** Robust standard deviations from the median beyond which a value is wild: 8. */
  static final double LIMIT = 8;

  private WildValues() {}

  /**
   * The bounds {@code {low, high}} beyond which the present (non-NaN) values of {@code v} are
   * wild, or {@code null} when no value is (fewer than 3 present values, all equal to within
   * 98 %, or a spread that overflows).
   */
  static double[] bounds(double[] v) {
    double[] s = new double[v.length];
    int m = 0;
    for (double x : v) {
      if (!Double.isNaN(x)) {
        s[m++] = x;
      }
    }
    if (m < 3) {
      return null;
    }
    double median = middle(s, m);
    for (int i = 0; i < m; i++) {
      s[i] = Math.abs(s[i] - median);
    }
    double mad = middle(s, m);
    int at = (int) Math.floor(0.98 * (m - 1));
    select(s, at, m);
    double q98 = s[at];
    double sigma = Math.max(1.4826 * mad, q98 / 2.326);
    double reach = LIMIT * sigma;
    if (!(reach > 0) || !Double.isFinite(reach) || !Double.isFinite(median - reach)
        || !Double.isFinite(median + reach)) {
      return null;
    }
    return new double[] {median - reach, median + reach};
  }

  /** The median of {@code a[0..m)}, which it reorders (the mean of the middle two for even m). */
  private static double middle(double[] a, int m) {
    select(a, (m - 1) / 2, m);
    if (m % 2 == 1) {
      return a[(m - 1) / 2];
    }
    double next = Double.POSITIVE_INFINITY; // the smallest of the upper half
    for (int i = m / 2; i < m; i++) {
      next = Math.min(next, a[i]);
    }
    return a[m / 2 - 1] / 2 + next / 2;
  }

  /**
   * Reorders {@code a[0..m)} so that {@code a[k]} is the value a sort would put there, none
   * before it greater and none after it smaller (quickselect, median-of-three pivots: O(m) on
   * average, where a sort per refit cost about as much as the rest of a round).
   */
  private static void select(double[] a, int k, int m) {
    int lo = 0;
    int hi = m - 1;
    while (hi > lo) {
      int mid = (lo + hi) >>> 1;
      double pivot = Math.max(Math.min(a[lo], a[hi]), Math.min(Math.max(a[lo], a[hi]), a[mid]));
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          double t = a[i];
          a[i++] = a[j];
          a[j--] = t;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return; // between j and i: equal to the pivot
      }
    }
  }

  /**
   * {@code y} with each value beyond {@link #bounds} set to the bound it passes; {@code y} itself
   * (not a copy) when none does. NaN stays NaN.
   */
  static double[] winsorized(double[] y) {
    double[] b = bounds(y);
    if (b == null) {
      return y;
    }
    double[] out = y;
    for (int i = 0; i < y.length; i++) {
      if (y[i] < b[0] || y[i] > b[1]) {
        if (out == y) {
          out = y.clone();
        }
        out[i] = y[i] < b[0] ? b[0] : b[1];
      }
    }
    return out;
  }
}
