package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Scales ahead of the load: plans for the highest upper-interval forecast between now and now +
 * lead time, never below the reactive HPA recommendation.
 *
 * <p>Each tick: the reactive floor {@code R} comes from the embedded {@link HpaPolicy} (with its
 * scale-down stabilization). For every metric with a forecast, the peak upper bound over {@code
 * [now, now + leadTime]} (lead time = the pod startup delay as measured by the engine, else the
 * spec's, + metrics delay + one sync period) divided by the per-replica target gives the need
 * {@code N} in replicas, unrounded; the highest over metrics counts, recorded as the marks {@code
 * predictive.needMilli} (thousandths of a replica) and {@code predictive.target} ({@code
 * ceil(N)}). A lower need only counts once it has held for the scale-down stabilization window
 * (the highest {@code N} of that window is used, {@code H}), so a pre-scale is not undone by one
 * low forecast. The plan is {@code max(R, ceil(H))}.
 *
 * <p><b>A move the reactive floor asks for is always taken.</b> When the plan is {@code R} (that
 * is, {@code R ≥ ceil(H)}), the policy returns {@code R}, up or down, and the dead band is not
 * consulted: {@code R} is the HPA's own decision, already filtered by its tolerance and
 * stabilization. Only a plan of the policy's own ({@code ceil(H) > R}) is checked against the dead
 * band around the current count {@code c}: a rise is skipped while {@code H ≤ c × (1 +
 * deadBandUp)} and {@code R ≤ c}, a fall while {@code H ≥ c × (1 − deadBandDown)}. So with a
 * need {@code H} of 18.5 on 20 replicas and the default 10 % band, a floor of 19 moves the count to
 * 19 (the floor's move), while a floor of 18 keeps 20 (the plan, 19, is the policy's own, and
 * 18.5 is inside the band down to 18). Holding and comparing the unrounded need is what keeps a
 * need that hovers around an integer from flapping between two counts.
 *
 * <p>Recurring peaks (on by default, {@link Builder#recurringPeaks(boolean)}): when the metric's
 * history shows a peak in the same window of each of the last 4 hours or 5 days (the window is
 * {@code [now, now + lead]} one period back, widened by 1/48 of the period for a start that
 * wanders: 75 s, 30 min), rising above the load before it by at least twice the forecast
 * interval's half-width and 10 % of the level and of the period's highest load, coming back
 * down after it, and rare over the last period, the policy also plans for today's level plus the
 * smallest of those rises ({@code RecurringPeaks}): a cron job or a nightly batch is scaled for
 * before it starts, although a forecast fitted to the whole series smooths a short peak away.
 * Days are those of {@link Builder#recurringPeaksZone(ZoneId)} (UTC by default): set it to the
 * zone the traffic follows, or a job at 09:00 local time moves by an hour in UTC at each
 * daylight-saving change and is missed for days.
 *
 * <p>A forecast never asks for more than {@link Builder#forecastCap(double)} (2 by default) × the
 * highest load of the metric's history (the engine keeps 7 days) once its highest 0.1 % of steps
 * are set aside, or of its live load when higher: a model that runs away, or that one bad sample
 * threw off, cannot pre-scale the workload to its ceiling; the reactive floor is never capped.
 *
 * <p>The policy plans for the upper bound at the workload's quantile ({@code
 * spec.riskQuantile()}) or its priority's ({@link Builder#riskQuantile(int, double)}), which it
 * names to the engine ({@link #riskQuantile(WorkloadSpec)}); a forecast made for another quantile
 * has its interval half-width rescaled by the ratio of the normal quantiles. Without a forecast
 * the policy is the reactive HPA.
 *
 * <p>Pure and thread-safe.
 */
public final class PredictivePolicy implements DecisionPolicy {
  /** The mark holding each tick's predictive target, in replicas. */
  public static final String TARGET_MARK = "predictive.target";
  /**
   * The mark holding each tick's unrounded predictive need in thousandths of a replica (7.25
   * replicas is 7250): the hold and the dead band work on it.
   */
  public static final String NEED_MARK = "predictive.needMilli";
  /** Default relative dead band above the current count: 0.10 (the HPA's tolerance). */
  public static final double DEFAULT_DEAD_BAND_UP = 0.10;
  /** Default relative dead band below the current count: 0.10. */
  public static final double DEFAULT_DEAD_BAND_DOWN = 0.10;
  /** Default of {@link Builder#recurringPeaks(boolean)}. */
  public static final boolean DEFAULT_RECURRING_PEAKS = true;
  /** Default of {@link Builder#liveLoad(boolean)}. */
  public static final boolean DEFAULT_LIVE_LOAD = false;
  /**
   * Default window a lower predictive target must hold before it counts: 600 s. Measured in the
   * simulator against 120 s and 300 s: fewer scaling actions than the HPA, and a lower cost at
   * the SLO on traces with daily cycles, because a pre-scale is not given up between bursts.
   */
  public static final Duration DEFAULT_SCALE_DOWN_STABILIZATION = Duration.ofSeconds(600);
  /**
   * Default history a metric needs before its forecast counts: 1 hour. A forecast from minutes of
   * data has an interval made of guesses (NAB iio in the simulator: 22 replicas planned where the
   * load needed 16 in the first hour of a cold start); until then the policy is the HPA.
   */
  public static final Duration DEFAULT_MIN_HISTORY = Duration.ofHours(1);
  /**
   * Default of {@link Builder#forecastCap(double)}: a forecast never asks for more than 2 × the
   * highest load of the metric's history (or the live load, when higher).
   */
  public static final double DEFAULT_FORECAST_CAP = 2.0;

  private final HpaPolicy reactive;
  private final double deadBandUp;
  private final double deadBandDown;
  private final Duration scaleDownStabilization;
  private final Map<Integer, Double> riskByPriority;
  private final boolean liveLoad;
  private final Duration minHistory;
  private final boolean recurringPeaks;
  private final ZoneId recurringPeaksZone;
  private final double forecastCap;

  private PredictivePolicy(Builder b) {
    this.forecastCap = b.forecastCap;
    this.recurringPeaks = b.recurringPeaks;
    this.recurringPeaksZone = b.recurringPeaksZone;
    this.minHistory = b.minHistory;
    this.liveLoad = b.liveLoad;
    this.reactive = b.reactive;
    this.deadBandUp = b.deadBandUp;
    this.deadBandDown = b.deadBandDown;
    this.scaleDownStabilization = b.scaleDownStabilization;
    this.riskByPriority = Map.copyOf(b.riskByPriority);
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The predictive policy with the defaults over the default HPA. */
  public static PredictivePolicy ofDefaults() {
    return builder().build();
  }

  /** A builder holding this policy's settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.reactive = reactive;
    b.deadBandUp = deadBandUp;
    b.deadBandDown = deadBandDown;
    b.scaleDownStabilization = scaleDownStabilization;
    b.riskByPriority.putAll(riskByPriority);
    b.liveLoad = liveLoad;
    b.minHistory = minHistory;
    b.recurringPeaks = recurringPeaks;
    b.recurringPeaksZone = recurringPeaksZone;
    b.forecastCap = forecastCap;
    return b;
  }

  /** The reactive floor. */
  public HpaPolicy reactive() {
    return reactive;
  }

  @Override
  public String name() {
    return "predictive";
  }

  /**
   * The quantile this policy plans for on the workload: its priority's ({@link
   * Builder#riskQuantile(int, double)}) or else the workload's own. The engine asks the forecaster
   * for the higher of this and the workload's, so a priority's quantile gets its interval even
   * when the workload's own is 0.5 (no interval).
   */
  @Override
  public double riskQuantile(WorkloadSpec spec) {
    Double q = riskByPriority.get(spec.priority());
    return q == null ? spec.riskQuantile() : q;
  }

  /**
   * The past decisions this policy reads: the longer of its own {@code scaleDownStabilization}
   * (the hold of a lower need) and its reactive floor's {@link HpaPolicy#memory()}; 600 s with
   * the defaults.
   */
  @Override
  public Duration memory() {
    return Durations.longest(scaleDownStabilization, reactive.memory());
  }

  /** Passed on to the reactive floor; the policy itself keeps nothing per workload. */
  @Override
  public void unregistered(WorkloadRef workload) {
    reactive.unregistered(workload);
  }

  @Override
  public Proposal apply(DecisionContext ctx, Proposal proposal) {
    Proposal floor = reactive.apply(ctx, proposal);
    int r = floor.replicas();
    int current = ctx.replicas().current();
    Duration lead = ctx.leadTime();
    Instant from = ctx.now();
    Instant to = from.plus(lead);
    int p = -1;
    double exact = 0; // the highest unrounded need, in replicas, for the dead band
    // The metric that set p and its value; the reason text is built once, for it, at the end.
    MetricTarget whyMetric = null;
    double whyValue = 0;
    boolean whyLive = false;
    RecurringPeaks.Peak whyRecurring = null;
    double whyCap = Double.NaN;
    double q = riskQuantile(ctx.spec());
    boolean stale = false; // a forecast skipped because its history's newest steps are missing
    for (MetricTarget m : ctx.spec().metrics()) {
      Forecast f = ctx.forecasts().get(m.name());
      MetricSeries history = ctx.histories().get(m.name());
      if (f == null || tooYoung(history)) {
        continue;
      }
      if (stale(history, lead)) {
        stale = true;
        continue;
      }
      double peak = peakUpper(f, from, to, q);
      if (Double.isNaN(peak)) {
        continue;
      }
      RecurringPeaks.Peak recurring = recurringPeaks ? RecurringPeaks.find(
          ctx.histories().get(m.name()), from, lead, noise(f, ctx.spec().riskQuantile()),
          recurringPeaksZone) : null;
      // Each capped on its own, the higher counts: a forecast just above a recurring peak, capped
      // lower than the peak's own cap, must not lower the plan below the peak's.
      double cap = cap(ctx, m.name(), peak, false);
      double uncapped = peak;
      peak = Math.min(peak, cap);
      if (recurring != null) {
        double recurringCap = cap(ctx, m.name(), recurring.load(), true);
        double recurringPeak = Math.min(recurring.load(), recurringCap);
        if (recurringPeak > peak) {
          peak = recurringPeak;
          uncapped = recurring.load();
          cap = recurringCap;
        } else {
          recurring = null;
        }
      }
      int need = replicasFor(Math.max(0, peak), m.perReplicaTarget());
      exact = Math.max(exact, Math.max(0, peak) / m.perReplicaTarget());
      if (need > p) {
        p = need;
        whyMetric = m;
        whyValue = uncapped;
        whyRecurring = recurring;
        whyCap = uncapped > cap ? cap : Double.NaN;
      }
    }
    if (p < 0) {
      StringBuilder none = new StringBuilder(160).append("no usable forecast (").append(stale
          ? "made before a gap: the newest steps of its history, more than the lead time of "
              + lead.toSeconds() + " s beyond the source's usual spacing of samples, are missing"
          : "none, or less than " + minHistory.toMinutes() + " min of history").append(')');
      // No new need, but the needs of the window before still hold: a pre-scale is not given up
      // because the metrics were missing for a few minutes.
      double held = RecentMarks.highest(ctx, NEED_MARK, scaleDownStabilization, 0) / 1000.0;
      if (replicasFor(held, 1) <= r) {
        return floor.note(name(), none.append(": reactive floor ").append(r).toString());
      }
      return plan(floor, r, current, 0, held, none);
    }
    if (liveLoad) {
      for (MetricTarget m : ctx.spec().metrics()) {
        Double load = ctx.loads().get(m.name());
        if (load != null) {
          int need = replicasFor(load, m.perReplicaTarget());
          exact = Math.max(exact, load / m.perReplicaTarget());
          if (need > p) {
            p = need;
            whyMetric = m;
            whyValue = load;
            whyLive = true;
            whyRecurring = null;
            whyCap = Double.NaN;
          }
        }
      }
    }
    StringBuilder why = new StringBuilder(256).append(whyMetric.name());
    if (whyLive) {
      // "%s: live load %.3f needs %d at %s per replica (above the forecast)"
      Decimals.appendFixed3(why.append(": live load "), whyValue);
    } else if (whyRecurring != null) {
      // "%s: recurring peak %.3f (level %.3f + the smallest rise %.3f seen in this window each of
      // the last %d %ss) needs %d at %s per replica"
      Decimals.appendFixed3(why.append(": recurring peak "), whyValue);
      Decimals.appendFixed3(why.append(" (level "), whyRecurring.level());
      Decimals.appendFixed3(why.append(" + the smallest rise "), whyRecurring.rise())
          .append(" seen in this window each of the last ").append(whyRecurring.repeats())
          .append(' ').append(whyRecurring.period()).append("s)");
    } else {
      // "%s: peak upper forecast %.3f over the next %d s (startup %d s %s + metrics %d s + sync
      // %d s) needs %d at %s per replica"
      Decimals.appendFixed3(why.append(": peak upper forecast "), whyValue)
          .append(" over the next ").append(lead.toSeconds()).append(" s (startup ")
          .append(ctx.startupDelay().toSeconds()).append(" s ")
          .append(ctx.startupDelayMeasured() ? "measured" : "configured").append(" + metrics ")
          .append(ctx.metricsDelay().toSeconds()).append(" s + sync ")
          .append(ctx.syncPeriod().toSeconds()).append(" s)");
    }
    if (!Double.isNaN(whyCap)) {
      // "... capped at %.3f (%s × the highest load seen[, its 0.1 % highest steps aside]) needs"
      Decimals.appendFixed3(why.append(" capped at "), whyCap).append(" (")
          .append(HpaReplicaCalculator.fmt(forecastCap)).append(" × the highest load seen")
          .append(whyRecurring == null ? ", its 0.1 % highest steps aside)" : ")");
    }
    why.append(" needs ").append(p).append(" at ")
        .append(HpaReplicaCalculator.fmt(whyMetric.perReplicaTarget())).append(" per replica");
    if (whyLive) {
      why.append(" (above the forecast)");
    }
    Proposal out = floor.mark(TARGET_MARK, p).mark(NEED_MARK, toMilli(exact));
    // The hold and the dead band work on the unrounded need: held in whole replicas, a need
    // hovering around an integer (6.99, 7.01, ...) would flap between two counts for as long as
    // the window lasts. The highest mark divided by 1000 is the highest of the marks divided by
    // 1000 (division is monotone), and exact >= 0, so starting the fold at 0 changes nothing.
    double held = Math.max(exact,
        RecentMarks.highest(ctx, NEED_MARK, scaleDownStabilization, 0) / 1000.0);
    return plan(out, r, current, p, held, why);
  }

  /**
   * The count for a {@code held} need (in replicas, unrounded) over the reactive floor {@code r}
   * on {@code current} replicas, {@code p} this tick's own need rounded up: the higher of the
   * two, unless the policy's own plan is inside the dead band.
   */
  private Proposal plan(Proposal out, int r, int current, int p, double held,
      StringBuilder why) {
    int heldReplicas = replicasFor(held, 1);
    if (heldReplicas > p) {
      why.append("; held at ").append(heldReplicas).append(", the highest need of the last ")
          .append(scaleDownStabilization.toSeconds()).append(" s");
    }
    int plan = Math.max(r, heldReplicas);
    // Deliberately before the dead band: a move the reactive floor asks for (the HPA's own
    // decision, with its own tolerance) is always taken, also a fall inside the band. Changing
    // this order changes every published benchmark figure (PredictivePolicyTest pins it).
    if (plan == r) {
      return out.note(name(), why.append("; reactive floor ").append(r).append(" rules")
          .toString());
    }
    // The dead band compares the unrounded need with the count, as the HPA's tolerance compares
    // the usage ratio: a need of 3.2 replicas on 3 is inside +10 %, although it rounds up to 4,
    // and a need of 18.5 on 20 is inside -10 % (18), although it rounds to 19; 17.9 is not.
    if (plan > current && held <= current * (1 + deadBandUp) && r <= current) {
      return out.to(name(), current, why.append("; within dead band +").append(deadBandUp)
          .append(" of ").append(current).toString());
    }
    if (plan < current && held >= current * (1 - deadBandDown)) {
      return out.to(name(), current, why.append("; within dead band -").append(deadBandDown)
          .append(" of ").append(current).toString());
    }
    return out.to(name(), plan, why.append("; above reactive floor ").append(r).toString());
  }

  /**
   * The rise a recurring peak must beat: twice the half-width, at its first step, of the
   * forecast's interval for the workload's quantile {@code q} (about 3.3 standard deviations at
   * 0.95), so noise that happens to peak in the same window on every day looked at does not
   * count. A forecast made for another quantile (a priority's) is rescaled to {@code q} first.
   */
  static double noise(Forecast f, double q) {
    double w = f.steps() == 0 ? 0 : Math.max(0, f.upper(0) - f.point(0));
    double scale = scale(f, q);
    return 2 * (Double.isNaN(scale) ? w : w * scale);
  }

  /**
   * By how much to multiply the forecast's interval half-width to get quantile {@code q}'s: 1
   * when the forecast was made for {@code q} (or q is NaN), the ratio of the normal quantiles
   * otherwise, NaN when the forecast has no interval to rescale (level 0).
   */
  private static double scale(Forecast f, double q) {
    double fromLevel = (1 + f.level()) / 2;
    if (Double.isNaN(q) || Math.abs(fromLevel - q) < 1e-9) {
      return 1; // no quantile asked for: as forecast
    }
    return fromLevel <= 0.5 ? Double.NaN : Quantiles.normal(q) / Quantiles.normal(fromLevel);
  }

  /**
   * What a forecast of {@code peak} may ask for: {@code forecastCap} × the highest load of the
   * metric's history once its highest 0.1 % of steps are set aside ({@link #highestKept}), or of
   * its live load when higher; +infinity (nothing to cap against) without a history or when
   * neither has shown any load. A {@code recurring} peak is capped against the history's very
   * highest load: it is a rise seen in the same window day after day, which one bad sample
   * cannot make, and a daily job one step long is exactly what the 0.1 % set aside would hold (7
   * steps in a week: a job of 400 over 100 was planned as 200). The history is read only when
   * the peak is above {@code forecastCap} × the live load, the only case in which the cap can
   * bind.
   */
  private double cap(DecisionContext ctx, String metric, double peak, boolean recurring) {
    Double live = ctx.loads().get(metric);
    double highest = live == null ? 0 : live;
    MetricSeries h = ctx.histories().get(metric);
    if (h == null || peak <= forecastCap * highest) {
      return Double.POSITIVE_INFINITY;
    }
    double seen = recurring ? highestOf(h) : highestKept(h);
    if (seen > highest) { // NaN, a history without a measured step: the live load alone
      highest = seen;
    }
    return highest > 0 ? forecastCap * highest : Double.POSITIVE_INFINITY;
  }

  /**
   * The highest present value of {@code h} once its highest {@code n / 1000} are set aside
   * ({@code n} present values; the highest itself below 1,000): 10 of a week of one-minute
   * steps. One bad sample (a unit mixed up, an exporter's glitch) is in the history for a week,
   * and it throws the forecasts off for hours after it; a cap taken from the highest value let
   * them ask for a thousand times the load (40 replicas for 3.5 hours, where the HPA was back in
   * 5 minutes). A job that runs a few minutes a day has more steps than that in a week. NaN when
   * no value is present.
   */
  private static double highestOf(MetricSeries h) {
    double highest = 0;
    for (int i = 0; i < h.size(); i++) {
      double v = h.value(i);
      if (v > highest) { // NaN (a missing step) is never greater
        highest = v;
      }
    }
    return highest;
  }

  static double highestKept(MetricSeries h) {
    int n = 0;
    for (int i = 0; i < h.size(); i++) {
      n += Double.isNaN(h.value(i)) ? 0 : 1;
    }
    if (n == 0) {
      return Double.NaN;
    }
    double[] top = new double[n / 1000 + 1]; // the highest seen so far, ascending
    Arrays.fill(top, Double.NEGATIVE_INFINITY);
    for (int i = 0; i < h.size(); i++) {
      double v = h.value(i);
      if (v > top[0]) { // NaN (a missing step) is never greater
        int k = 0;
        while (k + 1 < top.length && top[k + 1] < v) {
          top[k] = top[k + 1];
          k++;
        }
        top[k] = v;
      }
    }
    return top[0];
  }

  /**
   * Whether the newest steps of {@code history} are missing for longer than {@code lead} beyond
   * the source's own rhythm: its forecast was made from data older than a gap (metrics back after
   * an outage, a backfill that ends in one) and reaches across it, beyond the horizons its
   * interval was measured on. A source sampled every 5 minutes on a 1-minute history leaves 4
   * missing steps after each sample, which is no gap: the usual spacing of the measured steps
   * (the median of the last {@value #SPACINGS_SEEN}) is allowed on top of the lead. The forecast
   * counts again once a measured step closes after the gap.
   */
  private static boolean stale(MetricSeries history, Duration lead) {
    if (history == null) {
      return false;
    }
    int last = history.size() - 1;
    while (last >= 0 && Double.isNaN(history.value(last))) {
      last--;
    }
    int missing = history.size() - 1 - last;
    long allowed = lead.toMillis() / history.step().toMillis(); // whole steps that may be missing
    if (missing <= allowed) {
      return false;
    }
    return last < 0 || missing > allowed + spacing(history, last) - 1;
  }

  /**
   * How many spacings between measured steps {@link #spacing} takes the median of: 5, the last
   * ones, so that a rhythm changed (a scrape interval lengthened, a source sparse once and dense
   * now) is followed within three samples; 31 took 80 minutes of a 5-minute source for gaps.
   */
  private static final int SPACINGS_SEEN = 5;

  /**
   * The median number of steps from one measured step of {@code history} to the next, over the
   * last {@value #SPACINGS_SEEN} spacings up to step {@code last} (measured); 1 for a source
   * measured at every step, or when fewer than two steps are measured.
   */
  private static int spacing(MetricSeries history, int last) {
    int[] spacings = new int[SPACINGS_SEEN];
    int n = 0;
    int next = last;
    for (int i = last - 1; i >= 0 && n < spacings.length; i--) {
      if (!Double.isNaN(history.value(i))) {
        spacings[n++] = next - i;
        next = i;
      }
    }
    if (n == 0) {
      return 1;
    }
    Arrays.sort(spacings, 0, n);
    return spacings[n / 2];
  }

  /**
   * Whether a history holds less than {@code minHistory} of measured steps (no history: the
   * forecast counts). Missing steps do not count: a backfill that starts with one old sample, or
   * a history refilled after a long gap, spans an hour with minutes of data.
   */
  private boolean tooYoung(MetricSeries history) {
    if (history == null || minHistory.isZero()) {
      return false;
    }
    double needed = minHistory.toMillis() / (double) history.step().toMillis();
    if (history.size() < needed) {
      return true;
    }
    int present = 0;
    for (int i = history.size() - 1; i >= 0 && present < needed; i--) {
      if (!Double.isNaN(history.value(i))) {
        present++;
      }
    }
    return present < needed;
  }

  private static int toMilli(double replicas) {
    double m = Math.ceil(replicas * 1000 - 1e-6);
    return m >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.max(0, m);
  }

  /**
   * The highest upper bound over the steps overlapping {@code [from, to]}, for quantile {@code
   * q}: as forecast when it was made for q (or has no interval to rescale), else rescaled; NaN
   * when no step overlaps.
   */
  static double peakUpper(Forecast f, Instant from, Instant to, double q) {
    double scale = scale(f, q);
    if (Double.isNaN(scale) || scale == 1) {
      return f.maxUpper(from, to);
    }
    return f.max(from, to, i -> f.point(i) + (f.upper(i) - f.point(i)) * scale);
  }

  /** {@code ceil(load / perReplica)}, ignoring rounding noise just above an integer. */
  static int replicasFor(double load, double perReplica) {
    double x = load / perReplica;
    double c = Math.ceil(x - 1e-9);
    return c >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.max(0, c);
  }

  @Override
  public String toString() {
    return "PredictivePolicy{deadBandUp=" + deadBandUp + ", deadBandDown=" + deadBandDown
        + ", scaleDownStabilization=" + scaleDownStabilization + ", minHistory=" + minHistory
        + ", risk=" + riskByPriority + ", recurringPeaks=" + recurringPeaks
        + ", recurringPeaksZone=" + recurringPeaksZone
        + ", forecastCap=" + forecastCap
        + ", reactive=" + reactive + "}";
  }

  /** Builds a {@link PredictivePolicy}. Last write wins; {@link #build()} validates. */
  public static final class Builder {
    private HpaPolicy reactive = HpaPolicy.ofDefaults();
    private double deadBandUp = DEFAULT_DEAD_BAND_UP;
    private double deadBandDown = DEFAULT_DEAD_BAND_DOWN;
    private Duration scaleDownStabilization = DEFAULT_SCALE_DOWN_STABILIZATION;
    private final Map<Integer, Double> riskByPriority = new LinkedHashMap<>();
    private boolean liveLoad = DEFAULT_LIVE_LOAD;
    private Duration minHistory = DEFAULT_MIN_HISTORY;
    private boolean recurringPeaks = DEFAULT_RECURRING_PEAKS;
    private ZoneId recurringPeaksZone = ZoneOffset.UTC;
    private double forecastCap = DEFAULT_FORECAST_CAP;

    private Builder() {}

    /**
     * The most a forecast may ask for, as a multiple of the highest load of the metric's history
     * (or of the live load, when higher), in [1, +infinity]; default {@value
     * #DEFAULT_FORECAST_CAP}. A guard against a model that runs away (a trend carried off by one
     * burst, a bad fit): what it asks for beyond the cap is not planned, the reason says so, and
     * the reactive floor still follows the load however far it grows. Nothing is capped for a
     * metric without a history or that has shown no load; {@code Double.POSITIVE_INFINITY} turns
     * it off.
     */
    public Builder forecastCap(double multiple) {
      this.forecastCap = multiple;
      return this;
    }

    /**
     * Whether a peak that came back at the same time in each of the last 4 hours or 5 days is
     * planned for even when the forecast's interval does not reach it; default {@value
     * #DEFAULT_RECURRING_PEAKS}. See the class documentation.
     */
    public Builder recurringPeaks(boolean recurringPeaks) {
      this.recurringPeaks = recurringPeaks;
      return this;
    }

    /**
     * The zone whose days the daily recurring peaks follow; default UTC. Set it to the zone the
     * traffic follows (e.g. {@code ZoneId.of("Europe/Berlin")}): a job at 09:00 local time is
     * then looked for at 09:00 local time on each of the last 5 days, also across a
     * daylight-saving change, where in UTC it moves by an hour, beyond the 30 minutes of jitter,
     * and is missed for days (and a peak may be planned an hour late). Hourly peaks are hours of
     * the instant line whatever the zone.
     *
     * @throws NullPointerException when {@code zone} is null
     */
    public Builder recurringPeaksZone(ZoneId zone) {
      this.recurringPeaksZone = Objects.requireNonNull(zone, "recurringPeaksZone");
      return this;
    }

    /**
     * How long a metric's history must span before its forecast counts, in [0, 7 days]; until
     * then the policy is the reactive floor. Default 1 hour; zero uses every forecast.
     */
    public Builder minHistory(Duration minHistory) {
      this.minHistory = Objects.requireNonNull(minHistory, "minHistory");
      return this;
    }

    /**
     * Whether the live load also sets a target, {@code ceil(load / perReplicaTarget)} without the
     * HPA's tolerance, when a forecast exists; default {@value #DEFAULT_LIVE_LOAD}.
     */
    public Builder liveLoad(boolean liveLoad) {
      this.liveLoad = liveLoad;
      return this;
    }

    /** The reactive floor; default {@link HpaPolicy#ofDefaults()} (300 s down window kept). */
    public Builder reactive(HpaPolicy reactive) {
      this.reactive = Objects.requireNonNull(reactive, "reactive");
      return this;
    }

    /**
     * Relative dead band above the current count, in [0, 1]; default 0.10. It never holds back a
     * rise the reactive floor asks for (see the class documentation).
     */
    public Builder deadBandUp(double band) {
      this.deadBandUp = band;
      return this;
    }

    /**
     * Relative dead band below the current count, in [0, 1); default 0.10. It never holds back a
     * fall to the reactive floor when the floor is the plan (see the class documentation).
     */
    public Builder deadBandDown(double band) {
      this.deadBandDown = band;
      return this;
    }

    /** How long a lower target must hold before it counts, in [0, 1 h]; default 600 s. */
    public Builder scaleDownStabilization(Duration window) {
      this.scaleDownStabilization = Objects.requireNonNull(window, "scaleDownStabilization");
      return this;
    }

    /**
     * The forecast quantile to plan for in workloads of {@code priority}, in [0.5, 0.999],
     * overriding {@code spec.riskQuantile()} (e.g. 0.5 for batch, 0.99 for checkout).
     */
    public Builder riskQuantile(int priority, double quantile) {
      riskByPriority.put(priority, quantile);
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws InvalidConfigurationException listing every invalid setting
     */
    public PredictivePolicy build() {
      List<String> problems = new ArrayList<>();
      if (!(deadBandUp >= 0 && deadBandUp <= 1)) {
        problems.add("deadBandUp must be in [0, 1], but was " + deadBandUp);
      }
      if (!(deadBandDown >= 0 && deadBandDown < 1)) {
        problems.add("deadBandDown must be in [0, 1), but was " + deadBandDown);
      }
      if (scaleDownStabilization.isNegative()
          || scaleDownStabilization.compareTo(Duration.ofHours(1)) > 0) {
        problems.add("scaleDownStabilization must be in [0, 1h], but was "
            + scaleDownStabilization);
      }
      if (!(forecastCap >= 1)) {
        problems.add("forecastCap must be in [1, Infinity], but was " + forecastCap);
      }
      if (minHistory.isNegative() || minHistory.compareTo(Duration.ofDays(7)) > 0) {
        problems.add("minHistory must be in [0, 7d], but was " + minHistory);
      }
      riskByPriority.forEach((k, v) -> {
        if (!WorkloadSpec.isValidRiskQuantile(v)) {
          problems.add("riskQuantile of priority " + k + " must be in ["
              + WorkloadSpec.MIN_RISK_QUANTILE + ", " + WorkloadSpec.MAX_RISK_QUANTILE
              + "], but was " + v);
        }
      });
      if (!problems.isEmpty()) {
        throw new InvalidConfigurationException("PredictivePolicy", problems);
      }
      return new PredictivePolicy(this);
    }
  }
}
