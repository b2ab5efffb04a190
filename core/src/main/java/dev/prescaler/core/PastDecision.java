package dev.prescaler.core;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A decision of an earlier tick, as the engine remembers it for time-based policies
 * (stabilization windows, cooldowns, rate limits).
 *
 * <p>Only a tick with a known replica count is remembered: a hold whose count neither the metric
 * source nor the executor reported (journaled with a count of -1) is not one.
 *
 * @param time when it was made
 * @param current the count at the time, &ge; 0
 * @param desired the count decided (after the engine's clamp), &ge; 0
 * @param applied whether the count was actually changed by it
 * @param marks the proposal's marks
 */
public record PastDecision(Instant time, int current, int desired, boolean applied,
    Map<String, Integer> marks) {
  /**
   * Validates and copies the marks.
   *
   * @throws IllegalArgumentException when a count is negative
   */
  public PastDecision {
    Objects.requireNonNull(time, "time");
    if (current < 0) {
      throw new IllegalArgumentException("current must be >= 0, but was " + current);
    }
    if (desired < 0) {
      throw new IllegalArgumentException("desired must be >= 0, but was " + desired);
    }
    marks = Map.copyOf(marks);
  }
}
