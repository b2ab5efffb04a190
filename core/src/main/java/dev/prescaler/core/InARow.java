package dev.prescaler.core;

import org.slf4j.Logger;

/**
 * A count of one condition repeated in a row (a plug-in failing on every tick, a workload held
 * tick after tick, an API call refused on every round), and the cadence at which such a condition
 * is logged: at WARN on the first in a row and every {@value #LOG_EVERY}th, with the count, at
 * DEBUG in between, and once at INFO when the run ends. The engine logs its own repeated failures
 * and holds with it, and the Kubernetes adapters their repeated API failures, so that a condition
 * that lasts says so now and then, never once per tick. Thread-safe.
 */
public final class InARow {
  /** A run is logged at WARN on its first and every 20th: once per 5 minutes at 15 s a tick. */
  public static final int LOG_EVERY = 20;

  private int count;

  /** Counts one more in the current run (saturating) and returns the count, 1 for the first. */
  public synchronized int next() {
    if (count < Integer.MAX_VALUE) {
      count++;
    }
    return count;
  }

  /** Ends the current run and returns how many it counted: 0 when none was under way. */
  public synchronized int end() {
    int n = count;
    count = 0;
    return n;
  }

  /** The count of the current run, 0 when none is under way. */
  public synchronized int count() {
    return count;
  }

  /** Whether the {@code n}th in a row is logged at WARN: the first and every 20th. */
  public static boolean warns(int n) {
    return n == 1 || n % LOG_EVERY == 0;
  }

  /**
   * Logs the {@code n}th in a row: at WARN when {@link #warns} it, at DEBUG otherwise, the same
   * {@code format} and {@code args} either way (give {@link #ofCount}{@code (n)} among them).
   */
  public static void log(Logger log, int n, String format, Object... args) {
    if (warns(n)) {
      log.warn(format, args);
    } else {
      log.debug(format, args);
    }
  }

  /** What a line says of the {@code n}th in a row: nothing for the first, else " (n in a row)". */
  public static String ofCount(int n) {
    return n <= 1 ? "" : " (" + n + " in a row)";
  }
}
