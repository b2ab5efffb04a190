package dev.prescaler.forecast;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Detects daily and weekly seasonal periods from a history's autocorrelation at the data's step:
 * a candidate period {@code p} (one day and one week in steps, e.g. 1,440 and 10,080 at one
 * minute, 24 and 168 at one hour) is kept when the history covers at least two of them and the
 * lag-{@code p} autocorrelation is at least {@link #DEFAULT_THRESHOLD}.
 */
public final class Seasonality {
  /** Default minimum lag autocorrelation for a period to count as seasonal: 0.2. */
  public static final double DEFAULT_THRESHOLD = 0.2;

  /** Largest magnitude that {@link #autocorrelation} uses without rescaling: 1e100. */
  static final double HUGE = 1e100;

  /** Smallest largest magnitude that {@link #autocorrelation} uses without rescaling: 1e-100. */
  static final double TINY = 1e-100;

  private Seasonality() {}

  /**
   * The daily and weekly candidate periods, in steps, for a grid step: those of at least 2 steps
   * that the step divides exactly.
   */
  public static int[] candidates(Duration step) {
    Objects.requireNonNull(step, "step");
    if (step.isZero() || step.isNegative()) {
      throw new IllegalArgumentException("step must be > 0, but was " + step);
    }
    List<Integer> out = new ArrayList<>();
    for (Duration d : new Duration[] {Duration.ofDays(1), Duration.ofDays(7)}) {
      long ms = step.toMillis();
      if (ms > 0 && d.toMillis() % ms == 0 && d.toMillis() / ms >= 2
          && d.toMillis() / ms <= 1_000_000) {
        out.add((int) (d.toMillis() / ms));
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The candidate periods (ascending) that {@code y} shows: at least two seasons long and lag
   * autocorrelation at least {@code threshold}, whatever the values' unit (see {@link
   * #autocorrelation}). {@code y} must be finite.
   */
  public static int[] detect(double[] y, Duration step, double threshold) {
    int[] cands = candidates(step);
    y = inSafeRange(y); // once for every candidate
    List<Integer> out = new ArrayList<>();
    for (int p : cands) {
      if (y.length >= 2 * p && autocorrelation(y, p) >= threshold) {
        out.add(p);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The sample autocorrelation of {@code y} at {@code lag} (0 when the series is constant),
   * whatever the values' unit: values whose largest magnitude is above 1e100 or below 1e-100 are
   * first multiplied by the power of two that brings it to [1, 2), exactly for every value that
   * stays normal, so that the squared deviations neither overflow (values beyond about 1e154
   * gave NaN) nor underflow (values near 1e-300 gave 0). Other values are used as they are.
   */
  public static double autocorrelation(double[] y, int lag) {
    int n = y.length;
    if (lag <= 0 || lag >= n) {
      return 0;
    }
    y = inSafeRange(y);
    double mean = 0;
    for (double v : y) {
      mean += v;
    }
    mean /= n;
    double den = 0;
    for (double v : y) {
      den += (v - mean) * (v - mean);
    }
    if (den <= 0) {
      return 0;
    }
    double num = 0;
    for (int i = lag; i < n; i++) {
      num += (y[i] - mean) * (y[i - lag] - mean);
    }
    return num / den;
  }

  /**
   * {@code y} itself when its largest magnitude is in [{@link #TINY}, {@link #HUGE}], 0 or not
   * finite; otherwise a copy multiplied by the power of two that brings it to [1, 2). In that
   * range the sums of squared deviations of up to 2^31 values neither overflow nor underflow,
   * and results for ordinary magnitudes stay what they were, to the bit.
   */
  static double[] inSafeRange(double[] y) {
    double max = 0;
    for (double v : y) {
      max = Math.max(max, Math.abs(v));
    }
    if (max == 0 || !Double.isFinite(max) || max >= TINY && max <= HUGE) {
      return y;
    }
    int k = -Math.getExponent(max); // a subnormal's exponent is -1023: it lands below 2 too
    double[] out = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      out[i] = Math.scalb(y[i], k);
    }
    return out;
  }
}
