package dev.prescaler.simulator.trace;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A whole trace in memory: a name and its samples in strictly increasing time order.
 *
 * <p>Times are held as epoch milliseconds and values as doubles, so that a month of one-minute
 * samples costs two arrays rather than forty thousand objects.
 */
public final class Trace {
  private final String name;
  private final long[] times;
  private final double[] values;

  private Trace(String name, long[] times, double[] values) {
    this.name = name;
    this.times = times;
    this.values = values;
  }

  /**
   * A trace of the given samples.
   *
   * @param name the trace's name for reports (usually the file name)
   * @param samples at least one sample, in strictly increasing time order
   * @throws IllegalArgumentException when empty or not strictly increasing
   */
  public static Trace of(String name, List<Sample> samples) {
    Objects.requireNonNull(name, "name");
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("samples must hold at least one sample, but was empty");
    }
    long[] t = new long[samples.size()];
    double[] v = new double[samples.size()];
    for (int i = 0; i < t.length; i++) {
      Sample s = samples.get(i);
      t[i] = s.time().toEpochMilli();
      v[i] = s.value();
      if (i > 0 && t[i] <= t[i - 1]) {
        throw new IllegalArgumentException("sample times must increase strictly, but sample " + i
            + " at " + s.time() + " follows " + Instant.ofEpochMilli(t[i - 1]));
      }
    }
    return new Trace(name, t, v);
  }

  /** The trace's name. */
  public String name() {
    return name;
  }

  /** The number of samples, &ge; 1. */
  public int size() {
    return times.length;
  }

  /** The time of sample {@code i}. */
  public Instant time(int i) {
    return Instant.ofEpochMilli(times[i]);
  }

  /** The time of sample {@code i}, in epoch milliseconds. */
  public long timeMillis(int i) {
    return times[i];
  }

  /** The value of sample {@code i}. */
  public double value(int i) {
    return values[i];
  }

  /** The first sample's time. */
  public Instant start() {
    return time(0);
  }

  /** The last sample's time. */
  public Instant end() {
    return time(times.length - 1);
  }

  /** The largest value. */
  public double max() {
    return Arrays.stream(values).max().orElseThrow();
  }

  /**
   * The demand at {@code epochMillis} by linear interpolation between the samples around it; the
   * first or last value outside the trace.
   */
  public double valueAt(long epochMillis) {
    int i = Arrays.binarySearch(times, epochMillis);
    if (i >= 0) {
      return values[i];
    }
    int after = -i - 1;
    if (after == 0) {
      return values[0];
    }
    if (after == times.length) {
      return values[times.length - 1];
    }
    int before = after - 1;
    double f = (double) (epochMillis - times[before]) / (times[after] - times[before]);
    return values[before] + f * (values[after] - values[before]);
  }

  @Override
  public String toString() {
    return "Trace{" + name + ", " + times.length + " samples, " + start() + " .. " + end() + "}";
  }
}
