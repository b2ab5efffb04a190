package dev.prescaler.forecast;

import static org.quicktheories.QuickTheory.qt;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.SourceDSL;

/** Robustness invariants of every forecaster on awkward histories. */
class ForecastRobustnessProperties {
  private static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");
  private static final List<Forecaster> ALL = List.of(Forecasters.auto(),
      Forecasters.linearTrend(), Forecasters.holtWinters(), Forecasters.seasonalNaive(),
      Forecasters.fourier(Duration.ofDays(1), Duration.ofDays(7)));

  /**
   * A seasonal series (hourly, 24-step cycle) with NaN gaps, runs of zeros, a level shift by a
   * random factor (down to zero) and spikes.
   */
  private static double[] awkward(long seed) {
    Random r = new Random(seed);
    int n = 10 + r.nextInt(400);
    double[] y = new double[n];
    double level = r.nextDouble() * 1000;
    int shift = r.nextInt(n);
    double factor = new double[] {0, 0.01, 0.2, 5, 100}[r.nextInt(5)];
    double gapRate = new double[] {0, 0.05, 0.5}[r.nextInt(3)];
    for (int i = 0; i < n; i++) {
      double l = i >= shift ? level * factor : level;
      y[i] = Math.max(0, l * (1 + 0.5 * Math.sin(2 * Math.PI * i / 24)) + r.nextGaussian() * 0.1
          * l);
      if (r.nextDouble() < 0.03) {
        y[i] *= 20;
      }
      if (r.nextDouble() < 0.05) {
        int run = r.nextInt(30);
        for (int j = i; j < Math.min(n, i + run); j++) {
          y[j] = 0;
        }
        i += run;
      }
    }
    for (int i = 0; i < n; i++) {
      if (r.nextDouble() < gapRate && i < n - 1) {
        y[i] = Double.NaN;
      }
    }
    if (Arrays.stream(y).allMatch(Double::isNaN)) {
      y[n - 1] = 1;
    }
    return y;
  }

  private static Gen<Long> seeds() {
    return SourceDSL.longs().all();
  }

  private static boolean valid(Forecast f, int steps) {
    if (f.steps() != steps) {
      return false;
    }
    for (int h = 0; h < steps; h++) {
      double p = f.point(h);
      if (!Double.isFinite(p) || p < 0 || !(f.lower(h) >= 0) || !Double.isFinite(f.upper(h))
          || f.lower(h) > p || f.upper(h) < p) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whatever the gaps, zeros, spikes and level shifts, every forecaster gives finite,
   * non-negative values with the point inside the interval, from a single call.
   */
  @Test
  void forecastsAreFiniteAndNonNegativeOnAwkwardHistories() {
    qt().withExamples(40).forAll(seeds()).checkAssert(seed -> {
      double[] y = awkward(seed);
      for (Forecaster f : ALL) {
        Forecast fc = f.forecast(MetricSeries.of(T0, Duration.ofHours(1), y),
            Duration.ofHours(30), 0.9);
        if (!valid(fc, 30)) {
          throw new AssertionError(f.name() + " gave an invalid forecast " + fc + " for seed "
              + seed);
        }
      }
    });
  }

  /**
   * Fed the same awkward history step by step, as the engine does, a per-series instance keeps
   * giving finite, non-negative values with the point inside the interval.
   */
  @Test
  void streamedForecastsStayFiniteAndNonNegative() {
    qt().withExamples(15).forAll(seeds()).checkAssert(seed -> {
      double[] y = awkward(seed);
      for (Forecaster shared : ALL) {
        Forecaster f = shared.forSeries();
        for (int end = 1; end <= y.length; end++) {
          int from = Math.max(0, end - 200);
          MetricSeries h = MetricSeries.of(T0.plus(Duration.ofHours(from)), Duration.ofHours(1),
              Arrays.copyOfRange(y, from, end));
          if (h.countPresent() == 0) {
            continue;
          }
          Forecast fc = f.forecast(h, Duration.ofHours(6), 0.95);
          if (!valid(fc, 6)) {
            throw new AssertionError(shared.name() + " gave an invalid forecast " + fc
                + " at step " + end + " for seed " + seed);
          }
        }
      }
    });
  }
}
