package dev.prescaler.decision;

/**
 * The HPA's dead band around a usage ratio of 1: no change while {@code 1 - down <= ratio <= 1 +
 * up}. Kubernetes' default is 0.1 both ways (the controller's {@code
 * --horizontal-pod-autoscaler-tolerance}; separately configurable per direction since 1.33).
 *
 * @param up the tolerance above 1, in [0, 10]
 * @param down the tolerance below 1, in [0, 1]
 */
public record Tolerances(double up, double down) {
  /** The Kubernetes default tolerance: 0.1. */
  public static final double DEFAULT_TOLERANCE = 0.1;
  /** 0.1 up and down. */
  public static final Tolerances DEFAULT = new Tolerances(DEFAULT_TOLERANCE, DEFAULT_TOLERANCE);

  /** Validates both tolerances. */
  public Tolerances {
    if (!(up >= 0 && up <= 10)) {
      throw new IllegalArgumentException("toleranceUp must be in [0, 10], but was " + up);
    }
    if (!(down >= 0 && down <= 1)) {
      throw new IllegalArgumentException("toleranceDown must be in [0, 1], but was " + down);
    }
  }

  /** Whether {@code usageRatio} is close enough to 1 for no change. */
  public boolean isWithin(double usageRatio) {
    return usageRatio >= 1.0 - down && usageRatio <= 1.0 + up;
  }
}
