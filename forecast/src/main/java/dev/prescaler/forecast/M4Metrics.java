package dev.prescaler.forecast;

import java.math.BigDecimal;
import java.math.MathContext;
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
   * counts 0. Exact for any finite values: where {@code 2|Y−F|} or {@code |Y|+|F|} would overflow
   * (values beyond about 9e307), the step is computed on {@code Y/4} and {@code F/4}, which gives
   * the same ratio.
   *
   * @throws IllegalArgumentException when the lengths differ or are 0, or a value is not finite
   */
  public static double smape(double[] actual, double[] forecast) {
    check(actual, forecast);
    double s = 0;
    for (int i = 0; i < actual.length; i++) {
      double a = actual[i];
      double f = forecast[i];
      double num = 2 * Math.abs(a - f);
      double den = Math.abs(a) + Math.abs(f);
      if (num == Double.POSITIVE_INFINITY || den == Double.POSITIVE_INFINITY) {
        // Dividing by 4 is exact for a value this large, and a small one it rounds is lost in
        // the sum with the large one anyway.
        a /= 4;
        f /= 4;
        num = 2 * Math.abs(a - f);
        den = Math.abs(a) + Math.abs(f);
      }
      s += den == 0 ? 0 : num / den;
    }
    return 100 * s / actual.length;
  }

  /**
   * MASE: the out-of-sample MAE divided by the in-sample MAE of the seasonal naive forecast with
   * period {@code m}, {@code (1/(n−m)) Σ_{t=m+1..n} |Y_t − Y_{t−m}|}. Exact for any finite values:
   * where a sum overflows or a mean is too small to hold its precision (values beyond about 1e305
   * or below about 1e-305), both are computed in decimal. The result is {@code +Infinity} when
   * the ratio itself is beyond {@link Double#MAX_VALUE}.
   *
   * @throws IllegalArgumentException if {@code m < 1}, {@code train.length <= m}, a value is not
   *     finite, the lengths of {@code actual} and {@code forecast} differ or are 0, or the scale
   *     is 0
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
    finite(train, "train");
    double scale = 0;
    for (int t = m; t < train.length; t++) {
      scale += Math.abs(train[t] - train[t - m]);
    }
    scale /= train.length - m;
    double mae = 0;
    for (int i = 0; i < actual.length; i++) {
      mae += Math.abs(actual[i] - forecast[i]);
    }
    if (scale >= Double.MIN_NORMAL && scale < Double.POSITIVE_INFINITY
        && (mae == 0 || mae / actual.length >= Double.MIN_NORMAL)
        && mae < Double.POSITIVE_INFINITY) {
      return mae / actual.length / scale;
    }
    return exactMase(train, actual, forecast, m);
  }

  /** MASE in decimal arithmetic, for values whose sums overflow or whose means underflow. */
  private static double exactMase(double[] train, double[] actual, double[] forecast, int m) {
    BigDecimal scale = BigDecimal.ZERO;
    for (int t = m; t < train.length; t++) {
      scale = scale.add(new BigDecimal(train[t]).subtract(new BigDecimal(train[t - m])).abs());
    }
    if (scale.signum() == 0) {
      throw new IllegalArgumentException("in-sample seasonal naive MAE must be > 0, but was 0.0");
    }
    BigDecimal mae = BigDecimal.ZERO;
    for (int i = 0; i < actual.length; i++) {
      mae = mae.add(new BigDecimal(actual[i]).subtract(new BigDecimal(forecast[i])).abs());
    }
    return mae.multiply(BigDecimal.valueOf(train.length - m))
        .divide(scale.multiply(BigDecimal.valueOf(actual.length)), MathContext.DECIMAL128)
        .doubleValue();
  }

  /**
   * OWA of a whole subset: {@code ½ (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2)}, all four being
   * subset-level means. The result is {@code +Infinity} when a ratio is beyond
   * {@link Double#MAX_VALUE}.
   *
   * @throws IllegalArgumentException when a value is not finite, or a Naive2 reference is not
   *     &gt; 0
   */
  public static double owa(double smape, double mase, double smapeNaive2, double maseNaive2) {
    if (!(smapeNaive2 > 0) || !(maseNaive2 > 0) || !Double.isFinite(smapeNaive2)
        || !Double.isFinite(maseNaive2)) {
      throw new IllegalArgumentException("Naive2 references must be finite and > 0, but were "
          + smapeNaive2 + " and " + maseNaive2);
    }
    if (!Double.isFinite(smape) || !Double.isFinite(mase)) {
      throw new IllegalArgumentException("smape and mase must be finite, but were " + smape
          + " and " + mase);
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
    finite(actual, "actual");
    finite(forecast, "forecast");
  }

  private static void finite(double[] v, String name) {
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        throw new IllegalArgumentException(name + " must be finite, but was " + v[i] + " at "
            + i);
      }
    }
  }
}
