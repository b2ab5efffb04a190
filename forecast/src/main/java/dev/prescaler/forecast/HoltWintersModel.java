package dev.prescaler.forecast;

import java.util.Objects;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer;

/**
 * A Holt-Winters exponential smoothing model (Hyndman &amp; Athanasopoulos, <i>Forecasting:
 * Principles and Practice</i>, section 8.3): level, optional (damped) trend and an additive or
 * multiplicative season of a given period, with smoothing parameters fitted by minimising the
 * in-sample one-step squared error with a commons-math3 Nelder-Mead optimiser.
 *
 * <p>A missing step (NaN) in the fitted data is treated as the forecasters treat it in live use:
 * the model is fed its own one-step forecast there (which carries level, trend and season forward
 * unchanged) and the step adds nothing to the squared error, so the parameters are fitted on the
 * observed steps only, and the model that is fitted is the one that will run over gaps.
 *
 * <p>Additive season, damped trend (multiplicative divides by and multiplies with the season
 * instead of subtracting and adding it):
 *
 * <pre>
 *   l_t = α (y_t − s_{t−m}) + (1 − α)(l_{t−1} + φ b_{t−1})
 *   b_t = β (l_t − l_{t−1}) + (1 − β) φ b_{t−1}
 *   s_t = γ (y_t − l_{t−1} − φ b_{t−1}) + (1 − γ) s_{t−m}
 *   ŷ_{t+h} = l_t + (φ + … + φ^h) b_t + s_{t+h−m(k+1)}
 * </pre>
 *
 * <p>After {@link #fit}, {@link #update(double)} absorbs one observation in O(1). Not
 * thread-safe.
 */
public final class HoltWintersModel implements PointModel {

  /** The kind of seasonal component. */
  public enum Seasonal {
    /** No season (simple or Holt's exponential smoothing). */
    NONE,
    /** A season added to the level. */
    ADDITIVE,
    /** A season multiplying the level; needs positive data. */
    MULTIPLICATIVE
  }

  /** The kind of trend component. */
  public enum Trend {
    /** No trend. */
    NONE,
    /** A linear trend (Holt). */
    LINEAR,
    /** A damped trend (Gardner &amp; McKenzie), φ fitted in [0.8, 0.98]. */
    DAMPED
  }

  /** Default cap on optimiser evaluations of the in-sample error: 400. */
  public static final int DEFAULT_MAX_EVALUATIONS = 400;

  private static final double PHI_MIN = 0.8;
  private static final double PHI_MAX = 0.98;
  /**
   * The largest ratio of an observation to the level that {@link #update} lets into a
   * multiplicative season, as a multiple of the largest index of the fit (and at least this
   * multiple of 1): 4.
   */
  static final double MAX_INDEX_GROWTH = 4;

  private final Seasonal seasonal;
  private final Trend trend;
  private final double sse;
  private final Recursion r; // the parameters, level and slope
  private final float[] season; // float: a relative 6e-8 is far below any forecast error
  private final double maxIndex; // multiplicative: the largest y / level the season takes in
  private int pos; // index in season of the next observation

  private HoltWintersModel(int period, Seasonal seasonal, Trend trend, double[] p, double[] y,
      double[] init, double floor) {
    this.seasonal = seasonal;
    this.trend = trend;
    double[] s = new double[Math.max(1, period)];
    double[] state = new double[3];
    this.sse = run(y, init, seasonal, trend, p, floor, s, state, false);
    this.r = new Recursion(seasonal, trend, p, state[0], state[1]);
    this.season = new float[s.length];
    double most = 1;
    for (int i = 0; i < s.length; i++) {
      season[i] = (float) s[i];
      most = Math.max(most, season[i]);
    }
    this.maxIndex = MAX_INDEX_GROWTH * most;
    this.pos = (int) state[2];
  }

  /** A parameters-only copy of {@code m} (season of length 1): a warm start, never a forecaster. */
  private HoltWintersModel(HoltWintersModel m) {
    this.seasonal = m.seasonal;
    this.trend = m.trend;
    this.r = new Recursion(m.seasonal, m.trend, m.params(), 0, 0);
    this.sse = m.sse;
    this.season = new float[1];
    this.maxIndex = m.maxIndex;
  }

  /**
   * What a warm-started refit of this model reuses (its seasonal and trend kinds and its smoothing
   * parameters) without the seasonal state: a few dozen bytes to keep for a candidate that is not
   * in use between refits.
   */
  HoltWintersModel warmStart() {
    return new HoltWintersModel(this);
  }

  /**
   * Fits an additive-season, damped-trend model.
   *
   * @param y observations, oldest first, all finite; at least {@code 2 × period} of them
   * @param period season length in steps, &gt;= 2
   */
  public static HoltWintersModel fit(double[] y, int period) {
    return fit(y, period, Seasonal.ADDITIVE, Trend.DAMPED);
  }

  /**
   * Fits a model: initial state from the first two seasons, then α, β, γ (and φ when damped)
   * minimising the one-step in-sample squared error over the observed steps.
   *
   * @param y observations, oldest first, each finite (&gt; 0 for a multiplicative season) or NaN
   *     for a missing step, at least one of them present; at least {@code 2 × period} of them when
   *     seasonal, at least 3 otherwise. A missing step is fed the model's own one-step forecast,
   *     at least 0 (as the forecasters feed it in live use), and left out of the squared error;
   *     the initial state reads the first seasons with their gaps interpolated linearly.
   * @param period season length in steps, &gt;= 2 when seasonal (ignored otherwise)
   * @param seasonal the seasonal component
   * @param trend the trend component
   * @throws IllegalArgumentException if the data is too short, infinite, all missing, or not
   *     positive for a multiplicative season
   */
  public static HoltWintersModel fit(double[] y, int period, Seasonal seasonal, Trend trend) {
    return fit(y, period, seasonal, trend, null, DEFAULT_MAX_EVALUATIONS, 0);
  }

  static HoltWintersModel fit(double[] y, int period, Seasonal seasonal, Trend trend,
      HoltWintersModel warm, int maxEval) {
    return fit(y, period, seasonal, trend, warm, maxEval, 0);
  }

  /**
   * Fits as {@link #fit(double[], int, Seasonal, Trend)}, warm-started from {@code warm} when not
   * null, with at most {@code maxEval} evaluations, a missing step being fed the one-step forecast
   * but at least {@code floor}.
   */
  static HoltWintersModel fit(double[] y, int period, Seasonal seasonal, Trend trend,
      HoltWintersModel warm, int maxEval, double floor) {
    Objects.requireNonNull(y, "y");
    Objects.requireNonNull(seasonal, "seasonal");
    Objects.requireNonNull(trend, "trend");
    int m = seasonal == Seasonal.NONE ? 1 : period;
    if (seasonal != Seasonal.NONE && period < 2) {
      throw new IllegalArgumentException("period must be >= 2, but was " + period);
    }
    // In long: 2 × a period of 2^30 or more overflows an int (to a negative minimum that every
    // y passed), and the fit went on to allocate the season, an OutOfMemoryError.
    long min = seasonal == Seasonal.NONE ? 3 : 2L * m;
    if (y.length < min) {
      throw new IllegalArgumentException("y.length must be >= " + min + ", but was " + y.length);
    }
    int missing = 0;
    for (int i = 0; i < y.length; i++) {
      if (Double.isNaN(y[i])) {
        missing++;
        continue;
      }
      if (!Double.isFinite(y[i])) {
        throw new IllegalArgumentException("y[" + i + "] must be finite or NaN, but was " + y[i]);
      }
      if (seasonal == Seasonal.MULTIPLICATIVE && y[i] <= 0) {
        throw new IllegalArgumentException(
            "y[" + i + "] must be > 0 for a multiplicative season, but was " + y[i]);
      }
    }
    if (missing == y.length) {
      throw new IllegalArgumentException("y must have a present value, but all " + y.length
          + " were NaN");
    }
    // The initial state only: the fit itself never reads an interpolated value.
    double[] init = missing == 0 ? y : ModelForecaster.filled(y);
    boolean hasTrend = trend != Trend.NONE;
    boolean damped = trend == Trend.DAMPED;
    boolean hasSeason = seasonal != Seasonal.NONE;
    // Free parameters, each mapped from R to its range by a logistic function.
    int dim = 1 + (hasTrend ? 1 : 0) + (hasSeason ? 1 : 0) + (damped ? 1 : 0);
    double[] start;
    if (warm != null && warm.seasonal == seasonal && warm.trend == trend) {
      start = toFree(warm.params(), hasTrend, hasSeason, damped);
    } else {
      double[] guess = {0.3, 0.05, 0.1, 0.9};
      start = toFree(guess, hasTrend, hasSeason, damped);
    }
    double[] work = new double[m];
    double[] state = new double[3];
    double[] best = start.clone();
    double[] bestSse = {run(y, init, seasonal, trend, fromFree(start, hasTrend, hasSeason, damped),
        floor, work, state, true)};
    try {
      SimplexOptimizer opt = new SimplexOptimizer(1e-7, 1e-9);
      opt.optimize(new MaxEval(maxEval), GoalType.MINIMIZE, new InitialGuess(start),
          new NelderMeadSimplex(dim, 1.0), new ObjectiveFunction(x -> {
            double v = run(y, init, seasonal, trend, fromFree(x, hasTrend, hasSeason, damped),
                floor, work, state, true);
            if (v < bestSse[0]) {
              bestSse[0] = v;
              System.arraycopy(x, 0, best, 0, dim);
            }
            return v;
          }));
    } catch (TooManyEvaluationsException e) {
      // The cap only cuts the search short: the best point seen so far is kept.
    }
    double[] p = fromFree(best, hasTrend, hasSeason, damped);
    return new HoltWintersModel(m, seasonal, trend, p, y, init, floor);
  }

  private double[] params() {
    return new double[] {r.alpha, r.beta, r.gamma, r.phi};
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static double logit(double p) {
    double q = Math.min(1 - 1e-6, Math.max(1e-6, p));
    return Math.log(q / (1 - q));
  }

  // alpha in (0.001, 0.999); beta = alpha·u; gamma = (1 − alpha)·v; phi in [0.8, 0.98].
  private static double[] fromFree(double[] x, boolean trend, boolean season, boolean damped) {
    int i = 0;
    double a = 0.001 + 0.998 * sigmoid(x[i++]);
    double b = trend ? a * sigmoid(x[i++]) : 0;
    double g = season ? (1 - a) * sigmoid(x[i++]) : 0;
    double f = damped ? PHI_MIN + (PHI_MAX - PHI_MIN) * sigmoid(x[i++]) : 1;
    return new double[] {a, b, g, f};
  }

  private static double[] toFree(double[] p, boolean trend, boolean season, boolean damped) {
    int dim = 1 + (trend ? 1 : 0) + (season ? 1 : 0) + (damped ? 1 : 0);
    double[] x = new double[dim];
    int i = 0;
    x[i++] = logit((p[0] - 0.001) / 0.998);
    if (trend) {
      x[i++] = logit(p[1] / Math.max(1e-9, p[0]));
    }
    if (season) {
      x[i++] = logit(p[2] / Math.max(1e-9, 1 - p[0]));
    }
    if (damped) {
      x[i++] = logit((p[3] - PHI_MIN) / (PHI_MAX - PHI_MIN));
    }
    return x;
  }

  /**
   * Initialises the state from the first seasons of {@code init} ({@code y} with its gaps
   * interpolated), runs the recursions over all of {@code y} with the parameters {α, β, γ, φ} and
   * returns the one-step sum of squared errors over the present steps (a missing one is fed the
   * one-step forecast, at least {@code floor}, as the forecasters feed it in live use); the
   * season (in double, so that the fit does not depend on the storage) is left in {@code s} and
   * the level, slope and season position at the end of {@code y} in {@code state}. The sum is
   * +infinity when it overflows (values beyond about 1e154); {@code scoring} (the optimiser's
   * calls) then returns at once, while the fit of the model runs to the end so that its state is
   * set: a fit that returned early there left a multiplicative model with a level of 0, which
   * forecast 0 for a series near 1e200.
   */
  private static double run(double[] y, double[] init, Seasonal seasonal, Trend trend,
      double[] params, double floor, double[] s, double[] state, boolean scoring) {
    boolean mult = seasonal == Seasonal.MULTIPLICATIVE;
    boolean hasSeason = seasonal != Seasonal.NONE;
    boolean hasTrend = trend != Trend.NONE;
    int m = s.length;
    double l;
    double tr = 0;
    if (hasSeason) {
      double m1 = 0;
      double m2 = 0;
      for (int i = 0; i < m; i++) {
        m1 += init[i];
        m2 += init[m + i];
      }
      m1 /= m;
      m2 /= m;
      tr = hasTrend ? (m2 - m1) / m : 0;
      for (int i = 0; i < m; i++) {
        // Average of the first two seasons, each against its own mean.
        if (mult) {
          s[i] = 0.5 * (init[i] / m1 + init[m + i] / m2);
        } else {
          s[i] = 0.5 * ((init[i] - m1) + (init[m + i] - m2));
        }
      }
      l = m1 - tr * (m - 1) / 2.0 - tr;
    } else {
      s[0] = mult ? 1 : 0;
      l = init[0];
      int k = Math.min(init.length - 1, 2);
      tr = hasTrend ? (init[k] - init[0]) / k : 0;
      l -= tr;
    }
    Recursion r = new Recursion(seasonal, trend, params, l, tr);
    double sum = 0;
    int p = 0;
    for (int t = 0; t < y.length; t++) {
      double si = s[p];
      double base = r.base();
      double f = mult ? base * si : base + si;
      double yt = y[t];
      if (Double.isNaN(yt)) {
        yt = Math.max(floor, f); // missing: fed the forecast, as in live use, and not scored
        if (!Double.isFinite(f) && scoring) {
          return Double.POSITIVE_INFINITY;
        }
      } else {
        double e = yt - f;
        sum += e * e;
        if (!Double.isFinite(sum) && scoring) {
          return Double.POSITIVE_INFINITY;
        }
      }
      // No cap on the index: the fit's indices are what the cap of update is taken from.
      s[p] = r.step(yt, si, Double.POSITIVE_INFINITY);
      if (++p == m) {
        p = 0;
      }
    }
    state[0] = r.level;
    state[1] = r.slope;
    state[2] = p;
    return sum < Double.POSITIVE_INFINITY ? sum : Double.POSITIVE_INFINITY; // NaN: inf − inf
  }

  /**
   * Absorbs the next observation in O(1): one step of the smoothing recursions. A
   * multiplicative model treats values below 1e-9 as 1e-9, and leaves the seasonal index as it
   * is when the observation is more than {@link #MAX_INDEX_GROWTH} times the largest index of the
   * fit above the level: then the level is what is wrong (after a run of zeros it is near 1e-9,
   * and the first real value divided by it would store an index of 1e9 or more, and forecasts of
   * that size one season later), and the level catches up by itself. So every index stays at
   * most that multiple of the fit's largest.
   *
   * <p>A missing observation has no value to absorb: feed the model what stands for it (the
   * forecasters of this module feed the current one-step forecast).
   *
   * @param y the observation after the last one seen, finite
   * @throws IllegalArgumentException when {@code y} is NaN or infinite (either would make the
   *     level, and so every later forecast, NaN or infinite)
   */
  @Override
  public void update(double y) {
    if (!Double.isFinite(y)) {
      throw new IllegalArgumentException("y must be finite, but was " + y);
    }
    season[pos] = (float) r.step(y, season[pos], maxIndex);
    if (++pos == season.length) {
      pos = 0;
    }
  }

  /** Fills {@code out} with the point forecasts 1..{@code out.length} steps ahead. */
  @Override
  public void forecast(double[] out) {
    boolean mult = seasonal == Seasonal.MULTIPLICATIVE;
    double damp = 0;
    double pk = 1;
    int p = pos;
    for (int h = 0; h < out.length; h++) {
      pk *= r.phi;
      damp += pk;
      double base = r.level + damp * r.slope;
      out[h] = mult ? base * season[p] : base + season[p];
      if (++p == season.length) {
        p = 0;
      }
    }
  }

  /** The point forecasts for the next {@code steps} steps, {@code steps} &gt;= 1. */
  public double[] forecast(int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, but was " + steps);
    }
    double[] out = new double[steps];
    forecast(out);
    return out;
  }

  /** The fitted level smoothing parameter α, in (0, 1). */
  public double alpha() {
    return r.alpha;
  }

  /** The fitted trend smoothing parameter β (0 without trend). */
  public double beta() {
    return r.beta;
  }

  /** The fitted seasonal smoothing parameter γ (0 without season). */
  public double gamma() {
    return r.gamma;
  }

  /** The fitted damping parameter φ (1 unless the trend is damped). */
  public double phi() {
    return r.phi;
  }

  /** The in-sample one-step sum of squared errors of the fit; +infinity when it overflows. */
  public double sse() {
    return sse;
  }

  /** The season length in steps (1 without season). */
  public int period() {
    return season.length;
  }

  /** Bytes held in arrays (the season), for the per-series memory bound. */
  @Override
  public long arrayBytes() {
    return 4L * season.length;
  }

  /** The seasonal component. */
  public Seasonal seasonal() {
    return seasonal;
  }

  /** The trend component. */
  public Trend trend() {
    return trend;
  }

  @Override
  public String toString() {
    return "HoltWintersModel{" + seasonal + ", " + trend + ", m=" + season.length + ", alpha="
        + r.alpha + ", beta=" + r.beta + ", gamma=" + r.gamma + ", phi=" + r.phi + "}";
  }

  /**
   * The smoothing recursions: the parameters and the running level and slope. The fit
   * ({@link #run}) and {@link #update} take each observation through the same {@link #step}.
   */
  private static final class Recursion {
    final boolean mult;
    final boolean hasTrend;
    final double alpha;
    final double beta;
    final double gamma;
    final double phi;
    double level;
    double slope;

    Recursion(Seasonal seasonal, Trend trend, double[] params, double level, double slope) {
      this.mult = seasonal == Seasonal.MULTIPLICATIVE;
      this.hasTrend = trend != Trend.NONE;
      this.alpha = params[0];
      this.beta = params[1];
      this.gamma = params[2];
      this.phi = params[3];
      this.level = level;
      this.slope = slope;
    }

    /** The level the next observation is forecast from: {@code l + φ b}. */
    double base() {
      return level + phi * slope;
    }

    /**
     * One step of the recursions: absorbs {@code y}, whose position in the season has index
     * {@code si}, into the level and slope, and returns the position's new index. A
     * multiplicative model treats {@code y} below 1e-9 as 1e-9, keeps its level above 1e-12 and
     * its indices above 1e-6, and keeps {@code si} when {@code y / base} is above {@code cap}
     * (or NaN).
     */
    double step(double y, double si, double cap) {
      double base = base();
      double nl;
      double ns;
      if (mult) {
        double yy = Math.max(y, 1e-9);
        nl = alpha * (yy / si) + (1 - alpha) * base;
        if (!(nl > 1e-12)) {
          nl = Math.max(1e-12, Math.abs(base));
        }
        double ratio = yy / base;
        ns = si;
        if (ratio <= cap) { // false for NaN too
          double v = gamma * ratio + (1 - gamma) * si;
          ns = v > 1e-6 && Double.isFinite(v) ? v : Math.max(1e-6, si);
        }
      } else {
        nl = alpha * (y - si) + (1 - alpha) * base;
        ns = gamma * (y - base) + (1 - gamma) * si;
      }
      slope = hasTrend ? beta * (nl - level) + (1 - beta) * phi * slope : 0;
      level = nl;
      return ns;
    }
  }
}
