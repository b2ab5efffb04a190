package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.RandomForecasts;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PredictivePolicy#peakUpper} finds the forecast steps overlapping {@code [from, to]} as one
 * index range; it must agree with the definition evaluated step by step through {@link
 * Forecast#timeOf}.
 */
class PeakUpperProperties {

  /** The definition, as the policy computed it before the index range. */
  private static double reference(Forecast f, Instant from, Instant to, double q) {
    if (Double.isNaN(q)) {
      return f.maxUpper(from, to);
    }
    double fromLevel = (1 + f.level()) / 2;
    double scale = fromLevel <= 0.5 ? Double.NaN
        : Quantiles.normal(q) / Quantiles.normal(fromLevel);
    double best = Double.NaN;
    for (int i = 0; i < f.steps(); i++) {
      Instant s = f.timeOf(i);
      if (s.plus(f.step()).isAfter(from) && !s.isAfter(to)) {
        double half = f.upper(i) - f.point(i);
        double v = Double.isNaN(scale) ? f.upper(i) : f.point(i) + half * scale;
        best = Double.isNaN(best) ? v : Math.max(best, v);
      }
    }
    return best;
  }

  /** For any forecast, window and quantile (or none), the peak is the definition's. */
  @Test
  void peakOverTheWindowIsTheDefinition() {
    qt().withExamples(20_000).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      double level = r.nextInt(5) == 0 ? 0 : 0.5 + r.nextDouble() * 0.49;
      Forecast f = RandomForecasts.forecast(r, level);
      Instant from = RandomForecasts.around(r, f);
      Instant to = r.nextInt(4) == 0 ? from : RandomForecasts.around(r, f);
      double q = r.nextInt(3) == 0 ? Double.NaN : 0.5 + r.nextDouble() * 0.499;
      // Boxed, so that NaN (no step overlaps) equals NaN.
      assertThat((Object) PredictivePolicy.peakUpper(f, from, to, q)).as("seed %d", seed)
          .isEqualTo(reference(f, from, to, q));
    });
  }
}
