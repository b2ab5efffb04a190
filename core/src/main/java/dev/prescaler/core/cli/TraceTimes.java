package dev.prescaler.core.cli;

import java.time.Instant;

/**
 * The times a trace file (the {@code timestamp,value} CSV that {@code simulate --trace} reads and
 * {@code export} writes) may hold: from 1900 to 2199. Nothing real is outside, and the
 * simulator's grid arithmetic overflows there. One rule for the reader and the writer, which
 * live in modules that do not depend on each other.
 */
public final class TraceTimes {
  private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

  private TraceTimes() {}

  /** Whether a trace may hold a row at {@code t}: from 1900-01-01 to 2200-01-01, exclusive. */
  public static boolean contains(Instant t) {
    return !t.isBefore(EARLIEST) && t.isBefore(LATEST);
  }
}
