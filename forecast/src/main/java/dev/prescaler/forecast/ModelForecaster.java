package dev.prescaler.forecast;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * A forecaster built from one or more candidate models, with rolling-origin evaluation, optional
 * combination of the best few, and prediction intervals calibrated from the models' own
 * out-of-sample errors. Every forecaster of {@link Forecasters} is one of these: a single model is
 * the one-candidate case, {@code auto} the many-candidate case.
 *
 * <p>The shared instance is stateless: {@link #forecast} fits from scratch on each call. The
 * engine's per-series instance ({@link #forSeries()}) keeps the fitted models and, on each call,
 * only absorbs the steps added since the previous call (O(1) per model and horizon step), scoring
 * each model's earlier forecasts as their outcomes arrive; it refits and reselects every
 * {@code refitEvery} of data, whenever a young history has doubled in length since the last
 * full refit, when the horizon grows, or when the history does not continue the previous one.
 *
 * <p>Thread-safety: the shared instance is safe to share; a per-series instance is not (the
 * engine calls it from one thread per workload).
 */
public final class ModelForecaster implements Forecaster {

  /*
   * Refit: the history (gaps filled by linear interpolation) is split into a fit part and the
   * last V values (V = min(maxValidation, n / 4)); each applicable candidate is fitted on the fit
   * part and then fed the last V values one by one, forecasting at each origin. Those
   * out-of-sample errors rank the candidates (mean over horizons of the windowed MAE) and seed the
   * interval quantiles. Between refits the live errors keep both up to date. A step that was
   * missing (NaN) is fed to the models as the current combined one-step forecast and is never
   * scored.
   */

  /** Most horizon steps whose errors are tracked; longer horizons scale the last one by √h. */
  static final int TRACKED_HORIZON = 48;

  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

  private final Settings settings;

  ModelForecaster(Settings settings) {
    this.settings = settings;
  }

  /**
   * Configuration shared by the per-series instances.
   *
   * @param name the forecaster's name
   * @param seasons seasonal periods, or empty to detect daily/weekly ones per series
   * @param candidates the candidate models for the detected or given periods
   * @param combine how many of the best-scoring candidates to average, weighted by inverse score
   *     (1 = keep the best; 0 =
   *     no selection: the first applicable candidate, the others being fallbacks)
   * @param refitEvery data between refits
   * @param maxValidation most history values used for the rolling-origin evaluation at a refit
   * @param errorWindow most recent out-of-sample errors kept per horizon
   * @param minErrors errors per horizon needed before they calibrate the interval
   * @param fitFraction share of the history kept for fitting at a refit (the rest validates)
   */
  record Settings(String name, Duration[] seasons, Function<int[], List<ModelSpec>> candidates,
      int combine, Duration refitEvery, int maxValidation, int errorWindow, int minErrors,
      double fitFraction) {
    Settings {
      Objects.requireNonNull(name, "name");
      seasons = seasons.clone();
      Objects.requireNonNull(candidates, "candidates");
      Objects.requireNonNull(refitEvery, "refitEvery");
    }
  }

  @Override
  public Forecast forecast(MetricSeries history, Duration horizon, double level) {
    return new State(settings).forecast(history, horizon, level);
  }

  @Override
  public String name() {
    return settings.name();
  }

  Settings settings() {
    return settings;
  }

  @Override
  public Forecaster forSeries() {
    return new State(settings);
  }

  /** The stateful per-series instance. */
  static final class State implements Forecaster {
    private final Settings s;
    private Duration step;
    private long endMillis = Long.MIN_VALUE; // exclusive end of the last absorbed step
    private double lastRaw = Double.NaN;
    private int horizon; // tracked horizon, steps
    private final List<Member> members = new ArrayList<>();
    private long sinceRefit;
    private long refitSteps;
    private double lastPresent = Double.NaN;
    private double fallbackScale; // mean |y_t − y_{t−1}| at the last refit
    private int[] periods = new int[0];
    private boolean positive;
    private long refits;
    private int fittedLength; // history length at the last full refit
    private double zLevel = Double.NaN;
    private double z;

    State(Settings s) {
      this.s = s;
    }

    @Override
    public String name() {
      return s.name();
    }

    /** The number of full refits so far (for tests and diagnostics). */
    long refits() {
      return refits;
    }

    /** The periods in use after the last refit. */
    int[] periods() {
      return periods.clone();
    }

    @Override
    public Forecast forecast(MetricSeries history, Duration horizonSpan, double level) {
      Objects.requireNonNull(history, "history");
      Objects.requireNonNull(horizonSpan, "horizon");
      if (horizonSpan.isZero() || horizonSpan.isNegative()) {
        throw new IllegalArgumentException("horizon must be > 0, but was " + horizonSpan);
      }
      if (!(level >= 0 && level < 1)) {
        throw new IllegalArgumentException("level must be in [0, 1), but was " + level);
      }
      int n = history.size();
      if (n == 0) {
        throw new IllegalArgumentException("history must have a present value, but was empty");
      }
      int steps = Forecaster.steps(horizonSpan, history.step());
      long end = history.end().toEpochMilli();
      long stepMs = history.step().toMillis();
      long added = endMillis == Long.MIN_VALUE ? -1 : (end - endMillis) / stepMs;
      boolean continues = step != null && step.equals(history.step()) && added >= 0
          && (end - endMillis) % stepMs == 0 && added < n && steps <= horizon
          && continuesWith(history, (int) added);
      if (!continues) {
        if (history.countPresent() == 0) {
          throw new IllegalArgumentException("history must have a present value, but had none "
              + "of " + n + " steps");
        }
        refit(history, steps);
      } else {
        for (int i = n - (int) added; i < n; i++) {
          absorb(history.value(i));
        }
        endMillis = end;
        if (n >= 2 * fittedLength && history.countPresent() > 0) {
          // A young history: refit whenever it has doubled, so that seasonal models join early.
          refit(history, steps);
        } else if (sinceRefit >= refitSteps && history.countPresent() > 0) {
          scheduledRefit(history, steps);
        }
      }
      return output(history, steps, level);
    }

    private boolean continuesWith(MetricSeries h, int added) {
      int i = h.size() - 1 - added;
      if (i < 0) {
        return false;
      }
      double v = h.value(i);
      return Double.isNaN(v) ? Double.isNaN(lastRaw) : v == lastRaw;
    }

    private void refit(MetricSeries history, int steps) {
      refits++;
      fittedLength = history.size();
      step = history.step();
      horizon = Math.max(steps, horizon);
      double[] raw = history.toArray();
      double[] y = filled(raw);
      int n = y.length;
      positive = true;
      for (double v : y) {
        if (!(v > 0)) {
          positive = false;
          break;
        }
      }
      periods = s.seasons().length > 0 ? inSteps(s.seasons(), step)
          : Seasonality.detect(y, step, Seasonality.DEFAULT_THRESHOLD);
      int present = 0;
      for (double r : raw) {
        present += Double.isNaN(r) ? 0 : 1;
      }
      // A single value says nothing about trend or season: forecast it flat.
      List<ModelSpec> specs = present <= 1 ? List.of(SeasonalNaiveModel.spec(1, 1))
          : s.candidates().apply(periods);
      int v = (int) Math.min(s.maxValidation(), Math.floor(n * (1 - s.fitFraction())));
      v = Math.max(0, v);
      List<Member> old = new ArrayList<>(members);
      members.clear();
      for (ModelSpec spec : specs) {
        PointModel prev = null;
        for (Member m : old) {
          if (m.spec.name().equals(spec.name())) {
            prev = m.model;
          }
        }
        int fitLen = n - v;
        boolean validate = v > 0 && spec.applicable(fitLen, positive);
        if (!validate) {
          fitLen = n;
          if (!spec.applicable(n, positive)) {
            continue;
          }
        }
        PointModel model;
        try {
          model = spec.fit(Arrays.copyOf(y, fitLen), prev);
        } catch (RuntimeException e) {
          continue; // a model that cannot be fitted here is not a candidate
        }
        int tracked = Math.min(horizon, TRACKED_HORIZON);
        Member m = new Member(spec, model, new ErrorTracker(tracked, s.errorWindow()), tracked);
        m.model.forecast(m.buf);
        m.tracker.store(m.buf);
        members.add(m);
        for (int i = fitLen; i < n; i++) {
          m.step(y[i], raw[i]);
        }
      }
      double diff = 0;
      int cnt = 0;
      for (int i = Math.max(1, n - Math.max(v, 48)); i < n; i++) {
        diff += Math.abs(y[i] - y[i - 1]);
        cnt++;
      }
      fallbackScale = cnt > 0 ? diff / cnt : 0;
      lastRaw = raw[n - 1];
      lastPresent = lastPresent(raw);
      endMillis = history.end().toEpochMilli();
      sinceRefit = 0;
      long every = Math.max(1, s.refitEvery().toMillis() / step.toMillis());
      refitSteps = every;
    }

    /**
     * A scheduled refit: the same candidates are refitted on the whole history (warm-started),
     * keeping their live out-of-sample records, so no replay is needed. Falls back to a full refit
     * when the detected periods changed.
     */
    private void scheduledRefit(MetricSeries history, int steps) {
      double[] raw = history.toArray();
      double[] y = filled(raw);
      int[] now = s.seasons().length > 0 ? inSteps(s.seasons(), step)
          : Seasonality.detect(y, step, Seasonality.DEFAULT_THRESHOLD);
      boolean pos = true;
      for (double v : y) {
        if (!(v > 0)) {
          pos = false;
          break;
        }
      }
      if (!Arrays.equals(now, periods) || pos != positive) {
        refit(history, steps);
        return;
      }
      refits++;
      for (int i = 0; i < members.size(); i++) {
        Member m = members.get(i);
        if (!m.spec.applicable(y.length, positive)) {
          continue;
        }
        try {
          Member fresh = new Member(m.spec, m.spec.fit(y, m.model), m.tracker, m.buf.length);
          fresh.model.forecast(fresh.buf);
          m.tracker.replaceLatest(fresh.buf);
          members.set(i, fresh);
        } catch (RuntimeException e) {
          // keep the previous fit, which is still being updated
        }
      }
      sinceRefit = 0;
    }

    private static int[] inSteps(Duration[] seasons, Duration step) {
      return Arrays.stream(seasons).mapToLong(d -> d.toMillis() / step.toMillis())
          .filter(p -> p >= 2).mapToInt(p -> (int) Math.min(p, 1_000_000)).distinct().sorted()
          .toArray();
    }

    private static double lastPresent(double[] raw) {
      for (int i = raw.length - 1; i >= 0; i--) {
        if (!Double.isNaN(raw[i])) {
          return raw[i];
        }
      }
      return Double.NaN;
    }

    private void absorb(double raw) {
      double y = raw;
      if (Double.isNaN(raw)) {
        double[] comb = combined(1);
        y = comb.length > 0 && Double.isFinite(comb[0]) ? Math.max(0, comb[0]) : lastPresent;
        if (!Double.isFinite(y)) {
          y = 0;
        }
      } else {
        lastPresent = raw;
      }
      for (Member m : members) {
        m.step(y, raw);
      }
      lastRaw = raw;
      sinceRefit++;
    }

    /** Members in use, best first, and their weights (summing to 1). */
    private List<Member> selected(int steps) {
      if (s.combine() == 0) {
        return members.isEmpty() ? List.of() : List.of(members.get(0));
      }
      List<Member> scored = new ArrayList<>();
      for (Member m : members) {
        m.score = m.tracker.score(steps, 1);
        if (!Double.isNaN(m.score)) {
          scored.add(m);
        }
      }
      if (scored.isEmpty()) {
        return members.isEmpty() ? List.of() : List.of(members.get(0));
      }
      scored.sort((a, b) -> Double.compare(a.score, b.score));
      return scored.subList(0, Math.min(s.combine(), scored.size()));
    }

    /** A member's weight in the combination: inversely proportional to its out-of-sample MAE. */
    private static double weight(Member m, List<Member> sel) {
      if (sel.size() == 1) {
        return 1;
      }
      double sum = 0;
      for (Member o : sel) {
        sum += 1 / Math.max(1e-12, o.score);
      }
      return (1 / Math.max(1e-12, m.score)) / sum;
    }

    private double[] combined(int steps) {
      List<Member> sel = selected(steps);
      double[] out = new double[Math.min(steps, Math.min(horizon, TRACKED_HORIZON))];
      if (sel.isEmpty()) {
        return new double[0];
      }
      for (Member m : sel) {
        double[] f = m.tracker.latest();
        for (int h = 0; h < out.length; h++) {
          out[h] += weight(m, sel) * f[h];
        }
      }
      return out;
    }

    private Forecast output(MetricSeries history, int steps, double level) {
      List<Member> sel = selected(steps);
      double[] point = new double[steps];
      double[] lower = new double[steps];
      double[] upper = new double[steps];
      if (sel.isEmpty()) {
        double v = Double.isFinite(lastPresent) ? Math.max(0, lastPresent) : 0;
        return Forecast.flat(s.name(), history.end(), history.step(), steps, v);
      }
      if (level != zLevel) {
        zLevel = level;
        z = level > 0 ? NORMAL.inverseCumulativeProbability((1 + level) / 2) : 0;
      }
      double[] f = new double[steps];
      for (Member m : sel) {
        int tracked = m.tracker.horizon();
        if (steps <= tracked) {
          System.arraycopy(m.tracker.latest(), 0, f, 0, steps);
        } else {
          m.model.forecast(f);
        }
        double w = weight(m, sel);
        for (int h = 0; h < steps; h++) {
          point[h] += w * f[h];
          int th = Math.min(h, tracked - 1);
          double grow = Math.sqrt((h + 1.0) / (th + 1.0));
          double lo;
          double hi;
          if (m.tracker.count(th) >= s.minErrors()) {
            lo = grow * m.tracker.lower(th, level);
            hi = grow * m.tracker.upper(th, level);
          } else {
            double sd = 1.25 * fallbackScale * Math.sqrt(h + 1.0);
            lo = -z * sd;
            hi = z * sd;
          }
          lower[h] += w * lo;
          upper[h] += w * hi;
        }
      }
      double cap = Double.MAX_VALUE / 8;
      for (int h = 0; h < steps; h++) {
        double p = point[h];
        if (!Double.isFinite(p)) {
          p = Double.isFinite(lastPresent) ? lastPresent : 0;
        }
        p = Math.min(cap, Math.max(0, p));
        double lo = Double.isFinite(lower[h]) ? Math.min(p, p + Math.min(0, lower[h])) : p;
        double hi = Double.isFinite(upper[h]) ? Math.max(p, p + Math.max(0, upper[h])) : p;
        point[h] = p;
        lower[h] = Math.max(0, lo);
        upper[h] = Math.min(cap, hi);
      }
      StringBuilder name = new StringBuilder(s.name());
      if (s.combine() > 0 && members.size() > 1) {
        name.append('(');
        for (int i = 0; i < sel.size(); i++) {
          name.append(i > 0 ? "+" : "").append(sel.get(i).spec.name());
        }
        name.append(')');
      }
      return new Forecast(name.toString(), history.end(), history.step(), point, lower, upper,
          level);
    }

    /** The names of the candidate models fitted at the last refit. */
    List<String> candidates() {
      List<String> out = new ArrayList<>();
      for (Member m : members) {
        out.add(m.spec.name());
      }
      return out;
    }
  }

  /** Fills gaps by linear interpolation; leading and trailing gaps take the nearest value. */
  static double[] filled(double[] raw) {
    double[] y = raw.clone();
    int n = y.length;
    int prev = -1;
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(y[i])) {
        continue;
      }
      if (prev < 0) {
        Arrays.fill(y, 0, i, y[i]);
      } else if (i - prev > 1) {
        for (int j = prev + 1; j < i; j++) {
          y[j] = y[prev] + (y[i] - y[prev]) * (j - prev) / (i - prev);
        }
      }
      prev = i;
    }
    if (prev >= 0 && prev < n - 1) {
      Arrays.fill(y, prev + 1, n, y[prev]);
    }
    return y;
  }

  /** One candidate: its spec, fitted model and out-of-sample record. */
  private static final class Member {
    final ModelSpec spec;
    final PointModel model;
    final ErrorTracker tracker;
    final double[] buf;
    double score;

    Member(ModelSpec spec, PointModel model, ErrorTracker tracker, int horizon) {
      this.spec = spec;
      this.model = model;
      this.tracker = tracker;
      this.buf = new double[horizon];
    }

    void step(double filled, double raw) {
      tracker.observe(raw);
      model.update(filled);
      model.forecast(buf);
      for (int h = 0; h < buf.length; h++) {
        if (!Double.isFinite(buf[h])) {
          buf[h] = filled;
        }
      }
      tracker.store(buf);
    }
  }
}
