package dev.prescaler.forecast;

/**
 * A fitted point-forecasting model that advances by one observation at a time. Implementations
 * update in O(1) (or O(window)) per observation and are not thread-safe.
 */
interface PointModel {

  /** Absorbs the next observation, which is finite. */
  void update(double y);

  /** Fills {@code out} with the forecasts 1..out.length steps after the last observation. */
  void forecast(double[] out);

  /**
   * Bytes the model holds in arrays (its window, ring, season or profiles): the part of its state
   * that grows with the season or the window, for the per-series memory bound.
   */
  long arrayBytes();
}
