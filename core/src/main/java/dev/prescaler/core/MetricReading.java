package dev.prescaler.core;

import java.time.Instant;
import java.util.Objects;

/**
 * The current value of one metric, or the reason there is none. Sources never invent a number:
 * NaN, infinity, stale or ambiguous data is {@link Unavailable}.
 */
public sealed interface MetricReading permits MetricReading.Available, MetricReading.Unavailable {

  /** The metric's name. */
  String metric();

  /** Whether a usable value is present. */
  boolean isAvailable();

  /**
   * The value.
   *
   * @throws IllegalStateException when unavailable
   */
  double value();

  /**
   * When the value was measured (not when it was read). Unavailable readings: {@link
   * Instant#EPOCH}.
   */
  Instant timestamp();

  /** Why there is no value; empty text when available. */
  String reason();

  /**
   * A value measured at {@code timestamp}; it must be finite (negative is checked by the
   * engine).
   */
  static MetricReading of(String metric, double value, Instant timestamp) {
    return new Available(metric, value, timestamp);
  }

  /**
   * No value, and why.
   *
   * @throws IllegalArgumentException when {@code reason} is blank
   */
  static MetricReading unavailable(String metric, String reason) {
    return new Unavailable(metric, reason);
  }

  /** A measured value. */
  record Available(String metric, double value, Instant timestamp) implements MetricReading {
    /** Rejects non-finite values: they must become {@link Unavailable} at the source. */
    public Available {
      Objects.requireNonNull(metric, "metric");
      Objects.requireNonNull(timestamp, "timestamp");
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException(
            "value of metric " + metric + " must be finite, but was " + value
                + "; report MetricReading.unavailable instead");
      }
    }

    @Override
    public boolean isAvailable() {
      return true;
    }

    @Override
    public String reason() {
      return "";
    }
  }

  /** No value. */
  record Unavailable(String metric, String reason) implements MetricReading {
    /** Requires a reason that says something: it is all a held record tells of the metric. */
    public Unavailable {
      Objects.requireNonNull(metric, "metric");
      Objects.requireNonNull(reason, "reason");
      if (reason.isBlank()) {
        throw new IllegalArgumentException("reason of unavailable metric " + metric
            + " must not be blank, but was " + Values.quote(reason));
      }
    }

    @Override
    public boolean isAvailable() {
      return false;
    }

    @Override
    public double value() {
      throw new IllegalStateException("metric " + metric + " is unavailable: " + reason);
    }

    @Override
    public Instant timestamp() {
      return Instant.EPOCH;
    }
  }
}
