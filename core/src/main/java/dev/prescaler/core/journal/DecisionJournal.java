package dev.prescaler.core.journal;

import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
import java.util.OptionalLong;

/**
 * The durable record of every decision. The engine appends exactly one record per workload per
 * tick, and later a {@link FollowUp} (for analysis; the engine does not learn from it) for
 * decisions whose effect is worth a look.
 * Implementations must be thread-safe; an exception is contained by the engine (logged, counted)
 * and never stops a tick.
 */
public interface DecisionJournal extends AutoCloseable {

  /** Appends a record. */
  void append(DecisionRecord record);

  /** Attaches what followed to the record of that sequence number. Default: ignored. */
  default void followUp(long sequence, WorkloadRef workload, FollowUp followUp) {}

  /** Records a promotion or demotion of a workload between modes. Default: ignored. */
  default void modeChanged(ModeChangedEvent event) {}

  /**
   * The highest sequence number of a record this journal holds (or held: one rotated out or
   * dropped counts too), or empty when it holds none or cannot tell. The engine numbers its
   * records after it, from its build on, so that an engine started on a journal without
   * restoring any record (a restart after the restore window) does not reuse the numbers its
   * follow-ups are keyed by. It should be cheap: the engine asks once, when it is built. Default:
   * empty (the engine numbers from 0, or after the records it is restored from).
   */
  default OptionalLong lastSequence() {
    return OptionalLong.empty();
  }

  /** Makes appended records durable. Default: nothing. */
  default void flush() {}

  /** Flushes and releases resources. */
  @Override
  default void close() {
    flush();
  }

  /** A journal that keeps nothing. */
  DecisionJournal NOOP = record -> {};
}
