package dev.prescaler.journal;

import static dev.prescaler.journal.JournalFixtures.API;
import static dev.prescaler.journal.JournalFixtures.T0;
import static dev.prescaler.journal.JournalFixtures.TICK;
import static dev.prescaler.journal.JournalFixtures.WEB;
import static dev.prescaler.journal.JournalFixtures.lineLength;
import static dev.prescaler.journal.JournalFixtures.mode;
import static dev.prescaler.journal.JournalFixtures.record;
import static dev.prescaler.journal.JournalFixtures.size;
import static dev.prescaler.journal.JournalFixtures.writeRecords;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.FollowUp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation at the size limit, what survives it, and reading across the two files. */
class JsonLinesJournalRotationTest {
  @TempDir Path dir;

  private static final int LINE = lineLength(record(0));

  @Test
  void rotatesToDotOneBeforeALineWouldPassTheLimitAndKeepsOneRotatedFile() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    long limit = 3L * LINE;  // three records per file
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(limit).build()) {
      for (int seq = 0; seq < 10; seq++) {
        j.append(record(seq));
        assertThat(size(file)).as("after record %d", seq).isLessThanOrEqualTo(limit);
        assertThat(size(JsonLinesJournal.rotatedFileOf(file))).isLessThanOrEqualTo(limit);
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("journal.jsonl", "journal.jsonl.1", "journal.jsonl.lock");
    }
    // Files of 0-2, 3-5, 6-8 and 9: the first two are gone.
    assertThat(JsonLinesJournal.read(file)).extracting(DecisionRecord::sequence)
        .containsExactly(6L, 7L, 8L, 9L);
    assertThat(Files.readAllLines(file)).hasSize(1);
    assertThat(Files.readAllLines(JsonLinesJournal.rotatedFileOf(file))).hasSize(3);
  }

  @Test
  void eachRotationForcesTheDirectoryAfterTheRename() {
    // Forcing the file does not force its new name: after a power loss the rotated file or the
    // new one could be missing.
    Path file = dir.resolve("journal.jsonl");
    List<String> events = new ArrayList<>();
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(3L * LINE)
        .directories(d -> events.add("forced " + d.getFileName() + " with "
            + Files.exists(JsonLinesJournal.rotatedFileOf(file)) + " " + size(file)))
        .build()) {
      for (int seq = 0; seq < 7; seq++) {
        j.append(record(seq));
      }
    }
    // Made (empty), then after each of the two rotations: the rotated file there, the new file
    // not written yet.
    assertThat(events).containsExactly("forced " + dir.getFileName() + " with false 0",
        "forced " + dir.getFileName() + " with true 0",
        "forced " + dir.getFileName() + " with true 0");
  }

  @Test
  void rotationThroughASymbolicLinkMovesTheFileNotTheLink() throws IOException {
    Path real = dir.resolve("journal.jsonl");
    Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), real);
    try (JsonLinesJournal j = JsonLinesJournal.builder(link).maxFileSize(3L * LINE).build()) {
      for (int seq = 0; seq < 5; seq++) {
        j.append(record(seq));
      }
    }
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.isRegularFile(JsonLinesJournal.rotatedFileOf(real))).isTrue();
    assertThat(JsonLinesJournal.read(link)).extracting(DecisionRecord::sequence)
        .containsExactly(0L, 1L, 2L, 3L, 4L);
  }

  @Test
  void rotatedFileIsNamedDotOneBesideTheJournal() {
    assertThat(JsonLinesJournal.rotatedFileOf(Path.of("/var/lib/prescaler/journal.jsonl")))
        .isEqualTo(Path.of("/var/lib/prescaler/journal.jsonl.1"));
  }

  @Test
  void reopeningAFullFileRotatesAtTheNextLine() {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      for (int seq = 0; seq < 5; seq++) {
        j.append(record(seq));
      }
    }
    // An old unbounded journal, now opened with a limit it already passes.
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(2L * LINE).build()) {
      j.append(record(5));
    }
    assertThat(JsonLinesJournal.read(file)).extracting(DecisionRecord::sequence)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(size(file)).isEqualTo(LINE);
  }

  @Test
  void theLatestModeOfEachWorkloadSurvivesAnyNumberOfRotations() {
    Path file = dir.resolve("journal.jsonl");
    ModeChangedEvent webFirst = mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.HPA_FLOOR);
    ModeChangedEvent api = mode(API, T0.plusSeconds(5), Mode.OBSERVE_ONLY, Mode.ACT);
    ModeChangedEvent webLater = mode(WEB, T0.plusSeconds(600), Mode.HPA_FLOOR, Mode.ACT);
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(1024).build()) {
      j.modeChanged(webFirst);
      j.modeChanged(api);
      for (int seq = 0; seq < 20; seq++) {  // one record per file: 20 rotations
        j.append(record(seq));
      }
      assertThat(JsonLinesJournal.readModeChanges(file)).containsExactly(webFirst, api);
      j.modeChanged(webLater);
      for (int seq = 20; seq < 40; seq++) {
        j.append(record(seq));
      }
    }
    // Only carried copies are left, once each, oldest first.
    assertThat(JsonLinesJournal.readModeChanges(file)).containsExactly(api, webLater);
    assertThat(JsonLinesJournal.read(file)).extracting(DecisionRecord::sequence)
        .containsExactly(38L, 39L);
  }

  @Test
  void modesSurviveRotationsAfterTheJournalIsReopened() {
    Path file = dir.resolve("journal.jsonl");
    ModeChangedEvent web = mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.ACT);
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(1024).build()) {
      j.modeChanged(web);
      j.append(record(0));
      j.append(record(1));
    }
    for (int run = 1; run <= 3; run++) {
      try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(1024).build()) {
        for (int seq = 0; seq < 3; seq++) {
          j.append(record(10L * run + seq));
        }
      }
      assertThat(JsonLinesJournal.readModeChanges(file)).as("run %d", run).containsExactly(web);
    }
  }

  @Test
  void modesSurviveACrashBetweenTheRenameAndTheNewFile() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    Path rotated = JsonLinesJournal.rotatedFileOf(file);
    ModeChangedEvent web = mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.ACT);
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(1024).build()) {
      j.modeChanged(web);
      j.append(record(0));
    }
    Files.move(file, rotated);  // renamed, then the crash: no current file
    assertThat(JsonLinesJournal.read(file)).containsExactly(record(0));
    assertThat(JsonLinesJournal.readModeChanges(file)).containsExactly(web);
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(1024).build()) {
      for (int seq = 1; seq < 4; seq++) {
        j.append(record(seq));
      }
    }
    assertThat(JsonLinesJournal.readModeChanges(file)).containsExactly(web);
    assertThat(JsonLinesJournal.read(file)).containsExactly(record(2), record(3));
  }

  @Test
  void manyCarriedModesStillLeaveEveryRecordReadable() {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(1024).build()) {
      // Carried lines of 6 workloads fill more than a 1 KiB file: each new file holds them and
      // one record.
      for (int w = 0; w < 6; w++) {
        j.modeChanged(mode(WorkloadRef.deployment("shop", "w" + w), T0,
            Mode.OBSERVE_ONLY, Mode.ACT));
      }
      j.append(record(0));
      j.append(record(1));
    }
    assertThat(JsonLinesJournal.read(file)).containsExactly(record(0), record(1));
    assertThat(JsonLinesJournal.readModeChanges(file)).hasSize(6);
  }

  /**
   * Catches the modes of workloads gone for good carried to every new file for ever: 400 preview
   * workloads that changed mode once and were then unregistered made a top of 92 KB on every
   * new file; past the 64 KiB limit every append rotated, and 2 of 240 later decisions could be
   * read back. A mode is carried until its workload has written no line in a whole file and for
   * a day; a workload still deciding keeps its mode, and so does one idle for a day but written
   * in the file just closed.
   */
  @Test
  void theModesOfWorkloadsGoneForADayAreNoLongerCarried() {
    Path file = dir.resolve("journal.jsonl");
    ModeChangedEvent web = mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.ACT);
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(64 << 10).build()) {
      j.modeChanged(web);
      for (int w = 0; w < 400; w++) {
        j.modeChanged(mode(WorkloadRef.deployment("preview-" + w, "web"), T0,
            Mode.OBSERVE_ONLY, Mode.ACT));
      }
      // Only shop/web goes on deciding (every 15 minutes here, every tick in use), for a day
      // and more.
      Instant t = T0;
      for (int seq = 0; seq < 4 * 24 + 240; seq++) {
        t = t.plus(java.time.Duration.ofMinutes(15));
        j.append(record(seq, t, WEB));
      }
    }
    assertThat(JsonLinesJournal.read(file).size()).as("decisions read back").isGreaterThan(100);
    assertThat(JsonLinesJournal.readModeChanges(file)).containsExactly(web);
  }

  @Test
  void aModeIsCarriedWhileItsWorkloadStillWritesThoughItsTimesJumpADay() {
    Path file = dir.resolve("journal.jsonl");
    ModeChangedEvent api = mode(API, T0, Mode.OBSERVE_ONLY, Mode.ACT);
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(2L * LINE).build()) {
      j.modeChanged(api);
      j.append(record(0, T0.plusSeconds(15), API));
      // One line of another workload stamped two days ahead (a clock stepped forward), then
      // API goes on writing: its mode stays, however many files rotate.
      j.append(record(1, T0.plus(java.time.Duration.ofDays(2)), WEB));
      for (int seq = 2; seq < 12; seq++) {
        j.append(record(seq, T0.plusSeconds(15L * seq), API));
      }
    }
    assertThat(JsonLinesJournal.readModeChanges(file)).containsExactly(api);
  }

  /**
   * Catches running workloads losing their modes after a pause in writing: two workloads writing
   * every tick into files smaller than a tick, then nothing for two days (a replica that stopped
   * leading), then ticks again: measured on the clock, both looked idle for a day and neither
   * mode was carried any more. Idleness is measured in writing time, where a pause does not count.
   */
  @Test
  void modesAreKeptThroughAPauseInWriting() {
    Path file = dir.resolve("journal.jsonl");
    ModeChangedEvent api = mode(API, T0, Mode.OBSERVE_ONLY, Mode.ACT);
    ModeChangedEvent web = mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.HPA_FLOOR);
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(2L * LINE).build()) {
      j.modeChanged(api);
      j.modeChanged(web);
      Instant t = T0;
      for (int tick = 0; tick < 8; tick++) {
        t = t.plus(tick == 4 ? java.time.Duration.ofDays(2) : TICK);
        j.append(record(2L * tick, t, API));
        j.append(record(2L * tick + 1, t, WEB));
      }
    }
    assertThat(JsonLinesJournal.readModeChanges(file)).containsExactlyInAnyOrder(api, web);
  }

  /**
   * Catches a restart giving every carried mode a fresh day: reopened every 12 hours, a journal
   * carried the mode of a workload unregistered four days before, for ever (the same days written
   * without a restart dropped it). A carried line says how long its workload had been idle, and a
   * journal opened again counts on from there.
   */
  @Test
  void restartsDoNotKeepAnIdleWorkloadsModeForEver() {
    Path file = dir.resolve("journal.jsonl");
    ModeChangedEvent api = mode(API, T0, Mode.OBSERVE_ONLY, Mode.ACT);
    ModeChangedEvent web = mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.HPA_FLOOR);
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(50L * LINE).build()) {
      j.modeChanged(api); // then unregistered: it writes nothing more
      j.modeChanged(web);
    }
    Instant t = T0;
    long seq = 0;
    for (int run = 0; run < 8; run++) {
      try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(50L * LINE).build()) {
        for (int minute = 0; minute < 12 * 60; minute++) {
          t = t.plus(java.time.Duration.ofMinutes(1));
          j.append(record(seq++, t, WEB));
        }
      }
    }
    assertThat(JsonLinesJournal.readModeChanges(file)).containsExactly(web);
  }

  /**
   * Catches idleness taken only from the top of the current file on opening: restarts between
   * two rotations each went back to the idleness written at the last rotation, so after 49 hours
   * of writing with api silent the new file still carried api as idle for 1.6 hours; and a
   * workload that wrote lines after that top was taken as idle as the top said, and dropped 6
   * hours after its last line. The journal opened again replays its files' lines.
   */
  @Test
  void aReopenedJournalCountsIdlenessFromItsFilesLines() {
    Path file = dir.resolve("journal.jsonl");
    ModeChangedEvent api = mode(API, T0, Mode.OBSERVE_ONLY, Mode.ACT);
    ModeChangedEvent web = mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.HPA_FLOOR);
    Instant[] t = {T0};
    long[] seq = {0};
    java.util.function.BiConsumer<Long, List<WorkloadRef>> run = (limit, writers) -> {
      try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(limit).build()) {
        if (seq[0] == 0) {
          j.modeChanged(api);
          j.modeChanged(web);
        }
        for (int minute = 0; minute < 60; minute++) {
          t[0] = t[0].plus(java.time.Duration.ofMinutes(1));
          for (WorkloadRef w : writers) {
            j.append(record(seq[0]++, t[0], w));
          }
        }
      }
    };
    long small = 50L * LINE;
    long large = 100_000L * LINE;
    // api and web write for an hour, then web alone for 20 hours, with restarts between
    // rotations, then both again for an hour: api must be kept 6 hours later.
    run.accept(small, List.of(API, WEB));
    for (int h = 0; h < 20; h++) {
      run.accept(h % 5 == 4 ? small : large, List.of(WEB));
    }
    run.accept(large, List.of(API, WEB));
    for (int h = 0; h < 6; h++) {
      run.accept(small, List.of(WEB));
    }
    assertThat(JsonLinesJournal.readModeChanges(file)).as("api wrote 6 h ago")
        .containsExactlyInAnyOrder(api, web);
    // Then web alone for 30 hours, restarted every hour and rotating only now and then: api is
    // dropped once it has been silent for a day of writing.
    for (int h = 0; h < 30; h++) {
      run.accept(h % 5 == 4 ? small : large, List.of(WEB));
    }
    assertThat(JsonLinesJournal.readModeChanges(file)).as("api silent for 36 h")
        .containsExactly(web);
  }

  @Test
  void readSinceReturnsOnlyTheTailAcrossBothFilesWithItsFollowUps() {
    Path file = dir.resolve("journal.jsonl");
    FollowUp old = new FollowUp(T0.plusSeconds(120), 4, 4, Map.of("rps", 1.0));
    FollowUp recent = new FollowUp(T0.plusSeconds(1500), 4, 4, Map.of("rps", 2.0));
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(40L * LINE).build()) {
      for (int seq = 0; seq < 100; seq++) {
        j.append(record(seq));
        if (seq == 10) {
          j.followUp(2, WEB, old);
        }
        if (seq == 95) {
          j.followUp(85, WEB, recent);
        }
      }
    }
    Instant since = T0.plus(TICK.multipliedBy(70));  // in the rotated file
    List<String> skipped = new ArrayList<>();
    List<DecisionRecord> tail = JsonLinesJournal.read(file, since, skipped::add);
    assertThat(tail).extracting(DecisionRecord::sequence)
        .containsExactlyElementsOf(LongStream.range(70, 100).boxed().toList());
    assertThat(tail.get(15)).isEqualTo(record(85).withFollowUp(recent));
    assertThat(tail).filteredOn(r -> r.sequence() != 85)
        .allSatisfy(r -> assertThat(r.followUp()).isEmpty());
    assertThat(skipped).isEmpty();
    assertThat(JsonLinesJournal.readSince(file, since)).isEqualTo(tail);
    assertThat(JsonLinesJournal.readSince(file, T0.plusSeconds(100_000))).isEmpty();
    // One pass for a restart: the same records, and the same mode changes as readModeChanges.
    JsonLinesJournal.Contents both = JsonLinesJournal.readSinceWithModes(file, since);
    assertThat(both.records()).isEqualTo(tail);
    assertThat(both.modes()).isEqualTo(JsonLinesJournal.readModeChanges(file));
  }

  @Test
  void readSinceSkipsOldLinesWithoutParsingThemButChecksTheWindow() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    writeRecords(file, 4);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(0, lines.get(0).replace("\"current\":3", "\"current\":\"three\""));
    lines.set(3, lines.get(3).replace("\"current\":3", "\"current\":\"three\""));
    Files.write(file, lines);
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, T0.plus(TICK), skipped::add))
        .containsExactly(record(1), record(2));
    // The corrupt old line is outside the window: not reported. The one inside is.
    assertThat(skipped).singleElement().asString().contains(":4: skipped a corrupt line");
  }

  @Test
  void aRenameThatFailsKeepsAppendingPastTheLimitAndLosesNothing() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    Path blocker = JsonLinesJournal.rotatedFileOf(file);
    Files.createDirectories(blocker.resolve("not-empty"));  // a rename onto it fails
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).maxFileSize(2L * LINE).build()) {
      for (int seq = 0; seq < 5; seq++) {
        j.append(record(seq));
      }
      assertThat(size(file)).isEqualTo(5L * LINE);
      Files.delete(blocker.resolve("not-empty"));
      Files.delete(blocker);
      j.append(record(5));
    }
    assertThat(JsonLinesJournal.read(file)).extracting(DecisionRecord::sequence)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(size(file)).isEqualTo(LINE);
  }
}
