package dev.prescaler.reliability;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.StepLimits;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One engine over scripted plug-ins: a {@link SimCluster}, a {@link ScriptedSource}, a
 * {@link ScriptedExecutor}, a {@link ScriptedPolicy}, a {@link RecordingJournal} and a
 * {@link ThrowingListener}, all driven by a {@link ManualClock}. Tests inject faults through the
 * fields and call {@link #tick()}.
 */
final class FaultHarness implements AutoCloseable {
  static final Instant START = Instant.parse("2026-03-02T08:00:00Z");
  static final Duration MAX_METRIC_AGE = AutoscalerEngine.DEFAULT_MAX_METRIC_AGE;

  /** Acts directly, [2, 20], default step limits, 100 rps per replica. */
  static final WorkloadSpec WEB = spec(WorkloadRef.deployment("shop", "web"), Mode.ACT, 2, 20,
      StepLimits.DEFAULT, 100);
  /** Acts directly, [0, 50], tight step limits (+1 pod or 10 %, -1 pod or 10 %), 10 per replica. */
  static final WorkloadSpec WORKER = spec(WorkloadRef.deployment("shop", "worker"), Mode.ACT, 0,
      50, new StepLimits(1, 10, 1, 10), 10);
  /** Observe-only, [1, 8], 50 per replica. */
  static final WorkloadSpec SHADOW = spec(WorkloadRef.statefulSet("data", "shadow"),
      Mode.OBSERVE_ONLY, 1, 8, StepLimits.DEFAULT, 50);
  /** Steers an HPA floor, [1, 10], 20 per replica. */
  static final WorkloadSpec FLOORED = spec(WorkloadRef.deployment("edge", "gateway"),
      Mode.HPA_FLOOR, 1, 10, new StepLimits(2, 50, 0, 100), 20);
  static final List<WorkloadSpec> SPECS = List.of(WEB, WORKER, SHADOW, FLOORED);

  final ManualClock clock = new ManualClock(START);
  final SimCluster cluster = new SimCluster();
  final ScriptedSource source = new ScriptedSource(cluster, MAX_METRIC_AGE);
  final ScriptedExecutor executor = new ScriptedExecutor(cluster);
  final ScriptedPolicy policy = new ScriptedPolicy();
  final RecordingJournal journal = new RecordingJournal();
  final ThrowingListener listener = new ThrowingListener();
  final List<Instant> tickTimes = new ArrayList<>();
  final AutoscalerEngine engine;

  /** An engine over {@link #SPECS} with calls inline (no call timeout). */
  FaultHarness() {
    this(Duration.ZERO, SPECS);
  }

  /** An engine over {@code specs} with the given call timeout (zero: inline). */
  FaultHarness(Duration callTimeout, List<WorkloadSpec> specs) {
    AutoscalerEngine.Builder b = AutoscalerEngine.builder()
        .clock(clock)
        .metricSource(source)
        .policy(policy)
        .executor(executor)
        .journal(journal)
        .listener(listener)
        .backfill(false)
        .callTimeout(callTimeout);
    for (WorkloadSpec s : specs) {
      cluster.set(s.workload(), s.minReplicas() + 1);
      source.demand(s.workload(), 0);
      b.workload(s);
    }
    engine = b.build();
  }

  static WorkloadSpec spec(WorkloadRef ref, Mode mode, int min, int max, StepLimits limits,
      double perReplica) {
    return WorkloadSpec.builder(ref)
        .minReplicas(min)
        .maxReplicas(max)
        .mode(mode)
        .stepLimits(limits)
        .metric(MetricTarget.averageValue(ScriptedSource.METRIC, perReplica))
        .build();
  }

  /** Ticks once and returns the records appended (attempted) during that tick. */
  List<DecisionRecord> tick() {
    int before = journal.attempts().size();
    tickTimes.add(clock.instant());
    engine.tick();
    List<DecisionRecord> all = journal.attempts();
    return all.subList(before, all.size());
  }

  /** The one record of {@code w} among {@code records}. */
  static DecisionRecord recordOf(List<DecisionRecord> records, WorkloadRef w) {
    List<DecisionRecord> mine = records.stream().filter(r -> r.workload().equals(w)).toList();
    if (mine.size() != 1) {
      throw new AssertionError("expected exactly one record of " + w + " in this tick, but got "
          + mine.size() + ": " + mine);
    }
    return mine.get(0);
  }

  @Override
  public void close() {
    engine.close();
  }
}
