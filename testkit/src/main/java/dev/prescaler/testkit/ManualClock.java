package dev.prescaler.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A {@link Clock} that moves only when told: {@link #advance(Duration)} and {@link #set(Instant)}.
 * Tests and the simulator drive the engine with it, so nothing ever sleeps. Thread-safe.
 */
public final class ManualClock extends Clock {
  private final ZoneId zone;
  private volatile Instant now;

  /** A clock at {@code start}, in UTC. */
  public ManualClock(Instant start) {
    this(start, ZoneOffset.UTC);
  }

  private ManualClock(Instant start, ZoneId zone) {
    this.now = Objects.requireNonNull(start, "start");
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** A clock at 2026-01-01T00:00:00Z. */
  public static ManualClock ofDefault() {
    return new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /** Moves the clock forward (or backward, for a negative duration). */
  public synchronized ManualClock advance(Duration by) {
    now = now.plus(Objects.requireNonNull(by, "by"));
    return this;
  }

  /** Sets the clock to {@code instant}. */
  public synchronized ManualClock set(Instant instant) {
    now = Objects.requireNonNull(instant, "instant");
    return this;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId newZone) {
    return new ManualClock(now, newZone);
  }

  @Override
  public String toString() {
    return "ManualClock[" + now + "]";
  }
}
