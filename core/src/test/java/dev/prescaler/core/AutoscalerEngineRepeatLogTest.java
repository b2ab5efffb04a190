package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.last;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What the engine logs of a condition that lasts tick after tick: a workload held, a scale not
 * applied, a plug-in that throws. Said at WARN when it starts and every 20th tick in a row, at
 * INFO when it ends, never once per tick; a hold that is normal operation stays at DEBUG.
 */
class AutoscalerEngineRepeatLogTest {
  private static final String LOGGER = " dev.prescaler.core.AutoscalerEngine - ";

  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 900); // capacity wants 9
  RecordingExecutor executor = new RecordingExecutor();
  InMemoryJournal journal = new InMemoryJournal();

  private AutoscalerEngine engineIn(Mode mode, int min) {
    return engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, min, 20, mode)).build();
  }

  private static List<String> lines(String log, String level) {
    return log.lines().filter(l -> l.contains(" " + level + LOGGER)).toList();
  }

  private void ticks(AutoscalerEngine engine, int n) {
    for (int i = 0; i < n; i++) {
      engine.tick();
      clock.advance(SYNC);
    }
  }

  // Caught a Prometheus outage after start that no line reported: the source and the engine's
  // hold line were DEBUG, so 9 held ticks logged nothing at all.
  @Test
  void aMetricsOutageWarnsWhenTheWorkloadStartsHoldingAndEvery20thHeldTick() {
    AutoscalerEngine engine = engineIn(Mode.OBSERVE_ONLY, 1);
    ticks(engine, 1);
    String[] why = {"prometheus 503"};
    source.custom(WEB, (spec, now) -> Observation.of(now, ReplicaStatus.of(2, 2),
        MetricReading.unavailable("rps", why[0])));
    String log = Fixtures.stderrOf(() -> {
      ticks(engine, 5);
      why[0] = "connection refused"; // a reason changing inside the run: not logged again yet
      ticks(engine, 36);
      source.custom.clear();
      ticks(engine, 1);
    });
    String held = "[main] WARN" + LOGGER + "shop/web: held at 2";
    assertThat(lines(log, "WARN")).containsExactly(
        held + ": metric rps: unavailable: prometheus 503",
        held + " (20 in a row): metric rps: unavailable: connection refused",
        held + " (40 in a row): metric rps: unavailable: connection refused");
    assertThat(lines(log, "INFO")).containsExactly(
        "[main] INFO" + LOGGER + "shop/web: resumed after 41 held ticks");
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.SCALE);
  }

  @Test
  void aWorkloadHoldingFromItsFirstTickSaysSoAndWarnsOnANewRunOrAt20InARow() {
    AutoscalerEngine engine = engineIn(Mode.OBSERVE_ONLY, 1);
    source.value(WEB, "rps", -1);
    String log = Fixtures.stderrOf(() -> {
      ticks(engine, 2);
      source.value(WEB, "rps", 900);
      ticks(engine, 1);
      source.value(WEB, "rps", -2);
      ticks(engine, 1);
    });
    // Before its first decision the first held tick is INFO (a source's first sample often
    // comes a scrape after the start: every simulated run held so and printed a WARN)
    assertThat(lines(log, "WARN")).containsExactly(
        "[main] WARN" + LOGGER + "shop/web: held at 2: metric rps: invalid negative value -2.0");
    assertThat(lines(log, "INFO")).containsExactly(
        "[main] INFO" + LOGGER + "shop/web: held at 2 (no decision yet since it was registered):"
            + " metric rps: invalid negative value -1.0",
        "[main] INFO" + LOGGER + "shop/web: resumed after 2 held ticks");
    // Held from the start for good (a query that never matches): a WARN at the 20th in a row
    source.value(WEB, "rps", -3);
    AutoscalerEngine broken = engineIn(Mode.OBSERVE_ONLY, 1);
    String never = Fixtures.stderrOf(() -> ticks(broken, 20));
    assertThat(lines(never, "WARN")).containsExactly("[main] WARN" + LOGGER
        + "shop/web: held at 2 (20 in a row): metric rps: invalid negative value -3.0");
  }

  // A tick faster than the source (a 30 s scrape under 15 s ticks) holds every other tick for
  // "no new sample since", and a workload someone scaled to 0 holds on every tick: both are
  // normal operation, which a WARN on every run would turn into noise.
  @Test
  void holdsThatAreNormalOperationStayAtDebug() {
    source.custom(WEB, (spec, now) -> {
      Instant scraped = Instant.ofEpochSecond(now.getEpochSecond() / 30 * 30);
      return Observation.of(now, ReplicaStatus.of(2, 2), MetricReading.of("rps", 900, scraped));
    });
    AutoscalerEngine engine = engineIn(Mode.OBSERVE_ONLY, 1);
    String log = Fixtures.stderrOf(() -> ticks(engine, 8));
    assertThat(journal.records()).extracting(r -> r.kind()).containsExactly(Kind.SCALE,
        Kind.HOLD, Kind.SCALE, Kind.HOLD, Kind.SCALE, Kind.HOLD, Kind.SCALE, Kind.HOLD);
    assertThat(lines(log, "WARN")).isEmpty();
    assertThat(log).doesNotContain("resumed");

    journal.clear();
    source.custom.clear();
    source.set(WEB, 0, 0, "rps", 900);
    AutoscalerEngine scaledToZero = engineIn(Mode.ACT, 2);
    String zero = Fixtures.stderrOf(() -> ticks(scaledToZero, 25));
    assertThat(journal.records()).hasSize(25).allSatisfy(r -> {
      assertThat(r.kind()).isEqualTo(Kind.HOLD);
      assertThat(r.actionMessage()).contains("current replicas is 0 with minReplicas 2");
    });
    assertThat(lines(zero, "WARN")).isEmpty();
  }

  // Caught "scale 3 -> 6 not applied: …" logged at WARN on every tick while an HPA targets an ACT
  // workload: 5,760 identical lines a day.
  @Test
  void aScaleNotAppliedTickAfterTickWarnsOnTheFirstAndEvery20th() {
    AutoscalerEngine engine = engineIn(Mode.ACT, 1);
    String refusal = "HorizontalPodAutoscaler shop/web also targets Deployment web";
    executor.answer = r -> ScaleOutcome.refused(refusal);
    String log = Fixtures.stderrOf(() -> {
      ticks(engine, 40);
      executor.answer = r -> ScaleOutcome.applied(r.to(), "set to " + r.to());
      ticks(engine, 1);
    });
    String warn = "[main] WARN" + LOGGER + "shop/web: scale 2 -> 6 not applied";
    assertThat(lines(log, "WARN")).containsExactly(warn + ": " + refusal,
        warn + " (20 in a row): " + refusal, warn + " (40 in a row): " + refusal);
    assertThat(lines(log, "INFO")).first().isEqualTo("[main] INFO" + LOGGER
        + "shop/web: scale applied again, after 40 not applied in a row");
    assertThat(executor.requests).hasSize(41);
    assertThat(last(journal, WEB).action()).isEqualTo(Action.APPLIED);
  }

  // Caught a restart in a metrics outage logging its first held tick at INFO, as a workload
  // that never decided: the restored records had decided, and no WARN came before the 20th.
  @Test
  void aRestoredWorkloadThatHadDecidedWarnsOnItsFirstHeldTick() {
    ticks(engineIn(Mode.OBSERVE_ONLY, 1), 3);
    AutoscalerEngine restarted = engineIn(Mode.OBSERVE_ONLY, 1);
    restarted.restore(journal.records());
    source.value(WEB, "rps", -1);
    String log = Fixtures.stderrOf(() -> ticks(restarted, 1));
    assertThat(lines(log, "WARN")).containsExactly(
        "[main] WARN" + LOGGER + "shop/web: held at 2: metric rps: invalid negative value -1.0");
  }

  // Caught an executor whose apply throws (an API server that times out every write) logged
  // "executor failed to apply" at WARN on every tick, beside the counted "not applied" line.
  @Test
  void anApplyThatThrowsTickAfterTickWarnsOnTheFirstAndEvery20th() {
    AutoscalerEngine engine = engineIn(Mode.ACT, 1);
    executor.answer = r -> {
      throw new IllegalStateException("etcd timeout");
    };
    String log = Fixtures.stderrOf(() -> {
      ticks(engine, 40);
      executor.answer = r -> ScaleOutcome.applied(r.to(), "set to " + r.to());
      ticks(engine, 1);
    });
    String threw = "[main] WARN" + LOGGER + "shop/web: executor failed to apply (it may have "
        + "landed)";
    assertThat(lines(log, "WARN")).filteredOn(l -> l.startsWith(threw)).containsExactly(
        threw + ": java.lang.IllegalStateException: etcd timeout",
        threw + " (20 in a row): java.lang.IllegalStateException: etcd timeout",
        threw + " (40 in a row): java.lang.IllegalStateException: etcd timeout");
    assertThat(lines(log, "WARN")).hasSize(6);
    assertThat(executor.requests).hasSize(41);
    assertThat(last(journal, WEB).action()).isEqualTo(Action.APPLIED);
  }

  // Caught a run of refusals that ended without an apply (the load fell, no change was wanted)
  // going on days later from its old count: a new refusal, of another cause, logged at DEBUG.
  @Test
  void aTickThatWantsNoChangeEndsARunOfRefusals() {
    AutoscalerEngine engine = engineIn(Mode.ACT, 1);
    executor.answer = r -> ScaleOutcome.refused("first refusal: quota");
    String log = Fixtures.stderrOf(() -> {
      ticks(engine, 3);
      source.value(WEB, "rps", 200); // 2 replicas carry it: no change wanted
      ticks(engine, 5);
      source.value(WEB, "rps", 900);
      executor.answer = r -> ScaleOutcome.refused("webhook denies");
      ticks(engine, 2);
    });
    String warn = "[main] WARN" + LOGGER + "shop/web: scale 2 -> 6 not applied: ";
    assertThat(lines(log, "WARN")).containsExactly(warn + "first refusal: quota",
        warn + "webhook denies");
    assertThat(lines(log, "INFO")).containsExactly("[main] INFO" + LOGGER
        + "shop/web: no change asked any more, after 3 not applied in a row");
  }

  /** The WARN lines of {@code log} that say {@code stage} failed and holds. */
  private static List<String> failures(String log, String stage) {
    return lines(log, "WARN").stream().filter(l -> l.contains(": " + stage + " failed")).toList();
  }

  /** The WARN lines of a plug-in that failed 40 ticks in a row and the INFO of its recovery. */
  private static void assertFailedFortyInARow(String log, String stage, String error) {
    String warn = "[main] WARN" + LOGGER + "shop/web: " + stage + " failed";
    assertThat(lines(log, "WARN")).containsExactly(warn + ", holding: " + error,
        warn + " (20 in a row), holding: " + error, warn + " (40 in a row), holding: " + error);
    assertThat(lines(log, "INFO")).containsExactly("[main] INFO" + LOGGER + "shop/web: " + stage
        + " answered again, after 40 failures in a row");
  }

  // Caught a metric source that throws logged at WARN on every tick of every workload: 48,000
  // lines an hour at 200 workloads, each failure counted as the first in a row.
  @Test
  void aThrowingSourceWarnsOnTheFirstAndEvery20thAndSaysWhenItAnswersAgain() {
    AutoscalerEngine engine = engineIn(Mode.OBSERVE_ONLY, 1);
    ticks(engine, 1);
    source.custom(WEB, (spec, now) -> {
      throw new IllegalStateException("prometheus down");
    });
    String log = Fixtures.stderrOf(() -> {
      ticks(engine, 40);
      source.custom.clear();
      ticks(engine, 1);
    });
    assertFailedFortyInARow(log, "source", "java.lang.IllegalStateException: prometheus down");
    assertThat(journal.records(WEB)).hasSize(42);
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.SCALE);
  }

  /** An executor whose replica lookup throws while {@code broken}. */
  static final class LookupExecutor extends RecordingExecutor {
    boolean broken = true;

    @Override
    public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
      if (broken) {
        throw new IllegalStateException("api server unreachable");
      }
      return Optional.of(ReplicaStatus.of(2, 2));
    }
  }

  @Test
  void aThrowingReplicaLookupWarnsOnTheFirstAndEvery20thAndSaysWhenItAnswersAgain() {
    source.custom(WEB, (spec, now) -> new Observation(now,
        Map.of("rps", MetricReading.of("rps", 900, now)), Optional.empty()));
    LookupExecutor lookup = new LookupExecutor();
    AutoscalerEngine engine = engine(clock, source, CAPACITY, lookup, journal)
        .workload(spec(WEB, 1, 20, Mode.OBSERVE_ONLY)).build();
    String log = Fixtures.stderrOf(() -> {
      ticks(engine, 40);
      lookup.broken = false;
      ticks(engine, 1);
    });
    assertFailedFortyInARow(log, "executor",
        "java.lang.IllegalStateException: api server unreachable");
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.SCALE);
  }

  /** CAPACITY, but its proposal and its pin throw while told to. */
  static final class BrokenPolicy implements DecisionPolicy {
    boolean applyThrows;
    boolean pinThrows;

    @Override
    public Proposal apply(DecisionContext ctx, Proposal p) {
      if (applyThrows) {
        throw new IllegalStateException("model file missing");
      }
      return CAPACITY.apply(ctx, p);
    }

    @Override
    public Optional<Pin> pinned(WorkloadRef workload, Instant now) {
      if (pinThrows) {
        throw new IllegalStateException("pin store unreachable");
      }
      return Optional.empty();
    }
  }

  @Test
  void aThrowingPolicyWarnsOnTheFirstAndEvery20thAndSaysWhenItAnswersAgain() {
    BrokenPolicy policy = new BrokenPolicy();
    AutoscalerEngine engine = engine(clock, source, policy, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.OBSERVE_ONLY)).build();
    ticks(engine, 1);
    policy.applyThrows = true;
    String log = Fixtures.stderrOf(() -> {
      ticks(engine, 40);
      policy.applyThrows = false;
      ticks(engine, 1);
    });
    assertFailedFortyInARow(log, "policy", "java.lang.IllegalStateException: model file missing");
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.SCALE);
  }

  // The pin is asked only on ticks with bad metrics, the proposal only on the others: one count
  // for both would end a run of failed proposals on every tick that found the pin answering.
  @Test
  void aPinThatThrowsIsCountedApartFromTheProposal() {
    BrokenPolicy policy = new BrokenPolicy();
    AutoscalerEngine engine = engine(clock, source, policy, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.OBSERVE_ONLY)).build();
    ticks(engine, 1);
    policy.applyThrows = true;
    policy.pinThrows = true;
    String log = Fixtures.stderrOf(() -> {
      for (int i = 0; i < 20; i++) {
        source.value(WEB, "rps", i % 2 == 0 ? -1 : 900); // bad metrics every other tick
        ticks(engine, 1);
      }
    });
    // Ten failed pins and ten failed proposals: the first of each warns, and nothing ends a run.
    assertThat(failures(log, "policy")).containsExactly(
        "[main] WARN" + LOGGER + "shop/web: policy failed, holding: "
            + "java.lang.IllegalStateException: pin store unreachable",
        "[main] WARN" + LOGGER + "shop/web: policy failed, holding: "
            + "java.lang.IllegalStateException: model file missing");
    assertThat(log).doesNotContain("answered again");

    policy.pinThrows = false;
    String pinBack = Fixtures.stderrOf(() -> {
      source.value(WEB, "rps", -1);
      ticks(engine, 1);
    });
    assertThat(lines(pinBack, "INFO")).containsExactly("[main] INFO" + LOGGER
        + "shop/web: policy answered again, after 10 failures in a row");
  }
}
