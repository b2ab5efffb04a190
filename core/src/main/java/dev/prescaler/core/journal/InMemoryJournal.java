package dev.prescaler.core.journal;

import dev.prescaler.core.WorkloadRef;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A bounded in-memory journal: keeps the last {@code capacity} records, dropping the oldest.
 * Thread-safe. Appends and follow-ups are O(1) and O(log capacity): records are kept in a ring in
 * the order they were appended, which for one engine is the order of their increasing sequence
 * numbers, and a follow-up finds its record by binary search (a follow-up for a record already
 * dropped is ignored).
 */
public final class InMemoryJournal implements DecisionJournal {
  /** Default capacity: 10,000 records. */
  public static final int DEFAULT_CAPACITY = 10_000;

  private final DecisionRecord[] ring;
  private int head; // index of the oldest record
  private int size;
  private long dropped;
  private boolean appended;
  private long highest; // of every record appended, once one was

  /** A journal keeping up to {@code capacity} records. */
  public InMemoryJournal(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, but was " + capacity);
    }
    this.ring = new DecisionRecord[capacity];
  }

  /** A journal with {@link #DEFAULT_CAPACITY}. */
  public InMemoryJournal() {
    this(DEFAULT_CAPACITY);
  }

  private DecisionRecord at(int i) {
    int j = head + i;
    return ring[j >= ring.length ? j - ring.length : j];
  }

  private void set(int i, DecisionRecord r) {
    int j = head + i;
    ring[j >= ring.length ? j - ring.length : j] = r;
  }

  @Override
  public synchronized void append(DecisionRecord record) {
    highest = appended ? Math.max(highest, record.sequence()) : record.sequence();
    appended = true;
    if (size == ring.length) {
      ring[head] = record;
      head = head + 1 == ring.length ? 0 : head + 1;
      dropped++;
    } else {
      set(size, record);
      size++;
    }
  }

  @Override
  public synchronized void followUp(long sequence, WorkloadRef workload, FollowUp followUp) {
    if (size == 0 || sequence < at(0).sequence() || sequence > at(size - 1).sequence()) {
      return;
    }
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long s = at(mid).sequence();
      if (s < sequence) {
        lo = mid + 1;
      } else if (s > sequence) {
        hi = mid - 1;
      } else {
        set(mid, at(mid).withFollowUp(followUp));
        return;
      }
    }
    // Not kept (dropped already): nothing to attach it to.
  }

  /** A copy of the records kept, oldest first. */
  public synchronized List<DecisionRecord> records() {
    List<DecisionRecord> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(at(i));
    }
    return out;
  }

  /** The records of one workload, oldest first. */
  public synchronized List<DecisionRecord> records(WorkloadRef workload) {
    List<DecisionRecord> out = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      DecisionRecord r = at(i);
      if (r.workload().equals(workload)) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * The highest sequence number ever appended, including records since dropped or cleared: an
   * engine built on this journal numbers after it.
   */
  @Override
  public synchronized OptionalLong lastSequence() {
    return appended ? OptionalLong.of(highest) : OptionalLong.empty();
  }

  /** How many records were dropped because the journal was full. */
  public synchronized long dropped() {
    return dropped;
  }

  /** Removes every record ({@link #lastSequence()} stays). */
  public synchronized void clear() {
    java.util.Arrays.fill(ring, null);
    head = 0;
    size = 0;
  }
}
