package dev.prescaler.core.event;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import java.time.Instant;
import java.util.Objects;

/**
 * A workload was promoted or demoted between modes.
 *
 * @param workload the workload
 * @param time when
 * @param from the old mode
 * @param to the new mode
 * @param reason why
 */
public record ModeChangedEvent(WorkloadRef workload, Instant time, Mode from, Mode to,
    String reason) implements EngineEvent {
  /** Validates. */
  public ModeChangedEvent {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
  }
}
