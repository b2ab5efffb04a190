package dev.prescaler.core.event;

import dev.prescaler.core.WorkloadRef;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The workload was held at its count because data was missing or invalid, a plug-in failed, or
 * it is scaled to 0 replicas with {@code minReplicas > 0}.
 *
 * @param workload the workload
 * @param time when
 * @param current the count held, -1 when unknown
 * @param reasons why, one line each
 */
public record HeldEvent(WorkloadRef workload, Instant time, int current, List<String> reasons)
    implements EngineEvent {
  /** Validates. */
  public HeldEvent {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(time, "time");
    reasons = List.copyOf(reasons);
  }
}
