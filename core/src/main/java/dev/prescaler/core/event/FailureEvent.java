package dev.prescaler.core.event;

import dev.prescaler.core.WorkloadRef;
import java.time.Instant;
import java.util.Objects;

/**
 * A plug-in (source, forecaster, policy, executor, journal) threw; the engine contained it.
 *
 * @param workload the workload
 * @param time when
 * @param stage which stage failed: {@code source}, {@code forecaster}, {@code policy},
 *     {@code executor} or {@code journal}
 * @param error the exception
 */
public record FailureEvent(WorkloadRef workload, Instant time, String stage, Throwable error)
    implements EngineEvent {
  /** Validates. */
  public FailureEvent {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(error, "error");
  }
}
