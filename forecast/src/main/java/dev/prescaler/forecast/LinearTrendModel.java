package dev.prescaler.forecast;

/**
 * Least-squares line over the last {@code window} values present, each at its own step,
 * extrapolated. A missing step is left out of the line rather than filled, and the line is
 * carried at most {@code window} steps past its last present value: fed its own forecasts over a
 * gap, as the other models are, it carried the slope of a noisy window on without limit (a flat
 * series of 100 ± 5 forecast at 504 after a gap of 5.6 days, then at 0). After a gap the line
 * runs through the values on both sides of it, so its slope is the change across the gap, until
 * the values after it fill the window. The window sums are kept up to date in O(1) per
 * observation and recomputed exactly every {@code window} observations to stop rounding drift.
 */
final class LinearTrendModel implements PointModel {
  private final int window;
  private final double[] ring;
  private final long[] at; // the step of each value in the ring
  private int next;
  private int count;
  private long step = -1; // the step of the last observation, present or missing
  private double s0; // Σ y_i over the window
  private double s1; // Σ x_i·y_i, x_i = the step of y_i after the oldest value's
  private long sx; // Σ x_i, exact
  private long sxx; // Σ x_i², exact
  private int sinceExact;

  /**
   * A model over the last {@code window} present values of {@code y}; missing values (NaN) are
   * left out, and those before the first present one are not counted as steps.
   */
  LinearTrendModel(int window, double[] y, double floor) {
    this.window = window;
    this.ring = new double[window];
    this.at = new long[window];
    PointModel.replay(this, y, window, floor);
  }

  @Override
  public void update(double y) {
    step++;
    if (count < window) {
      long x = step - at[oldest()];
      ring[next] = y;
      at[next] = step;
      s1 += x * y;
      s0 += y;
      sx += x;
      sxx += x * x;
      count++;
    } else {
      double old = ring[next];
      // Drop the oldest (x = 0), move the origin to the next oldest, add y at its step.
      long d = at[(next + 1) % window] - at[next];
      int n = count - 1;
      sxx = sxx - 2 * d * sx + n * d * d;
      sx = sx - n * d;
      long x = step - at[(next + 1) % window];
      s1 = s1 - d * (s0 - old) + x * y;
      s0 = s0 - old + y;
      sx += x;
      sxx += x * x;
      ring[next] = y;
      at[next] = step;
    }
    next = (next + 1) % window;
    if (++sinceExact >= window) {
      recompute();
    }
  }

  /** A missing step: left out of the line, but it moves the forecast's origin on by a step. */
  @Override
  public void missing(double standIn) {
    if (count > 0) {
      step++;
    }
  }

  private int oldest() {
    return count < window ? 0 : next;
  }

  private void recompute() {
    sinceExact = 0;
    s0 = 0;
    s1 = 0;
    sx = 0;
    sxx = 0;
    int oldest = oldest();
    long origin = at[oldest];
    for (int i = 0; i < count; i++) {
      int k = (oldest + i) % window;
      long x = at[k] - origin;
      s0 += ring[k];
      s1 += x * ring[k];
      sx += x;
      sxx += x * x;
    }
  }

  /** Bytes held in arrays (the window and its steps), for the per-series memory bound. */
  @Override
  public long arrayBytes() {
    return 8L * ring.length + 8L * at.length;
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
    int newest = (next + window - 1) % window;
    long origin = at[oldest()];
    // The forecast's origin: the last step, but at most `window` steps past the last value.
    long last = at[newest] - origin + Math.min(step - at[newest], window);
    double den = n * (double) sxx - (double) sx * sx;
    double slope = (n * s1 - sx * s0) / den;
    double icept = (s0 - slope * sx) / n;
    for (int h = 0; h < out.length; h++) {
      out[h] = icept + slope * (last + h + 1);
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
