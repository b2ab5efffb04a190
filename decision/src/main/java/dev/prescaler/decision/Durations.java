package dev.prescaler.decision;

import java.time.Duration;
import java.util.Objects;

/** Duration helpers shared by the policies. */
final class Durations {
  private Durations() {}

  /** Requires {@code d} in [min, max], naming the field and the value. */
  static Duration inRange(Duration d, String field, Duration min, Duration max) {
    Objects.requireNonNull(d, field);
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], but was " + d);
    }
    return d;
  }

  /** The longer of {@code a} and {@code b}. */
  static Duration longest(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Requires {@code v} in [min, max], naming the field and the value. */
  static double inRange(double v, String field, double min, double max) {
    if (!(v >= min && v <= max)) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], but was " + v);
    }
    return v;
  }
}
