package dev.prescaler.forecast;

/**
 * A fitted point-forecasting model that advances by one observation at a time. Implementations
 * update in O(1) (or O(window)) per observation and are not thread-safe.
 */
interface PointModel {

  /** Absorbs the next observation, which is finite. */
  void update(double y);

  /**
   * Absorbs a missing step. By default the model is fed {@code standIn}, the one-step forecast
   * made before the step (at least the floor), as if it had been observed; a model that can leave
   * a step out (the linear trend's least squares) does so instead.
   */
  default void missing(double standIn) {
    update(standIn);
  }

  /** Fills {@code out} with the forecasts 1..out.length steps after the last observation. */
  void forecast(double[] out);

  /**
   * Bytes the model holds in arrays (its window, ring, season or profiles): the part of its state
   * that grows with the season or the window, for the per-series memory bound.
   */
  long arrayBytes();

  /**
   * Feeds a new {@code model} the end of {@code y} its window of {@code window} steps holds, as
   * live use would have fed it: a missing (NaN) step is {@link #missing} with the model's own
   * one-step forecast, at least {@code floor} (the last present value when that forecast is not
   * finite), and the values before the first present one are left out. A missing step inside
   * the window depends on the values before it, so then the whole of {@code y} is fed, from its
   * start.
   */
  static void replay(PointModel model, double[] y, int window, double floor) {
    int from = Math.max(0, y.length - window);
    for (int i = from; i < y.length && from > 0; i++) {
      if (Double.isNaN(y[i])) {
        from = 0;
      }
    }
    double[] one = new double[1];
    double last = Double.NaN;
    boolean started = false;
    for (int i = from; i < y.length; i++) {
      double v = y[i];
      if (Double.isNaN(v)) {
        if (!started) {
          continue;
        }
        model.forecast(one);
        model.missing(Double.isFinite(one[0]) ? Math.max(floor, one[0]) : last);
      } else {
        last = v;
        model.update(v);
      }
      started = true;
    }
  }
}
