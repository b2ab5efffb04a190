package dev.prescaler.k8s;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Clock;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What every component of this module that retries its API calls is built with: the client, the
 * clock of its timestamps, the monotonic ticker its waits, retry budget and caches are timed on,
 * how it waits between retries, and the retry policy. The
 * builders of {@link MetricsServerSource}, {@link ScaleSubresourceExecutor} (through {@link
 * ScaleCallerBuilder}), {@link HpaFloorExecutor} and {@link ModeStore} extend it; it is not meant
 * to be extended elsewhere.
 *
 * @param <B> the concrete builder, returned by every setter so that calls chain
 */
public abstract class ApiCallerBuilder<B extends ApiCallerBuilder<B>> {
  final ApiClient client;
  private Clock clock = Clock.systemUTC();
  private LongSupplier ticker = System::nanoTime;
  private Sleeper sleeper;
  private RetryPolicy retry = RetryPolicy.DEFAULT;

  ApiCallerBuilder(ApiClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /**
   * The wall clock of the timestamps (a rate limit's end as messages state it, the times of
   * readings); default {@link Clock#systemUTC()}. Waits, retry budgets, the hold after a 429 and
   * caches are timed by the {@link #ticker}.
   */
  public B clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return self();
  }

  /**
   * The monotonic time source, in nanoseconds, that the waits between retries, the retry budget,
   * the hold after a 429 and the HPA list cache are timed on, so that a wall clock stepped back
   * neither lengthens a wait or a hold nor keeps a stale list; only differences of its readings
   * count. Default {@code System::nanoTime}. Tests pass one they move (a {@code ManualClock}'s
   * {@code nanos}), as to {@link LeaseElector.Builder#ticker}.
   */
  public B ticker(LongSupplier ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return self();
  }

  /** Waits between retries; default {@link Sleeper#untilTicker} of the ticker. */
  public B sleeper(Sleeper sleeper) {
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    return self();
  }

  /** Retries of transient errors; default {@link RetryPolicy#DEFAULT}. */
  public B retry(RetryPolicy retry) {
    this.retry = Objects.requireNonNull(retry, "retry");
    return self();
  }

  /** The retrying caller these settings describe. */
  ApiCalls calls() {
    return new ApiCalls(clock, ticker, sleeper != null ? sleeper : Sleeper.untilTicker(ticker),
        retry);
  }

  @SuppressWarnings("unchecked")
  final B self() {
    return (B) this;
  }
}
