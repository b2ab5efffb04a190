package dev.prescaler.forecast.cli;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.forecast.Forecasters;
import dev.prescaler.forecast.M4Metrics;
import dev.prescaler.forecast.Naive2;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores methods on M4 Hourly: per series sMAPE and MASE (m = 24) over h = 48, averaged over the
 * series, and OWA against Naive2's means on the same series and horizons, as M4 defines it (on
 * the 414 series of the test half they are the published 18.383 / 2.395; on a holdout or a
 * subset, Naive2's own).
 */
final class M4Evaluation {
  static final int M = 24;
  static final int H = 48;
  static final double LEVEL = 0.95;

  /** A method: forecasts h steps (point, lower, upper; lower/upper may be null). */
  interface Method {
    double[][] forecast(double[] train, int h);
  }

  /** One method's subset-level result. */
  record Row(String name, double smape, double mase, double owa, double coverage) {}

  private M4Evaluation() {}

  /** The methods scored: the M4 benchmarks and every project forecaster. */
  static Map<String, Method> methods() {
    Map<String, Method> m = new LinkedHashMap<>();
    m.put("naive2", NAIVE2);
    m.put("snaive", (y, h) -> new double[][] {Naive2.seasonalNaive(y, M, h), null, null});
    m.put("naive1", (y, h) -> new double[][] {Naive2.naive1(y, h), null, null});
    m.put("linear-trend", project(Forecasters.linearTrend()));
    m.put("seasonal-naive", project(Forecasters.seasonalNaive()));
    m.put("holt-winters", project(Forecasters.holtWinters()));
    m.put("fourier", project(Forecasters.fourier(Duration.ofDays(1), Duration.ofDays(7))));
    m.put("auto", project(Forecasters.auto()));
    return m;
  }

  private static Method project(Forecaster f) {
    return (y, h) -> {
      MetricSeries s = MetricSeries.of(Instant.EPOCH, Duration.ofHours(1), y);
      Forecast fc = f.forSeries().forecast(s, Duration.ofHours(h), LEVEL);
      double[] p = new double[h];
      double[] lo = new double[h];
      double[] hi = new double[h];
      for (int i = 0; i < h; i++) {
        p[i] = fc.point(i);
        lo[i] = fc.lower(i);
        hi[i] = fc.upper(i);
      }
      return new double[][] {p, lo, hi};
    };
  }

  /**
   * Scores each method on (train, test) pairs; OWA is against Naive2 scored on the same pairs,
   * also when Naive2 is not among {@code ms}.
   */
  static List<Row> evaluate(List<double[]> trains, List<double[]> tests, Map<String, Method> ms) {
    Row naive2 = score("naive2", NAIVE2, trains, tests, 1, 1);
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, Method> e : ms.entrySet()) {
      rows.add(e.getValue() == NAIVE2 // scored already: not forecast twice
          ? new Row(e.getKey(), naive2.smape(), naive2.mase(),
              M4Metrics.owa(naive2.smape(), naive2.mase(), naive2.smape(), naive2.mase()),
              naive2.coverage())
          : score(e.getKey(), e.getValue(), trains, tests, naive2.smape(), naive2.mase()));
    }
    return rows;
  }

  private static final Method NAIVE2 =
      (y, h) -> new double[][] {Naive2.forecast(y, M, h), null, null};

  private static Row score(String name, Method method, List<double[]> trains,
      List<double[]> tests, double smapeNaive2, double maseNaive2) {
    double smape = 0;
    double mase = 0;
    long inside = 0;
    long total = 0;
    for (int i = 0; i < trains.size(); i++) {
      double[] train = trains.get(i);
      double[] test = tests.get(i);
      double[][] f = method.forecast(train, test.length);
      smape += M4Metrics.smape(test, f[0]);
      mase += M4Metrics.mase(train, test, f[0], M);
      if (f[1] != null) {
        for (int j = 0; j < test.length; j++) {
          total++;
          if (test[j] >= f[1][j] && test[j] <= f[2][j]) {
            inside++;
          }
        }
      }
    }
    smape /= trains.size();
    mase /= trains.size();
    return new Row(name, smape, mase, M4Metrics.owa(smape, mase, smapeNaive2, maseNaive2),
        total == 0 ? Double.NaN : (double) inside / total);
  }
}
