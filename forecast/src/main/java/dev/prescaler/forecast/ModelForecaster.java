package dev.prescaler.forecast;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
 * engine's per-series instance ({@link #forSeries()}) keeps the selected models and, on each
 * call, only absorbs the steps added since the previous call (O(1) per model and horizon step),
 * scoring the combined forecast's earlier forecasts as their outcomes arrive; it refits and
 * reselects every {@code refitEvery} of data (the first time after a fraction of it that depends
 * on the data, so that series started together do not refit together), whenever a young
 * history has doubled in length since the last refit, when the horizon grows, or when the
 * history does not continue the previous one.
 *
 * <p>Thread-safety: the shared instance is safe to share; a per-series instance is not (the
 * engine calls it from one thread per workload).
 */
public final class ModelForecaster implements Forecaster {

  /*
   * Refit: the history is split into a fit part and the last V values (V = min(maxValidation,
   * n / 4)); each applicable candidate is fitted on the fit part (warm-started from its previous
   * fit) and then fed the last V values one by one, forecasting at each origin. Those
   * out-of-sample errors rank the candidates (mean over horizons of the windowed MAE); the best
   * `combine` are kept, weighted by inverse MAE, and their replay errors, combined with the same
   * weights, become the combined forecast's error record at the KEPT_STEPS horizons (the error of
   * a weighted mean is the weighted mean of the errors). The other candidates keep only their
   * warm start (Holt-Winters: four parameters) and are scored again at the next refit: between
   * refits an instance holds two models and one error record, not every candidate's, which is
   * what keeps a series with one-minute data and a daily season within a few tens of KiB. Between
   * refits the live errors of the combined forecast keep the interval up to date.
   *
   * A missing step (NaN) is treated in the fit and the replay as live use treats it, so that the
   * replay's errors are the ones live use will make, and no value after a forecast's origin is
   * ever used: live use (absorb) feeds the models the combined one-step forecast and scores
   * nothing; the replay feeds each candidate its own one-step forecast; a fit feeds the model its
   * own one-step forecast and counts no error there (Holt-Winters' parameters are fitted on the
   * observed steps only); the linear trend, which can, leaves the step out of its line instead
   * (PointModel.missing). Gaps used to be filled by linear interpolation toward the next present
   * value for both: the replay then scored forecasts made with the outcome's neighbour, whose
   * errors were too small (intervals that covered far less than their level), and Holt fitted on
   * the straight stretches chose α = β ≈ 1, which, fed its own forecasts over each gap in live
   * use, amplified its error without bound. Only the season detection and Holt-Winters' initial
   * state still read the interpolated history.
   *
   * Every refit is a full one. An unscheduled refit (first call, doubled history, longer
   * horizon, a history that does not continue) brings the next scheduled one forward by a
   * fraction of refitEvery derived from the data, so that series registered together do not all
   * refit in the same tick.
   */

  /** Most horizon steps whose errors are tracked; longer horizons scale the last one by √h. */
  static final int TRACKED_HORIZON = 48;

  /**
   * Horizons (steps) at which a per-series instance keeps the errors of its combined forecast,
   * besides the last tracked one; the interval in between is interpolated linearly.
   */
  static final int[] KEPT_STEPS = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32};

  /** The longest seasonal period in steps: 1,000,000 (more than 11 days of 1-second steps). */
  static final int MAX_PERIOD = 1_000_000;

  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

  private final Settings settings;

  ModelForecaster(Settings settings) {
    this.settings = settings;
  }

  /**
   * Configuration shared by the per-series instances.
   *
   * @param name the forecaster's name
   * @param seasons seasonal periods, or empty to detect daily/weekly ones per series; each must
   *     be a multiple of the history's step, of at most {@link #MAX_PERIOD} steps (checked at the
   *     first forecast, when the step is known); one of a single step means no season
   * @param skipIndivisible whether seasons that are not such a multiple are left out, as
   *     detection leaves them out, rather than rejected
   * @param candidates the candidate models for the detected or given periods
   * @param combine how many of the best-scoring candidates to average, weighted by inverse score
   *     (1 = keep the best; 0 =
   *     no selection: the first applicable candidate, the others being fallbacks)
   * @param refitEvery data between refits
   * @param maxValidation most history values used for the rolling-origin evaluation at a refit
   * @param errorWindow most recent out-of-sample errors kept per tracked horizon
   * @param minErrors errors per tracked horizon needed before they calibrate the interval
   * @param fitFraction share of the history kept for fitting at a refit (the rest validates)
   */
  record Settings(String name, Duration[] seasons, boolean skipIndivisible,
      Function<int[], List<ModelSpec>> candidates, int combine, Duration refitEvery,
      int maxValidation, int errorWindow, int minErrors, double fitFraction) {
    Settings {
      Objects.requireNonNull(name, "name");
      seasons = seasons.clone();
      Objects.requireNonNull(candidates, "candidates");
      Objects.requireNonNull(refitEvery, "refitEvery");
    }

    /** Settings whose seasons must all be multiples of the step. */
    Settings(String name, Duration[] seasons, Function<int[], List<ModelSpec>> candidates,
        int combine, Duration refitEvery, int maxValidation, int errorWindow, int minErrors,
        double fitFraction) {
      this(name, seasons, false, candidates, combine, refitEvery, maxValidation, errorWindow,
          minErrors, fitFraction);
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
    private int horizon; // horizon of the last full refit, steps
    private List<Member> members = List.of(); // the models in use, best first
    private ErrorTracker errors; // the combined forecast's out-of-sample record at a few horizons
    private double[] atSteps = new double[0]; // scratch: the combined forecast at errors' horizons
    private double[] widen = new double[0]; // per tracked horizon of errors: see select()
    private List<Warm> warm = List.of(); // warm starts of the candidates not in use
    private int candidates; // candidates fitted at the last refit
    private long sinceRefit;
    private long refitSteps;
    private double lastPresent = Double.NaN;
    private double fallbackScale; // mean change between successive values seen, last refit
    private int[] periods = new int[0];
    private boolean positive;
    private long refits;
    private int fittedLength; // history length at the last refit
    private double zLevel = Double.NaN;
    private double z;

    State(Settings s) {
      this.s = s;
    }

    /**
     * A fresh instance with the same settings: this one has seen its own series, and must see no
     * other (an engine handed a per-series instance calls this for each workload's metric).
     */
    @Override
    public Forecaster forSeries() {
      return new State(s);
    }

    @Override
    public String name() {
      return s.name();
    }

    /** The number of refits so far (for tests and diagnostics). */
    long refits() {
      return refits;
    }

    /** The periods in use after the last refit. */
    int[] periods() {
      return periods.clone();
    }

    /** Steps of data until the next scheduled refit. */
    long untilRefit() {
      return refitSteps - sinceRefit;
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
      Duration at = history.step();
      if (at.toMillis() < 1 || at.getNano() % 1_000_000 != 0) {
        throw new IllegalArgumentException("history step must be a whole number of milliseconds,"
            + " at least 1 ms, but was " + at);
      }
      if (!at.equals(step)) {
        inSteps(s.seasons(), s.skipIndivisible(), at); // rejects seasons this step cannot hold
      }
      int steps = Forecaster.steps(horizonSpan, at);
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
        requireFiniteOrNaN(history, 0);
        refit(history, steps, level, false);
      } else {
        requireFiniteOrNaN(history, n - (int) added); // the rest was checked when it came
        for (int i = n - (int) added; i < n; i++) {
          absorb(history.value(i));
        }
        endMillis = end;
        if (n >= 2 * fittedLength && history.countPresent() > 0) {
          // A young history: refit whenever it has doubled, so that seasonal models join early.
          refit(history, steps, level, false);
        } else if (sinceRefit >= refitSteps && history.countPresent() > 0) {
          refit(history, steps, level, true);
        }
      }
      return output(history, steps, level);
    }

    /**
     * Rejects an infinite value from {@code from} on: the interval of a forecast made from it
     * would be near zero around a point of 0 (a silent scale-to-zero signal). {@link
     * MetricSeries} promises finite values, but a series implemented elsewhere may not keep it.
     */
    private static void requireFiniteOrNaN(MetricSeries h, int from) {
      for (int i = from; i < h.size(); i++) {
        double v = h.value(i);
        if (Double.isInfinite(v)) {
          throw new IllegalArgumentException("history value at " + i + " (" + h.timeOf(i)
              + ") must be finite or NaN, but was " + v);
        }
      }
    }

    private boolean continuesWith(MetricSeries h, int added) {
      int i = h.size() - 1 - added;
      if (i < 0) {
        return false;
      }
      double v = h.value(i);
      return Double.isNaN(v) ? Double.isNaN(lastRaw) : v == lastRaw;
    }

    /**
     * A full refit: every applicable candidate is fitted (warm-started where it was fitted before)
     * and replayed over the validation stretch; the best {@code combine} are kept with the
     * combined forecast's record, the others only as warm starts.
     */
    private void refit(MetricSeries history, int steps, double level, boolean scheduled) {
      refits++;
      fittedLength = history.size();
      step = history.step();
      horizon = Math.max(steps, horizon);
      double[] raw = history.toArray();
      double[] y = filled(raw); // for the season detection only
      int n = y.length;
      positive = true;
      for (double v : raw) {
        if (!(v > 0) && !Double.isNaN(v)) {
          positive = false;
          break;
        }
      }
      periods = s.seasons().length > 0 ? inSteps(s.seasons(), s.skipIndivisible(), step)
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
      int tracked = Math.min(horizon, TRACKED_HORIZON);
      List<Member> fitted = new ArrayList<>();
      // Fits only read their input: one copy for all. Missing steps stay NaN: each model feeds
      // them its own one-step forecast, as live use does, and no fitted error counts them.
      double[] head = Arrays.copyOf(raw, n - v);
      for (ModelSpec spec : specs) {
        int fitLen = n - v;
        boolean validate = v > 0 && spec.applicable(fitLen, positive);
        if (!validate) {
          if (v > 0 && s.combine() > 0) {
            // It could only be fitted on the whole history and left unscored: never selected,
            // since the first candidate (naive) is always validated and is the fallback when no
            // candidate has a score. Not worth its fit.
            continue;
          }
          fitLen = n;
          if (!spec.applicable(n, positive)) {
            continue;
          }
        }
        PointModel model;
        try {
          model = spec.fit(fitLen == n - v ? head : raw, previous(spec.name()));
        } catch (RuntimeException e) {
          continue; // a model that cannot be fitted here is not a candidate
        }
        Member m = new Member(spec, model, tracked);
        m.model.forecast(m.buf);
        ErrorTracker t = new ErrorTracker(tracked, s.errorWindow());
        double known = lastPresent(raw, fitLen);
        // While no value has been seen (a fit part all missing) the model has nothing to
        // forecast from: the replay starts at the first present value, as the models' fits skip
        // leading missing steps. Fed stand-ins of 0 before it, a model's first real outcomes
        // were scored against forecasts of 0, errors the size of the level that widened the
        // interval.
        if (!Double.isNaN(known)) {
          t.store(m.buf);
        }
        for (int i = fitLen; i < n; i++) {
          // A missing step is fed the model's own one-step forecast, as absorb feeds the
          // combined one: never a value from after the origin being scored.
          double r = raw[i];
          if (Double.isNaN(r) && Double.isNaN(known)) {
            continue;
          }
          t.observe(r);
          boolean missing = Double.isNaN(r);
          if (missing) {
            r = standIn(m.buf[0], known);
          } else {
            known = r;
          }
          m.step(r, missing);
          t.store(m.buf);
        }
        m.replay = t;
        fitted.add(m);
      }
      select(fitted, steps, tracked, level);
      fallbackScale = meanStep(raw, Math.max(1, n - Math.max(v, 48)));
      if (Double.isNaN(fallbackScale)) {
        fallbackScale = meanStep(raw, 1); // nothing seen lately: the whole history
      }
      if (Double.isNaN(fallbackScale)) {
        fallbackScale = 0;
      }
      lastRaw = raw[n - 1];
      lastPresent = lastPresent(raw, n);
      endMillis = history.end().toEpochMilli();
      sinceRefit = 0;
      long every = Math.max(1, s.refitEvery().toMillis() / step.toMillis());
      // Series that start together (every engine start) would refit in the same step forever:
      // an unscheduled refit moves the next one earlier by a fraction of the interval that
      // depends only on the data, so the schedule is spread and still deterministic.
      refitSteps = scheduled ? every : every - Math.floorMod(mix(raw), every);
    }

    /** The warm start for a candidate: its model in use, or the one kept from the last refit. */
    private PointModel previous(String name) {
      for (Member m : members) {
        if (m.spec.name().equals(name)) {
          return m.model;
        }
      }
      for (Warm w : warm) {
        if (w.name().equals(name)) {
          return w.model();
        }
      }
      return null;
    }

    /**
     * Keeps the best {@code combine} candidates by their replay score over {@code steps} (the
     * first candidate when none has one or {@code combine} is 0), weighted by inverse score, the
     * combined record at the tracked horizons, and warm starts of the others.
     *
     * <p>The combination's own error quantiles are narrower than the weighted quantiles of its
     * members (errors partly cancel), and they come from the same replay that chose the members
     * and weights, which flatters them. The interval keeps the members' weighted quantiles, as
     * when every member kept its own record: at the refit, per tracked horizon, the ratio of the
     * members' weighted interval width to the combination's ({@code widen}) scales the
     * combination's quantiles until the next refit.
     *
     * <p>That ratio is capped at {@code 1 / sqrt(sum of squared weights)}, how much a weighted
     * mean narrows independent errors of equal spread. Beyond it the replay's errors cancelled
     * more than chance would explain, typically because the models agreed almost exactly over a
     * flat validation stretch (widths of 1e-6 against 1e-3): an uncapped ratio of several
     * hundred then multiplied the ordinary errors that followed, and an upper bound near zero
     * load became hundreds of replicas.
     */
    private void select(List<Member> fitted, int steps, int tracked, double level) {
      List<Member> sel = new ArrayList<>();
      if (s.combine() > 0) {
        for (Member m : fitted) {
          m.score = m.replay.score(steps, 1);
          if (!Double.isNaN(m.score)) {
            sel.add(m);
          }
        }
        sel.sort((a, b) -> Double.compare(a.score, b.score));
        sel = new ArrayList<>(sel.subList(0, Math.min(s.combine(), sel.size())));
      }
      if (sel.isEmpty() && !fitted.isEmpty()) {
        sel.add(fitted.get(0));
      }
      ErrorTracker combined = null;
      if (!sel.isEmpty()) {
        int[] at = trackedSteps(tracked);
        combined = ErrorTracker.combine(replays(sel), weights(sel), at);
        if (combined == null) { // not aligned (never expected): keep the best alone
          sel = new ArrayList<>(sel.subList(0, 1));
          combined = ErrorTracker.combine(replays(sel), weights(sel), at);
        }
      }
      double[] w = weights(sel);
      widen = combined == null ? new double[0] : new double[combined.size()];
      Arrays.fill(widen, 1);
      if (combined != null && sel.size() > 1 && level > 0) {
        int[] at = combined.steps();
        double[] widths = new double[sel.size()];
        for (int k = 0; k < at.length; k++) {
          if (combined.count(k) < s.minErrors()) {
            continue;
          }
          for (int i = 0; i < sel.size(); i++) {
            ErrorTracker r = sel.get(i).replay;
            widths[i] = r.upper(at[k] - 1, level) - r.lower(at[k] - 1, level);
          }
          widen[k] = widening(widths, w, combined.upper(k, level) - combined.lower(k, level));
        }
      }
      List<Warm> rest = new ArrayList<>();
      for (Member m : fitted) {
        m.replay = null;
        if (!sel.contains(m)) {
          PointModel seed = m.spec.warmStart(m.model);
          if (seed != null) {
            rest.add(new Warm(m.spec.name(), seed));
          }
        }
      }
      for (int i = 0; i < sel.size(); i++) {
        sel.get(i).weight = w[i];
      }
      members = List.copyOf(sel);
      errors = combined;
      atSteps = combined == null ? new double[0] : new double[combined.size()];
      warm = List.copyOf(rest);
      candidates = fitted.size();
    }

    /**
     * How much to scale the combination's quantiles: the members' weighted interval width over
     * the combination's own, at most {@code 1 / sqrt(sum of squared weights)}
     * (see {@link #select}); 1 when either width is not positive and finite.
     */
    static double widening(double[] memberWidths, double[] weights, double ownWidth) {
      double weighted = 0;
      double squares = 0;
      for (int i = 0; i < weights.length; i++) {
        weighted += weights[i] * memberWidths[i];
        squares += weights[i] * weights[i];
      }
      if (!(ownWidth > 0) || !(weighted > 0) || !Double.isFinite(weighted)) {
        return 1;
      }
      return Math.min(1 / Math.sqrt(squares), weighted / ownWidth);
    }

    private static List<ErrorTracker> replays(List<Member> sel) {
      List<ErrorTracker> out = new ArrayList<>();
      for (Member m : sel) {
        out.add(m.replay);
      }
      return out;
    }

    /** Weights inversely proportional to the replay MAE, summing to 1. */
    private static double[] weights(List<Member> sel) {
      double[] w = new double[sel.size()];
      if (sel.size() == 1) {
        w[0] = 1;
        return w;
      }
      double sum = 0;
      for (Member o : sel) {
        sum += 1 / Math.max(1e-12, o.score);
      }
      for (int i = 0; i < w.length; i++) {
        w[i] = (1 / Math.max(1e-12, sel.get(i).score)) / sum;
      }
      return w;
    }

    /** The horizons whose errors are kept: {@link #KEPT_STEPS} up to {@code tracked}, and it. */
    static int[] trackedSteps(int tracked) {
      int[] out = new int[KEPT_STEPS.length + 1];
      int k = 0;
      for (int h : KEPT_STEPS) {
        if (h < tracked) {
          out[k++] = h;
        }
      }
      out[k++] = tracked;
      return Arrays.copyOf(out, k);
    }

    /**
     * The mean change between successive values seen, over those at or after {@code from} (each
     * against the one seen before it), NaN when there is none: |y_t − y_{t−1}| where no step is
     * missing, and measured on what was seen where some are, never on a missing stretch filled
     * in (flat across a gap, it read 0 and gave the fallback band no width).
     */
    static double meanStep(double[] raw, int from) {
      double diff = 0;
      int cnt = 0;
      int prev = -1;
      for (int i = 0; i < raw.length; i++) {
        if (Double.isNaN(raw[i])) {
          continue;
        }
        if (prev >= 0 && i >= from) {
          diff += Math.abs(raw[i] - raw[prev]);
          cnt++;
        }
        prev = i;
      }
      return cnt > 0 ? diff / cnt : Double.NaN;
    }

    /** A 64-bit mix of the values (SplitMix64's finaliser over a running hash). */
    private static long mix(double[] raw) {
      long h = raw.length;
      for (double r : raw) {
        h = (h ^ Double.doubleToLongBits(r)) * 0x9E3779B97F4A7C15L;
      }
      h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
      h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
      return h ^ (h >>> 31);
    }

    /**
     * The seasons in steps, ascending, without duplicates; a season of one step (no season at
     * this step) is left out.
     *
     * @throws IllegalArgumentException for a season that is not a multiple of {@code step} or is
     *     more than {@link #MAX_PERIOD} steps, unless {@code skipIndivisible} (then it is left
     *     out)
     */
    static int[] inSteps(Duration[] seasons, boolean skipIndivisible, Duration step) {
      // Exact, in BigDecimal seconds: a season's toMillis() overflows past 2^63 ms (about 292
      // million years, ChronoUnit.FOREVER's), which threw ArithmeticException at the first
      // forecast instead of this refusal.
      BigDecimal stepSeconds = seconds(step);
      int[] out = new int[seasons.length];
      int k = 0;
      for (Duration d : seasons) {
        BigDecimal[] qr = seconds(d).divideAndRemainder(stepSeconds);
        boolean whole = qr[1].signum() == 0;
        boolean inRange = qr[0].signum() >= 0
            && qr[0].compareTo(BigDecimal.valueOf(MAX_PERIOD)) <= 0;
        int p = inRange ? qr[0].intValue() : -1; // -1: refused below, as any p < 2 but 1 is
        if (whole && p >= 2 && p <= MAX_PERIOD) {
          out[k++] = p;
        } else if (!skipIndivisible && !(whole && p == 1)) {
          String count = whole ? qr[0].toBigInteger().toString()
              : String.format(Locale.ROOT, "%.2f",
                  seconds(d).divide(stepSeconds, 2, RoundingMode.HALF_UP));
          throw new IllegalArgumentException("season must be a multiple of the history step, of"
              + " at most " + MAX_PERIOD + " steps, but was " + d + " at a step of " + step
              + " (" + count + " steps)");
        }
      }
      return Arrays.stream(out, 0, k).distinct().sorted().toArray();
    }

    private static BigDecimal seconds(Duration d) {
      return BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9));
    }

    /**
     * What a missing step is fed: the one-step {@code forecast} made before it, at least 0, or
     * when that is not finite the last present value, or 0.
     */
    static double standIn(double forecast, double lastPresent) {
      double y = Double.isFinite(forecast) ? Math.max(0, forecast) : lastPresent;
      return Double.isFinite(y) ? y : 0;
    }

    /** The last present value of {@code raw} before {@code end}, or NaN. */
    private static double lastPresent(double[] raw, int end) {
      for (int i = end - 1; i >= 0; i--) {
        if (!Double.isNaN(raw[i])) {
          return raw[i];
        }
      }
      return Double.NaN;
    }

    private void absorb(double raw) {
      double y = raw;
      if (Double.isNaN(raw)) {
        double c = 0;
        for (Member m : members) {
          c += m.weight * m.buf[0];
        }
        y = standIn(members.isEmpty() ? Double.NaN : c, lastPresent);
      } else {
        lastPresent = raw;
      }
      if (errors != null) {
        errors.observe(raw);
      }
      for (Member m : members) {
        m.step(y, Double.isNaN(raw));
      }
      if (errors != null) {
        int[] at = errors.steps();
        Arrays.fill(atSteps, 0);
        for (Member m : members) {
          for (int k = 0; k < at.length; k++) {
            atSteps[k] += m.weight * m.buf[at[k] - 1];
          }
        }
        errors.store(atSteps);
      }
      lastRaw = raw;
      sinceRefit++;
    }

    private Forecast output(MetricSeries history, int steps, double level) {
      double[] point = new double[steps];
      double[] lower = new double[steps];
      double[] upper = new double[steps];
      if (members.isEmpty()) {
        double v = Double.isFinite(lastPresent) ? Math.max(0, lastPresent) : 0;
        return Forecast.flat(s.name(), history.end(), history.step(), steps, v);
      }
      if (level != zLevel) {
        zLevel = level;
        z = level > 0 ? NORMAL.inverseCumulativeProbability((1 + level) / 2) : 0;
      }
      double[] f = null;
      for (Member m : members) {
        if (steps <= m.buf.length) {
          f = m.buf;
        } else {
          if (f == null || f.length != steps) {
            f = new double[steps];
          }
          m.model.forecast(f);
        }
        for (int h = 0; h < steps; h++) {
          point[h] += m.weight * f[h];
        }
      }
      for (int h = 0; h < steps; h++) {
        if (!interval(h + 1, level, lower, upper, h)) {
          double sd = 1.25 * fallbackScale * Math.sqrt(h + 1.0);
          lower[h] = -z * sd;
          upper[h] = z * sd;
        }
      }
      double cap = Forecasters.MAX_FORECAST;
      boolean capped = false;
      for (int h = 0; h < steps; h++) {
        double p = point[h];
        if (!Double.isFinite(p)) {
          p = Double.isFinite(lastPresent) ? lastPresent : 0;
        }
        // Held below what the model forecast: the interval cannot cover at its level.
        capped |= p > cap || Double.isFinite(upper[h]) && p + Math.max(0, upper[h]) > cap;
        p = Math.min(cap, Math.max(0, p));
        // Models keep their state in float: allow its rounding (8 float ulps) around the point,
        // so that a series that repeats exactly is still inside its interval.
        double ulps = p * 0x1p-21;
        // A quantile that overflowed (or is NaN) says the errors are beyond measure: the widest
        // interval allowed, never none.
        double lo = Double.isFinite(lower[h]) ? Math.min(p, p + Math.min(0, lower[h])) : 0;
        double hi = Double.isFinite(upper[h]) ? Math.max(p, p + Math.max(0, upper[h])) : cap;
        lo -= ulps;
        hi = Math.min(cap, hi + ulps);
        point[h] = p;
        lower[h] = Math.max(0, lo);
        upper[h] = Math.min(cap, hi);
      }
      StringBuilder name = new StringBuilder(s.name());
      if (s.combine() > 0 && candidates > 1) {
        name.append('(');
        for (int i = 0; i < members.size(); i++) {
          name.append(i > 0 ? "+" : "").append(members.get(i).spec.name());
        }
        name.append(')');
      }
      if (capped) {
        name.append(Forecasters.CAPPED);
      }
      return new Forecast(name.toString(), history.end(), history.step(), point, lower, upper,
          level);
    }

    /**
     * The empirical error quantiles {@code h} steps ahead into {@code lower[i]} and
     * {@code upper[i]}: at a tracked horizon its own, between two tracked horizons interpolated
     * linearly, beyond the last one the last scaled by √(h / last). False while a horizon used
     * has fewer than {@code minErrors} errors.
     */
    private boolean interval(int h, double level, double[] lower, double[] upper, int i) {
      if (errors == null) {
        return false;
      }
      int[] at = errors.steps();
      int last = at.length - 1;
      if (h >= at[last]) {
        if (errors.count(last) < s.minErrors()) {
          return false;
        }
        double grow = Math.sqrt((double) h / at[last]) * widen[last];
        lower[i] = grow * errors.lower(last, level);
        upper[i] = grow * errors.upper(last, level);
        return true;
      }
      int b = 0;
      while (at[b] < h) {
        b++;
      }
      if (at[b] == h) {
        if (errors.count(b) < s.minErrors()) {
          return false;
        }
        lower[i] = widen[b] * errors.lower(b, level);
        upper[i] = widen[b] * errors.upper(b, level);
        return true;
      }
      int a = b - 1; // at[a] < h < at[b]; at[0] == 1 <= h, so a >= 0
      if (errors.count(a) < s.minErrors() || errors.count(b) < s.minErrors()) {
        return false;
      }
      double f = (double) (h - at[a]) / (at[b] - at[a]);
      lower[i] = widen[a] * errors.lower(a, level) * (1 - f)
          + widen[b] * errors.lower(b, level) * f;
      upper[i] = widen[a] * errors.upper(a, level) * (1 - f)
          + widen[b] * errors.upper(b, level) * f;
      return true;
    }

    /** The names of the models in use since the last refit, best first. */
    List<String> selected() {
      List<String> out = new ArrayList<>();
      for (Member m : members) {
        out.add(m.spec.name());
      }
      return out;
    }

    /** The number of candidates fitted at the last refit. */
    int candidates() {
      return candidates;
    }

    /**
     * Bytes this instance holds in arrays (models, forecast buffers, the error record, warm
     * starts): all of its state that grows with the season, the horizon or the error window.
     */
    long arrayBytes() {
      long b = 8L * atSteps.length + 8L * widen.length + 4L * periods.length;
      for (Member m : members) {
        b += 8L * m.buf.length + m.model.arrayBytes();
      }
      for (Warm w : warm) {
        b += w.model().arrayBytes();
      }
      return b + (errors == null ? 0 : errors.arrayBytes());
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
          if (!Double.isFinite(y[j])) { // overflowed near Double.MAX_VALUE: the models refuse it
            double t = (double) (j - prev) / (i - prev);
            y[j] = Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE,
                y[prev] * (1 - t) + y[i] * t));
          }
        }
      }
      prev = i;
    }
    if (prev >= 0 && prev < n - 1) {
      Arrays.fill(y, prev + 1, n, y[prev]);
    }
    return y;
  }

  /** A candidate in use: its spec, fitted model, latest forecasts and weight. */
  private static final class Member {
    final ModelSpec spec;
    final PointModel model;
    final double[] buf; // forecasts 1..buf.length steps after the last observation
    double score; // replay MAE at the last refit
    double weight; // in the combination, summing to 1 over the members in use
    ErrorTracker replay; // during a refit only: the validation replay's record

    Member(ModelSpec spec, PointModel model, int horizon) {
      this.spec = spec;
      this.model = model;
      this.buf = new double[horizon];
    }

    /** Feeds the model {@code y}, or a missing step with {@code y} as its stand-in. */
    void step(double y, boolean missing) {
      if (missing) {
        model.missing(y);
      } else {
        model.update(y);
      }
      model.forecast(buf);
      for (int h = 0; h < buf.length; h++) {
        if (!Double.isFinite(buf[h])) {
          buf[h] = y;
        }
      }
    }
  }

  /** A candidate not in use between refits: only what warm-starts its next fit. */
  private record Warm(String name, PointModel model) {}
}
