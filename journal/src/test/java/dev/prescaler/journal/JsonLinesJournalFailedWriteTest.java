package dev.prescaler.journal;

import static dev.prescaler.journal.JournalFixtures.T0;
import static dev.prescaler.journal.JournalFixtures.WEB;
import static dev.prescaler.journal.JournalFixtures.lineLength;
import static dev.prescaler.journal.JournalFixtures.mode;
import static dev.prescaler.journal.JournalFixtures.record;
import static dev.prescaler.journal.JournalFixtures.size;
import static dev.prescaler.journal.JournalFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.journal.DecisionRecord;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes that fail half-way, as on a full disk: no fragment is ever glued to a later line. */
class JsonLinesJournalFailedWriteTest {
  @TempDir Path dir;

  private final FaultyChannel.Faults faults = new FaultyChannel.Faults();

  private JsonLinesJournal open(Path file, long maxFileSize) {
    return JsonLinesJournal.builder(file).maxFileSize(maxFileSize).channels(faults.opener())
        .build();
  }

  @Test
  void aWriteThatFailsHalfWayIsCutBackSoTheNextLineStandsAlone() {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = open(file, JsonLinesJournal.DEFAULT_MAX_FILE_SIZE)) {
      j.append(record(0));
      faults.nextWriteFailsAfter = 100;
      assertThatThrownBy(() -> j.append(record(1)))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageStartingWith("journal file " + file + ": write failed: ")
          .hasMessageContaining("No space left on device");
      assertThat(faults.failedWrites).isEqualTo(1);
      assertThat(size(file)).as("cut back to the last complete line").isEqualTo(
          lineLength(record(0)));
      j.append(record(2));
    }
    assertReadsWithNoLineSkipped(file, record(0), record(2));
  }

  @Test
  void whenTheCutBackFailsTooTheFragmentIsCutBeforeTheNextLine() {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = open(file, JsonLinesJournal.DEFAULT_MAX_FILE_SIZE)) {
      j.append(record(0));
      faults.nextWriteFailsAfter = 100;
      faults.truncateFails = true;
      assertThatThrownBy(() -> j.append(record(1))).isInstanceOf(UncheckedIOException.class);
      assertThat(size(file)).isEqualTo(lineLength(record(0)) + 100L);
      faults.truncateFails = false;  // the disk has room again
      j.append(record(2));
    }
    assertReadsWithNoLineSkipped(file, record(0), record(2));
  }

  @Test
  void whenTheFragmentCannotBeCutTheNextLineStartsOnALineOfItsOwn() {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = open(file, JsonLinesJournal.DEFAULT_MAX_FILE_SIZE)) {
      j.append(record(0));
      faults.nextWriteFailsAfter = 100;
      faults.truncateFails = true;
      assertThatThrownBy(() -> j.append(record(1))).isInstanceOf(UncheckedIOException.class);
      j.append(record(2));
      j.append(record(3));
    }
    assertThat(text(file).lines()).hasSize(4);
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, null, skipped::add))
        .containsExactly(record(0), record(2), record(3));
    assertThat(skipped).singleElement().asString()
        .startsWith("journal file " + file + ":2: skipped a corrupt line: not JSON: ");
  }

  /** {@code file} reads as exactly {@code records}, and no line of it is skipped as corrupt. */
  private static void assertReadsWithNoLineSkipped(Path file, DecisionRecord... records) {
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, null, skipped::add)).containsExactly(records);
    assertThat(skipped).isEmpty();
  }

  @Test
  void aFailedModeChangeIsNotCarried() {
    Path file = dir.resolve("journal.jsonl");
    ModeChangedEvent kept = mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.HPA_FLOOR);
    ModeChangedEvent failed = mode(WEB, T0.plusSeconds(30), Mode.HPA_FLOOR, Mode.ACT);
    try (JsonLinesJournal j = open(file, 1024)) {
      j.modeChanged(kept);
      faults.nextWriteFailsAfter = 50;
      assertThatThrownBy(() -> j.modeChanged(failed)).isInstanceOf(UncheckedIOException.class);
      for (int seq = 0; seq < 4; seq++) {
        j.append(record(seq));
      }
    }
    assertThat(JsonLinesJournal.readModeChanges(file)).containsExactly(kept);
  }

  @Test
  void aFailedWriteOfTheCarriedModesIsRetriedWithTheNextLine() {
    Path file = dir.resolve("journal.jsonl");
    ModeChangedEvent web = mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.ACT);
    try (JsonLinesJournal j = open(file, 1024)) {
      j.modeChanged(web);
      j.append(record(0));
      faults.nextWriteFailsAfter = 30;  // the rotation's first write: the carried modes
      assertThatThrownBy(() -> j.append(record(1))).isInstanceOf(UncheckedIOException.class);
      assertThat(size(file)).isZero();
      j.append(record(2));
      j.append(record(3));  // rotates again: the carried modes must be in the file it moves
    }
    assertThat(JsonLinesJournal.readModeChanges(file)).containsExactly(web);
    assertThat(JsonLinesJournal.read(file)).containsExactly(record(2), record(3));
  }

  @Test
  void aFileLeftWithOnlyItsCarriedModesIsFilledNotRotatedAway() {
    Path file = dir.resolve("journal.jsonl");
    List<ModeChangedEvent> modes = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      modes.add(mode(WorkloadRef.deployment("shop", "w" + w), T0, Mode.OBSERVE_ONLY, Mode.ACT));
    }
    try (JsonLinesJournal j = open(file, 1024)) {
      modes.forEach(j::modeChanged);
      for (int seq = 0; seq < 3; seq++) {
        j.append(record(seq));  // each in a file of its own, after the three carried modes
      }
    }
    // A crash right after a rotation wrote the carried modes: the new file holds only them,
    // and they and one record do not fit in the limit.
    List<String> lines = text(file).lines().toList();
    assertThat(lines).hasSize(4);
    JournalFixtures.write(file, String.join("\n", lines.subList(0, 3)) + "\n");
    try (JsonLinesJournal j = open(file, 1024)) {
      j.append(record(3));  // goes into that file: rotating it would drop record 1
    }
    assertThat(JsonLinesJournal.read(file)).extracting(DecisionRecord::sequence)
        .containsExactly(1L, 3L);
    assertThat(JsonLinesJournal.readModeChanges(file)).containsExactlyElementsOf(modes);
  }

  /** A device that is always full (Linux {@code /dev/full}): every write fails, nothing hangs. */
  @Test
  void aJournalOnAFullDeviceFailsEachWriteAndNeverRotatesTheDevice() {
    Path full = Path.of("/dev/full");
    assumeTrue(Files.isWritable(full), "a /dev/full device");
    try (JsonLinesJournal j = JsonLinesJournal.builder(full).maxFileSize(1024).build()) {
      for (int seq = 0; seq < 5; seq++) {
        int s = seq;
        assertThatThrownBy(() -> j.append(record(s))).isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining("No space left on device");
      }
      j.flush();
    }
    assertThat(full).exists();
    assertThat(JsonLinesJournal.rotatedFileOf(full)).doesNotExist();
    assertThatThrownBy(() -> JsonLinesJournal.read(full)).isInstanceOf(UncheckedIOException.class)
        .hasMessage("journal file /dev/full cannot be read: java.io.IOException: not a regular "
            + "file");
  }
}
