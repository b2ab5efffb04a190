package dev.prescaler.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Examples of the ring's step means; {@link LoadHistoryProperties} checks its fast paths. */
class LoadHistoryTest {
  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
  private static final Duration STEP = Duration.ofSeconds(60);

  @Test
  void aStepMeanIsTheMeanOfItsSamples() {
    LoadHistory h = new LoadHistory(STEP, 10);
    h.add(T0, 1);
    h.add(T0.plusSeconds(20), 2);
    h.add(T0.plusSeconds(40), 4);
    assertThat(h.add(T0.plus(STEP), 0)).isEqualTo(1);
    assertThat(h.value(0)).isEqualTo(7 / 3.0);
  }

  // Catches the sum of a step's finite samples overflowing: two loads near Double.MAX_VALUE gave
  // a step mean of Infinity, which the forecasters then took in.
  @Test
  void aStepMeanOfHugeFiniteSamplesStaysFinite() {
    LoadHistory h = new LoadHistory(STEP, 10);
    h.add(T0, 1e308);
    h.add(T0.plusSeconds(30), 1.5e308);
    h.add(T0.plus(STEP), 0);
    assertThat(h.value(0)).isFinite().isCloseTo(1.25e308, withPercentage(1e-9));
  }
}
