package dev.prescaler.reliability;

import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.FollowUp;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A journal that records every append the engine attempts, then, when told the disk is full,
 * throws {@code UncheckedIOException("No space left on device")} as a file journal would.
 */
final class RecordingJournal implements DecisionJournal {
  private final List<DecisionRecord> attempts = new ArrayList<>();
  private volatile boolean full;
  private int followUps;

  /** Makes every later append and follow-up fail (or succeed again). */
  void diskFull(boolean isFull) {
    this.full = isFull;
  }

  synchronized List<DecisionRecord> attempts() {
    return List.copyOf(attempts);
  }

  synchronized int followUps() {
    return followUps;
  }

  @Override
  public synchronized void append(DecisionRecord record) {
    attempts.add(record);
    failIfFull();
  }

  @Override
  public synchronized void followUp(long sequence, WorkloadRef workload, FollowUp followUp) {
    followUps++;
    failIfFull();
  }

  private void failIfFull() {
    if (full) {
      throw new UncheckedIOException("journal: write failed",
          new IOException("No space left on device"));
    }
  }
}
