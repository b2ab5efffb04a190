package dev.prescaler.simulator.cluster;

import dev.prescaler.simulator.trace.Trace;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A trace resampled onto the sync grid by linear interpolation between its samples: step {@code i}
 * is the instant {@code start + i × step}, from the trace's first sample to its last.
 */
public final class DemandCurve {
  /**
   * The most grid steps a curve holds: 20,000,000 (9.5 years at 15 s; the longest shared trace,
   * NAB's NYC taxi, has 1.24 million). More would take hours and gigabytes per run.
   */
  public static final int MAX_STEPS = 20_000_000;

  private final Trace trace;
  private final Instant start;
  private final Duration step;
  private final double[] demand;
  private final double max;

  /**
   * Resamples {@code trace} onto a grid of {@code step}.
   *
   * @throws IllegalArgumentException when the step is not positive, or when the trace spans more
   *     than {@link #MAX_STEPS} grid steps (the message names the span, the step, the count and
   *     the smallest step that fits)
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
    long steps = span / stepMillis + 1;
    if (steps > MAX_STEPS) {
      long fits = -Math.floorDiv(-span, (MAX_STEPS - 1) * 1000L); // whole seconds, rounded up
      throw new IllegalArgumentException(String.format(Locale.ROOT, "the trace spans %s .. %s "
          + "(%d days), %,d grid steps at a sync period of %s s; at most %,d are simulated: give "
          + "a sync period of at least %d s (--sync-period)", start, trace.end(),
          span / 86_400_000L, steps, seconds(step), MAX_STEPS, fits));
    }
    int n = (int) steps;
    this.demand = new double[n];
    double m = 0;
    for (int i = 0; i < n; i++) {
      demand[i] = trace.valueAt(start.toEpochMilli() + i * stepMillis);
      m = Math.max(m, demand[i]);
    }
    this.max = m;
  }

  private static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
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
