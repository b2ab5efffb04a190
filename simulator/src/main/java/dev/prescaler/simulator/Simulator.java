package dev.prescaler.simulator;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.forecast.trace.CsvTraceReader;
import dev.prescaler.simulator.cluster.DemandCurve;
import dev.prescaler.simulator.cluster.TraceMetricSource;
import dev.prescaler.simulator.policy.PolicyEnvironment;
import dev.prescaler.simulator.policy.PolicyRegistry;
import dev.prescaler.simulator.policy.PolicyRegistry.Entry;
import dev.prescaler.simulator.policy.PolicySetup;
import dev.prescaler.simulator.score.AtSlo;
import dev.prescaler.simulator.score.RunJournal;
import dev.prescaler.simulator.score.RunJournal.ForecastPoint;
import dev.prescaler.simulator.score.RunStats;
import dev.prescaler.simulator.score.Scorecard;
import dev.prescaler.simulator.trace.Trace;
import dev.prescaler.testkit.InMemoryCluster;
import dev.prescaler.testkit.ManualClock;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Replays one trace through one real {@link AutoscalerEngine} per policy and scores each.
 *
 * <p>The model (the README's "The model"): the trace is resampled onto the sync grid by linear
 * interpolation; each ready replica serves {@code capacity}; the engine sees the demand {@code
 * metricsDelay} late (the references, which know the trace, without delay); a replica asked for is
 * ready {@code startupDelay} later; removals are immediate, pending replicas first; policies aim
 * each replica at {@code targetUtilization × capacity}; a run starts with the replicas the first
 * demand value needs, all ready. At each grid step the cluster first makes ready what finished
 * starting, then the engine ticks, then the step is scored with the replicas after the decision.
 *
 * <p>Each run is single-threaded and deterministic; runs execute in parallel on
 * {@code config.threads()} threads and are reported in a fixed order, so the same input gives the
 * same result. At the end of every run the simulator cross-checks its own counts (ticks,
 * replica-steps, scaling actions) against the engine's journal and runs the record checker over
 * every record; a mismatch throws {@link IllegalStateException}.
 */
public final class Simulator {
  /** The name of the simulated workload's metric. */
  public static final String METRIC = "demand";
  /** The simulated workload. */
  public static final WorkloadRef WORKLOAD = WorkloadRef.deployment("simulation", "workload");
  /** The swept target utilizations, in percent: 40, 45, ..., 95. */
  public static final List<Integer> SWEEP_PERCENTS =
      List.of(40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95);
  /** Wall-clock time between two progress lines: 5 s. */
  public static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  private final PolicyRegistry registry;
  private final SimulationConfig config;
  private final Function<WorkloadSpec, Consumer<DecisionRecord>> checker;

  /**
   * A simulator over {@code registry} with {@code config}.
   *
   * @param registry the policies
   * @param config the settings
   * @param checker makes, per run and from the run's workload spec, a checker given every journal
   *     record (the decision invariants); it throws to reject a record, which fails the run
   * @throws IllegalArgumentException when the config names an unregistered policy
   */
  public Simulator(PolicyRegistry registry, SimulationConfig config,
      Function<WorkloadSpec, Consumer<DecisionRecord>> checker) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.config = Objects.requireNonNull(config, "config");
    this.checker = Objects.requireNonNull(checker, "checker");
    config.policies().forEach(registry::get);
  }

  /** A simulator whose runs check each record with the testkit's decision invariants. */
  public static Simulator of(PolicyRegistry registry, SimulationConfig config) {
    return new Simulator(registry, config, InvariantCheck::new);
  }

  /** The configuration. */
  public SimulationConfig config() {
    return config;
  }

  /**
   * The capacity of one replica for {@code demand}: the configured one, else max(demand) ÷ (0.7 ×
   * peakReplicas).
   *
   * @throws IllegalArgumentException when it must be derived and the demand is zero throughout,
   *     or the derived capacity is below {@link SimulationConfig#MIN_CAPACITY}
   */
  public double capacity(DemandCurve demand) {
    if (config.capacity().isPresent()) {
      return config.capacity().getAsDouble();
    }
    if (!(demand.max() > 0)) {
      throw new IllegalArgumentException("the trace's demand is 0 throughout, so the capacity "
          + "cannot be derived from peakReplicas: give a capacity");
    }
    double capacity = demand.max() / (SimulationConfig.PEAK_UTILIZATION * config.peakReplicas());
    if (!(capacity >= SimulationConfig.MIN_CAPACITY)) {
      throw new IllegalArgumentException("the capacity derived from the trace's peak "
          + demand.max() + " is " + capacity + ", below " + SimulationConfig.MIN_CAPACITY
          + " (the smallest normal double): give the trace in a smaller unit");
    }
    return capacity;
  }

  /**
   * Refuses a capacity too small for the trace's peak for a double: the engines see the demand in
   * the unit of {@link #metricUnit}, where one replica's capacity is at least 1, and a peak of
   * 2e10 with a capacity of 3e-308 is Infinity there (every reading refused, every run failing
   * its self-check); the scorecard sums the demand in capacities over every step ({@code
   * RunStats}), which must stay finite too.
   *
   * @throws IllegalArgumentException when either is not finite
   */
  private static void fits(Trace trace, DemandCurve curve, double capacity) {
    double peak = trace.max();
    double seen = peak * metricUnit(capacity);
    double summed = peak / capacity * Math.max(10, curve.size());
    if (!Double.isFinite(seen) || !Double.isFinite(summed)) {
      throw new IllegalArgumentException("the capacity " + capacity + " is too small for the "
          + "trace's peak " + peak + ": the peak in the engines' unit, or the demand in "
          + "capacities summed over the " + curve.size() + " steps, overflows a double (give a "
          + "larger capacity, or the trace in a smaller unit)");
    }
  }

  /**
   * Refuses a capacity and a target utilization whose replica need at the peak the simulator
   * cannot hold: {@code peak ÷ (capacity × target)}, rounded up as the policies round it ({@link
   * PolicyEnvironment#need}), must be at most {@link SimulationConfig#MAX_REPLICAS} at the lowest
   * target any run uses, the one that needs the most (the main target, the sweep's lowest, 0.40,
   * when it sweeps, or a policy's fixed target); and when no maxReplicas is given, ten times the
   * need at the runs' own targets (the sweep's aside), the derived maxReplicas, too. A sweep run
   * whose ten times is beyond the limit runs with the limit as its maxReplicas, still above its
   * need. A target of 1e-308 made the need Infinity, which the static peak and the oracle read as
   * 0 replicas (so 1), and a capacity of 1e-300 a derived maxReplicas silently cut to the limit:
   * every policy short throughout, and a scorecard that looked like one.
   *
   * @throws IllegalArgumentException naming the capacity, the target and the options that set
   *     them, the peak and the need
   */
  private void replicasFit(DemandCurve curve, double capacity) {
    needAtMost(curve, capacity, true, SimulationConfig.MAX_REPLICAS);
    if (config.maxReplicas().isEmpty()) {
      needAtMost(curve, capacity, false, SimulationConfig.MAX_REPLICAS / 10);
    }
  }

  /**
   * Refuses a need at the peak above {@code most} at the lowest target of the runs (of the
   * sweep's too when {@code sweep}), naming them.
   */
  private void needAtMost(DemandCurve curve, double capacity, boolean sweep, int most) {
    double target = Double.POSITIVE_INFINITY;
    String which = "";
    for (String name : config.policies().isEmpty() ? registry.names() : config.policies()) {
      Entry e = registry.get(name);
      double t = e.fixedTarget().orElse(config.targetUtilization());
      if (t < target) {
        target = t;
        which = e.fixedTarget().isPresent() ? name + "'s target utilization " + t
            : "the target utilization " + t + " (--target-utilization)";
      }
      double lowest = SWEEP_PERCENTS.get(0) / 100.0;
      if (sweep && config.sweep() && e.fixedTarget().isEmpty() && lowest < target) {
        target = lowest;
        which = "the sweep's lowest target utilization, " + lowest + " (--no-sweep skips the "
            + "sweep)";
      }
    }
    double peak = curve.max();
    double need = PolicyEnvironment.replicasNeeded(peak, target * capacity);
    if (need <= most) {
      return;
    }
    int limit = SimulationConfig.MAX_REPLICAS;
    String what = "the capacity " + capacity + (config.capacity().isPresent() ? " (--capacity)"
        : " (derived from --peak-replicas " + config.peakReplicas() + ")");
    String why;
    if (!Double.isFinite(need)) {
      why = "the replicas it needs, peak ÷ (capacity × target), overflow a double";
    } else {
      // Counted where a long holds it; beyond, the quotient, which the slack would blur.
      why = "it needs " + (need < 1e18 ? String.format(Locale.ROOT, "%,d", (long) need)
          : String.valueOf(peak / (target * capacity))) + " replicas (peak ÷ (capacity × target))";
    }
    if (need <= limit) {
      why += String.format(Locale.ROOT, ", and the maxReplicas derived from that without "
          + "--max-replicas, 10 × it, would be %,d, more than the simulator's limit of %,d (give "
          + "--max-replicas, or a larger capacity or target utilization)", 10 * (long) need,
          limit);
    } else {
      why += String.format(Locale.ROOT, ", more than the simulator's limit of %,d (give a "
          + "larger capacity or target utilization)", limit);
    }
    throw new IllegalArgumentException(what + " at " + which + " is too small for the trace's "
        + "peak " + peak + ": " + why);
  }

  /**
   * Refuses a metrics delay as long as the trace's span on the sync grid, or longer, when a
   * selected policy sees the demand that late ({@link PolicySetup#seesDemandLate}): at step i its
   * engine sees the demand of step i less the delay, so at best the first sample at the last
   * step. It would hold its first count throughout, and its scores would measure nothing, as
   * with a trace shorter than one sync period. The references, which see the demand without
   * delay, are still run. Each policy's setup is made here as its runs make it; a factory that
   * throws is left to its run, which reports the failure.
   *
   * @throws IllegalArgumentException naming the delay, the span and the policies concerned
   */
  private void seenInTime(DemandCurve curve, double capacity) {
    Duration span = config.syncPeriod().multipliedBy(curve.size() - 1);
    if (config.metricsDelay().compareTo(span) < 0) {
      return;
    }
    List<String> late = new ArrayList<>();
    for (String name : config.policies().isEmpty() ? registry.names() : config.policies()) {
      Entry e = registry.get(name);
      PolicyEnvironment env = new PolicyEnvironment(curve, capacity,
          e.fixedTarget().orElse(config.targetUtilization()), config.startupDelay(),
          config.metricsDelay(), config.hpa(), config.forecaster());
      try {
        if (e.factory().create(env).seesDemandLate()) {
          late.add(name);
        }
      } catch (RuntimeException failed) {
        // reported by the policy's run, as a failure of the run, not as bad input
      }
    }
    if (!late.isEmpty()) {
      String who = late.size() == 1 ? late.get(0) : String.join(", ",
          late.subList(0, late.size() - 1)) + " and " + late.get(late.size() - 1);
      throw new IllegalArgumentException("the metrics delay, " + seconds(config.metricsDelay())
          + " s (--metrics-delay), must be shorter than the trace's span on the "
          + seconds(config.syncPeriod()) + " s sync grid, " + seconds(span) + " s: " + who
          + (late.size() == 1 ? " sees" : " see") + " the demand that late, so would see none "
          + "of it before the last step (give a shorter --metrics-delay or a longer trace)");
    }
  }

  /**
   * Runs every selected policy on {@code trace}.
   *
   * @param trace the demand
   * @param wallClock measures elapsed time for the progress lines only
   * @param progress receives a progress line every {@link #PROGRESS_EVERY} of wall-clock time
   * @throws IllegalArgumentException when the trace does not fit the configuration (fewer than
   *     two grid steps, more than {@link DemandCurve#MAX_STEPS}, a metrics delay not shorter than
   *     its span on the grid, a capacity that cannot be derived, one too small for the peak in
   *     a double, or a capacity and target whose replica need at the peak, or the maxReplicas
   *     derived from it, exceeds {@link SimulationConfig#MAX_REPLICAS}): checked before any run,
   *     so this is always bad input
   * @throws IllegalStateException when a run fails, whatever it threw, or fails its self-check
   */
  public SimulationResult run(Trace trace, Clock wallClock, Consumer<String> progress) {
    DemandCurve curve = new DemandCurve(trace, config.syncPeriod());
    if (curve.size() < 2) {
      // One step is one decision at the first sample: a scorecard of it would measure nothing.
      throw new IllegalArgumentException("the trace spans " + seconds(Duration.between(
          trace.start(), trace.end())) + " s, less than the " + seconds(config.syncPeriod())
          + " s sync period: it gives one grid step, and a run needs at least two (give a "
          + "longer trace or a shorter --sync-period)");
    }
    double capacity = capacity(curve);
    fits(trace, curve, capacity);
    replicasFit(curve, capacity);
    seenInTime(curve, capacity);
    // Each policy's runs, grouped as they are made: its main run, then its sweep by increasing
    // target, holding the main run where the main target is one of the swept ones.
    record Task(Entry entry, double target, boolean main) {}
    record Runs(Entry entry, Task main, List<Task> sweep) {}
    List<Runs> policies = new ArrayList<>();
    List<Task> tasks = new ArrayList<>();
    for (String name : config.policies().isEmpty() ? registry.names() : config.policies()) {
      Entry e = registry.get(name);
      double mainTarget = e.fixedTarget().orElse(config.targetUtilization());
      Task main = new Task(e, mainTarget, true);
      tasks.add(main);
      List<Task> sweep = new ArrayList<>();
      if (config.sweep() && e.fixedTarget().isPresent()) {
        sweep.add(main);
      } else if (config.sweep()) {
        for (int pct : SWEEP_PERCENTS) {
          double t = pct / 100.0;
          if (t == mainTarget) {
            sweep.add(main);
          } else {
            Task task = new Task(e, t, false);
            tasks.add(task);
            sweep.add(task);
          }
        }
      }
      policies.add(new Runs(e, main, sweep));
    }
    Map<Task, RunResult> done = new IdentityHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(config.threads(), r -> {
      Thread t = new Thread(r, "simulator-run");
      t.setDaemon(true);
      return t;
    });
    try {
      ExecutorCompletionService<Map.Entry<Task, RunResult>> ecs =
          new ExecutorCompletionService<>(pool);
      AtomicLong stepsDone = new AtomicLong();
      for (Task task : tasks) {
        ecs.submit(() -> Map.entry(task, guarded(curve, capacity, task.entry(), task.target(),
            task.main(), stepsDone)));
      }
      long allSteps = (long) tasks.size() * curve.size();
      Instant started = wallClock.instant();
      Instant lastLine = started;
      while (done.size() < tasks.size()) {
        // Polled, so that a single long run (one policy, no sweep, months of trace) still
        // reports its progress.
        Future<Map.Entry<Task, RunResult>> f = ecs.poll(1, TimeUnit.SECONDS);
        if (f != null) {
          Map.Entry<Task, RunResult> r = f.get();
          done.put(r.getKey(), r.getValue());
        }
        Instant now = wallClock.instant();
        if (Duration.between(lastLine, now).compareTo(PROGRESS_EVERY) >= 0) {
          lastLine = now;
          progress.accept(String.format(Locale.ROOT,
              "simulate: %s: %d %% of the steps, %d/%d runs done, %d s",
              CsvTraceReader.escapeName(trace.name()),
              100 * stepsDone.get() / allSteps, done.size(), tasks.size(),
              Duration.between(started, now).toSeconds()));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("simulation interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("a simulation run failed: " + cause, cause);
    } finally {
      pool.shutdownNow();
    }

    RunResult oracle100 = policies.stream().filter(p -> p.entry().name().equals("oracle-100"))
        .findFirst().map(p -> done.get(p.main())).orElse(null);
    List<PolicyResult> results = new ArrayList<>();
    for (Runs p : policies) {
      RunResult main = done.get(p.main());
      List<RunResult> sweep = p.sweep().stream().map(done::get).toList();
      double vsOracle = oracle100 != null && oracle100.replicaHours() > 0
          ? main.replicaHours() / oracle100.replicaHours() : Double.NaN;
      Scorecard card = new Scorecard(p.entry().name(), main.targetUtilization(),
          main.underProvisionedPct(), main.unservedPct(), main.replicaHours(), vsOracle,
          main.scalingActions(), atSlo(sweep, config.slo()));
      results.add(new PolicyResult(card, main, sweep));
    }
    return new SimulationResult(config, curve, capacity, results);
  }

  /**
   * {@link #runOnce}, with any exception other than an {@link IllegalStateException} (a failed
   * self-check names its run already) wrapped in one naming the run: the input was checked before
   * the runs, so an {@link IllegalArgumentException} from inside one is a failure, not bad input.
   */
  private RunResult guarded(DemandCurve curve, double capacity, Entry entry, double target,
      boolean keepSeries, AtomicLong stepsDone) {
    try {
      return runOnce(curve, capacity, entry, target, keepSeries, stepsDone);
    } catch (IllegalStateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalStateException(entry.name() + " at target " + target + " on "
          + curve.trace().name() + " failed: " + e, e);
    }
  }

  /**
   * The cheapest run whose under-provisioned time is within {@code slo} percent; among equally
   * cheap runs the one with the higher target. Empty when none is.
   */
  static Optional<AtSlo> atSlo(List<RunResult> runs, double slo) {
    RunResult best = null;
    for (RunResult r : runs) {
      if (r.underProvisionedPct() <= slo && (best == null
          || r.replicaHours() < best.replicaHours()
          || (r.replicaHours() == best.replicaHours()
              && r.targetUtilization() > best.targetUtilization()))) {
        best = r;
      }
    }
    return best == null ? Optional.empty() : Optional.of(new AtSlo(best.targetUtilization(),
        best.replicaHours(), best.underProvisionedPct()));
  }

  /**
   * One run of one policy at one target: a fresh engine, cluster and clock, every grid step of
   * the demand, then the self-check.
   *
   * @param curve the demand on the grid
   * @param capacity what one ready replica serves
   * @param entry the policy
   * @param target the target utilization
   * @param keepSeries whether to keep the per-step series and forecasts for the report
   * @throws IllegalStateException when the run's counts disagree with the engine's journal
   */
  public RunResult runOnce(DemandCurve curve, double capacity, Entry entry, double target,
      boolean keepSeries) {
    return runOnce(curve, capacity, entry, target, keepSeries, new AtomicLong());
  }

  /** {@link #runOnce}, adding to {@code stepsDone} as the steps are done, for progress lines. */
  private RunResult runOnce(DemandCurve curve, double capacity, Entry entry, double target,
      boolean keepSeries, AtomicLong stepsDone) {
    Duration sync = config.syncPeriod();
    Duration startup = config.startupDelay();
    PolicyEnvironment env = new PolicyEnvironment(curve, capacity, target, startup,
        config.metricsDelay(), config.hpa(), config.forecaster());
    PolicySetup setup = entry.factory().create(env);
    Duration delay = setup.seesDemandLate() ? config.metricsDelay() : Duration.ZERO;
    int minReplicas = config.minReplicas();
    int maxReplicas = config.maxReplicas().orElse((int) Math.min(SimulationConfig.MAX_REPLICAS,
        Math.max(Math.max(10L, minReplicas), 10L * env.need(curve.max()))));
    int initial = Math.max(minReplicas, Math.min(maxReplicas, env.need(curve.demand(0))));
    ManualClock clock = new ManualClock(curve.start());
    InMemoryCluster cluster = new InMemoryCluster(clock, startup).add(WORKLOAD, initial);
    double unit = metricUnit(capacity);
    TraceMetricSource source = new TraceMetricSource(curve.trace(), delay, cluster, unit);
    Duration lead = startup.plus(delay).plus(sync);
    Duration historyStep = AutoscalerEngine.defaultHistoryStep(sync);
    WorkloadSpec spec = WorkloadSpec.builder(WORKLOAD)
        .minReplicas(minReplicas)
        .maxReplicas(maxReplicas)
        .metric(MetricTarget.averageValue(METRIC, env.perReplicaTarget() * unit))
        .mode(Mode.ACT)
        .startupDelay(startup)
        .stepLimits(setup.stepLimits())
        .riskQuantile(config.riskQuantile())
        .build();
    RunJournal journal = new RunJournal(METRIC, lead, historyStep,
        keepSeries && setup.forecaster().isPresent(), startup, initial, checker.apply(spec));
    AutoscalerEngine.Builder b = AutoscalerEngine.builder()
        .clock(clock)
        .metricSource(source)
        .policy(setup.policy())
        .executor(cluster)
        .journal(journal)
        .workload(spec)
        .syncPeriod(sync)
        .metricsDelay(delay)
        .historyStep(historyStep)
        .maxMetricAge(delay.plus(Duration.ofMinutes(5)))
        .backfill(false);
    setup.forecaster().ifPresent(b::forecaster);
    int n = curve.size();
    int[] ready = keepSeries ? new int[n] : new int[0];
    int[] desired = keepSeries ? new int[n] : new int[0];
    RunStats stats = new RunStats(sync, capacity);
    try (AutoscalerEngine engine = b.build()) {
      for (int i = 0; i < n; i++) {
        Instant now = curve.time(i);
        clock.set(now);
        engine.tick();
        ReplicaStatus counts = cluster.status(WORKLOAD);
        int r = counts.ready();
        int c = counts.current();
        stats.add(curve.demand(i), r * capacity, c);
        if (keepSeries) {
          ready[i] = r;
          desired[i] = c;
        }
        if ((i & 4095) == 4095) {
          stepsDone.addAndGet(4096);
        }
      }
    }
    stepsDone.addAndGet(n & 4095);
    String where = entry.name() + " at target " + target + " on " + curve.trace().name();
    if (journal.violations() > 0) {
      throw new IllegalStateException("self-check failed for " + where + ": "
          + journal.violations() + " journal records violate the decision invariants, first "
          + journal.firstViolation().orElse(""));
    }
    if (journal.records() != n) {
      throw new IllegalStateException("self-check failed for " + where + ": the journal holds "
          + journal.records() + " records for " + n + " ticks");
    }
    if (journal.replicaSteps() != stats.replicaSteps()) {
      throw new IllegalStateException("self-check failed for " + where + ": replica-steps "
          + stats.replicaSteps() + " counted by the cluster, " + journal.replicaSteps()
          + " in the journal");
    }
    if (journal.readinessMismatches() > 0) {
      throw new IllegalStateException("self-check failed for " + where + ": "
          + journal.readinessMismatches() + " records report replica counts the journal's "
          + "changes do not give, first " + journal.firstReadinessMismatch().orElse(""));
    }
    if (journal.changes() != cluster.actions()) {
      throw new IllegalStateException("self-check failed for " + where + ": scaling actions "
          + cluster.actions() + " applied by the cluster, " + journal.changes()
          + " in the journal");
    }
    List<ForecastPoint> forecasts = journal.forecasts();
    if (unit != 1) {
      forecasts = forecasts.stream().map(f -> new ForecastPoint(f.time(), f.point() / unit,
          f.lower() / unit, f.upper() / unit)).toList();
    }
    return new RunResult(entry.name(), target, stats.underProvisionedPct(), stats.unservedPct(),
        stats.replicaHours(), cluster.actions(), journal.holds(), ready, desired, forecasts);
  }

  /** {@code d} in seconds: {@code 15}, {@code 0.003}. */
  private static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
  }

  /**
   * The power of ten the engines see the demand in, times the trace's unit: the smallest that
   * makes one replica's capacity at least 1, and the largest that keeps it under 10^9 (1 when it
   * already lies there). The HPA reads metric values in thousandths, as Kubernetes does; a trace
   * in fractions (a CPU share with 0.004 per replica) would have its per-replica target rounded
   * to a few thousandths, and a change of unit would change the HPA's decisions.
   *
   * @throws IllegalArgumentException when {@code capacity} is below {@link
   *     SimulationConfig#MIN_CAPACITY} or not finite: no finite power of ten brings a subnormal
   *     capacity to 1 (the search would reach Infinity and never end)
   */
  static double metricUnit(double capacity) {
    if (!(capacity >= SimulationConfig.MIN_CAPACITY) || !Double.isFinite(capacity)) {
      throw new IllegalArgumentException("capacity must be in [" + SimulationConfig.MIN_CAPACITY
          + ", " + Double.MAX_VALUE + "], but was " + capacity);
    }
    double unit = 1;
    while (capacity * unit < 1) {
      unit *= 10;
    }
    while (capacity * unit >= 1e9) {
      unit /= 10;
    }
    return unit;
  }
}
