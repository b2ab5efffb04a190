package dev.prescaler.journal;

import static dev.prescaler.journal.JournalFixtures.T0;
import static dev.prescaler.journal.JournalFixtures.WEB;
import static dev.prescaler.journal.JournalFixtures.engine;
import static dev.prescaler.journal.JournalFixtures.mode;
import static dev.prescaler.journal.JournalFixtures.record;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.FollowUp;
import dev.prescaler.testkit.ManualClock;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes on an interrupted thread. A file channel closes when a thread whose interrupt flag is
 * set uses it, and the engine sets the flag again after an interrupted plug-in call before it
 * journals the hold on the same thread.
 */
class JsonLinesJournalInterruptTest {
  @TempDir Path dir;

  private static final FollowUp FOLLOW = new FollowUp(T0.plusSeconds(300), 4, 4,
      Map.of("rps", 260.0));
  private static final ModeChangedEvent PROMOTED = mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.ACT);

  @Test
  void writesOnAnInterruptedThreadAreMadeAndTheFlagIsKept() {
    Path file = dir.resolve("journal.jsonl");
    JsonLinesJournal j = JsonLinesJournal.open(file);
    j.append(record(0));
    boolean flagAfter;
    Thread.currentThread().interrupt();
    try {
      j.append(record(1));
      j.followUp(1, WEB, FOLLOW);
      j.modeChanged(PROMOTED);
      j.flush();
      j.close();
    } finally {
      flagAfter = Thread.interrupted();
    }
    assertThat(flagAfter).as("the caller's interrupt flag is set again").isTrue();
    assertThat(JsonLinesJournal.read(file)).containsExactly(record(0),
        record(1).withFollowUp(FOLLOW));
    assertThat(JsonLinesJournal.readModeChanges(file)).containsExactly(PROMOTED);
  }

  @Test
  void aChannelClosedByAnInterruptIsReopenedByTheNextWriteFlushOrClose() {
    Path file = dir.resolve("journal.jsonl");
    List<FileChannel> opened = new ArrayList<>();
    JsonLinesJournal j = JsonLinesJournal.builder(file).channels(f -> {
      FileChannel ch = FileChannel.open(f, CREATE, READ, WRITE);
      opened.add(ch);
      return ch;
    }).build();
    j.append(record(0));
    closeByInterrupt(opened.get(0));
    j.append(record(1));
    closeByInterrupt(opened.get(1));
    j.followUp(1, WEB, FOLLOW);
    closeByInterrupt(opened.get(2));
    j.modeChanged(PROMOTED);
    closeByInterrupt(opened.get(3));
    j.flush();
    j.append(record(2));
    closeByInterrupt(opened.get(4));
    j.close();
    assertThat(opened).hasSize(6);
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, null, skipped::add)).containsExactly(record(0),
        record(1).withFollowUp(FOLLOW), record(2));
    assertThat(JsonLinesJournal.readModeChanges(file)).containsExactly(PROMOTED);
    assertThat(skipped).isEmpty();
  }

  @Test
  void aWriteCutShortByAnInterruptLeavesNothingOfItsLine() {
    Path file = dir.resolve("journal.jsonl");
    FaultyChannel.Faults faults = new FaultyChannel.Faults();
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).channels(faults.opener()).build()) {
      j.append(record(0));
      faults.nextWriteInterrupted = true;  // the line is stored whole, then the channel closes
      assertThatThrownBy(() -> j.append(record(1))).isInstanceOf(UncheckedIOException.class)
          .hasMessageStartingWith("journal file " + file + ": write failed: ")
          .hasMessageContaining("ClosedByInterruptException");
      assertThat(faults.failedWrites).isEqualTo(1);
      j.append(record(2));
    }
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, null, skipped::add)).as("a failed append leaves "
        + "nothing, as the javadoc says").containsExactly(record(0), record(2));
    assertThat(skipped).isEmpty();
  }

  /**
   * The engine's own case: a plug-in call is interrupted, the flag is set again on the ticking
   * thread (by the engine after a timed-out call, or by a plug-in that restores it as it should),
   * and the tick then journals its hold on that thread.
   */
  @Test
  void anEngineTickLeftWithTheInterruptFlagSetJournalsItsHoldAndTheNextTicks() {
    Path file = dir.resolve("engine.jsonl");
    ManualClock clock = new ManualClock(T0);
    int[] reads = {0};
    AutoscalerEngine engine = engine(file, clock, (s, now) -> {
      if (reads[0]++ == 0) {
        Thread.currentThread().interrupt(); // interrupted while waiting for its server
        throw new IllegalStateException("rps read interrupted");
      }
      return Observation.of(now, ReplicaStatus.of(2, 2), MetricReading.of("rps", 250, now));
    });
    boolean flagAfter;
    try {
      engine.tick();
    } finally {
      flagAfter = Thread.interrupted();
    }
    clock.advance(Duration.ofSeconds(15));
    engine.tick();
    engine.close();
    assertThat(flagAfter).isTrue();
    List<DecisionRecord> records = JsonLinesJournal.read(file);
    assertThat(records).extracting(DecisionRecord::kind)
        .containsExactly(DecisionRecord.Kind.HOLD, DecisionRecord.Kind.SCALE);
    assertThat(records.get(0).reasons().toString()).contains("rps read interrupted");
  }

  /** Closes a channel as an interrupt does: IO on it from a thread whose flag is set. */
  private static void closeByInterrupt(FileChannel ch) {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(ch::size).isInstanceOf(ClosedByInterruptException.class);
    } finally {
      Thread.interrupted();
    }
    assertThat(ch.isOpen()).isFalse();
  }
}
