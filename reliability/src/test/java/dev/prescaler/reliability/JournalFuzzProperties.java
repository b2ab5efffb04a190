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
import dev.prescaler.journal.JsonLinesJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * documented outcome: the records are returned and a corrupt line, wherever it is (a crash
 * mid-write cuts the last one), is skipped with a WARN naming the file and the line, never
 * misread and never an exception.
 */
class JournalFuzzProperties {
  /** Generated corrupt journals per property. */
  static final int EXAMPLES = 200;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NOISE = "{}[]\",:\\ 0123456789.eE+-truefalsnul\u00e9\u2028\ud83d\ude00\t";

  @TempDir static Path dir;
  private static final String DEEP = "__deeply_nested__";
  private static List<String> lines;
  private static int records;

  @BeforeAll
  static void writeARealJournal() throws IOException {
    Path file = dir.resolve("base.jsonl");
    List<DecisionRecord> written = new ArrayList<>();
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
          journal.followUp(written.get(3).sequence(), written.get(3).workload(),
              new FollowUp(h.clock.instant(), 4, 3, Map.of("rps", 120.5)));
        }
      }
    }
    lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    records = written.size();
    assertThat(JsonLinesJournal.read(file)).hasSize(records);
    assertThat(written).anyMatch(r -> r.kind() == DecisionRecord.Kind.HOLD)
        .anyMatch(r -> r.action() == DecisionRecord.Action.APPLIED)
        .anyMatch(r -> r.action() == DecisionRecord.Action.REFUSED);
  }

  /** Textual corruption of any line: records, or the documented error naming that line. */
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

  /** Structural corruption of any line: records, or the documented error naming that line. */
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
    assertThat(JsonLinesJournal.read(file)).isEqualTo(all.subList(1, all.size()));
  }

  private static void check(int line, String corrupt, String name) {
    List<String> copy = new ArrayList<>(lines);
    copy.set(line, corrupt);
    Path file = dir.resolve(name + ".jsonl");
    try {
      // getBytes replaces an unpaired surrogate (a swapped half of an emoji) with '?'.
      Files.write(file, (String.join("\n", copy) + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Throwable t = catchThrowable(() -> {
      List<DecisionRecord> read = JsonLinesJournal.read(file);
      assertThat(read.size()).isBetween(records - 2, records + 1);
    });
    try {
      assertThat(t).as("corrupt line %d of %d: %s", line + 1, lines.size(), corrupt).isNull();
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
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
