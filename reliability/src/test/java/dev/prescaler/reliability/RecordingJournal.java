package dev.prescaler.reliability;

import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.FollowUp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A journal that records every append the engine attempts, then, when told the disk is full,
 * throws {@code UncheckedIOException("No space left on device")} as a file journal would.
 */
final class RecordingJournal implements DecisionJournal {
  private final List<DecisionRecord> attempts = new ArrayList<>();
  private volatile boolean full;

  /** Makes every later append and follow-up fail (or succeed again). */
  void diskFull(boolean isFull) {
    this.full = isFull;
  }

  boolean isFull() {
    return full;
  }

  synchronized List<DecisionRecord> attempts() {
    return List.copyOf(attempts);
  }

  @Override
  public synchronized void append(DecisionRecord record) {
    attempts.add(record);
    failIfFull();
  }

  @Override
  public synchronized void followUp(long sequence, WorkloadRef workload, FollowUp followUp) {
    failIfFull();
  }

  private void failIfFull() {
    if (full) {
      throw new UncheckedIOException("journal: write failed",
          new IOException("No space left on device"));
    }
  }
}
