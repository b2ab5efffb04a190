package dev.prescaler.reliability;

import dev.prescaler.core.EngineListener;
import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.event.HeldEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;
import java.util.ArrayList;
import java.util.List;

/** A listener that counts what it is told and, while armed, throws from every callback. */
final class ThrowingListener implements EngineListener {
  private volatile boolean armed;
  private final List<FailureEvent> failures = new ArrayList<>();
  private int calls;

  void armed(boolean isArmed) {
    this.armed = isArmed;
  }

  synchronized int calls() {
    return calls;
  }

  synchronized List<FailureEvent> failures() {
    return List.copyOf(failures);
  }

  private synchronized void called() {
    calls++;
    if (armed) {
      throw new IllegalStateException("listener bug (scripted)");
    }
  }

  @Override
  public void onDecision(DecisionEvent event) {
    called();
  }

  @Override
  public void onScaled(ScaledEvent event) {
    called();
  }

  @Override
  public void onHeld(HeldEvent event) {
    called();
  }

  @Override
  public void onFailure(FailureEvent event) {
    synchronized (this) {
      failures.add(event);
    }
    called();
  }

  @Override
  public void onModeChanged(ModeChangedEvent event) {
    called();
  }
}
