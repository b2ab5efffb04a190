package dev.prescaler.core.event;

import dev.prescaler.core.WorkloadRef;
import java.time.Instant;

/** Something the engine did or saw for one workload. */
public sealed interface EngineEvent
    permits DecisionEvent, ScaledEvent, HeldEvent, FailureEvent, ModeChangedEvent {
  /** The workload. */
  WorkloadRef workload();

  /** When it happened, by the engine's clock. */
  Instant time();
}
