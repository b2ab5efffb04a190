package dev.prescaler.forecast;

import dev.prescaler.core.MetricSeries;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Puts irregularly spaced samples on a regular grid aligned to the epoch: each step holds the mean
 * of the samples that fall in it, and steps without a sample are NaN (missing), as the engine's
 * history does.
 */
public final class Resampler {
  /**
   * The most steps a grid may have: 10,000,000 (a year of 15-second steps is 2.1 million, 115
   * days of 1-second steps are 10 million), as many as {@code forecast-eval} and the Prometheus
   * source accept. Resampling takes about 28 bytes a step (280 MB at the limit); the only guard
   * used to be 2^31 steps, which no 2 GiB heap could hold.
   */
  public static final int MAX_STEPS = 10_000_000;

  private static final Duration LONGEST_STEP = Duration.ofMillis(Long.MAX_VALUE);

  private Resampler() {}

  /**
   * Resamples time-ordered samples.
   *
   * @param epochMillis sample times, non-decreasing, in epoch milliseconds
   * @param values sample values, finite, same length
   * @param step grid step, a whole number of milliseconds, at least 1 ms and at most 2^63 - 1 ms
   * @return the series from the step of the first sample to the step of the last
   * @throws IllegalArgumentException if the step is out of that range or not whole milliseconds
   *     (the samples are in milliseconds), the samples are out of order or not finite, or they span
   *     more than {@link #MAX_STEPS} steps (the message names the span and the step); nothing is
   *     allocated before the samples are checked
   */
  public static MetricSeries toGrid(long[] epochMillis, double[] values, Duration step) {
    Objects.requireNonNull(epochMillis, "epochMillis");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(step, "step");
    if (step.isZero() || step.isNegative()) {
      throw new IllegalArgumentException("step must be > 0, but was " + step);
    }
    if (step.compareTo(LONGEST_STEP) > 0) {
      // step.toMillis() would throw ArithmeticException.
      throw new IllegalArgumentException("step must be at most " + LONGEST_STEP + " (2^63 - 1 ms),"
          + " but was " + step);
    }
    if (step.toMillis() < 1 || step.getNano() % 1_000_000 != 0) {
      // Binned by step.toMillis(): 0.5 ms divided by zero, 1.5 ms binned at 1 ms.
      throw new IllegalArgumentException("step must be a whole number of milliseconds, at least "
          + "1 ms, but was " + step);
    }
    if (epochMillis.length != values.length || values.length == 0) {
      throw new IllegalArgumentException("values.length must equal epochMillis.length ("
          + epochMillis.length + ") and be > 0, but was " + values.length);
    }
    // Every sample is checked before anything is allocated: a time out of order in the middle
    // used to be binned first, past the end of the grid (ArrayIndexOutOfBoundsException).
    for (int i = 0; i < values.length; i++) {
      if (i > 0 && epochMillis[i] < epochMillis[i - 1]) {
        throw new IllegalArgumentException("epochMillis must be non-decreasing, but ["
            + i + "] = " + epochMillis[i] + " < " + epochMillis[i - 1]);
      }
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("values[" + i + "] must be finite, but was "
            + values[i]);
      }
    }
    long s = step.toMillis();
    long first = Math.floorDiv(epochMillis[0], s);
    long last = Math.floorDiv(epochMillis[epochMillis.length - 1], s);
    // last >= first: their difference is exact read unsigned (it passes 2^63 for samples at
    // both ends of the long range, 1 ms apart).
    if (Long.compareUnsigned(last - first, MAX_STEPS) >= 0) {
      BigInteger steps = BigInteger.valueOf(last).subtract(BigInteger.valueOf(first))
          .add(BigInteger.ONE);
      throw new IllegalArgumentException("the samples must span at most " + MAX_STEPS
          + " steps, but spanned " + steps + " steps of " + step + " (from "
          + Instant.ofEpochMilli(epochMillis[0]) + " to "
          + Instant.ofEpochMilli(epochMillis[epochMillis.length - 1]) + "): use a longer step");
    }
    int n = (int) (last - first + 1);
    double[] sum = new double[n];
    int[] cnt = new int[n];
    for (int i = 0; i < values.length; i++) {
      int k = (int) (Math.floorDiv(epochMillis[i], s) - first);
      sum[k] += values[i];
      cnt[k]++;
    }
    double[] out = new double[n];
    boolean overflowed = false;
    for (int i = 0; i < n; i++) {
      out[i] = cnt[i] > 0 ? sum[i] / cnt[i] : Double.NaN;
      overflowed |= Double.isInfinite(sum[i]);
    }
    if (overflowed) {
      rescale(epochMillis, values, s, first, sum, cnt, out);
    }
    return MetricSeries.of(Instant.ofEpochMilli(first * s), step, out);
  }

  /**
   * Averages again, as a sum of {@code v / count}, the steps whose plain sum overflowed (finite
   * values near {@link Double#MAX_VALUE}); the other steps keep the plain mean, which rounds
   * differently. A sum of {@code v / count} can overflow only by rounding, when the mean is within
   * rounding of the largest double, which it then is.
   */
  private static void rescale(long[] epochMillis, double[] values, long s, long first,
      double[] sum, int[] cnt, double[] out) {
    double[] scaled = new double[out.length];
    for (int i = 0; i < values.length; i++) {
      int k = (int) (Math.floorDiv(epochMillis[i], s) - first);
      if (Double.isInfinite(sum[k])) {
        scaled[k] += values[i] / cnt[k];
      }
    }
    for (int k = 0; k < out.length; k++) {
      if (Double.isInfinite(sum[k])) {
        out[k] = Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, scaled[k]));
      }
    }
  }
}
