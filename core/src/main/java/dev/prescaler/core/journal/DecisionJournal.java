package dev.prescaler.core.journal;

import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;

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
