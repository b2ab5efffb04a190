package dev.prescaler.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.FollowUp;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only journal in JSON lines: one {@link DecisionRecord} per line, and one line per
 * {@link FollowUp} referring to its record's sequence number. Each line is flushed as it is
 * written, so a crash loses at most the line being written; {@link #read(Path)} skips a truncated
 * last line with a warning. Thread-safe.
 *
 * <p>Lines have a {@code "type"}: {@code "decision"} or {@code "followUp"}. Instants are ISO-8601
 * strings, durations ISO-8601 ({@code PT1M}).
 */
public final class JsonLinesJournal implements DecisionJournal {
  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesJournal.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final BufferedWriter out;
  private boolean closed;

  private JsonLinesJournal(Path file) throws IOException {
    this.file = file;
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    long cut = dropTruncatedLastLine(file);
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    if (cut > 0) {
      LOG.warn("journal file {}: dropped a truncated last line of {} bytes (a crash mid-write) "
          + "before appending", file, cut);
    }
  }

  /**
   * A crash can leave a last line without its newline: the record being written, lost. Cuts it
   * off, so that the next record starts a line of its own and the file stays readable.
   *
   * @return the number of bytes dropped
   */
  private static long dropTruncatedLastLine(Path file) throws IOException {
    if (!Files.exists(file) || Files.size(file) == 0) {
      return 0;
    }
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      long end = size;
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
      while (end > 0) {
        b.clear();
        ch.read(b, end - 1);
        if (b.get(0) == '\n') {
          break;
        }
        end--;
      }
      if (end < size) {
        ch.truncate(end);
      }
      return size - end;
    }
  }

  /**
   * Opens (creating if needed) a journal file for appending. A last line cut short by a crash is
   * dropped first.
   *
   * @throws UncheckedIOException when the file cannot be opened, naming it
   */
  public static JsonLinesJournal open(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      return new JsonLinesJournal(file);
    } catch (IOException e) {
      throw new UncheckedIOException("journal file " + file + " cannot be opened: " + e, e);
    }
  }

  /** The file written to. */
  public Path file() {
    return file;
  }

  @Override
  public synchronized void append(DecisionRecord record) {
    writeLine(toJson(record));
  }

  @Override
  public synchronized void followUp(long sequence, WorkloadRef workload, FollowUp followUp) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "followUp");
    n.put("sequence", sequence);
    n.set("workload", workload(workload));
    n.set("followUp", followUpJson(followUp));
    writeLine(n);
  }

  @Override
  public synchronized void modeChanged(ModeChangedEvent event) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "modeChanged");
    n.put("time", event.time().toString());
    n.set("workload", workload(event.workload()));
    n.put("from", event.from().name());
    n.put("to", event.to().name());
    n.put("reason", event.reason());
    writeLine(n);
  }

  private void writeLine(ObjectNode node) {
    if (closed) {
      throw new IllegalStateException("journal " + file + " is closed");
    }
    try {
      out.write(JSON.writeValueAsString(node));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("journal file " + file + ": write failed: " + e, e);
    }
  }

  @Override
  public synchronized void flush() {
    if (closed) {
      return;
    }
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("journal file " + file + ": flush failed: " + e, e);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("journal file " + file + ": close failed: " + e, e);
    }
  }

  /**
   * Reads every record of a journal file, oldest first, with follow-ups attached. A truncated or
   * unparsable last line (a crash mid-write) is skipped with a warning; any other bad line fails.
   *
   * @throws JournalFormatException naming the file, the line number and the problem
   * @throws UncheckedIOException when the file cannot be read
   */
  public static List<DecisionRecord> read(Path file) {
    return readAll(file).records();
  }

  /**
   * Reads the mode changes (promotions and demotions) of a journal file, oldest first, with the
   * same tolerance as {@link #read(Path)}.
   */
  public static List<ModeChangedEvent> readModeChanges(Path file) {
    return readAll(file).modeChanges();
  }

  private record Contents(List<DecisionRecord> records, List<ModeChangedEvent> modeChanges) {}

  private static Contents readAll(Path file) {
    List<String> lines;
    try {
      lines = lines(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("journal file " + file + " cannot be read: " + e, e);
    }
    Map<Long, DecisionRecord> bySeq = new LinkedHashMap<>();
    List<ModeChangedEvent> modes = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      boolean last = i == lines.size() - 1;
      JsonNode n;
      try {
        n = JSON.readTree(line);
        String type = text(n, "type");
        if ("decision".equals(type)) {
          DecisionRecord r = fromJson(n);
          bySeq.put(r.sequence(), r);
        } else if ("followUp".equals(type)) {
          long seq = integral(n, "sequence").asLong();
          DecisionRecord r = bySeq.get(seq);
          if (r != null) {
            bySeq.put(seq, r.withFollowUp(followUpFrom(n.path("followUp"))));
          }
        } else if ("modeChanged".equals(type)) {
          modes.add(new ModeChangedEvent(workloadFrom(required(n, "workload")),
              Instant.parse(text(n, "time")), Mode.valueOf(text(n, "from")),
              Mode.valueOf(text(n, "to")), text(n, "reason")));
        } else {
          throw new IllegalArgumentException(
              "type must be decision, followUp or modeChanged, but was " + n.path("type"));
        }
      } catch (JsonProcessingException | RuntimeException e) {
        if (last) {
          LOG.warn("journal file {}: skipping truncated last line {}: {}", file, i + 1,
              e.getMessage());
          continue;
        }
        throw new JournalFormatException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return new Contents(new ArrayList<>(bySeq.values()), modes);
  }

  /**
   * Splits on newlines and decodes each line on its own, so that bytes cut in the middle of a
   * character (a crash mid-write) spoil only their line: it reads as unparsable, not as an I/O
   * error of the whole file.
   */
  private static List<String> lines(byte[] bytes) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        if (i > start || i < bytes.length) {
          java.nio.charset.CharsetDecoder d = StandardCharsets.UTF_8.newDecoder();
          try {
            out.add(d.decode(java.nio.ByteBuffer.wrap(bytes, start, i - start)).toString());
          } catch (java.nio.charset.CharacterCodingException e) {
            out.add("\u0000 not UTF-8");
          }
        }
        start = i + 1;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Mapping. Written out field by field so that the format is stable and core needs no Jackson.

  static ObjectNode toJson(DecisionRecord r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "decision");
    n.put("sequence", r.sequence());
    n.put("time", r.time().toString());
    n.set("workload", workload(r.workload()));
    n.put("mode", r.mode().name());
    n.put("kind", r.kind().name());
    n.put("current", r.current());
    n.put("ready", r.ready());
    n.set("metrics", doubles(r.metrics()));
    ObjectNode unavailable = n.putObject("unavailable");
    r.unavailable().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> unavailable.put(e.getKey(), e.getValue()));
    n.set("loads", doubles(r.loads()));
    ObjectNode forecasts = n.putObject("forecasts");
    r.forecasts().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> forecasts.set(e.getKey(), forecast(e.getValue())));
    n.put("proposed", r.proposed());
    n.put("desired", r.desired());
    ArrayNode reasons = n.putArray("reasons");
    for (Reason reason : r.reasons()) {
      ObjectNode rn = reasons.addObject();
      rn.put("step", reason.step());
      rn.put("from", reason.from());
      rn.put("to", reason.to());
      rn.put("message", reason.message());
    }
    ObjectNode marks = n.putObject("marks");
    r.marks().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> marks.put(e.getKey(), e.getValue()));
    n.put("action", r.action().name());
    n.put("actionMessage", r.actionMessage());
    r.followUp().ifPresent(f -> n.set("followUp", followUpJson(f)));
    return n;
  }

  static DecisionRecord fromJson(JsonNode n) {
    Map<String, String> unavailable = new LinkedHashMap<>();
    fields(n, "unavailable").forEachRemaining(e -> unavailable.put(e.getKey(),
        e.getValue().asText()));
    Map<String, Forecast> forecasts = new LinkedHashMap<>();
    fields(n, "forecasts").forEachRemaining(e -> forecasts.put(e.getKey(),
        forecastFrom(e.getValue())));
    List<Reason> reasons = new ArrayList<>();
    for (JsonNode rn : n.path("reasons")) {
      reasons.add(new Reason(text(rn, "step"), integral(rn, "from").asInt(),
          integral(rn, "to").asInt(), text(rn, "message")));
    }
    Map<String, Integer> marks = new LinkedHashMap<>();
    fields(n, "marks").forEachRemaining(e -> {
      if (!e.getValue().isIntegralNumber()) {
        throw new IllegalArgumentException("mark " + e.getKey() + " must be a whole number, but was "
            + e.getValue());
      }
      marks.put(e.getKey(), e.getValue().asInt());
    });
    JsonNode f = n.get("followUp");
    return new DecisionRecord(
        integral(n, "sequence").asLong(),
        Instant.parse(text(n, "time")),
        workloadFrom(required(n, "workload")),
        Mode.valueOf(text(n, "mode")),
        DecisionRecord.Kind.valueOf(text(n, "kind")),
        integral(n, "current").asInt(),
        integral(n, "ready").asInt(),
        doublesFrom(n.path("metrics")),
        unavailable,
        doublesFrom(n.path("loads")),
        forecasts,
        integral(n, "proposed").asInt(),
        integral(n, "desired").asInt(),
        reasons,
        marks,
        DecisionRecord.Action.valueOf(text(n, "action")),
        text(n, "actionMessage"),
        f == null ? Optional.empty() : Optional.of(followUpFrom(f)));
  }

  private static ObjectNode workload(WorkloadRef w) {
    ObjectNode n = JSON.createObjectNode();
    n.put("namespace", w.namespace());
    n.put("kind", w.kind());
    n.put("name", w.name());
    return n;
  }

  private static WorkloadRef workloadFrom(JsonNode n) {
    return new WorkloadRef(text(n, "namespace"), text(n, "kind"), text(n, "name"));
  }

  private static ObjectNode doubles(Map<String, Double> m) {
    ObjectNode n = JSON.createObjectNode();
    m.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> n.put(e.getKey(), e.getValue()));
    return n;
  }

  private static Map<String, Double> doublesFrom(JsonNode n) {
    Map<String, Double> m = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> {
      if (!e.getValue().isNumber()) {
        throw new IllegalArgumentException("value of " + e.getKey() + " must be a number, but was "
            + e.getValue());
      }
      m.put(e.getKey(), e.getValue().asDouble());
    });
    return m;
  }

  private static ObjectNode forecast(Forecast f) {
    ObjectNode n = JSON.createObjectNode();
    n.put("model", f.model());
    n.put("start", f.start().toString());
    n.put("step", f.step().toString());
    n.put("level", f.level());
    ArrayNode point = n.putArray("point");
    ArrayNode lower = n.putArray("lower");
    ArrayNode upper = n.putArray("upper");
    for (int i = 0; i < f.steps(); i++) {
      point.add(f.point(i));
      lower.add(f.lower(i));
      upper.add(f.upper(i));
    }
    return n;
  }

  private static Forecast forecastFrom(JsonNode n) {
    return new Forecast(text(n, "model"), Instant.parse(text(n, "start")),
        Duration.parse(text(n, "step")), array(n, "point"), array(n, "lower"), array(n, "upper"),
        number(n, "level"));
  }

  private static double[] array(JsonNode n, String field) {
    JsonNode a = required(n, field);
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      if (!a.get(i).isNumber()) {
        throw new IllegalArgumentException(field + "[" + i + "] must be a number, but was "
            + a.get(i));
      }
      out[i] = a.get(i).asDouble();
    }
    return out;
  }

  private static ObjectNode followUpJson(FollowUp f) {
    ObjectNode n = JSON.createObjectNode();
    n.put("time", f.time().toString());
    n.put("replicas", f.replicas());
    n.put("ready", f.ready());
    n.set("loads", doubles(f.loads()));
    return n;
  }

  private static FollowUp followUpFrom(JsonNode n) {
    return new FollowUp(Instant.parse(text(n, "time")), integral(n, "replicas").asInt(),
        integral(n, "ready").asInt(), doublesFrom(n.path("loads")));
  }

  private static JsonNode required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("field " + field + " is missing");
    }
    return v;
  }

  private static double number(JsonNode n, String field) {
    JsonNode v = required(n, field);
    if (!v.isNumber()) {
      throw new IllegalArgumentException("field " + field + " must be a number, but was " + v);
    }
    return v.asDouble();
  }

  /** A required whole number; a string or fraction is an error, never silently 0. */
  private static JsonNode integral(JsonNode n, String field) {
    JsonNode v = required(n, field);
    if (!v.isIntegralNumber()) {
      throw new IllegalArgumentException("field " + field + " must be a whole number, but was "
          + v);
    }
    return v;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = required(n, field);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("field " + field + " must be a string, but was " + v);
    }
    return v.asText();
  }

  private static Iterator<Map.Entry<String, JsonNode>> fields(JsonNode n, String field) {
    return n.path(field).fields();
  }
}
