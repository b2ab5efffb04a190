package dev.prescaler.decision;

import java.time.Duration;
import java.util.Objects;

/**
 * One HPA scaling policy ({@code behavior.scaleUp.policies[]}): how much the count may change
 * within one period, counted from the count at the period's start.
 *
 * @param type pods or percent
 * @param value pods, or percent of the count at the period's start; &gt; 0
 * @param period the period, in (0, 30 min] as the API allows
 */
public record ScalingPolicy(Type type, int value, Duration period) {
  /** How {@code value} is read. */
  public enum Type {
    /** An absolute number of pods. */
    PODS,
    /** A percentage of the count at the period's start. */
    PERCENT
  }

  /** Validates the fields. */
  public ScalingPolicy {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(period, "period");
    if (value <= 0) {
      throw new IllegalArgumentException("scaling policy value must be > 0, but was " + value);
    }
    if (period.isNegative() || period.isZero() || period.compareTo(Duration.ofMinutes(30)) > 0) {
      throw new IllegalArgumentException(
          "scaling policy period must be in (0, 30m], but was " + period);
    }
  }

  /** As in a manifest: {@code Pods 4 per 15s}, {@code Percent 100 per 60s}. */
  @Override
  public String toString() {
    return (type == Type.PODS ? "Pods " : "Percent ") + value + " per " + seconds(period);
  }

  /** {@code 15s}, or {@code 1500ms} when not whole seconds. */
  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  /** A Pods policy. */
  public static ScalingPolicy pods(int pods, Duration period) {
    return new ScalingPolicy(Type.PODS, pods, period);
  }

  /** A Percent policy. */
  public static ScalingPolicy percent(int percent, Duration period) {
    return new ScalingPolicy(Type.PERCENT, percent, period);
  }
}
