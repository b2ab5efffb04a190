package dev.prescaler.decision;

/** Standard normal quantiles, for rescaling a forecast interval to another risk level. */
final class Quantiles {
  private Quantiles() {}

  /**
   * The standard normal quantile of {@code p} in (0, 1), by the rational approximation 26.2.23 of
   * Abramowitz and Stegun (absolute error below 4.5e-4).
   */
  static double normal(double p) {
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException("p must be in (0, 1), but was " + p);
    }
    if (p == 0.5) {
      return 0;
    }
    double q = p < 0.5 ? p : 1 - p;
    double t = Math.sqrt(-2 * Math.log(q));
    double z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
        / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
    return p < 0.5 ? -z : z;
  }
}
