package dev.prescaler.forecast;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The precision of the 16-bit error record. */
class ErrorTrackerProperties {
  /** The stated relative precision of a kept error. */
  private static final double PRECISION = 0x1p-8;

  /**
   * Errors of any size from 1e-12 to 1e15, of either sign, zeros among them and a few
   * outliers up to 1e6 times the rest: each empirical quantile the tracker gives is within
   * 2^-8 of the larger magnitude of the two exact order statistics it interpolates between,
   * and the windowed MAE within 2^-8 of the exact one.
   */
  @Test
  void quantilesAreWithinTheStatedPrecisionOfTheExactOnes() {
    qt().withExamples(300).forAll(longs().all(), integers().between(1, 500))
        .checkAssert((seed, window) -> {
          Random r = new Random(seed);
          double typical = Math.pow(10, -12 + 21 * r.nextDouble()); // 1e-12 .. 1e9
          int n = r.nextInt(2 * window) + 1;
          double[] e = new double[n];
          ErrorTracker t = new ErrorTracker(1, window);
          for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            e[i] = u < 0.05 ? 0 : u < 0.07 ? typical * 1e6 * r.nextGaussian()
                : typical * r.nextGaussian();
            t.store(new double[] {0});
            t.observe(e[i]); // against a forecast of 0: the error is the outcome itself
          }
          int kept = Math.min(n, window);
          double[] sorted = Arrays.copyOfRange(e, n - kept, n);
          Arrays.sort(sorted);
          for (double level : new double[] {0, 0.5, 0.9, 0.95, 0.99}) {
            check(t.lower(0, level), sorted, (1 - level) / 2, seed);
            check(t.upper(0, level), sorted, (1 + level) / 2, seed);
          }
          double mae = Arrays.stream(sorted).map(Math::abs).sum() / kept;
          if (!(Math.abs(t.mae(0) - mae) <= PRECISION * mae * (1 + 1e-9))) {
            throw new AssertionError("MAE " + t.mae(0) + ", exact " + mae + ", seed " + seed);
          }
        });
  }

  private static void check(double actual, double[] sorted, double q, long seed) {
    double exact = ErrorTracker.quantile(sorted, sorted.length, q);
    int i = Math.min((int) Math.floor(q * (sorted.length - 1)), sorted.length - 1);
    double bound = Math.max(Math.abs(sorted[i]), Math.abs(sorted[Math.min(i + 1,
        sorted.length - 1)]));
    if (!(Math.abs(actual - exact) <= PRECISION * bound * (1 + 1e-9))) {
      throw new AssertionError("quantile " + q + ": " + actual + ", exact " + exact
          + ", seed " + seed);
    }
  }
}
