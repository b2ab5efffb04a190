package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.PastDecision;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The Kubernetes Horizontal Pod Autoscaler as a decision step, faithful to the controller
 * ({@code pkg/controller/podautoscaler}: {@code horizontal.go} and {@code replica_calculator.go},
 * and the "Horizontal Pod Autoscaling" documentation).
 *
 * <p>Each tick: a count outside [min, max] is brought back to the nearest bound. Otherwise every
 * metric gives a recommendation through the {@link HpaReplicaCalculator} and the highest wins; if
 * every metric failed, or some failed and the rest would scale down, nothing changes. The raw
 * recommendation is recorded as the mark {@code hpa.recommendation}. Then, as the controller does,
 * one of two paths:
 *
 * <ul>
 *   <li><b>No {@code spec.behavior}</b> (the default here, as on most HPAs: {@code
 *       normalizeDesiredReplicas} in {@code horizontal.go}): the highest of the raw
 *       recommendation and every recommendation younger than 300 s (the controller's {@code
 *       --horizontal-pod-autoscaler-downscale-stabilization}), even one above the current count,
 *       then clamped to [minReplicas, min(maxReplicas, max(2 × current, 4))].
 *   <li><b>With a {@code spec.behavior}</b> ({@link Builder#defaultBehavior()}, or any rules
 *       set): the stabilization windows take the lowest recommendation of the scale-up window and
 *       the highest of the scale-down window (current count in between stays), and the behavior's
 *       rate policies limit the change relative to the count at the start of each policy period,
 *       derived from the applied decisions in {@link DecisionContext#recent()} that this HPA
 *       asked for. Its output is recorded as the mark {@code hpa.recommendation.output}; a count
 *       a later step applied instead (a predictive plan above this floor, a manual override) is
 *       no scale event of the HPA's, as the controller stores only its own rescales.
 * </ul>
 *
 * <p>On both paths the controller's first sync of an HPA records the current count as a
 * recommendation ({@code recordInitialRecommendation}, before any metric is read), so the count
 * does not fall below it for the first 300 s; here the first decision whose past holds no
 * recommendation of this step does so (mark {@code hpa.recommendation.initial}), dated at the
 * workload's first tick, held ticks included (the oldest remembered decision; mark {@code
 * hpa.recommendation.initial.age-ms}: how long before this decision that was, when it was
 * before). The engine keeps its newest decision whatever its age, so a metrics outage or a gap
 * between ticks, however long, does not make this happen again: as in the controller, which
 * keeps its recommendations across failed syncs, the old ones have just left the windows. A new
 * engine that restored no decision starts afresh, as a restarted controller does.
 * {@link #memory()} asks the engine to keep the decisions of the longest window or period.
 *
 * <p>The context holds aggregates, so they are mapped to pods: of the {@code existing} pods
 * ({@link dev.prescaler.core.ReplicaStatus#existing}, the controller's {@code status.replicas}),
 * {@code ready − warming} have a sample equal to the reading; {@code warming} pods (counted, but
 * their CPU sample ignored: inside their CPU initialization period) are unready for the metric
 * named {@code cpu}, and have a sample equal to the reading for any other, as the controller
 * applies its readiness rules to CPU only; {@code existing − ready} pods are pending (the ready
 * ones are all listed, also when {@code status.replicas} says fewer). An {@code AVERAGE_VALUE}
 * metric named {@code cpu} or {@code memory} is a {@code Resource} metric with an {@code
 * AverageValue} target: each of those pods with a sample has reading ÷ {@code ready}, and the
 * controller's per-pod value rule applies (mean over the pods with samples ÷ target, the others
 * 0 on a scale-up). Any other {@code AVERAGE_VALUE} metric is the HPA's {@code AverageValue}
 * target on an object or external metric: ratio = total / (target × existing). A count within
 * tolerance keeps {@code current} ({@code spec.replicas}) for a resource metric and {@code
 * existing} for an object or external {@code AverageValue}, as the controller's does.
 *
 * <p>Pure and thread-safe; it ignores the incoming proposal's count (it starts a chain).
 */
public final class HpaPolicy implements DecisionPolicy {
  /**
   * How much rounding an {@code AverageValue} target up to milli-units may raise it before the
   * recommendation says so: 1 %.
   */
  static final double MILLI_ROUNDING_LIMIT = 0.01;

  /** The mark under which the raw recommendation of each tick is recorded. */
  public static final String DEFAULT_MARK = "hpa.recommendation";
  /** The step name in reasons: {@code hpa}. */
  public static final String DEFAULT_NAME = "hpa";
  /**
   * The window of recent recommendations an HPA without {@code spec.behavior} takes the highest
   * of: the controller's default {@code --horizontal-pod-autoscaler-downscale-stabilization}, 5
   * minutes.
   */
  public static final Duration LEGACY_STABILIZATION = Duration.ofMinutes(5);

  private static final long REQUEST_MILLI = 1000;

  private final String name;
  private final String mark;
  private final HpaReplicaCalculator calculator;
  private final ScalingRules scaleUp;
  private final ScalingRules scaleDown;
  private final boolean behavior;
  private final String initialMark;
  private final String initialAgeMark;
  private final String outputMark;
  private final Builder config;
  private final Duration memory;

  private HpaPolicy(Builder b) {
    this.name = b.name;
    this.mark = b.mark;
    this.calculator = new HpaReplicaCalculator(new Tolerances(b.toleranceUp, b.toleranceDown),
        b.cpuInitializationPeriod, b.initialReadinessDelay);
    this.scaleUp = b.scaleUp;
    this.scaleDown = b.scaleDown;
    this.behavior = b.behavior;
    this.initialMark = b.mark + ".initial";
    this.initialAgeMark = initialMark + ".age-ms";
    this.outputMark = b.mark + ".output";
    this.config = b.copy();
    this.memory = !behavior ? LEGACY_STABILIZATION : Durations.longest(
        Durations.longest(scaleUp.stabilizationWindow(), scaleDown.stabilizationWindow()),
        Durations.longest(scaleUp.longestPeriod(), scaleDown.longestPeriod()));
  }

  /** A builder holding Kubernetes' defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The HPA with Kubernetes' defaults and no {@code spec.behavior}. */
  public static HpaPolicy ofDefaults() {
    return builder().build();
  }

  /** A builder holding this policy's settings. */
  public Builder toBuilder() {
    return config.copy();
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * The past decisions this HPA reads: the longest of both stabilization windows and of both
   * directions' rate-policy periods (Kubernetes' defaults: 300 s). The engine keeps at least this
   * much, so a window or a period longer than its default 10 minutes is honoured whole.
   */
  @Override
  public Duration memory() {
    return memory;
  }

  /** The mark key of the raw recommendation. */
  public String mark() {
    return mark;
  }

  /** Whether this HPA has a {@code spec.behavior} (else the controller's older path runs). */
  public boolean hasBehavior() {
    return behavior;
  }

  /** The scale-up rules (used only with a {@code spec.behavior}). */
  public ScalingRules scaleUp() {
    return scaleUp;
  }

  /** The scale-down rules (used only with a {@code spec.behavior}). */
  public ScalingRules scaleDown() {
    return scaleDown;
  }

  /** The calculator in use. */
  public HpaReplicaCalculator calculator() {
    return calculator;
  }

  @Override
  public Proposal apply(DecisionContext ctx, Proposal proposal) {
    WorkloadSpec spec = ctx.spec();
    int current = ctx.replicas().current();
    // reconcileAutoscaler: a count of 0 disables autoscaling only when minReplicas is not 0; with
    // 0 (HPAScaleToZero) the metrics are computed: an object or external metric scales up from
    // 0, a utilization has no pods to measure (an error, so the count is held).
    if (current == 0 && spec.minReplicas() != 0) {
      return own(proposal.to(name, 0, "scale is at 0 replicas: autoscaling is disabled"));
    }
    if (current > spec.maxReplicas()) {
      return own(proposal.to(name, spec.maxReplicas(),
          "current " + current + " above maxReplicas " + spec.maxReplicas()));
    }
    if (current < spec.minReplicas()) {
      return own(proposal.to(name, spec.minReplicas(),
          "current " + current + " below minReplicas " + spec.minReplicas()));
    }
    int raw = -1;
    String rawWhy = "";
    int invalid = 0;
    List<String> errors = new ArrayList<>();
    for (MetricTarget m : spec.metrics()) {
      Double reading = ctx.readings().get(m.name());
      if (reading == null || !Double.isFinite(reading) || reading < 0) {
        invalid++;
        errors.add(m.name() + ": no valid reading");
        continue;
      }
      HpaReplicaCalculator.Result r = recommend(m, reading, ctx.replicas(), ctx.now());
      if (r.error()) {
        invalid++;
        errors.add(m.name() + ": " + r.explanation());
      } else if (r.replicas() > raw) {
        raw = r.replicas();
        rawWhy = m.name() + ": " + r.explanation();
      }
    }
    if (invalid == spec.metrics().size() || (invalid > 0 && raw < current)) {
      return own(proposal.to(name, current, "no recommendation, keeping " + current + ": "
          + String.join("; ", errors)));
    }
    Proposal p = proposal.mark(mark, raw).to(name, raw, rawWhy);
    Initial initial = null;
    if (isFirstSync(ctx)) {
      initial = firstTick(ctx, current);
      p = p.mark(initialMark, initial.count);
      long ageMs = Duration.between(initial.time, ctx.now()).toMillis();
      if (ageMs > 0) {
        p = p.mark(initialAgeMark, (int) Math.min(Integer.MAX_VALUE, ageMs));
      }
    }
    if (!behavior) {
      return withoutBehavior(ctx, p, current, raw, initial);
    }
    int stabilized = stabilize(ctx, current, raw, initial);
    if (stabilized != raw) {
      p = p.to(name, stabilized, stabilized > raw
          ? "scale-down stabilization: highest recommendation in the last "
              + scaleDown.stabilizationWindow().toSeconds() + " s"
          : "scale-up stabilization: lowest recommendation in the last "
              + scaleUp.stabilizationWindow().toSeconds() + " s");
    }
    ScaleEvents events = ScaleEvents.replay(ctx.recent(), outputMark, scaleUp.longestPeriod(),
        scaleDown.longestPeriod());
    int limited = rateLimit(ctx, events, current, stabilized);
    if (limited != stabilized) {
      String why;
      if (limited < stabilized) {
        why = limited == spec.maxReplicas() && limited < upLimit(ctx, events, current)
            ? "maxReplicas " + limited
            : "scale-up limited by the behavior's policies (" + scaleUp.select() + ") from "
                + current;
      } else {
        why = limited == spec.minReplicas() && limited > downLimit(ctx, events, current)
            ? "minReplicas " + limited
            : "scale-down limited by the behavior's policies (" + scaleDown.select() + ") from "
                + current;
      }
      p = p.to(name, limited, why);
    }
    return own(p);
  }

  /**
   * {@code p} with its count recorded as this HPA's output when it has a behavior: a later step
   * may apply another count, and only the part of a change this HPA asked for is its scale event
   * (the controller stores only its own rescales; see {@link ScaleEvents}).
   */
  private Proposal own(Proposal p) {
    return behavior ? p.mark(outputMark, p.replicas()) : p;
  }

  /**
   * The calculator's result for one metric's reading, from the context's aggregates: the pods
   * that exist ({@link ReplicaStatus#existing}, the controller's {@code status.replicas}) for an
   * {@code AverageValue} ratio and the pod list, the desired count ({@code spec.replicas}) for
   * what a count within tolerance keeps, as the controller takes each.
   */
  HpaReplicaCalculator.Result recommend(MetricTarget m, double reading, ReplicaStatus replicas,
      Instant now) {
    int current = replicas.current();
    int existing = replicas.existing();
    if (m.type() == MetricTarget.Type.AVERAGE_VALUE) {
      long targetMilli = targetMilli(m.target());
      HpaReplicaCalculator.Result r = isResource(m)
          ? resourceAverageValue(m, reading, replicas, targetMilli)
          : calculator.averageValue(Math.round(reading * 1000), existing, targetMilli);
      double asked = m.target() * 1000;
      if (r.error() || targetMilli - asked <= MILLI_ROUNDING_LIMIT * asked) {
        return r;
      }
      // As on a cluster, but said: a target the rounding raises by more than 1 % asks for
      // visibly fewer replicas than the target given would.
      return new HpaReplicaCalculator.Result(r.replicas(), r.ratio(), "target "
          + HpaReplicaCalculator.fmtExact(m.target()) + " per replica taken as "
          + HpaReplicaCalculator.fmtExact(targetMilli / 1000.0) + ", as the controller takes it "
          + "(milli-units, rounded up): " + r.explanation(), false);
    }
    // The pods of pods(replicas, reading, now), counted rather than built. Warming pods are
    // unready for CPU only: the controller applies its readiness rules to no other resource.
    int ready = replicas.ready();
    int warming = isCpu(m) ? Math.min(replicas.warming(), ready) : 0;
    long usage = podUsage(reading);
    return calculator.uniformCpuUtilization(ready - warming, warming, listed(replicas) - ready,
        usage, REQUEST_MILLI, current, m.target());
  }

  /**
   * A {@code Resource} metric with an {@code AverageValue} target ({@code GetRawResourceReplicas},
   * then {@code calcPlainMetricReplicas}): the reading, the workload's total, is {@code ready}
   * pods' samples of its mean (rounded down to milli-units, as the controller's integer mean);
   * {@code warming} pods are left out for CPU, pending ones for every resource; within tolerance
   * the count stays at {@code current} ({@code spec.replicas}).
   */
  private HpaReplicaCalculator.Result resourceAverageValue(MetricTarget m, double reading,
      ReplicaStatus replicas, long targetMilli) {
    int ready = replicas.ready();
    int warming = isCpu(m) ? Math.min(replicas.warming(), ready) : 0;
    long perPod = ready == 0 ? 0 : milliPerPod(reading, ready);
    return calculator.uniformPlainValue(ready - warming, warming, listed(replicas) - ready,
        perPod, replicas.current(), targetMilli);
  }

  /**
   * Each of {@code pods} pods' share of a total, in milli-units, rounded down; a share within
   * one billionth of the next whole milli-unit is taken as it (0.3 × 3 / 3 is 300, not 299).
   */
  static long milliPerPod(double total, int pods) {
    double x = total * 1000 / pods;
    return (long) Math.max(0, Math.min(Long.MAX_VALUE, Math.floor(x + 1e-9 * Math.max(1, x))));
  }

  /**
   * Whether {@code m} is a {@code Resource} metric: by its name, {@code cpu} or {@code memory},
   * as the Metrics Server source (the only source of the pods' resource usage) serves them and
   * the agent requires a {@code metrics-server} metric to be named ({@code name: cpu, resource:
   * cpu}). Any other {@code AverageValue} metric is taken as an object or external one.
   */
  private static boolean isResource(MetricTarget m) {
    return isCpu(m) || m.name().equals("memory");
  }

  /**
   * Whether {@code m} is the CPU resource, the only one whose samples the controller's readiness
   * rules ({@code groupPods}) apply to: by its name, {@code cpu}, which is how the Metrics Server
   * source, the only one that reports warming pods, names it.
   */
  private static boolean isCpu(MetricTarget m) {
    return m.name().equals("cpu");
  }

  /**
   * An {@code AverageValue} target in the controller's milli-units ({@code
   * Quantity.MilliValue()}, which rounds up: 1.0004 is 1.001, 0.0001 is 0.001), at least 1. A
   * value within one billionth of a whole number of thousandths is taken as that number, so that
   * 0.1 × 3 is 300, not 301. Where the rounding raises the target by more than {@value
   * #MILLI_ROUNDING_LIMIT} of itself (only below about 0.1: 0.0001 becomes 0.001, a tenth of the
   * replicas needed), the recommendation's explanation says so; the controller would compute the
   * same count, silently (the simulator's targets are at least 0.4 in its units).
   */
  static long targetMilli(double target) {
    double x = target * 1000;
    double whole = Math.rint(x);
    if (Math.abs(x - whole) <= 1e-9 * Math.max(1, x)) {
      return Math.max(1, (long) whole);
    }
    return (long) Math.max(1, Math.min(Long.MAX_VALUE, Math.ceil(x)));
  }


  /**
   * How many pods the controller would list for a utilization: those that exist, and at least
   * the ready ones, which a source counts from the pod list itself, while {@code existing} is
   * the workload's {@code status.replicas}: 0 on a custom resource whose scale subresource has no
   * status path, or a step behind the pods just after a change. (An {@code AverageValue} ratio
   * takes {@code status.replicas} as it is, as the controller does.)
   */
  private static int listed(ReplicaStatus r) {
    return Math.max(r.existing(), r.ready());
  }

  /**
   * The pods implied by aggregate counts: {@code ready − warming} long-ready pods with the mean
   * reading, {@code warming} pods that became ready just now, and {@code existing − ready}
   * pending (none when fewer exist than are ready: see {@link #listed}).
   * {@link #recommend} gives the calculator these groups as counts; the tests check that the
   * result is the one for this list.
   */
  static List<PodSample> pods(ReplicaStatus r, double readingPercent, Instant now) {
    int ready = r.ready();
    int warming = Math.min(r.warming(), ready);
    int sampled = ready - warming;
    long usage = podUsage(readingPercent);
    Instant longAgo = now.minus(Duration.ofDays(1));
    int listed = listed(r);
    List<PodSample> pods = new ArrayList<>(listed);
    for (int i = 0; i < sampled; i++) {
      pods.add(PodSample.running("pod-" + i, usage, REQUEST_MILLI, longAgo, now));
    }
    for (int i = 0; i < warming; i++) {
      pods.add(new PodSample("warming-" + i, PodSample.Phase.RUNNING, false, Optional.of(true),
          Optional.of(now), Optional.of(now), OptionalLong.of(usage), now,
          Duration.ofSeconds(30), REQUEST_MILLI));
    }
    for (int i = ready; i < listed; i++) {
      pods.add(new PodSample("pending-" + i, PodSample.Phase.PENDING, false, Optional.empty(),
          Optional.empty(), Optional.empty(), OptionalLong.empty(), now, Duration.ofSeconds(30),
          REQUEST_MILLI));
    }
    return pods;
  }

  /**
   * Each sampled pod's usage, in thousandths of its request, for a mean utilization of {@code
   * readingPercent}: rounded down, so that the calculator's whole percent (the controller's
   * integer division of Σ usage × 100 by Σ requests) is the reading's whole percent, as the
   * controller would compute it from the pods' usage; rounded to nearest, 66.96 % read as 67 %
   * and a target of 60 % scaled where the controller keeps the count. The slack keeps a reading
   * of exactly 65 % from falling to 64.999.
   */
  private static long podUsage(double readingPercent) {
    return (long) Math.floor(readingPercent * REQUEST_MILLI / 100.0 + 1e-6);
  }

  /** The first sync's recommendation: the count then, recorded at that time. */
  private record Initial(int count, Instant time) {}

  /**
   * The controller's {@code recordInitialRecommendation} runs at the first reconcile of an HPA,
   * before any metric is read, so its time is the first tick of the workload, held ticks
   * included: the oldest remembered decision (none of which holds a recommendation of this step
   * at a first sync), with the count it found, or this tick when there is none. Should the holds
   * before the first decision have lasted longer than the engine's decision memory, the oldest
   * remembered one stands in for the first, at most one sync period off the edge of the memory
   * (the engine keeps no older hold; holds with no count read keep nothing).
   */
  private static Initial firstTick(DecisionContext ctx, int current) {
    List<PastDecision> recent = ctx.recent();
    if (recent.isEmpty()) {
      return new Initial(current, ctx.now());
    }
    PastDecision oldest = recent.get(0);
    return new Initial(oldest.current(), oldest.time());
  }

  /**
   * The highest ({@code highest}) or lowest initial recommendation that falls in {@code window},
   * folded into {@code start}: this tick's first sync ({@code initial}, if any) and those of past
   * first syncs, each dated by its age mark (the time of its first tick).
   */
  private int foldInitial(DecisionContext ctx, Duration window, Initial initial, int start,
      boolean highest) {
    Instant from = ctx.now().minus(window);
    int best = start;
    if (initial != null && initial.time.isAfter(from)) {
      best = highest ? Math.max(best, initial.count) : Math.min(best, initial.count);
    }
    List<PastDecision> recent = ctx.recent();
    for (int i = 0; i < recent.size(); i++) {
      PastDecision d = recent.get(i);
      Integer v = d.marks().get(initialMark);
      if (v == null) {
        continue;
      }
      Integer age = d.marks().get(initialAgeMark);
      Instant at = age == null ? d.time() : d.time().minusMillis(age);
      if (at.isAfter(from)) {
        best = highest ? Math.max(best, v) : Math.min(best, v);
      }
    }
    return best;
  }

  /** Whether no past decision holds a recommendation of this step: its first sync. */
  private boolean isFirstSync(DecisionContext ctx) {
    List<PastDecision> recent = ctx.recent();
    for (int i = 0; i < recent.size(); i++) {
      if (recent.get(i).marks().containsKey(mark)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The highest recommendation of {@code window}, the initial one included, one exactly {@code
   * window} old not. The controller's path without a behavior keeps one that is not before the
   * cutoff, its behavior path one after it; but it syncs 15 s after the previous sync ended, so a
   * real recommendation is never exactly 300 s old: the one 20 syncs back is older and dropped on
   * both paths. The simulator's exact grid would otherwise make it exactly 300 s old and keep it,
   * holding every scale-down one sync longer than a cluster does.
   */
  private int highestRecommendation(DecisionContext ctx, Duration window, int start,
      Initial initial) {
    return foldInitial(ctx, window, initial, RecentMarks.highest(ctx, mark, window, start), true);
  }

  /**
   * An HPA without {@code spec.behavior} ({@code normalizeDesiredReplicas} and {@code
   * convertDesiredReplicasWithRules} in {@code horizontal.go}).
   */
  private Proposal withoutBehavior(DecisionContext ctx, Proposal p, int current, int raw,
      Initial initial) {
    WorkloadSpec spec = ctx.spec();
    int stabilized = highestRecommendation(ctx, LEGACY_STABILIZATION, raw, initial);
    if (stabilized != raw) {
      p = p.to(name, stabilized, "stabilization: highest recommendation in the last "
          + LEGACY_STABILIZATION.toSeconds() + " s");
    }
    long upLimit = Math.max(2L * current, 4L);
    int maxAllowed = (int) Math.min(spec.maxReplicas(), upLimit);
    if (stabilized < spec.minReplicas()) {
      return p.to(name, spec.minReplicas(), "minReplicas " + spec.minReplicas());
    }
    if (stabilized > maxAllowed) {
      return p.to(name, maxAllowed, maxAllowed == spec.maxReplicas()
          ? "maxReplicas " + maxAllowed
          : "scale-up limited to max(2 × " + current + ", 4) = " + maxAllowed
              + " (no spec.behavior)");
    }
    return p;
  }

  /**
   * {@code stabilizeRecommendationWithBehaviors}: the lowest recommendation of the scale-up
   * window and the highest of the scale-down window, the initial one in each window it falls in.
   * At a first sync with no held tick before it ({@code initial} dated now) it falls in every
   * window longer than zero.
   */
  private int stabilize(DecisionContext ctx, int current, int raw, Initial initial) {
    Duration upWindow = scaleUp.stabilizationWindow();
    Duration downWindow = scaleDown.stabilizationWindow();
    int up = foldInitial(ctx, upWindow, initial, RecentMarks.lowest(ctx, mark, upWindow, raw),
        false);
    int down = highestRecommendation(ctx, downWindow, raw, initial);
    int rec = current;
    if (rec < up) {
      rec = up;
    }
    if (rec > down) {
      rec = down;
    }
    return rec;
  }

  /** {@code convertDesiredReplicasWithBehaviorRate}. */
  private int rateLimit(DecisionContext ctx, ScaleEvents events, int current, int desired) {
    WorkloadSpec spec = ctx.spec();
    if (desired > current) {
      int limit = upLimit(ctx, events, current);
      if (limit < current) {
        limit = current;
      }
      int maxAllowed = Math.min(spec.maxReplicas(), limit);
      return Math.min(desired, maxAllowed);
    }
    if (desired < current) {
      int limit = downLimit(ctx, events, current);
      if (limit > current) {
        limit = current;
      }
      int minAllowed = Math.max(spec.minReplicas(), limit);
      return Math.max(desired, minAllowed);
    }
    return desired;
  }

  /** {@code calculateScaleUpLimitWithScalingRules}. */
  private int upLimit(DecisionContext ctx, ScaleEvents events, int current) {
    if (scaleUp.select() == ScalingRules.Select.DISABLED) {
      return current;
    }
    boolean min = scaleUp.select() == ScalingRules.Select.MIN;
    long result = min ? Long.MAX_VALUE : Long.MIN_VALUE;
    for (ScalingPolicy policy : scaleUp.policies()) {
      long start = events.periodStart(ctx.now(), current, policy.period());
      long proposed = policy.type() == ScalingPolicy.Type.PODS
          ? start + policy.value()
          : (long) Math.ceil(start * (1 + policy.value() / 100.0));
      result = min ? Math.min(result, proposed) : Math.max(result, proposed);
    }
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, result));
  }

  /** {@code calculateScaleDownLimitWithBehaviors}. */
  private int downLimit(DecisionContext ctx, ScaleEvents events, int current) {
    if (scaleDown.select() == ScalingRules.Select.DISABLED) {
      return current;
    }
    boolean min = scaleDown.select() == ScalingRules.Select.MIN;
    long result = min ? Long.MIN_VALUE : Long.MAX_VALUE;
    for (ScalingPolicy policy : scaleDown.policies()) {
      long start = events.periodStart(ctx.now(), current, policy.period());
      long proposed = policy.type() == ScalingPolicy.Type.PODS
          ? start - policy.value()
          : (long) (start * (1 - policy.value() / 100.0));
      result = min ? Math.max(result, proposed) : Math.min(result, proposed);
    }
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, result));
  }

  /**
   * The count at the start of the period: current minus every applied change within it. The HPA
   * counts its scale events as the controller keeps them instead ({@link ScaleEvents}).
   */
  static long periodStart(DecisionContext ctx, int current, Duration period) {
    Instant cutoff = ctx.now().minus(period);
    long change = 0;
    List<PastDecision> recent = ctx.recent();
    for (int i = 0; i < recent.size(); i++) { // indexed: no iterator per decision
      PastDecision d = recent.get(i);
      if (d.applied() && d.desired() != d.current() && d.time().isAfter(cutoff)) {
        change += d.desired() - d.current();
      }
    }
    return current - change;
  }

  /**
   * The controller's scale events, replayed from the applied decisions the policy is given
   * (oldest first): of each change, the part this HPA asked for (its output mark). A change
   * without one counts whole: from a journal older than the mark, or one no chain decided (an
   * apply whose outcome was unknown, counted when a later tick saw it land, carries no marks so
   * that its recommendations stay dated at its ask; a pin applied while the metrics were
   * missing). The controller keeps
   * scale-ups and scale-downs in two lists ({@code storeScaleEvent}): before it stores an event
   * it marks those of its direction older than that direction's longest policy period as
   * outdated ({@code markScaleEventsOutdated}), and the new event replaces the last outdated
   * one, or is appended when none is. An event replaced no longer counts, also not toward the
   * other direction's longer periods; one not replaced counts wherever it is within the period
   * ({@code getReplicasChangePerPeriod}).
   *
   * <p>The replay starts from the oldest remembered decision (at least {@link #memory()} back).
   * It differs from the controller only when events of one direction from before that were still
   * unreplaced and outdated: which one a later event replaced then depends on their places in the
   * controller's list, which the remembered decisions cannot tell. The controller too forgets its
   * events when it restarts.
   */
  static final class ScaleEvents {
    private static final class Event {
      Instant time;
      long change;
      boolean outdated;

      Event(Instant time, long change) {
        this.time = time;
        this.change = change;
      }
    }

    private final List<Event> up = new ArrayList<>();
    private final List<Event> down = new ArrayList<>();

    static ScaleEvents replay(List<PastDecision> recent, String outputMark, Duration longestUp,
        Duration longestDown) {
      ScaleEvents e = new ScaleEvents();
      for (int i = 0; i < recent.size(); i++) {
        PastDecision d = recent.get(i);
        if (!d.applied() || d.desired() == d.current()) {
          continue;
        }
        long change = (long) d.desired() - d.current();
        Integer output = d.marks().get(outputMark);
        if (output != null) {
          // Only the part this HPA asked for: none of a plan above its output or of a move
          // against it, the applied part of its own move that a later step cut short.
          long asked = (long) output - d.current();
          change = Long.signum(change) != Long.signum(asked) ? 0
              : change > 0 ? Math.min(change, asked) : Math.max(change, asked);
        }
        if (change > 0) {
          store(e.up, longestUp, d.time(), change);
        } else if (change < 0) {
          store(e.down, longestDown, d.time(), -change);
        }
      }
      return e;
    }

    private static void store(List<Event> events, Duration longest, Instant at, long change) {
      Instant cutoff = at.minus(longest);
      int outdated = -1;
      for (int i = 0; i < events.size(); i++) {
        Event ev = events.get(i);
        if (ev.time.isBefore(cutoff)) {
          ev.outdated = true;
        }
        if (ev.outdated) {
          outdated = i;
        }
      }
      if (outdated >= 0) {
        events.set(outdated, new Event(at, change));
      } else {
        events.add(new Event(at, change));
      }
    }

    /** {@code current − replicas added + replicas deleted} within {@code period} before now. */
    long periodStart(Instant now, int current, Duration period) {
      Instant cutoff = now.minus(period);
      return current - within(up, cutoff) + within(down, cutoff);
    }

    private static long within(List<Event> events, Instant cutoff) {
      long sum = 0;
      for (int i = 0; i < events.size(); i++) {
        if (events.get(i).time.isAfter(cutoff)) {
          sum += events.get(i).change;
        }
      }
      return sum;
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "HpaPolicy{tolerance up %s down %s, %s}", calculator.tolerances().up(),
        calculator.tolerances().down(), behavior ? "scaleUp: " + scaleUp + "; scaleDown: "
            + scaleDown : "no behavior");
  }

  /** Builds an {@link HpaPolicy}; defaults are Kubernetes'. Last write wins. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private String mark = DEFAULT_MARK;
    private double toleranceUp = Tolerances.DEFAULT_TOLERANCE;
    private double toleranceDown = Tolerances.DEFAULT_TOLERANCE;
    private ScalingRules scaleUp = ScalingRules.DEFAULT_UP;
    private ScalingRules scaleDown = ScalingRules.DEFAULT_DOWN;
    private Duration scaleUpWindow; // set by scaleUpStabilization, checked by build()
    private Duration scaleDownWindow;
    private boolean behavior;
    private Duration cpuInitializationPeriod =
        HpaReplicaCalculator.DEFAULT_CPU_INITIALIZATION_PERIOD;
    private Duration initialReadinessDelay = HpaReplicaCalculator.DEFAULT_INITIAL_READINESS_DELAY;

    private Builder() {}

    Builder copy() {
      Builder b = new Builder();
      b.name = name;
      b.mark = mark;
      b.toleranceUp = toleranceUp;
      b.toleranceDown = toleranceDown;
      b.scaleUp = scaleUp;
      b.scaleDown = scaleDown;
      b.scaleUpWindow = scaleUpWindow;
      b.scaleDownWindow = scaleDownWindow;
      b.behavior = behavior;
      b.cpuInitializationPeriod = cpuInitializationPeriod;
      b.initialReadinessDelay = initialReadinessDelay;
      return b;
    }

    /** The step name in reasons; default {@code hpa}. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The mark key of the raw recommendation; default {@code hpa.recommendation}. */
    public Builder mark(String mark) {
      this.mark = Objects.requireNonNull(mark, "mark");
      return this;
    }

    /** Both tolerances; default 0.1. */
    public Builder tolerance(double tolerance) {
      this.toleranceUp = tolerance;
      this.toleranceDown = tolerance;
      return this;
    }

    /** The tolerance above ratio 1, finite and &ge; 0; default 0.1. */
    public Builder toleranceUp(double tolerance) {
      this.toleranceUp = tolerance;
      return this;
    }

    /** The tolerance below ratio 1, finite and &ge; 0; default 0.1. */
    public Builder toleranceDown(double tolerance) {
      this.toleranceDown = tolerance;
      return this;
    }

    /**
     * A {@code spec.behavior} with Kubernetes' default rules (as {@code behavior: {}} gives):
     * the controller then takes its behavior path. Setting any rules does the same.
     */
    public Builder defaultBehavior() {
      this.behavior = true;
      return this;
    }

    /**
     * The scale-up rules of the {@code spec.behavior}; default {@link ScalingRules#DEFAULT_UP}.
     * The rules carry their own stabilization window, as the Kubernetes object does, so they
     * replace a window set earlier by {@link #scaleUpStabilization}: the last call wins. {@code
     * scaleUpStabilization(120 s).scaleUp(rules)} has the rules' window, {@code
     * scaleUp(rules).scaleUpStabilization(120 s)} has 120 s.
     */
    public Builder scaleUp(ScalingRules rules) {
      this.scaleUp = Objects.requireNonNull(rules, "scaleUp");
      this.scaleUpWindow = null;
      this.behavior = true;
      return this;
    }

    /**
     * The scale-down rules of the {@code spec.behavior}; default {@link
     * ScalingRules#DEFAULT_DOWN}. The rules carry their own stabilization window, as the
     * Kubernetes object does, so they replace a window set earlier by {@link
     * #scaleDownStabilization}: the last call wins. {@code
     * scaleDownStabilization(60 s).scaleDown(rules)} has the rules' window, {@code
     * scaleDown(rules).scaleDownStabilization(60 s)} has 60 s.
     */
    public Builder scaleDown(ScalingRules rules) {
      this.scaleDown = Objects.requireNonNull(rules, "scaleDown");
      this.scaleDownWindow = null;
      this.behavior = true;
      return this;
    }

    /**
     * The scale-up stabilization window of the behavior, in [0, 1 h] (checked by {@link
     * #build()}); default 0 s. It sets the window of the scale-up rules, those given to {@link
     * #scaleUp} too; a later {@code scaleUp(rules)} replaces it with the rules' own window: the
     * last call wins.
     */
    public Builder scaleUpStabilization(Duration window) {
      this.scaleUpWindow = Objects.requireNonNull(window, "scaleUpStabilization");
      this.behavior = true;
      return this;
    }

    /**
     * The scale-down stabilization window of the behavior, in [0, 1 h] (checked by {@link
     * #build()}); default 300 s. It sets the window of the scale-down rules, those given to
     * {@link #scaleDown} too; a later {@code scaleDown(rules)} replaces it with the rules' own
     * window: the last call wins.
     */
    public Builder scaleDownStabilization(Duration window) {
      this.scaleDownWindow = Objects.requireNonNull(window, "scaleDownStabilization");
      this.behavior = true;
      return this;
    }

    /**
     * How long after start a pod's CPU samples may be ignored, in [0, 1 h] (checked by {@link
     * #build()}); default 5 minutes. On the engine's path, which has counts rather than pods,
     * only whether it is 0 matters: when it is not, the pods the source counts as warming ({@link
     * ReplicaStatus#warming}) are unready for a {@code cpu} metric (their samples are left out,
     * and count as 0 on a scale-up); at 0 their samples count as the others'. The source's own
     * period decides which pods are warming. The length matters for the pod lists given to
     * {@link HpaPolicy#calculator()}.
     */
    public Builder cpuInitializationPeriod(Duration period) {
      this.cpuInitializationPeriod = Objects.requireNonNull(period, "cpuInitializationPeriod");
      return this;
    }

    /**
     * How long after start a not-ready pod counts as starting, in [0, 1 h] (checked by {@link
     * #build()}); default 30 s. It changes nothing on the engine's path: the counts hold no
     * running pod that is not ready (a pending pod is unready whatever the delay, a warming one
     * is ready). It applies to the pod lists given to {@link HpaPolicy#calculator()}.
     */
    public Builder initialReadinessDelay(Duration delay) {
      this.initialReadinessDelay = Objects.requireNonNull(delay, "initialReadinessDelay");
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws InvalidConfigurationException listing every invalid setting
     */
    public HpaPolicy build() {
      List<String> problems = new ArrayList<>();
      for (String p : new String[] {Tolerances.problem("toleranceUp", toleranceUp),
          Tolerances.problem("toleranceDown", toleranceDown),
          windowProblem("scaleUpStabilization", scaleUpWindow),
          windowProblem("scaleDownStabilization", scaleDownWindow)}) {
        if (p != null) {
          problems.add(p);
        }
      }
      for (String p : new String[] {
          HpaReplicaCalculator.startupSettingProblem("cpuInitializationPeriod",
              cpuInitializationPeriod),
          HpaReplicaCalculator.startupSettingProblem("initialReadinessDelay",
              initialReadinessDelay)}) {
        if (p != null) {
          problems.add(p);
        }
      }
      if (name.isBlank()) {
        problems.add("name must not be blank, but was \"" + name + "\"");
      }
      if (mark.isBlank()) {
        problems.add("mark must not be blank, but was \"" + mark + "\"");
      }
      if (!problems.isEmpty()) {
        throw new InvalidConfigurationException("HpaPolicy", problems);
      }
      Builder b = copy();
      if (scaleUpWindow != null) {
        b.scaleUp = scaleUp.withStabilizationWindow(scaleUpWindow);
        b.scaleUpWindow = null;
      }
      if (scaleDownWindow != null) {
        b.scaleDown = scaleDown.withStabilizationWindow(scaleDownWindow);
        b.scaleDownWindow = null;
      }
      return new HpaPolicy(b);
    }

    private static String windowProblem(String field, Duration window) {
      return window == null || (!window.isNegative()
          && window.compareTo(ScalingRules.MAX_STABILIZATION_WINDOW) <= 0) ? null
          : field + " must be in [0, 1h], but was " + window;
    }
  }
}
