package dev.prescaler.journal;

import static dev.prescaler.journal.JournalFixtures.T0;
import static dev.prescaler.journal.JournalFixtures.WEB;
import static dev.prescaler.journal.JournalFixtures.engine;
import static dev.prescaler.journal.JournalFixtures.lineLength;
import static dev.prescaler.journal.JournalFixtures.mode;
import static dev.prescaler.journal.JournalFixtures.record;
import static dev.prescaler.journal.JournalFixtures.write;
import static dev.prescaler.journal.JournalFixtures.writeRecords;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.testkit.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal tells the engine the highest sequence number it holds, so that an engine started
 * on it without restoring any record (a restart after the restore window) numbers after it.
 */
class JsonLinesJournalSequenceTest {
  @TempDir Path dir;

  // The file held [0,1,2,0,1,2,3] after a restart that restored nothing, and a follow-up keyed by
  // sequence and workload could attach to the earlier run's record.
  @Test
  void anEngineStartedWithoutARestoreNumbersAfterTheRecordsInTheFile() {
    Path file = dir.resolve("engine.jsonl");
    writeRecords(file, 3);
    ManualClock clock = new ManualClock(T0.plus(Duration.ofHours(3)));
    AutoscalerEngine engine = engine(file, clock, (s, now) -> Observation.of(now,
        ReplicaStatus.of(2, 2), MetricReading.of("rps", 150, now)));
    for (int i = 0; i < 4; i++) {
      engine.tick();
      clock.advance(Duration.ofSeconds(15));
    }
    engine.close();
    assertThat(JsonLinesJournal.read(file)).extracting(DecisionRecord::sequence)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
  }

  @Test
  void findsTheLastSequenceOnOpenAcrossTheRotatedFileAndTheCurrentOne() {
    Path file = dir.resolve("journal.jsonl");
    long limit = 3L * lineLength(record(0));
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(limit).build()) {
      assertThat(j.lastSequence()).isEmpty();
      for (long seq = 0; seq < 5; seq++) {
        j.append(record(seq));
      }
      assertThat(j.lastSequence()).hasValue(4);
    }
    assertThat(Files.exists(JsonLinesJournal.rotatedFileOf(file))).isTrue();
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(limit).build()) {
      assertThat(j.lastSequence()).hasValue(4);
    }
  }

  @Test
  void theHighestSequenceWinsWhateverTheOrderOfTheLines() {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(41));
      j.modeChanged(mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.ACT));
      j.append(record(7)); // an engine of before this fix, started over at 0
      j.append(record(8));
    }
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      assertThat(j.lastSequence()).hasValue(41);
    }
  }

  @Test
  void aLineInAnotherShapeIsReadInFullAndOneCutBeforeItsTimeDoesNotCount() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    String line = JsonLinesJournal.toJson(record(12)).toString();
    // The same record with its fields in another order: not sniffed, parsed.
    String reordered = "{\"sequence\":12," + line.substring(1).replace("\"sequence\":12,", "");
    write(file, reordered + "\n{\"type\":\"decision\",\"sequence\":99\n");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      assertThat(j.lastSequence()).hasValue(12);
    }
    assertThat(JsonLinesJournal.read(file)).extracting(DecisionRecord::sequence)
        .containsExactly(12L);
  }

  @Test
  void aFileOfModeChangesOnlyHoldsNoSequence() {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.modeChanged(mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.ACT));
    }
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      assertThat(j.lastSequence()).isEmpty();
    }
  }
}
