package dev.prescaler.core;

import java.util.Objects;

/**
 * Why one step of a decision changed (or kept) the replica count.
 *
 * <p>A count is &ge; 0, but for one sentinel: {@code -1} for both {@code from} and {@code to} is
 * an unknown count, held. The engine journals such a reason when it holds a workload whose
 * replica count neither the metric source nor the executor reported ({@code DecisionRecord}'s
 * {@code current} is -1 then too).
 *
 * @param step the policy or engine step, e.g. {@code hpa}, {@code cooldown}, {@code clamp}
 * @param from the count before the step; -1 when unknown (then {@code to} is -1 too)
 * @param to the count after the step; -1 when unknown (then {@code from} is -1 too)
 * @param message why, in words, with the numbers that mattered
 */
public record Reason(String step, int from, int to, String message) {
  /**
   * Requires the texts, and counts that are &ge; 0 or both -1.
   *
   * @throws IllegalArgumentException when a count is below -1, or only one of them is -1
   */
  public Reason {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(message, "message");
    if (from < -1) {
      throw new IllegalArgumentException(
          "from must be >= 0, or -1 for an unknown count, but was " + from);
    }
    if (to < -1) {
      throw new IllegalArgumentException(
          "to must be >= 0, or -1 for an unknown count, but was " + to);
    }
    if ((from == -1) != (to == -1)) {
      throw new IllegalArgumentException("from and to must both be >= 0, or both -1 (an unknown "
          + "count), but were " + from + " and " + to);
    }
  }

  @Override
  public String toString() {
    return step + ": " + (from == to ? "kept " + to : from + " -> " + to) + " (" + message + ")";
  }
}
