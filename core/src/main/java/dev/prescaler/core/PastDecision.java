package dev.prescaler.core;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A decision of an earlier tick, as the engine remembers it for time-based policies
 * (stabilization windows, cooldowns, rate limits).
 *
 * @param time when it was made
 * @param current the count at the time
 * @param desired the count decided (after the engine's clamp)
 * @param applied whether the count was actually changed by it
 * @param marks the proposal's marks
 */
public record PastDecision(Instant time, int current, int desired, boolean applied,
    Map<String, Integer> marks) {
  /** Copies the marks. */
  public PastDecision {
    Objects.requireNonNull(time, "time");
    marks = Map.copyOf(marks);
  }
}
