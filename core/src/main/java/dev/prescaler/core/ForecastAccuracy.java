package dev.prescaler.core;

/**
 * How well a workload's forecasts have matched what followed, measured by the engine at the
 * workload's lead time, exponentially weighted over roughly the last {@code window} evaluations.
 *
 * @param metric the metric
 * @param samples forecasts evaluated so far
 * @param mae mean absolute error of the point forecast
 * @param naiveMae mean absolute error of the naive forecast (the last value) at the same horizon
 * @param coverage share of outcomes inside the prediction interval
 */
public record ForecastAccuracy(String metric, long samples, double mae, double naiveMae,
    double coverage) {
  /** MAE relative to the naive forecast: below 1 beats naive; NaN until there is data. */
  public double relativeMae() {
    return naiveMae > 0 ? mae / naiveMae : (mae == 0 && samples > 0 ? 0 : Double.NaN);
  }
}
