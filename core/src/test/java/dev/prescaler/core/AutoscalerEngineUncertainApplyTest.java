package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How long an apply whose outcome is unknown (FAILED, maybe landed all the same) may still be
 * counted as the engine's scale, live and after restores (see {@link UncertainApplies}).
 */
class AutoscalerEngineUncertainApplyTest {
  /** How a FAILED outcome that may have changed the count ends (ScaleOutcome.FAILED). */
  private static final String MAYBE = ": the change may have been applied";

  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 500);
  RecordingExecutor executor = new RecordingExecutor();
  InMemoryJournal journal = new InMemoryJournal();

  /** A policy that notes what it saw (last scale times, past decisions), then sizes to load. */
  private static DecisionPolicy noting(List<String> views) {
    return (ctx, p) -> {
      views.add(ctx.now() + " up " + ctx.lastScaleUp() + " down " + ctx.lastScaleDown() + " "
          + ctx.recent());
      return CAPACITY.apply(ctx, p);
    };
  }

  /** What a record says, but its sequence number. */
  private static String said(DecisionRecord r) {
    return r.time() + " " + r.kind() + " " + r.current() + " -> " + r.desired() + " "
        + r.action() + " " + r.actionMessage() + " " + r.reasons();
  }

  /**
   * Catches an old target kept while later retries from the same count failed: 2 -> 5 answered
   * FAILED (503) at 10:00, then 2 -> 4 FAILED on every tick for 30 minutes; each retry restarted
   * the wait of 5 too, so an operator's scale to 5 at 10:30:15 was journaled "landed ... counted
   * as a scale", live and after a restore. Each target now keeps its own wait. (The retries ask
   * less than 5: a 5 short of a pending ask, 2 -> 6, would count as that ask cut short.)
   */
  /**
   * Catches a FAILED apply that said nothing was changed (a 403) kept as one whose outcome is
   * unknown: an operator's scale to 3 (on the way to the 5 asked) or to 5 was journaled "landed
   * ... counted as a scale", and cooldowns and rate limits counted the operator's change as the
   * engine's. FAILED changes nothing unless its message says it may have (ScaleOutcome.FAILED).
   */
  @Test
  void aFailedApplyThatChangedNothingLeavesNothingToLand() {
    for (int operator : new int[] {3, 5}) {
      InMemoryJournal own = new InMemoryJournal();
      FakeSource counts = new FakeSource().set(WEB, 2, 2, "rps", 500);
      executor.answer = r -> ScaleOutcome.failed("PATCH deployments.apps shop/web scale: HTTP "
          + "403 Forbidden; nothing changed");
      TestClock time = new TestClock(T0);
      AutoscalerEngine live = engine(time, counts, CAPACITY, executor, own)
          .workload(spec(WEB, 1, 20, Mode.ACT)).build();
      live.tick(); // 2 -> 5 FAILED, nothing changed
      assertThat(own.records(WEB)).singleElement()
          .satisfies(r -> assertThat(r.action()).isEqualTo(Action.FAILED));
      counts.replicas(WEB, operator, operator); // an operator scaled
      executor.answer = r -> ScaleOutcome.applied(r.to(), "ok");
      time.advance(SYNC);
      live.tick();
      DecisionRecord after = own.records(WEB).get(1);
      assertThat(after.reasons()).as("operator at %d", operator).extracting(Reason::step)
          .doesNotContain("landed");
    }
  }

  @Test
  void retriesFromTheSameCountDoNotStretchTheWaitOfAnEarlierTarget() {
    executor.answer = r -> ScaleOutcome.failed("503 Service Unavailable" + MAYBE);
    List<String> seen = new ArrayList<>();
    AutoscalerEngine live = engine(clock, source, noting(seen), executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    live.tick(); // 10:00: 2 -> 5 FAILED
    source.value(WEB, "rps", 400);
    for (int i = 0; i < 120; i++) {
      clock.advance(SYNC);
      live.tick(); // 10:00:15 to 10:30: 2 -> 4 FAILED
    }
    List<DecisionRecord> before = journal.records(WEB);
    assertThat(before).extracting(DecisionRecord::action).containsOnly(Action.FAILED);
    assertThat(before.get(before.size() - 1).desired()).isEqualTo(4);

    source.replicas(WEB, 5, 5).value(WEB, "rps", 500); // an operator scaled to 5
    clock.advance(SYNC);
    Instant operator = clock.instant();
    live.tick(); // 10:30:15
    DecisionRecord r = journal.records(WEB).get(before.size());
    assertThat(r.reasons()).extracting(Reason::step).doesNotContain("landed");
    String view = seen.get(seen.size() - 1);
    assertThat(view).startsWith(operator + " up Optional.empty down Optional.empty ")
        .doesNotContain("applied=true");

    InMemoryJournal after = new InMemoryJournal();
    List<String> seenAfter = new ArrayList<>();
    AutoscalerEngine restarted = engine(new TestClock(operator), source, noting(seenAfter),
        executor, after).workload(spec(WEB, 1, 20, Mode.ACT)).build();
    restarted.restore(before);
    restarted.tick();
    assertThat(after.records(WEB)).singleElement()
        .satisfies(a -> assertThat(a.reasons()).isEqualTo(r.reasons()));
    assertThat(seenAfter).containsExactly(view);
  }

  /**
   * Catches a second restore diverging from the first: A journaled 2 -> 5 FAILED at 10:00 and
   * crashed, and the count became 5 during the outage. B, restored from A's records at 10:12,
   * started the wait at 10:05:15 (one wait after A's last record) and dropped it at once; C,
   * restored from A's and B's records, replayed the wait from B's first record (10:12) and
   * counted 2 -> 5 as a scale at 10:12. The wait now starts no later than one wait after the
   * workload's previous tick, live at every tick and in restore at every record, so C sees what
   * B saw.
   */
  @Test
  void anEngineRestoredFromARestoredEnginesRecordsAgreesWithIt() {
    executor.answer = r -> ScaleOutcome.failed("503 Service Unavailable" + MAYBE);
    AutoscalerEngine a = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    a.tick(); // 10:00: 2 -> 5 FAILED; A crashes
    List<DecisionRecord> ofA = journal.records(WEB);
    assertThat(ofA).extracting(DecisionRecord::action).containsExactly(Action.FAILED);
    source.replicas(WEB, 5, 5); // during the outage, by whoever

    Instant restart = T0.plus(Duration.ofMinutes(12));
    TestClock clockB = new TestClock(restart);
    InMemoryJournal journalB = new InMemoryJournal();
    List<String> seenB = new ArrayList<>();
    AutoscalerEngine b = engine(clockB, source, noting(seenB), executor, journalB)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    b.restore(ofA);
    b.tick(); // 10:12: not seen in time, dropped
    clockB.advance(Duration.ofSeconds(30));
    b.tick(); // 10:12:30
    List<DecisionRecord> ofB = journalB.records(WEB);
    assertThat(ofB).hasSize(2);
    assertThat(ofB).flatExtracting(DecisionRecord::reasons).extracting(Reason::step)
        .doesNotContain("landed");
    assertThat(seenB).allSatisfy(v -> assertThat(v).contains("up Optional.empty"));

    InMemoryJournal journalC = new InMemoryJournal();
    List<String> seenC = new ArrayList<>();
    AutoscalerEngine c = engine(new TestClock(clockB.instant()), source, noting(seenC),
        executor, journalC).workload(spec(WEB, 1, 20, Mode.ACT)).build();
    List<DecisionRecord> ofAAndB = new ArrayList<>(ofA);
    ofAAndB.add(ofB.get(0));
    c.restore(ofAAndB);
    c.tick(); // 10:12:30
    assertThat(journalC.records(WEB)).extracting(AutoscalerEngineUncertainApplyTest::said)
        .containsExactly(said(ofB.get(1)));
    assertThat(seenC).containsExactly(seenB.get(1));
  }
  /**
   * Catches a landed change that re-dates the recommendations of its ask: its past decision
   * carried the ask's marks, so a stabilization window saw the old recommendation again at the
   * tick that saw the change land. With a 300 s window over a "want" mark, 5 -> 10 failed at
   * 10:00 and was seen to have landed at 10:00:15: the first scale-down below 10 came at 10:05:30
   * instead of 10:05:15, the first tick after the ask's own recommendation left the window (a
   * change seen to land minutes later held the count minutes longer).
   */
  @Test
  void aLandedChangeDoesNotDateItsAsksRecommendationsAgain() {
    executor.answer = r -> ScaleOutcome.failed("503 Service Unavailable" + MAYBE);
    source.replicas(WEB, 5, 5);
    int[] want = {10};
    DecisionPolicy stabilized = (ctx, p) -> {
      int held = want[0];
      for (PastDecision d : ctx.recent()) {
        Integer w = d.marks().get("want");
        if (w != null && !d.time().isBefore(ctx.now().minusSeconds(300))) {
          held = Math.max(held, w);
        }
      }
      return p.to("stabilized", held, "want " + want[0] + ", held " + held).mark("want", want[0]);
    };
    AutoscalerEngine live = engine(clock, source, stabilized, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    live.tick(); // 10:00: 5 -> 10 FAILED, may have landed
    executor.answer = r -> ScaleOutcome.applied(r.to(), "set");
    want[0] = 3;
    Instant firstDown = null;
    source.replicas(WEB, 10, 10); // it landed
    for (int i = 1; i <= 48 && firstDown == null; i++) {
      clock.advance(SYNC);
      live.tick();
      DecisionRecord r = journal.records(WEB).get(journal.records(WEB).size() - 1);
      if (r.desired() < 10) {
        firstDown = r.time();
      }
    }
    assertThat(journal.records(WEB).get(1).reasons()).extracting(Reason::step)
        .contains("landed");
    assertThat(firstDown).isEqualTo(T0.plus(Duration.ofSeconds(315)));
  }

  /** What a timed-out apply's record says: its call may still land. */
  private static final ScaleOutcome TIMED_OUT = ScaleOutcome.failed(
      UncertainApplies.timedOut("executor call timed out after 10s"));

  /**
   * Ticks WEB in ACT, every apply timing out, once at each of {@code rps} (15 s apart from
   * 10:00), then once more with the source reporting {@code observed} replicas (at 100 rps a
   * replica, so that nothing more is asked); asserts that an engine restored from the records
   * before that tick gives the same reasons on its first tick, and its policy the same view
   * (last scale times, past decisions), as the live one. Returns the live tick's record and view.
   */
  private Seen seenLiveAndRestoredAlike(int observed, int... rps) {
    executor.answer = r -> TIMED_OUT;
    List<String> seen = new ArrayList<>();
    AutoscalerEngine live = engine(clock, source, noting(seen), executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    for (int i = 0; i < rps.length; i++) {
      source.value(WEB, "rps", rps[i]);
      live.tick();
      clock.advance(SYNC);
    }
    List<DecisionRecord> before = journal.records(WEB);
    assertThat(before).extracting(DecisionRecord::action).containsOnly(Action.FAILED);
    source.replicas(WEB, observed, observed).value(WEB, "rps", observed * 100);
    live.tick();
    DecisionRecord r = journal.records(WEB).get(before.size());
    assertThat(r.kind()).isEqualTo(DecisionRecord.Kind.KEEP);
    String view = seen.get(seen.size() - 1);

    List<String> seenAfter = new ArrayList<>();
    InMemoryJournal after = new InMemoryJournal();
    AutoscalerEngine restarted = engine(new TestClock(clock.instant()), source,
        noting(seenAfter), executor, after).workload(spec(WEB, 1, 20, Mode.ACT)).build();
    restarted.restore(before);
    restarted.tick();
    assertThat(after.records(WEB)).extracting(AutoscalerEngineUncertainApplyTest::said)
        .containsExactly(said(r));
    assertThat(seenAfter).containsExactly(view);
    return new Seen(r, view);
  }

  /** A tick's record, and what its policy saw ({@link #noting}). */
  private record Seen(DecisionRecord record, String view) {}

  /**
   * Catches a timed-out apply that a mutating admission webhook cut short never counted: 2 -> 5
   * timed out at 10:00 and the server stored 3; the tick that observed 3 took it for someone
   * else's scale and dropped the apply, so cooldowns and rate limits never saw the 2 -> 3 the
   * engine made (an {@code Applied(3)} answer on the tick is counted as 2 -> 3). It now counts
   * as that apply landed short, from the tick that saw it, live and after a restore alike.
   */
  @Test
  void aTimedOutApplyCutShortCountsTheChangeMadeLiveAndRestoredAlike() {
    Seen seen = seenLiveAndRestoredAlike(3, 500);
    Instant sawIt = T0.plus(SYNC);
    assertThat(seen.record().reasons()).first().isEqualTo(new Reason("landed", 3, 3,
        "the change 2 -> 5 asked at " + T0 + " (its outcome unknown) has landed at 3, not at "
        + "the 5 asked for: counted as a scale 2 -> 3 at " + sawIt));
    assertThat(seen.view()).startsWith(sawIt + " up Optional[" + sawIt + "] down "
        + "Optional.empty ").contains(new PastDecision(sawIt, 2, 3, true, Map.of()).toString());
  }

  /**
   * The same for a scale-down cut short: 8 -> 3 timed out, and the server stored 5.
   */
  @Test
  void aTimedOutScaleDownCutShortCountsTheChangeMade() {
    source.replicas(WEB, 8, 8);
    Seen seen = seenLiveAndRestoredAlike(5, 300);
    Instant sawIt = T0.plus(SYNC);
    assertThat(seen.record().reasons()).first().extracting(Reason::message)
        .isEqualTo("the change 8 -> 3 asked at " + T0 + " (its outcome unknown) has landed at "
            + "5, not at the 3 asked for: counted as a scale 8 -> 5 at " + sawIt);
    assertThat(seen.view()).contains(" down Optional[" + sawIt + "] ")
        .contains(new PastDecision(sawIt, 8, 5, true, Map.of()).toString());
  }

  /**
   * The rule for several applies pending from one count (2 -> 5 at 10:00, then 2 -> 6 at
   * 10:00:15, both timed out): a count asked for is that apply landed (5 is 2 -> 5); any other
   * short of one is the latest ask it is short of, cut short (4 is 2 -> 6); one past them all is
   * someone else's (7 counts nothing). Live and restored alike.
   */
  @Test
  void severalPendingFromOneCountCountTheAskSeenOrTheLatestCutShort() {
    Instant sawIt = T0.plus(SYNC).plus(SYNC);
    DecisionRecord four = seenLiveAndRestoredAlike(4, 500, 600).record();
    assertThat(four.reasons()).first().extracting(Reason::message).isEqualTo("the change 2 -> 6 "
        + "asked at " + T0.plus(SYNC) + " (its outcome unknown) has landed at 4, not at the 6 "
        + "asked for: counted as a scale 2 -> 4 at " + sawIt);

    clock = new TestClock(T0);
    source = new FakeSource().set(WEB, 2, 2, "rps", 500);
    journal = new InMemoryJournal();
    DecisionRecord five = seenLiveAndRestoredAlike(5, 500, 600).record();
    assertThat(five.reasons()).first().extracting(Reason::message).isEqualTo("the change 2 -> 5 "
        + "asked at " + T0 + " (its outcome unknown) has landed: counted as a scale at " + sawIt);

    clock = new TestClock(T0);
    source = new FakeSource().set(WEB, 2, 2, "rps", 500);
    journal = new InMemoryJournal();
    Seen seven = seenLiveAndRestoredAlike(7, 500, 600);
    assertThat(seven.record().reasons()).extracting(Reason::step)
        .doesNotContain("landed");
    assertThat(seven.view()).contains("up Optional.empty").doesNotContain("applied=true");
  }
}
