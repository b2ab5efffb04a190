package dev.prescaler.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.Reason;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.FollowUp;
import dev.prescaler.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesJournalTest {
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;

  private static DecisionRecord record(long seq) {
    Forecast f = new Forecast("holt-winters", T0, Duration.ofMinutes(1),
        new double[] {10, 11}, new double[] {8, 9}, new double[] {12, 14}, 0.9);
    return new DecisionRecord(seq, T0.plusSeconds(15 * seq), WEB, Mode.ACT,
        DecisionRecord.Kind.SCALE, 3, 3, Map.of("rps", 250.0), Map.of(), Map.of("rps", 250.0),
        Map.of("rps", f), 5, 4, List.of(new Reason("predictive", 3, 5, "peak 14 ahead"),
            new Reason("step-limit", 5, 4, "at most +1")),
        Map.of("hpa.recommendation", 4), DecisionRecord.Action.APPLIED, "scaled",
        Optional.empty());
  }

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
    assertThat(JsonLinesJournal.read(file)).extracting(DecisionRecord::sequence).containsExactly(0L);
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
  void aWronglyTypedFieldIsAnErrorNotAZero() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(0));
      j.append(record(1));
    }
    Files.writeString(file, Files.readString(file).replaceFirst("\"current\":3",
        "\"current\":\"three\""), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> JsonLinesJournal.read(file))
        .isInstanceOf(JournalFormatException.class)
        .hasMessage(file + ":1: field current must be a whole number, but was \"three\"");
  }

  @Test
  void aCorruptLineInTheMiddleNamesFileAndLine() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JsonLinesJournal j = JsonLinesJournal.open(file)) {
      j.append(record(0));
    }
    Files.writeString(file, "{\"type\":\"decision\",\"sequence\":\"x\n"
        + Files.readString(file), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> JsonLinesJournal.read(file))
        .isInstanceOf(JournalFormatException.class)
        .hasMessageStartingWith(file + ":1: ");
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
    WorkloadSpec spec = WorkloadSpec.builder(WEB).maxReplicas(10)
        .metric(MetricTarget.averageValue("rps", 100)).mode(Mode.OBSERVE_ONLY).build();
    int[] tick = {0};
    AutoscalerEngine engine = AutoscalerEngine.builder()
        .clock(clock)
        .metricSource((s, now) -> Observation.of(now, ReplicaStatus.of(2, 2),
            MetricReading.of("rps", 100 + 50 * tick[0], now)))
        .policy((ctx, p) -> p.to("demand", (int) Math.ceil(ctx.load("rps") / 100), "rps/100"))
        .journal(JsonLinesJournal.open(file))
        .workload(spec)
        .build();
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
