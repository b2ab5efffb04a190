package dev.prescaler.forecast;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  /**
   * Sequences of ordinary errors (1e-3 to 1e6), huge ones (1e39 to 1e308, from outcomes or from
   * forecasts beyond the float range) and runs of huge errors decaying into the ordinary range,
   * in windows of 1 to 8 at horizons 1, 2 and 4: after every observation the windowed MAE is the
   * mean of the kept errors (the decoded bfloat16 for an ordinary one, the double for one beyond
   * the float range) summed exactly, within 1e-7 of it, and never negative. It used to take a
   * huge error out of a running sum, so that the rounding it left there swamped the smaller ones
   * still in the window (an MAE of 0.333 for errors of 4e38, 4e38 and 1; of -1.33e38 for 4e38,
   * 1 and 1).
   */
  @Test
  void theMaeIsTheMeanOfTheKeptErrorsAfterEveryObservation() {
    qt().withExamples(400).forAll(longs().all(), integers().between(1, 8))
        .checkAssert((seed, window) -> {
          Random r = new Random(seed);
          int[] steps = r.nextBoolean() ? new int[] {1} : new int[] {1, 2, 4};
          ErrorTracker t = new ErrorTracker(steps, window);
          List<double[]> forecasts = new ArrayList<>();
          List<List<Double>> kept = new ArrayList<>();
          for (int k = 0; k < steps.length; k++) {
            kept.add(new ArrayList<>());
          }
          double decaying = 0; // the magnitude of a run of decaying outcomes, 0 outside one
          double ratio = 1;
          for (int i = 0; i < 150; i++) {
            double[] f = new double[steps.length];
            for (int k = 0; k < f.length; k++) {
              double u = r.nextDouble();
              f[k] = u < 0.8 ? 0 : u < 0.9 ? (float) (1000 * r.nextGaussian()) : huge(r);
            }
            double y;
            double u = r.nextDouble();
            if (decaying == 0 && u < 0.05) {
              decaying = Math.abs(huge(r));
              ratio = Math.pow(10, -0.5 - 30 * r.nextDouble());
            }
            if (decaying != 0) {
              y = decaying;
              decaying = decaying * ratio < 1e-3 ? 0 : decaying * ratio;
            } else {
              y = u < 0.8 ? Math.pow(10, -3 + 9 * r.nextDouble()) * (r.nextBoolean() ? 1 : -1)
                  : huge(r);
            }
            forecasts.add(f);
            t.store(f);
            t.observe(y);
            for (int k = 0; k < steps.length; k++) {
              int o = i + 1 - steps[k];
              if (o < 0) {
                continue;
              }
              List<Double> w = kept.get(k);
              w.add(y - forecasts.get(o)[k]);
              if (w.size() > window) {
                w.remove(0);
              }
              double exact = keptMean(w);
              double mae = t.mae(k);
              if (!(mae >= 0 && Math.abs(mae - exact) <= 1e-7 * exact)) {
                throw new AssertionError("after observation " + i + ", horizon " + steps[k]
                    + ": MAE " + mae + ", exact " + exact + ", seed " + seed + ", window "
                    + window);
              }
            }
          }
        });
  }

  /** A magnitude from 1e39 to 1e308, of either sign. */
  private static double huge(Random r) {
    double m = Math.pow(10, 39 + 269 * r.nextDouble());
    return Math.min(m, Double.MAX_VALUE) * (r.nextBoolean() ? 1 : -1);
  }

  /**
   * The mean of the magnitudes the tracker keeps for {@code errors}, summed exactly: the decoded
   * bfloat16 (an infinite error counting as the largest float), or the error itself when finite
   * and beyond that range.
   */
  private static double keptMean(List<Double> errors) {
    BigDecimal sum = BigDecimal.ZERO;
    for (double e : errors) {
      short q = ErrorTracker.encode(e);
      double a = Math.abs(ErrorTracker.decode(q));
      sum = sum.add(new BigDecimal(Double.isInfinite(a) && Double.isFinite(e) ? Math.abs(e)
          : Math.min(a, Float.MAX_VALUE)));
    }
    return sum.divide(BigDecimal.valueOf(errors.size()), MathContext.DECIMAL64).doubleValue();
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
