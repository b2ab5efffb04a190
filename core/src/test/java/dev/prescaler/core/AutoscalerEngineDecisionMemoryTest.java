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
 * The past decisions the engine gives policies ({@link DecisionContext#recent()}) span its
 * decisionMemory, the policy's memory() and two sync periods, whichever is longest: with a sync
 * period longer than the memory, each tick still sees the previous tick's decision.
 */
class AutoscalerEngineDecisionMemoryTest {
  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 400);
  RecordingExecutor executor = new RecordingExecutor();
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
    return engine(clock, source, recording(), executor, journal).syncPeriod(sync)
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

  @Test
  void aGapLongerThanTwoSyncPeriodsStillForgetsThePastDecisions() {
    Duration sync = Duration.ofSeconds(601);
    try (AutoscalerEngine engine = build(sync)) {
      engine.tick();
      clock.advance(sync.multipliedBy(2).plusSeconds(1));
      engine.tick();
      assertThat(lastRecentTimes()).isEmpty();
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
  // previous tick: the policy took that tick for its first.
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
      assertThat(lastRecentTimes()).containsExactly(T0, last);
    }
  }
}
