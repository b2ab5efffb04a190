package dev.prescaler.forecast;

import dev.prescaler.core.MetricSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Puts irregularly spaced samples on a regular grid aligned to the epoch: each step holds the mean
 * of the samples that fall in it, and steps without a sample are NaN (missing), as the engine's
 * history does.
 */
public final class Resampler {
  private Resampler() {}

  /**
   * Resamples time-ordered samples.
   *
   * @param epochMillis sample times, non-decreasing, in epoch milliseconds
   * @param values sample values, finite, same length
   * @param step grid step, &gt; 0
   * @return the series from the step of the first sample to the step of the last
   */
  public static MetricSeries toGrid(long[] epochMillis, double[] values, Duration step) {
    Objects.requireNonNull(epochMillis, "epochMillis");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(step, "step");
    if (step.isZero() || step.isNegative()) {
      throw new IllegalArgumentException("step must be > 0, but was " + step);
    }
    if (epochMillis.length != values.length || values.length == 0) {
      throw new IllegalArgumentException("values.length must equal epochMillis.length ("
          + epochMillis.length + ") and be > 0, but was " + values.length);
    }
    long s = step.toMillis();
    long first = Math.floorDiv(epochMillis[0], s);
    long last = Math.floorDiv(epochMillis[epochMillis.length - 1], s);
    if (last < first) {
      throw new IllegalArgumentException("epochMillis must be non-decreasing, but the last ("
          + epochMillis[epochMillis.length - 1] + ") is before the first (" + epochMillis[0]
          + ")");
    }
    if (last - first >= Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("the samples must span fewer than 2^31 steps, but "
          + "spanned " + (last - first + 1));
    }
    int n = (int) (last - first + 1);
    double[] sum = new double[n];
    int[] cnt = new int[n];
    long prev = Long.MIN_VALUE;
    for (int i = 0; i < values.length; i++) {
      if (epochMillis[i] < prev) {
        throw new IllegalArgumentException("epochMillis must be non-decreasing, but ["
            + i + "] = " + epochMillis[i] + " < " + prev);
      }
      prev = epochMillis[i];
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("values[" + i + "] must be finite, but was "
            + values[i]);
      }
      int k = (int) (Math.floorDiv(epochMillis[i], s) - first);
      sum[k] += values[i];
      cnt[k]++;
    }
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = cnt[i] > 0 ? sum[i] / cnt[i] : Double.NaN;
    }
    return MetricSeries.of(Instant.ofEpochMilli(first * s), step, out);
  }
}
