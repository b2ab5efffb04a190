package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * The retries of {@link ApiCalls} as an {@link ApiCallerBuilder} sets them up by default: waits
 * and budget on the monotonic ticker, never on the wall clock.
 */
class ApiCallsTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final long MS = 1_000_000L;

  private final ManualClock clock = new ManualClock(T0);
  /**
   * Monotonic nanoseconds; every reading finds a second more gone, so a wait of at most a second
   * ends at its first look and nothing parks.
   */
  private final AtomicLong nanos = new AtomicLong();
  private final LongSupplier ticker = () -> nanos.addAndGet(1000 * MS);

  private ApiCalls calls(RetryPolicy retry) {
    // The default sleeper (none given): the one production uses.
    return ScaleSubresourceExecutor.builder(TestClients.fixture("http://127.0.0.1:1"))
        .clock(clock).ticker(ticker).retry(retry).calls();
  }

  private static ApiException serverError() {
    return new ApiException(503, "etcdserver: leader changed");
  }

  @Test
  void aWallClockSteppedBackDoesNotLengthenTheBackoff() {
    ApiCalls calls = calls(RetryPolicy.DEFAULT);
    AtomicInteger tries = new AtomicInteger();

    // Waiting on the wall clock, the 200 ms backoff would last the hour the clock stepped back;
    // the guard turns that into a failure instead of a hung build.
    ApiCalls.Result<String> r = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> calls.run(() -> {
          if (tries.incrementAndGet() == 1) {
            clock.advance(Duration.ofHours(-1)); // NTP steps the clock back during the try
            throw serverError();
          }
          return "ok";
        }));

    assertThat(r.value()).contains("ok");
    assertThat(r.attempts()).isEqualTo(2);
    // The budget's start and check, and the backoff's start and first look: 4 readings, 4 s.
    assertThat(nanos.get()).isEqualTo(4000 * MS);
  }

  @Test
  void theRetryBudgetRunsOnTheTickerWhateverTheWallClockDoes() {
    // 10 tries, 1 s waits, within 5 s. A try's budget check and its wait read the ticker 3 times
    // (3 s), so the third try's check finds 7 s gone and ends the retries, although the wall clock
    // steps back an hour on every try: a deadline on it would never pass.
    ApiCalls calls = calls(new RetryPolicy(10, Duration.ofSeconds(1), Duration.ofSeconds(1),
        Duration.ofSeconds(5)));
    AtomicInteger tries = new AtomicInteger();

    ApiCalls.Result<String> r = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> calls.run(() -> {
          tries.incrementAndGet();
          clock.advance(Duration.ofHours(-1));
          throw serverError();
        }));

    assertThat(r.ok()).isFalse();
    assertThat(r.attempts()).isEqualTo(tries.get()).isEqualTo(3);
  }
}
