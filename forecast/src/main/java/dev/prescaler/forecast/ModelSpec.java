package dev.prescaler.forecast;

/**
 * How to fit one candidate model: a name, the minimum history it needs, and the fit itself.
 * Package-private plumbing shared by every forecaster of this module.
 */
interface ModelSpec {

  /** A short name for reports, e.g. {@code hw-add-damped-24}. */
  String name();

  /** Whether the model can be fitted on {@code n} clean values ({@code positive}: all > 0). */
  boolean applicable(int n, boolean positive);

  /**
   * Fits the model on values that are finite or NaN (a missing step), which it reads but never
   * modifies (the candidates of a refit share one array); {@code previous} is the last fit of the
   * same spec on the same series, or null, and may be used as a warm start. A missing step is
   * treated as live use treats it: the model is fed its own one-step forecast there, and the step
   * counts in no fitted error; no value after a step is used in its place.
   */
  default PointModel fit(double[] y, PointModel previous) {
    return fit(y, previous, 0);
  }

  /**
   * Fits as {@link #fit(double[], PointModel)}, a missing step being fed the model's one-step
   * forecast but at least {@code floor}, or the last present value when that forecast is not
   * finite: what live use feeds it ({@code ModelForecaster.State.standIn}). The floor is 0 on
   * the scale of the data, and its image on a transformed scale.
   */
  PointModel fit(double[] y, PointModel previous, double floor);

  /**
   * What {@link #fit} can warm-start from, taken from a model this spec fitted, kept small (no
   * seasonal state) so that a candidate not in use can be kept until the next refit; null when the
   * fit does not warm-start (the default).
   */
  default PointModel warmStart(PointModel fitted) {
    return null;
  }
}
