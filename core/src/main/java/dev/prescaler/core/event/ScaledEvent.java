package dev.prescaler.core.event;

import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.WorkloadRef;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The executor was called: the outcome says whether the change was applied, refused or failed.
 *
 * @param workload the workload
 * @param time when
 * @param mode ACT or HPA_FLOOR
 * @param from the count before
 * @param to the count asked for
 * @param reasons why
 * @param outcome what happened
 */
public record ScaledEvent(WorkloadRef workload, Instant time, Mode mode, int from, int to,
    List<Reason> reasons, ScaleOutcome outcome) implements EngineEvent {
  /** Validates. */
  public ScaledEvent {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(time, "time");
    reasons = List.copyOf(reasons);
    Objects.requireNonNull(outcome, "outcome");
  }
}
