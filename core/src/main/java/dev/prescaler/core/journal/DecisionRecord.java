package dev.prescaler.core.journal;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.WorkloadRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One tick of one workload: what the engine saw, forecast, decided and did.
 *
 * @param sequence increasing number, unique within an engine's journal
 * @param time the tick's instant
 * @param workload the workload
 * @param mode the mode it was in
 * @param kind hold (data or plug-in problem), keep (decided no change) or scale
 * @param current the count before the decision; -1 when unknown
 * @param ready the ready replicas; -1 when unknown
 * @param metrics the raw readings that were available
 * @param unavailable the reason of each metric that was not usable
 * @param loads the load of each metric
 * @param forecasts the forecasts in use
 * @param proposed the policy chain's count, before the engine's clamp
 * @param desired the count decided
 * @param reasons every step's reason
 * @param marks the proposal's named marks (see {@link dev.prescaler.core.Proposal#marks()})
 * @param action what was done with it
 * @param actionMessage the executor's message, or why nothing was called
 * @param followUp what followed, once known
 * @param timing when parts of the tick happened, for a restore to replay it as it was lived
 */
public record DecisionRecord(
    long sequence,
    Instant time,
    WorkloadRef workload,
    Mode mode,
    Kind kind,
    int current,
    int ready,
    Map<String, Double> metrics,
    Map<String, String> unavailable,
    Map<String, Double> loads,
    Map<String, Forecast> forecasts,
    int proposed,
    int desired,
    List<Reason> reasons,
    Map<String, Integer> marks,
    Action action,
    String actionMessage,
    Optional<FollowUp> followUp,
    Timing timing) {

  /** The kind of decision. */
  public enum Kind {
    /** Data missing or invalid, or a plug-in failed: the count was held and nothing was asked. */
    HOLD,
    /** Decided to keep the count. */
    KEEP,
    /** Decided another count. */
    SCALE
  }

  /** What was done with the decision. */
  public enum Action {
    /**
     * Nothing done: a hold, a keep, or an HPA floor sent again that the HPA's maxReplicas still
     * holds down as before, answered word for word as the last time (its message says so).
     */
    NONE,
    /** Observe-only: decided and recorded, executor not called. */
    OBSERVED,
    /** The executor applied it. */
    APPLIED,
    /** The executor refused it; nothing changed. */
    REFUSED,
    /** The executor failed; nothing changed. */
    FAILED
  }

  /**
   * When parts of a tick happened, where the tick's instant does not say it: what {@code
   * AutoscalerEngine.restore} needs to rebuild the state the live engine had after the tick.
   *
   * @param countsRead when the replica counts were read, when that was after the tick's instant
   *     (a tick slowed by other workloads' calls); empty when at it, or not read
   * @param scaleUpReturned when an applied scale-up's call returned, when that was after the
   *     tick's instant; the new pods' startup is timed from it
   * @param samples each metric's newest sample taken so far, with the metric's type then (a
   *     sample no newer is held as "no new sample since"; a metric whose type changed starts
   *     afresh)
   */
  public record Timing(Optional<Instant> countsRead, Optional<Instant> scaleUpReturned,
      Map<String, Sample> samples) {
    /** Nothing after the tick's instant, and no sample taken. */
    public static final Timing NONE = new Timing(Optional.empty(), Optional.empty(), Map.of());

    /** Copies. */
    public Timing {
      Objects.requireNonNull(countsRead, "countsRead");
      Objects.requireNonNull(scaleUpReturned, "scaleUpReturned");
      samples = Map.copyOf(samples);
    }
  }

  /**
   * The newest sample of a metric the engine has taken, and the metric's type at the time.
   *
   * @param type the metric's type
   * @param time the sample's time
   */
  public record Sample(MetricTarget.Type type, Instant time) {
    /** Checks. */
    public Sample {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(time, "time");
    }
  }

  /** A record whose tick happened at its instant and took no sample (see {@link Timing}). */
  public DecisionRecord(long sequence, Instant time, WorkloadRef workload, Mode mode, Kind kind,
      int current, int ready, Map<String, Double> metrics, Map<String, String> unavailable,
      Map<String, Double> loads, Map<String, Forecast> forecasts, int proposed, int desired,
      List<Reason> reasons, Map<String, Integer> marks, Action action, String actionMessage,
      Optional<FollowUp> followUp) {
    this(sequence, time, workload, mode, kind, current, ready, metrics, unavailable, loads,
        forecasts, proposed, desired, reasons, marks, action, actionMessage, followUp,
        Timing.NONE);
  }

  /** Copies. */
  public DecisionRecord {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(kind, "kind");
    metrics = Map.copyOf(metrics);
    unavailable = Map.copyOf(unavailable);
    loads = Map.copyOf(loads);
    forecasts = Map.copyOf(forecasts);
    reasons = List.copyOf(reasons);
    marks = Map.copyOf(marks);
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(actionMessage, "actionMessage");
    Objects.requireNonNull(followUp, "followUp");
    Objects.requireNonNull(timing, "timing");
  }

  /** The same record with what followed. */
  public DecisionRecord withFollowUp(FollowUp f) {
    return new DecisionRecord(sequence, time, workload, mode, kind, current, ready, metrics,
        unavailable, loads, forecasts, proposed, desired, reasons, marks, action, actionMessage,
        Optional.of(f), timing);
  }

  /** Whether the replica count was changed by this decision. */
  public boolean changedReplicas() {
    return action == Action.APPLIED && desired != current;
  }
}
