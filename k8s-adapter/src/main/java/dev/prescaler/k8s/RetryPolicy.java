package dev.prescaler.k8s;

import java.time.Duration;
import java.util.Objects;

/**
 * How one adapter operation retries transient API errors (HTTP 5xx, timeouts and other I/O errors,
 * and 429 after its {@code Retry-After}): at most {@code maxAttempts} tries, waiting
 * {@code initialBackoff}, then twice as long each time up to {@code maxBackoff}, and never past
 * {@code budget} from the first try (the share of a tick one operation may use). A 429 whose
 * {@code Retry-After} does not fit in the budget ends the operation at once.
 *
 * @param maxAttempts tries in total, in [1, 20]
 * @param initialBackoff wait before the second try, in [1 ms, 1 min]
 * @param maxBackoff cap of any one wait, &ge; {@code initialBackoff} and &le; 5 min
 * @param budget total time the operation may take, including waits, in [0, 10 min]
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff,
    Duration budget) {
  /** Default: 4 tries, 200 ms doubling to at most 2 s, within 5 s. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(5));
  /** One try, no retry. */
  public static final RetryPolicy NONE =
      new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ZERO);

  /** Validates each field. */
  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(budget, "budget");
    if (maxAttempts < 1 || maxAttempts > 20) {
      throw new IllegalArgumentException("maxAttempts must be in [1, 20], but was " + maxAttempts);
    }
    if (initialBackoff.compareTo(Duration.ofMillis(1)) < 0
        || initialBackoff.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException(
          "initialBackoff must be in [PT0.001S, PT1M], but was " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0
        || maxBackoff.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("maxBackoff must be in [initialBackoff (" + initialBackoff
          + "), PT5M], but was " + maxBackoff);
    }
    if (budget.isNegative() || budget.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("budget must be in [PT0S, PT10M], but was " + budget);
    }
  }

  /** The wait after failed try number {@code attempt} (1-based): capped exponential. */
  public Duration backoff(int attempt) {
    Duration d = initialBackoff;
    for (int i = 1; i < attempt && d.compareTo(maxBackoff) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }
}
