package dev.prescaler.k8s;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

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
   * A sleeper that parks the calling thread until {@code ticker} has moved {@code duration} past
   * its reading at the call: the production default, with {@code System::nanoTime}. A monotonic
   * ticker, not the wall clock: a clock stepped back (NTP, a VM restored) during a 200 ms backoff
   * would otherwise make the wait last as long as the step, stalling the tick that waits. Only
   * differences of the ticker's readings count, as {@link System#nanoTime()} requires.
   *
   * @param ticker monotonic nanoseconds, as {@link LeaseElector.Builder#ticker} takes them
   */
  static Sleeper untilTicker(LongSupplier ticker) {
    Objects.requireNonNull(ticker, "ticker");
    return duration -> {
      long start = ticker.getAsLong();
      long nanos = duration.compareTo(Duration.ofDays(365)) > 0 ? Long.MAX_VALUE
          : duration.toNanos();
      while (true) {
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while waiting " + duration);
        }
        long left = nanos - (ticker.getAsLong() - start);
        if (left <= 0) {
          return;
        }
        LockSupport.parkNanos(Math.min(left, 50_000_000L));
      }
    };
  }
}
