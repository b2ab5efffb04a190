package dev.prescaler.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.journal.JsonLinesJournal;
import dev.prescaler.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExamplesTest {
  @TempDir Path dir;

  @Test
  void theReadmeQuickStartIsTheCompiledOne() {
    List<String> code = ReadmeBlocks.region(
        "examples/src/main/java/dev/prescaler/examples/QuickStart.java", "");
    assertThat(ReadmeBlocks.javaBlockAfter("## Quick start")).isEqualTo(code);
    assertThat(code.size()).as("at most 12 lines").isLessThanOrEqualTo(12);
  }

  @Test
  void theQuickStartEngineRunsAndDecides() {
    WorkloadRef web = WorkloadRef.deployment("shop", "web");
    Instant t0 = Instant.parse("2026-01-05T00:00:00Z");
    ManualClock clock = new ManualClock(t0);
    Set<String> readers = ConcurrentHashMap.newKeySet();
    AutoscalerEngine engine = QuickStart.build((spec, now) -> {
      readers.add(Thread.currentThread().getName());
      return Observation.of(now, ReplicaStatus.of(2, 2), MetricReading.of("rps", 420, now));
    }, clock);
    engine.tick();
    // With a call timeout (as the README recommends beside start(scheduler)) the source is read
    // on the engine's call pool; inline, on the ticking thread.
    assertThat(readers).singleElement().asString().startsWith("prescaler-call-");
    List<DecisionRecord> records = ((InMemoryJournal) engine.journal()).records(web);
    assertThat(records).singleElement().satisfies(r -> {
      assertThat(r.time()).as("decided on the clock given").isEqualTo(t0);
      // 420 rps at 50 per replica needs 9; from 2 an HPA without behavior goes to at most
      // max(2 x 2, 4) in one step
      assertThat(r.desired()).isEqualTo(4);
      assertThat(r.action()).isEqualTo(DecisionRecord.Action.OBSERVED);
    });
    clock.advance(Duration.ofSeconds(15));
    engine.tick();
    assertThat(((InMemoryJournal) engine.journal()).records(web)).extracting(DecisionRecord::time)
        .containsExactly(t0, t0.plusSeconds(15));
    engine.close();
  }

  @Test
  void theEmbeddedEngineScalesItsHostAndJournalsToAFile() {
    ManualClock clock = new ManualClock(java.time.Instant.parse("2026-01-05T00:00:00Z"));
    Set<String> hostThreads = ConcurrentHashMap.newKeySet();
    // The host reads its clock for the queue depth, from the engine's metric source.
    ControlPlane host = new ControlPlane(new Clock() {
      @Override
      public Instant instant() {
        hostThreads.add(Thread.currentThread().getName());
        return clock.instant();
      }

      @Override
      public ZoneId getZone() {
        return clock.getZone();
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
      }
    });
    Path journal = dir.resolve("decisions.jsonl");
    AutoscalerEngine engine = EmbeddedEngine.create(host, journal, clock);
    for (int i = 0; i < 8 * 240; i++) { // 8 hours at 15 s
      engine.tick();
      clock.advance(Duration.ofSeconds(15));
    }
    engine.close();
    // Queue 200 -> ~1,000 over 6 h at 100 per worker: the pool must have grown past 8.
    assertThat(host.replicas().current()).isGreaterThanOrEqualTo(8);
    assertThat(JsonLinesJournal.read(journal)).hasSize(8 * 240);
    // It scales its host in ACT from start(scheduler): host calls run under a call timeout.
    assertThat(hostThreads).anyMatch(t -> t.startsWith("prescaler-call-"));
  }

  @Test
  void theCommandLineRejectsUnknownCommandsWithOneLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Prescaler.run(new String[] {"simulat"}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(
        "prescaler: unknown command simulat (known: simulate, export, summarize, forecast-eval, "
            + "agent)\n");
  }
}
