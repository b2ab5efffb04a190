package dev.prescaler.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

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

  /** For any forecast and window (empty, reversed, outside, on boundaries), the same maximum. */
  @Test
  void maxOverTheWindowIsTheDefinition() {
    qt().withExamples(20_000).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      Forecast f = RandomForecasts.forecast(r, 0.9);
      Instant from = RandomForecasts.around(r, f);
      Instant to = r.nextInt(4) == 0 ? from : RandomForecasts.around(r, f);
      // Boxed, so that NaN (no step overlaps) equals NaN.
      assertThat((Object) f.maxUpper(from, to)).as("seed %d", seed)
          .isEqualTo(reference(f.upper(), f, from, to));
      assertThat((Object) f.maxPoint(from, to)).as("seed %d", seed)
          .isEqualTo(reference(f.point(), f, from, to));
    });
  }
}
