package dev.prescaler.simulator.score;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.DecisionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The journal of one simulated engine. It keeps no records (a month of 15-s ticks would not fit
 * comfortably, twelve runs per policy); instead it counts, from the records alone, what the
 * scorecard counts from the cluster: records, replica-steps after each decision and applied
 * changes. A run compares the two (the simulator's self-check). It also replays the model's
 * readiness from the applied changes alone (a replica asked for at t is ready at t + startup; a
 * removal takes pending replicas first, newest first, then ready ones) and counts the records
 * whose ready or current count the cluster reported otherwise: the under-provisioned time and
 * unserved demand are counted from the cluster's ready replicas. It can also hand each record to
 * a checker (the testkit's decision invariants) and keep the forecast made one lead time ahead of
 * each history step, for the report. Not thread-safe beyond what one engine needs.
 */
public final class RunJournal implements DecisionJournal {
  private final String metric;
  private final int leadSteps;
  private final Consumer<DecisionRecord> checker;
  private final boolean keepForecasts;
  private final List<ForecastPoint> forecasts = new ArrayList<>();
  private Forecast lastForecast;
  private long records;
  private long replicaSteps;
  private long changes;
  private long holds;
  private long violations;
  private String firstViolation;
  private final long startupMillis;
  private final ArrayDeque<Long> pending = new ArrayDeque<>(); // ready-at instants, oldest first
  private int ready;
  private long readinessMismatches;
  private String firstReadinessMismatch;

  /**
   * A forecast value for one history step, made a lead time before it.
   *
   * @param time the start of the forecast step
   * @param point the point forecast
   * @param lower the interval's lower bound
   * @param upper the interval's upper bound
   */
  public record ForecastPoint(Instant time, double point, double lower, double upper) {}

  /**
   * A journal.
   *
   * @param metric the metric whose forecasts are kept
   * @param lead how far ahead the kept forecast values lie (the engine's lead time)
   * @param historyStep the engine's history step (the forecast grid)
   * @param keepForecasts whether to keep forecasts for the report
   * @param startup from asking for a replica to its being ready
   * @param initialReady the replicas ready (none pending) before the first record
   * @param checker called with every record (e.g. invariant checks); throws to reject one
   */
  public RunJournal(String metric, Duration lead, Duration historyStep, boolean keepForecasts,
      Duration startup, int initialReady, Consumer<DecisionRecord> checker) {
    this.metric = metric;
    this.startupMillis = startup.toMillis();
    this.ready = initialReady;
    this.leadSteps = Forecaster.steps(lead, historyStep);
    this.keepForecasts = keepForecasts;
    this.checker = checker;
  }

  @Override
  public void append(DecisionRecord r) {
    replayReadiness(r);
    records++;
    if (r.kind() == DecisionRecord.Kind.HOLD) {
      holds++;
    }
    int after = r.changedReplicas() ? r.desired() : r.current();
    if (after >= 0) {
      replicaSteps += after;
    }
    if (r.changedReplicas()) {
      changes++;
    }
    if (keepForecasts) {
      Forecast f = r.forecasts().get(metric);
      if (f != null && f != lastForecast) {
        lastForecast = f;
        int k = Math.min(leadSteps, f.steps()) - 1;
        forecasts.add(new ForecastPoint(f.timeOf(k), f.point(k), f.lower(k), f.upper(k)));
      }
    }
    try {
      checker.accept(r);
    } catch (RuntimeException e) {
      // The engine contains journal exceptions, so a violation is recorded here and the run
      // fails on it after the last tick.
      violations++;
      if (firstViolation == null) {
        firstViolation = "record " + r.sequence() + " at " + r.time() + ": " + e.getMessage();
      }
    }
  }

  /** Checks the record's counts against the replayed ones, then applies its change. */
  private void replayReadiness(DecisionRecord r) {
    long t = r.time().toEpochMilli();
    while (!pending.isEmpty() && pending.peekFirst() <= t) {
      pending.removeFirst();
      ready++;
    }
    int current = ready + pending.size();
    if ((r.ready() != ready || r.current() != current) && readinessMismatches++ == 0) {
      firstReadinessMismatch = "record " + r.sequence() + " at " + r.time() + ": " + r.current()
          + " replicas, " + r.ready() + " ready; the changes before it give " + current + ", "
          + ready + " ready";
    }
    if (!r.changedReplicas()) {
      return;
    }
    int to = r.desired();
    for (int i = current; i < to; i++) {
      pending.addLast(t + startupMillis);
    }
    for (int i = to; i < current; i++) {
      if (pending.isEmpty()) {
        ready--;
      } else {
        pending.removeLast();
      }
    }
  }

  /** Records whose ready or current count differs from the readiness replayed from the changes. */
  public long readinessMismatches() {
    return readinessMismatches;
  }

  /** The first of them and how it differs; empty when none. */
  public java.util.Optional<String> firstReadinessMismatch() {
    return java.util.Optional.ofNullable(firstReadinessMismatch);
  }

  /** Records the checker rejected. */
  public long violations() {
    return violations;
  }

  /** The first record the checker rejected and why; empty when none. */
  public java.util.Optional<String> firstViolation() {
    return java.util.Optional.ofNullable(firstViolation);
  }

  /** Records appended. */
  public long records() {
    return records;
  }

  /** Records of kind HOLD. */
  public long holds() {
    return holds;
  }

  /** Σ over records of the count after the decision (desired when applied, else current). */
  public long replicaSteps() {
    return replicaSteps;
  }

  /** Records whose decision changed the replica count. */
  public long changes() {
    return changes;
  }

  /** The forecasts kept, in time order (empty unless asked for). */
  public List<ForecastPoint> forecasts() {
    return List.copyOf(forecasts);
  }
}
