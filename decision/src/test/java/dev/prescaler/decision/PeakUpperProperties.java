package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.prescaler.core.Forecast;
import java.time.Duration;
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

  private static Forecast forecast(Random r) {
    int n = 1 + r.nextInt(40);
    double[] point = new double[n];
    double[] lower = new double[n];
    double[] upper = new double[n];
    for (int i = 0; i < n; i++) {
      point[i] = r.nextGaussian() * 100;
      lower[i] = point[i] - r.nextDouble() * 20;
      upper[i] = point[i] + r.nextDouble() * 20;
    }
    Duration step = switch (r.nextInt(3)) {
      case 0 -> Duration.ofSeconds(60);
      case 1 -> Duration.ofMillis(1 + r.nextInt(100_000));
      default -> Duration.ofNanos(1 + r.nextInt(2_000_000_000));
    };
    Instant start = Instant.ofEpochSecond(1_700_000_000L + r.nextInt(1_000_000),
        r.nextBoolean() ? 0 : r.nextInt(1_000_000_000));
    double level = r.nextInt(5) == 0 ? 0 : 0.5 + r.nextDouble() * 0.49;
    return new Forecast("test", start, step, point, lower, upper, level);
  }

  private static Instant around(Random r, Forecast f) {
    long span = f.step().toNanos() * (f.steps() + 4);
    Instant t = f.start().minusNanos(2 * f.step().toNanos())
        .plusNanos((long) (r.nextDouble() * span));
    return switch (r.nextInt(5)) {
      case 0 -> f.timeOf(r.nextInt(f.steps() + 1));
      case 1 -> f.timeOf(r.nextInt(f.steps() + 1)).plusNanos(r.nextInt(3) - 1);
      case 2 -> Instant.ofEpochSecond(t.getEpochSecond());
      case 3 -> r.nextBoolean() ? Instant.MIN : Instant.MAX;
      default -> t;
    };
  }

  /** For any forecast, window and quantile (or none), the peak is the definition's. */
  @Test
  void peakOverTheWindowIsTheDefinition() {
    qt().withExamples(20_000).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      Forecast f = forecast(r);
      Instant from = around(r, f);
      Instant to = r.nextInt(4) == 0 ? from : around(r, f);
      double q = r.nextInt(3) == 0 ? Double.NaN : 0.5 + r.nextDouble() * 0.499;
      // Boxed, so that NaN (no step overlaps) equals NaN.
      assertThat((Object) PredictivePolicy.peakUpper(f, from, to, q)).as("seed %d", seed)
          .isEqualTo(reference(f, from, to, q));
    });
  }
}
