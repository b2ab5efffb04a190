package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.API;
import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.last;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.event.HeldEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;
import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.FollowUp;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What one workload's plug-in, listener or embedder can do to the others: an {@code Error}
 * thrown where only exceptions were expected, a listener that unregisters on the tick, a clock
 * stepped back while a startup is measured, a shutdown from an interrupted thread, calls that
 * overtake each other. Each case failed before its fix.
 */
class AutoscalerEngineRobustnessTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 500).set(API, 2, 2, "rps", 500);
  InMemoryJournal journal = new InMemoryJournal();

  /**
   * {@code readings}' reads, and no history; reading the history of {@code metric} counts
   * {@code reading} down and then waits for {@code gate}: a registration in flight.
   */
  private static MetricSource slowHistory(MetricSource readings, String metric,
      CountDownLatch reading, CountDownLatch gate) {
    return new MetricSource() {
      @Override
      public Observation read(WorkloadSpec spec, Instant now) {
        return readings.read(spec, now);
      }

      @Override
      public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget m, Instant from,
          Instant to, Duration step) {
        if (m.name().equals(metric)) {
          reading.countDown();
          try {
            gate.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return Optional.empty();
      }
    };
  }

  @Test
  void aReleaseThatThrowsAnErrorOnItsRetryDoesNotStopTheTicks() {
    AtomicInteger calls = new AtomicInteger();
    RecordingExecutor executor = new RecordingExecutor() {
      @Override
      public void release(WorkloadRef workload) {
        if (calls.incrementAndGet() == 1) {
          throw new IllegalStateException("500 from the API server");
        }
        throw new AssertionError("plug-in assertion");
      }
    };
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR))
        .workload(spec(API, 1, 20, Mode.ACT)).build()) {
      engine.tick();
      engine.mode(WEB, Mode.OBSERVE_ONLY, "demoted"); // the release fails: sent again next tick
      for (int i = 1; i <= 2; i++) {
        clock.advance(SYNC);
        assertThatCode(engine::tick).doesNotThrowAnyException();
        assertThat(journal.records(API)).hasSize(1 + i);
      }
      assertThat(calls).hasValue(3);
    }
  }

  @Test
  void aReleaseRefusedAtCloseIsNotSaidToBeSentAgain() {
    // A standby replica's engine closes on every rolling update; its releases are refused for
    // not leading, and no tick follows to send them again.
    RecordingExecutor executor = new RecordingExecutor() {
      @Override
      public void release(WorkloadRef workload) {
        throw new IllegalStateException("not leading; release not sent");
      }
    };
    AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR)).build();
    engine.tick();
    String log = Fixtures.stderrOf(engine::close);
    assertThat(log).contains("shop/web: executor release failed at close, not sent again: "
        + "java.lang.IllegalStateException: not leading; release not sent")
        .doesNotContain("next tick");
  }

  @Test
  void aReleaseFailingOnEveryTickWarnsNowAndThenNotOnEveryTick() {
    AtomicInteger calls = new AtomicInteger();
    RecordingExecutor executor = new RecordingExecutor() {
      @Override
      public void release(WorkloadRef workload) {
        if (calls.incrementAndGet() <= 25) {
          throw new IllegalStateException("403 from the API server");
        }
      }
    };
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR)).build()) {
      engine.tick();
      String log = Fixtures.stderrOf(() -> {
        engine.mode(WEB, Mode.OBSERVE_ONLY, "demoted"); // failure 1, then 24 ticks, then sent
        for (int i = 0; i < 25; i++) {
          clock.advance(SYNC);
          engine.tick();
        }
      });
      assertThat(calls).hasValue(26);
      assertThat(log.lines().filter(l -> l.contains("executor release failed")))
          .containsExactly("[main] WARN dev.prescaler.core.AutoscalerEngine - shop/web: executor "
                  + "release failed (1 in a row), sent again next tick: "
                  + "java.lang.IllegalStateException: 403 from the API server",
              "[main] WARN dev.prescaler.core.AutoscalerEngine - shop/web: executor release "
                  + "failed (20 in a row), sent again next tick: "
                  + "java.lang.IllegalStateException: 403 from the API server");
      assertThat(log).contains("shop/web: executor release sent, after 25 failed");
    }
  }

  // Caught the pending release of a workload unregistered from HPA-floor mode sent again on
  // every tick for ever: a 403 once its RoleBinding is deleted never ends, 240 failing API calls
  // and FailureEvents an hour until a restart.
  @Test
  void aReleaseOfAnUnregisteredWorkloadIsGivenUpAfter240FailedTriesAndAnHour() {
    Map<WorkloadRef, Integer> calls = new ConcurrentHashMap<>();
    List<FailureEvent> failures = new CopyOnWriteArrayList<>();
    RecordingExecutor executor = alwaysRefusingReleases(calls);
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR)).workload(spec(API, 1, 20, Mode.HPA_FLOOR))
        .listener(new EngineListener() {
          @Override
          public void onFailure(FailureEvent e) {
            failures.add(e);
          }
        }).build()) {
      engine.tick();
      String log = Fixtures.stderrOf(() -> {
        engine.unregister(WEB); // failure 1, then one a tick
        engine.mode(API, Mode.OBSERVE_ONLY, "demoted"); // still registered: sent again for ever
        for (int i = 0; i < 300; i++) {
          clock.advance(SYNC);
          engine.tick();
        }
      });
      // The 240th failure came 3,585 s after the unregistering: given up at the 241st, at 3,600
      assertThat(calls).containsEntry(WEB, 241)
          .containsEntry(API, 301);
      assertThat(failures).filteredOn(f -> f.workload().equals(WEB))
          .hasSize(241);
      List<String> web = log.lines().filter(l -> l.contains("WARN dev.prescaler.core."
          + "AutoscalerEngine - shop/web: executor release failed")).toList();
      assertThat(web).hasSize(14); // the 1st, 20th, ..., 240th, then the 241st: given up
      assertThat(web.get(13)).contains("shop/web: executor release failed 241 times in a row "
          + "since the workload was unregistered, at 2026-01-05T10:00:00Z, given up; its HPA may "
          + "keep a floor: give it back by hand, with the agent stopped, with `bin/prescaler "
          + "agent --config <a configuration listing it> --release-hpas` (see the README): "
          + "java.lang.IllegalStateException: 403 from the API server");
      assertThat(log.lines().filter(l -> l.contains("api: executor release failed (300 in a row)"
          + ", sent again next tick"))).hasSize(1);
    }
  }

  // Caught the release given up after 240 failures whatever the time they took (4 minutes at a
  // 1 s sync: an API server upgrade left the HPA's floor raised for good) and counting the
  // failures from before the unregistering (300 while demoted: given up at its first failure
  // after it).
  @Test
  void aReleaseIsGivenUpAnHourAfterTheUnregisteringAtTheEarliest() {
    Map<WorkloadRef, Integer> calls = new ConcurrentHashMap<>();
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY,
        alwaysRefusingReleases(calls), journal).workload(spec(WEB, 1, 20, Mode.HPA_FLOOR))
        .build()) {
      engine.tick();
      String log = Fixtures.stderrOf(() -> {
        engine.mode(WEB, Mode.OBSERVE_ONLY, "demoted"); // release failure 1, then one a tick
        for (int i = 0; i < 300; i++) {
          clock.advance(Duration.ofSeconds(1));
          engine.tick();
        }
        engine.unregister(WEB); // counted afresh from here
        for (int i = 0; i < 1000; i++) {
          clock.advance(Duration.ofSeconds(1));
          engine.tick();
        }
      });
      assertThat(calls).containsEntry(WEB, 1301);
      assertThat(log).doesNotContain("given up");
      String late = Fixtures.stderrOf(() -> {
        clock.advance(Duration.ofHours(1));
        engine.tick();
        engine.tick();
      });
      assertThat(calls).containsEntry(WEB, 1302);
      assertThat(late).contains("shop/web: executor release failed 1001 times in a row since the "
          + "workload was unregistered");
      assertThat(late).contains("given up");
    }
  }

  // Caught a release retried on every tick for ever: a listener unregistered the workload when
  // told of its demotion, before the demotion sent the release, so no unregistering was dated.
  @Test
  void aReleaseOfAWorkloadAListenerUnregisteredOnItsDemotionIsGivenUpToo() {
    Map<WorkloadRef, Integer> calls = new ConcurrentHashMap<>();
    AutoscalerEngine[] engine = new AutoscalerEngine[1];
    try (AutoscalerEngine e = Fixtures.engine(clock, source, CAPACITY,
        alwaysRefusingReleases(calls), journal).workload(spec(WEB, 1, 20, Mode.HPA_FLOOR))
        .listener(new EngineListener() {
          @Override
          public void onModeChanged(ModeChangedEvent m) {
            if (m.to() == Mode.OBSERVE_ONLY) {
              engine[0].unregister(m.workload());
            }
          }
        }).build()) {
      engine[0] = e;
      e.tick();
      String log = Fixtures.stderrOf(() -> {
        e.mode(WEB, Mode.OBSERVE_ONLY, "demoted"); // unregistered by the listener, then released
        for (int i = 0; i < 300; i++) {
          clock.advance(SYNC);
          e.tick();
        }
      });
      assertThat(e.spec(WEB)).isEmpty();
      assertThat(calls).containsEntry(WEB, 241);
      assertThat(log).contains("shop/web: executor release failed 241 times in a row since the "
          + "workload was unregistered");
    }
  }

  // Caught a clock a day ahead at the unregistering, corrected since, keeping the release a day
  // longer (a year ahead, for ever): the hour runs from the earliest time seen.
  @Test
  void aClockGlitchedAheadAtTheUnregisteringDoesNotPutTheGiveUpOff() {
    Map<WorkloadRef, Integer> calls = new ConcurrentHashMap<>();
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY,
        alwaysRefusingReleases(calls), journal).workload(spec(WEB, 1, 20, Mode.HPA_FLOOR))
        .build()) {
      engine.tick();
      Fixtures.stderrOf(() -> {
        clock.advance(Duration.ofDays(1));
        engine.unregister(WEB); // failure 1, dated a day ahead
        clock.advance(Duration.ofDays(-1));
        for (int i = 0; i < 300; i++) {
          clock.advance(SYNC);
          engine.tick();
        }
      });
      // Dated again at the first tick after the correction, 15 s later: given up 3,600 s on
      assertThat(calls).containsEntry(WEB, 242);
    }
  }

  /** An executor whose every release throws a 403, counted per workload in {@code calls}. */
  private static RecordingExecutor alwaysRefusingReleases(Map<WorkloadRef, Integer> calls) {
    return new RecordingExecutor() {
      @Override
      public void release(WorkloadRef workload) {
        calls.merge(workload, 1, Integer::sum);
        throw new IllegalStateException("403 from the API server");
      }
    };
  }

  @Test
  void aProposalWithANullMarkIsThePolicysFailureBeforeAnythingIsApplied() {
    // Catches a count applied and then journaled as a hold: the null mark used to fail only when
    // the engine recorded the decision, after the executor had scaled.
    java.util.Map<String, Integer> marks = new java.util.HashMap<>();
    marks.put("window", null);
    DecisionPolicy broken = (ctx, p) -> new Proposal(10, p.reasons(), marks);
    RecordingExecutor executor = new RecordingExecutor();
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, broken, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build()) {
      engine.tick();
    }
    assertThat(executor.requests).isEmpty();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.current()).isEqualTo(2);
    assertThat(r.reasons().toString()).contains("marks must have names and values, but held "
        + "window=null");
  }

  @Test
  void aListenerThrowingErrorsWhileOneSourceFailsSkipsNoOtherWorkload() {
    source.custom(WEB, (s, now) -> {
      throw new IllegalStateException("prometheus 503");
    });
    EngineListener broken = new EngineListener() {
      @Override
      public void onDecision(DecisionEvent e) {
        throw new NoClassDefFoundError("com/acme/Chat");
      }

      @Override
      public void onFailure(FailureEvent e) {
        throw new NoClassDefFoundError("com/acme/Chat");
      }

      @Override
      public void onHeld(HeldEvent e) {
        throw new NoClassDefFoundError("com/acme/Chat");
      }
    };
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY,
        new RecordingExecutor(), journal).listener(broken)
        .workload(spec(WEB, 1, 20, Mode.ACT))
        .workload(spec(API, 1, 20, Mode.ACT)).build()) {
      assertThatCode(engine::tick).doesNotThrowAnyException();
      assertThat(last(journal, WEB).kind()).isEqualTo(Kind.HOLD);
      assertThat(journal.records(API)).singleElement()
          .satisfies(r -> assertThat(r.action()).isEqualTo(Action.APPLIED));
    }
  }

  @Test
  void anExecutorErrorAfterTheRequestIsJournaledAsFailedAndReported() {
    RecordingExecutor executor = new RecordingExecutor();
    executor.answer = r -> {
      throw new NoClassDefFoundError("io/kubernetes/client/openapi/models/V1Scale");
    };
    RecordingListener listener = new RecordingListener();
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY, executor, journal)
        .listener(listener).workload(spec(WEB, 1, 20, Mode.ACT)).build()) {
      engine.tick();
      assertThat(executor.requests).hasSize(1);
      assertThat(last(journal, WEB).action()).isEqualTo(Action.FAILED);
      assertThat(last(journal, WEB).actionMessage()).startsWith("executor threw: "
          + "java.lang.NoClassDefFoundError");
      assertThat(listener.of(FailureEvent.class)).singleElement()
          .satisfies(f -> assertThat(f.stage()).isEqualTo("executor"));
      assertThat(listener.of(ScaledEvent.class)).hasSize(1);
    }
  }

  @Test
  void aClockSteppedBackWhilePodsStartTeachesNoStartupDelay() {
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY,
        new RecordingExecutor(), journal).workload(spec(WEB, 1, 20, Mode.ACT)).build()) {
      engine.tick(); // 2 -> 5 applied: waiting for 5 ready
      source.replicas(WEB, 5, 5);
      clock.advance(Duration.ofMinutes(-10)); // NTP steps the clock back
      engine.tick();
      assertThat(last(journal, WEB).actionMessage()).contains("clock went backwards");
      assertThat(engine.measuredStartupDelay(WEB)).isEmpty();
    }
  }

  @Test
  void aListenerThatUnregistersOnTheTickSkipsNoOtherWorkload() {
    RecordingExecutor executor = new RecordingExecutor();
    executor.answer = r -> ScaleOutcome.refused("404 deployment not found");
    AutoscalerEngine[] engine = new AutoscalerEngine[1];
    EngineListener collector = new EngineListener() {
      @Override
      public void onScaled(ScaledEvent e) {
        engine[0].unregister(e.workload()); // the deployment is gone
      }
    };
    try (AutoscalerEngine e = Fixtures.engine(clock, source, CAPACITY, executor, journal)
        .listener(collector)
        .workload(spec(WEB, 1, 20, Mode.ACT))
        .workload(spec(API, 1, 20, Mode.ACT)).build()) {
      engine[0] = e;
      assertThatCode(e::tick).doesNotThrowAnyException();
      assertThat(journal.records(WEB)).hasSize(1);
      assertThat(journal.records(API)).hasSize(1);
      assertThat(e.workloads()).isEmpty();
    }
  }

  @Test
  void closeOnAnInterruptedThreadStillGivesTheHpasBack() throws Exception {
    RecordingExecutor executor = new RecordingExecutor();
    AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY, executor, journal)
        .callTimeout(WAIT)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR))
        .workload(spec(API, 1, 20, Mode.HPA_FLOOR)).build();
    engine.tick();
    Thread.currentThread().interrupt(); // e.g. the main thread, interrupted to shut down
    try {
      engine.close();
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
    } finally {
      Thread.interrupted();
    }
    // Each release was waited for (a pooled call with a timeout), so its write is visible.
    assertThat(executor.released).containsExactlyInAnyOrder(WEB, API);
  }

  @Test
  void anInterruptThatComesWhileCloseWaitsForAReleaseAbandonsNoRelease() {
    Thread closer = Thread.currentThread();
    List<WorkloadRef> gaveBack = new CopyOnWriteArrayList<>();
    RecordingExecutor executor = new RecordingExecutor() {
      @Override
      public void release(WorkloadRef workload) {
        if (gaveBack.isEmpty()) {
          closer.interrupt(); // the shutdown's interrupt comes in the middle of close()
        } else {
          // Returns once close() waits for this release again; an interrupt here means that
          // close() gave up on it.
          long deadline = System.nanoTime() + WAIT.toNanos();
          while (closer.getState() != Thread.State.TIMED_WAITING) {
            if (Thread.currentThread().isInterrupted() || System.nanoTime() > deadline) {
              return;
            }
            Thread.onSpinWait();
          }
        }
        gaveBack.add(workload);
      }
    };
    AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY, executor, journal)
        .callTimeout(WAIT)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR))
        .workload(spec(API, 1, 20, Mode.HPA_FLOOR)).build();
    engine.tick();
    try {
      engine.close();
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(gaveBack).containsExactlyInAnyOrder(WEB, API);
    // It was given back once: a later close(), here or on another thread, is not interrupted.
    engine.close();
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    AtomicBoolean other = new AtomicBoolean(true);
    Thread t = new Thread(() -> {
      engine.close();
      other.set(Thread.currentThread().isInterrupted());
    });
    t.start();
    assertThatCode(t::join).doesNotThrowAnyException();
    assertThat(other).isFalse();
  }

  // Caught an HPA left at its floor for good: without a call timeout the releases run inline,
  // and an interrupt that came during the first release was still set for the second, which
  // failed at once ("executor release failed at close, not sent again").
  @Test
  void anInterruptDuringAnInlineReleaseAtCloseFailsNoLaterRelease() {
    RecordingExecutor executor = new RecordingExecutor() {
      @Override
      public void release(WorkloadRef workload) {
        if (released.isEmpty()) {
          Thread.currentThread().interrupt(); // the shutdown's interrupt, during this release
        } else if (Thread.currentThread().isInterrupted()) {
          throw new IllegalStateException("interrupted"); // as blocking IO fails on the flag
        }
        released.add(workload);
      }
    };
    AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR))
        .workload(spec(API, 1, 20, Mode.HPA_FLOOR)).build(); // no call timeout: inline
    engine.tick();
    String log;
    try {
      log = Fixtures.stderrOf(engine::close);
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(executor.released).containsExactlyInAnyOrder(WEB, API);
    assertThat(log).doesNotContain("release failed");
  }

  // Caught a Lease renewal failing at close: an interrupt that came while close() waited for
  // the tick in flight was still set when the beforeReleases hook ran (the agent renews its
  // Lease there with an inline call, which fails at once on an interrupted thread).
  @Test
  void anInterruptWhileCloseWaitsForTheTickIsNotSeenByTheHookAndIsKept() throws Exception {
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    FakeSource readings = new FakeSource().set(WEB, 2, 2, "rps", 500);
    source.custom(WEB, (spec, now) -> {
      reading.countDown();
      try {
        gate.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return readings.read(spec, now);
    });
    AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY, new RecordingExecutor(),
        journal).workload(spec(WEB, 1, 20, Mode.ACT)).build();
    ExecutorService ticker = Executors.newSingleThreadExecutor();
    try {
      Future<?> tick = ticker.submit(engine::tick);
      assertThat(reading.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      AtomicBoolean hookSawInterrupt = new AtomicBoolean();
      AtomicBoolean kept = new AtomicBoolean();
      Thread closer = new Thread(() -> {
        engine.close(() -> hookSawInterrupt.set(Thread.currentThread().isInterrupted()));
        kept.set(Thread.currentThread().isInterrupted());
      });
      closer.start();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (closer.getState() != Thread.State.BLOCKED) { // waits for the tick's lock
        assertThat(System.nanoTime()).as("closer blocked on the lock").isLessThan(deadline);
        Thread.onSpinWait();
      }
      closer.interrupt();
      gate.countDown();
      tick.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      closer.join(WAIT.toMillis());
      assertThat(closer.isAlive()).isFalse();
      assertThat(hookSawInterrupt).as("the hook saw the interrupt").isFalse();
      assertThat(kept).as("the interrupt is kept").isTrue();
    } finally {
      gate.countDown();
      ticker.shutdownNow();
    }
  }

  @Test
  void aNewModeGivenToRegisterIsJournaledAndPublishedAsAModeChange() {
    RecordingListener listener = new RecordingListener();
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY,
        new RecordingExecutor(), journal).listener(listener)
        .workload(spec(WEB, 1, 20, Mode.OBSERVE_ONLY)).build()) {
      engine.register(spec(WEB, 1, 20, Mode.OBSERVE_ONLY));
      assertThat(listener.of(ModeChangedEvent.class)).isEmpty();
      engine.register(spec(WEB, 1, 20, Mode.ACT));
      assertThat(listener.of(ModeChangedEvent.class)).singleElement().satisfies(e -> {
        assertThat(e.from()).isEqualTo(Mode.OBSERVE_ONLY);
        assertThat(e.to()).isEqualTo(Mode.ACT);
        assertThat(e.reason()).isEqualTo("registered again with mode ACT");
      });
    }
  }

  @Test
  void aMetricWhoseTypeChangesStartsWithoutTheHistoryOfItsOldUnits() {
    List<Integer> historySizes = new ArrayList<>();
    DecisionPolicy probe = (ctx, p) -> {
      historySizes.add(ctx.histories().get("rps").size());
      return p;
    };
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, probe,
        new RecordingExecutor(), journal).workload(spec(WEB, 1, 20, Mode.ACT)).build()) {
      for (int i = 0; i < 6; i++) {
        engine.tick();
        clock.advance(SYNC);
      }
      int before = historySizes.get(historySizes.size() - 1);
      engine.register(WorkloadSpec.builder(WEB).maxReplicas(20).mode(Mode.ACT)
          .metric(MetricTarget.averageValue("rps", 50)).build());
      engine.tick();
      clock.advance(SYNC);
      assertThat(historySizes.get(historySizes.size() - 1)).as("same type: kept")
          .isGreaterThanOrEqualTo(before);
      engine.register(WorkloadSpec.builder(WEB).maxReplicas(20).mode(Mode.ACT)
          .metric(MetricTarget.utilization("rps", 70)).build());
      engine.tick();
      assertThat(historySizes.get(historySizes.size() - 1)).as("new type: afresh")
          .isLessThan(before).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void anUnregisterOvertakingARegistrationInFlightWins() throws Exception {
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    FakeSource base = new FakeSource().set(WEB, 2, 2, "rps", 500).value(WEB, "cpu", 50);
    MetricSource slowHistory = slowHistory(base, "cpu", reading, gate);
    ExecutorService other = Executors.newSingleThreadExecutor();
    try (AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock)
        .metricSource(slowHistory).policy(CAPACITY).executor(new RecordingExecutor())
        .journal(journal).historyStep(SYNC).historyLength(Duration.ofHours(1))
        .workload(spec(WEB, 1, 20, Mode.ACT)).build()) { // backfill on
      WorkloadSpec withCpu = spec(WEB, 1, 20, Mode.ACT).toBuilder()
          .metric(MetricTarget.utilization("cpu", 70)).build();
      Future<?> edit = other.submit(() -> engine.register(withCpu)); // reconciling an edit
      assertThat(reading.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      assertThat(engine.unregister(WEB)).isTrue(); // reconciling the delete that followed
      gate.countDown();
      edit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(engine.spec(WEB)).isEmpty();
      engine.register(withCpu); // a registration made afterwards is installed
      assertThat(engine.spec(WEB)).contains(withCpu);
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void aJournalFollowUpThatThrowsAnErrorHoldsNoWorkload() {
    DecisionJournal brokenFollowUps = new DecisionJournal() {
      @Override
      public void append(DecisionRecord record) {
        journal.append(record);
      }

      @Override
      public void followUp(long sequence, WorkloadRef workload, FollowUp followUp) {
        throw new AssertionError("follow-up store broken");
      }
    };
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, CAPACITY,
        new RecordingExecutor(), brokenFollowUps).followUpAfter(SYNC)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build()) {
      engine.tick(); // 2 -> 5: a follow-up is due 15 s later
      source.replicas(WEB, 5, 5);
      clock.advance(SYNC);
      engine.tick();
      assertThat(last(journal, WEB).kind()).isNotEqualTo(Kind.HOLD);
    }
  }

  @Test
  void aModeSetWhileARegistrationReadsTheHistoryIsKept() throws Exception {
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    MetricSource slowHistory = slowHistory(source, "qps", reading, gate);
    ExecutorService other = Executors.newSingleThreadExecutor();
    try (AutoscalerEngine engine = Fixtures.engine(clock, slowHistory, CAPACITY,
        new RecordingExecutor(), journal).backfill(true)
        .workload(spec(WEB, 1, 20, Mode.OBSERVE_ONLY)).build()) {
      WorkloadSpec withQps = spec(WEB, 1, 20, Mode.OBSERVE_ONLY).toBuilder()
          .metric(MetricTarget.averageValue("qps", 50)).build();
      Future<?> edit = other.submit(() -> engine.register(withQps));
      assertThat(reading.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      engine.mode(WEB, Mode.ACT, "promoted by the operator"); // called after register
      gate.countDown();
      edit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      WorkloadSpec now = engine.spec(WEB).orElseThrow();
      assertThat(now.mode()).isEqualTo(Mode.ACT);
      assertThat(now.metric("qps")).as("the registration is installed").isPresent();
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void aChainTellsEveryStepOfAnUnregisterWhenOneThrowsAnError() {
    List<WorkloadRef> first = new ArrayList<>();
    List<WorkloadRef> later = new ArrayList<>();
    DecisionPolicy broken = Fixtures.hearing(first, WEB,
        w -> new NoClassDefFoundError("com/acme/Claims"));
    try (AutoscalerEngine engine = Fixtures.engine(clock, source,
        DecisionPolicy.chain(broken, Fixtures.hearing(later, null, null)),
        new RecordingExecutor(), journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build()) {
      assertThat(engine.unregister(WEB)).isTrue();
      assertThat(first).containsExactly(WEB);
      assertThat(later).containsExactly(WEB);
    }
  }

  // Catches a tick that went on after a listener closed the engine: the next workload's floor was
  // sent after close() had given its HPA back (steering it again with nobody left to release
  // it), and its record went to the closed journal.
  @Test
  void closingFromAListenerEndsTheTickSoNothingIsAppliedAfterTheReleases() {
    List<String> calls = new ArrayList<>();
    RecordingExecutor executor = new RecordingExecutor() {
      @Override
      public ScaleOutcome apply(ScaleRequest r) {
        calls.add("apply " + r.workload() + " " + r.to());
        return super.apply(r);
      }

      @Override
      public void release(WorkloadRef w) {
        calls.add("release " + w);
        super.release(w);
      }
    };
    DecisionJournal recording = new DecisionJournal() {
      @Override
      public void append(DecisionRecord r) {
        calls.add("record " + r.workload());
      }

      @Override
      public void close() {
        calls.add("journal closed");
      }
    };
    List<AutoscalerEngine> engine = new ArrayList<>();
    EngineListener closer = new EngineListener() {
      @Override
      public void onDecision(DecisionEvent e) {
        if (e.workload().equals(WEB)) {
          engine.get(0).close(); // e.g. a fatal-error handler shutting the agent down
        }
      }
    };
    engine.add(Fixtures.engine(clock, source, CAPACITY, executor, recording).listener(closer)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR)).workload(spec(API, 1, 20, Mode.HPA_FLOOR))
        .build());
    engine.get(0).tick();
    assertThat(calls).containsExactly("apply " + WEB + " 5", "record " + WEB,
        "release " + WEB, "release " + API, "journal closed");
  }

  /**
   * Catches a tick within a tick: a listener calling {@code tick()} on the ticking thread
   * re-entered the engine's re-entrant lock and ran a whole second tick, so WEB got two records
   * for one tick (and API's were written twice, in the wrong order). The nested call now fails,
   * and is contained like any listener failure.
   */
  @Test
  void aListenerCallingTickWithinATickIsRefusedAndTheTickWritesOneRecordEach() {
    List<AutoscalerEngine> engine = new ArrayList<>();
    List<Throwable> nested = new ArrayList<>();
    AtomicBoolean first = new AtomicBoolean(true);
    EngineListener ticking = new EngineListener() {
      @Override
      public void onDecision(DecisionEvent e) {
        if (first.getAndSet(false)) {
          try {
            engine.get(0).tick(); // e.g. a listener that "catches up" after a slow decision
          } catch (RuntimeException t) {
            nested.add(t);
            throw t;
          }
        }
      }
    };
    engine.add(Fixtures.engine(clock, source, CAPACITY, new RecordingExecutor(), journal)
        .listener(ticking).workload(spec(WEB, 1, 20, Mode.ACT))
        .workload(spec(API, 1, 20, Mode.ACT)).build());
    String log = Fixtures.stderrOf(() -> assertThatCode(engine.get(0)::tick)
        .doesNotThrowAnyException());
    assertThat(journal.records()).extracting(DecisionRecord::workload).containsExactly(WEB, API);
    assertThat(nested).singleElement().isInstanceOf(IllegalStateException.class)
        .extracting(Throwable::getMessage).isEqualTo("tick() called from within a tick");
    assertThat(log).contains("shop/web: listener ").contains(
        " failed: java.lang.IllegalStateException: tick() called from within a tick");
  }

  /**
   * Catches a tick within a tick from a plug-in run inline (no call timeout): a source calling
   * {@code tick()} ran a second tick inside the first, two records of each workload for one tick.
   * The nested call now fails inside the source, which holds that workload like any source
   * failure.
   */
  @Test
  void anInlineSourceCallingTickHoldsItsWorkloadAndTheTickWritesOneRecordEach() {
    List<AutoscalerEngine> engine = new ArrayList<>();
    AtomicBoolean first = new AtomicBoolean(true);
    source.custom(WEB, (spec, now) -> {
      if (first.getAndSet(false)) {
        engine.get(0).tick();
      }
      return Observation.of(now, ReplicaStatus.of(2, 2), MetricReading.of("rps", 500, now));
    });
    engine.add(Fixtures.engine(clock, source, CAPACITY, new RecordingExecutor(), journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).workload(spec(API, 1, 20, Mode.ACT)).build());
    engine.get(0).tick();
    assertThat(journal.records()).extracting(DecisionRecord::workload).containsExactly(WEB, API);
    DecisionRecord web = last(journal, WEB);
    assertThat(web.kind()).isEqualTo(Kind.HOLD);
    assertThat(web.actionMessage()).isEqualTo("held: metric source failed: "
        + "java.lang.IllegalStateException: tick() called from within a tick");
    assertThat(last(journal, API).action()).isEqualTo(Action.APPLIED);
  }
}
