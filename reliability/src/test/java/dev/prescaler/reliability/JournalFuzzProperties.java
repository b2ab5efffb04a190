package dev.prescaler.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.FollowUp;
import dev.prescaler.journal.JournalReads;
import dev.prescaler.journal.JsonLinesJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@link JsonLinesJournal#read(Path)}, the input a restart trusts. A real journal (holds,
 * scales, refusals, failures, forecasts, follow-ups) is written by an engine under injected
 * faults; each example corrupts one line, textually (cut, insert, delete, swap bytes) or
 * structurally (a field replaced by a value of another type, removed, or nested deeply). The
 * documented outcome: every intact line reads back as written, and a corrupt line, wherever it
 * is (a crash mid-write cuts the last one), is skipped with a WARN naming the file and the line
 * (checked here through the message the journal logs; {@code JsonLinesJournalTest} checks the
 * log), or read as what it says; never misread and never an exception.
 */
class JournalFuzzProperties {
  /** Generated corrupt journals per property. */
  static final int EXAMPLES = 200;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NOISE =
      "{}[]\",:\\ 0123456789.eE+-truefalsnul\u00e9\u2028\ud83d\ude00\t";

  @TempDir static Path dir;
  private static final String DEEP = "__deeply_nested__";
  private static List<String> lines;
  private static int records;
  /** The records as written, the follow-up attached: what the intact journal reads back. */
  private static List<DecisionRecord> originals;
  /** The index of the line of each record, in order. */
  private static List<Integer> recordLines;
  /** The index of the follow-up line. */
  private static int followUpLine;

  @BeforeAll
  static void writeARealJournal() throws IOException {
    Path file = dir.resolve("base.jsonl");
    List<DecisionRecord> written = new ArrayList<>();
    FollowUp followed = null;
    try (FaultHarness h = new FaultHarness();
        JsonLinesJournal journal = JsonLinesJournal.open(file)) {
      SourceFault[] faults = SourceFault.values();
      ExecutorFault[] answers = ExecutorFault.values();
      for (int i = 0; i < 24; i++) {
        h.source.fault(FaultHarness.WEB.workload(), faults[i % faults.length]);
        h.executor.fault(FaultHarness.WORKER.workload(), answers[i % answers.length]);
        h.source.demand(FaultHarness.WEB.workload(), 200 + 97 * i % 1500);
        h.source.demand(FaultHarness.WORKER.workload(), 17 * i % 300);
        for (DecisionRecord r : h.tick()) {
          journal.append(r);
          written.add(r);
        }
        if (h.source.fault(FaultHarness.WEB.workload()) == SourceFault.NONE) {
          h.source.accepted(FaultHarness.WEB.workload(), h.clock.instant());
        }
        h.source.accepted(FaultHarness.WORKER.workload(), h.clock.instant());
        h.clock.advance(Duration.ofSeconds(15));
        if (i == 12) {
          FollowUp f = new FollowUp(h.clock.instant(), 4, 3, Map.of("rps", 120.5));
          journal.followUp(written.get(3).sequence(), written.get(3).workload(), f);
          followed = f;
        }
      }
    }
    lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    records = written.size();
    List<DecisionRecord> expected = new ArrayList<>(written);
    expected.set(3, written.get(3).withFollowUp(followed));
    originals = List.copyOf(expected);
    assertThat(JsonLinesJournal.read(file)).isEqualTo(originals);
    recordLines = new ArrayList<>();
    followUpLine = -1;
    for (int i = 0; i < lines.size(); i++) {
      String type = JSON.readTree(lines.get(i)).path("type").asText();
      if (type.equals("decision")) {
        recordLines.add(i);
      } else if (type.equals("followUp")) {
        followUpLine = i;
      }
    }
    assertThat(recordLines).hasSize(records);
    assertThat(followUpLine).isGreaterThan(recordLines.get(3));
    assertThat(written).anyMatch(r -> r.kind() == DecisionRecord.Kind.HOLD)
        .anyMatch(r -> r.action() == DecisionRecord.Action.APPLIED)
        .anyMatch(r -> r.action() == DecisionRecord.Action.REFUSED);
  }

  /**
   * Textual corruption of any line: every other line reads back as written, and the corrupt one
   * is either skipped with a message naming the file and the line or read as what it says,
   * never misread (see {@link #check}).
   */
  @Test
  void textuallyCorruptLinesGiveRecordsOrTheDocumentedError() {
    qt().withExamples(EXAMPLES).withShrinkCycles(50)
        .forAll(integers().between(0, lines.size() - 1), longs().all())
        .checkAssert((line, seed) -> {
          Random random = new Random(seed);
          String corrupt = textual(lines.get(line), random);
          check(line, corrupt, "text" + line + "-" + seed);
        });
  }

  /**
   * Structural corruption of any line (a field of another type, removed, nested deeply): every
   * other line reads back as written, and the corrupt one is either skipped with a message naming
   * the file and the line or read as what it says, never misread (see {@link #check}).
   */
  @Test
  void structurallyCorruptLinesGiveRecordsOrTheDocumentedError() {
    qt().withExamples(EXAMPLES).withShrinkCycles(50)
        .forAll(integers().between(0, lines.size() - 1), longs().all())
        .checkAssert((line, seed) -> {
          Random random = new Random(seed);
          String corrupt = structural(lines.get(line), random);
          check(line, corrupt, "tree" + line + "-" + seed);
        });
  }

  /**
   * A crash can cut the file anywhere in its last line. Cut at every character boundary of the
   * last line (which holds multi-byte characters: reasons are free text), the read returns every
   * complete record.
   */
  @Test
  void journalCutAnywhereInItsLastLineStillReads() throws IOException {
    String last = lines.get(lines.size() - 1);
    assertThat(last).as("a last line with multi-byte characters").contains("\"decision\"")
        .contains("÷");
    String head = String.join("\n", lines.subList(0, lines.size() - 1)) + "\n";
    Path file = dir.resolve("cut.jsonl");
    for (int cut = 1; cut < last.length(); cut++) {
      if (Character.isLowSurrogate(last.charAt(cut))) {
        continue;
      }
      Files.write(file, (head + last.substring(0, cut)).getBytes(StandardCharsets.UTF_8));
      assertThat(JsonLinesJournal.read(file)).as("cut at char %d", cut).hasSize(records - 1);
    }
  }

  /**
   * A cut inside a multi-byte character of the last line (a crash between the two bytes of a
   * "÷") must be skipped like any other truncated last line.
   */
  @Test
  void journalCutInsideAMultiByteCharacterStillReads() throws IOException {
    byte[] all = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] divide = "÷".getBytes(StandardCharsets.UTF_8);
    int at = -1;
    for (int i = all.length - 2; i >= 0 && at < 0; i--) {
      if (all[i] == divide[0] && all[i + 1] == divide[1]) {
        at = i + 1;
      }
    }
    Path file = dir.resolve("half-char.jsonl");
    Files.write(file, Arrays.copyOf(all, at));
    assertThat(JsonLinesJournal.read(file)).hasSize(records - 1);
  }

  /**
   * A field of a middle line with a value of the wrong type is skipped like any other bad line
   * (with a WARN naming the file and the line): restoring from a silently misread record (here, a
   * count of 0) would be worse than restoring without it.
   */
  @Test
  void wronglyTypedFieldInAMiddleLineIsSkippedNeverMisread() throws IOException {
    ObjectNode n = (ObjectNode) JSON.readTree(lines.get(0));
    n.put("current", "three");
    List<String> copy = new ArrayList<>(lines);
    copy.set(0, JSON.writeValueAsString(n));
    Path file = dir.resolve("typed.jsonl");
    Files.write(file, copy, StandardCharsets.UTF_8);
    List<DecisionRecord> all = JsonLinesJournal.read(dir.resolve("base.jsonl"));
    List<String> skipped = new ArrayList<>();
    assertThat(JournalReads.read(file, skipped::add)).isEqualTo(all.subList(1, all.size()));
    assertThat(skipped).singleElement().asString()
        .startsWith("journal file " + file + ":1: skipped a corrupt line: ");
  }

  /**
   * Writes the journal with line {@code line} replaced by {@code corrupt}, reads it and checks the
   * documented outcome. No exception. Every record of an intact line reads back equal to what was
   * written. The corrupt line gives at most one record, and either
   *
   * <ul>
   *   <li>none, and the read reports one skipped line naming the file and the line (the message
   *       the journal logs at WARN; a line left blank is ignored without one), or
   *   <li>one (or, for the follow-up line, a follow-up), nothing is skipped, and it is what was
   *       written or what the corrupt line says: every field the journal writes for the record
   *       read is in the line with that value (a field it does not know is ignored). A value read
   *       as another (a count "three" as 0, 1.5 as 1, a missing field as a default) is a misread.
   * </ul>
   *
   * <p>The follow-up goes, as the journal attaches it, to the last record before its line whose
   * sequence and workload it names, and to no other.
   */
  private static void check(int line, String corruptText, String name) {
    // getBytes replaces an unpaired surrogate (a swapped half of an emoji) with '?': the line as
    // it is in the file.
    String corrupt = new String(corruptText.getBytes(StandardCharsets.UTF_8),
        StandardCharsets.UTF_8);
    List<String> copy = new ArrayList<>(lines);
    copy.set(line, corrupt);
    Path file = dir.resolve(name + ".jsonl");
    try {
      Files.write(file, (String.join("\n", copy) + "\n").getBytes(StandardCharsets.UTF_8));
      String what = "corrupt line " + (line + 1) + " of " + lines.size() + ": " + corrupt;
      List<String> skipped = new ArrayList<>();
      List<DecisionRecord> read = new ArrayList<>();
      Throwable t = catchThrowable(() -> read.addAll(JournalReads.read(file, skipped::add)));
      assertThat(t).as(what).isNull();
      expect(line, corrupt, file, read, skipped, what);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void expect(int line, String corrupt, Path file, List<DecisionRecord> read,
      List<String> skipped, String what) throws IOException {
    String skip = "journal file " + file + ":" + (line + 1) + ": skipped ";
    int j = recordLines.indexOf(line);
    // The line of each record read, and the record it should be (or read as).
    List<Integer> readLines = new ArrayList<>(recordLines);
    List<DecisionRecord> expected = new ArrayList<>(originals);
    if (j >= 0 && read.size() == records - 1) {
      assertThat(skipped).as(what).hasSize(corrupt.isBlank() ? 0 : 1)
          .allMatch(m -> m.startsWith(skip), "names the file and the line");
      readLines.remove(j);
      expected.remove(j);
    } else {
      assertThat(read).as(what).hasSize(records);
      if (line == followUpLine && !skipped.isEmpty()) {
        assertThat(skipped).as(what).singleElement().asString().startsWith(skip);
      } else {
        assertThat(skipped).as(what).isEmpty();
      }
    }
    for (int k = 0; k < read.size(); k++) {
      ObjectNode got = withoutFollowUp(read.get(k));
      ObjectNode want = withoutFollowUp(expected.get(k));
      if (readLines.get(k) == line && !got.equals(want)) {
        assertThat(mismatch(got, JSON.readTree(corrupt), "")).as(what + "\nmisread as " + got)
            .isNull();
      } else {
        assertThat(got).as(what + "\nrecord " + k + " of an intact line").isEqualTo(want);
      }
    }
    // The follow-up, from its line as it is now (unless that line was skipped).
    JsonNode f = line == followUpLine && !skipped.isEmpty() ? null
        : JSON.readTree(line == followUpLine ? corrupt : lines.get(followUpLine));
    int carrier = -1;
    for (int k = 0; f != null && k < read.size(); k++) {
      ObjectNode r = JournalReads.toJson(read.get(k));
      if (readLines.get(k) < followUpLine && same(r.get("sequence"), f.get("sequence"))
          && mismatch(r.get("workload"), f.get("workload"), "") == null) {
        carrier = k;
      }
    }
    for (int k = 0; k < read.size(); k++) {
      JsonNode got = JournalReads.toJson(read.get(k)).get("followUp");
      if (k == carrier) {
        assertThat(got).as(what + "\nthe follow-up of record " + k).isNotNull();
        assertThat(mismatch(got, f.get("followUp"), "followUp"))
            .as(what + "\nfollow-up misread as " + got).isNull();
      } else {
        assertThat(got).as(what + "\nrecord " + k + " has no follow-up").isNull();
      }
    }
  }

  private static ObjectNode withoutFollowUp(DecisionRecord r) {
    ObjectNode n = JournalReads.toJson(r);
    n.remove("followUp");
    return n;
  }

  /**
   * Where {@code line} does not say {@code read}, or null where it does: every field of {@code
   * read} is in {@code line} with the same value (numbers by value), arrays element by element;
   * {@code line} may have more (a field the journal does not know is ignored), and an empty
   * object or array of {@code read} may be missing or null in {@code line} (the journal reads an
   * optional collection left out as empty).
   */
  private static String mismatch(JsonNode read, JsonNode line, String path) {
    if (read != null && read.isContainerNode() && read.isEmpty()
        && (line == null || line.isNull())) {
      return null;
    }
    if (read == null || line == null) {
      return read == line ? null : path + ": " + read + " read from " + line;
    }
    if (read.isObject() && line.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = read.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String m = mismatch(e.getValue(), line.get(e.getKey()), path + "/" + e.getKey());
        if (m != null) {
          return m;
        }
      }
      return null;
    }
    if (read.isArray() && line.isArray() && line.size() == read.size()) {
      for (int i = 0; i < read.size(); i++) {
        String m = mismatch(read.get(i), line.get(i), path + "/" + i);
        if (m != null) {
          return m;
        }
      }
      return null;
    }
    return same(read, line) ? null : path + ": " + read + " read from " + line;
  }

  /**
   * Equal values; numbers by value, whatever their JSON spelling, and a floating-point field as
   * the double nearest the number written (as any JSON reader rounds it).
   */
  private static boolean same(JsonNode a, JsonNode b) {
    if (a != null && b != null && a.isFloatingPointNumber() && b.isNumber()) {
      return Double.compare(a.doubleValue(), b.decimalValue().doubleValue()) == 0;
    }
    if (a != null && b != null && a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a != null && b != null && a.isTextual() && b.isTextual() && !a.equals(b)) {
      // Another spelling of the same instant or duration ("2026-03-02t08:01:00Z", "PT60S").
      return a.asText().equals(canonical(b.asText()));
    }
    return a != null && a.equals(b);
  }

  /** The journal's spelling of {@code text} read as an instant or a duration, else itself. */
  private static String canonical(String text) {
    try {
      return Instant.parse(text).toString();
    } catch (DateTimeException e) {
      try {
        return Duration.parse(text).toString();
      } catch (DateTimeException f) {
        return text;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Corruptions.

  static String textual(String line, Random random) {
    StringBuilder b = new StringBuilder(line);
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits && b.length() > 0; e++) {
      int at = random.nextInt(b.length());
      switch (random.nextInt(4)) {
        case 0 -> b.setLength(at);
        case 1 -> {
          int n = 1 + random.nextInt(8);
          for (int i = 0; i < n; i++) {
            b.insert(at, NOISE.charAt(random.nextInt(NOISE.length())));
          }
        }
        case 2 -> b.delete(at, Math.min(b.length(), at + 1 + random.nextInt(20)));
        default -> {
          int other = random.nextInt(b.length());
          char c = b.charAt(at);
          b.setCharAt(at, b.charAt(other));
          b.setCharAt(other, c);
        }
      }
    }
    return b.toString().replace("\n", "").replace("\r", "");
  }

  static String structural(String line, Random random) {
    JsonNode root;
    try {
      root = JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<ObjectNode> objects = new ArrayList<>();
    collect(root, objects);
    ObjectNode target = objects.get(random.nextInt(objects.size()));
    List<String> names = new ArrayList<>();
    target.fieldNames().forEachRemaining(names::add);
    if (names.isEmpty()) {
      target.set("x", randomValue(random));
    } else {
      String field = names.get(random.nextInt(names.size()));
      if (random.nextInt(4) == 0) {
        target.remove(field);
      } else {
        target.set(field, randomValue(random));
      }
    }
    try {
      // Nesting beyond the parser's depth limit, written as text (the writer has a limit too).
      return JSON.writeValueAsString(root)
          .replace("\"" + DEEP + "\"", "[".repeat(5000) + "]".repeat(5000));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void collect(JsonNode n, List<ObjectNode> out) {
    if (n instanceof ObjectNode o) {
      out.add(o);
    }
    for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
      collect(it.next(), out);
    }
  }

  private static JsonNode randomValue(Random random) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (random.nextInt(14)) {
      case 0 -> f.nullNode();
      case 1 -> f.textNode("");
      case 2 -> f.textNode("three");
      case 3 -> f.numberNode(-1);
      case 4 -> f.numberNode(Long.MAX_VALUE);
      case 5 -> f.numberNode(new BigInteger("123456789012345678901234567890"));
      case 6 -> f.numberNode(1.5);
      case 7 -> f.booleanNode(random.nextBoolean());
      case 8 -> f.arrayNode();
      case 9 -> f.objectNode();
      case 10 -> f.textNode("2026-13-45T99:00:00Z");
      case 11 -> f.textNode("PT-1S");
      case 12 -> f.textNode(DEEP);
      default -> f.textNode("\u0000\ud83d\ude00\"");
    };
  }
}
