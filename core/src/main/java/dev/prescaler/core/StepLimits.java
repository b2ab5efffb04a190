package dev.prescaler.core;

/**
 * The largest change of the replica count the engine allows in one decision, applied after every
 * policy. Up: at most {@code max(upPods, ceil(current × upPercent / 100))} more replicas. Down: at
 * most {@code max(downPods, floor(current × downPercent / 100))} fewer. The defaults are the
 * Kubernetes HPA's default behavior per 15 s period: up by 4 pods or 100 %, whichever is more; down
 * by up to 100 %.
 *
 * <p>From 0 replicas (a workload with {@code minReplicas} 0), at least one replica may always be
 * added: a percentage of 0 is 0, so percent-only limits ({@code upPods} 0) would otherwise never
 * let the workload leave 0. (The HPA's own percent policies share that trap; the HPA only avoids
 * it by not scaling from 0 at all without its alpha {@code HPAScaleToZero} gate.)
 *
 * @param upPods pods that may always be added, &ge; 0
 * @param upPercent percent of the current count that may be added, &ge; 0
 * @param downPods pods that may always be removed, &ge; 0
 * @param downPercent percent of the current count that may be removed, 0 to 100
 */
public record StepLimits(int upPods, double upPercent, int downPods, double downPercent) {
  /** The HPA's default behavior: +4 pods or +100 %, −100 %. */
  public static final StepLimits DEFAULT = new StepLimits(4, 100, 0, 100);

  /** Validates each field. */
  public StepLimits {
    if (upPods < 0) {
      throw new IllegalArgumentException("stepLimits.upPods must be >= 0, but was " + upPods);
    }
    if (!(upPercent >= 0) || !Double.isFinite(upPercent)) {
      throw new IllegalArgumentException(
          "stepLimits.upPercent must be >= 0 and finite, but was " + upPercent);
    }
    if (downPods < 0) {
      throw new IllegalArgumentException("stepLimits.downPods must be >= 0, but was " + downPods);
    }
    if (!(downPercent >= 0 && downPercent <= 100)) {
      throw new IllegalArgumentException(
          "stepLimits.downPercent must be in [0, 100], but was " + downPercent);
    }
    if (upPods == 0 && upPercent == 0) {
      throw new IllegalArgumentException(
          "stepLimits must allow some scale-up (upPods or upPercent > 0), but both were 0");
    }
  }

  /**
   * The highest count allowed from {@code current}: {@code current + max(upPods, ceil(current ×
   * upPercent / 100))}, saturated at {@link Integer#MAX_VALUE}; never below {@code current},
   * however large {@code upPercent} is; at least 1 from 0, so that percent-only limits can leave 0.
   */
  public int maxUp(int current) {
    // A huge percentage makes the double product exceed any long: the cast saturates it at
    // Long.MAX_VALUE, so the sum must not be done in long arithmetic (it wrapped to a small
    // count, turning a scale-up into a scale-down). Saturate each term at int range first.
    double pct = Math.ceil(current * upPercent / 100.0);
    long allowed = Math.max(upPods, pct >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (long) pct);
    if (current == 0) {
      allowed = Math.max(1, allowed); // a percentage of 0 is 0: it could never leave 0
    }
    return (int) Math.min(Integer.MAX_VALUE, current + allowed);
  }

  /**
   * The lowest count allowed from {@code current}: {@code current − max(downPods, floor(current ×
   * downPercent / 100))}, never below 0 nor above {@code current}.
   */
  public int maxDown(int current) {
    long pct = (long) Math.floor(current * downPercent / 100.0);
    long allowed = Math.max(downPods, pct);
    return (int) Math.max(0, current - allowed);
  }
}
