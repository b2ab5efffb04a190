package dev.prescaler.forecast;

/**
 * Seasonal naive: the forecast for a step is the value one season earlier, or with {@code k > 1}
 * the mean of the values at the same position in the last {@code k} seasons. With period 1 it is
 * the naive (last value) forecast. O(1) per update.
 *
 * <p>The values are kept in {@code float}: one day at one minute is 1,440 of them per series, and
 * a relative rounding of 6e-8 is far below any forecast error.
 */
final class SeasonalNaiveModel implements PointModel {
  private final int period;
  private final int seasons;
  private final float[] ring; // the last period × seasons values
  private int next; // ring index of the oldest value (where the next one goes)
  private int count;

  /**
   * A model holding the last values of {@code y}. A missing value (NaN) is fed the model's own
   * one-step forecast, at least {@code floor} or the last present value when it is not finite, as
   * the forecasters feed a missing step in live use; missing values before
   * the first present one are left out (the ring counts ages back from the newest value, so the
   * season's phase is kept).
   */
  SeasonalNaiveModel(int period, int seasons, double[] y, double floor) {
    this.period = period;
    this.seasons = seasons;
    this.ring = new float[period * seasons];
    PointModel.replay(this, y, ring.length, floor);
  }

  @Override
  public void update(double y) {
    ring[next] = (float) y;
    if (++next == ring.length) {
      next = 0;
    }
    count = Math.min(count + 1, ring.length);
  }

  @Override
  public void forecast(double[] out) {
    int len = ring.length;
    for (int h = 0; h < out.length; h++) {
      // Position of step h within the season, counted back from the newest value.
      int back = period - (h % period); // 1..period: how many steps back in the latest season
      double sum = 0;
      int n = 0;
      for (int k = 0; k < seasons; k++) {
        int age = back + k * period; // 1 = newest
        if (age > count) {
          break;
        }
        sum += ring[((next - age) % len + len) % len];
        n++;
      }
      if (n == 0) {
        int age = Math.min(count, 1 + ((back - 1) % Math.max(1, count)));
        sum = count == 0 ? 0 : ring[((next - age) % len + len) % len];
        n = 1;
      }
      out[h] = sum / n;
    }
  }

  /** Bytes held in arrays (the ring), for the per-series memory bound. */
  @Override
  public long arrayBytes() {
    return 4L * ring.length;
  }

  /** The spec fitting this model. */
  static ModelSpec spec(int period, int seasons) {
    String name = period == 1 ? "naive" : seasons == 1 ? "snaive-" + period
        : "smean" + seasons + "-" + period;
    return new ModelSpec() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean applicable(int n, boolean positive) {
        return n >= period * seasons;
      }

      @Override
      public PointModel fit(double[] y, PointModel previous, double floor) {
        return new SeasonalNaiveModel(period, seasons, y, floor);
      }
    };
  }
}
