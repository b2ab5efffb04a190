package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Invariants and validation of {@link RetryPolicy}. */
class RetryPolicyProperties {
  /** Backoff never decreases with the attempt and never exceeds the cap. */
  @Test
  void backoffIsMonotoneAndCapped() {
    qt().withExamples(500).forAll(integers().between(1, 5000), integers().between(1, 60),
        integers().between(1, 25)).check((initialMs, capFactor, attempt) -> {
          Duration initial = Duration.ofMillis(initialMs);
          Duration cap = initial.multipliedBy(capFactor);
          if (cap.compareTo(Duration.ofMinutes(5)) > 0 || initial.compareTo(Duration.ofMinutes(1))
              > 0) {
            return true;
          }
          RetryPolicy p = new RetryPolicy(20, initial, cap, Duration.ofMinutes(1));
          Duration b = p.backoff(attempt);
          return b.compareTo(cap) <= 0 && b.compareTo(initial) >= 0
              && p.backoff(attempt + 1).compareTo(b) >= 0;
        });
  }

  @Test
  void defaultBackoffDoublesFrom200msTo2s() {
    RetryPolicy p = RetryPolicy.DEFAULT;
    assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(400));
    assertThat(p.backoff(4)).isEqualTo(Duration.ofMillis(1600));
    assertThat(p.backoff(5)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.backoff(50)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void maxAttempts_outOfRange() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1),
        Duration.ZERO)).hasMessage("maxAttempts must be in [1, 20], but was 0");
  }

  @Test
  void maxBackoff_belowInitial() {
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1),
        Duration.ZERO)).hasMessage("maxBackoff must be in [initialBackoff (PT2S), PT5M], but was "
        + "PT1S");
  }

  @Test
  void budget_negative() {
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(1),
        Duration.ofSeconds(-1))).hasMessage("budget must be in [PT0S, PT10M], but was PT-1S");
  }
}
