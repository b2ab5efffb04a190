package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.API;
import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.DB;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.FollowUp;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Exactly one journal record per workload per tick, follow-ups, and restoring from records. */
class AutoscalerEngineJournalTest {
  /** How a FAILED outcome that may have changed the count ends (ScaleOutcome.FAILED). */
  private static final String MAYBE = ": the change may have been applied";

  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 500).set(API, 2, 2, "rps", 300)
      .set(DB, 3, 3, "rps", 250);
  RecordingExecutor executor = new RecordingExecutor();
  InMemoryJournal journal = new InMemoryJournal();

  @Test
  void everyTickOfEveryWorkloadHasExactlyOneRecordWhateverHappens() {
    source.custom(API, (spec, now) -> {
      throw new IllegalStateException("down");
    });
    source.lag = Duration.ofMinutes(10); // WEB and DB stale on odd ticks
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT))
        .workload(spec(API, 1, 20, Mode.OBSERVE_ONLY))
        .workload(spec(DB, 1, 20, Mode.HPA_FLOOR))
        .build();
    List<Instant> ticks = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      source.lag = i % 2 == 0 ? Duration.ZERO : Duration.ofMinutes(10);
      if (i == 6) {
        clock.set(T0); // backwards: a hold for everybody, still one record each
      }
      ticks.add(clock.instant());
      engine.tick();
      clock.advance(SYNC.multipliedBy(i == 6 ? 8 : 1));
    }
    Map<String, Integer> perWorkloadAndTime = new HashMap<>();
    for (DecisionRecord r : journal.records()) {
      perWorkloadAndTime.merge(r.workload() + "@" + r.time(), 1, Integer::sum);
    }
    Map<String, Integer> expected = new HashMap<>();
    for (Instant t : ticks) {
      for (WorkloadRef w : List.of(WEB, API, DB)) {
        expected.merge(w + "@" + t, 1, Integer::sum);
      }
    }
    assertThat(perWorkloadAndTime).isEqualTo(expected);
    assertThat(journal.records()).hasSize(36);
    assertThat(journal.records()).extracting(DecisionRecord::sequence)
        .isSorted().doesNotHaveDuplicates();
  }

  @Test
  void aRecordHoldsTheTicksInputsDecisionAndOutcome() {
    Forecaster flat = (h, horizon, level) -> Forecast.flat("flat", h.end(), h.step(),
        Forecaster.steps(horizon, h.step()), 500);
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .forecaster(flat).workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.tick();
    source.replicas(WEB, 5, 5);
    clock.advance(SYNC);
    engine.tick();
    DecisionRecord first = journal.records().get(0);
    assertThat(first.sequence()).isZero();
    assertThat(first.time()).isEqualTo(T0);
    assertThat(first.mode()).isEqualTo(Mode.ACT);
    assertThat(first.current()).isEqualTo(2);
    assertThat(first.ready()).isEqualTo(2);
    assertThat(first.metrics()).containsExactly(Map.entry("rps", 500.0));
    assertThat(first.loads()).containsExactly(Map.entry("rps", 500.0));
    assertThat(first.proposed()).isEqualTo(5);
    assertThat(first.desired()).isEqualTo(5);
    assertThat(first.reasons()).containsExactly(new Reason("capacity", 2, 5, "rps 500.0 / 100"));
    assertThat(first.action()).isEqualTo(Action.APPLIED);
    assertThat(first.actionMessage()).isEqualTo("set to 5");
    assertThat(first.forecasts()).isEmpty(); // no closed history step yet
    DecisionRecord second = journal.records().get(1);
    assertThat(second.kind()).isEqualTo(Kind.KEEP);
    assertThat(second.forecasts()).containsKey("rps");
    assertThat(second.forecasts().get("rps").point(0)).isEqualTo(500);
  }

  @Test
  void aScaleIsFollowedUpWithWhatHappenedAfter() {
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .followUpAfter(Duration.ofMinutes(1))
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.tick(); // 2 -> 5
    source.replicas(WEB, 5, 3);
    for (int i = 0; i < 3; i++) {
      clock.advance(SYNC);
      engine.tick();
    }
    assertThat(journal.records().get(0).followUp()).isEmpty();
    source.value(WEB, "rps", 450);
    clock.advance(SYNC);
    engine.tick(); // T0 + 60 s: due
    assertThat(journal.records().get(0).followUp()).contains(
        new FollowUp(T0.plusSeconds(60), 5, 3, Map.of("rps", 450.0)));
    assertThat(journal.records().subList(1, 5))
        .allSatisfy(r -> assertThat(r.followUp()).isEmpty());
  }

  @Test
  void restoreBringsBackTheDecisionMemoryAndTheSequence() {
    DecisionPolicy marking = (ctx, p) -> CAPACITY.apply(ctx, p).mark("raw", 42);
    AutoscalerEngine first = engine(clock, source, marking, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    first.tick(); // WEB 2 -> 5, applied at T0
    source.replicas(WEB, 5, 5);
    clock.advance(SYNC);
    first.tick();
    List<DecisionRecord> saved = journal.records();

    List<DecisionContext> seen = new ArrayList<>();
    DecisionPolicy recording = (ctx, p) -> {
      seen.add(ctx);
      return p;
    };
    InMemoryJournal second = new InMemoryJournal();
    AutoscalerEngine restarted = engine(clock, source, recording, executor, second)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    restarted.restore(saved);
    clock.advance(SYNC);
    restarted.tick();

    DecisionContext ctx = seen.get(0);
    assertThat(ctx.lastScaleUp()).contains(T0);
    assertThat(ctx.lastScaleDown()).isEmpty();
    assertThat(ctx.recent()).extracting(PastDecision::time)
        .containsExactly(T0, T0.plus(SYNC));
    assertThat(ctx.recent().get(0).applied()).isTrue();
    assertThat(ctx.recent().get(0).marks()).containsEntry("raw", 42);
    assertThat(ctx.marks("raw", Duration.ofMinutes(5))).hasSize(2);
    assertThat(second.records()).singleElement()
        .extracting(DecisionRecord::sequence).isEqualTo(2L);
  }

  /** CAPACITY, after noting what each context shows of the past: its time, scales, decisions. */
  private static DecisionPolicy noting(List<String> views) {
    return (ctx, p) -> {
      views.add(ctx.now() + " up " + ctx.lastScaleUp() + " down " + ctx.lastScaleDown() + " "
          + ctx.recent());
      return CAPACITY.apply(ctx, p);
    };
  }

  /** An engine for WEB (ACT) on {@code clock}, its policy {@link #noting} into {@code views}. */
  private AutoscalerEngine webEngine(TestClock clock, List<String> views,
      InMemoryJournal journal) {
    return engine(clock, source, noting(views), executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
  }

  /**
   * Restores a {@link #webEngine} from {@code records} at {@code at} and asserts that its one tick
   * gives the reasons {@code live} gave, and that its policy sees {@code view}, as the live one
   * did.
   */
  private void assertARestoreAlike(List<DecisionRecord> records, Instant at, DecisionRecord live,
      String view) {
    List<String> seenAfter = new ArrayList<>();
    InMemoryJournal after = new InMemoryJournal();
    AutoscalerEngine restarted = webEngine(new TestClock(at), seenAfter, after);
    restarted.restore(records);
    restarted.tick();
    String restored = "restored at " + at + " from " + records.size() + " records";
    assertThat(after.records(WEB)).singleElement().as(restored)
        .satisfies(a -> assertThat(a.reasons()).isEqualTo(live.reasons()));
    assertThat(seenAfter).as(restored).containsExactly(view);
  }

  /**
   * Ticks {@code live} 15 s later, the 2 -> 5 asked at T0 having landed, and asserts that this
   * tick counts it as a scale made now; then that an engine restored from {@code before} (WEB's
   * records so far) at this time says the same and its policy sees the same as {@code seen}'s last.
   */
  private void assertTheLandingIsCountedAliveAndAfterARestore(AutoscalerEngine live,
      List<String> seen, List<DecisionRecord> before) {
    clock.advance(SYNC);
    Instant sawIt = clock.instant();
    live.tick();
    DecisionRecord r = journal.records(WEB).get(before.size());
    assertThat(r.reasons()).first().extracting(Reason::step, Reason::message).containsExactly(
        "landed", "the change 2 -> 5 asked at " + T0 + " (its outcome unknown) has landed: "
            + "counted as a scale at " + sawIt);
    String view = seen.get(seen.size() - 1);
    assertThat(view).startsWith(sawIt + " up Optional[" + sawIt + "] ");

    assertARestoreAlike(before, sawIt, r, view);
  }

  /** WEB's records from {@code from} on, in order. */
  private static List<DecisionRecord> from(List<DecisionRecord> records, Instant from) {
    return records.stream().filter(r -> !r.time().isBefore(from)).toList();
  }

  /**
   * Catches a scale that happened and was never counted, live or after a restart: an executor
   * answers FAILED after its write got through (a proxy's 500 after the API server took the
   * patch). The next tick sees the count it asked for and counts it as a scale made then, at
   * T0 + 15 s; an engine restored from the journal before that tick, or after it, counts it
   * alike, so its records and what its policies see (last scale-up, past decisions) are the
   * uninterrupted engine's. Also catches a restore dating it otherwise than the live tick.
   */
  @Test
  void aFailedApplyThatLandedIsCountedAliveAndAfterARestoreAlike() {
    executor.answer = r -> {
      source.replicas(r.workload(), r.to(), r.to());
      return ScaleOutcome.failed(
          "500 Internal Server Error from the proxy, after the write" + MAYBE);
    };
    List<String> seen = new ArrayList<>();
    AutoscalerEngine uninterrupted = webEngine(clock, seen, journal);
    for (int i = 0; i < 3; i++) {
      uninterrupted.tick(); // T0: 2 -> 5 FAILED; T0 + 15 s: 5 seen, counted; T0 + 30 s
      clock.advance(SYNC);
    }
    List<DecisionRecord> all = journal.records(WEB);
    assertThat(all.get(0).action()).isEqualTo(Action.FAILED);
    Instant sawIt = T0.plus(SYNC);
    assertThat(all.get(1).reasons()).first().extracting(Reason::step, Reason::message)
        .containsExactly("landed", "the change 2 -> 5 asked at " + T0 + " (its outcome unknown) "
            + "has landed: counted as a scale at " + sawIt);
    for (String view : seen.subList(1, 3)) {
      assertThat(view).contains(" up Optional[" + sawIt + "] down Optional.empty ")
          .contains("PastDecision[time=" + T0 + ", current=2, desired=5, applied=false")
          .contains("PastDecision[time=" + sawIt + ", current=2, desired=5, applied=true");
    }

    for (int restartAt = 1; restartAt <= 2; restartAt++) {
      Instant at = T0.plus(SYNC.multipliedBy(restartAt));
      List<String> seenAfter = new ArrayList<>();
      InMemoryJournal after = new InMemoryJournal();
      AutoscalerEngine restarted = webEngine(new TestClock(at), seenAfter, after);
      restarted.restore(all.subList(0, restartAt));
      TestClock restartedClock = (TestClock) restarted.clock();
      for (int i = restartAt; i < 3; i++) {
        restarted.tick();
        restartedClock.advance(SYNC);
      }
      assertThat(after.records(WEB)).as("records after a restart at %s", at)
          .isEqualTo(from(all, at));
      assertThat(seenAfter).as("what the policy saw after a restart at %s", at)
          .isEqualTo(seen.subList(restartAt, 3));
    }
  }

  /**
   * Catches an uncertain apply kept for good: 2 -> 5 answered FAILED ("503") at 10:00 and
   * nothing landed; the load fell and the engine kept 2. At 12:00 an operator scaled to 5, and the
   * engine journaled "landed: ... counted as a scale" and counted a scale-up of its own, live and
   * after a restore alike. It is now dropped once it was not seen within min(maxMetricAge, 5 min)
   * + one sync period after the first tick that found no apply of its workload running.
   */
  @Test
  void aFailedApplyNotSeenInTimeIsDroppedAliveAndAfterARestore() {
    executor.answer = r -> ScaleOutcome.failed("503 Service Unavailable" + MAYBE);
    List<String> seen = new ArrayList<>();
    AutoscalerEngine live = webEngine(clock, seen, journal);
    live.tick(); // 10:00: 2 -> 5 FAILED, and nothing landed
    source.value(WEB, "rps", 150);
    clock.advance(SYNC);
    live.tick(); // 10:00:15: keeps 2
    List<DecisionRecord> before = journal.records(WEB);
    assertThat(before).extracting(DecisionRecord::action)
        .containsExactly(Action.FAILED, Action.NONE);

    Instant noon = T0.plus(Duration.ofHours(2));
    source.replicas(WEB, 5, 5).value(WEB, "rps", 500); // an operator scaled to 5
    clock.set(noon);
    live.tick();
    DecisionRecord r = journal.records(WEB).get(2);
    assertThat(r.kind()).isEqualTo(Kind.KEEP);
    assertThat(r.reasons()).extracting(Reason::step).doesNotContain("landed");
    String view = seen.get(seen.size() - 1);
    assertThat(view).startsWith(noon + " up Optional.empty down Optional.empty ")
        .doesNotContain("applied=true");

    assertARestoreAlike(before, noon, r, view);
    // Restored from the first record alone, its newest decision (kept whatever its age) is
    // that of 10:00, not the one the live engine made at 10:00:15; the rest is alike.
    assertARestoreAlike(before.subList(0, 1), noon, r, noon
        + " up Optional.empty down Optional.empty " + List.of(new PastDecision(T0, 2, 5, false,
            Map.of())));
  }

  /**
   * Catches a landing dropped because its apply call took long: an inline apply hung 7 minutes,
   * set the count to 5 and answered FAILED; the wait for its count started at its tick's time
   * (10:00), so the next tick (10:07:15) dropped it as not seen in time and never counted the
   * engine's own scale, live or after a restore. The wait now starts at the first tick that finds
   * no apply of the workload running.
   */
  @Test
  void aFailedApplyThatHungLongIsCountedWhenSeenAliveAndAfterARestore() {
    executor.answer = r -> {
      clock.advance(Duration.ofMinutes(7));
      source.replicas(r.workload(), r.to(), r.to());
      return ScaleOutcome.failed("500 Internal Server Error, after a long hang" + MAYBE);
    };
    List<String> seen = new ArrayList<>();
    AutoscalerEngine live = webEngine(clock, seen, journal);
    live.tick(); // 10:00: 2 -> 5, FAILED at 10:07
    List<DecisionRecord> before = journal.records(WEB);
    assertThat(before).extracting(DecisionRecord::action).containsExactly(Action.FAILED);
    assertTheLandingIsCountedAliveAndAfterARestore(live, seen, before);
  }

  /**
   * Catches the engine's own scale taken for someone else's: 2 -> 5 answered FAILED, the retry
   * 2 -> 6 (the load had grown) answered FAILED too, and the first landed; only the latest was
   * kept, so 5 was read as someone else's change and never counted, live or after a restore.
   * The earlier targets from the same count are kept, and whichever is observed counts.
   */
  @Test
  void twoFailedAppliesFromOneCountCountWhicheverLanded() {
    executor.answer = r -> ScaleOutcome.failed("504 Gateway Timeout" + MAYBE);
    List<String> seen = new ArrayList<>();
    AutoscalerEngine live = webEngine(clock, seen, journal);
    live.tick(); // 10:00: 2 -> 5 FAILED
    source.value(WEB, "rps", 600);
    clock.advance(SYNC);
    live.tick(); // 10:00:15: 2 -> 6 FAILED
    List<DecisionRecord> before = journal.records(WEB);
    assertThat(before).extracting(DecisionRecord::action, DecisionRecord::desired)
        .containsExactly(tuple(Action.FAILED, 5), tuple(Action.FAILED, 6));

    source.replicas(WEB, 5, 5).value(WEB, "rps", 500); // the first landed
    assertTheLandingIsCountedAliveAndAfterARestore(live, seen, before);
  }

  /**
   * Catches an operator's scale journaled as the engine's landing long after: with maxMetricAge
   * a day, a FAILED 2 -> 5 that never landed was waited for a day (callTimeout + maxMetricAge +
   * a sync period), so an operator's scale to 5 at 10:06 was counted as the engine's own. The
   * wait is now min(maxMetricAge, 5 min) + one sync period from the first tick that found no
   * apply running (10:00:15), so it ends at 10:05:30.
   */
  @Test
  void aLongMaxMetricAgeDoesNotLengthenTheWaitForAFailedApply() {
    executor.answer = r -> ScaleOutcome.failed("503 Service Unavailable" + MAYBE);
    List<String> seen = new ArrayList<>();
    AutoscalerEngine live = engine(clock, source, noting(seen), executor, journal)
        .maxMetricAge(Duration.ofDays(1)).workload(spec(WEB, 1, 20, Mode.ACT)).build();
    live.tick(); // 10:00: 2 -> 5 FAILED, and nothing landed
    source.value(WEB, "rps", 150);
    clock.advance(SYNC);
    live.tick(); // 10:00:15: keeps 2

    source.replicas(WEB, 5, 5).value(WEB, "rps", 500); // an operator scaled to 5
    clock.set(T0.plus(Duration.ofMinutes(6)));
    live.tick();
    assertThat(journal.records(WEB).get(2).reasons()).extracting(Reason::step)
        .doesNotContain("landed");
    assertThat(seen.get(seen.size() - 1)).doesNotContain("applied=true");
  }

  /**
   * Catches a refused apply dropping an earlier one that may still land: 2 -> 5 answered FAILED
   * (a gateway timeout, the write on its way); the retry was REFUSED (429), which changed nothing,
   * but forgot the first, so when the first landed it was never counted, live or after a restore.
   */
  @Test
  void aRefusedApplyLeavesTheEarlierFailedOneToLand() {
    int[] applies = {0};
    executor.answer = r -> ++applies[0] == 1
        ? ScaleOutcome.failed("504 Gateway Timeout" + MAYBE)
        : ScaleOutcome.refused("429 Too Many Requests");
    List<String> seen = new ArrayList<>();
    AutoscalerEngine live = webEngine(clock, seen, journal);
    live.tick(); // 10:00: 2 -> 5 FAILED
    clock.advance(SYNC);
    live.tick(); // 10:00:15: 2 -> 5 REFUSED
    List<DecisionRecord> before = journal.records(WEB);
    assertThat(before).extracting(DecisionRecord::action)
        .containsExactly(Action.FAILED, Action.REFUSED);

    source.replicas(WEB, 5, 5); // the first landed
    assertTheLandingIsCountedAliveAndAfterARestore(live, seen, before);
  }

  /**
   * The step of the last reason that changed the count, as the agent labels a record in its
   * decisions metric ("none" when no step did).
   */
  private static String lastChange(DecisionRecord r) {
    String step = "none";
    for (Reason reason : r.reasons()) {
      if (reason.from() != reason.to()) {
        step = reason.step();
      }
    }
    return step;
  }

  /**
   * Catches the landed note breaking a record's reasons: it was a step 2 -> 5 put before the
   * policy's, so a record 5 -> 9 had reasons [2 -> 5, 5 -> 9] that no longer chained from its
   * current count, and a KEEP on the tick that saw a landing was labelled reason "landed" by the
   * agent, which takes the last step that changed the count. The note is now a step that kept the
   * count it found.
   */
  @Test
  void theLandedNoteKeepsTheReasonsChainingFromTheCurrentCount() {
    executor.answer = r -> {
      if (r.to() == 5) {
        source.replicas(r.workload(), 5, 5);
        return ScaleOutcome.failed(
            "500 Internal Server Error from the proxy, after the write" + MAYBE);
      }
      return ScaleOutcome.applied(r.to(), "set to " + r.to());
    };
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).workload(spec(API, 1, 20, Mode.ACT)).build();
    source.set(API, 2, 2, "rps", 500);
    engine.tick(); // 10:00: WEB and API 2 -> 5 FAILED, both landed
    source.value(WEB, "rps", 900);
    clock.advance(SYNC);
    engine.tick(); // 10:00:15: WEB 5 -> 9, API keeps 5

    Map<String, DecisionRecord> seen = Map.of("scale", journal.records(WEB).get(1),
        "keep", journal.records(API).get(1));
    assertThat(seen.get("scale").kind()).isEqualTo(Kind.SCALE);
    assertThat(seen.get("keep").kind()).isEqualTo(Kind.KEEP);
    seen.forEach((name, r) -> {
      assertThat(r.reasons()).as(name).first().isEqualTo(new Reason("landed", 5, 5, "the "
          + "change 2 -> 5 asked at " + T0 + " (its outcome unknown) has landed: counted as a "
          + "scale at " + T0.plus(SYNC)));
      int count = r.current();
      for (Reason reason : r.reasons()) {
        assertThat(reason.from()).as("%s: %s chains from %s", name, reason, count)
            .isEqualTo(count);
        count = reason.to();
      }
      assertThat(count).as(name).isEqualTo(r.proposed());
    });
    assertThat(lastChange(seen.get("scale"))).isEqualTo("capacity");
    assertThat(lastChange(seen.get("keep"))).isEqualTo("none");
  }

  // Catches follow-ups kept in memory only: a scale made shortly before a restart never got its
  // follow-up, as restore() did not rebuild the pending ones from the journal.
  @Test
  void restoreRebuildsTheFollowUpsNotWrittenYet() {
    AutoscalerEngine first = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    first.tick(); // WEB 2 -> 5 at T0, followed up at T0 + 5 min
    first.close();
    long scale = journal.records().get(0).sequence();

    AutoscalerEngine restarted = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    restarted.restore(journal.records());
    source.replicas(WEB, 5, 4).value(WEB, "rps", 450);
    for (int i = 0; i < 20; i++) {
      clock.advance(SYNC);
      restarted.tick();
    }
    DecisionRecord r = journal.records(WEB).stream().filter(d -> d.sequence() == scale)
        .findFirst().orElseThrow();
    assertThat(r.followUp()).contains(
        new FollowUp(T0.plus(Duration.ofMinutes(5)), 5, 4, Map.of("rps", 450.0)));
  }

  @Test
  void restoreDropsFollowUpsThatFellDueLongBeforeTheRestart() {
    AutoscalerEngine first = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    first.tick(); // due at T0 + 5 min; the engine is down until T0 + 11 min
    first.close();
    clock.advance(Duration.ofMinutes(11));
    AutoscalerEngine restarted = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    restarted.restore(journal.records());
    restarted.tick();
    assertThat(journal.records().get(0).followUp()).isEmpty();
  }

  @Test
  void restoreSkipsUnknownWorkloadsButContinuesTheSequence() {
    DecisionRecord other = new DecisionRecord(7, T0.minusSeconds(60), API, Mode.ACT, Kind.SCALE,
        2, 2, Map.of(), Map.of(), Map.of(), Map.of(), 3, 3, List.of(), Map.of(), Action.APPLIED,
        "", Optional.empty());
    List<DecisionContext> seen = new ArrayList<>();
    AutoscalerEngine engine = engine(clock, source, (ctx, p) -> {
      seen.add(ctx);
      return p;
    }, executor, journal).workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.restore(List.of(other));
    engine.tick();
    assertThat(journal.records()).singleElement().extracting(DecisionRecord::sequence)
        .isEqualTo(8L);
    assertThat(seen.get(0).recent()).isEmpty();
    assertThat(seen.get(0).lastScaleUp()).isEmpty();
  }

  /**
   * Catches a restore handing the policies counts no tick records, from lines the journal reads
   * as they say (a corrupt or hand-made file): a KEEP decided at -1 became a past decision
   * 2 -> -1, and a FAILED apply from an unknown count -1 -> 5, seen landed, a past decision -1 ->
   * 5 with a "landed" note. Past decisions now refuse a negative count, and restore leaves such
   * records out of them and of the applies that may land, instead of failing half-way.
   */
  @Test
  void restoreLeavesOutCountsNoTickRecords() {
    DecisionRecord decidedNegative = new DecisionRecord(3, T0.minusSeconds(30), WEB, Mode.ACT,
        Kind.KEEP, 2, 2, Map.of(), Map.of(), Map.of(), Map.of(), -1, -1, List.of(), Map.of(),
        Action.NONE, "", Optional.empty());
    DecisionRecord fromUnknown = new DecisionRecord(4, T0.minusSeconds(15), WEB, Mode.ACT,
        Kind.SCALE, -1, -1, Map.of(), Map.of(), Map.of(), Map.of(), 5, 5, List.of(), Map.of(),
        Action.FAILED, "503" + MAYBE, Optional.empty());
    source.replicas(WEB, 5, 5);
    List<DecisionContext> seen = new ArrayList<>();
    AutoscalerEngine engine = engine(clock, source, (ctx, p) -> {
      seen.add(ctx);
      return p;
    }, executor, journal).workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.restore(List.of(decidedNegative, fromUnknown));
    engine.tick();
    assertThat(seen).singleElement().satisfies(ctx -> {
      assertThat(ctx.recent()).isEmpty();
      assertThat(ctx.lastScaleUp()).isEmpty();
    });
    assertThat(journal.records()).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo(Kind.KEEP);
      assertThat(r.reasons()).extracting(Reason::step).doesNotContain("landed");
    });
  }

  @Test
  void aTickBeforeTheLastRestoredRecordHolds() {
    DecisionRecord later = new DecisionRecord(3, T0.plusSeconds(600), WEB, Mode.ACT, Kind.KEEP, 2,
        2, Map.of(), Map.of(), Map.of(), Map.of(), 2, 2, List.of(), Map.of(), Action.NONE, "",
        Optional.empty());
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.restore(List.of(later));
    engine.tick();
    DecisionRecord r = journal.records().get(0);
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.reasons()).extracting(Reason::message)
        .contains("clock went backwards from " + T0.plusSeconds(600) + " to " + T0);
    assertThat(executor.requests).isEmpty();
  }

  // Catches a record written under a forward clock glitch freezing the restarted engine: restore
  // took the last tick from it, and every tick held until real time passed it.
  @Test
  void aRestoredRecordFromAClockGlitchCostsOneHeldTick() {
    Instant glitch = T0.plus(Duration.ofDays(30));
    DecisionRecord later = new DecisionRecord(3, glitch, WEB, Mode.ACT, Kind.KEEP, 2, 2,
        Map.of(), Map.of(), Map.of(), Map.of(), 2, 2, List.of(), Map.of(), Action.NONE, "",
        Optional.empty());
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.restore(List.of(later));
    engine.tick();
    assertThat(journal.records().get(0).kind()).isEqualTo(Kind.HOLD);
    clock.advance(SYNC);
    engine.tick();
    assertThat(journal.records().get(1).kind()).isEqualTo(Kind.SCALE);
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(5);
  }

  // Caught a restore that did not replay a clock correction the live engine had made: the
  // restarted engine held once more ("clock went backwards ... more than maxMetricAge back") and
  // rewound again from the restart, so its cooldowns counted the glitch's scale-up from there.
  @Test
  void aClockCorrectionTheLiveEngineMadeIsReplayedByTheRestore() {
    List<String> live = new ArrayList<>();
    List<String> restored = new ArrayList<>();
    source.set(WEB, 2, 2, "rps", 200);
    AutoscalerEngine first = engine(clock, source, seeing(live), executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    first.tick(); // T0: keep 2
    clock.set(T0.plus(Duration.ofDays(30)));
    source.value(WEB, "rps", 500);
    first.tick(); // under the glitch: 2 -> 5
    source.replicas(WEB, 5, 5);
    for (int i = 1; i <= 3; i++) { // held once, then taken as corrected
      clock.set(T0.plus(SYNC.multipliedBy(i)));
      first.tick();
    }
    assertThat(journal.records()).extracting(DecisionRecord::kind)
        .containsExactly(Kind.KEEP, Kind.SCALE, Kind.HOLD, Kind.KEEP, Kind.KEEP);
    InMemoryJournal second = new InMemoryJournal();
    AutoscalerEngine again = engine(clock, source, seeing(restored), new RecordingExecutor(),
        second).workload(spec(WEB, 1, 20, Mode.ACT)).build();
    again.restore(journal.records());
    live.clear();
    for (int i = 4; i <= 7; i++) {
      clock.set(T0.plus(SYNC.multipliedBy(i)));
      first.tick();
      again.tick();
    }
    assertThat(second.records()).extracting(DecisionRecord::kind)
        .containsExactly(Kind.KEEP, Kind.KEEP, Kind.KEEP, Kind.KEEP);
    assertThat(restored).isEqualTo(live).hasSize(4)
        .allMatch(seen -> seen.equals("last scale-up " + T0.plus(SYNC.multipliedBy(2))));
  }

  // Caught a second restore call (another workload's records, 10 minutes of them) replayed as
  // a clock gone back more than maxMetricAge: it rewound the first call's scale-up of WEB to its
  // own second tick, 10:00:15, so a cooldown after the 10:08:45 scale-up would have ended early.
  @Test
  void restoringWorkloadByWorkloadGivesWhatOneRestoreGives() {
    source.set(WEB, 2, 2, "rps", 200).set(API, 2, 2, "rps", 200);
    AutoscalerEngine live = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).workload(spec(API, 1, 20, Mode.ACT)).build();
    for (int i = 0; i < 40; i++) {
      if (i == 35) {
        source.value(WEB, "rps", 500);
      } else if (i == 36) {
        source.replicas(WEB, 5, 5);
      }
      live.tick();
      clock.advance(SYNC);
    }
    List<String> once = new ArrayList<>();
    List<String> twice = new ArrayList<>();
    AutoscalerEngine a = engine(clock, source, seeing(once), new RecordingExecutor(),
        new InMemoryJournal()).workload(spec(WEB, 1, 20, Mode.ACT))
        .workload(spec(API, 1, 20, Mode.ACT)).build();
    a.restore(journal.records());
    AutoscalerEngine b = engine(clock, source, seeing(twice), new RecordingExecutor(),
        new InMemoryJournal()).workload(spec(WEB, 1, 20, Mode.ACT))
        .workload(spec(API, 1, 20, Mode.ACT)).build();
    b.restore(journal.records(WEB));
    b.restore(journal.records(API));
    a.tick();
    b.tick();
    assertThat(twice).isEqualTo(once)
        .contains("last scale-up " + T0.plus(SYNC.multipliedBy(35)));
  }

  // Caught the split restore above rewinding, at a clock correction in the second call's
  // records, the first call's workload too: its scale-up of 10:02:00 became 10:00:30, and a
  // cooldown counted from it ended early.
  @Test
  void restoringWorkloadByWorkloadAcrossAClockCorrectionGivesWhatOneRestoreGives() {
    source.set(WEB, 2, 2, "rps", 200).set(API, 2, 2, "rps", 200);
    AutoscalerEngine live = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).workload(spec(API, 1, 20, Mode.ACT)).build();
    live.tick();
    clock.set(T0.plus(Duration.ofDays(30)));
    live.tick(); // a forward glitch
    for (int i = 1; i < 12; i++) { // held once, corrected at 10:00:30
      clock.set(T0.plus(SYNC.multipliedBy(i)));
      if (i == 8) {
        source.value(WEB, "rps", 500); // 2 -> 5 at 10:02:00
      } else if (i == 9) {
        source.replicas(WEB, 5, 5);
      }
      live.tick();
    }
    clock.set(T0.plus(SYNC.multipliedBy(12)));
    List<String> once = new ArrayList<>();
    AutoscalerEngine a = engine(clock, source, seeing(once), new RecordingExecutor(),
        new InMemoryJournal()).workload(spec(WEB, 1, 20, Mode.ACT))
        .workload(spec(API, 1, 20, Mode.ACT)).build();
    a.restore(journal.records());
    a.tick();
    for (List<WorkloadRef> order : List.of(List.of(WEB, API), List.of(API, WEB))) {
      List<String> split = new ArrayList<>();
      AutoscalerEngine b = engine(clock, source, seeing(split), new RecordingExecutor(),
          new InMemoryJournal()).workload(spec(WEB, 1, 20, Mode.ACT))
          .workload(spec(API, 1, 20, Mode.ACT)).build();
      order.forEach(w -> b.restore(journal.records(w)));
      b.tick();
      assertThat(split).as("restored in the order " + order).isEqualTo(once)
          .contains("last scale-up " + T0.plus(SYNC.multipliedBy(8)));
    }
  }

  // Caught the split restore replaying a small clock step back of the second call's records
  // over the first call's workload: it cancelled WEB's startup measurement, begun after the step.
  @Test
  void restoringWorkloadByWorkloadKeepsAStartupBegunAfterAStepBack() {
    source.set(WEB, 2, 2, "rps", 200).set(API, 2, 2, "rps", 200);
    AutoscalerEngine live = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).workload(spec(API, 1, 20, Mode.ACT)).build();
    for (int i = 0; i < 10; i++) { // 15 s back at the fourth tick
      clock.set(T0.plus(SYNC.multipliedBy(i)).minusSeconds(i >= 3 ? 30 : 0));
      if (i == 6) {
        source.value(WEB, "rps", 500); // 2 -> 5
      } else if (i == 7) {
        source.replicas(WEB, 5, 2);
      }
      live.tick();
    }
    clock.set(T0.plus(Duration.ofMinutes(2)));
    source.replicas(WEB, 5, 5);
    List<List<Duration>> samples = new ArrayList<>();
    for (List<WorkloadRef> order : List.of(List.of(WEB, API), List.of(API, WEB))) {
      AutoscalerEngine b = engine(clock, source, CAPACITY, new RecordingExecutor(),
          new InMemoryJournal()).workload(spec(WEB, 1, 20, Mode.ACT))
          .workload(spec(API, 1, 20, Mode.ACT)).build();
      order.forEach(w -> b.restore(journal.records(w)));
      b.tick();
      samples.add(b.startupDelaySamples(WEB));
    }
    live.tick();
    assertThat(samples).containsOnly(live.startupDelaySamples(WEB));
    assertThat(live.startupDelaySamples(WEB)).isNotEmpty();
  }

  /** The capacity policy, noting the last scale-up it was shown. */
  private static DecisionPolicy seeing(List<String> seen) {
    return (ctx, p) -> {
      seen.add("last scale-up " + ctx.lastScaleUp().map(Instant::toString).orElse("none"));
      return CAPACITY.apply(ctx, p);
    };
  }

  @Test
  void afterAGracefulRestartTheHpaFloorIsSentAgain() {
    source.set(WEB, 2, 2, "rps", 600);
    AutoscalerEngine first = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR)).build();
    first.tick(); // floor 6 sent
    first.close(); // SIGTERM: the HPA gets its own spec back, floor gone
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(6);
    assertThat(executor.released).containsExactly(WEB);

    RecordingExecutor after = new RecordingExecutor();
    AutoscalerEngine restarted = engine(clock, source, CAPACITY, after, new InMemoryJournal())
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR)).build();
    restarted.restore(journal.records());
    clock.advance(SYNC);
    restarted.tick(); // the same floor: sent again, since close() released it
    clock.advance(SYNC);
    restarted.tick(); // unchanged since it was sent: not sent
    assertThat(after.requests).extracting(ScaleRequest::to).containsExactly(6);
    assertThat(after.requests).allSatisfy(r -> assertThat(r.mode()).isEqualTo(Mode.HPA_FLOOR));
  }

  @Test
  void afterACrashTheHpaFloorIsSentOnceMoreWhichChangesNothing() {
    AutoscalerEngine first = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR)).build();
    first.tick(); // floor 5 sent, then the process dies without close()
    RecordingExecutor after = new RecordingExecutor();
    AutoscalerEngine restarted = engine(clock, source, CAPACITY, after, new InMemoryJournal())
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR)).build();
    restarted.restore(journal.records());
    clock.advance(SYNC);
    restarted.tick();
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(5);
    assertThat(after.requests).extracting(ScaleRequest::to).containsExactly(5);
  }

  @Test
  void theInMemoryJournalDropsTheOldestBeyondItsCapacity() {
    InMemoryJournal small = new InMemoryJournal(3);
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, small)
        .workload(spec(WEB, 1, 20, Mode.OBSERVE_ONLY)).build();
    for (int i = 0; i < 5; i++) {
      engine.tick();
      clock.advance(SYNC);
    }
    assertThat(small.records()).extracting(DecisionRecord::sequence).containsExactly(2L, 3L, 4L);
    assertThat(small.dropped()).isEqualTo(2);
  }
}
