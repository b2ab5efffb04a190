package dev.prescaler.core;

import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.EngineEvent;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.event.HeldEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;
import java.util.ArrayList;
import java.util.List;

/** Records every event it is given. */
final class RecordingListener implements EngineListener {
  final List<EngineEvent> events = new ArrayList<>();

  @Override
  public void onDecision(DecisionEvent event) {
    events.add(event);
  }

  @Override
  public void onScaled(ScaledEvent event) {
    events.add(event);
  }

  @Override
  public void onHeld(HeldEvent event) {
    events.add(event);
  }

  @Override
  public void onFailure(FailureEvent event) {
    events.add(event);
  }

  @Override
  public void onModeChanged(ModeChangedEvent event) {
    events.add(event);
  }

  <T extends EngineEvent> List<T> of(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
