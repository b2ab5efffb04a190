package dev.prescaler.agent;

import dev.prescaler.core.EngineListener;
import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.k8s.ModeStore;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

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
 * once it has read the store in that term ({@link #read}). Keeping the change is enough for a
 * lapse that ends in a renewal by the same holder, with no new term: no other replica can have
 * held the Lease meanwhile, so nobody else wrote the store and the kept change is still the
 * latest word.
 *
 * <p>Thread-safe: the engine calls it from its tick or from {@code engine.mode}, the agent from its
 * rounds.
 */
final class ModeStoreListener implements EngineListener {
  /*
   * How a new term's read orders this replica's changes against the store's entries. The Lease
   * orders the terms; the replicas' wall clocks do not order anything, since they may disagree.
   * Within a term this replica knows, for each workload, the entry it last saw: the one its
   * term's read found, or the one it wrote itself. Each change remembers that entry as its base;
   * a change made in a term before this replica saw the entry (its term's read failed, or has not
   * come yet) has an unknown base until that read, which then sets it. An entry seen in an
   * earlier term is no base: another leader may have written since. At a later read:
   * - a change of this run that the store took is never sent again: the store's entry is that
   *   change, or a later leader's word;
   * - a change the store did not take is sent again only when the store still holds its base (or
   *   it was made in the current term, whose leader alone writes): any other entry was written by
   *   another leader after this replica's term, and the store wins;
   * - a change whose base is unknown (from the journal, whether the store took it or not; or
   *   made before this replica read the store, in an earlier term that never read it) is
   *   compared by time with the entry, which holds only while the replicas' clocks agree (the
   *   README says so). No entry tells no time: the change's write may have failed, or the store
   *   may have been reset (renamed, or the entry pruned while the workload was out of the
   *   configuration), so only a demotion (to observe-only, the safe direction) wins over it; a
   *   promotion does not, lest it come back from before a reset (the engine keeps it in this
   *   run; a replica taking over earns it again). That read makes its base known: from then on
   *   it follows the rules above, and one from the journal counts as made in that read's term.
   * Changes are ordered by the order they were made (this listener hears them in that order, and
   * the journal holds them in that order), never by their times: a clock stepped back must not
   * make an earlier promotion win over a later demotion.
   */

  /** Stores one mode change; whether the store took it. */
  @FunctionalInterface
  interface Writer {
    boolean write(ModeChangedEvent event);

    /**
     * Tells that the change of {@code workload} the store did not take is no longer sent (see
     * {@link ModeStore#endWrites}); by default nothing.
     */
    default void dropped(WorkloadRef workload, String why) {}
  }

  /**
   * A change this replica made itself.
   *
   * @param seq the order it was made in (from the journal first, then this run)
   * @param term the term it was made in; for one from the journal, the term of the first read
   *     that compared it, and -1 until then
   * @param base the store's entry of the workload this replica last saw before the change (empty:
   *     no entry), in the change's term; null when unknown (from the journal, or made before this
   *     replica read the store in that term), until a read compares it
   */
  private record Own(ModeChangedEvent change, long seq, long term,
      Optional<ModeStore.Entry> base) {
    Own rebased(Optional<ModeStore.Entry> newBase) {
      return new Own(change, seq, term, newBase);
    }
  }

  private final Writer writer;
  private final BooleanSupplier leading;
  private volatile boolean resuming;
  /** The latest change of each workload this replica made itself (guarded by this). */
  private final Map<WorkloadRef, Own> own = new HashMap<>();
  /** The latest own change of each workload the store did not take (guarded by this). */
  private final Map<WorkloadRef, Own> unstored = new LinkedHashMap<>();
  /**
   * The store's entry of each workload this replica last saw in the current term, read or written
   * by itself (empty: none); no key when it has not seen it in this term (guarded by this).
   */
  private final Map<WorkloadRef, Optional<ModeStore.Entry>> seen = new HashMap<>();
  /** The order of the next own change (guarded by this). */
  private long nextSeq;
  /** The current term, counted by {@link #newTerm()} (guarded by this). */
  private long term;

  ModeStoreListener(ModeStore store, BooleanSupplier leading) {
    this(writer(Objects.requireNonNull(store, "store")), leading);
  }

  /** Writes to {@code store}, and ends a workload's run of failed writes when it is dropped. */
  private static Writer writer(ModeStore store) {
    return new Writer() {
      @Override
      public boolean write(ModeChangedEvent event) {
        return store.write(entry(event)).stored();
      }

      @Override
      public void dropped(WorkloadRef workload, String why) {
        store.endWrites(workload, why);
      }
    };
  }

  ModeStoreListener(Writer writer, BooleanSupplier leading) {
    this.writer = Objects.requireNonNull(writer, "writer");
    this.leading = Objects.requireNonNull(leading, "leading");
  }

  /** The store's entry of {@code change}. */
  static ModeStore.Entry entry(ModeChangedEvent change) {
    return new ModeStore.Entry(change.workload(), change.to(), change.time(), change.reason());
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
   * Takes the changes this replica made itself before a restart, from its journal in the order
   * they were made (resumes left out by the caller), as its own: for {@link #latestOwn} and
   * {@link #read}. Nothing is written.
   */
  synchronized void journaled(Collection<ModeChangedEvent> changes) {
    changes.forEach(c -> own.put(c.workload(), new Own(c, nextSeq++, -1, null)));
  }

  /**
   * Tells that this replica starts a new term as leader: another replica may have led, and
   * written the store, since its earlier changes.
   */
  synchronized void newTerm() {
    term++;
    // What this replica saw in its earlier terms is no base: another leader may have written
    // since. A change made before this term's read has an unknown base until that read.
    seen.clear();
  }

  @Override
  public void onModeChanged(ModeChangedEvent event) {
    if (resuming) {
      return;
    }
    send(event);
  }

  /**
   * Stores {@code change}, a mode this replica sets in the store as its own word: written at once
   * while it leads, else (or when the write fails) kept and sent again by {@link
   * #writeUnstored()}. The engine's own changes come through {@link #onModeChanged}; the agent
   * sends the kill switch's record this way.
   */
  void send(ModeChangedEvent change) {
    Own o;
    synchronized (this) {
      o = new Own(change, nextSeq++, term, seen.get(change.workload()));
      own.put(change.workload(), o);
    }
    if (leading.getAsBoolean()) {
      write(o);
    } else {
      synchronized (this) {
        keep(o);
      }
    }
  }

  /**
   * The latest change of {@code workload} this replica made itself, in this run or (from its
   * journal) before a restart; empty when none.
   */
  synchronized Optional<ModeChangedEvent> latestOwn(WorkloadRef workload) {
    return Optional.ofNullable(own.get(workload)).map(Own::change);
  }

  /**
   * Takes the store's entry of {@code workload} read at a term's start (empty: none), and says
   * whether this replica's latest change of it must be stored over that entry rather than the
   * entry resumed (see the notes at the top of the class). That change is then kept, to be sent
   * by {@link #writeUnstored()}, when {@code applied} (the engine still holds its mode); else,
   * or when the entry wins, nothing of the workload is kept.
   *
   * <p>A kept change dropped so ends its run of failed writes ({@link Writer#dropped}): it is
   * not sent again, so a later failed write of the workload is the first of a new run.
   *
   * @return the change that wins over the entry; empty when the entry wins (or there is none)
   */
  Optional<ModeChangedEvent> read(WorkloadRef workload, Optional<ModeStore.Entry> entry,
      Predicate<ModeChangedEvent> applied) {
    boolean keptBefore;
    boolean keptAfter;
    Optional<ModeChangedEvent> out;
    synchronized (this) {
      keptBefore = unstored.containsKey(workload);
      out = compare(workload, entry, applied);
      keptAfter = unstored.containsKey(workload);
    }
    if (keptBefore && !keptAfter) {
      // Outside this listener's lock, as every call to the store is.
      writer.dropped(workload, out.isEmpty()
          ? "the store's entry wins over this replica's change"
          : "the engine no longer holds the mode of this replica's change");
    }
    return out;
  }

  /** The body of {@link #read}, under this listener's lock. */
  private Optional<ModeChangedEvent> compare(WorkloadRef workload,
      Optional<ModeStore.Entry> entry, Predicate<ModeChangedEvent> applied) {
    seen.put(workload, entry);
    Own latest = own.get(workload);
    Own kept = unstored.get(workload);
    boolean wins;
    if (latest == null) {
      wins = false;
    } else if (latest.term() >= 0 && (kept == null || kept.seq() != latest.seq())) {
      wins = false; // the store took it: its entry is this change or a later leader's word
    } else if (latest.term() == term) {
      wins = true; // made in this term: nobody else wrote since
    } else if (latest.base() != null) {
      wins = latest.base().equals(entry);
    } else {
      // No entry may be a failed write or a reset (a renamed store, a pruned entry): only a
      // demotion wins over it, never a promotion from before the reset.
      wins = entry.isEmpty() ? latest.change().to() == Mode.OBSERVE_ONLY
          : latest.change().time().truncatedTo(ChronoUnit.SECONDS).isAfter(entry.get().time());
    }
    if (latest != null && (wins || latest.term() < 0)) {
      // This replica now knows the entry the change is compared with (for one made before its
      // term's read, the entry it was made over): later terms compare with it, by the term rule.
      // One from the journal counts as made in this term, whether it wins or loses.
      latest = new Own(latest.change(), latest.seq(), latest.term() < 0 ? term : latest.term(),
          entry);
      own.put(workload, latest);
    }
    if (wins && applied.test(latest.change())) {
      unstored.put(workload, latest);
      return Optional.of(latest.change());
    }
    unstored.remove(workload);
    return wins ? Optional.of(latest.change()) : Optional.empty();
  }

  /**
   * Sends again, in order, the latest change of each workload the store did not take, while this
   * replica leads: one that lost the Lease during its round (a slow store read) must not write
   * its kept changes over the entries of the leader that took over.
   */
  void writeUnstored() {
    List<Own> again;
    synchronized (this) {
      again = List.copyOf(unstored.values());
    }
    for (Own o : again) {
      if (!leading.getAsBoolean()) {
        return;
      }
      write(o);
    }
  }

  /** The workloads whose latest change is not stored yet. For tests. */
  synchronized List<WorkloadRef> unstored() {
    return List.copyOf(unstored.keySet());
  }

  /** Keeps {@code o} to send again, unless a change of its workload made later is kept. */
  private void keep(Own o) {
    Own kept = unstored.get(o.change().workload());
    if (kept == null || kept.seq() <= o.seq()) {
      unstored.put(o.change().workload(), o);
    }
  }

  private void write(Own o) {
    boolean stored = writer.write(o.change());
    WorkloadRef workload = o.change().workload();
    synchronized (this) {
      Own kept = unstored.get(workload);
      if (!stored) {
        keep(o);
        return;
      }
      Optional<ModeStore.Entry> written = Optional.of(entry(o.change()));
      seen.put(workload, written);
      if (kept == null || kept.seq() <= o.seq()) {
        unstored.remove(workload); // this one, or an older one, is done
      } else {
        // A later change kept for a retry stays; the store now holds what this replica wrote,
        // which becomes its base wherever it is held.
        Own rebased = kept.rebased(written);
        unstored.put(workload, rebased);
        if (own.get(workload).seq() == kept.seq()) {
          own.put(workload, rebased);
        }
      }
    }
  }
}
