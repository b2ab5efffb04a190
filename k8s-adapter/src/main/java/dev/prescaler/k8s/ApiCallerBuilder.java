package dev.prescaler.k8s;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Clock;
import java.util.Objects;

/**
 * What every component of this module that retries its API calls is built with: the client, the
 * clock its retry budget runs on, how it waits between retries, and the retry policy. The
 * builders of {@link MetricsServerSource}, {@link ScaleSubresourceExecutor} (through {@link
 * ScaleCallerBuilder}), {@link HpaFloorExecutor} and {@link ModeStore} extend it; it is not meant
 * to be extended elsewhere.
 *
 * @param <B> the concrete builder, returned by every setter so that calls chain
 */
public abstract class ApiCallerBuilder<B extends ApiCallerBuilder<B>> {
  final ApiClient client;
  private Clock clock = Clock.systemUTC();
  private Sleeper sleeper;
  private RetryPolicy retry = RetryPolicy.DEFAULT;

  ApiCallerBuilder(ApiClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /** The clock for retry budgets and caches; default {@link Clock#systemUTC()}. */
  public B clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return self();
  }

  /** Waits between retries; default {@link Sleeper#untilClock} of the clock. */
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
    return new ApiCalls(clock, sleeper != null ? sleeper : Sleeper.untilClock(clock), retry);
  }

  @SuppressWarnings("unchecked")
  final B self() {
    return (B) this;
  }
}
