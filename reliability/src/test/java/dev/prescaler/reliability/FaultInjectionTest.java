package dev.prescaler.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.journal.JsonLinesJournal;
import dev.prescaler.reliability.ScriptedPolicy.Behaviour;
import dev.prescaler.testkit.DecisionInvariants;
import dev.prescaler.testkit.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One example per fault: what the engine does when a metric source, executor, forecaster, policy,
 * clock, listener or journal misbehaves. Faults are injected through scripted plug-ins (see
 * {@link FaultHarness}); nothing sleeps, and a hanging plug-in blocks on a latch the test opens.
 */
class FaultInjectionTest {
  private static final WorkloadRef WEB = FaultHarness.WEB.workload();
  private static final WorkloadRef WORKER = FaultHarness.WORKER.workload();
  private static final Duration TICK = Duration.ofSeconds(15);

  /** A harness whose first tick already scaled web to 5 for 500 rps. */
  private static FaultHarness warmedUp() {
    FaultHarness h = new FaultHarness();
    h.source.demand(WEB, 500);
    h.source.demand(WORKER, 10);
    DecisionRecord first = FaultHarness.recordOf(h.tick(), WEB);
    assertThat(first.kind()).isEqualTo(Kind.SCALE);
    assertThat(h.cluster.get(WEB)).isEqualTo(5);
    h.source.accepted(WEB, h.clock.instant());
    h.clock.advance(TICK);
    return h;
  }

  private static void assertHeldWithoutScaling(FaultHarness h, DecisionRecord r, int before,
      String reason) {
    assertThat(r.kind()).as(r.toString()).isEqualTo(Kind.HOLD);
    assertThat(r.action()).isEqualTo(Action.NONE);
    assertThat(r.actionMessage()).contains(reason);
    assertThat(r.desired()).isEqualTo(r.current());
    assertThat(h.cluster.get(r.workload())).isEqualTo(before);
    assertThat(DecisionInvariants.checkRecord(r, FaultHarness.WEB)).isEmpty();
  }

  // -----------------------------------------------------------------------------------------
  // Metric sources.

  @ParameterizedTest
  @EnumSource(value = SourceFault.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void badOrMissingDataHoldsWithItsReasonAndNeverScales(SourceFault fault) {
    try (FaultHarness h = warmedUp()) {
      int executorCalls = h.executor.requests(WEB).size();
      h.source.fault(WEB, fault);
      h.source.demand(WEB, 1800);
      DecisionRecord r = FaultHarness.recordOf(h.tick(), WEB);
      assertHeldWithoutScaling(h, r, 5, fault.holdReason());
      assertThat(h.executor.requests(WEB)).hasSize(executorCalls);
      // The other workloads were decided as usual.
      assertThat(h.journal.attempts()).hasSize(2 * FaultHarness.SPECS.size());
    }
  }

  @Test
  void aSourceCannotReportNanOrInfinity() {
    Instant t = FaultHarness.START;
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY}) {
      assertThatThrownBy(() -> MetricReading.of("rps", bad, t))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("value of metric rps must be finite, but was " + bad
              + "; report MetricReading.unavailable instead");
    }
  }

  @Test
  void sourceThatThrowsIsReportedToListenersAsASourceFailure() {
    try (FaultHarness h = warmedUp()) {
      h.source.fault(WEB, SourceFault.THROWS);
      h.tick();
      assertThat(h.listener.failures()).extracting(FailureEvent::stage).containsExactly("source");
      assertThat(h.listener.failures().get(0).error())
          .hasMessageContaining("connection refused");
    }
  }

  @Test
  void sourceThatVanishesForMinutesHoldsThroughoutAndResumesWhenItComesBack() {
    try (FaultHarness h = warmedUp()) {
      h.source.fault(WEB, SourceFault.UNAVAILABLE);
      h.source.demand(WEB, 1900);
      for (int i = 0; i < 40; i++) { // ten minutes
        DecisionRecord r = FaultHarness.recordOf(h.tick(), WEB);
        assertHeldWithoutScaling(h, r, 5, "unavailable: vanished");
        assertThat(r.unavailable()).containsKey("rps");
        h.clock.advance(TICK);
      }
      h.source.fault(WEB, SourceFault.NONE);
      DecisionRecord back = FaultHarness.recordOf(h.tick(), WEB);
      assertThat(back.kind()).isEqualTo(Kind.SCALE);
      assertThat(back.action()).isEqualTo(Action.APPLIED);
      // 19 wanted; the default step limits allow +100 % from 5.
      assertThat(back.proposed()).isEqualTo(19);
      assertThat(back.desired()).isEqualTo(10);
      assertThat(h.cluster.get(WEB)).isEqualTo(10);
    }
  }

  @Test
  void sourceThatComesBackWithItsBacklogIsStaleUntilFreshDataArrives() {
    try (FaultHarness h = warmedUp()) {
      h.clock.advance(Duration.ofMinutes(10));
      h.source.fault(WEB, SourceFault.STALE);
      h.source.demand(WEB, 1900);
      assertHeldWithoutScaling(h, FaultHarness.recordOf(h.tick(), WEB), 5,
          "older than maxMetricAge PT5M");
      h.clock.advance(TICK);
      h.source.fault(WEB, SourceFault.NONE);
      assertThat(FaultHarness.recordOf(h.tick(), WEB).action()).isEqualTo(Action.APPLIED);
    }
  }

  @Test
  void hangingSourceTimesOutHoldsItsWorkloadAndTheOthersAreDecided() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (FaultHarness h = new FaultHarness(Duration.ofMillis(200), FaultHarness.SPECS)) {
      h.source.demand(WEB, 500);
      h.source.demand(WORKER, 100);
      h.source.hang(WEB, release);
      List<DecisionRecord> records = h.tick();
      DecisionRecord web = FaultHarness.recordOf(records, WEB);
      assertHeldWithoutScaling(h, web, 3, "metric source timed out after PT0.2S");
      assertThat(web.current()).isEqualTo(-1);
      DecisionRecord worker = FaultHarness.recordOf(records, WORKER);
      assertThat(worker.action()).isEqualTo(Action.APPLIED);
    } finally {
      release.countDown();
    }
  }

  // -----------------------------------------------------------------------------------------
  // Executors.

  @ParameterizedTest
  @EnumSource(value = ExecutorFault.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void executorErrorsAreJournaledChangeNothingAndAreRetriedNextTick(ExecutorFault fault) {
    try (FaultHarness h = warmedUp()) {
      h.executor.fault(WEB, fault);
      h.source.demand(WEB, 800);
      DecisionRecord r = FaultHarness.recordOf(h.tick(), WEB);
      assertThat(r.kind()).isEqualTo(Kind.SCALE);
      assertThat(r.desired()).isEqualTo(8);
      assertThat(r.action()).isEqualTo(fault.action());
      assertThat(r.changedReplicas()).isFalse();
      assertThat(h.cluster.get(WEB)).isEqualTo(5);
      switch (fault) {
        case NOT_FOUND -> assertThat(r.actionMessage()).startsWith("404 Not Found");
        case CONFLICT -> assertThat(r.actionMessage()).startsWith("409 Conflict");
        case UNPROCESSABLE -> assertThat(r.actionMessage()).startsWith("422");
        case TOO_MANY_REQUESTS -> assertThat(r.actionMessage()).startsWith("429");
        case SERVER_ERROR -> assertThat(r.actionMessage()).startsWith("500");
        case THROWS -> assertThat(r.actionMessage()).contains("executor threw")
            .contains("socket closed");
        case NULL_OUTCOME -> assertThat(r.actionMessage()).isEqualTo(
            "executor returned no outcome");
        default -> throw new AssertionError(fault);
      }
      assertThat(DecisionInvariants.checkRecord(r, FaultHarness.WEB)).isEmpty();

      h.executor.fault(WEB, ExecutorFault.NONE);
      h.source.accepted(WEB, h.clock.instant());
      h.clock.advance(TICK);
      DecisionRecord retry = FaultHarness.recordOf(h.tick(), WEB);
      assertThat(retry.action()).isEqualTo(Action.APPLIED);
      assertThat(h.cluster.get(WEB)).isEqualTo(8);
      assertThat(h.executor.requests(WEB)).extracting(ScaleRequest::to).containsExactly(5, 8, 8);
    }
  }

  @Test
  void hangingExecutorTimesOutAndTheScaleIsRecordedAsFailed() {
    CountDownLatch release = new CountDownLatch(1);
    try (FaultHarness h = new FaultHarness(Duration.ofMillis(200), FaultHarness.SPECS)) {
      h.source.demand(WEB, 500);
      h.source.demand(WORKER, 100);
      h.executor.hang(WEB, release);
      List<DecisionRecord> records = h.tick();
      DecisionRecord web = FaultHarness.recordOf(records, WEB);
      assertThat(web.action()).isEqualTo(Action.FAILED);
      assertThat(web.actionMessage()).contains("executor timed out after PT0.2S");
      assertThat(h.cluster.get(WEB)).isEqualTo(3);
      assertThat(FaultHarness.recordOf(records, WORKER).action()).isEqualTo(Action.APPLIED);
    } finally {
      release.countDown();
    }
  }

  /**
   * When the source does not report replica counts, the engine asks the executor; an executor that
   * hangs there must not stall the tick either.
   */
  @Test
  void executorHangingWhileReportingReplicasDoesNotStallTheTick() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService runner = Executors.newSingleThreadExecutor();
    try (FaultHarness h = new FaultHarness(Duration.ofMillis(200), FaultHarness.SPECS)) {
      h.source.fault(WEB, SourceFault.NO_REPLICAS);
      h.executor.hangReplicas(WEB, release);
      Future<List<DecisionRecord>> tick = runner.submit(h::tick);
      List<DecisionRecord> records;
      try {
        records = tick.get(20, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        release.countDown();
        throw new AssertionError("the tick was stalled by executor.replicas(...)", e);
      }
      DecisionRecord web = FaultHarness.recordOf(records, WEB);
      assertThat(web.kind()).isEqualTo(Kind.HOLD);
      assertThat(web.actionMessage()).contains("timed out");
    } finally {
      release.countDown();
      runner.shutdownNow();
    }
  }

  // -----------------------------------------------------------------------------------------
  // Forecasters and policies.

  @Test
  void forecasterThatThrowsOrReturnsNullHoldsItsWorkload() {
    for (Forecaster bad : List.<Forecaster>of(
        (history, horizon, level) -> {
          throw new IllegalStateException("fit diverged (scripted)");
        },
        (history, horizon, level) -> null)) {
      ManualClock clock = new ManualClock(FaultHarness.START);
      SimCluster cluster = new SimCluster();
      cluster.set(WEB, 3);
      ScriptedSource source = new ScriptedSource(cluster, FaultHarness.MAX_METRIC_AGE);
      source.demand(WEB, 500);
      ScriptedExecutor executor = new ScriptedExecutor(cluster);
      RecordingJournal journal = new RecordingJournal();
      try (AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock)
          .metricSource(source).forecaster(bad).policy(new ScriptedPolicy()).executor(executor)
          .journal(journal).workload(FaultHarness.WEB).backfill(false).build()) {
        for (int i = 0; i < 8; i++) { // history steps are 60 s: a step closes within 8 ticks
          engine.tick();
          clock.advance(TICK);
        }
      }
      List<DecisionRecord> held = journal.attempts().stream()
          .filter(r -> r.kind() == Kind.HOLD).toList();
      assertThat(held).isNotEmpty().allSatisfy(r ->
          assertThat(r.actionMessage()).contains("forecaster").contains("failed"));
      assertThat(executor.requests()).allSatisfy(req -> assertThat(req.to()).isEqualTo(5));
      for (DecisionRecord r : journal.attempts()) {
        assertThat(DecisionInvariants.checkRecord(r, FaultHarness.WEB)).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = Behaviour.class, names = {"THROWS", "NULL"})
  void policyThatFailsHoldsItsWorkload(Behaviour behaviour) {
    try (FaultHarness h = warmedUp()) {
      h.policy.behave(WEB, behaviour, 0);
      h.source.demand(WEB, 1800);
      assertHeldWithoutScaling(h, FaultHarness.recordOf(h.tick(), WEB), 5, "policy failed");
      assertThat(h.listener.failures()).extracting(FailureEvent::stage).containsExactly("policy");
    }
  }

  @Test
  void wildProposalsAreClampedToStepLimitsAndBounds() {
    try (FaultHarness h = warmedUp()) {
      h.policy.behave(WEB, Behaviour.HUGE, 0);
      h.policy.behave(WORKER, Behaviour.HUGE, 0);
      List<DecisionRecord> up = h.tick();
      assertThat(FaultHarness.recordOf(up, WEB).desired()).isEqualTo(10); // +100 % of 5
      assertThat(FaultHarness.recordOf(up, WORKER).desired()).isEqualTo(2); // +1 pod from 1
      h.clock.advance(TICK);
      h.policy.behave(WEB, Behaviour.ZERO, 0);
      DecisionRecord down = FaultHarness.recordOf(h.tick(), WEB);
      assertThat(down.proposed()).isZero();
      assertThat(down.desired()).isEqualTo(2); // minReplicas
      assertThat(h.cluster.get(WEB)).isEqualTo(2);
    }
  }

  // -----------------------------------------------------------------------------------------
  // Clock.

  @Test
  void clockGoingBackwardsHoldsEveryWorkloadUntilItCatchesUp() {
    try (FaultHarness h = warmedUp()) {
      Instant latest = h.clock.instant();
      h.tick();
      h.clock.advance(Duration.ofMinutes(-3));
      h.source.demand(WEB, 1900);
      List<DecisionRecord> back = h.tick();
      assertThat(back).hasSize(FaultHarness.SPECS.size()).allSatisfy(r -> {
        assertThat(r.kind()).isEqualTo(Kind.HOLD);
        assertThat(r.actionMessage()).contains("clock went backwards from " + latest);
      });
      assertThat(h.cluster.get(WEB)).isEqualTo(5);
      h.clock.set(latest.plus(TICK));
      assertThat(FaultHarness.recordOf(h.tick(), WEB).action()).isEqualTo(Action.APPLIED);
    }
  }

  @Test
  void clockJumpingForwardADayStillRespectsStepLimits() {
    try (FaultHarness h = warmedUp()) {
      h.clock.advance(Duration.ofDays(1));
      h.source.demand(WEB, 100_000);
      h.source.demand(WORKER, 100_000);
      List<DecisionRecord> r = h.tick();
      assertThat(FaultHarness.recordOf(r, WEB).desired()).isEqualTo(10);
      assertThat(FaultHarness.recordOf(r, WORKER).desired()).isEqualTo(2);
    }
  }

  // -----------------------------------------------------------------------------------------
  // Listeners and journals.

  @Test
  void throwingListenersChangeNoDecision() {
    try (FaultHarness calm = new FaultHarness(); FaultHarness noisy = new FaultHarness()) {
      noisy.listener.armed(true);
      double[] demand = {500, 900, 1900, 300, 0, 700};
      for (double d : demand) {
        for (FaultHarness h : List.of(calm, noisy)) {
          h.source.demand(WEB, d);
          h.source.demand(WORKER, d / 10);
          h.tick();
          h.clock.advance(TICK);
        }
      }
      assertThat(noisy.journal.attempts()).isEqualTo(calm.journal.attempts());
      assertThat(noisy.listener.calls()).isEqualTo(calm.listener.calls()).isPositive();
    }
  }

  @Test
  void journalWithNoSpaceLeftKeepsTheEngineDecidingAndIsReported() {
    try (FaultHarness h = warmedUp()) {
      h.journal.diskFull(true);
      h.source.demand(WEB, 900);
      DecisionRecord r = FaultHarness.recordOf(h.tick(), WEB);
      assertThat(r.action()).isEqualTo(Action.APPLIED);
      assertThat(h.cluster.get(WEB)).isEqualTo(9);
      assertThat(h.listener.failures()).hasSize(FaultHarness.SPECS.size()).allSatisfy(f -> {
        assertThat(f.stage()).isEqualTo("journal");
        assertThat(f.error()).hasRootCauseMessage("No space left on device");
      });
    }
  }

  /** A real file journal on a device that is always full ({@code /dev/full}, Linux only). */
  @Test
  void fileJournalOnAFullDeviceKeepsTheEngineDeciding() {
    Path full = Path.of("/dev/full");
    assumeThat(Files.isWritable(full)).as("a /dev/full device").isTrue();
    ManualClock clock = new ManualClock(FaultHarness.START);
    SimCluster cluster = new SimCluster();
    cluster.set(WEB, 3);
    ScriptedSource source = new ScriptedSource(cluster, FaultHarness.MAX_METRIC_AGE);
    ScriptedExecutor executor = new ScriptedExecutor(cluster);
    ThrowingListener listener = new ThrowingListener();
    List<Integer> counts = new ArrayList<>();
    try (AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).metricSource(source)
        .policy(new ScriptedPolicy()).executor(executor).listener(listener)
        .journal(JsonLinesJournal.open(full)).workload(FaultHarness.WEB).backfill(false)
        .build()) {
      for (double d : new double[] {500, 900, 1500}) {
        source.demand(WEB, d);
        engine.tick();
        counts.add(cluster.get(WEB));
        clock.advance(TICK);
      }
    }
    assertThat(counts).containsExactly(5, 9, 15);
    assertThat(listener.failures()).hasSize(3).allSatisfy(f -> {
      assertThat(f.stage()).isEqualTo("journal");
      assertThat(f.error()).hasMessageContaining("No space left on device");
    });
  }

  @Test
  void policyChainStepReturningNullNamesTheStep() {
    DecisionPolicy chain = DecisionPolicy.chain((c, p) -> p, new DecisionPolicy() {
      @Override
      public Proposal apply(dev.prescaler.core.DecisionContext c, Proposal p) {
        return null;
      }

      @Override
      public String name() {
        return "broken-step";
      }
    });
    ManualClock clock = new ManualClock(FaultHarness.START);
    SimCluster cluster = new SimCluster();
    cluster.set(WEB, 3);
    ScriptedSource source = new ScriptedSource(cluster, FaultHarness.MAX_METRIC_AGE);
    RecordingJournal journal = new RecordingJournal();
    WorkloadSpec spec = FaultHarness.WEB.withMode(Mode.ACT);
    try (AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).metricSource(source)
        .policy(chain).journal(journal).workload(spec).backfill(false).build()) {
      engine.tick();
    }
    assertThat(journal.attempts()).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo(Kind.HOLD);
      assertThat(r.actionMessage()).contains("policy broken-step returned null");
    });
  }
}
