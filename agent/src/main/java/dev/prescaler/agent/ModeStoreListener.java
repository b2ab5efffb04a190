package dev.prescaler.agent;

import dev.prescaler.core.EngineListener;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.k8s.ModeStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Writes every mode change the engine journals to the {@link ModeStore}, while this replica leads
 * (a standby never writes) and while no resume is being applied (a mode resumed from the journal
 * or from the store is already what the store says, or older than it). A failed write is logged
 * by the store and never reaches the engine; the latest unstored change of each workload is sent
 * again by {@link #writeUnstored()}, which the agent calls every round it leads, so that a stale
 * entry cannot bring back a mode a later demotion (or the kill switch) took away.
 */
final class ModeStoreListener implements EngineListener {
  /** Stores one mode change; whether the store took it. */
  @FunctionalInterface
  interface Writer {
    boolean write(ModeChangedEvent event);
  }

  private final Writer writer;
  private final BooleanSupplier leading;
  private volatile boolean resuming;
  /** The latest change of each workload the store did not take (guarded by this). */
  private final Map<WorkloadRef, ModeChangedEvent> unstored = new LinkedHashMap<>();

  ModeStoreListener(ModeStore store, BooleanSupplier leading) {
    this(e -> Objects.requireNonNull(store, "store").write(e.workload(), e.to(), e.reason())
        .stored(), leading);
  }

  ModeStoreListener(Writer writer, BooleanSupplier leading) {
    this.writer = Objects.requireNonNull(writer, "writer");
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
      write(event);
    }
  }

  /** Sends again, in order, the latest change of each workload the store did not take. */
  void writeUnstored() {
    List<ModeChangedEvent> again;
    synchronized (this) {
      again = List.copyOf(unstored.values());
    }
    again.forEach(this::write);
  }

  /** The workloads whose latest mode change is not stored yet. For tests. */
  synchronized List<WorkloadRef> unstored() {
    return List.copyOf(unstored.keySet());
  }

  private void write(ModeChangedEvent event) {
    boolean stored = writer.write(event);
    synchronized (this) {
      ModeChangedEvent latest = unstored.get(event.workload());
      if (stored) {
        // A later change kept for a retry stays; this one, or an older one, is done.
        if (latest == null || latest == event || !latest.time().isAfter(event.time())) {
          unstored.remove(event.workload());
        }
      } else if (latest == null || !latest.time().isAfter(event.time())) {
        unstored.put(event.workload(), event);
      }
    }
  }
}
