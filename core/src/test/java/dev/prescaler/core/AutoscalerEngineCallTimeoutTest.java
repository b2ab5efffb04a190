package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.API;
import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.last;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.prescaler.core.DecisionPolicy.Pin;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With a call timeout, a plug-in call that never returns (and ignores interrupts, as a blocking
 * socket read does) costs one thread per workload and stage, holds its workload while it runs, and
 * stalls neither the ticks nor registrations and demotions. Calls block on {@link Gate}s that each
 * test opens in {@link #openGates()}; the only wall time spent is the engine's own call timeouts.
 */
class AutoscalerEngineCallTimeoutTest {
  /** For calls that are meant to time out: each costs this much wall time, once. */
  static final Duration SHORT = Duration.ofMillis(50);
  /**
   * For tests where healthy calls must answer in time, also on a 2-core machine loaded by other
   * builds (250 ms was seen to be too short there); each stuck call costs this much wall time.
   */
  static final Duration TIMEOUT = Duration.ofSeconds(1);

  TestClock clock = new TestClock(T0);
  InMemoryJournal journal = new InMemoryJournal();
  RecordingListener listener = new RecordingListener();
  Gate gate = new Gate();
  List<AutoscalerEngine> engines = new ArrayList<>();
  ExecutorService helper = Executors.newSingleThreadExecutor();

  @AfterEach
  void openGates() {
    gate.open.countDown();
    engines.forEach(AutoscalerEngine::close);
    helper.shutdownNow();
  }

  /** Blocks whoever passes it until opened, ignoring interrupts as a blocking socket read does. */
  static final class Gate {
    final CountDownLatch open = new CountDownLatch(1);
    final CountDownLatch reached = new CountDownLatch(1);
    final AtomicInteger passes = new AtomicInteger();

    void pass() {
      passes.incrementAndGet();
      reached.countDown();
      gateOf(open);
    }
  }

  /** Counts applies and releases, thread-safely; applies block on the gate while told to. */
  static final class GatedExecutor implements ScaleExecutor {
    final Gate gate;
    final List<ScaleRequest> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger releases = new AtomicInteger();
    final AtomicBoolean blockApply = new AtomicBoolean();
    final AtomicBoolean blockRelease = new AtomicBoolean();

    GatedExecutor(Gate gate) {
      this.gate = gate;
    }

    @Override
    public ScaleOutcome apply(ScaleRequest request) {
      requests.add(request);
      if (blockApply.get()) {
        gate.pass();
      }
      return ScaleOutcome.applied(request.to(), "set to " + request.to());
    }

    @Override
    public void release(WorkloadRef workload) {
      releases.incrementAndGet();
      if (blockRelease.get()) {
        gate.pass();
      }
    }
  }

  /** 2 replicas, 500 rps (the capacity policy wants 5), measured at {@code t}. */
  static Observation observation(Instant t) {
    return Observation.of(t, ReplicaStatus.of(2, 2), MetricReading.of("rps", 500, t));
  }

  private AutoscalerEngine build(AutoscalerEngine.Builder b) {
    AutoscalerEngine e = b.listener(listener).build();
    engines.add(e);
    return e;
  }

  /** Lets WEB's blocked apply return and waits until it has. */
  private void letTheApplyReturn(GatedExecutor executor, AutoscalerEngine engine)
      throws Exception {
    executor.blockApply.set(false);
    gate.open.countDown();
    engine.callsReturned(WEB).get(30, TimeUnit.SECONDS);
  }

  /** Lets WEB's blocked apply return, waits until it has, and ticks 15 s later. */
  private void letTheApplyReturnAndTick(GatedExecutor executor, AutoscalerEngine engine)
      throws Exception {
    letTheApplyReturn(executor, engine);
    clock.advance(SYNC);
    engine.tick();
  }

  /** CAPACITY, after adding each context it is given to {@code contexts}. */
  private static DecisionPolicy recording(List<DecisionContext> contexts) {
    return (ctx, p) -> {
      contexts.add(ctx);
      return CAPACITY.apply(ctx, p);
    };
  }

  private static String held(DecisionRecord r) {
    assertThat(r.kind()).as(r.toString()).isEqualTo(Kind.HOLD);
    assertThat(r.action()).isEqualTo(Action.NONE);
    return r.actionMessage();
  }

  // ---------------------------------------------------------------------------------------------
  // Tick calls: one stuck call per workload and stage, the workload held meanwhile.

  @Test
  void aSourceThatNeverReturnsCostsOneThreadPerWorkloadNotOnePerTick() {
    MetricSource source = (spec, now) -> {
      gate.pass();
      return observation(now);
    };
    AutoscalerEngine.Builder b = engine(clock, source, CAPACITY, new GatedExecutor(gate), journal)
        .callTimeout(SHORT);
    List<WorkloadRef> refs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      WorkloadRef w = WorkloadRef.deployment("load", "w" + i);
      refs.add(w);
      b.workload(spec(w, 1, 10, Mode.ACT));
    }
    AutoscalerEngine engine = build(b);

    for (int tick = 0; tick < 20; tick++) {
      engine.tick();
      clock.advance(SYNC);
    }

    // A read the engine gave up on after 50 ms may not have reached the gate yet on a loaded
    // machine (its thread not yet scheduled): wait for the ten, then check no eleventh came.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (gate.passes.get() < 10 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(gate.passes).as("source reads made").hasValue(10);
    assertThat(engine.callThreads()).as("live call threads").isLessThanOrEqualTo(10);
    for (WorkloadRef w : refs) {
      List<DecisionRecord> records = journal.records(w);
      assertThat(records).hasSize(20);
      assertThat(held(records.get(0))).contains("metric source timed out after " + SHORT);
      for (DecisionRecord r : records.subList(1, 20)) {
        assertThat(held(r)).isEqualTo(
            "held: previous metric source call still running since " + T0);
      }
    }
    // One failure per stuck call, not one per tick.
    assertThat(listener.of(FailureEvent.class)).hasSize(10);
  }

  @Test
  void whenTheStuckReadFinallyReturnsTheNextTickProceedsNormally() throws Exception {
    AtomicBoolean blockNext = new AtomicBoolean(true);
    MetricSource source = (spec, now) -> {
      if (blockNext.getAndSet(false)) {
        gate.pass();
      }
      return observation(now);
    };
    GatedExecutor executor = new GatedExecutor(gate);
    AutoscalerEngine engine = build(engine(clock, source, CAPACITY, executor, journal)
        .callTimeout(TIMEOUT).workload(spec(WEB, 1, 10, Mode.ACT)));

    engine.tick();
    assertThat(held(last(journal, WEB))).contains("metric source timed out after " + TIMEOUT);
    clock.advance(SYNC);
    engine.tick();
    assertThat(held(last(journal, WEB)))
        .isEqualTo("held: previous metric source call still running since " + T0);

    gate.open.countDown();
    engine.callsReturned(WEB).get(30, TimeUnit.SECONDS);
    clock.advance(SYNC);
    engine.tick();

    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).as(r.toString()).isEqualTo(Kind.SCALE);
    assertThat(r.action()).isEqualTo(Action.APPLIED);
    assertThat(r.desired()).isEqualTo(5);
    assertThat(executor.requests).hasSize(1);
  }

  @Test
  void aStuckApplyIsNeverFollowedByASecondApplyWhileItRuns() throws Exception {
    MetricSource source = (spec, now) -> observation(now);
    GatedExecutor executor = new GatedExecutor(gate);
    executor.blockApply.set(true);
    AutoscalerEngine engine = build(engine(clock, source, CAPACITY, executor, journal)
        .callTimeout(TIMEOUT).workload(spec(WEB, 1, 10, Mode.ACT)));

    engine.tick();
    DecisionRecord first = last(journal, WEB);
    assertThat(first.action()).isEqualTo(Action.FAILED);
    assertThat(first.actionMessage()).isEqualTo("executor timed out after " + TIMEOUT
        + ": the change may have been applied; the workload is held while the call runs");
    for (int tick = 0; tick < 5; tick++) {
      clock.advance(SYNC);
      engine.tick();
      assertThat(held(last(journal, WEB))).isEqualTo("held: previous executor call still running"
          + " since " + T0 + ": its outcome is unknown");
    }
    assertThat(executor.requests).as("applies while the first one runs").hasSize(1);
    // The held ticks still read the source: the history keeps learning.
    assertThat(last(journal, WEB).loads()).containsEntry("rps", 500.0);

    letTheApplyReturnAndTick(executor, engine);

    // The source still says 2 replicas: the engine asks again, once.
    assertThat(last(journal, WEB).action()).isEqualTo(Action.APPLIED);
    assertThat(executor.requests).hasSize(2);
  }

  /**
   * An operator's pin wins over stale metrics, but not over an apply still running: a second
   * apply could land before the first one. It is applied once that call has returned.
   */
  @Test
  void aPinWaitsForAnApplyStillRunning() throws Exception {
    Instant[] sampled = {T0};
    MetricSource source = (spec, now) -> Observation.of(now, ReplicaStatus.of(2, 2),
        MetricReading.of("rps", 500, sampled[0])); // fresh at the first tick only
    GatedExecutor executor = new GatedExecutor(gate);
    executor.blockApply.set(true);
    DecisionPolicy pinning = new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return CAPACITY.apply(context, proposal);
      }

      @Override
      public Optional<Pin> pinned(WorkloadRef workload, Instant now) {
        return Optional.of(new Pin(3, "pinned at 3 (incident 42)"));
      }
    };
    AutoscalerEngine engine = build(engine(clock, source, pinning, executor, journal)
        .callTimeout(TIMEOUT).workload(spec(WEB, 1, 10, Mode.ACT)));
    engine.tick(); // capacity asks 5; the apply hangs
    assertThat(last(journal, WEB).action()).isEqualTo(Action.FAILED);

    clock.advance(SYNC);
    engine.tick();
    assertThat(held(last(journal, WEB))).isEqualTo("held: metric rps: no new sample since " + T0
        + "; pin at 3 not applied: previous executor call still running since " + T0);
    assertThat(executor.requests).hasSize(1);

    letTheApplyReturnAndTick(executor, engine);
    DecisionRecord r = last(journal, WEB);
    assertThat(r.action()).isEqualTo(Action.APPLIED);
    assertThat(r.desired()).isEqualTo(3);
    assertThat(r.reasons()).extracting(Reason::step).containsExactly("pin");
  }

  // ---------------------------------------------------------------------------------------------
  // Backfill and release: timed, and backfill outside the engine's lock.

  /** Serves fresh readings, and for WEB a history that passes the gate first. */
  final class GatedHistorySource implements MetricSource {
    @Override
    public Observation read(WorkloadSpec spec, Instant now) {
      return observation(now);
    }

    @Override
    public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric, Instant from,
        Instant to, Duration step) {
      if (!spec.workload().equals(WEB)) {
        return Optional.empty();
      }
      gate.pass();
      return Optional.of(MetricSeries.of(to.minus(step.multipliedBy(3)), step, 100, 200, 300));
    }
  }

  @Test
  void ticksGoOnWhileARegistrationWaitsForItsBackfill() throws Exception {
    List<DecisionContext> contexts = new CopyOnWriteArrayList<>();
    AutoscalerEngine engine = build(engine(clock, new GatedHistorySource(), recording(contexts),
        new GatedExecutor(gate), journal).backfill(true).callTimeout(Duration.ofMinutes(10))
        .workload(spec(API, 1, 10, Mode.ACT)));

    Future<?> registration = helper.submit(() -> engine.register(spec(WEB, 1, 10, Mode.ACT)));
    assertThat(gate.reached.await(30, TimeUnit.SECONDS)).as("history asked").isTrue();
    // The tick runs here while the registration waits for the source, on the helper thread.
    engine.tick();
    assertThat(journal.records()).extracting(DecisionRecord::workload).containsExactly(API);

    gate.open.countDown();
    registration.get(30, TimeUnit.SECONDS);
    clock.advance(SYNC);
    engine.tick();
    DecisionContext web = contexts.stream().filter(c -> c.spec().workload().equals(WEB))
        .findFirst().orElseThrow();
    assertThat(web.histories().get("rps").toArray()).contains(100.0, 200.0);
  }

  @Test
  void aBackfillThatNeverReturnsTimesOutAndIsNotAskedAgainWhileItRuns() {
    AutoscalerEngine engine = build(engine(clock, new GatedHistorySource(), CAPACITY,
        new GatedExecutor(gate), journal).backfill(true).callTimeout(TIMEOUT)
        .workload(spec(WEB, 1, 10, Mode.ACT)));

    engine.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.action()).as("decided without history").isEqualTo(Action.APPLIED);

    engine.unregister(WEB);
    engine.register(spec(WEB, 1, 10, Mode.ACT));
    clock.advance(SYNC);
    engine.tick();
    assertThat(gate.passes).as("history asked").hasValue(1);
    assertThat(journal.records(WEB)).hasSize(2);
  }

  @Test
  void aReleaseThatNeverReturnsTimesOutAndIsNotSentAgainWhileItRuns() {
    GatedExecutor executor = new GatedExecutor(gate);
    executor.blockRelease.set(true);
    AutoscalerEngine engine = build(engine(clock, (spec, now) -> observation(now), CAPACITY,
        executor, journal).callTimeout(TIMEOUT).workload(spec(WEB, 1, 10, Mode.HPA_FLOOR)));
    engine.tick();
    assertThat(executor.requests).hasSize(1);

    engine.mode(WEB, Mode.ACT, "demoted by the test");
    assertThat(executor.releases).hasValue(1);
    FailureEvent failure = listener.of(FailureEvent.class).get(0);
    assertThat(failure.stage()).isEqualTo("executor");
    assertThat(failure.error()).hasMessage("executor release timed out after " + TIMEOUT);

    clock.advance(SYNC);
    engine.tick();
    assertThat(last(journal, WEB).mode()).isEqualTo(Mode.ACT);
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.SCALE);

    // A second demotion while the first release runs: not sent again, neither by close().
    engine.mode(WEB, Mode.HPA_FLOOR, "promoted by the test");
    engine.mode(WEB, Mode.ACT, "demoted again");
    engine.mode(WEB, Mode.HPA_FLOOR, "promoted again");
    engine.close();
    assertThat(executor.releases).hasValue(1);
    assertThat(listener.of(FailureEvent.class)).hasSize(1);
  }

  /**
   * An HPA-floor engine whose first tick left its floor's apply stuck on {@code executor} (the
   * tick gave up on it after the call timeout: FAILED).
   */
  private AutoscalerEngine withAFloorApplyStuck(GatedExecutor executor) {
    executor.blockApply.set(true);
    AutoscalerEngine engine = build(engine(clock, (spec, now) -> observation(now), CAPACITY,
        executor, journal).callTimeout(TIMEOUT).workload(spec(WEB, 1, 10, Mode.HPA_FLOOR)));
    engine.tick();
    assertThat(last(journal, WEB).action()).isEqualTo(Action.FAILED);
    return engine;
  }

  @Test
  void aReleaseWaitsForAStuckApplyAndIsSentOnceItReturned() throws Exception {
    GatedExecutor executor = new GatedExecutor(gate);
    AutoscalerEngine engine = withAFloorApplyStuck(executor);

    // The floor's apply still runs: a release sent now could be undone when it lands.
    engine.mode(WEB, Mode.OBSERVE_ONLY, "demoted by the test");
    assertThat(executor.releases).as("postponed while the apply runs").hasValue(0);
    clock.advance(SYNC);
    engine.tick();
    assertThat(executor.releases).hasValue(0);

    letTheApplyReturnAndTick(executor, engine);
    assertThat(executor.releases).as("sent once the apply returned").hasValue(1);
    clock.advance(SYNC);
    engine.tick();
    assertThat(executor.releases).as("and only once").hasValue(1);
  }

  /**
   * Catches close() leaving the HPA steered for good when a floor's apply is stuck: it waited for
   * the apply, then only postponed the release to later ticks, which never come after close, and
   * the HPA kept the floor. At close the release is sent after that wait all the same, with a
   * WARN that the apply may still land.
   */
  @Test
  void closeReleasesTheHpaEvenWhileAFloorApplyIsStuck() throws Exception {
    GatedExecutor executor = new GatedExecutor(gate);
    AutoscalerEngine engine = withAFloorApplyStuck(executor);

    String log = Fixtures.stderrOf(engine::close);
    assertThat(executor.releases).as("released at close").hasValue(1);
    assertThat(log).contains("shop/web: executor release sent at close although")
        .contains("if that apply lands later, the HPA is steered again");
    gate.open.countDown();
    engine.callsReturned(WEB).get(30, TimeUnit.SECONDS);
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(5);
  }

  /** Waits until {@code t} is blocked on a monitor, as close() is on the lock a tick holds. */
  static void awaitBlocked(Thread t) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (t.getState() != Thread.State.BLOCKED) {
      assertThat(System.nanoTime() - deadline).as(t.getName() + " blocked").isNegative();
      Thread.onSpinWait();
    }
  }

  /**
   * Catches a close() from another thread (the agent's, on SIGTERM) that waited for the whole
   * tick in flight: the tick holds the engine's lock to its end, and with a source that hangs
   * each workload costs a call timeout (25 workloads took 113 s, against the pod's grace period
   * of 30 s, after which the kubelet kills it with every HPA floor still raised). The tick now
   * ends after the workload in flight; close() then gives every HPA back, and nothing is applied
   * after that.
   */
  @Test
  void aCloseFromAnotherThreadEndsTheTickAfterTheWorkloadInFlight() throws Exception {
    MetricSource source = (spec, now) -> {
      if (spec.workload().equals(WEB)) {
        gate.pass();
      }
      return observation(now);
    };
    GatedExecutor executor = new GatedExecutor(gate);
    List<String> calls = new CopyOnWriteArrayList<>();
    ScaleExecutor recording = new ScaleExecutor() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        calls.add("apply " + request.workload());
        return executor.apply(request);
      }

      @Override
      public void release(WorkloadRef workload) {
        calls.add("release " + workload);
        executor.release(workload);
      }
    };
    AutoscalerEngine engine = build(engine(clock, source, CAPACITY, recording, journal)
        .callTimeout(Duration.ofSeconds(30)) // not reached: the gate opens before
        .workload(spec(WEB, 1, 10, Mode.HPA_FLOOR))
        .workload(spec(API, 1, 10, Mode.HPA_FLOOR))
        .workload(spec(Fixtures.DB, 1, 10, Mode.HPA_FLOOR)));
    Future<?> ticking = helper.submit(engine::tick);
    assertThat(gate.reached.await(30, TimeUnit.SECONDS)).as("WEB's read in flight").isTrue();

    Thread closer = new Thread(engine::close, "closer");
    closer.start();
    awaitBlocked(closer);
    gate.open.countDown();
    ticking.get(30, TimeUnit.SECONDS);
    closer.join(TimeUnit.SECONDS.toMillis(30));

    assertThat(closer.isAlive()).as("close() returned").isFalse();
    assertThat(journal.records()).extracting(DecisionRecord::workload).containsExactly(WEB);
    assertThat(calls).containsExactly("apply " + WEB, "release " + WEB, "release " + API,
        "release " + Fixtures.DB);
    assertThat(listener.of(FailureEvent.class)).isEmpty();
  }

  /**
   * Catches a registration that overtakes one still reading the history losing both histories:
   * it found the history slot taken, started without a history ("backfill of rps not asked"),
   * and the overtaken read, which returned 100 steps, was then dropped. It now waits for that
   * read, at most one call timeout, and reads its own.
   */
  @Test
  void aRegistrationOvertakingOneThatBackfillsGetsAHistory() throws Exception {
    CountDownLatch firstAsked = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    AtomicInteger reads = new AtomicInteger();
    int[] historySize = {-1};
    AutoscalerEngine engine = backfilling(historySize, () -> {
      if (reads.incrementAndGet() == 1) {
        firstAsked.countDown();
        gateOf(letGo);
      }
    });
    Future<?> first = helper.submit(() -> engine.register(spec(WEB, 1, 10, Mode.OBSERVE_ONLY)));
    firstAsked.await(30, TimeUnit.SECONDS);
    Thread second = new Thread(() -> engine.register(spec(WEB, 1, 12, Mode.OBSERVE_ONLY)));
    second.start();
    // Waiting for the first read (the fix), or done without a history (the bug).
    while (second.getState() != Thread.State.TIMED_WAITING
        && second.getState() != Thread.State.TERMINATED) {
      Thread.onSpinWait();
    }
    letGo.countDown();
    second.join(30_000);
    first.get(30, TimeUnit.SECONDS);

    engine.tick();
    assertThat(engine.spec(WEB).orElseThrow().maxReplicas()).isEqualTo(12);
    assertThat(historySize[0]).as("history steps the policy sees").isGreaterThan(90);
    assertThat(reads).hasValue(2);
  }

  /**
   * Catches the wait above holding for two registrations only: with two waiting on the first's
   * read, the one that lost the race for the freed slot was not asked, and when it was the last
   * (the one installed) it started without a history (4 runs in 8 in a review, 1 in 6 here: who
   * takes the freed slot is a race). The loser now waits for the
   * winner's read too.
   */
  @Test
  void theLastOfThreeOverlappingRegistrationsGetsAHistory() throws Exception {
    CountDownLatch firstAsked = new CountDownLatch(1);
    CountDownLatch letFirstGo = new CountDownLatch(1);
    CountDownLatch secondAsked = new CountDownLatch(1);
    CountDownLatch letSecondGo = new CountDownLatch(1);
    AtomicInteger reads = new AtomicInteger();
    int[] historySize = {-1};
    AutoscalerEngine engine = backfilling(historySize, () -> {
      int n = reads.incrementAndGet();
      if (n == 1) {
        firstAsked.countDown();
        gateOf(letFirstGo);
      } else if (n == 2) {
        secondAsked.countDown();
        gateOf(letSecondGo);
      }
    });
    Future<?> first = helper.submit(() -> engine.register(spec(WEB, 1, 10, Mode.OBSERVE_ONLY)));
    firstAsked.await(30, TimeUnit.SECONDS);
    Thread second = new Thread(() -> engine.register(spec(WEB, 1, 12, Mode.OBSERVE_ONLY)));
    Thread third = new Thread(() -> engine.register(spec(WEB, 1, 14, Mode.OBSERVE_ONLY)));
    second.start();
    waitingOrDone(second);
    third.start();
    waitingOrDone(third);
    letFirstGo.countDown();
    secondAsked.await(30, TimeUnit.SECONDS); // the second or the third reads now; the other
    waitingOrDone(second); // waits for that read (the fix), or was done without one (the bug)
    waitingOrDone(third);
    letSecondGo.countDown();
    second.join(30_000);
    third.join(30_000);
    first.get(30, TimeUnit.SECONDS);

    engine.tick();
    assertThat(engine.spec(WEB).orElseThrow().maxReplicas()).isEqualTo(14);
    assertThat(historySize[0]).as("history steps the policy sees").isGreaterThan(90);
  }

  /**
   * Catches a close waiting for every pending release the tick retries first: with three
   * releases pending and the API server hanging, the tick sent all three after close() was
   * called (3 call timeouts), and close sent each failed one again. The tick now stops retrying
   * when a close is requested, and close sends the pending releases itself. Calls are inline
   * here, so each release runs on the thread that sends it.
   */
  @Test
  void aCloseDuringTheTicksPendingReleasesLeavesTheRestToClose() throws Exception {
    CountDownLatch hung = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    AtomicBoolean fail = new AtomicBoolean();
    AtomicBoolean hang = new AtomicBoolean();
    Map<WorkloadRef, String> releasedBy = new java.util.concurrent.ConcurrentHashMap<>();
    ScaleExecutor executor = new ScaleExecutor() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        return ScaleOutcome.applied(request.to(), "set to " + request.to());
      }

      @Override
      public void release(WorkloadRef workload) {
        if (fail.get()) {
          throw new IllegalStateException("API server down");
        }
        if (hang.getAndSet(false)) { // the first release hangs, the others answer
          hung.countDown();
          gateOf(letGo);
        }
        releasedBy.put(workload, Thread.currentThread().getName());
      }
    };
    AutoscalerEngine engine = build(engine(clock, (spec, now) -> observation(now), CAPACITY,
        executor, journal).workload(spec(WEB, 1, 10, Mode.HPA_FLOOR))
        .workload(spec(API, 1, 10, Mode.HPA_FLOOR))
        .workload(spec(Fixtures.DB, 1, 10, Mode.HPA_FLOOR)));
    engine.tick();
    fail.set(true);
    for (WorkloadRef w : List.of(WEB, API, Fixtures.DB)) {
      engine.mode(w, Mode.OBSERVE_ONLY, "demoted"); // the release fails: pending
    }
    fail.set(false);
    hang.set(true);
    clock.advance(SYNC);
    Thread ticking = new Thread(engine::tick, "ticking");
    ticking.start();
    hung.await(30, TimeUnit.SECONDS);
    Thread closing = new Thread(engine::close, "closing");
    closing.start();
    while (closing.getState() != Thread.State.BLOCKED) { // close requested, waiting for the tick
      Thread.onSpinWait();
    }
    letGo.countDown();
    ticking.join(30_000);
    closing.join(30_000);

    assertThat(releasedBy).hasSize(3);
    assertThat(releasedBy.values()).as("the release in flight, then close's")
        .containsExactlyInAnyOrder("ticking", "closing", "closing");
  }

  /**
   * An engine with pooled calls that backfills 100 steps of 300 rps for each history read, after
   * {@code beforeEachRead} (which may block); its policy writes the size of the history it sees
   * into {@code historySize[0]}.
   */
  private AutoscalerEngine backfilling(int[] historySize, Runnable beforeEachRead) {
    MetricSource source = new MetricSource() {
      @Override
      public Observation read(WorkloadSpec spec, Instant now) {
        return observation(now);
      }

      @Override
      public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric,
          Instant from, Instant to, Duration step) {
        beforeEachRead.run();
        double[] v = new double[100];
        Arrays.fill(v, 300);
        return Optional.of(MetricSeries.of(to.minus(step.multipliedBy(100)), step, v));
      }
    };
    DecisionPolicy seeing = (ctx, p) -> {
      historySize[0] = ctx.histories().get("rps").size();
      return p;
    };
    return build(engine(clock, source, seeing, new RecordingExecutor(), journal)
        .callTimeout(Duration.ofSeconds(30)).backfill(true));
  }

  /** Spins until {@code t} waits with a timeout (for a slot or a read) or has ended. */
  private static void waitingOrDone(Thread t) {
    while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.TERMINATED) {
      Thread.onSpinWait();
    }
  }

  /** Waits for {@code latch} whatever interrupts come, as a blocking socket read does. */
  private static void gateOf(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aFloorIsNotSentWhileAReleaseStillRuns() {
    GatedExecutor executor = new GatedExecutor(gate);
    AutoscalerEngine engine = build(engine(clock, (spec, now) -> observation(now), CAPACITY,
        executor, journal).callTimeout(TIMEOUT).workload(spec(WEB, 1, 10, Mode.HPA_FLOOR)));
    engine.tick();
    assertThat(executor.requests).hasSize(1);
    executor.blockRelease.set(true);
    engine.mode(WEB, Mode.ACT, "demoted by the test");
    engine.mode(WEB, Mode.HPA_FLOOR, "promoted again");
    clock.advance(SYNC);
    engine.tick();
    assertThat(held(last(journal, WEB))).isEqualTo("held: previous executor release call still "
        + "running since " + T0 + ": the HPA may be given back after a floor sent now");
    assertThat(executor.requests).as("no floor sent meanwhile").hasSize(1);
  }

  @Test
  void aFailedReleaseIsSentAgainOnTheNextTicksUntilItSucceeds() {
    AtomicInteger releases = new AtomicInteger();
    ScaleExecutor executor = new ScaleExecutor() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        return ScaleOutcome.applied(request.to(), "set");
      }

      @Override
      public void release(WorkloadRef workload) {
        if (releases.incrementAndGet() < 3) {
          throw new IllegalStateException("API server unavailable");
        }
      }
    };
    AutoscalerEngine engine = build(engine(clock, (spec, now) -> observation(now), CAPACITY,
        executor, journal).workload(spec(WEB, 1, 10, Mode.HPA_FLOOR)));
    engine.tick();
    engine.mode(WEB, Mode.OBSERVE_ONLY, "demoted by the test");
    assertThat(releases).hasValue(1);
    for (int tick = 0; tick < 4; tick++) {
      clock.advance(SYNC);
      engine.tick();
    }
    assertThat(releases).as("failed twice, then succeeded and was not sent again").hasValue(3);
    assertThat(listener.of(FailureEvent.class)).hasSize(2);
  }

  // ---------------------------------------------------------------------------------------------
  // Sample times against the clock after the read.

  @Test
  void samplesAreCheckedAgainstTheClockReadAfterTheirOwnSourceCall() {
    // A long tick: each read takes 20 s and the source stamps the scrape time, so the third
    // workload's sample is 60 s after the tick's instant, beyond now + syncPeriod.
    MetricSource source = (spec, now) -> observation(clock.advance(Duration.ofSeconds(20))
        .instant());
    WorkloadRef db = Fixtures.DB;
    AutoscalerEngine engine = build(engine(clock, source, CAPACITY, new GatedExecutor(gate),
        journal).workload(spec(WEB, 1, 10, Mode.ACT)).workload(spec(API, 1, 10, Mode.ACT))
        .workload(spec(db, 1, 10, Mode.ACT)));

    engine.tick();

    assertThat(journal.records()).hasSize(3).allSatisfy(r -> {
      assertThat(r.kind()).as(r.toString()).isEqualTo(Kind.SCALE);
      // One instant per tick: every record carries the tick's time.
      assertThat(r.time()).isEqualTo(T0);
    });
  }

  @Test
  void aSampleAheadOfTheClockAfterItsReadIsStillFromTheFuture() {
    MetricSource source = (spec, now) -> {
      Instant readAt = clock.advance(Duration.ofSeconds(20)).instant();
      return observation(readAt.plus(SYNC).plusSeconds(1));
    };
    AutoscalerEngine engine = build(engine(clock, source, CAPACITY, new GatedExecutor(gate),
        journal).workload(spec(WEB, 1, 10, Mode.ACT)));

    engine.tick();

    Instant readAt = T0.plusSeconds(20);
    assertThat(held(last(journal, WEB))).isEqualTo("held: metric rps: sample time "
        + readAt.plus(SYNC).plusSeconds(1) + " is in the future (now " + readAt + ")");
  }

  @Test
  void aSampleThatAgedPastMaxMetricAgeDuringItsReadIsStale() {
    // The read took 6 minutes: the sample, stamped at the tick's instant, was 6 minutes old
    // when the engine got it.
    MetricSource source = (spec, now) -> {
      clock.advance(Duration.ofMinutes(6));
      return observation(now);
    };
    AutoscalerEngine engine = build(engine(clock, source, CAPACITY, new GatedExecutor(gate),
        journal).workload(spec(WEB, 1, 10, Mode.ACT)));

    engine.tick();

    assertThat(held(last(journal, WEB))).contains("stale: measured at " + T0);
  }

  /**
   * WEB in ACT on an engine with {@link #TIMEOUT}, its applies blocking on the gate. The source
   * reports {@code replicas[0]} replicas (2 at first) at 500 rps, or throws while
   * {@code sourceFails}; the policy records in {@code seen} each context it is given.
   */
  private record StuckApply(int[] replicas, AtomicBoolean sourceFails, MetricSource source,
      List<DecisionContext> seen, DecisionPolicy policy, GatedExecutor executor,
      AutoscalerEngine engine) {
    /** What the policy was given on the latest tick. */
    DecisionContext lastSeen() {
      return seen.get(seen.size() - 1);
    }
  }

  /** A {@link StuckApply}, its engine built with {@code options} as well. */
  private StuckApply stuckApply(UnaryOperator<AutoscalerEngine.Builder> options) {
    int[] replicas = {2};
    AtomicBoolean sourceFails = new AtomicBoolean();
    MetricSource source = (spec, now) -> {
      if (sourceFails.get()) {
        throw new IllegalStateException("metrics API down");
      }
      return Observation.of(now, ReplicaStatus.of(replicas[0], replicas[0]),
          MetricReading.of("rps", 500, now));
    };
    List<DecisionContext> seen = new CopyOnWriteArrayList<>();
    DecisionPolicy policy = recording(seen);
    GatedExecutor executor = new GatedExecutor(gate);
    executor.blockApply.set(true);
    AutoscalerEngine engine = build(options.apply(engine(clock, source, policy, executor, journal)
        .callTimeout(TIMEOUT).workload(spec(WEB, 1, 10, Mode.ACT))));
    return new StuckApply(replicas, sourceFails, source, seen, policy, executor, engine);
  }

  /** The source now says 5 replicas, as 2 -> 5 landed; ticks 15 s later and returns then. */
  private Instant tickSeeingTheLanding(StuckApply web) {
    web.replicas()[0] = 5;
    clock.advance(SYNC);
    Instant sawIt = clock.instant();
    web.engine().tick();
    return sawIt;
  }

  /**
   * Lets WEB's hung 2 -> 5 return (the source working again) and land, and asserts the next tick
   * counts it; then that an engine restored from {@code beforeLanding} at that tick's time says
   * the same on its first tick, and gives its policy the same scale-up and past decisions.
   */
  private void assertTheLandingIsCountedAliveAndAfterARestoreAlike(StuckApply web,
      List<DecisionRecord> beforeLanding) throws Exception {
    letTheApplyReturn(web.executor(), web.engine());
    web.sourceFails().set(false);
    Instant sawIt = tickSeeingTheLanding(web); // 10:06:15
    DecisionRecord live = last(journal, WEB);
    assertThat(live.reasons()).extracting(Reason::step).contains("landed");
    DecisionContext liveView = web.lastSeen();
    assertThat(liveView.lastScaleUp()).contains(sawIt);

    web.seen().clear();
    InMemoryJournal after = new InMemoryJournal();
    AutoscalerEngine restarted = build(engine(new TestClock(sawIt), web.source(), web.policy(),
        new GatedExecutor(gate), after).callTimeout(TIMEOUT).workload(spec(WEB, 1, 10, Mode.ACT)));
    restarted.restore(beforeLanding);
    restarted.tick();
    assertThat(after.records(WEB)).singleElement()
        .satisfies(r -> assertThat(r.reasons()).isEqualTo(live.reasons()));
    DecisionContext restoredView = web.seen().get(0);
    assertThat(restoredView.lastScaleUp()).isEqualTo(liveView.lastScaleUp());
    assertThat(restoredView.recent()).isEqualTo(liveView.recent());
  }

  /**
   * Catches an apply that landed after timing out and was never counted as a scale: its record
   * says FAILED, "may have been applied", and the last scale-up time and its past decisions stayed
   * unset, so cooldowns and rate limits counting applied decisions missed a change that happened.
   * Once the count it asked for is observed, it counts as a scale, and that tick's record says so
   * first. Also catches one counted from when it was asked: 2 -> 5 hung six minutes and then
   * landed, and the scale-up time the policies saw was T0, so a five-minute cooldown was over the
   * moment the change was seen (the next tick could scale 5 -> 9 at once), and a rate-limit period
   * shorter than the hang did not count it. It now counts from the tick that saw it.
   */
  @Test
  void aTimedOutApplyThatLandedCountsAsAScaleFromTheTickThatSawIt() throws Exception {
    StuckApply web = stuckApply(b -> b);
    AutoscalerEngine engine = web.engine();

    engine.tick(); // 2 -> 5 times out
    assertThat(last(journal, WEB).action()).isEqualTo(Action.FAILED);
    clock.advance(Duration.ofMinutes(6));
    engine.tick(); // held while it runs: still 2, nothing to tell yet
    assertThat(last(journal, WEB).reasons()).extracting(Reason::step).containsOnly("hold");

    letTheApplyReturn(web.executor(), engine); // it returns APPLIED, late
    Instant sawIt = tickSeeingTheLanding(web); // 10:06:15

    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.KEEP);
    assertThat(r.reasons()).first().extracting(Reason::step, Reason::message).containsExactly(
        "landed", "the change 2 -> 5 asked at " + T0 + " (its outcome unknown) has landed: "
            + "counted as a scale at " + sawIt);
    DecisionContext ctx = web.lastSeen();
    assertThat(ctx.now()).isEqualTo(sawIt);
    assertThat(ctx.lastScaleUp()).contains(sawIt);
    assertThat(ctx.recent()).filteredOn(PastDecision::applied).singleElement()
        .isEqualTo(new PastDecision(sawIt, 2, 5, true, Map.of()));
    assertThat(web.executor().requests).hasSize(1);
    clock.advance(SYNC);
    engine.tick(); // counted once: the next record says nothing more of it
    assertThat(last(journal, WEB).reasons()).extracting(Reason::step).doesNotContain("landed");
  }

  /**
   * Catches a restore that dropped what the live engine counted: an apply that timed out, hung
   * six minutes (every record meanwhile held, "previous executor call still running") and then
   * landed is counted live, as its wait for the count starts when its call returns; restored from
   * the records before the landing, the engine must read from them that the call still ran, or it
   * starts that wait at the first record after the ask and drops the apply before it lands.
   */
  @Test
  void aTimedOutApplyLandingAfterALongHangIsCountedAliveAndAfterARestoreAlike()
      throws Exception {
    StuckApply web = stuckApply(b -> b);
    web.engine().tick(); // 2 -> 5 times out
    for (Instant t : List.of(T0.plus(SYNC), T0.plus(Duration.ofMinutes(6)))) {
      clock.set(t);
      web.engine().tick(); // held while it runs
      assertThat(held(last(journal, WEB))).startsWith("held: previous executor call still running");
    }
    assertTheLandingIsCountedAliveAndAfterARestoreAlike(web, journal.records(WEB));
  }

  /**
   * Catches a restore dropping what the live engine counted when another reason to hold hid the
   * running apply: 2 -> 5 timed out and hung six minutes while the metric source failed; the live
   * tick knew the apply still ran, but its records held only for the source ("previous executor
   * call still running" was never reached), so a restore started the wait for the count at the
   * first of them and dropped the apply before it landed. Every hold of a tick that found the
   * apply running now says so.
   */
  @Test
  void aHangingApplyHiddenByAFailingSourceIsCountedAliveAndAfterARestoreAlike()
      throws Exception {
    StuckApply web = stuckApply(b -> b);
    web.engine().tick(); // 2 -> 5 times out
    web.sourceFails().set(true);
    for (Instant t : List.of(T0.plus(SYNC), T0.plus(Duration.ofMinutes(6)))) {
      clock.set(t);
      web.engine().tick(); // held for the source, the apply still running
      assertThat(held(last(journal, WEB))).startsWith("held: metric source failed")
          .contains("previous executor call still running");
    }
    assertTheLandingIsCountedAliveAndAfterARestoreAlike(web, journal.records(WEB));
  }

  /** What a JVM out of native threads throws where a thread is started. */
  static final String NO_THREAD = "unable to create native thread";
  /** The same as Linux words it. */
  static final String NO_THREAD_LONG =
      NO_THREAD + ": possibly out of memory or process/resource limits reached";

  /** Starts daemon call threads, but refuses the n-th asked for (from 1) where told to. */
  static final class ScarceThreads implements ThreadFactory {
    final AtomicInteger asked = new AtomicInteger();
    final IntPredicate refuse;
    final String error;

    ScarceThreads(IntPredicate refuse, String error) {
      this.refuse = refuse;
      this.error = error;
    }

    @Override
    public Thread newThread(Runnable r) {
      if (refuse.test(asked.incrementAndGet())) {
        throw new OutOfMemoryError(error);
      }
      Thread t = new Thread(r, "test-call");
      t.setDaemon(true);
      return t;
    }
  }

  /** CAPACITY on 2 replicas at 500 rps, with {@link #TIMEOUT}; no thread while {@code noThread}. */
  private AutoscalerEngine.Builder noThreadWhile(AtomicBoolean noThread) {
    return engine(clock, (spec, now) -> observation(now), CAPACITY, new GatedExecutor(gate),
        journal).callTimeout(TIMEOUT)
        .callThreadFactory(new ScarceThreads(n -> noThread.get(), NO_THREAD));
  }

  /**
   * Catches a process out of native threads stopping every workload: the call pool's execute
   * threw "OutOfMemoryError: unable to create native thread", which no catch of the tick
   * contained, so the tick ended there (and a scheduled engine's every later tick with it). Now
   * that workload is held for that stage, the others are decided, and the next call tries again.
   */
  @Test
  void noThreadForACallHoldsThatWorkloadOnly() {
    ThreadFactory threads = new ScarceThreads(n -> n == 1, NO_THREAD_LONG);
    MetricSource source = (spec, now) -> observation(now);
    GatedExecutor executor = new GatedExecutor(gate);
    AutoscalerEngine engine = build(engine(clock, source, CAPACITY, executor, journal)
        .callTimeout(TIMEOUT).callThreadFactory(threads)
        .workload(spec(WEB, 1, 10, Mode.ACT)).workload(spec(API, 1, 10, Mode.ACT)));

    assertThatCode(engine::tick).doesNotThrowAnyException();
    assertThat(held(last(journal, WEB))).isEqualTo("held: metric source not called: no thread "
        + "to run it: java.lang.OutOfMemoryError: unable to create native thread: possibly out "
        + "of memory or process/resource limits reached");
    assertThat(last(journal, API).action()).isEqualTo(Action.APPLIED);
    clock.advance(SYNC);
    engine.tick();
    assertThat(last(journal, WEB).action()).isEqualTo(Action.APPLIED);
  }

  /**
   * Catches an apply never sent dropping an earlier one that may still land, and covers the apply
   * for which no thread could be started: 2 -> 5 timed out; on the next tick the retry found no
   * thread, was journaled FAILED "executor not called: no thread to run it" (nothing sent), and
   * forgot the first, so when the first landed it was never counted as a scale.
   */
  @Test
  void anApplyWithNoThreadIsNotSentAndLeavesTheEarlierOneToLand() throws Exception {
    // Every call asks for a thread (none is kept idle): source, apply, source, then the apply of
    // the second tick, which gets none.
    ScarceThreads threads = new ScarceThreads(n -> n == 4, NO_THREAD_LONG);
    StuckApply web = stuckApply(b -> b.callThreadFactory(threads));
    AutoscalerEngine engine = web.engine();
    engine.tick(); // 2 -> 5 times out
    assertThat(last(journal, WEB).action()).isEqualTo(Action.FAILED);
    letTheApplyReturn(web.executor(), engine); // returned; not seen landed yet

    clock.advance(SYNC);
    engine.tick();
    DecisionRecord notSent = last(journal, WEB);
    assertThat(notSent.action()).isEqualTo(Action.FAILED);
    assertThat(notSent.actionMessage()).isEqualTo("executor not called: no thread to run it: "
        + "java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or "
        + "process/resource limits reached");
    assertThat(web.executor().requests).hasSize(1);
    assertThat(threads.asked).hasValue(4);

    Instant sawIt = tickSeeingTheLanding(web); // the first apply landed
    assertThat(last(journal, WEB).reasons()).first().extracting(Reason::step)
        .isEqualTo("landed");
    assertThat(web.lastSeen().lastScaleUp()).contains(sawIt);
  }

  /** What an apply never sent, because the calling thread was interrupted, is journaled. */
  static final String NOT_CALLED_INTERRUPTED =
      "executor not called: the calling thread was interrupted";

  /**
   * Catches an apply never sent taken for one that may have landed: a policy that left the tick's
   * thread interrupted (the pooled apply then ends at once) had its 2 -> 5 journaled FAILED
   * "executor interrupted: the change may have been applied …" and kept as an uncertain apply,
   * although the executor was never called, so an operator's later scale to 5 was counted as the
   * engine's. It is journaled as not sent, and nothing is pending.
   */
  @Test
  void anApplyOnAnInterruptedThreadIsNotSentAndLeavesNothingPending() {
    int[] replicas = {2};
    MetricSource source = (spec, now) -> Observation.of(now,
        ReplicaStatus.of(replicas[0], replicas[0]), MetricReading.of("rps", 500, now));
    AtomicBoolean interrupt = new AtomicBoolean(true);
    DecisionPolicy interrupting = (ctx, p) -> {
      if (interrupt.get()) {
        Thread.currentThread().interrupt();
      }
      return p.to("fixed", 5, "always 5");
    };
    GatedExecutor executor = new GatedExecutor(gate);
    AutoscalerEngine engine = build(engine(clock, source, interrupting, executor, journal)
        .callTimeout(Duration.ofSeconds(30)).workload(spec(WEB, 1, 10, Mode.ACT)));
    try {
      engine.tick();
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
    } finally {
      Thread.interrupted();
    }
    DecisionRecord notSent = last(journal, WEB);
    assertThat(notSent.action()).isEqualTo(Action.FAILED);
    assertThat(notSent.actionMessage()).isEqualTo(NOT_CALLED_INTERRUPTED);
    assertThat(executor.requests).isEmpty();
    List<DecisionRecord> records = List.copyOf(journal.records(WEB));

    interrupt.set(false);
    replicas[0] = 5; // an operator's scale, not the engine's apply
    clock.advance(SYNC);
    engine.tick();
    assertThat(last(journal, WEB).reasons()).extracting(Reason::step).doesNotContain("landed");

    // A restore reads the record alike.
    InMemoryJournal after = new InMemoryJournal();
    AutoscalerEngine restarted = build(engine(new TestClock(clock.instant()), source,
        interrupting, executor, after).callTimeout(Duration.ofSeconds(30))
        .workload(spec(WEB, 1, 10, Mode.ACT)));
    restarted.restore(records);
    restarted.tick();
    assertThat(last(after, WEB).reasons()).extracting(Reason::step).doesNotContain("landed");
  }

  /**
   * The race of the case above: an interrupt that reaches the tick's thread while it waits for
   * an apply whose call has not started yet. That call never starts, and nothing was sent.
   */
  @Test
  void anApplyInterruptedBeforeItsCallStartedIsNotSent() throws Exception {
    CountDownLatch applyThreadMade = new CountDownLatch(1);
    CountDownLatch startApply = new CountDownLatch(1);
    ThreadFactory threads = applyWaitsFor(startApply, applyThreadMade);
    GatedExecutor executor = new GatedExecutor(gate);
    AutoscalerEngine engine = build(engine(clock, (spec, now) -> observation(now), CAPACITY,
        executor, journal).callTimeout(Duration.ofSeconds(30)).callThreadFactory(threads)
        .workload(spec(WEB, 1, 10, Mode.ACT)));
    Thread ticker = new Thread(engine::tick, "ticker");
    ticker.start();
    assertThat(applyThreadMade.await(30, TimeUnit.SECONDS)).isTrue();
    waitingOrDone(ticker); // waits for the apply
    ticker.interrupt();
    ticker.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(ticker.isAlive()).isFalse();
    startApply.countDown();
    engine.callsReturned(WEB).get(30, TimeUnit.SECONDS);

    DecisionRecord notSent = last(journal, WEB);
    assertThat(notSent.action()).isEqualTo(Action.FAILED);
    assertThat(notSent.actionMessage()).isEqualTo(NOT_CALLED_INTERRUPTED);
    assertThat(executor.requests).isEmpty();
  }

  /**
   * Catches an apply that no thread started within the call timeout (a starved pool) journaled
   * as "timed out ...: the change may have been applied": its body never ran, and never will, so
   * it was not sent, and a count seen later is not the engine's.
   */
  @Test
  void anApplyNoThreadStartedWithinTheTimeoutIsNotSent() throws Exception {
    CountDownLatch startApply = new CountDownLatch(1);
    ThreadFactory threads = applyWaitsFor(startApply, new CountDownLatch(1));
    GatedExecutor executor = new GatedExecutor(gate);
    AutoscalerEngine engine = build(engine(clock, (spec, now) -> observation(now), CAPACITY,
        executor, journal).callTimeout(Duration.ofMillis(300)).callThreadFactory(threads)
        .workload(spec(WEB, 1, 10, Mode.ACT)));
    engine.tick(); // the apply's thread waits for startApply past the call timeout
    startApply.countDown();
    engine.callsReturned(WEB).get(30, TimeUnit.SECONDS);

    DecisionRecord notSent = last(journal, WEB);
    assertThat(notSent.action()).isEqualTo(Action.FAILED);
    assertThat(notSent.actionMessage()).isEqualTo(
        "executor not called: no thread started it within the call timeout PT0.3S");
    assertThat(executor.requests).isEmpty();
  }

  /**
   * Call threads of which the second, the apply's (after the source's), waits for {@code start}
   * before it runs its call; {@code made} counts down when that thread is made.
   */
  private static ThreadFactory applyWaitsFor(CountDownLatch start, CountDownLatch made) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      boolean apply = count.incrementAndGet() == 2;
      Thread t = new Thread(() -> {
        if (apply) {
          gateOf(start);
        }
        r.run();
      }, "test-call");
      t.setDaemon(true);
      if (apply) {
        made.countDown();
      }
      return t;
    };
  }

  /**
   * The other side of that race: an apply whose call had started when the tick's thread was
   * interrupted may have been sent, and stays FAILED "the change may have been applied".
   */
  @Test
  void anApplyInterruptedAfterItsCallStartedMayHaveBeenApplied() throws Exception {
    GatedExecutor executor = new GatedExecutor(gate);
    executor.blockApply.set(true);
    AutoscalerEngine engine = build(engine(clock, (spec, now) -> observation(now), CAPACITY,
        executor, journal).callTimeout(Duration.ofSeconds(30))
        .workload(spec(WEB, 1, 10, Mode.ACT)));
    Thread ticker = new Thread(engine::tick, "ticker");
    ticker.start();
    assertThat(gate.reached.await(30, TimeUnit.SECONDS)).isTrue(); // the executor was called
    waitingOrDone(ticker);
    ticker.interrupt();
    ticker.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(ticker.isAlive()).isFalse();

    DecisionRecord r = last(journal, WEB);
    assertThat(r.action()).isEqualTo(Action.FAILED);
    assertThat(r.actionMessage()).isEqualTo("executor interrupted: the change may have been "
        + "applied; the workload is held while the call runs");
    assertThat(executor.requests).hasSize(1);
  }

  /**
   * Catches a process out of threads flooding the log: every call not made for want of a thread
   * logged a WARN, one per workload, stage and tick. They are logged at WARN on the first in a row
   * and every 20th, with the count, and at INFO once a call of that workload and stage is made.
   */
  @Test
  void callsWithNoThreadTickAfterTickWarnOnTheFirstAndEvery20th() {
    AtomicBoolean noThread = new AtomicBoolean(true);
    AutoscalerEngine engine = build(noThreadWhile(noThread).workload(spec(WEB, 1, 10, Mode.ACT)));

    String log = Fixtures.stderrOf(() -> {
      for (int i = 0; i < 40; i++) {
        engine.tick();
        clock.advance(SYNC);
      }
      noThread.set(false);
      engine.tick();
    });
    String warn = "WARN dev.prescaler.core.AutoscalerEngine - shop/web: metric source not called: "
        + "no thread to run it: java.lang.OutOfMemoryError: unable to create native thread";
    assertThat(log.lines().filter(l -> l.contains(" WARN ")).toList()).containsExactly(
        "[main] " + warn, "[main] " + warn + " (20 in a row)", "[main] " + warn + " (40 in a row)");
    assertThat(log).contains("INFO dev.prescaler.core.AutoscalerEngine - shop/web: metric source "
        + "called, after 40 calls not made for want of a thread");
    assertThat(journal.records(WEB)).hasSize(41);
    assertThat(last(journal, WEB).action()).isEqualTo(Action.APPLIED);
  }

  private static List<String> noThreadWarnings(String log) {
    return log.lines().filter(l -> l.contains(" WARN ") && l.contains("no thread to run it")
        && !l.contains("not applied")).toList();
  }

  /**
   * Catches the no-thread log counts leaking and flooding: they were kept per workload and
   * stage and removed only when that slot was called again, so 30 workloads registered, ticked
   * with no thread and unregistered left 30 counts behind for good, and each logged its own
   * first WARN. The count is now engine-wide: WARN on the 1st and 20th, and the next call made
   * logs the recovery with all 30.
   */
  @Test
  void callsWithNoThreadAreCountedEngineWideNotPerWorkload() {
    AtomicBoolean noThread = new AtomicBoolean(true);
    AutoscalerEngine engine = build(noThreadWhile(noThread));

    String log = Fixtures.stderrOf(() -> {
      for (int i = 0; i < 30; i++) {
        WorkloadRef w = WorkloadRef.deployment("shop", "w" + i);
        engine.register(spec(w, 1, 10, Mode.ACT));
        engine.tick();
        engine.unregister(w);
        clock.advance(SYNC);
      }
      noThread.set(false);
      engine.register(spec(WEB, 1, 10, Mode.ACT));
      engine.tick();
    });
    assertThat(noThreadWarnings(log)).hasSize(2);
    assertThat(noThreadWarnings(log).get(1)).contains("shop/w19:").endsWith("(20 in a row)");
    assertThat(log).contains("shop/web: metric source called, after 30 calls not made for want "
        + "of a thread");
  }

  /**
   * Catches a second no-thread episode logged only at DEBUG: an apply found no thread at 10:00
   * (WARN), the next ticks needed no apply, so its count stayed; hours later, threads short
   * again, the apply's count went on from 1 and its first failure was logged at DEBUG. Any
   * thread started now ends an episode, so the next one warns again.
   */
  @Test
  void aLaterEpisodeWithNoThreadWarnsAgain() {
    // The applies of the first and the last tick get no thread.
    ScarceThreads threads = new ScarceThreads(n -> n == 2 || n == 5, NO_THREAD);
    double[] rps = {500};
    MetricSource source = (spec, now) -> Observation.of(now, ReplicaStatus.of(2, 2),
        MetricReading.of("rps", rps[0], now));
    AutoscalerEngine engine = build(engine(clock, source, CAPACITY, new GatedExecutor(gate),
        journal).callTimeout(TIMEOUT).callThreadFactory(threads)
        .workload(spec(WEB, 1, 10, Mode.ACT)));

    String log = Fixtures.stderrOf(() -> {
      engine.tick(); // 10:00: source, then the apply 2 -> 5 with no thread
      rps[0] = 150;
      clock.advance(SYNC);
      engine.tick(); // keeps 2: no apply
      rps[0] = 500;
      clock.advance(Duration.ofHours(3));
      engine.tick(); // source, then the apply with no thread again
    });
    assertThat(threads.asked).hasValue(5);
    assertThat(noThreadWarnings(log)).hasSize(2)
        .allSatisfy(l -> assertThat(l).contains("shop/web: executor not called"));
  }

  /**
   * Catches a source that hangs until interrupted flooding the log: each tick logged its timeout
   * at WARN, and the call's thread, interrupted, a second WARN when it failed late (3,996 lines
   * in 40 ticks at 50 workloads). The timeouts are counted as the source's failures in a row
   * (WARN on the first and every 20th), and a read's late end is logged at DEBUG.
   */
  @Test
  void aSourceThatHangsUntilInterruptedWarnsOnTheFirstAndEvery20thTimeout() throws Exception {
    AtomicBoolean hang = new AtomicBoolean(true);
    MetricSource source = (spec, now) -> {
      if (hang.get()) {
        try {
          new CountDownLatch(1).await(); // until the engine gives up and interrupts it
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("read interrupted", e);
        }
      }
      return observation(now);
    };
    AutoscalerEngine engine = build(engine(clock, source, CAPACITY, new GatedExecutor(gate),
        journal).callTimeout(SHORT).workload(spec(WEB, 1, 10, Mode.OBSERVE_ONLY)));

    String log = Fixtures.stderrOf(() -> {
      for (int i = 0; i < 41; i++) {
        if (i == 40) {
          hang.set(false);
        }
        engine.tick();
        clock.advance(SYNC);
        // The interrupted read ends, logs and frees its slot: the next tick calls the source.
        engine.callsReturned(WEB).join();
      }
    });
    String warn = "WARN dev.prescaler.core.AutoscalerEngine - shop/web: source failed";
    String error = ", holding: dev.prescaler.core.AutoscalerEngine$PluginTimeoutException: "
        + "metric source timed out after " + SHORT;
    assertThat(log.lines().filter(l -> l.contains(" WARN ")).toList()).containsExactly(
        "[main] " + warn + error, "[main] " + warn + " (20 in a row)" + error,
        "[main] " + warn + " (40 in a row)" + error);
    assertThat(log).contains("INFO dev.prescaler.core.AutoscalerEngine - shop/web: source "
        + "answered again, after 40 failures in a row");
    assertThat(journal.records(WEB)).hasSize(41);
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.SCALE);
  }
}
