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

  // The rewind a corrected clock glitch needs: without it, a sample stamped a day ahead left the
  // open step there, and every live sample, older than it, was ignored for that day.
  @Test
  void rewindDiscardsTheStepsAfterATimeAndReopensItsStep() {
    LoadHistory h = new LoadHistory(STEP, 10);
    for (int i = 0; i < 6; i++) {
      h.add(T0.plus(STEP.multipliedBy(i)), i);
    }
    h.add(T0.plus(Duration.ofDays(1)), 99); // a clock glitch: the ring is all NaN now
    assertThat(h.add(T0.plus(STEP.multipliedBy(7)), 7)).isZero(); // ignored: before the open step

    assertThat(h.rewind(T0.plus(STEP.multipliedBy(3)).plusSeconds(5))).isTrue();
    assertThat(h.size()).isZero(); // the glitch's gap had pushed every real step out of the ring
    h.add(T0.plus(STEP.multipliedBy(3)), 3);
    assertThat(h.add(T0.plus(STEP.multipliedBy(4)), 4)).isEqualTo(1);
    assertThat(h.start()).isEqualTo(T0.plus(STEP.multipliedBy(3)));
    assertThat(h.toArray()).containsExactly(3.0);

    LoadHistory kept = new LoadHistory(STEP, 100);
    for (int i = 0; i < 6; i++) {
      kept.add(T0.plus(STEP.multipliedBy(i)), i);
    }
    kept.add(T0.plus(STEP.multipliedBy(50)), 99); // closes step 5, NaN up to step 49
    assertThat(kept.rewind(T0.plus(STEP.multipliedBy(8)))).isTrue();
    assertThat(kept.toArray()).containsExactly(0, 1, 2, 3, 4, 5, Double.NaN, Double.NaN);
    assertThat(kept.add(T0.plus(STEP.multipliedBy(8)), 8)).isZero(); // the open step again
    assertThat(kept.add(T0.plus(STEP.multipliedBy(9)), 9)).isEqualTo(1);
    assertThat(kept.last()).isEqualTo(8);
    assertThat(kept.rewind(T0.plus(STEP.multipliedBy(9)))).isFalse(); // nothing ahead of it
  }
}
