package dev.prescaler.testkit;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.PastDecision;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.StepLimits;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Seeded generators of Prescaler values: demand series, workload specs, replica counts, forecasts,
 * decision contexts and proposals. Each is a plain function of a {@link Random}, so any
 * property-testing engine (QuickTheories, jqwik, JUnit's own loops) can drive it, and the same
 * seed always gives the same value.
 *
 * <p>Everything generated is valid: it passes the value types' own validation, and a generated
 * {@link DecisionContext} is one the engine could have built and handed to its policy chain (every
 * metric of the spec has a finite, non-negative reading; at least one replica is ready when a
 * metric is a utilization; the current count is at least 1 when {@code minReplicas} is), so a
 * policy may rely on what the engine promises it.
 */
public final class Generators {
  /** The instant generated times are based on: 2026-01-01T00:00:00Z. */
  public static final Instant BASE_TIME = Instant.parse("2026-01-01T00:00:00Z");

  private static final Duration[] HISTORY_STEPS = {
    Duration.ofSeconds(15), Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofHours(1)
  };
  private static final Duration DAY = Duration.ofDays(1);

  private Generators() {}

  // ---------------------------------------------------------------------------------------------
  // Demand.

  /**
   * A demand series of random shape, step (15 s, 1 min, 5 min or 1 h), length (1 to 2,000 steps)
   * and gap rate (none, 2 % or 20 % of the steps missing), starting at a step-aligned instant in
   * 2026. Values are finite and non-negative, or NaN for gaps; at least one value is present.
   */
  public static MetricSeries demandSeries(Random random) {
    Duration step = HISTORY_STEPS[random.nextInt(HISTORY_STEPS.length)];
    int steps = 1 + random.nextInt(random.nextBoolean() ? 200 : 2000);
    double[] gapRates = {0, 0.02, 0.2};
    return demandSeries(random, alignedTime(random, step), step, steps,
        gapRates[random.nextInt(gapRates.length)]);
  }

  /**
   * A demand series on the given grid with 5 % of its steps missing.
   *
   * @see #demandSeries(Random, Instant, Duration, int, double)
   */
  public static MetricSeries demandSeries(Random random, Instant start, Duration step,
      int steps) {
    return demandSeries(random, start, step, steps, 0.05);
  }

  /**
   * A demand series on the given grid: a base level (0.5 to 5,000 units), daily seasonality (up to
   * 80 % of the base), a linear trend (−20 % to +30 % of the base per day), Gaussian noise (up to
   * 15 % of the base), bursts (a few, 1 to 30 steps long, 0.5 to 3 × the base high), sometimes a
   * stretch of zeros (an idle service) and missing steps (NaN). Values are finite and
   * non-negative, or NaN; when {@code steps > 0} at least one value is present.
   *
   * @param random the source of randomness
   * @param start start of the first step
   * @param step grid step, &gt; 0
   * @param steps number of steps, &ge; 0
   * @param gapProbability probability that a step is missing, in [0, 1)
   * @throws IllegalArgumentException when an argument is out of range
   */
  public static MetricSeries demandSeries(Random random, Instant start, Duration step, int steps,
      double gapProbability) {
    return MetricSeries.of(start, step, demandValues(random, start, step, steps, gapProbability));
  }

  /**
   * The values of {@link #demandSeries(Random, Instant, Duration, int, double)}, as an array.
   *
   * @throws IllegalArgumentException when an argument is out of range
   */
  public static double[] demandValues(Random random, Instant start, Duration step, int steps,
      double gapProbability) {
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(step, "step");
    if (step.isZero() || step.isNegative()) {
      throw new IllegalArgumentException("step must be > 0, but was " + step);
    }
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, but was " + steps);
    }
    if (!(gapProbability >= 0 && gapProbability < 1)) {
      throw new IllegalArgumentException(
          "gapProbability must be in [0, 1), but was " + gapProbability);
    }
    double base = Math.exp(Math.log(0.5) + random.nextDouble() * Math.log(10_000));
    double amplitude = random.nextDouble() * 0.8 * base;
    double phase = random.nextDouble() * 2 * Math.PI;
    double trendPerDay = (random.nextDouble() * 0.5 - 0.2) * base;
    double noise = random.nextDouble() * 0.15 * base;
    double stepsPerDay = (double) DAY.toMillis() / step.toMillis();
    double dayOffset = (start.toEpochMilli() % DAY.toMillis()) / (double) DAY.toMillis();
    double[] v = new double[steps];
    for (int i = 0; i < steps; i++) {
      double days = i / stepsPerDay;
      double season = Math.sin(2 * Math.PI * (dayOffset + days) + phase);
      v[i] = base + amplitude * season + trendPerDay * days + noise * random.nextGaussian();
    }
    int bursts = steps == 0 ? 0 : random.nextInt(4);
    for (int b = 0; b < bursts; b++) {
      int at = random.nextInt(steps);
      int length = 1 + random.nextInt(30);
      double height = (0.5 + 2.5 * random.nextDouble()) * base;
      for (int i = at; i < Math.min(steps, at + length); i++) {
        v[i] += height;
      }
    }
    if (steps > 0 && random.nextInt(10) == 0) {
      int at = random.nextInt(steps);
      int length = 1 + random.nextInt(Math.max(1, steps / 4));
      for (int i = at; i < Math.min(steps, at + length); i++) {
        v[i] = 0;
      }
    }
    for (int i = 0; i < steps; i++) {
      v[i] = Math.max(0, v[i]);
      if (random.nextDouble() < gapProbability) {
        v[i] = Double.NaN;
      }
    }
    if (steps > 0 && allMissing(v)) {
      v[random.nextInt(steps)] = Math.max(0, base);
    }
    return v;
  }

  private static boolean allMissing(double[] v) {
    for (double x : v) {
      if (!Double.isNaN(x)) {
        return false;
      }
    }
    return true;
  }

  /** A step-aligned instant in 2026 (the start of a step of {@code step}). */
  public static Instant alignedTime(Random random, Duration step) {
    long stepMillis = step.toMillis();
    long yearMillis = Duration.ofDays(365).toMillis();
    long t = BASE_TIME.toEpochMilli() + (long) (random.nextDouble() * yearMillis);
    return Instant.ofEpochMilli(Math.floorDiv(t, stepMillis) * stepMillis);
  }

  // ---------------------------------------------------------------------------------------------
  // Workloads.

  /** A valid workload reference: a Deployment or StatefulSet in a namespace {@code ns-<n>}. */
  public static WorkloadRef workloadRefs(Random random) {
    String ns = "ns-" + random.nextInt(20);
    String name = "w-" + Integer.toString(random.nextInt(1_000_000), 36);
    return random.nextInt(5) == 0 ? WorkloadRef.statefulSet(ns, name)
        : WorkloadRef.deployment(ns, name);
  }

  /**
   * A valid workload spec in a random mode: min 0 to 5, max up to 60 above it, one to three
   * metrics (utilization or average-value targets), random priority, cost weight, startup delay
   * (5 s to 10 min), risk quantile, forecast horizon (5 min to 2 h) and step limits (the default
   * half of the time).
   */
  public static WorkloadSpec workloadSpecs(Random random) {
    Mode[] modes = Mode.values();
    return workloadSpecs(random, modes[random.nextInt(modes.length)]);
  }

  /** A valid workload spec (see {@link #workloadSpecs(Random)}) in the given mode. */
  public static WorkloadSpec workloadSpecs(Random random, Mode mode) {
    Objects.requireNonNull(mode, "mode");
    int min = random.nextInt(6);
    int max = Math.max(1, min) + random.nextInt(random.nextBoolean() ? 10 : 60);
    WorkloadSpec.Builder b = WorkloadSpec.builder(workloadRefs(random))
        .minReplicas(min)
        .maxReplicas(max)
        .mode(mode)
        .priority(random.nextInt(11) - 5)
        .costWeight(0.1 + 10 * random.nextDouble())
        .startupDelay(Duration.ofSeconds(5 + random.nextInt(596)))
        .riskQuantile(0.5 + 0.499 * random.nextDouble())
        .forecastHorizon(Duration.ofMinutes(5 + random.nextInt(116)))
        .stepLimits(stepLimits(random));
    for (MetricTarget m : metricTargets(random)) {
      b.metric(m);
    }
    return b.build();
  }

  /** Valid step limits: the default half of the time, otherwise random. */
  public static StepLimits stepLimits(Random random) {
    if (random.nextBoolean()) {
      return StepLimits.DEFAULT;
    }
    int upPods = random.nextInt(6);
    double upPercent = upPods == 0 ? 10 + random.nextInt(191) : random.nextInt(201);
    return new StepLimits(upPods, upPercent, random.nextInt(4), random.nextInt(101));
  }

  /** One to three metric targets with distinct names. */
  public static List<MetricTarget> metricTargets(Random random) {
    List<MetricTarget> all = new ArrayList<>(List.of(
        MetricTarget.utilization("cpu", 30 + random.nextInt(66)),
        MetricTarget.averageValue("rps", 5 + random.nextInt(500)),
        MetricTarget.utilization("memory", 50 + random.nextInt(46)),
        MetricTarget.averageValue("queue_depth", 1 + 99 * random.nextDouble())));
    int n = 1 + random.nextInt(3);
    List<MetricTarget> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(all.remove(random.nextInt(all.size())));
    }
    return out;
  }

  /**
   * Replica counts for a workload: the current count is inside [min, max] nine times in ten and
   * anywhere in [0, max + 5] otherwise (someone else changed it); ready is in [0, current + 2]
   * (more than current while scaling down); warming is in [0, ready]. Some of these the engine
   * holds on before any policy runs; {@link #decisionContexts(Random, WorkloadSpec)} leaves them
   * out.
   */
  public static ReplicaStatus replicaStatus(Random random, WorkloadSpec spec) {
    int current = random.nextInt(10) != 0
        ? spec.minReplicas() + random.nextInt(spec.maxReplicas() - spec.minReplicas() + 1)
        : random.nextInt(spec.maxReplicas() + 6);
    int ready = random.nextInt(current + 3);
    int warming = random.nextInt(4) == 0 ? random.nextInt(ready + 1) : 0;
    return new ReplicaStatus(current, ready, warming);
  }

  /**
   * Replica counts the engine hands to its policy chain (in any other case it holds the workload
   * before a policy runs): as {@link #replicaStatus}, except that the current count is at least 1
   * when the spec's {@code minReplicas} is (a workload scaled to 0 by hand is held), and at least
   * one replica is ready when one of the spec's metrics is a utilization (a mean over no ready pod
   * is held as unknown).
   */
  private static ReplicaStatus decidedReplicaStatus(Random random, WorkloadSpec spec) {
    int lowest = spec.minReplicas() > 0 ? 1 : 0;
    int current = random.nextInt(10) != 0
        ? spec.minReplicas() + random.nextInt(spec.maxReplicas() - spec.minReplicas() + 1)
        : lowest + random.nextInt(spec.maxReplicas() + 6 - lowest);
    boolean utilization = false;
    for (MetricTarget m : spec.metrics()) {
      utilization |= m.type() == MetricTarget.Type.UTILIZATION;
    }
    int fewestReady = utilization ? 1 : 0;
    int ready = fewestReady + random.nextInt(current + 3 - fewestReady);
    int warming = random.nextInt(4) == 0 ? random.nextInt(ready + 1) : 0;
    return new ReplicaStatus(current, ready, warming);
  }

  /**
   * A plausible raw reading of a metric: utilization 0 to 300 %, average-value metrics 0 to 3 ×
   * the target × max replicas; zero one time in ten.
   */
  public static double reading(Random random, MetricTarget metric, WorkloadSpec spec) {
    if (random.nextInt(10) == 0) {
      return 0;
    }
    return metric.type() == MetricTarget.Type.UTILIZATION
        ? 300 * random.nextDouble()
        : 3 * metric.target() * spec.maxReplicas() * random.nextDouble();
  }

  // ---------------------------------------------------------------------------------------------
  // Forecasts.

  /**
   * A valid forecast of a load: 1 to 240 steps of 1 minute (or 15 s, 5 min), non-negative point
   * values, an interval that widens with the horizon, a level in [0, 0.99].
   */
  public static Forecast forecasts(Random random) {
    Duration step = HISTORY_STEPS[random.nextInt(HISTORY_STEPS.length - 1)];
    return forecasts(random, alignedTime(random, step), step, 1 + random.nextInt(240));
  }

  /**
   * A valid forecast on the given grid: the point follows a demand path (see {@link
   * #demandValues}) without gaps; the interval is {@code [max(0, point − w), point + w']} with
   * widths growing as the square root of the step index; the level is in [0, 0.99]. All values are
   * finite and non-negative.
   *
   * @param steps number of steps, &ge; 1
   * @throws IllegalArgumentException when {@code steps < 1}
   */
  public static Forecast forecasts(Random random, Instant start, Duration step, int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, but was " + steps);
    }
    double[] point = demandValues(random, start, step, steps, 0);
    double[] lower = new double[steps];
    double[] upper = new double[steps];
    double scale = 0;
    for (double p : point) {
      scale = Math.max(scale, p);
    }
    double width = random.nextDouble() * 0.3 * Math.max(scale, 1e-6);
    double skew = 0.5 + random.nextDouble();
    for (int i = 0; i < steps; i++) {
      double w = width * Math.sqrt(i + 1);
      lower[i] = Math.max(0, point[i] - w);
      upper[i] = point[i] + w * skew;
    }
    return new Forecast("generated", start, step, point, lower, upper,
        0.99 * random.nextDouble());
  }

  // ---------------------------------------------------------------------------------------------
  // Decision contexts and proposals.

  /** A valid decision context for a random workload spec (see {@link #decisionContexts(Random,
   * WorkloadSpec)}). */
  public static DecisionContext decisionContexts(Random random) {
    return decisionContexts(random, workloadSpecs(random));
  }

  /**
   * A valid decision context for {@code spec}, as the engine would build it and hand it to its
   * policy chain: replica counts as {@link #replicaStatus} gives them, except the two the engine
   * holds on before any policy runs (current 0 with {@code minReplicas > 0}; no ready replica
   * with a utilization metric); a readable value for every metric; a load history for every
   * metric, as the engine always gives one (empty one time in five, else 0 to 1,440 steps of
   * 15 s or 1 min, ending at or before now, with gaps); a forecast starting at the history's end
   * and covering the spec's horizon for four in five of the histories with a step, which is
   * about 64 % of the metrics (4/5 of the 4/5 not left empty); up to 20 recent decisions (one
   * per 15 s before now, some with marks); optional last scale-up and scale-down times; a
   * measured startup delay half of the time; a metrics delay of 0 to 2 min and a sync period of
   * 15, 30 or 60 s.
   */
  public static DecisionContext decisionContexts(Random random, WorkloadSpec spec) {
    Objects.requireNonNull(spec, "spec");
    Duration sync = Duration.ofSeconds(new int[] {15, 30, 60}[random.nextInt(3)]);
    Instant now = alignedTime(random, Duration.ofSeconds(15));
    ReplicaStatus replicas = decidedReplicaStatus(random, spec);
    Duration metricsDelay = Duration.ofSeconds(random.nextInt(121));
    DecisionContext.Builder b = DecisionContext.builder(spec, now, replicas)
        .syncPeriod(sync)
        .metricsDelay(metricsDelay)
        .sampleTime(now.minus(Duration.ofSeconds(random.nextInt(
            (int) metricsDelay.toSeconds() + 1))));
    Duration historyStep = random.nextBoolean() ? Duration.ofSeconds(60) : Duration.ofSeconds(15);
    long stepMillis = historyStep.toMillis();
    Instant historyEnd = Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), stepMillis)
        * stepMillis).minus(historyStep.multipliedBy(random.nextInt(3)));
    for (MetricTarget m : spec.metrics()) {
      double value = reading(random, m, spec);
      b.reading(m.name(), value);
      if (random.nextInt(5) == 0) {
        // The engine always hands a history, empty before its first step closes (and without a
        // backfill): so does this, one time in five (with no draws, as before it was left out).
        b.history(m.name(), MetricSeries.of(historyEnd, historyStep));
      } else {
        int steps = random.nextInt(1441);
        double[] gapRates = {0, 0.05};
        MetricSeries h = demandSeries(random, historyEnd.minus(historyStep.multipliedBy(steps)),
            historyStep, steps, gapRates[random.nextInt(2)]);
        b.history(m.name(), h);
        if (steps > 0 && random.nextInt(5) != 0) {
          b.forecast(m.name(), forecasts(random, h.end(), historyStep,
              Forecaster.steps(spec.forecastHorizon(), historyStep)));
        }
      }
    }
    int past = random.nextInt(21);
    int count = replicas.current();
    List<PastDecision> decisions = new ArrayList<>();
    for (int i = past; i >= 1; i--) {
      Instant t = now.minus(Duration.ofSeconds(15L * i));
      int desired = spec.clamp(count + random.nextInt(5) - 2);
      boolean applied = desired != count && spec.mode() == Mode.ACT && random.nextBoolean();
      Map<String, Integer> marks = new LinkedHashMap<>();
      if (random.nextBoolean()) {
        marks.put("raw", Math.max(0, desired + random.nextInt(3) - 1));
      }
      decisions.add(new PastDecision(t, count, desired, applied, marks));
      if (applied) {
        count = desired;
      }
    }
    decisions.forEach(b::past);
    if (random.nextBoolean()) {
      b.lastScaleUp(now.minus(Duration.ofSeconds(1 + random.nextInt(7200))));
    }
    if (random.nextBoolean()) {
      b.lastScaleDown(now.minus(Duration.ofSeconds(1 + random.nextInt(7200))));
    }
    if (random.nextBoolean()) {
      b.measuredStartupDelay(Duration.ofSeconds(1 + random.nextInt(600)));
    }
    return b.build();
  }

  /**
   * A proposal as an earlier step of a chain might hand it on: the current count half of the
   * time (with no reasons, as the engine starts the chain), otherwise a count in [0, 2 × max]
   * with one or two reasons and sometimes a mark.
   */
  public static Proposal proposals(Random random, DecisionContext context) {
    int current = context.replicas().current();
    Proposal p = Proposal.keep(current);
    if (random.nextBoolean()) {
      return p;
    }
    int to = random.nextInt(2 * context.spec().maxReplicas() + 1);
    p = p.to("earlier-step", to, "generated by Generators.proposals");
    if (random.nextBoolean()) {
      p = p.note("earlier-note", "generated note").mark("earlier", to);
    }
    return p;
  }
}
