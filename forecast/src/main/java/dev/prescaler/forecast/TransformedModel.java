package dev.prescaler.forecast;

/**
 * A model fitted on {@code log(y + shift)} and forecasting back on the original scale, for
 * multiplicative patterns. The shift keeps zeros finite: a small fraction of the mean level.
 */
final class TransformedModel implements PointModel {
  private final PointModel inner;
  private final double shift;

  private TransformedModel(PointModel inner, double shift) {
    this.inner = inner;
    this.shift = shift;
  }

  PointModel inner() {
    return inner;
  }

  @Override
  public void update(double y) {
    inner.update(log(y, shift));
  }

  @Override
  public void missing(double standIn) {
    inner.missing(log(standIn, shift));
  }

  /**
   * {@code log(max(0, y) + shift)}, finite for every finite {@code y}: near
   * {@link Double#MAX_VALUE} the sum would round to infinity.
   */
  private static double log(double y, double shift) {
    return Math.log(Math.min(Double.MAX_VALUE, Math.max(0, y) + shift));
  }

  @Override
  public long arrayBytes() {
    return inner.arrayBytes();
  }

  @Override
  public void forecast(double[] out) {
    inner.forecast(out);
    for (int h = 0; h < out.length; h++) {
      double v = Math.exp(Math.min(out[h], 700)) - shift;
      out[h] = Double.isFinite(v) ? v : Double.MAX_VALUE / 4;
    }
  }

  /** The spec fitting {@code inner} on the log scale. */
  static ModelSpec log(ModelSpec inner) {
    return new ModelSpec() {
      @Override
      public String name() {
        return "log-" + inner.name();
      }

      @Override
      public boolean applicable(int n, boolean positive) {
        return inner.applicable(n, true);
      }

      @Override
      public PointModel warmStart(PointModel fitted) {
        if (fitted instanceof TransformedModel t) {
          PointModel w = inner.warmStart(t.inner);
          return w == null ? null : new TransformedModel(w, t.shift);
        }
        return null;
      }

      @Override
      public PointModel fit(double[] y, PointModel previous, double floor) {
        double mean = 0;
        int present = 0;
        for (double v : y) {
          if (!Double.isNaN(v)) {
            mean += Math.max(0, v);
            present++;
          }
        }
        mean /= Math.max(1, present);
        double shift = Math.max(1e-9, 0.01 * mean);
        double[] z = new double[y.length];
        for (int i = 0; i < y.length; i++) {
          z[i] = Double.isNaN(y[i]) ? Double.NaN : log(y[i], shift); // NaN stays missing
        }
        PointModel warm = previous instanceof TransformedModel t ? t.inner : null;
        // Live use feeds a missing step at least 0, which is log(shift) on this scale.
        return new TransformedModel(inner.fit(z, warm, log(floor, shift)), shift);
      }
    };
  }
}
