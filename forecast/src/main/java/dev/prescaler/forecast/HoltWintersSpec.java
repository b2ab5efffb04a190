package dev.prescaler.forecast;

import dev.prescaler.forecast.HoltWintersModel.Seasonal;
import dev.prescaler.forecast.HoltWintersModel.Trend;

/**
 * Fits {@link HoltWintersModel}s on the most recent {@code maxSeasons} seasons, warm-starting
 * from the previous fit.
 */
final class HoltWintersSpec implements ModelSpec {
  static final int COLD_EVALUATIONS = 250;
  static final int WARM_EVALUATIONS = 80;
  private final int period;
  private final Seasonal seasonal;
  private final Trend trend;
  private final int maxFitLength;

  HoltWintersSpec(int period, Seasonal seasonal, Trend trend, int maxFitLength) {
    this.period = seasonal == Seasonal.NONE ? 1 : period;
    this.seasonal = seasonal;
    this.trend = trend;
    this.maxFitLength = maxFitLength;
  }

  @Override
  public String name() {
    String t = switch (trend) {
      case NONE -> "";
      case LINEAR -> "-trend";
      case DAMPED -> "-damped";
    };
    return switch (seasonal) {
      case NONE -> trend == Trend.NONE ? "ses" : "holt" + t;
      case ADDITIVE -> "hw-add" + t + "-" + period;
      case MULTIPLICATIVE -> "hw-mul" + t + "-" + period;
    };
  }

  @Override
  public boolean applicable(int n, boolean positive) {
    if (seasonal == Seasonal.MULTIPLICATIVE && !positive) {
      return false;
    }
    return seasonal == Seasonal.NONE ? n >= 3 : n >= 2 * period + 1;
  }

  @Override
  public PointModel warmStart(PointModel fitted) {
    return fitted instanceof HoltWintersModel h ? h.warmStart() : null;
  }

  @Override
  public PointModel fit(double[] y, PointModel previous, double floor) {
    int len = Math.min(y.length, Math.max(maxFitLength, 2 * period + 1));
    // Fit on the most recent stretch only: older seasons cost time and rarely help.
    double[] w = y;
    if (len < y.length) {
      w = java.util.Arrays.copyOfRange(y, y.length - len, y.length);
    }
    HoltWintersModel warm = previous instanceof HoltWintersModel h ? h : null;
    // A warm start from the previous fit converges in far fewer evaluations.
    int evals = warm != null ? WARM_EVALUATIONS : COLD_EVALUATIONS;
    return HoltWintersModel.fit(w, period, seasonal, trend, warm, evals, floor);
  }
}
