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
  /*
   * Performance: forecasters and policies read this ring on every refresh (countPresent, toArray,
   * value, timeOf, end), so those are overridden with direct loops over the two segments of the
   * ring and epoch-millisecond arithmetic. MetricSeries' defaults go through value(i) one index at
   * a time, and timeOf through Duration.multipliedBy, which computes in BigDecimal. The results
   * are identical to the defaults (timeOf falls back to them for steps with sub-millisecond
   * parts).
   */
  private final long stepMillis;
  private final boolean wholeMillis;
  private final Duration step;
  private final double[] ring;
  private int size;
  private int head; // index in ring of the oldest closed step
  private long lastClosed = Long.MIN_VALUE; // absolute step index of the newest closed step
  private long open = Long.MIN_VALUE; // absolute step index of the open step
  private double openSum;
  private double openMean; // running mean of the open step, used when openSum overflows
  private int openCount;

  LoadHistory(Duration step, int capacity) {
    this.step = step;
    this.stepMillis = step.toMillis();
    this.wholeMillis = step.equals(Duration.ofMillis(stepMillis));
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
    openMean += (value - openMean) / openCount;
    return closed;
  }

  private int closeUntil(long idx) {
    int closed = 0;
    append(openCount == 0 ? Double.NaN : closingMean());
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
    openMean = 0;
    openCount = 0;
    return closed;
  }

  /**
   * The open step's mean: sum / count, the exact form, unless the sum of finite values overflowed
   * (two samples near {@link Double#MAX_VALUE}); then the running mean, which cannot overflow.
   */
  private double closingMean() {
    return Double.isFinite(openSum) ? openSum / openCount : openMean;
  }

  private void append(double v) {
    if (size < ring.length) {
      ring[index(size)] = v;
      size++;
    } else {
      ring[head] = v;
      head = head + 1 == ring.length ? 0 : head + 1;
    }
  }

  /** The ring index of step {@code i} (0 = oldest), for {@code 0 <= i < ring.length}. */
  private int index(int i) {
    int j = head + i;
    return j >= ring.length ? j - ring.length : j;
  }

  /**
   * Discards the steps that begin after {@code time} (stamped by a clock that was ahead), so that
   * the step of {@code time} is open again for samples; whether anything was discarded. The
   * closed steps before it are kept.
   */
  boolean rewind(Instant time) {
    long idx = Math.floorDiv(time.toEpochMilli(), stepMillis);
    if (open == Long.MIN_VALUE || open <= idx) {
      return false;
    }
    int keep = size == 0 ? 0 : (int) Math.max(0, Math.min(size, idx - (lastClosed - size + 1)));
    openSum = 0;
    openMean = 0;
    openCount = 0;
    if (keep == 0) {
      size = 0;
      head = 0;
      lastClosed = Long.MIN_VALUE;
      open = Long.MIN_VALUE;
      return true;
    }
    lastClosed = lastClosed - size + keep;
    size = keep;
    open = lastClosed + 1;
    return true;
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
    return ring[index(i)];
  }

  @Override
  public Instant timeOf(int i) {
    if (!wholeMillis) {
      return MetricSeries.super.timeOf(i);
    }
    return Instant.ofEpochMilli((lastClosed - size + 1 + i) * stepMillis);
  }

  @Override
  public double[] toArray() {
    double[] out = new double[size];
    int first = Math.min(size, ring.length - head);
    System.arraycopy(ring, head, out, 0, first);
    System.arraycopy(ring, 0, out, first, size - first);
    return out;
  }

  @Override
  public int countPresent() {
    int first = Math.min(size, ring.length - head);
    return present(head, head + first) + present(0, size - first);
  }

  private int present(int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      if (!Double.isNaN(ring[i])) {
        n++;
      }
    }
    return n;
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
