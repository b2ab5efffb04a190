package dev.prescaler.testkit;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * A small world around a real {@link AutoscalerEngine}, driven by generated actions: a manual
 * clock, a metric source reporting each workload's demand, a cluster whose counts the executor
 * changes, and faults injected on demand (dropped or stale metrics, a throwing source, a failing
 * executor, a clock going backwards, someone else changing the count).
 */
final class EngineWorld {
  static final Duration SYNC = Duration.ofSeconds(15);
  /** Number of distinct actions {@link #act(int)} understands. */
  static final int ACTIONS = 12;

  final Random random;
  final ManualClock clock;
  final List<WorkloadSpec> specs = new ArrayList<>();
  final Map<WorkloadRef, Replicas> cluster = new LinkedHashMap<>();
  final Map<WorkloadRef, Double> demand = new LinkedHashMap<>();
  final Set<WorkloadRef> dropNext = new HashSet<>();
  final Set<WorkloadRef> staleNext = new HashSet<>();
  final Set<WorkloadRef> throwNext = new HashSet<>();
  final Set<WorkloadRef> throwAlways = new HashSet<>();
  final List<ScaleRequest> requests = new ArrayList<>();
  final List<Instant> tickTimes = new ArrayList<>();
  /** Per workload, one entry per read: whether a fault (drop, stale, throw) was injected. */
  final Map<WorkloadRef, List<Boolean>> faulted = new LinkedHashMap<>();
  final InMemoryJournal journal = new InMemoryJournal(1_000_000);
  final AutoscalerEngine engine;
  int failExecutorNext;

  /** Mutable replica counts of one workload in the simulated cluster. */
  static final class Replicas {
    int current;
    int ready;

    Replicas(int current, int ready) {
      this.current = current;
      this.ready = ready;
    }
  }

  /**
   * A world of {@code workloads} generated workloads (their modes from {@code modes}), all
   * derived from {@code seed}.
   */
  EngineWorld(long seed, int workloads, Function<Random, Mode> modes) {
    this.random = new Random(seed);
    this.clock = new ManualClock(Generators.alignedTime(random, SYNC));
    Set<WorkloadRef> refs = new HashSet<>();
    while (specs.size() < workloads) {
      WorkloadSpec s = Generators.workloadSpecs(random, modes.apply(random));
      if (refs.add(s.workload())) {
        specs.add(s);
        ReplicaStatus r = Generators.replicaStatus(random, s);
        cluster.put(s.workload(), new Replicas(r.current(), r.ready()));
        demand.put(s.workload(), 5000 * random.nextDouble());
      }
    }
    AutoscalerEngine.Builder b = AutoscalerEngine.builder()
        .clock(clock)
        .metricSource(source())
        .forecaster(LAST_VALUE)
        .policy(DecisionPolicy.chain(CAPACITY, WILD))
        .executor(executor())
        .journal(journal)
        .syncPeriod(SYNC)
        .historyStep(Duration.ofMinutes(1))
        .historyLength(Duration.ofHours(2))
        .metricsDelay(Duration.ofSeconds(30))
        .backfill(false);
    specs.forEach(b::workload);
    this.engine = b.build();
  }

  /** A world whose workloads are in random modes. */
  static EngineWorld anyModes(long seed) {
    Mode[] modes = Mode.values();
    return new EngineWorld(seed, 3, r -> modes[r.nextInt(modes.length)]);
  }

  List<WorkloadRef> refs() {
    return specs.stream().map(WorkloadSpec::workload).toList();
  }

  List<DecisionRecord> records() {
    return journal.records();
  }

  private WorkloadRef anyWorkload() {
    return specs.get(random.nextInt(specs.size())).workload();
  }

  /** Performs action {@code code} (0 to {@link #ACTIONS} − 1); returns what it did. */
  String act(int code) {
    switch (code) {
      case 0, 1, 2:
        clock.advance(SYNC);
        return tick("tick");
      case 3: {
        Duration d = Duration.ofSeconds(1 + random.nextInt(600));
        clock.advance(d);
        return "advance " + d;
      }
      case 4: {
        WorkloadRef w = anyWorkload();
        dropNext.add(w);
        return "drop metrics of " + w;
      }
      case 5:
        failExecutorNext++;
        return "fail executor";
      case 6: {
        WorkloadRef w = anyWorkload();
        double d = random.nextInt(4) == 0 ? 0 : 10_000 * random.nextDouble();
        demand.put(w, d);
        return "demand of " + w + " = " + d;
      }
      case 7: {
        WorkloadRef w = anyWorkload();
        throwNext.add(w);
        return "source throws for " + w;
      }
      case 8: {
        clock.advance(Duration.ofSeconds(-1 - random.nextInt(120)));
        return tick("clock backwards, tick");
      }
      case 9:
        return tick("tick without advancing");
      case 10: {
        WorkloadRef w = anyWorkload();
        WorkloadSpec s = specs.stream().filter(x -> x.workload().equals(w)).findFirst()
            .orElseThrow();
        Replicas r = cluster.get(w);
        r.current = random.nextInt(s.maxReplicas() + 4);
        return "someone sets " + w + " to " + r.current;
      }
      case 11: {
        WorkloadRef w = anyWorkload();
        staleNext.add(w);
        return "stale metrics of " + w;
      }
      default:
        throw new IllegalArgumentException("action must be in [0, " + ACTIONS + "), but was "
            + code);
    }
  }

  private String tick(String what) {
    tickTimes.add(clock.instant());
    engine.tick();
    // Pods become ready one tick after they are asked for; removals are immediate.
    for (Replicas r : cluster.values()) {
      r.ready = r.current;
    }
    return what + " at " + clock.instant();
  }

  private MetricSource source() {
    return (WorkloadSpec spec, Instant now) -> {
      WorkloadRef w = spec.workload();
      List<Boolean> faults = faulted.computeIfAbsent(w, k -> new ArrayList<>());
      if (throwAlways.contains(w) || throwNext.remove(w)) {
        faults.add(true);
        throw new IllegalStateException("injected source failure for " + w);
      }
      boolean drop = dropNext.remove(w);
      boolean stale = staleNext.remove(w);
      faults.add(drop || stale);
      Instant measured = stale ? now.minus(Duration.ofMinutes(10)) : now.minusSeconds(30);
      Replicas r = cluster.get(w);
      Map<String, MetricReading> readings = new LinkedHashMap<>();
      for (MetricTarget m : spec.metrics()) {
        double d = demand.get(w);
        double value = m.type() == MetricTarget.Type.UTILIZATION
            ? Math.min(1000, d / 50 / Math.max(1, r.ready) * 100) : d;
        readings.put(m.name(), drop ? MetricReading.unavailable(m.name(), "dropped by the test")
            : MetricReading.of(m.name(), value, measured));
      }
      return new Observation(now, readings,
          Optional.of(ReplicaStatus.of(r.current, Math.min(r.ready, r.current + 2))));
    };
  }

  private ScaleExecutor executor() {
    return (ScaleRequest request) -> {
      requests.add(request);
      if (failExecutorNext > 0) {
        failExecutorNext--;
        if (random.nextBoolean()) {
          throw new IllegalStateException("injected executor exception");
        }
        return ScaleOutcome.failed("injected failure");
      }
      if (request.mode() == Mode.ACT) {
        cluster.get(request.workload()).current = request.to();
      }
      return ScaleOutcome.applied(request.to(), "ok");
    };
  }

  /**
   * Repeats the newest load: deterministic, and enough to exercise the forecast path. Its
   * interval, at the level asked, is the newest load ± level × its change from the present load
   * before it.
   */
  static final Forecaster LAST_VALUE = (history, horizon, level) -> {
    double last = Double.NaN;
    double before = Double.NaN;
    for (int i = history.size() - 1; i >= 0 && Double.isNaN(before); i--) {
      double x = history.value(i);
      if (Double.isNaN(x)) {
        continue;
      }
      if (Double.isNaN(last)) {
        last = x;
      } else {
        before = x;
      }
    }
    double point = Double.isNaN(last) ? 0 : last;
    double half = Double.isNaN(before) ? 0 : level * Math.abs(last - before);
    int steps = Forecaster.steps(horizon, history.step());
    double[] p = new double[steps];
    double[] lo = new double[steps];
    double[] hi = new double[steps];
    Arrays.fill(p, point);
    Arrays.fill(lo, Math.max(0, point - half));
    Arrays.fill(hi, point + half);
    return new Forecast("last", history.end(), history.step(), p, lo, hi, level);
  };

  /** Demand over the per-replica target (max over metrics), planning for the forecast too. */
  static final DecisionPolicy CAPACITY = (DecisionContext ctx, Proposal p) -> {
    int want = 0;
    for (MetricTarget m : ctx.spec().metrics()) {
      double load = ctx.load(m.name());
      Optional<Forecast> f = ctx.forecast(m.name());
      if (f.isPresent()) {
        double peak = f.get().maxUpper(ctx.now(), ctx.now().plus(ctx.leadTime()));
        if (!Double.isNaN(peak)) {
          load = Math.max(load, peak);
        }
      }
      want = Math.max(want, (int) Math.min(1_000_000, Math.ceil(load / m.perReplicaTarget())));
    }
    return p.to("capacity", want, "loads " + ctx.loads());
  };

  /**
   * Now and then proposes something absurd (a huge count, zero, or no reason at all), as a buggy
   * custom policy might: the engine must clamp it whatever it is. A function of the context only.
   */
  static final DecisionPolicy WILD = (DecisionContext ctx, Proposal p) -> {
    long slot = ctx.now().getEpochSecond() / 15;
    if (slot % 7 == 0) {
      return p.to("wild", Integer.MAX_VALUE, "absurdly high");
    }
    if (slot % 11 == 0) {
      return p.to("wild", 0, "zero");
    }
    if (slot % 13 == 0) {
      return new Proposal(p.replicas() + 3, List.of(), Map.of());
    }
    return p;
  };
}
