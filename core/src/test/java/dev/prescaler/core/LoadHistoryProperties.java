package dev.prescaler.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ring's fast paths (toArray, countPresent, timeOf, end, value) agree with {@link
 * MetricSeries}' defaults computed through {@code start}, {@code step}, {@code size} and {@code
 * value} alone, whatever samples, gaps and wrap-arounds came before.
 */
class LoadHistoryProperties {

  /** A view exposing only the four abstract methods, so every default method is used. */
  private static MetricSeries plain(LoadHistory h) {
    return new MetricSeries() {
      @Override
      public Instant start() {
        return h.start();
      }

      @Override
      public Duration step() {
        return h.step();
      }

      @Override
      public int size() {
        return h.size();
      }

      @Override
      public double value(int i) {
        return h.value(i);
      }
    };
  }

  private static LoadHistory filled(Duration step, int capacity, long seed, int samples) {
    LoadHistory h = new LoadHistory(step, capacity);
    Random r = new Random(seed);
    long t = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    for (int i = 0; i < samples; i++) {
      // Mostly the next step, sometimes the same step, sometimes a gap (NaN steps).
      int jump = r.nextInt(10);
      long advance = jump < 2 ? 0 : jump < 9 ? 1 : 2 + r.nextInt(capacity + 3);
      t += advance * step.toMillis() + r.nextInt(1000);
      h.add(Instant.ofEpochMilli(t), r.nextDouble() * 100);
    }
    return h;
  }

  /** Whole-second steps take the epoch-millisecond fast path. */
  @Test
  void fastPathsAgreeWithTheDefaults() {
    qt().withExamples(300).forAll(integers().between(1, 40), longs().all(),
        integers().between(0, 200)).checkAssert((capacity, seed, samples) -> {
          LoadHistory h = filled(Duration.ofSeconds(60), capacity, seed, samples);
          assertSame(h);
        });
  }

  /** A step with a sub-millisecond part falls back to the default {@code timeOf}. */
  @Test
  void subMillisecondStepsAgreeWithTheDefaults() {
    qt().withExamples(100).forAll(integers().between(1, 20), longs().all(),
        integers().between(0, 100)).checkAssert((capacity, seed, samples) -> {
          LoadHistory h = filled(Duration.ofSeconds(1).plusNanos(1), capacity, seed, samples);
          assertSame(h);
        });
  }

  private static void assertSame(LoadHistory h) {
    MetricSeries d = plain(h);
    assertThat(h.toArray()).containsExactly(d.toArray());
    assertThat(h.countPresent()).isEqualTo(d.countPresent());
    assertThat(h.end()).isEqualTo(d.end());
    for (int i = 0; i <= h.size(); i++) {
      assertThat(h.timeOf(i)).isEqualTo(d.timeOf(i));
    }
    assertThat(h.size()).isLessThanOrEqualTo(h.toArray().length);
  }

  @Test
  void aFullRingKeepsTheNewestStepsInOrder() {
    LoadHistory h = new LoadHistory(Duration.ofMinutes(1), 3);
    Instant t0 = Instant.parse("2026-01-05T00:00:00Z");
    for (int i = 0; i <= 5; i++) {
      h.add(t0.plus(Duration.ofMinutes(i)), i);
    }
    // Steps 0..4 closed (step 5 is open); the ring keeps 2, 3, 4.
    assertThat(h.toArray()).containsExactly(2.0, 3.0, 4.0);
    assertThat(h.countPresent()).isEqualTo(3);
    assertThat(h.start()).isEqualTo(t0.plus(Duration.ofMinutes(2)));
    assertThat(h.end()).isEqualTo(t0.plus(Duration.ofMinutes(5)));
  }
}
