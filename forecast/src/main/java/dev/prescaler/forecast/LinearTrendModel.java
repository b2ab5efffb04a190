package dev.prescaler.forecast;

/**
 * Least-squares line over a sliding window of the last {@code window} values, extrapolated. The
 * window sums are kept up to date in O(1) per observation and recomputed exactly every
 * {@code window} updates to stop rounding drift.
 */
final class LinearTrendModel implements PointModel {
  private final int window;
  private final double[] ring;
  private int next;
  private int count;
  private double s0; // Σ y_i over the window
  private double s1; // Σ i·y_i, i = 0 for the oldest value in the window
  private int sinceExact;

  /**
   * A model over the last {@code window} values of {@code y}. A missing value (NaN) is fed the
   * model's own one-step forecast, as the forecasters feed a missing step in live use; missing
   * values before the first present one are left out.
   */
  LinearTrendModel(int window, double[] y, double floor) {
    this.window = window;
    this.ring = new double[window];
    PointModel.replay(this, y, window, floor);
  }

  @Override
  public void update(double y) {
    if (count < window) {
      s1 += count * y;
      s0 += y;
      ring[next] = y;
      count++;
    } else {
      double old = ring[next];
      s1 = s1 - (s0 - old) + (window - 1) * y;
      s0 = s0 - old + y;
      ring[next] = y;
    }
    next = (next + 1) % window;
    if (++sinceExact >= window) {
      recompute();
    }
  }

  private void recompute() {
    sinceExact = 0;
    s0 = 0;
    s1 = 0;
    int oldest = count < window ? 0 : next;
    for (int i = 0; i < count; i++) {
      double v = ring[(oldest + i) % window];
      s0 += v;
      s1 += i * v;
    }
  }

  /** Bytes held in arrays (the window), for the per-series memory bound. */
  @Override
  public long arrayBytes() {
    return 8L * ring.length;
  }

  @Override
  public void forecast(double[] out) {
    int n = count;
    if (n == 0) {
      java.util.Arrays.fill(out, 0);
      return;
    }
    if (n == 1) {
      java.util.Arrays.fill(out, s0);
      return;
    }
    // x = 0..n-1: Σx = n(n-1)/2, Σx² = (n-1)n(2n-1)/6.
    double sx = n * (n - 1) / 2.0;
    double sxx = (n - 1.0) * n * (2.0 * n - 1) / 6.0;
    double den = n * sxx - sx * sx;
    double slope = (n * s1 - sx * s0) / den;
    double icept = (s0 - slope * sx) / n;
    for (int h = 0; h < out.length; h++) {
      out[h] = icept + slope * (n - 1 + h + 1);
    }
  }

  /** The spec fitting this model on the last {@code window} values (at least 2). */
  static ModelSpec spec(int window) {
    return new ModelSpec() {
      @Override
      public String name() {
        return "linear-trend";
      }

      @Override
      public boolean applicable(int n, boolean positive) {
        return n >= 2;
      }

      @Override
      public PointModel fit(double[] y, PointModel previous, double floor) {
        return new LinearTrendModel(window, y, floor);
      }
    };
  }
}
