package dev.prescaler.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that moves only when told: {@link #advance(Duration)} and {@link #set(Instant)}.
 * Tests and the simulator drive the engine with it, so nothing ever sleeps. Thread-safe: advances
 * and sets are atomic, and every thread sees the instant last set.
 *
 * <p>{@link #withZone(ZoneId)} returns a view in another zone that shares this clock's instant:
 * advancing or setting either one moves both.
 */
public final class ManualClock extends Clock {
  private final ZoneId zone;
  /** The instant, shared with every zoned copy made by {@link #withZone}. */
  private final AtomicReference<Instant> now;

  /** A clock at {@code start}, in UTC. */
  public ManualClock(Instant start) {
    this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** A clock at 2026-01-01T00:00:00Z. */
  public static ManualClock ofDefault() {
    return new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /** Moves the clock (and its zoned copies) forward, or backward for a negative duration. */
  public ManualClock advance(Duration by) {
    Objects.requireNonNull(by, "by");
    now.updateAndGet(t -> t.plus(by));
    return this;
  }

  /** Sets the clock (and its zoned copies) to {@code instant}. */
  public ManualClock set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
    return this;
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /**
   * This clock's instant in nanoseconds since the epoch. {@code clock::nanos} is a ticker that
   * moves with this clock, for code that measures elapsed time on a monotonic ticker ({@code
   * System::nanoTime} in production) beside its {@link Clock}: advancing the clock then moves
   * both. It is monotonic only while the clock moves forward; to test a wall clock stepped back,
   * give the code a ticker of its own.
   *
   * @throws ArithmeticException when the instant lies beyond the year 2262 or before 1677
   */
  public long nanos() {
    Instant t = now.get();
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A view of this clock in {@code newZone}: it shares the instant, so it moves with this one. */
  @Override
  public ManualClock withZone(ZoneId newZone) {
    Objects.requireNonNull(newZone, "newZone");
    return newZone.equals(zone) ? this : new ManualClock(now, newZone);
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + "]";
  }
}
