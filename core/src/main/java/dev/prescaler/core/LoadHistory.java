package dev.prescaler.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * A fixed-capacity ring of per-step mean loads on a grid aligned to the epoch. Samples accumulate
 * into the open step; when a sample falls into a later step, the open one closes (its mean is
 * appended) and skipped steps are appended as NaN. Not thread-safe: owned by one workload's state.
 */
final class LoadHistory implements MetricSeries {
  private final long stepMillis;
  private final Duration step;
  private final double[] ring;
  private int size;
  private int head; // index in ring of the oldest closed step
  private long lastClosed = Long.MIN_VALUE; // absolute step index of the newest closed step
  private long open = Long.MIN_VALUE; // absolute step index of the open step
  private double openSum;
  private int openCount;

  LoadHistory(Duration step, int capacity) {
    this.step = step;
    this.stepMillis = step.toMillis();
    this.ring = new double[capacity];
  }

  /**
   * Adds a sample; returns the number of steps closed by it. Samples older than the open step are
   * ignored (the engine rejects out-of-order data before this).
   */
  int add(Instant time, double value) {
    long idx = Math.floorDiv(time.toEpochMilli(), stepMillis);
    if (open == Long.MIN_VALUE) {
      open = idx;
    }
    if (idx < open) {
      return 0;
    }
    int closed = 0;
    if (idx > open) {
      closed = closeUntil(idx);
    }
    openSum += value;
    openCount++;
    return closed;
  }

  private int closeUntil(long idx) {
    int closed = 0;
    append(openCount > 0 ? openSum / openCount : Double.NaN);
    lastClosed = open;
    closed++;
    long gap = idx - open - 1;
    long fill = Math.min(gap, ring.length);
    if (gap > fill) {
      // A gap longer than the whole ring: nothing of the old history survives.
      size = 0;
      head = 0;
    }
    for (long i = 0; i < fill; i++) {
      append(Double.NaN);
      closed++;
    }
    lastClosed = idx - 1;
    open = idx;
    openSum = 0;
    openCount = 0;
    return closed;
  }

  private void append(double v) {
    if (size < ring.length) {
      ring[(head + size) % ring.length] = v;
      size++;
    } else {
      ring[head] = v;
      head = (head + 1) % ring.length;
    }
  }

  /** Whether at least one step has closed. */
  boolean hasClosed() {
    return size > 0;
  }

  /** The newest closed step's value (NaN when missing or none). */
  double last() {
    return size == 0 ? Double.NaN : value(size - 1);
  }

  @Override
  public Instant start() {
    long first = lastClosed - size + 1;
    return Instant.ofEpochMilli(first * stepMillis);
  }

  @Override
  public Duration step() {
    return step;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public double value(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("index " + i + " of " + size);
    }
    return ring[(head + i) % ring.length];
  }

  /** An immutable copy. */
  MetricSeries snapshot() {
    return size == 0 ? MetricSeries.of(Instant.EPOCH, step) : MetricSeries.of(start(), step,
        toArray());
  }

  @Override
  public String toString() {
    return "LoadHistory{size=" + size + ", step=" + step + ", last="
        + Arrays.toString(new double[] {last()}) + "}";
  }
}
