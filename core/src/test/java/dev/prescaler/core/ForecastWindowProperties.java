package dev.prescaler.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Forecast#maxUpper} and {@link Forecast#maxPoint} find the steps overlapping a window as
 * one index range; they must agree with the definition, step by step through {@link
 * Forecast#timeOf}.
 */
class ForecastWindowProperties {

  /** The definition: the highest value of the steps {@code [s, s + step)} with {@code s <= to}. */
  private static double reference(double[] values, Forecast f, Instant from, Instant to) {
    double best = Double.NaN;
    for (int i = 0; i < values.length; i++) {
      Instant s = f.timeOf(i);
      if (s.plus(f.step()).isAfter(from) && !s.isAfter(to)) {
        best = Double.isNaN(best) ? values[i] : Math.max(best, values[i]);
      }
    }
    return best;
  }

  /** A random forecast: whole-second, whole-millisecond or sub-millisecond steps and starts. */
  static Forecast forecast(Random r) {
    int n = 1 + r.nextInt(40);
    double[] point = new double[n];
    double[] lower = new double[n];
    double[] upper = new double[n];
    for (int i = 0; i < n; i++) {
      point[i] = r.nextGaussian() * 100;
      lower[i] = point[i] - r.nextDouble() * 20;
      upper[i] = point[i] + r.nextDouble() * 20;
    }
    Duration step = switch (r.nextInt(4)) {
      case 0 -> Duration.ofSeconds(60);
      case 1 -> Duration.ofMillis(1 + r.nextInt(100_000));
      case 2 -> Duration.ofNanos(1 + r.nextInt(2_000_000_000));
      default -> Duration.ofHours(1 + r.nextInt(24));
    };
    Instant start = Instant.ofEpochSecond(1_700_000_000L + r.nextInt(1_000_000),
        r.nextBoolean() ? 0 : r.nextInt(1_000_000_000));
    return new Forecast("test", start, step, point, lower, upper, 0.9);
  }

  /** An instant around the forecast: before, inside, on a step boundary, after. */
  static Instant around(Random r, Forecast f) {
    long span = f.step().toNanos() * (f.steps() + 4);
    Instant base = f.start().minusNanos(2 * f.step().toNanos());
    Instant t = base.plusNanos((long) (r.nextDouble() * span));
    return switch (r.nextInt(5)) {
      case 0 -> f.timeOf(r.nextInt(f.steps() + 1)); // exactly on a boundary
      case 1 -> f.timeOf(r.nextInt(f.steps() + 1)).plusNanos(r.nextInt(3) - 1);
      case 2 -> Instant.ofEpochSecond(t.getEpochSecond()); // whole seconds
      case 3 -> r.nextBoolean() ? Instant.MIN : Instant.MAX; // beyond any nanosecond range
      default -> t;
    };
  }

  /** For any forecast and window (empty, reversed, outside, on boundaries), the same maximum. */
  @Test
  void maxOverTheWindowIsTheDefinition() {
    qt().withExamples(20_000).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      Forecast f = forecast(r);
      Instant from = around(r, f);
      Instant to = r.nextInt(4) == 0 ? from : around(r, f);
      // Boxed, so that NaN (no step overlaps) equals NaN.
      assertThat((Object) f.maxUpper(from, to)).as("seed %d", seed)
          .isEqualTo(reference(f.upper(), f, from, to));
      assertThat((Object) f.maxPoint(from, to)).as("seed %d", seed)
          .isEqualTo(reference(f.point(), f, from, to));
    });
  }
}
