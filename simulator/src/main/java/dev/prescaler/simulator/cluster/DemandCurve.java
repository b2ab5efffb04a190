package dev.prescaler.simulator.cluster;

import dev.prescaler.simulator.trace.Trace;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A trace resampled onto the sync grid by linear interpolation between its samples: step {@code i}
 * is the instant {@code start + i × step}, from the trace's first sample to its last.
 */
public final class DemandCurve {
  private final Trace trace;
  private final Instant start;
  private final Duration step;
  private final double[] demand;
  private final double max;

  /**
   * Resamples {@code trace} onto a grid of {@code step}.
   *
   * @throws IllegalArgumentException when the step is not positive
   */
  public DemandCurve(Trace trace, Duration step) {
    this.trace = Objects.requireNonNull(trace, "trace");
    this.step = Objects.requireNonNull(step, "step");
    if (step.isNegative() || step.isZero()) {
      throw new IllegalArgumentException("step must be > 0, but was " + step);
    }
    this.start = trace.start();
    long stepMillis = step.toMillis();
    long span = trace.end().toEpochMilli() - start.toEpochMilli();
    int n = (int) (span / stepMillis) + 1;
    this.demand = new double[n];
    double m = 0;
    for (int i = 0; i < n; i++) {
      demand[i] = trace.valueAt(start.toEpochMilli() + i * stepMillis);
      m = Math.max(m, demand[i]);
    }
    this.max = m;
  }

  /** The trace it was made from. */
  public Trace trace() {
    return trace;
  }

  /** The first grid instant (the trace's first sample). */
  public Instant start() {
    return start;
  }

  /** The grid step (the sync period). */
  public Duration step() {
    return step;
  }

  /** The number of grid steps. */
  public int size() {
    return demand.length;
  }

  /** The instant of step {@code i}. */
  public Instant time(int i) {
    return start.plusMillis(i * step.toMillis());
  }

  /** The demand at step {@code i}. */
  public double demand(int i) {
    return demand[i];
  }

  /** The largest demand on the grid. */
  public double max() {
    return max;
  }

  /**
   * The grid step holding {@code time} (its index, floored), possibly outside [0, size).
   */
  public long indexOf(Instant time) {
    return Math.floorDiv(time.toEpochMilli() - start.toEpochMilli(), step.toMillis());
  }
}
