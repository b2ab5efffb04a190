package dev.prescaler.reliability;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.PastDecision;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.StepLimits;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.testkit.Generators;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * A simulated day of demand for two workloads (one acting, one steering an HPA floor), a policy
 * chain that depends on past decisions, and the means to run an engine over any range of its
 * ticks, so that a restarted engine can be compared with an uninterrupted one.
 *
 * <p>The chain: capacity (the larger of the current load and the forecast's upper bound over the
 * next 10 minutes, divided by the per-replica target; recorded as the mark {@code raw}) → a
 * 5-minute scale-down stabilization window over the {@code raw} marks of past decisions → a
 * cooldown (no scale-up within 3 minutes of the last one; no scale-down within 5 minutes of any
 * scale). The forecaster is a deterministic function of the history (mean and extremes of its
 * last hour), so backfilled history matters.
 */
final class RestartScenario {
  static final Duration STEP = Duration.ofSeconds(60);
  static final Duration DELAY = Duration.ofSeconds(60);
  static final WorkloadRef API = WorkloadRef.deployment("shop", "api");
  static final WorkloadRef GATEWAY = WorkloadRef.deployment("edge", "gateway");

  final Instant seriesStart;
  final Instant firstTick;
  final int ticks;
  final Map<WorkloadRef, MetricSeries> series = new LinkedHashMap<>();
  final List<WorkloadSpec> specs = new ArrayList<>();
  final Set<Instant> blind;

  /**
   * A scenario from a seed: a day of history before the first tick, then {@code ticks} ticks of
   * one minute. The API's replica count is unknown at two ticks just before {@code blindAt}.
   */
  RestartScenario(long seed, int ticks, int blindAt) {
    Random random = new Random(seed);
    this.ticks = ticks;
    this.seriesStart = Generators.alignedTime(random, Duration.ofHours(1));
    this.firstTick = seriesStart.plus(Duration.ofDays(1));
    int steps = 24 * 60 + ticks + 2;
    for (WorkloadRef w : List.of(API, GATEWAY)) {
      double[] v = Generators.demandValues(random, seriesStart, STEP, steps, 0);
      double peak = Arrays.stream(v).max().orElse(1);
      double perReplica = Math.max(1e-3, peak / 25);
      series.put(w, MetricSeries.of(seriesStart, STEP, v));
      specs.add(WorkloadSpec.builder(w)
          .minReplicas(1)
          .maxReplicas(30)
          .mode(w.equals(API) ? Mode.ACT : Mode.HPA_FLOOR)
          .stepLimits(w.equals(API) ? StepLimits.DEFAULT : new StepLimits(2, 50, 1, 20))
          .metric(MetricTarget.averageValue(ScriptedSource.METRIC, perReplica))
          .build());
    }
    this.blind = Set.of(tickTime(blindAt - 3), tickTime(blindAt - 2));
  }

  Instant tickTime(int i) {
    return firstTick.plus(STEP.multipliedBy(i));
  }

  /** One running engine and what it works on. */
  final class Run implements AutoCloseable {
    final ManualClock clock;
    final SimCluster cluster;
    final ScriptedExecutor executor;
    final AutoscalerEngine engine;
    /** What each tick's policy saw, per workload, in tick order. */
    final List<String> seen = new ArrayList<>();

    Run(SimCluster cluster, DecisionJournal journal, Instant at) {
      this.clock = new ManualClock(at);
      this.cluster = cluster;
      this.executor = new ScriptedExecutor(cluster);
      AutoscalerEngine.Builder b = AutoscalerEngine.builder()
          .clock(clock)
          .syncPeriod(STEP)
          .historyStep(STEP)
          .historyLength(Duration.ofDays(1))
          .metricsDelay(DELAY)
          .metricSource(new TraceSource(series, cluster, DELAY, blind))
          .forecaster(new HourForecaster())
          .policy(DecisionPolicy.chain(new Capacity(), new Probe(seen),
              new Stabilization(), new Cooldown()))
          .executor(executor)
          .journal(journal);
      specs.forEach(b::workload);
      this.engine = b.build();
    }

    /** Runs ticks {@code from} (inclusive) to {@code to} (exclusive). */
    void ticks(int from, int to) {
      for (int i = from; i < to; i++) {
        clock.set(tickTime(i));
        engine.tick();
      }
    }

    @Override
    public void close() {
      engine.close();
    }
  }

  /** A cluster with both workloads at 2 replicas. */
  SimCluster newCluster() {
    SimCluster c = new SimCluster();
    specs.forEach(s -> c.set(s.workload(), 2));
    return c;
  }

  /** The same record without its follow-up (follow-ups pending at a restart are not kept). */
  static DecisionRecord withoutFollowUp(DecisionRecord r) {
    return new DecisionRecord(r.sequence(), r.time(), r.workload(), r.mode(), r.kind(),
        r.current(), r.ready(), r.metrics(), r.unavailable(), r.loads(), r.forecasts(),
        r.proposed(), r.desired(), r.reasons(), r.marks(), r.action(), r.actionMessage(),
        Optional.empty(), r.timing());
  }

  // ---------------------------------------------------------------------------------------------

  /** Mean, min and max of the last hour of present values, flat over the horizon. */
  static final class HourForecaster implements Forecaster {
    @Override
    public Forecast forecast(MetricSeries history, Duration horizon, double level) {
      double sum = 0;
      double lo = Double.POSITIVE_INFINITY;
      double hi = 0;
      int n = 0;
      for (int i = Math.max(0, history.size() - 60); i < history.size(); i++) {
        double v = history.value(i);
        if (!Double.isNaN(v)) {
          sum += v;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
          n++;
        }
      }
      if (n == 0) {
        throw new IllegalArgumentException("history must hold a value, but had none");
      }
      int steps = Forecaster.steps(horizon, history.step());
      double[] point = new double[steps];
      double[] lower = new double[steps];
      double[] upper = new double[steps];
      Arrays.fill(point, sum / n);
      Arrays.fill(lower, lo);
      Arrays.fill(upper, hi);
      return new Forecast("hour", history.end(), history.step(), point, lower, upper, level);
    }
  }

  /** Plans for the larger of the load now and the forecast's upper bound over 10 minutes. */
  static final class Capacity implements DecisionPolicy {
    @Override
    public Proposal apply(DecisionContext ctx, Proposal p) {
      double load = ctx.load(ScriptedSource.METRIC);
      Optional<Forecast> f = ctx.forecast(ScriptedSource.METRIC);
      if (f.isPresent()) {
        load = Math.max(load, f.get().maxUpper(ctx.now(), ctx.now().plus(Duration.ofMinutes(10))));
      }
      double target = ctx.spec().metric(ScriptedSource.METRIC).orElseThrow().perReplicaTarget();
      int raw = (int) Math.ceil(load / target);
      return p.to("capacity", raw, "load " + load + " / " + target).mark("raw", raw);
    }
  }

  /** Scale-down stabilization: the highest raw recommendation of the last 5 minutes. */
  static final class Stabilization implements DecisionPolicy {
    static final Duration WINDOW = Duration.ofMinutes(5);

    @Override
    public Proposal apply(DecisionContext ctx, Proposal p) {
      int current = ctx.replicas().current();
      if (p.replicas() >= current) {
        return p;
      }
      int max = p.replicas();
      for (Map.Entry<Instant, Integer> e : ctx.marks("raw", WINDOW)) {
        max = Math.max(max, e.getValue());
      }
      int to = Math.min(current, max);
      return to == p.replicas() ? p : p.to("stabilization", to, "highest raw in 5 min " + max);
    }

    @Override
    public Duration memory() {
      return WINDOW;
    }
  }

  /** No scale-up within 3 minutes of the last; no scale-down within 5 minutes of any scale. */
  static final class Cooldown implements DecisionPolicy {
    @Override
    public Proposal apply(DecisionContext ctx, Proposal p) {
      int current = ctx.replicas().current();
      Instant now = ctx.now();
      Optional<Instant> up = ctx.lastScaleUp();
      Optional<Instant> down = ctx.lastScaleDown();
      if (p.replicas() > current && up.isPresent()
          && up.get().isAfter(now.minus(Duration.ofMinutes(3)))) {
        return p.to("cooldown", current, "scaled up at " + up.get());
      }
      boolean recent = up.filter(t -> t.isAfter(now.minus(Duration.ofMinutes(5)))).isPresent()
          || down.filter(t -> t.isAfter(now.minus(Duration.ofMinutes(5)))).isPresent();
      if (p.replicas() < current && recent) {
        return p.to("cooldown", current, "scaled within 5 min");
      }
      return p;
    }
  }

  /**
   * Records what the chain is given that a restart must restore: past decisions, last scale
   * times, the history and the forecast. Changes nothing.
   */
  static final class Probe implements DecisionPolicy {
    private final List<String> seen;

    Probe(List<String> seen) {
      this.seen = seen;
    }

    @Override
    public Proposal apply(DecisionContext ctx, Proposal p) {
      StringBuilder b = new StringBuilder();
      b.append(ctx.workload()).append(" at ").append(ctx.now());
      b.append(" replicas ").append(ctx.replicas());
      b.append(" lastUp ").append(ctx.lastScaleUp()).append(" lastDown ")
          .append(ctx.lastScaleDown());
      for (PastDecision d : ctx.recent()) {
        b.append("\n  past ").append(d);
      }
      MetricSeries h = ctx.histories().get(ScriptedSource.METRIC);
      b.append("\n  history ").append(h.start()).append(" ").append(h.size()).append(" ")
          .append(Arrays.hashCode(h.toArray()));
      ctx.forecast(ScriptedSource.METRIC).ifPresent(f -> b.append("\n  forecast ").append(f)
          .append(" lower ").append(f.lower(0)).append(" upper ").append(f.upper(0)));
      seen.add(b.toString());
      return p;
    }
  }
}
