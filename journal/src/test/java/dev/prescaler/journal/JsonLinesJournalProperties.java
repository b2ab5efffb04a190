package dev.prescaler.journal;

import static dev.prescaler.journal.JournalFixtures.T0;
import static dev.prescaler.journal.JournalFixtures.TICK;
import static dev.prescaler.journal.JournalFixtures.record;
import static dev.prescaler.journal.JournalFixtures.size;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.FollowUp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated journal lives: appends of three workloads, mode changes, follow-ups, writes that fail
 * half-way (sometimes with a cut-back that fails too), reopenings (sometimes by an engine that
 * numbers from 0 again, without a restore) and rotations at a small limit.
 */
class JsonLinesJournalProperties {
  /** Generated lives per property. */
  static final int EXAMPLES = 40;

  private static final WorkloadRef[] WORKLOADS = {WorkloadRef.deployment("shop", "web"),
      WorkloadRef.deployment("shop", "api"), WorkloadRef.statefulSet("data", "db")};
  private static final Mode[] MODES = Mode.values();

  @TempDir Path dir;

  /**
   * Whatever happened: {@code read} returns a suffix of the records whose append succeeded, in
   * append order and with their follow-ups, ending with the last one; {@code readSince} returns
   * that suffix's records at or after the instant; {@code readModeChanges} ends, for each
   * workload, with its last successfully journaled change, and returns no change twice; no line
   * is skipped unless a fragment could not be cut back; each file stays within the limit plus
   * the carried modes and one line.
   */
  @Test
  void readsASuffixOfWhatWasWrittenAndTheLatestModes() {
    qt().withExamples(EXAMPLES).withShrinkCycles(20).forAll(longs().all())
        .checkAssert(this::live);
  }

  private void live(long seed) {
    Random random = new Random(seed);
    Path file = dir.resolve("j-" + Long.toHexString(seed) + ".jsonl");
    long limit = 1024 + random.nextInt(5000);
    FaultyChannel.Faults faults = new FaultyChannel.Faults();
    List<DecisionRecord> written = new ArrayList<>();
    Map<WorkloadRef, ModeChangedEvent> modes = new LinkedHashMap<>();
    boolean fragmentsPossible = false;
    long seq = 0;
    Instant now = T0;
    JsonLinesJournal[] j = {open(file, limit, faults)};  // replaced when reopened
    try {
      int ops = 30 + random.nextInt(80);
      for (int op = 0; op < ops; op++) {
        int dice = random.nextInt(100);
        boolean fail = random.nextInt(100) < 10;
        if (fail) {
          faults.nextWriteFailsAfter = random.nextInt(120);  // less than any line
          faults.truncateFails = random.nextInt(3) == 0;
          fragmentsPossible |= faults.truncateFails;
        }
        if (dice < 70) {
          now = now.plus(TICK);
          DecisionRecord r = record(seq++, now, WORKLOADS[random.nextInt(WORKLOADS.length)]);
          if (attempt(() -> j[0].append(r), fail)) {
            written.add(r);
          }
        } else if (dice < 80) {
          WorkloadRef w = WORKLOADS[random.nextInt(WORKLOADS.length)];
          ModeChangedEvent e = new ModeChangedEvent(w, now, MODES[random.nextInt(MODES.length)],
              MODES[random.nextInt(MODES.length)], "op " + op);
          if (attempt(() -> j[0].modeChanged(e), fail)) {
            modes.put(w, e);
          }
        } else if (dice < 90 && !written.isEmpty()) {
          DecisionRecord target = written.get(written.size() - 1 - random.nextInt(
              Math.min(written.size(), 8)));
          FollowUp f = new FollowUp(now, op, op, Map.of("rps", (double) op));
          if (attempt(() -> j[0].followUp(target.sequence(), target.workload(), f), fail)) {
            for (int i = written.size() - 1; i >= 0; i--) {
              DecisionRecord r = written.get(i);
              if (r.sequence() == target.sequence() && r.workload().equals(target.workload())) {
                written.set(i, r.withFollowUp(f));
                break;
              }
            }
          }
        } else {
          faults.nextWriteFailsAfter = -1;
          faults.truncateFails = false;
          j[0].close();
          j[0] = open(file, limit, faults);
          if (random.nextBoolean()) {
            seq = random.nextInt(3);  // a run without restore numbers from 0 again
          }
        }
        faults.nextWriteFailsAfter = -1;
        if (random.nextInt(4) == 0) {
          faults.truncateFails = false;
        }
      }
    } finally {
      faults.truncateFails = false;
      j[0].close();
    }

    List<String> skipped = new ArrayList<>();
    List<DecisionRecord> read = JsonLinesJournal.read(file, null, skipped::add);
    // A suffix, possibly empty: with limits this small a file holds a record or two, and two
    // rotations after the last record (carried modes, follow-ups, reopens) leave none of them.
    assertThat(read).isEqualTo(written.subList(written.size() - read.size(), written.size()));
    if (!fragmentsPossible) {
      assertThat(skipped).isEmpty();
    }
    if (!read.isEmpty()) {
      Instant since = read.get(random.nextInt(read.size())).time();
      assertThat(JsonLinesJournal.readSince(file, since))
          .isEqualTo(read.stream().filter(r -> !r.time().isBefore(since)).toList());
    }

    List<ModeChangedEvent> back = JsonLinesJournal.readModeChanges(file);
    assertThat(new HashSet<>(back)).hasSameSizeAs(back);
    Map<WorkloadRef, ModeChangedEvent> latest = new LinkedHashMap<>();
    back.forEach(e -> latest.put(e.workload(), e));
    assertThat(latest).isEqualTo(modes);

    long slack = 3 * 300 + 2 * 800 + 300;  // carried modes, a line, a fragment
    assertThat(size(file)).isLessThanOrEqualTo(limit + slack);
    assertThat(size(JsonLinesJournal.rotatedFileOf(file))).isLessThanOrEqualTo(limit + slack);
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(JsonLinesJournal.rotatedFileOf(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonLinesJournal open(Path file, long limit, FaultyChannel.Faults faults) {
    return JsonLinesJournal.builder(file).maxFileSize(limit).channels(faults.opener()).build();
  }

  /** Runs a write that must fail when a failure was injected, and succeed otherwise. */
  private static boolean attempt(Runnable write, boolean fail) {
    if (fail) {
      assertThatThrownBy(write::run).isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("No space left on device");
      return false;
    }
    write.run();
    return true;
  }
}
