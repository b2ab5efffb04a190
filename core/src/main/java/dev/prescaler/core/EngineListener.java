package dev.prescaler.core;

import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.event.HeldEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;

/**
 * Notified synchronously after each journal write, on the tick and under the engine's lock. Must
 * be cheap and thread-safe; an exception is logged at WARN and never affects a decision. A
 * listener that calls a remote API (and may wait on it) goes in an {@link AsyncListener}, so that
 * a slow server cannot hold back the ticks. A new event type is a new default method, so
 * existing listeners keep compiling.
 */
public interface EngineListener {
  /** A listener that ignores everything. */
  EngineListener NOOP = new EngineListener() {};

  /** Every tick of every workload. */
  default void onDecision(DecisionEvent event) {}

  /**
   * The executor was called (applied, refused or failed), except to send again an HPA floor that
   * the HPA's maxReplicas still holds down as before, answered word for word as the last time
   * (nothing changed; journaled with action {@code NONE}).
   */
  default void onScaled(ScaledEvent event) {}

  /** The count was held because of missing or invalid data or a failed plug-in. */
  default void onHeld(HeldEvent event) {}

  /**
   * A plug-in threw, or the journal's append did. On the tick it comes after the journal write of
   * that workload's record and its {@link #onDecision} (the record says what the failure did: a
   * hold, or for an executor's apply a scale that FAILED and may still land); the failure of an
   * HPA release, which writes no record, comes when it happens.
   */
  default void onFailure(FailureEvent event) {}

  /** A workload changed mode (promotion or demotion). */
  default void onModeChanged(ModeChangedEvent event) {}
}
