package dev.prescaler.k8s;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/** Runs API calls with the retry policy, and describes their errors. Thread-safe. */
final class ApiCalls {
  /* Classification: 429 waits Retry-After (or the backoff when absent); 5xx and I/O errors
   * (ApiException code 0: timeouts, refused connections) wait the backoff; anything else is final.
   * A write that failed with a timeout or a 5xx may still have been applied by the server, so the
   * result says so ("uncertain") and the caller re-reads before trusting a later 409. */

  /** One API call. */
  @FunctionalInterface
  interface Call<T> {
    T run() throws ApiException;
  }

  /**
   * The result of a call after its retries.
   *
   * @param value the response, when it succeeded
   * @param error the last error, when it failed
   * @param attempts tries made
   * @param uncertain whether an earlier try failed in a way that may have applied a write
   * @param retryAt the end of the wait a 429 asked for, when one was the last answer
   */
  record Result<T>(Optional<T> value, Optional<ApiException> error, int attempts,
      boolean uncertain, Optional<RetryAt> retryAt) {
    boolean ok() {
      return error.isEmpty();
    }

    int code() {
      return error.map(ApiException::getCode).orElse(200);
    }
  }

  /**
   * The end of the wait a 429 asked for, on both time sources: {@code time} on the wall clock, for
   * messages, and {@code tick} on the monotonic ticker, to judge whether the wait is over, so that
   * a wall clock stepped back does not lengthen it (nor one stepped forward cut it short).
   *
   * @param time the wall-clock instant the wait ends at, as the clock read when the 429 came
   * @param tick the ticker reading (nanoseconds) the wait ends at
   */
  record RetryAt(Instant time, long tick) {
    /** Whether the wait is still running at the ticker reading {@code now}. */
    boolean pending(long now) {
      return tick - now > 0;
    }

    /** What is left of the wait at the ticker reading {@code now}; zero when it is over. */
    Duration left(long now) {
      return pending(now) ? Duration.ofNanos(tick - now) : Duration.ZERO;
    }

    /** The later of two ends, judged on the ticker. */
    static RetryAt later(RetryAt a, RetryAt b) {
      return a == null || b.tick - a.tick > 0 ? b : a;
    }
  }

  /**
   * Longest wait a 429 can ask for: a longer Retry-After is cut to it, so that its end fits a
   * ticker reading without overflow (as {@link Sleeper#untilTicker} caps its waits).
   */
  static final Duration MAX_RETRY_AFTER = Duration.ofDays(365);

  private final Clock clock;
  private final LongSupplier ticker;
  private final Sleeper sleeper;
  private final RetryPolicy policy;

  /**
   * A caller.
   *
   * @param clock the wall clock of timestamps ({@link RetryAt#time})
   * @param ticker the monotonic nanoseconds the retry budget and a 429's wait are timed on
   * @param sleeper waits between retries
   * @param policy the retry policy
   */
  ApiCalls(Clock clock, LongSupplier ticker, Sleeper sleeper, RetryPolicy policy) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  /** The wall clock, for timestamps only. */
  Clock clock() {
    return clock;
  }

  /** The monotonic ticker (nanoseconds), for elapsed times: waits, budgets, cache ages. */
  LongSupplier ticker() {
    return ticker;
  }

  /** Runs {@code call}, retrying transient errors within the policy's budget. */
  <T> Result<T> run(Call<T> call) {
    return run(call, null);
  }

  /** Runs the read or list {@code call} as {@link #run} does, through {@link #readable}. */
  <T> Result<T> read(Call<T> call) {
    return run(readable(call));
  }

  /**
   * Runs the write {@code call} as {@link #run} does, asking before each try whether the replica
   * still leads, when a leadership check runs on this thread ({@link LeaderFence}).
   *
   * @param what the request, for the message of a write not sent ({@code PATCH
   *     horizontalpodautoscalers.autoscaling default/web})
   * @throws LeaderFence.LeadershipLostException when it no longer leads
   */
  <T> Result<T> write(String what, Call<T> call) {
    return run(call, Objects.requireNonNull(what, "what"));
  }

  private <T> Result<T> run(Call<T> call, String write) {
    long start = ticker.getAsLong();
    long budget = policy.budget().toNanos();
    boolean uncertain = false;
    for (int attempt = 1; ; attempt++) {
      if (write != null) {
        LeaderFence.beforeWrite(write, uncertain);
      }
      ApiException e;
      try {
        return new Result<>(Optional.ofNullable(call.run()), Optional.empty(), attempt, uncertain,
            Optional.empty());
      } catch (ApiException ex) {
        e = ex;
      }
      int code = e.getCode();
      Duration wait;
      Optional<RetryAt> retryAt = Optional.empty();
      if (code == 429) {
        wait = retryAfter(e).orElse(policy.backoff(attempt));
        if (wait.compareTo(MAX_RETRY_AFTER) > 0) {
          wait = MAX_RETRY_AFTER;
        }
        retryAt = Optional.of(new RetryAt(clock.instant().plus(wait),
            ticker.getAsLong() + wait.toNanos()));
      } else if (code == 0 || code >= 500) {
        wait = policy.backoff(attempt);
        uncertain = true;
      } else {
        return new Result<>(Optional.empty(), Optional.of(e), attempt, uncertain, retryAt);
      }
      if (attempt >= policy.maxAttempts() || !fits(wait, budget - (ticker.getAsLong() - start))) {
        return new Result<>(Optional.empty(), Optional.of(e), attempt, uncertain, retryAt);
      }
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return new Result<>(Optional.empty(), Optional.of(e), attempt, uncertain, retryAt);
      }
    }
  }

  /** Whether a wait of {@code wait} fits in {@code left} nanoseconds of budget. */
  private static boolean fits(Duration wait, long left) {
    return left >= 0 && wait.compareTo(Duration.ofNanos(left)) <= 0;
  }

  /**
   * The read {@code call}, with an answer the client cannot read (a proxy's page, a cut body, a
   * quantity such as "12x", all of which it throws as unchecked exceptions, or a JSON {@code
   * null}) turned into an error like the others: a failed result (HTTP 200, "malformed answer"),
   * not an exception out of the caller, and not retried. For reads and lists only: the answer to
   * a write the server took may be unreadable too, and is not "nothing changed".
   */
  static <T> Call<T> readable(Call<T> call) {
    return () -> {
      T answer;
      try {
        answer = call.run();
      } catch (RuntimeException e) {
        throw new ApiException("malformed answer", 200, null, "malformed answer: " + e);
      }
      if (answer == null) {
        throw new ApiException("malformed answer", 200, null, "malformed answer: no object");
      }
      return answer;
    };
  }

  /** The Retry-After header in seconds, when present and numeric. */
  static Optional<Duration> retryAfter(ApiException e) {
    Map<String, List<String>> headers = e.getResponseHeaders();
    if (headers == null) {
      return Optional.empty();
    }
    for (Map.Entry<String, List<String>> h : headers.entrySet()) {
      if ("retry-after".equalsIgnoreCase(h.getKey()) && !h.getValue().isEmpty()) {
        try {
          long s = Long.parseLong(h.getValue().get(0).trim());
          return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Why a write of {@code what} failed, as an outcome's message: the error, the number of tries,
   * and whether the write may have been applied all the same (a try timed out or met a server
   * error) or nothing changed.
   */
  static String writeFailed(Result<?> r, String what) {
    return describe(r.error().orElseThrow(), what)
        + (r.attempts() > 1 ? " (after " + r.attempts() + " tries)" : "")
        + (r.uncertain() ? MAY_HAVE_BEEN_APPLIED : "; nothing changed");
  }

  /** A 409 after a try that timed out or met a server error, whose re-read failed too. */
  static String conflictRereadFailed(Result<?> reread, String what) {
    return what + ": HTTP 409 Conflict after a try that timed out or met a server error, and the "
        + "re-read failed (" + describe(reread.error().orElseThrow(), what) + "), so the change "
        + "may have been applied: re-read next tick";
  }

  static final String MAY_HAVE_BEEN_APPLIED = "; a try timed out or met a server error, so the "
      + "change may have been applied: re-read next tick";

  /**
   * Describes a failed call: {@code HTTP 404 NotFound on deployments.apps default/web (scale):
   * deployments.apps "web" not found}.
   */
  static String describe(ApiException e, String resource) {
    if (e.getCode() == 0) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      return "I/O error on " + resource + ": " + c.getClass().getSimpleName()
          + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }
    String reason = "";
    String message = "no message from the server";
    String body = e.getResponseBody();
    if (body != null && !body.isBlank()) {
      message = body.length() > 300 ? body.substring(0, 300) + "..." : body;
      try {
        JsonElement el = JsonParser.parseString(body);
        if (el.isJsonObject()) {
          JsonObject o = el.getAsJsonObject();
          if (o.has("reason") && o.get("reason").isJsonPrimitive()) {
            reason = " " + o.get("reason").getAsString();
          }
          if (o.has("message") && o.get("message").isJsonPrimitive()) {
            message = o.get("message").getAsString();
          }
        }
      } catch (RuntimeException notJson) {
        // keep the raw body as the message
      }
    }
    return "HTTP " + e.getCode() + reason + " on " + resource + ": " + message;
  }
}
