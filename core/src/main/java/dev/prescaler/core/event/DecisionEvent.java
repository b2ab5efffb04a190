package dev.prescaler.core.event;

import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.journal.DecisionRecord;
import java.time.Instant;
import java.util.Objects;

/** Every tick of every workload: the journal record just written. */
public record DecisionEvent(DecisionRecord record) implements EngineEvent {
  /** Validates. */
  public DecisionEvent {
    Objects.requireNonNull(record, "record");
  }

  @Override
  public WorkloadRef workload() {
    return record.workload();
  }

  @Override
  public Instant time() {
    return record.time();
  }
}
