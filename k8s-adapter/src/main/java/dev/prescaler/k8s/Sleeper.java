package dev.prescaler.k8s;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits between retries. Injected so that tests advance a manual clock instead of waiting.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Sleeper {
  /**
   * Waits for {@code duration}.
   *
   * @throws InterruptedException when the thread is interrupted; the caller gives up
   */
  void sleep(Duration duration) throws InterruptedException;

  /**
   * A sleeper that parks the calling thread until {@code clock} has moved {@code duration} past
   * the instant of the call: the production default, timed by the same injected clock as
   * everything else (with a manual clock that never moves it would wait for ever, so tests pass
   * their own sleeper).
   */
  static Sleeper untilClock(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    return duration -> {
      Instant until = clock.instant().plus(duration);
      while (true) {
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while waiting " + duration);
        }
        Duration left = Duration.between(clock.instant(), until);
        if (left.isNegative() || left.isZero()) {
          return;
        }
        LockSupport.parkNanos(Math.min(left.toNanos(), 50_000_000L));
      }
    };
  }
}
