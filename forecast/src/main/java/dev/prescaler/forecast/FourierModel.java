package dev.prescaler.forecast;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealVector;

/**
 * Multi-seasonal harmonic regression: {@code y_t = a + b·t + Σ_p Σ_{k=1..K_p} (c_pk cos(2πkt/p) +
 * d_pk sin(2πkt/p)) + r_t}, fitted by least squares (normal equations, QR), with the residual
 * level {@code r} followed by exponential smoothing between refits so that a level shift is
 * absorbed without a refit. The seasonal profiles are tabulated once per fit, so an update and a
 * forecast step cost O(1).
 */
final class FourierModel implements PointModel {
  /** Smoothing weight of the residual level. */
  static final double RESIDUAL_WEIGHT = 0.1;

  private final double intercept;
  private final double slope;
  private final int[] periods;
  private final float[][] profiles; // float: tabulated once per fit, 1,440 per day at 1 min
  private final double damping;
  private final int columns;
  private long t; // index of the next observation
  private double residual;

  private FourierModel(double intercept, double slope, int[] periods, float[][] profiles,
      long t, double residual, double damping, int columns) {
    this.intercept = intercept;
    this.slope = slope;
    this.periods = periods;
    this.profiles = profiles;
    this.t = t;
    this.residual = residual;
    this.damping = damping;
    this.columns = columns;
  }

  /**
   * Fits the regression on the present values of {@code y} (a NaN is a missing step: no row, and
   * the residual level is carried over it as a forecast fed back would leave it). With missing
   * steps, each period keeps only the harmonics that its observed phases determine ({@link
   * #supported}), and the fit is refused when fewer than two present values per column remain.
   *
   * @throws IllegalArgumentException when steps are missing and fewer than {@code 2 × columns}
   *     values are present
   */
  static FourierModel fit(double[] y, int[] periods, int[] maxHarmonics, boolean trend) {
    return fit(y, periods, maxHarmonics, trend, 0);
  }

  /**
   * Fits as {@link #fit(double[], int[], int[], boolean)}, the residual level being carried over
   * a missing step as feeding it the forecast, at least {@code floor}, would leave it.
   */
  static FourierModel fit(double[] y, int[] periods, int[] maxHarmonics, boolean trend,
      double floor) {
    int n = y.length;
    int[] harmonics = maxHarmonics.clone();
    int present = 0;
    for (double v : y) {
      present += Double.isNaN(v) ? 0 : 1;
    }
    if (present < n) {
      for (int p = 0; p < periods.length; p++) {
        harmonics[p] = Math.min(harmonics[p], supported(y, periods[p]));
      }
    }
    int cols = 1 + (trend ? 1 : 0);
    for (int k : harmonics) {
      cols += 2 * k;
    }
    if (present < n && present < 2 * cols) {
      throw new IllegalArgumentException("present values must be >= 2 × columns (" + 2 * cols
          + "), but were " + present + " of " + n);
    }
    double[][] xtx = new double[cols][cols];
    double[] xty = new double[cols];
    double[] row = new double[cols];
    double scale = Math.max(1, n);
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(y[i])) {
        continue; // missing: no row
      }
      fillRow(row, i, scale, periods, harmonics, trend);
      for (int a = 0; a < cols; a++) {
        double ra = row[a];
        xty[a] += ra * y[i];
        for (int b = a; b < cols; b++) {
          xtx[a][b] += ra * row[b];
        }
      }
    }
    for (int a = 0; a < cols; a++) {
      xtx[a][a] += 1e-8 * present; // a whisper of ridge keeps collinear harmonics solvable
      for (int b = 0; b < a; b++) {
        xtx[a][b] = xtx[b][a];
      }
    }
    RealVector beta = new QRDecomposition(new Array2DRowRealMatrix(xtx, false)).getSolver()
        .solve(new ArrayRealVector(xty, false));
    double[] c = beta.toArray();
    double icept = c[0];
    double sl = trend ? c[1] / scale : 0;
    float[][] prof = new float[periods.length][];
    int idx = 1 + (trend ? 1 : 0);
    for (int p = 0; p < periods.length; p++) {
      int m = periods[p];
      double[] sum = new double[m];
      for (int k = 1; k <= harmonics[p]; k++) {
        double cc = c[idx++];
        double ss = c[idx++];
        for (int j = 0; j < m; j++) {
          double w = 2 * Math.PI * k * j / m;
          sum[j] += cc * Math.cos(w) + ss * Math.sin(w);
        }
      }
      prof[p] = new float[m];
      for (int j = 0; j < m; j++) {
        prof[p][j] = (float) sum[j];
      }
    }
    FourierModel mdl = new FourierModel(icept, sl, periods, prof, 0, 0, 1, cols);
    // Run the residual smoother over the last stretch so that it starts at the current level.
    int from = Math.max(0, n - 10 * (int) Math.ceil(1 / RESIDUAL_WEIGHT));
    mdl.t = from;
    for (int i = from; i < n; i++) {
      if (Double.isNaN(y[i])) {
        double f = mdl.fitted(mdl.t) + mdl.residual * mdl.damping;
        if (f < floor) {
          mdl.update(floor); // fed at least the floor, as in live use
        } else {
          mdl.t++; // fed its own forecast: the residual level stays as it is
        }
      } else {
        mdl.update(y[i]);
      }
    }
    return mdl;
  }

  /**
   * The most harmonics of {@code period} that the phases of the present values of {@code y}
   * determine: those below {@code period / (2 g)}, g being the longest run of steps between two
   * observed phases of the season, around the circle (a trigonometric polynomial of degree K is
   * fixed stably by samples no further apart than half its shortest wavelength, period / (2 K)).
   * Every phase observed (g = 1) keeps every harmonic a fit uses; values seen only at hours 0–1
   * of each day keep none of the daily ones, whose least-squares solution would otherwise put
   * the level into harmonics that no row constrains and forecast the other hours near 0.
   */
  static int supported(double[] y, int period) {
    boolean[] seen = new boolean[period];
    for (int i = 0; i < y.length; i++) {
      if (!Double.isNaN(y[i])) {
        seen[i % period] = true;
      }
    }
    int first = -1;
    int prev = -1;
    int gap = 0;
    for (int j = 0; j < period; j++) {
      if (seen[j]) {
        if (first < 0) {
          first = j;
        } else {
          gap = Math.max(gap, j - prev);
        }
        prev = j;
      }
    }
    if (first < 0) {
      return 0;
    }
    gap = Math.max(gap, first + period - prev); // around the circle; the whole period for one
    if (gap == 1) {
      return period / 2; // every phase: every harmonic, the one at period 2 included
    }
    return (int) Math.ceil(period / (2.0 * gap)) - 1;
  }

  private static void fillRow(double[] row, long i, double scale, int[] periods, int[] harmonics,
      boolean trend) {
    int c = 0;
    row[c++] = 1;
    if (trend) {
      row[c++] = i / scale;
    }
    for (int p = 0; p < periods.length; p++) {
      double base = 2 * Math.PI * (i % periods[p]) / periods[p];
      for (int k = 1; k <= harmonics[p]; k++) {
        row[c++] = Math.cos(k * base);
        row[c++] = Math.sin(k * base);
      }
    }
  }

  private double fitted(long i) {
    double v = intercept + slope * i;
    for (int p = 0; p < periods.length; p++) {
      v += profiles[p][(int) (i % periods[p])];
    }
    return v;
  }

  /** The number of least-squares columns of the fit (intercept, trend, 2 per harmonic). */
  int columns() {
    return columns;
  }

  /** Bytes held in arrays (the seasonal profiles), for the per-series memory bound. */
  @Override
  public long arrayBytes() {
    long b = 4L * periods.length;
    for (float[] p : profiles) {
      b += 4L * p.length;
    }
    return b;
  }

  @Override
  public void update(double y) {
    residual += RESIDUAL_WEIGHT * (y - fitted(t) - residual);
    t++;
  }

  @Override
  public void forecast(double[] out) {
    for (int h = 0; h < out.length; h++) {
      out[h] = fitted(t + h) + residual * damping;
    }
  }

  /** The spec: trend plus up to {@code maxHarmonics[p]} harmonics of each period. */
  static ModelSpec spec(int[] periods, int[] maxHarmonics, boolean trend, int minSeasons) {
    StringBuilder nb = new StringBuilder(trend ? "fourier" : "fourier-flat");
    for (int p : periods) {
      nb.append('-').append(p);
    }
    String name = nb.toString();
    int longest = 0;
    for (int p : periods) {
      longest = Math.max(longest, p);
    }
    int need = minSeasons * longest;
    return new ModelSpec() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean applicable(int n, boolean positive) {
        return n >= need;
      }

      @Override
      public PointModel fit(double[] y, PointModel previous, double floor) {
        int[] k = new int[periods.length];
        for (int i = 0; i < k.length; i++) {
          k[i] = Math.max(1, Math.min(maxHarmonics[i], periods[i] / 2 - 1));
        }
        return FourierModel.fit(y, periods, k, trend, floor);
      }
    };
  }
}
