package dev.prescaler.agent;

import dev.prescaler.core.EngineListener;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.k8s.ModeStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Sends to the {@link ModeStore} every mode change this replica makes itself, and keeps the latest
 * such change of each workload that the store has not taken, to send it again.
 *
 * <p>A change this replica makes itself (a promotion or a demotion) is its word. A mode applied
 * within {@link #resuming} (from the journal at start, from the store on a new term, or {@code
 * promoted: true} from the configuration) only re-applies what the store, the journal or the
 * configuration already holds: it is neither written nor counted as this replica's own.
 *
 * <p>While this replica leads, a change is written at once; a failed write (logged by the store)
 * keeps the change. A change made while this replica does not lead is not written then (a replica
 * that does not lead never writes) but kept too: that is a leader's change made in a round during
 * which the Lease lapsed (leading when the round started, past the renew deadline when the
 * demotion came). The agent sends what is kept ({@link #writeUnstored()}) on each round it leads,
 * once it has read the store in that term. Keeping the change is enough for a lapse that ends in
 * a renewal by the same holder, with no new term: no other replica can have held the Lease
 * meanwhile (it would have taken the Lease over, and winning it back counts as a new term), so
 * nobody else wrote the store and the kept change is still the latest word. When another replica
 * did lead in between, the new term reads the store first and {@link #storeHolds} drops every kept
 * change no newer than the store's entry of its workload, so a change sent again late never
 * overwrites a later leader's entry. An entry carries the time of its change, not of its write,
 * which is what makes these comparisons possible.
 *
 * <p>Thread-safe: the engine calls it from its tick or from {@code engine.mode}, the agent from its
 * rounds.
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
  /** The latest change of each workload this replica made itself (guarded by this). */
  private final Map<WorkloadRef, ModeChangedEvent> own = new HashMap<>();
  /** The latest own change of each workload the store did not take (guarded by this). */
  private final Map<WorkloadRef, ModeChangedEvent> unstored = new LinkedHashMap<>();

  ModeStoreListener(ModeStore store, BooleanSupplier leading) {
    this(e -> Objects.requireNonNull(store, "store")
        .write(new ModeStore.Entry(e.workload(), e.to(), e.time(), e.reason())).stored(),
        leading);
  }

  ModeStoreListener(Writer writer, BooleanSupplier leading) {
    this.writer = Objects.requireNonNull(writer, "writer");
    this.leading = Objects.requireNonNull(leading, "leading");
  }

  /** Runs {@code resume}, whose mode changes are neither written nor this replica's own. */
  void resuming(Runnable resume) {
    resuming = true;
    try {
      resume.run();
    } finally {
      resuming = false;
    }
  }

  /**
   * Takes the changes this replica made itself before a restart, from its journal (resumes left
   * out by the caller), as its own: for {@link #latestOwn}. Nothing is written.
   */
  synchronized void journaled(Collection<ModeChangedEvent> changes) {
    changes.forEach(this::remember);
  }

  @Override
  public void onModeChanged(ModeChangedEvent event) {
    if (resuming) {
      return;
    }
    synchronized (this) {
      remember(event);
    }
    if (leading.getAsBoolean()) {
      write(event);
    } else {
      keep(event);
    }
  }

  /**
   * The latest change of {@code workload} this replica made itself, in this run or (from its
   * journal) before a restart; empty when none.
   */
  synchronized Optional<ModeChangedEvent> latestOwn(WorkloadRef workload) {
    return Optional.ofNullable(own.get(workload));
  }

  /**
   * Keeps {@code change} to send on the next {@link #writeUnstored()}, unless a later change of
   * its workload is kept already: e.g. a change from the journal that the store's older entry
   * shows it never took.
   */
  synchronized void keep(ModeChangedEvent change) {
    ModeChangedEvent latest = unstored.get(change.workload());
    if (latest == null || !latest.time().isAfter(change.time())) {
      unstored.put(change.workload(), change);
    }
  }

  /**
   * Tells that the store holds an entry of {@code workload} set at {@code time} (whole seconds):
   * a kept change no newer than that is dropped, since the store holds a later word, or this very
   * change.
   */
  synchronized void storeHolds(WorkloadRef workload, Instant time) {
    ModeChangedEvent kept = unstored.get(workload);
    if (kept != null && !kept.time().truncatedTo(ChronoUnit.SECONDS).isAfter(time)) {
      unstored.remove(workload);
    }
  }

  /**
   * Sends again, in order, the latest change of each workload the store did not take, while this
   * replica leads: one that lost the Lease during its round (a slow store read) must not write
   * its kept changes over the entries of the leader that took over.
   */
  void writeUnstored() {
    List<ModeChangedEvent> again;
    synchronized (this) {
      again = List.copyOf(unstored.values());
    }
    for (ModeChangedEvent e : again) {
      if (!leading.getAsBoolean()) {
        return;
      }
      write(e);
    }
  }

  /** The workloads whose latest change is not stored yet. For tests. */
  synchronized List<WorkloadRef> unstored() {
    return List.copyOf(unstored.keySet());
  }

  private void remember(ModeChangedEvent event) {
    own.merge(event.workload(), event, (a, b) -> a.time().isAfter(b.time()) ? a : b);
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
      } else {
        keep(event);
      }
    }
  }
}
