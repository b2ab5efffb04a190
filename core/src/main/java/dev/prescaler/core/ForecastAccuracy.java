package dev.prescaler.core;

/**
 * How well a workload's forecasts have matched what followed, measured by the engine at the
 * workload's lead time, exponentially weighted over roughly the last {@code window} evaluations.
 *
 * <p>The coverage is measured against the interval of the forecasts the engine asked for: the
 * central interval of level {@code 2q − 1}, where {@code q} is the higher of the workload's
 * {@link WorkloadSpec#riskQuantile()} and its policy's {@link DecisionPolicy#riskQuantile}
 * (at most 0.998). Compare it with that level (0.9 for the default q = 0.95), not with {@code q}:
 * the interval's upper bound is the q quantile, so about {@code 1 − q} of outcomes lie above it
 * and as many below its lower bound.
 *
 * @param metric the metric
 * @param samples forecasts evaluated so far
 * @param mae mean absolute error of the point forecast
 * @param naiveMae mean absolute error of the naive forecast (the last value) at the same horizon
 * @param coverage share of outcomes inside the forecasts' central interval of level 2q − 1
 */
public record ForecastAccuracy(String metric, long samples, double mae, double naiveMae,
    double coverage) {
  /** MAE relative to the naive forecast: below 1 beats naive; NaN until there is data. */
  public double relativeMae() {
    return naiveMae > 0 ? mae / naiveMae : (mae == 0 && samples > 0 ? 0 : Double.NaN);
  }

  /** The fields, the relative MAE, and the interval the coverage is of. */
  @Override
  public String toString() {
    return "ForecastAccuracy[metric=" + metric + ", samples=" + samples + ", mae=" + mae
        + ", naiveMae=" + naiveMae + ", relativeMae=" + relativeMae() + ", coverage=" + coverage
        + " of the central interval of level 2q - 1]";
  }
}
