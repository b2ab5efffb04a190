package dev.prescaler.core;

import java.util.Objects;

/**
 * Why one step of a decision changed (or kept) the replica count.
 *
 * @param step the policy or engine step, e.g. {@code hpa}, {@code cooldown}, {@code clamp}
 * @param from the count before the step
 * @param to the count after the step
 * @param message why, in words, with the numbers that mattered
 */
public record Reason(String step, int from, int to, String message) {
  /** Requires the texts. */
  public Reason {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return step + ": " + (from == to ? "kept " + to : from + " -> " + to) + " (" + message + ")";
  }
}
