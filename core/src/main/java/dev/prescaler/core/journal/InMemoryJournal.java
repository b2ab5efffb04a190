package dev.prescaler.core.journal;

import dev.prescaler.core.WorkloadRef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A bounded in-memory journal: keeps the last {@code capacity} records, dropping the oldest.
 * Thread-safe.
 */
public final class InMemoryJournal implements DecisionJournal {
  /** Default capacity: 10,000 records. */
  public static final int DEFAULT_CAPACITY = 10_000;

  private final int capacity;
  private final ArrayDeque<DecisionRecord> records;
  private long dropped;

  /** A journal keeping up to {@code capacity} records. */
  public InMemoryJournal(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, but was " + capacity);
    }
    this.capacity = capacity;
    this.records = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  /** A journal with {@link #DEFAULT_CAPACITY}. */
  public InMemoryJournal() {
    this(DEFAULT_CAPACITY);
  }

  @Override
  public synchronized void append(DecisionRecord record) {
    if (records.size() == capacity) {
      records.removeFirst();
      dropped++;
    }
    records.addLast(record);
  }

  @Override
  public synchronized void followUp(long sequence, WorkloadRef workload, FollowUp followUp) {
    // Follow-ups concern recent records: search from the newest end.
    List<DecisionRecord> tail = new ArrayList<>();
    Iterator<DecisionRecord> it = records.descendingIterator();
    while (it.hasNext()) {
      DecisionRecord r = it.next();
      if (r.sequence() == sequence) {
        it.remove();
        tail.add(r.withFollowUp(followUp));
        break;
      }
      if (r.sequence() < sequence) {
        break;
      }
      it.remove();
      tail.add(r);
    }
    for (int i = tail.size() - 1; i >= 0; i--) {
      records.addLast(tail.get(i));
    }
  }

  /** A copy of the records kept, oldest first. */
  public synchronized List<DecisionRecord> records() {
    return new ArrayList<>(records);
  }

  /** The records of one workload, oldest first. */
  public synchronized List<DecisionRecord> records(WorkloadRef workload) {
    List<DecisionRecord> out = new ArrayList<>();
    for (DecisionRecord r : records) {
      if (r.workload().equals(workload)) {
        out.add(r);
      }
    }
    return out;
  }

  /** How many records were dropped because the journal was full. */
  public synchronized long dropped() {
    return dropped;
  }

  /** Removes every record. */
  public synchronized void clear() {
    records.clear();
  }
}
