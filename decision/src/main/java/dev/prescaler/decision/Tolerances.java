package dev.prescaler.decision;

/**
 * The HPA's dead band around a usage ratio of 1: no change while {@code 1 - down <= ratio <= 1 +
 * up}. Kubernetes' default is 0.1 both ways (the controller's {@code
 * --horizontal-pod-autoscaler-tolerance}; separately configurable per direction since 1.33).
 *
 * <p>Like the API server ({@code HPAScalingRules.tolerance} must be greater than or equal to
 * zero), any finite tolerance &ge; 0 is accepted: a scale-down tolerance of 1 or more never
 * scales down, a wide scale-up one rarely scales up.
 *
 * @param up the tolerance above 1, finite and &ge; 0
 * @param down the tolerance below 1, finite and &ge; 0
 */
public record Tolerances(double up, double down) {
  /** The Kubernetes default tolerance: 0.1. */
  public static final double DEFAULT_TOLERANCE = 0.1;
  /** 0.1 up and down. */
  public static final Tolerances DEFAULT = new Tolerances(DEFAULT_TOLERANCE, DEFAULT_TOLERANCE);

  /** Validates both tolerances. */
  public Tolerances {
    String problem = problem("toleranceUp", up);
    if (problem == null) {
      problem = problem("toleranceDown", down);
    }
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** What is wrong with a tolerance named {@code field}, or null when it is valid. */
  static String problem(String field, double tolerance) {
    return tolerance >= 0 && Double.isFinite(tolerance) ? null
        : field + " must be >= 0 and finite, but was " + tolerance;
  }

  /** Whether {@code usageRatio} is close enough to 1 for no change. */
  public boolean isWithin(double usageRatio) {
    return usageRatio >= 1.0 - down && usageRatio <= 1.0 + up;
  }
}
