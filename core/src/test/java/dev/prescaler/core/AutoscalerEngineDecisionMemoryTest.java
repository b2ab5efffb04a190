package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The past decisions the engine gives policies ({@link DecisionContext#recent()}) span the longer
 * of its decisionMemory and the policy's memory(), and the newest decided one (not a hold) is
 * kept whatever its age: with a sync period longer than the memory, late ticks or holds in
 * between, each tick still sees the last decision, and a long outage grows nothing.
 */
class AutoscalerEngineDecisionMemoryTest {
  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 400);
  RecordingExecutor executor = new RecordingExecutor();
  boolean down; // no reading of the metric, the counts still read: every tick holds at 2
  InMemoryJournal journal = new InMemoryJournal();
  List<DecisionContext> seen = new ArrayList<>();

  /** The capacity formula, recording the context of every decision. */
  DecisionPolicy recording() {
    return DecisionPolicy.chain(CAPACITY, (ctx, p) -> {
      seen.add(ctx);
      return p;
    });
  }

  AutoscalerEngine build(Duration sync) {
    MetricSource failing = (spec, now) -> down
        ? Observation.of(now, ReplicaStatus.of(2, 2),
            MetricReading.unavailable("rps", "metrics server down"))
        : source.read(spec, now);
    return engine(clock, failing, recording(), executor, journal).syncPeriod(sync)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
  }

  private List<Instant> lastRecentTimes() {
    return seen.get(seen.size() - 1).recent().stream().map(PastDecision::time).toList();
  }

  // Caught every tick being a policy's first with a sync period above the 10-minute memory: the
  // previous decision was pruned before each tick, so the HPA recorded its first sync's count
  // again at every tick and never scaled down (a 5-year trace held 19 replicas at 1 h ticks).
  @ParameterizedTest
  @ValueSource(longs = {601, 3600})
  void eachTickSeesThePreviousTicksDecisionWhenTheSyncPeriodIsLongerThanTheMemory(long seconds) {
    Duration sync = Duration.ofSeconds(seconds);
    try (AutoscalerEngine engine = build(sync)) {
      engine.tick();
      assertThat(lastRecentTimes()).isEmpty();
      for (int i = 1; i <= 3; i++) {
        clock.set(T0.plus(sync.multipliedBy(i)));
        engine.tick();
        assertThat(lastRecentTimes()).as("tick %d", i).last()
            .isEqualTo(T0.plus(sync.multipliedBy(i - 1)));
      }
      // A scheduled tick starts a sync period after the previous one ended: a slow tick
      // makes the next one later than a sync period, and it still sees the previous decision.
      Instant previous = clock.instant();
      clock.advance(sync.plus(sync.dividedBy(2)));
      engine.tick();
      assertThat(lastRecentTimes()).last().isEqualTo(previous);
    }
  }

  // Caught a gap longer than what was kept (two sync periods then) forgetting every decision:
  // the tick after a downtime was a policy's first, as after a restart without a restore.
  @Test
  void aGapLongerThanTheMemoryKeepsOnlyTheNewestDecision() {
    Duration sync = Duration.ofSeconds(601);
    try (AutoscalerEngine engine = build(sync)) {
      engine.tick();
      clock.advance(SYNC);
      engine.tick();
      Instant newest = clock.instant();
      clock.advance(Duration.ofHours(5));
      engine.tick();
      assertThat(lastRecentTimes()).containsExactly(newest);
    }
  }

  // Caught ticks that start a sync period after the previous one ended (here 1 s late) with a
  // held tick between two decisions: the previous decision was 2 x 602 s back, past the two
  // sync periods kept, and only the hold (no marks) was left, so the HPA was at its first sync
  // and the guards waited for a whole window again, at every good tick.
  @ParameterizedTest
  @ValueSource(longs = {601, 3600})
  void aHoldBetweenLateTicksKeepsThePreviousDecisionAndDropsTheHold(long seconds) {
    Duration gap = Duration.ofSeconds(seconds + 1);
    try (AutoscalerEngine engine = build(Duration.ofSeconds(seconds))) {
      for (int i = 0; i < 6; i++) {
        down = i % 2 == 1;
        clock.set(T0.plus(gap.multipliedBy(i)));
        engine.tick();
        if (i >= 2 && !down) {
          assertThat(lastRecentTimes()).as("tick %d", i)
              .containsExactly(T0.plus(gap.multipliedBy(i - 2)));
        }
      }
    }
  }

  // Caught a long outage dropping the last decision with the holds that aged out: the first
  // good tick after it saw holds only. The holds after the kept decision are still dropped.
  @Test
  void aLongOutageKeepsTheMemorysHoldsAndTheLastDecisionOnly() {
    try (AutoscalerEngine engine = build(SYNC)) {
      engine.tick();
      down = true;
      for (int i = 1; i <= 480; i++) { // 2 h of holds
        clock.set(T0.plus(SYNC.multipliedBy(i)));
        engine.tick();
        // 41 holds from 600 s back to now, and the decision of T0.
        assertThat(engine.pastDecisionsKept(WEB)).as("tick %d", i).isLessThanOrEqualTo(42);
      }
      down = false;
      clock.set(T0.plus(SYNC.multipliedBy(481)));
      engine.tick();
      // The memory's 40 holds (10 min at 15 s) and the decision of T0.
      assertThat(lastRecentTimes()).hasSize(41).first().isEqualTo(T0);
      assertThat(seen).hasSize(2);
    }
  }

  // Caught the restore pruning the last decision before a long outage, as the ticks did.
  @Test
  void aRestoreAfterALongOutageKeepsTheLastDecision() {
    try (AutoscalerEngine engine = build(SYNC)) {
      engine.tick();
      down = true;
      for (int i = 1; i <= 80; i++) { // 20 min of holds
        clock.set(T0.plus(SYNC.multipliedBy(i)));
        engine.tick();
      }
    }
    down = false;
    seen.clear();
    try (AutoscalerEngine restarted = build(SYNC)) {
      restarted.restore(journal.records());
      clock.advance(SYNC);
      restarted.tick();
      assertThat(lastRecentTimes()).hasSize(41).first().isEqualTo(T0);
    }
  }

  @Test
  void theUsualSyncPeriodKeepsTenMinutesOfDecisions() {
    try (AutoscalerEngine engine = build(SYNC)) {
      for (int i = 0; i <= 41; i++) { // 0 .. 615 s
        clock.set(T0.plus(SYNC.multipliedBy(i)));
        engine.tick();
      }
      // At 615 s the decision of T0 is more than 10 minutes old; the one of 15 s is not.
      assertThat(lastRecentTimes()).hasSize(40).first().isEqualTo(T0.plusSeconds(15));
    }
  }

  // Caught the first tick after a restart at 1 h ticks pruning the decision restored from the
  // previous tick: the policy took that tick for its first. The one before is older than the
  // memory and not the newest: dropped.
  @Test
  void theFirstTickAfterARestoreSeesThePreviousTicksDecisionAtLongSyncPeriods() {
    Duration sync = Duration.ofHours(1);
    try (AutoscalerEngine engine = build(sync)) {
      engine.tick();
      clock.advance(sync);
      engine.tick();
    }
    Instant last = clock.instant();
    seen.clear();
    try (AutoscalerEngine restarted = build(sync)) {
      restarted.restore(journal.records());
      clock.advance(sync);
      restarted.tick();
      assertThat(lastRecentTimes()).containsExactly(last);
    }
  }
}
