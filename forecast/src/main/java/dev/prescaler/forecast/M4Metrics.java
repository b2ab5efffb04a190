package dev.prescaler.forecast;

import java.util.Objects;

/**
 * The M4 competition's point-forecast measures (Makridakis, Spiliotis &amp; Assimakopoulos, IJF
 * 2020; the official {@code Benchmarks and Evaluation.R}): sMAPE, MASE and OWA.
 */
public final class M4Metrics {
  /** Naive2's published M4 Hourly sMAPE, the OWA reference: 18.383. */
  public static final double HOURLY_NAIVE2_SMAPE = 18.383;
  /** Naive2's published M4 Hourly MASE, the OWA reference: 2.395. */
  public static final double HOURLY_NAIVE2_MASE = 2.395;

  private M4Metrics() {}

  /**
   * sMAPE in percent (0–200): {@code (100/h) Σ 2|Y−F| / (|Y|+|F|)}; a step where both are 0
   * counts 0.
   */
  public static double smape(double[] actual, double[] forecast) {
    check(actual, forecast);
    double s = 0;
    for (int i = 0; i < actual.length; i++) {
      double den = Math.abs(actual[i]) + Math.abs(forecast[i]);
      s += den == 0 ? 0 : 2 * Math.abs(actual[i] - forecast[i]) / den;
    }
    return 100 * s / actual.length;
  }

  /**
   * MASE: the out-of-sample MAE divided by the in-sample MAE of the seasonal naive forecast with
   * period {@code m}, {@code (1/(n−m)) Σ_{t=m+1..n} |Y_t − Y_{t−m}|}.
   *
   * @throws IllegalArgumentException if {@code train.length <= m} or the scale is 0
   */
  public static double mase(double[] train, double[] actual, double[] forecast, int m) {
    check(actual, forecast);
    Objects.requireNonNull(train, "train");
    if (m < 1) {
      throw new IllegalArgumentException("m must be >= 1, but was " + m);
    }
    if (train.length <= m) {
      throw new IllegalArgumentException(
          "train.length must be > m (" + m + "), but was " + train.length);
    }
    double scale = 0;
    for (int t = m; t < train.length; t++) {
      scale += Math.abs(train[t] - train[t - m]);
    }
    scale /= train.length - m;
    if (!(scale > 0)) {
      throw new IllegalArgumentException("in-sample seasonal naive MAE must be > 0, but was "
          + scale);
    }
    double mae = 0;
    for (int i = 0; i < actual.length; i++) {
      mae += Math.abs(actual[i] - forecast[i]);
    }
    return mae / actual.length / scale;
  }

  /**
   * OWA of a whole subset: {@code ½ (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2)}, all four being
   * subset-level means.
   */
  public static double owa(double smape, double mase, double smapeNaive2, double maseNaive2) {
    if (!(smapeNaive2 > 0) || !(maseNaive2 > 0)) {
      throw new IllegalArgumentException("Naive2 references must be > 0, but were "
          + smapeNaive2 + " and " + maseNaive2);
    }
    return 0.5 * (smape / smapeNaive2 + mase / maseNaive2);
  }

  private static void check(double[] actual, double[] forecast) {
    Objects.requireNonNull(actual, "actual");
    Objects.requireNonNull(forecast, "forecast");
    if (actual.length == 0 || actual.length != forecast.length) {
      throw new IllegalArgumentException("forecast.length must equal actual.length ("
          + actual.length + ") and be > 0, but was " + forecast.length);
    }
  }
}
