package dev.prescaler.journal;

import static dev.prescaler.journal.JournalFixtures.API;
import static dev.prescaler.journal.JournalFixtures.T0;
import static dev.prescaler.journal.JournalFixtures.WEB;
import static dev.prescaler.journal.JournalFixtures.engine;
import static dev.prescaler.journal.JournalFixtures.mode;
import static dev.prescaler.journal.JournalFixtures.record;
import static dev.prescaler.journal.JournalFixtures.stderrOf;
import static dev.prescaler.journal.JournalFixtures.writeRecords;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricTarget.Type;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.Reason;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.FollowUp;
import dev.prescaler.testkit.ManualClock;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's format, reading and tolerance of bad lines, without rotation. */
class JsonLinesJournalTest {
  @TempDir Path dir;

  @Test
  void roundTripsEveryFieldIncludingForecastsMarksAndFollowUps() {
    Path file = dir.resolve("journal.jsonl");
    FollowUp follow = new FollowUp(T0.plusSeconds(300), 4, 4, Map.of("rps", 260.0));
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(0));
      j.append(record(1));
      j.followUp(0, WEB, follow);
    }
    List<DecisionRecord> back = JsonLinesJournal.read(file);
    assertThat(back).hasSize(2);
    assertThat(back.get(0)).isEqualTo(record(0).withFollowUp(follow));
    assertThat(back.get(1)).isEqualTo(record(1));
  }

  // Caught: Contents kept the lists it was given, so readSinceWithModes(...).records() was the
  // reader's ArrayList (clear() emptied it) and new Contents(records, null) was accepted.
  @Test
  void contentsAreImmutableCopiesWithoutNulls() {
    Path file = dir.resolve("journal.jsonl");
    ModeChangedEvent promoted = mode(WEB, T0, Mode.OBSERVE_ONLY, Mode.ACT);
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(0));
      j.modeChanged(promoted);
      j.append(record(1));
    }
    JsonLinesJournal.Contents read = JsonLinesJournal.readSinceWithModes(file, T0);
    assertThatThrownBy(() -> read.records().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> read.modes().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(read.records()).containsExactly(record(0), record(1));
    assertThat(read.modes()).containsExactly(promoted);
    assertThatThrownBy(() -> JsonLinesJournal.read(file).clear())
        .isInstanceOf(UnsupportedOperationException.class);

    List<DecisionRecord> mine = new ArrayList<>(List.of(record(0)));
    JsonLinesJournal.Contents made = new JsonLinesJournal.Contents(mine, List.of());
    mine.add(record(1));
    assertThat(made.records()).containsExactly(record(0));
    assertThatThrownBy(() -> new JsonLinesJournal.Contents(mine, null))
        .isInstanceOf(NullPointerException.class).hasMessage("modes");
    assertThatThrownBy(() -> new JsonLinesJournal.Contents(null, List.of()))
        .isInstanceOf(NullPointerException.class).hasMessage("records");
    assertThatThrownBy(() -> new JsonLinesJournal.Contents(Arrays.asList(record(0), null),
        List.of())).isInstanceOf(NullPointerException.class)
        .hasMessage("records[1] must not be null");
    assertThatThrownBy(() -> new JsonLinesJournal.Contents(List.of(),
        Arrays.asList((ModeChangedEvent) null)))
        .isInstanceOf(NullPointerException.class).hasMessage("modes[0] must not be null");
  }

  // A restore rebuilds "no new sample since" and the startup timing from these instants: a
  // journal that dropped them made a restored engine decide otherwise than the live one.
  @Test
  void roundTripsATicksTimingAndReadsALineWithoutOneAsNone() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    DecisionRecord r = record(0);
    DecisionRecord timed = new DecisionRecord(r.sequence(), r.time(), r.workload(), r.mode(),
        r.kind(), r.current(), r.ready(), r.metrics(), r.unavailable(), r.loads(),
        r.forecasts(), r.proposed(), r.desired(), r.reasons(), r.marks(), r.action(),
        r.actionMessage(), Optional.empty(), new DecisionRecord.Timing(
            Optional.of(T0.plusSeconds(3)), Optional.of(T0.plusSeconds(5)),
            Map.of("rps", new DecisionRecord.Sample(Type.AVERAGE_VALUE, T0.minusSeconds(30)),
                "cpu", new DecisionRecord.Sample(Type.UTILIZATION, T0.minusSeconds(45)))));
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(timed);
      j.append(record(1));
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0)).contains("\"timing\":{\"countsRead\":\"2026-01-01T00:00:03Z\","
        + "\"scaleUpReturned\":\"2026-01-01T00:00:05Z\",\"samples\":{\"cpu\":{\"type\":"
        + "\"UTILIZATION\",\"time\":\"2025-12-31T23:59:15Z\"},\"rps\":{\"type\":"
        + "\"AVERAGE_VALUE\",\"time\":\"2025-12-31T23:59:30Z\"}}}");
    assertThat(lines.get(1)).doesNotContain("timing"); // a line as written before it existed
    assertThat(JsonLinesJournal.read(file)).containsExactly(timed, record(1));
    assertThat(JsonLinesJournal.read(file).get(1).timing())
        .isEqualTo(DecisionRecord.Timing.NONE);

    // A timing that is not what this class writes is a corrupt line, skipped with its place,
    // never a record read as if it had none (its sample times would be lost unseen).
    String good = lines.get(0);
    String prefix = good.substring(0, good.indexOf("\"timing\":"));
    List<String> bad = List.of("\"x\"", "5", "[1,2]", "true", "null", "{}",
        "{\"samples\":[]}", "{\"samples\":{\"rps\":5}}",
        "{\"samples\":{\"rps\":{\"type\":\"RATE\",\"time\":\"2026-01-01T00:00:00Z\"}}}",
        "{\"countsRead\":\"nope\",\"samples\":{}}");
    Path corrupt = dir.resolve("corrupt.jsonl");
    Files.write(corrupt, bad.stream().map(t -> prefix + "\"timing\":" + t + "}").toList());
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(corrupt, null, skipped::add)).isEmpty();
    assertThat(skipped).hasSize(bad.size());
  }

  @Test
  void aReadSharesEachWorkloadAndTheTextsThatRepeatAcrossItsRecords() {
    // A restore holds up to two full files of records: one copy per record of what repeats
    // was much of its memory.
    Path file = dir.resolve("journal.jsonl");
    FollowUp follow = new FollowUp(T0.plusSeconds(300), 4, 4, Map.of("rps", 260.0));
    writeRecords(file, 2);
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.followUp(0, WEB, follow);
    }
    List<DecisionRecord> back = JsonLinesJournal.read(file);
    assertThat(back).containsExactly(record(0).withFollowUp(follow), record(1));
    DecisionRecord a = back.get(0);
    DecisionRecord b = back.get(1);
    assertThat(b.workload()).isSameAs(a.workload());
    assertThat(b.forecasts().get("rps").model()).isSameAs(a.forecasts().get("rps").model());
    assertThat(b.forecasts().get("rps").step()).isSameAs(a.forecasts().get("rps").step());
    assertThat(b.reasons().get(1).step()).isSameAs(a.reasons().get(1).step());
    assertThat(b.actionMessage()).isSameAs(a.actionMessage());
  }

  @Test
  void valuesJsonHasNoNumberForReadBackAsWritten() {
    Path file = dir.resolve("journal.jsonl");
    DecisionRecord r = record(0);
    DecisionRecord odd = new DecisionRecord(r.sequence(), r.time(), r.workload(), r.mode(),
        r.kind(), r.current(), r.ready(), Map.of("rps", Double.NaN, "cpu", Double.MAX_VALUE),
        r.unavailable(), Map.of("rps", Double.POSITIVE_INFINITY, "cpu", -0.0), r.forecasts(),
        r.proposed(), r.desired(), r.reasons(), r.marks(), r.action(), r.actionMessage(),
        Optional.empty());
    FollowUp follow = new FollowUp(T0.plusSeconds(300), 4, 4,
        Map.of("rps", Double.NEGATIVE_INFINITY));
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(odd);
      j.followUp(0, WEB, follow);
    }
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, null, skipped::add))
        .containsExactly(odd.withFollowUp(follow));
    assertThat(skipped).isEmpty();
  }

  @Test
  void aSecondWriterOnTheSameFileIsRefusedAndCutsNothing() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal first = JsonLinesJournal.open(file)) {
      first.append(record(0));
      assertThatThrownBy(() -> JsonLinesJournal.open(file))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("journal file " + file + " cannot be opened")
          .hasMessageContaining("locked by another writer");
      first.append(record(1));
      // The refused open left the first one's file lock in place for other processes (a channel
      // opened and closed on the lock file would have released it).
      assertThat(LockProbe.probe(dir.resolve("journal.jsonl.lock"))).isEqualTo("held");
    }
    assertThat(LockProbe.probe(dir.resolve("journal.jsonl.lock"))).isEqualTo("free");
    try (JsonLinesJournal after = JsonLinesJournal.open(file)) { // the lock went with close()
      after.append(record(2));
    }
    assertThat(JsonLinesJournal.read(file)).containsExactly(record(0), record(1), record(2));
  }

  @Test
  void aSecondNameForTheLockFileIsTheSameLock() throws Exception {
    // A hard link here; a case-insensitive file system or a bind mount does the same.
    Path a = dir.resolve("a.jsonl");
    try (JsonLinesJournal first = JsonLinesJournal.open(a)) {
      Files.createLink(dir.resolve("b.jsonl.lock"), dir.resolve("a.jsonl.lock"));
      assertThatThrownBy(() -> JsonLinesJournal.open(dir.resolve("b.jsonl")))
          .hasMessageContaining("locked by another writer of this process");
      assertThat(LockProbe.probe(dir.resolve("a.jsonl.lock"))).isEqualTo("held");
    }
  }

  @Test
  void aSymbolicLinkToTheJournalIsTheSameJournal() throws Exception {
    // Two names for one file took two locks: both opened, and each wrote at its own end, over
    // the other's lines.
    Path real = dir.resolve("journal.jsonl");
    Path link = Files.createSymbolicLink(dir.resolve("other.jsonl"), real);
    try (JsonLinesJournal first = JsonLinesJournal.open(real)) {
      first.append(record(0));
      assertThatThrownBy(() -> JsonLinesJournal.open(link))
          .hasMessageContaining("locked by another writer");
      first.append(record(1));
    }
    try (JsonLinesJournal viaLink = JsonLinesJournal.open(link)) {
      assertThat(viaLink.file()).isEqualTo(real);
      assertThatThrownBy(() -> JsonLinesJournal.open(real))
          .hasMessageContaining("locked by another writer");
      viaLink.append(record(2));
    }
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(JsonLinesJournal.read(link)).containsExactly(record(0), record(1), record(2));
    assertThat(JsonLinesJournal.read(real)).containsExactly(record(0), record(1), record(2));
  }

  @Test
  void aLinkToAFileNotMadeYetMakesItsTarget() throws Exception {
    Path real = dir.resolve("volume").resolve("journal.jsonl");
    Files.createDirectories(real.getParent());
    Path link = Files.createSymbolicLink(dir.resolve("journal.jsonl"), real);
    try (JsonLinesJournal j = JsonLinesJournal.open(link)) {
      j.append(record(0));
    }
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.isRegularFile(real, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(JsonLinesJournal.read(real)).containsExactly(record(0));
  }

  @Test
  void aJournalLeftOnlyAsTheRotatedFileOfALinksTargetExists() throws Exception {
    // A crash between a rotation's rename and the new file leaves only <target>.1; looking
    // for <link>.1 beside the link, the agent skipped its restore.
    Path real = dir.resolve("volume").resolve("journal.jsonl");
    Files.createDirectories(real.getParent());
    Path link = Files.createSymbolicLink(dir.resolve("journal.jsonl"), real);
    assertThat(JsonLinesJournal.exists(link)).isFalse();
    try (JsonLinesJournal j = JsonLinesJournal.open(link)) {
      j.append(record(0));
    }
    Files.move(real, JsonLinesJournal.rotatedFileOf(real));
    assertThat(Files.exists(link)).isFalse();
    assertThat(JsonLinesJournal.exists(link)).isTrue();
    assertThat(JsonLinesJournal.read(link)).containsExactly(record(0));
  }

  @Test
  void aPathUnderDevIsNotFollowed() throws Exception {
    // /dev/stdout links to whatever the standard output is, a log file too: the journal must
    // not take that file as its own (a lock beside it, and its rotation at the size limit).
    assertThat(JsonLinesJournal.linkTarget(Path.of("/dev/stdout"))).isEqualTo(
        Path.of("/dev/stdout"));
    Path real = dir.resolve("out.log");
    Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), real);
    assertThat(JsonLinesJournal.linkTarget(link)).isEqualTo(real);
    // Nor through a link of its own (journal.jsonl -> /dev/stdout -> /proc/self/fd/1 -> a log
    // file): a chain through /proc to a regular file stops at the link.
    Files.createFile(real);
    Path viaProc = Files.createSymbolicLink(dir.resolve("proc.jsonl"),
        Path.of("/proc/self/root" + real.toAbsolutePath()));
    assertThat(Files.isRegularFile(viaProc)).isTrue();
    assertThat(JsonLinesJournal.linkTarget(viaProc)).isEqualTo(viaProc);
    // Written to as a device: appended after what the process logged, never cut, locked or
    // rotated (the journal cut the log back to its own last line at every write, and renamed
    // the link at its size limit), and never read as a journal.
    Files.writeString(real, "a log line\n");
    try (JsonLinesJournal j = JsonLinesJournal.builder(viaProc).maxFileSize(1024).build()) {
      j.append(record(0));
      Files.writeString(real, "another log line\n", StandardOpenOption.APPEND);
      for (int seq = 1; seq < 8; seq++) {
        j.append(record(seq));
      }
    }
    assertThat(Files.isSymbolicLink(viaProc)).isTrue();
    assertThat(dir.resolve("proc.jsonl.lock")).doesNotExist();
    assertThat(JsonLinesJournal.rotatedFileOf(viaProc)).doesNotExist();
    assertThat(Files.readString(real)).startsWith("a log line\n").contains("another log line\n");
    assertThat(Files.readAllLines(real)).hasSize(10);
    assertThat(JsonLinesJournal.exists(viaProc)).isFalse();
  }

  @Test
  void aNewFileIsForcedWithItsDirectoryAndAReopenedOneIsNot() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    List<Path> forced = new ArrayList<>();
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).directories(forced::add).build()) {
      j.append(record(0));
    }
    assertThat(forced).containsExactly(dir.toAbsolutePath());
    forced.clear();
    try (JsonLinesJournal j = JsonLinesJournal.builder(file).directories(forced::add).build()) {
      j.append(record(1));
    }
    assertThat(forced).isEmpty();
  }

  @Test
  void aLockFileThatCannotBeMadeOpensTheJournalWithoutALock() throws Exception {
    // E.g. a journal file mounted into a directory the process cannot write: it opened before
    // the lock existed, and must still open. (Here the lock file's name is taken by a directory.)
    Path file = dir.resolve("journal.jsonl");
    Files.createDirectory(dir.resolve("journal.jsonl.lock"));
    String log = stderrOf(() -> {
      try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
        j.append(record(0));
        // Still one writer per file within this process.
        assertThatThrownBy(() -> JsonLinesJournal.open(file))
            .hasMessageContaining("locked by another writer of this process");
      }
      return null;
    });
    assertThat(log).contains("no lock on " + dir.resolve("journal.jsonl.lock"),
        "opened without one");
    assertThat(JsonLinesJournal.read(file)).containsExactly(record(0));
    try (JsonLinesJournal again = JsonLinesJournal.open(file)) { // released with close()
      again.append(record(1));
    }
  }

  @Test
  void withoutALockFileTheDirectorysOtherNamesAreStillOneJournal() throws Exception {
    // A volume mount is often reached through a symlink; here the lock file can be neither made
    // nor read (a dangling link), so the process keys the journal by its directory's real path.
    Path real = Files.createDirectory(dir.resolve("real"));
    Files.createSymbolicLink(real.resolve("j.jsonl.lock"), dir.resolve("nowhere"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    stderrOf(() -> {
      try (JsonLinesJournal first = JsonLinesJournal.open(real.resolve("j.jsonl"))) {
        assertThatThrownBy(() -> JsonLinesJournal.open(link.resolve("j.jsonl")))
            .hasMessageContaining("locked by another writer of this process");
      }
      return null;
    });
  }

  @Test
  void eachRecordIsOnDiskAsSoonAsItIsAppended() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    JsonLinesJournal j = JsonLinesJournal.open(file);
    j.append(record(7));
    // Not closed: a crash now must not lose the record.
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).startsWith("{\"type\":\"decision\",\"sequence\":7,");
    j.close();
  }

  @Test
  void skipsATruncatedLastLine() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(0));
      j.append(record(1));
    }
    String text = Files.readString(file);
    Files.writeString(file, text.substring(0, text.length() - 40), StandardCharsets.UTF_8);
    assertThat(JsonLinesJournal.read(file)).extracting(DecisionRecord::sequence)
        .containsExactly(0L);
  }

  @Test
  void reopeningAfterACrashDropsTheTruncatedLineAndStaysReadable() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(0));
      j.append(record(1));
    }
    String text = Files.readString(file);
    Files.writeString(file, text.substring(0, text.length() - 40), StandardCharsets.UTF_8);
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(2));
    }
    assertThat(JsonLinesJournal.read(file)).extracting(DecisionRecord::sequence)
        .containsExactly(0L, 2L);
  }

  @Test
  void aWronglyTypedFieldSkipsItsLineAndIsNeverReadAsZero() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(0));
      j.append(record(1));
    }
    Files.writeString(file, Files.readString(file).replaceFirst("\"current\":3",
        "\"current\":\"three\""), StandardCharsets.UTF_8);
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, null, skipped::add)).containsExactly(record(1));
    assertThat(skipped).containsExactly("journal file " + file + ":1: skipped a corrupt line: "
        + "field current must be a whole number, but was \"three\"");
  }

  @Test
  void aWholeNumberOutOfRangeSkipsItsLineAndIsNeverWrapped() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    writeRecords(file, 4);
    // As ints, 4294967299 and 4294967300 wrap to 3 and 4; as a long, 2^64 + 2 wraps to 2.
    List<String> lines = Files.readAllLines(file);
    lines.set(0, lines.get(0).replace("\"current\":3,", "\"current\":4294967299,"));
    lines.set(1, lines.get(1).replace("\"hpa.recommendation\":4}",
        "\"hpa.recommendation\":4294967300}"));
    lines.set(2, lines.get(2).replace("\"sequence\":2,", "\"sequence\":18446744073709551618,"));
    Files.write(file, lines, StandardCharsets.UTF_8);
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, null, skipped::add)).containsExactly(record(3));
    String skip = "journal file " + file + ":%d: skipped a corrupt line: %s must be a whole "
        + "number from %d to %d, but was %s";
    assertThat(skipped).containsExactly(
        skip.formatted(1, "field current", Integer.MIN_VALUE, Integer.MAX_VALUE, "4294967299"),
        skip.formatted(2, "mark hpa.recommendation", Integer.MIN_VALUE, Integer.MAX_VALUE,
            "4294967300"),
        skip.formatted(3, "field sequence", Long.MIN_VALUE, Long.MAX_VALUE,
            "18446744073709551618"));
  }

  @Test
  void aFieldOfAnotherShapeSkipsItsLineAndIsNeverReadAsEmpty() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    FollowUp follow = new FollowUp(T0.plusSeconds(300), 4, 4, Map.of("rps", 260.0));
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      for (int seq = 0; seq < 5; seq++) {
        j.append(record(seq));
      }
      j.followUp(4, WEB, follow);
    }
    List<String> lines = Files.readAllLines(file);
    lines.set(0, lines.get(0).replace("\"metrics\":{\"rps\":250.0}", "\"metrics\":[250.0]"));
    lines.set(1, lines.get(1).replace("\"unavailable\":{}", "\"unavailable\":{\"cpu\":5}"));
    lines.set(2, lines.get(2).replaceFirst("\"reasons\":\\[.*?\\],\"marks\"",
        "\"reasons\":\"none\",\"marks\""));
    lines.set(3, lines.get(3).replace("\"point\":[10.0,11.0]", "\"point\":{}"));
    lines.set(5, lines.get(5).replace("\"loads\":{\"rps\":260.0}", "\"loads\":[260.0]"));
    Files.write(file, lines, StandardCharsets.UTF_8);
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, null, skipped::add)).containsExactly(record(4));
    String skip = "journal file " + file + ":%d: skipped a corrupt line: %s";
    assertThat(skipped).containsExactly(
        skip.formatted(1, "field metrics must be an object, but was [250.0]"),
        skip.formatted(2, "value of cpu in unavailable must be a string, but was 5"),
        skip.formatted(3, "field reasons must be an array, but was \"none\""),
        skip.formatted(4, "field point must be an array, but was {}"),
        skip.formatted(6, "field loads must be an object, but was [260.0]"));
  }

  @Test
  void aCorruptLineInTheMiddleIsSkippedWithAWarningNamingFileAndLine() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(0));
      j.append(record(1));
      j.append(record(2));
    }
    List<String> lines = Files.readAllLines(file);
    lines.set(1, lines.get(1).substring(0, 200));
    Files.write(file, lines, StandardCharsets.UTF_8);

    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, null, skipped::add))
        .containsExactly(record(0), record(2));
    assertThat(skipped).singleElement().asString()
        .startsWith("journal file " + file + ":2: skipped a corrupt line: not JSON: ");
    String log = stderrOf(() -> JsonLinesJournal.read(file));
    assertThat(log).contains("WARN").contains(file + ":2: skipped a corrupt line");
  }

  @Test
  void onlyTheFirstCorruptLinesOfAReadAreLoggedOneByOne() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < JsonLinesJournal.LOGGED_SKIPS + 5; i++) {
      text.append("{\"type\":\"decision\",\"sequence\":").append(i).append("}\n");
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
    String log = stderrOf(() -> JsonLinesJournal.read(file));
    assertThat(log.lines().filter(l -> l.contains("skipped a corrupt line")))
        .hasSize(JsonLinesJournal.LOGGED_SKIPS);
    assertThat(log).contains("skipped " + (JsonLinesJournal.LOGGED_SKIPS + 5)
        + " corrupt lines in all");
  }

  @Test
  void aLineGluedToAFragmentIsSkippedNeverMisread() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    String line0 = JsonLinesJournal.toJson(record(0)).toString();
    String line1 = JsonLinesJournal.toJson(record(1)).toString();
    String line2 = JsonLinesJournal.toJson(record(2)).toString();
    String line3 = JsonLinesJournal.toJson(record(3)).toString();
    // What the old writer left after a failed write: half a line, then the next line glued on;
    // and a whole line that lost only its newline, glued to the next one.
    Files.writeString(file, line0 + "\n" + line1.substring(0, 150) + line2 + "\n" + line1
        + line3 + "\n", StandardCharsets.UTF_8);
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, null, skipped::add)).containsExactly(record(0));
    assertThat(skipped).hasSize(2);
    assertThat(skipped.get(0)).startsWith("journal file " + file + ":2: skipped a corrupt line");
    assertThat(skipped.get(1)).startsWith("journal file " + file + ":3: skipped a corrupt line");
  }

  @Test
  void aLineWithAnUnknownTypeOrADuplicateKeyIsSkipped() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    String line0 = JsonLinesJournal.toJson(record(0)).toString();
    String line1 = JsonLinesJournal.toJson(record(1)).toString();
    Files.writeString(file, "{\"type\":\"snapshot\",\"x\":1}\n"
        + line1.replace("\"current\":3,", "\"current\":3,\"current\":0,") + "\n"
        + "\n" + line0 + "\n", StandardCharsets.UTF_8);
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, null, skipped::add)).containsExactly(record(0));
    assertThat(skipped).hasSize(2);
    assertThat(skipped.get(0)).contains(":1: ")
        .endsWith("type must be decision, followUp or modeChanged, but was \"snapshot\"");
    assertThat(skipped.get(1)).contains(":2: ").contains("Duplicate field 'current'");
  }

  @Test
  void aLineLongerThanTheCapIsSkippedWithoutBeingKept() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(0));
    }
    try (Writer w = Files.newBufferedWriter(file, StandardOpenOption.APPEND)) {
      char[] chunk = new char[1 << 16];
      Arrays.fill(chunk, 'x');
      for (long n = 0; n <= JsonLinesJournal.MAX_LINE_BYTES; n += chunk.length) {
        w.write(chunk);
      }
      w.write('\n');
      w.write(JsonLinesJournal.toJson(record(1)).toString());
      w.write('\n');
    }
    List<String> skipped = new ArrayList<>();
    assertThat(JsonLinesJournal.read(file, null, skipped::add))
        .containsExactly(record(0), record(1));
    assertThat(skipped).singleElement().asString()
        .contains(":2: skipped a corrupt line: longer than " + JsonLinesJournal.MAX_LINE_BYTES);
  }

  @Test
  void repeatedAndDecreasingSequenceNumbersKeepEveryRecordInFileOrder() {
    Path file = dir.resolve("journal.jsonl");
    FollowUp early = new FollowUp(T0.plusSeconds(60), 4, 4, Map.of("rps", 1.0));
    FollowUp late = new FollowUp(T0.plusSeconds(3600), 5, 5, Map.of("rps", 2.0));
    List<DecisionRecord> first = List.of(record(0, T0, WEB), record(1, T0.plusSeconds(15), WEB),
        record(2, T0.plusSeconds(30), WEB), record(0, T0.plusSeconds(30), API));
    // A second run, on the same file without a restore: numbers start again, then go down.
    List<DecisionRecord> second = List.of(record(0, T0.plusSeconds(3000), WEB),
        record(1, T0.plusSeconds(3015), WEB), record(0, T0.plusSeconds(3015), API));
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      first.forEach(j::append);
      j.followUp(0, WEB, early);
    }
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      second.forEach(j::append);
      j.followUp(0, WEB, late);
    }
    List<DecisionRecord> back = JsonLinesJournal.read(file);
    assertThat(back).containsExactly(first.get(0).withFollowUp(early), first.get(1),
        first.get(2), first.get(3), second.get(0).withFollowUp(late), second.get(1),
        second.get(2));
    assertThat(back).extracting(DecisionRecord::time).isSorted();
    assertThat(JsonLinesJournal.readSince(file, T0.plusSeconds(3000)))
        .containsExactlyElementsOf(back.subList(4, 7));
  }

  @Test
  void aLastLineMissingOnlyItsNewlineIsKeptWhenReopened() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(0));
      j.append(record(1));
    }
    String text = Files.readString(file);
    Files.writeString(file, text.substring(0, text.length() - 1), StandardCharsets.UTF_8);
    assertThat(JsonLinesJournal.read(file)).containsExactly(record(0), record(1));
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(2));
    }
    assertThat(JsonLinesJournal.read(file, null, l -> {
      throw new AssertionError(l);
    })).containsExactly(record(0), record(1), record(2));
  }

  @Test
  void readingAMissingJournalFailsNamingTheFile() {
    Path file = dir.resolve("missing.jsonl");
    assertThatThrownBy(() -> JsonLinesJournal.read(file))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("journal file " + file + " cannot be read: ");
    assertThatThrownBy(() -> JsonLinesJournal.readModeChanges(file))
        .isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void maxFileSize_belowSmallest() {
    assertThatThrownBy(() -> JsonLinesJournal.builder(dir.resolve("j.jsonl")).maxFileSize(1023))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFileSize must be between 1024 and 1099511627776 bytes, but was 1023");
  }

  @Test
  void maxFileSize_aboveLargest() {
    assertThatThrownBy(() -> JsonLinesJournal.builder(dir.resolve("j.jsonl"))
        .maxFileSize((1L << 40) + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFileSize must be between 1024 and 1099511627776 bytes, but was "
            + ((1L << 40) + 1));
  }

  @Test
  void maxFileSize_defaultIs64MiB() {
    try (JsonLinesJournal j = JsonLinesJournal.open(dir.resolve("j.jsonl"))) {
      assertThat(j.maxFileSize()).isEqualTo(64L * 1024 * 1024)
          .isEqualTo(JsonLinesJournal.DEFAULT_MAX_FILE_SIZE);
    }
    try (JsonLinesJournal j = JsonLinesJournal.builder(dir.resolve("k.jsonl"))
        .maxFileSize(1024).build()) {
      assertThat(j.maxFileSize()).isEqualTo(1024);
    }
  }

  @Test
  void file_null() {
    assertThatThrownBy(() -> JsonLinesJournal.builder(null))
        .isInstanceOf(NullPointerException.class).hasMessage("file");
  }

  @Test
  void aLineLongerThanTheCapIsRefusedByTheWriter() {
    Path file = dir.resolve("journal.jsonl");
    DecisionRecord r = record(0);
    DecisionRecord huge = new DecisionRecord(1, r.time(), WEB, r.mode(), r.kind(), 3, 3,
        r.metrics(), r.unavailable(), r.loads(), r.forecasts(), 5, 4, r.reasons(), r.marks(),
        r.action(), "x".repeat(JsonLinesJournal.MAX_LINE_BYTES), Optional.empty());
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(r);
      assertThatThrownBy(() -> j.append(huge)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("journal line must be at most " + JsonLinesJournal.MAX_LINE_BYTES
              + " bytes, but was ");
      j.append(record(2));
    }
    assertThat(JsonLinesJournal.read(file)).containsExactly(r, record(2));
  }

  @Test
  void namesAsLongAsTheWriterTakesReadBack() {
    // Jackson's default read limit for a name is 50,000 characters; the writer's limit is the
    // line's. A record with a longer name must read back, not be skipped on restore.
    Path file = dir.resolve("journal.jsonl");
    DecisionRecord r = record(0);
    String longName = "m".repeat(60_000);
    DecisionRecord longMetric = new DecisionRecord(0, r.time(), WEB, r.mode(), r.kind(), 3, 3,
        Map.of(longName, 250.0), r.unavailable(), Map.of(longName, 250.0),
        Map.of(longName, r.forecasts().get("rps")), 5, 4, r.reasons(), Map.of(longName, 4),
        r.action(), r.actionMessage(), Optional.empty());
    FollowUp follow = new FollowUp(T0.plusSeconds(300), 4, 4, Map.of(longName, 260.0));
    int room = JsonLinesJournal.MAX_LINE_BYTES - JournalFixtures.lineLength(record(1)) - 100;
    DecisionRecord atTheLimit = new DecisionRecord(1, r.time(), WEB, r.mode(), r.kind(), 3, 3,
        r.metrics(), Map.of("x".repeat(room), "no data"), r.loads(), r.forecasts(), 5, 4,
        r.reasons(), r.marks(), r.action(), r.actionMessage(), Optional.empty());
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(longMetric);
      j.followUp(0, WEB, follow);
      j.append(atTheLimit);
    }
    List<String> skipped = new ArrayList<>();
    List<DecisionRecord> back = JsonLinesJournal.read(file, null, skipped::add);
    assertThat(skipped).isEmpty();
    assertThat(back.size()).isEqualTo(2);
    assertThat(back.get(0)).isEqualTo(longMetric.withFollowUp(follow));
    // Compared without printing a name of 8 MiB if it fails.
    assertThat(back.get(1).equals(atTheLimit)).as("the record at the line limit").isTrue();
  }

  @Test
  void reopeningAppendsInsteadOfTruncating() {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(0));
    }
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(1));
    }
    assertThat(JsonLinesJournal.read(file)).hasSize(2);
  }

  @Test
  void anEngineWritesOneLinePerWorkloadPerTickAndCanBeRestoredFromIt() {
    Path file = dir.resolve("engine.jsonl");
    ManualClock clock = new ManualClock(T0);
    int[] tick = {0};
    AutoscalerEngine engine = engine(file, clock, (s, now) -> Observation.of(now,
        ReplicaStatus.of(2, 2), MetricReading.of("rps", 100 + 50 * tick[0], now)));
    for (tick[0] = 0; tick[0] < 5; tick[0]++) {
      engine.tick();
      clock.advance(Duration.ofSeconds(15));
    }
    engine.mode(WEB, Mode.ACT, "promoted: forecast error within gate");
    engine.close();
    assertThat(JsonLinesJournal.readModeChanges(file)).singleElement().satisfies(e -> {
      assertThat(e.from()).isEqualTo(Mode.OBSERVE_ONLY);
      assertThat(e.to()).isEqualTo(Mode.ACT);
      assertThat(e.reason()).isEqualTo("promoted: forecast error within gate");
    });
    List<DecisionRecord> records = JsonLinesJournal.read(file);
    assertThat(records).hasSize(5);
    assertThat(records).extracting(DecisionRecord::desired).containsExactly(1, 2, 2, 3, 3);
    assertThat(records.get(4).reasons()).extracting(Reason::step).contains("demand");
  }
}
