package dev.prescaler.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A time series on a regular grid: value {@code i} belongs to the step starting at {@code start +
 * i × step}. Missing steps are {@code NaN}; present values are finite.
 *
 * <p>The engine hands forecasters a read-only view over its own ring buffer, valid during the
 * call: a forecaster that keeps values must copy them ({@link #toArray()}).
 */
public interface MetricSeries {

  /** Start of the first step. */
  Instant start();

  /** Grid step, &gt; 0. */
  Duration step();

  /** Number of steps. */
  int size();

  /** Value of step {@code i}, NaN when missing. */
  double value(int i);

  /** Start of step {@code i}. */
  default Instant timeOf(int i) {
    return start().plus(step().multipliedBy(i));
  }

  /** End of the last step (exclusive). */
  default Instant end() {
    return timeOf(size());
  }

  /** Whether there are no steps. */
  default boolean isEmpty() {
    return size() == 0;
  }

  /** A copy of the values. */
  default double[] toArray() {
    double[] out = new double[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = value(i);
    }
    return out;
  }

  /** The number of non-NaN values. */
  default int countPresent() {
    int n = 0;
    for (int i = 0; i < size(); i++) {
      if (!Double.isNaN(value(i))) {
        n++;
      }
    }
    return n;
  }

  /** A series holding a copy of {@code values}; each must be finite or NaN. */
  static MetricSeries of(Instant start, Duration step, double... values) {
    return new ArraySeries(start, step, values.clone());
  }

  /** An array-backed series. */
  final class ArraySeries implements MetricSeries {
    private final Instant start;
    private final Duration step;
    private final double[] values;

    ArraySeries(Instant start, Duration step, double[] values) {
      this.start = Objects.requireNonNull(start, "start");
      this.step = Objects.requireNonNull(step, "step");
      if (step.isZero() || step.isNegative()) {
        throw new IllegalArgumentException("step must be > 0, but was " + step);
      }
      for (int i = 0; i < values.length; i++) {
        if (Double.isInfinite(values[i])) {
          throw new IllegalArgumentException(
              "values[" + i + "] must be finite or NaN, but was " + values[i]);
        }
      }
      this.values = values;
    }

    @Override
    public Instant start() {
      return start;
    }

    @Override
    public Duration step() {
      return step;
    }

    @Override
    public int size() {
      return values.length;
    }

    @Override
    public double value(int i) {
      return values[i];
    }

    @Override
    public String toString() {
      return "MetricSeries{start=" + start + ", step=" + step + ", size=" + values.length + "}";
    }
  }
}
