package dev.prescaler.benchmarks;

import dev.prescaler.core.MetricSeries;
import java.time.Duration;
import java.time.Instant;

/**
 * A read-only {@link MetricSeries} whose values a subclass gives on demand: the base of the
 * benchmarks' views ({@link ForecasterBenchmark}'s window, {@link SyntheticLoadSource}'s history).
 * {@link #value} checks the index as the engine's history ring does.
 */
abstract class GridSeries implements MetricSeries {
  private final Instant start;
  private final Duration step;
  private final int size;

  GridSeries(Instant start, Duration step, int size) {
    this.start = start;
    this.step = step;
    this.size = size;
  }

  /** The value of step {@code i}, for {@code 0 <= i < size()} (checked by the caller). */
  abstract double at(int i);

  @Override
  public final Instant start() {
    return start;
  }

  @Override
  public final Duration step() {
    return step;
  }

  @Override
  public final int size() {
    return size;
  }

  @Override
  public final double value(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("index " + i + " of " + size);
    }
    return at(i);
  }
}
