package dev.prescaler.journal;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Records, mode changes and file helpers shared by the journal tests. */
final class JournalFixtures {
  static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  static final WorkloadRef API = WorkloadRef.deployment("shop", "api");
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration TICK = Duration.ofSeconds(15);

  private JournalFixtures() {}

  /** A record of WEB at tick {@code seq}. */
  static DecisionRecord record(long seq) {
    return record(seq, T0.plus(TICK.multipliedBy(seq)), WEB);
  }

  /** A full record (forecast, reasons, marks) with the given identity and time. */
  static DecisionRecord record(long seq, Instant time, WorkloadRef workload) {
    Forecast f = new Forecast("holt-winters", time, Duration.ofMinutes(1),
        new double[] {10, 11}, new double[] {8, 9}, new double[] {12, 14}, 0.9);
    return new DecisionRecord(seq, time, workload, Mode.ACT,
        DecisionRecord.Kind.SCALE, 3, 3, Map.of("rps", 250.0), Map.of(), Map.of("rps", 250.0),
        Map.of("rps", f), 5, 4, List.of(new Reason("predictive", 3, 5, "peak 14 ahead"),
            new Reason("step-limit", 5, 4, "at most +1")),
        Map.of("hpa.recommendation", 4), DecisionRecord.Action.APPLIED, "scaled",
        Optional.empty());
  }

  /** A mode change of a workload at a time. */
  static ModeChangedEvent mode(WorkloadRef w, Instant time, Mode from, Mode to) {
    return new ModeChangedEvent(w, time, from, to, from + " -> " + to + " at " + time);
  }

  /** Writes records 0 to {@code count - 1} to a journal on {@code file}, and closes it. */
  static void writeRecords(Path file, int count) {
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      for (int seq = 0; seq < count; seq++) {
        j.append(record(seq));
      }
    }
  }

  /**
   * An engine on {@code clock} deciding WEB (observe-only, at most 10 replicas, one per 100 rps)
   * from {@code source}, journaling to a new journal on {@code file}.
   */
  static AutoscalerEngine engine(Path file, ManualClock clock, MetricSource source) {
    WorkloadSpec spec = WorkloadSpec.builder(WEB).maxReplicas(10)
        .metric(MetricTarget.averageValue("rps", 100)).mode(Mode.OBSERVE_ONLY).build();
    return AutoscalerEngine.builder()
        .clock(clock)
        .metricSource(source)
        .policy((ctx, p) -> p.to("demand", (int) Math.ceil(ctx.load("rps") / 100), "rps/100"))
        .journal(JsonLinesJournal.open(file))
        .workload(spec)
        .build();
  }

  /** The file's text. */
  static String text(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replaces the file's text. */
  static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A file's size in bytes, 0 if it does not exist. */
  static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The length in bytes of a record's line, newline included. */
  static int lineLength(DecisionRecord r) {
    return JsonLinesJournal.toJson(r).toString().getBytes(StandardCharsets.UTF_8).length + 1;
  }

  /**
   * What the code prints to {@code System.err} (where slf4j-simple logs) while it runs. The
   * journal module's tests run one at a time, in one thread.
   */
  static <T> String stderrOf(Supplier<T> code) {
    PrintStream before = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      code.get();
    } finally {
      System.setErr(before);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
