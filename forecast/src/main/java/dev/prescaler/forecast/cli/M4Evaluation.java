package dev.prescaler.forecast.cli;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.forecast.Forecasters;
import dev.prescaler.forecast.M4Metrics;
import dev.prescaler.forecast.Naive2;
import dev.prescaler.forecast.trace.CsvTraceReader;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
   * One series to score: its training and test values, and the file and line each came from
   * (in a holdout both are the training file's line).
   */
  record Case(String id, double[] train, double[] test, String trainFile, int trainLine,
      String testFile, int testLine) {}

  /**
   * Scores each method on the cases; OWA is against Naive2 scored on the same cases, also when
   * Naive2 is not among {@code ms}.
   *
   * @throws InputException naming the series' file and line when a case cannot be scored: a
   *     forecast that is not finite (Naive2's, where M4's R code gives no number either), a MASE
   *     beyond the largest double, Naive2 exact on every series (OWA divides by its means), or
   *     an OWA beyond the largest double
   */
  static List<Row> evaluate(List<Case> cases, Map<String, Method> ms) {
    Scores naive2 = score("naive2", NAIVE2, cases);
    if (!(naive2.smape() > 0) || !(naive2.mase() > 0)) {
      Case first = cases.get(0);
      throw InputException.at(first.testFile(), first.testLine(), "OWA cannot be scored: "
          + "naive2, its reference, must have a mean sMAPE and MASE > 0, but they were "
          + naive2.smape() + " and " + naive2.mase() + (cases.size() == 1 ? " on series "
          + first.id() : " (it forecast all " + cases.size() + " series exactly)"));
    }
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, Method> e : ms.entrySet()) {
      Scores s = e.getValue() == NAIVE2 // scored already: not forecast twice
          ? naive2 : score(e.getKey(), e.getValue(), cases);
      double owa = M4Metrics.owa(s.smape(), s.mase(), naive2.smape(), naive2.mase());
      if (!Double.isFinite(owa)) {
        Case c = cases.get(s.worst());
        throw InputException.at(c.testFile(), c.testLine(), String.format(Locale.ROOT,
            "series %s cannot be scored: the OWA of %s is beyond the largest number, its MASE "
            + "%.6g against naive2's mean MASE %.6g", CsvTraceReader.escapeUnprintable(c.id()),
            e.getKey(), s.mases()[s.worst()], naive2.mase()));
      }
      rows.add(new Row(e.getKey(), s.smape(), s.mase(), owa, s.coverage()));
    }
    return rows;
  }

  private static final Method NAIVE2 =
      (y, h) -> new double[][] {Naive2.forecast(y, M, h), null, null};

  /** A method's per-series MASE, its means, the series of its largest MASE and its coverage. */
  private record Scores(double smape, double mase, double[] mases, int worst, double coverage) {}

  private static Scores score(String name, Method method, List<Case> cases) {
    double smape = 0;
    double[] mases = new double[cases.size()];
    long inside = 0;
    long total = 0;
    int worst = 0;
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      double[] train = c.train();
      double[] test = c.test();
      double[][] f = method.forecast(train, test.length);
      for (int j = 0; j < test.length; j++) {
        if (!Double.isFinite(f[0][j])) {
          throw InputException.at(c.trainFile(), c.trainLine(), "series "
              + CsvTraceReader.escapeUnprintable(c.id()) + " cannot be scored: the " + name
              + " forecast is " + f[0][j] + " at step " + (j + 1) + (method == NAIVE2
                  ? " (Naive2, the OWA reference, has no number here, as in M4's R code: its "
                  + "seasonal indices or the last value over its index are not finite)" : ""));
        }
      }
      smape += M4Metrics.smape(test, f[0]);
      mases[i] = M4Metrics.mase(train, test, f[0], M);
      if (!Double.isFinite(mases[i])) {
        throw InputException.at(c.testFile(), c.testLine(), "series "
            + CsvTraceReader.escapeUnprintable(c.id()) + " cannot be scored: the MASE of " + name
            + " is beyond the largest number (its errors are too large for the series' "
            + "in-sample seasonal naive error)");
      }
      if (mases[i] > mases[worst]) {
        worst = i;
      }
      if (f[1] != null) {
        for (int j = 0; j < test.length; j++) {
          total++;
          if (test[j] >= f[1][j] && test[j] <= f[2][j]) {
            inside++;
          }
        }
      }
    }
    // Each sMAPE is at most 200: their sum cannot overflow.
    return new Scores(smape / cases.size(), mean(mases), mases, worst,
        total == 0 ? Double.NaN : (double) inside / total);
  }

  /** The mean of finite values; in decimal where their sum would overflow. */
  private static double mean(double[] values) {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    if (Double.isFinite(s)) {
      return s / values.length;
    }
    BigDecimal b = BigDecimal.ZERO;
    for (double v : values) {
      b = b.add(new BigDecimal(v));
    }
    return b.divide(BigDecimal.valueOf(values.length), MathContext.DECIMAL128).doubleValue();
  }
}
