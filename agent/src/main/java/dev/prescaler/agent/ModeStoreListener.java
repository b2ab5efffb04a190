package dev.prescaler.agent;

import dev.prescaler.core.EngineListener;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.k8s.ModeStore;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Writes every mode change the engine journals to the {@link ModeStore}, while this replica leads
 * (a standby never writes) and while no resume is being applied (a mode resumed from the journal
 * or from the store is already what the store says, or older than it). A failed write is logged
 * by the store and never reaches the engine.
 */
final class ModeStoreListener implements EngineListener {
  private final ModeStore store;
  private final BooleanSupplier leading;
  private volatile boolean resuming;

  ModeStoreListener(ModeStore store, BooleanSupplier leading) {
    this.store = Objects.requireNonNull(store, "store");
    this.leading = Objects.requireNonNull(leading, "leading");
  }

  /** Runs {@code resume}, whose mode changes are not written. */
  void resuming(Runnable resume) {
    resuming = true;
    try {
      resume.run();
    } finally {
      resuming = false;
    }
  }

  @Override
  public void onModeChanged(ModeChangedEvent event) {
    if (!resuming && leading.getAsBoolean()) {
      store.write(event.workload(), event.to(), event.reason());
    }
  }
}
