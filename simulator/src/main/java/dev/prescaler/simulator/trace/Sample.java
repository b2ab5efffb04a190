package dev.prescaler.simulator.trace;

import java.time.Instant;
import java.util.Objects;

/**
 * One sample of a trace: the total demand measured at an instant.
 *
 * @param time when it was measured
 * @param value the demand, in the trace's own unit; finite and &ge; 0
 */
public record Sample(Instant time, double value) {
  /** Validates. */
  public Sample {
    Objects.requireNonNull(time, "time");
    if (!Double.isFinite(value) || value < 0) {
      throw new IllegalArgumentException("value must be finite and >= 0, but was " + value);
    }
  }
}
