package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.API;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.last;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;
import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.InMemoryJournal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Observe-only never calls the executor; HPA-floor calls it only when the floor changes. */
class AutoscalerEngineModeTest {
  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 500).set(API, 2, 2, "rps", 500);
  RecordingExecutor executor = new RecordingExecutor();
  InMemoryJournal journal = new InMemoryJournal();
  RecordingListener listener = new RecordingListener();
  int[] proposal = {4};
  DecisionPolicy policy = (ctx, p) -> p.to("test", proposal[0], "wanted " + proposal[0]);

  private AutoscalerEngine engineIn(Mode mode) {
    return Fixtures.engine(clock, source, policy, executor, journal).listener(listener)
        .workload(spec(WEB, 1, 20, mode)).build();
  }

  private void tickAfter() {
    clock.advance(SYNC);
  }

  @Test
  void observeOnlyDecidesAndRecordsButNeverCallsTheExecutor() {
    AutoscalerEngine engine = engineIn(Mode.OBSERVE_ONLY);
    for (int i = 0; i < 5; i++) {
      engine.tick();
      tickAfter();
    }
    assertThat(executor.requests).isEmpty();
    assertThat(listener.of(ScaledEvent.class)).isEmpty();
    assertThat(journal.records()).hasSize(5).allSatisfy(r -> {
      assertThat(r.kind()).isEqualTo(Kind.SCALE);
      assertThat(r.desired()).isEqualTo(4);
      assertThat(r.action()).isEqualTo(Action.OBSERVED);
      assertThat(r.actionMessage()).isEqualTo("observe-only: would scale 2 -> 4");
    });
  }

  @Test
  void observeOnlyKeepingTheCountRecordsNoAction() {
    proposal[0] = 2;
    engineIn(Mode.OBSERVE_ONLY).tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.KEEP);
    assertThat(r.action()).isEqualTo(Action.NONE);
    assertThat(r.actionMessage()).isEqualTo("no change");
  }

  @Test
  void actCallsTheExecutorOnlyWhenTheCountChanges() {
    AutoscalerEngine engine = engineIn(Mode.ACT);
    engine.tick();
    source.replicas(WEB, 4, 4);
    tickAfter();
    engine.tick();
    assertThat(executor.requests).singleElement().satisfies(r -> {
      assertThat(r.mode()).isEqualTo(Mode.ACT);
      assertThat(r.from()).isEqualTo(2);
      assertThat(r.to()).isEqualTo(4);
      assertThat(r.time()).isEqualTo(T0);
    });
    assertThat(journal.records()).extracting(DecisionRecord::action)
        .containsExactly(Action.APPLIED, Action.NONE);
    assertThat(listener.of(ScaledEvent.class)).singleElement()
        .satisfies(e -> assertThat(e.outcome().isApplied()).isTrue());
  }

  @Test
  void aRefusedRequestIsRecordedAsRefused() {
    executor.answer = r -> ScaleOutcome.refused("409 conflict: replicas changed meanwhile");
    engineIn(Mode.ACT).tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.action()).isEqualTo(Action.REFUSED);
    assertThat(r.actionMessage()).isEqualTo("409 conflict: replicas changed meanwhile");
    assertThat(r.changedReplicas()).isFalse();
  }

  @Test
  void hpaFloorCallsTheExecutorOnlyWhenTheFloorChanges() {
    AutoscalerEngine engine = engineIn(Mode.HPA_FLOOR);
    engine.tick(); // floor 4: sent
    tickAfter();
    engine.tick(); // floor 4 again: not sent
    proposal[0] = 5;
    tickAfter();
    engine.tick(); // floor 5: sent
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(4, 5);
    assertThat(executor.requests).allSatisfy(r -> assertThat(r.mode()).isEqualTo(Mode.HPA_FLOOR));
    assertThat(journal.records()).extracting(DecisionRecord::action)
        .containsExactly(Action.APPLIED, Action.NONE, Action.APPLIED);
  }

  @Test
  void hpaFloorSendsTheFloorEvenWhenItEqualsTheCurrentCount() {
    proposal[0] = 2;
    engineIn(Mode.HPA_FLOOR).tick();
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(2);
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.KEEP);
    assertThat(last(journal, WEB).action()).isEqualTo(Action.APPLIED);
  }

  @Test
  void hpaFloorRetriesAFloorThatFailed() {
    executor.answer = r -> ScaleOutcome.failed("503");
    AutoscalerEngine engine = engineIn(Mode.HPA_FLOOR);
    engine.tick();
    executor.answer = r -> ScaleOutcome.applied(r.to(), "ok");
    tickAfter();
    engine.tick();
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(4, 4);
  }

  @Test
  void aFloorTheHpaHeldDownIsSentAgainUntilItsMaxReplicasLetsItThrough() {
    // The HPA's maxReplicas 3 holds the floor under the 4 planned; an operator then raises it.
    int[] hpaMax = {3};
    executor.answer = r -> ScaleOutcome.applied(Math.min(r.to(), hpaMax[0]), "floor written");
    AutoscalerEngine engine = engineIn(Mode.HPA_FLOOR);
    engine.tick();
    assertThat(last(journal, WEB).actionMessage())
        .isEqualTo("floor written (the HPA holds the floor at 3, under the 4 planned; sent again "
            + "next tick)");
    tickAfter();
    engine.tick(); // still held at 3: sent again, or a raised maxReplicas would never be seen
    assertThat(last(journal, WEB).actionMessage()).isEqualTo("floor written (the HPA still holds "
        + "the floor at 3, under the 4 planned; nothing changed; sent again next tick)");
    hpaMax[0] = 10;
    tickAfter();
    engine.tick(); // 4 written at last
    tickAfter();
    engine.tick(); // the HPA holds the plan: not sent
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(4, 4, 4);
    // A floor still held changed nothing: no action recorded, no listener told, so neither an
    // actions metric nor a Kubernetes Event counts a send every tick.
    assertThat(journal.records()).extracting(DecisionRecord::action)
        .containsExactly(Action.APPLIED, Action.NONE, Action.APPLIED, Action.NONE);
    assertThat(listener.of(ScaledEvent.class)).hasSize(2);
  }

  @Test
  void aFloorStillHeldDownThatTheExecutorRewroteIsRecordedAndTold() {
    // Held at 3 under the 4 planned; then someone sets the HPA's minReplicas to 2, and the next
    // send writes 2 -> 3: the same floor, but a change, so it is not taken for a quiet re-send.
    String[] hpaMin = {"1"};
    executor.answer = r -> ScaleOutcome.applied(3, "minReplicas " + hpaMin[0] + " -> 3");
    AutoscalerEngine engine = engineIn(Mode.HPA_FLOOR);
    engine.tick(); // 1 -> 3
    hpaMin[0] = "3";
    tickAfter();
    engine.tick(); // 3 -> 3: first answer of its kind, recorded
    tickAfter();
    engine.tick(); // 3 -> 3 again: quiet
    hpaMin[0] = "2";
    tickAfter();
    engine.tick(); // 2 -> 3: rewritten, recorded and told
    assertThat(journal.records()).extracting(DecisionRecord::action).containsExactly(
        Action.APPLIED, Action.APPLIED, Action.NONE, Action.APPLIED);
    assertThat(last(journal, WEB).actionMessage()).startsWith("minReplicas 2 -> 3 (the HPA holds");
    assertThat(listener.of(ScaledEvent.class)).hasSize(3);
  }

  @Test
  void aFloorThatFailedOrWasRefusedIsSentAgainWhenTheDecisionGoesBackToTheOneSentBefore() {
    // Floor 4 applied, then 5 failed (it may have landed) or was refused for not leading
    // (another replica may have written its own): with the decision back at 4, the engine took
    // the HPA to hold 4 still and sent nothing.
    for (ScaleOutcome second : new ScaleOutcome[] {ScaleOutcome.failed("503: may have landed"),
        ScaleOutcome.refused("not the leader: b holds the Lease")}) {
      executor.requests.clear();
      proposal[0] = 4;
      executor.answer = r -> ScaleOutcome.applied(r.to(), "ok");
      AutoscalerEngine engine = engineIn(Mode.HPA_FLOOR);
      engine.tick(); // 4: applied
      proposal[0] = 5;
      executor.answer = r -> second;
      tickAfter();
      engine.tick(); // 5: failed or refused
      proposal[0] = 4;
      executor.answer = r -> ScaleOutcome.applied(r.to(), "ok");
      tickAfter();
      engine.tick(); // 4: sent again
      tickAfter();
      engine.tick(); // 4: known now, not sent
      assertThat(executor.requests).as(second.message()).extracting(ScaleRequest::to)
          .containsExactly(4, 5, 4);
    }
  }

  @Test
  void resendFloorsSendsEveryFloorAgainAtTheNextTickOnly() {
    // A replica beginning a term of leadership: another one may have changed the HPA since this
    // engine last sent its floor.
    AutoscalerEngine engine = engineIn(Mode.HPA_FLOOR);
    engine.tick(); // 4: sent
    tickAfter();
    engine.tick(); // 4: not sent
    engine.resendFloors();
    tickAfter();
    engine.tick(); // 4: sent again
    tickAfter();
    engine.tick(); // 4: not sent
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(4, 4);
    assertThat(journal.records()).extracting(DecisionRecord::action)
        .containsExactly(Action.APPLIED, Action.NONE, Action.APPLIED, Action.NONE);
  }

  @Test
  void leavingHpaFloorReleasesTheHpa() {
    AutoscalerEngine engine = engineIn(Mode.HPA_FLOOR);
    engine.tick();
    engine.mode(WEB, Mode.OBSERVE_ONLY, "demoted by operator");
    assertThat(executor.released).containsExactly(WEB);
    assertThat(engine.spec(WEB)).get().extracting(WorkloadSpec::mode)
        .isEqualTo(Mode.OBSERVE_ONLY);
    assertThat(listener.of(ModeChangedEvent.class)).singleElement().satisfies(e -> {
      assertThat(e.from()).isEqualTo(Mode.HPA_FLOOR);
      assertThat(e.to()).isEqualTo(Mode.OBSERVE_ONLY);
      assertThat(e.reason()).isEqualTo("demoted by operator");
    });
  }

  // Caught a crash between the release and the journal line losing a demotion: the HPA was
  // given back first, and the journal and the agent's mode store (a listener) still said
  // hpa-floor, so the next leader raised the floor again.
  @Test
  void aDemotionIsJournaledAndPublishedBeforeTheHpaIsReleased() {
    List<String> order = new ArrayList<>();
    RecordingExecutor releasing = new RecordingExecutor() {
      @Override
      public void release(WorkloadRef workload) {
        order.add("released");
        super.release(workload);
      }
    };
    DecisionJournal journaling = new DecisionJournal() {
      @Override
      public void append(DecisionRecord record) {}

      @Override
      public void modeChanged(ModeChangedEvent event) {
        order.add("journaled " + event.to());
      }
    };
    AutoscalerEngine engine = Fixtures.engine(clock, source, policy, releasing, journaling)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR))
        .listener(new EngineListener() {
          @Override
          public void onModeChanged(ModeChangedEvent event) {
            order.add("published " + event.to());
          }
        }).build();
    engine.tick();
    engine.mode(WEB, Mode.OBSERVE_ONLY, "demoted: forecast error");
    assertThat(order).containsExactly("journaled OBSERVE_ONLY", "published OBSERVE_ONLY",
        "released");
    // The same when a registration changes the mode
    engine.mode(WEB, Mode.HPA_FLOOR, "promoted again");
    order.clear();
    engine.register(spec(WEB, 1, 20, Mode.ACT));
    assertThat(order).containsExactly("journaled ACT", "published ACT", "released");
  }

  // Caught an Error from a listener (not one the engine contains) skipping the release once it
  // came after the publishing: the spec had left HPA_FLOOR and no tick or close() gave the HPA
  // back.
  @Test
  void aListenerErrorDuringADemotionStillReleasesTheHpa() {
    AutoscalerEngine engine = Fixtures.engine(clock, source, policy, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR))
        .listener(new EngineListener() {
          @Override
          public void onModeChanged(ModeChangedEvent event) {
            throw new java.io.IOError(new java.io.IOException("disk gone"));
          }
        }).build();
    engine.tick();
    assertThatThrownBy(() -> engine.mode(WEB, Mode.OBSERVE_ONLY, "demoted"))
        .isInstanceOf(java.io.IOError.class);
    assertThat(executor.released).containsExactly(WEB);
    assertThatThrownBy(() -> engine.mode(WEB, Mode.HPA_FLOOR, "promoted again"))
        .isInstanceOf(java.io.IOError.class);
    assertThatThrownBy(() -> engine.register(spec(WEB, 1, 20, Mode.ACT)))
        .isInstanceOf(java.io.IOError.class);
    assertThat(executor.released).containsExactly(WEB, WEB);
  }

  @Test
  void reenteringHpaFloorSendsTheFloorAgain() {
    AutoscalerEngine engine = engineIn(Mode.HPA_FLOOR);
    engine.tick();
    engine.mode(WEB, Mode.ACT, "promoted");
    engine.mode(WEB, Mode.HPA_FLOOR, "back to the safety net");
    source.replicas(WEB, 4, 4);
    tickAfter();
    engine.tick();
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(4, 4);
  }

  @Test
  void closeReleasesOnlyHpaFloorWorkloads() {
    AutoscalerEngine engine = Fixtures.engine(clock, source, policy, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR))
        .workload(spec(API, 1, 20, Mode.ACT))
        .build();
    engine.tick();
    engine.close();
    engine.close();
    assertThat(executor.released).containsExactly(WEB);
    assertThatThrownBy(engine::tick).isInstanceOf(IllegalStateException.class)
        .hasMessage("engine is closed");
  }

  @Test
  void unregisteringAnHpaFloorWorkloadReleasesIt() {
    AutoscalerEngine engine = engineIn(Mode.HPA_FLOOR);
    assertThat(engine.unregister(WEB)).isTrue();
    assertThat(engine.unregister(WEB)).isFalse();
    assertThat(executor.released).containsExactly(WEB);
    assertThat(engine.workloads()).isEmpty();
  }

  @Test
  void aThrowingReleaseIsContained() {
    RecordingExecutor failing = new RecordingExecutor() {
      @Override
      public void release(WorkloadRef workload) {
        throw new IllegalStateException("HPA gone");
      }
    };
    AutoscalerEngine engine = Fixtures.engine(clock, source, policy, failing, journal)
        .listener(listener)
        .workload(spec(WEB, 1, 20, Mode.HPA_FLOOR)).build();
    engine.close();
    assertThat(listener.of(dev.prescaler.core.event.FailureEvent.class)).singleElement()
        .satisfies(e -> assertThat(e.stage()).isEqualTo("executor"));
  }

  @Test
  void changingModeOfAnUnknownWorkloadFails() {
    assertThatThrownBy(() -> engineIn(Mode.ACT).mode(API, Mode.ACT, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workload shop/api is not registered");
  }

  /**
   * Catches changes after close(): register() installed the workload and mode() moved it (with
   * a release sent after close() had given the HPAs back, through a closed call pool, where it
   * stayed pending for good). Both now throw as tick() does, and change nothing.
   */
  @Test
  void registerAndModeAfterCloseThrowAndChangeNothing() {
    AutoscalerEngine engine = engineIn(Mode.HPA_FLOOR);
    engine.tick();
    engine.close();
    assertThat(executor.released).containsExactly(WEB);
    assertThatThrownBy(() -> engine.register(spec(API, 1, 20, Mode.ACT)))
        .isInstanceOf(IllegalStateException.class).hasMessage("engine is closed");
    assertThatThrownBy(() -> engine.mode(WEB, Mode.OBSERVE_ONLY, "demoted"))
        .isInstanceOf(IllegalStateException.class).hasMessage("engine is closed");
    assertThat(engine.workloads()).extracting(WorkloadSpec::workload).containsExactly(WEB);
    assertThat(engine.spec(WEB).orElseThrow().mode()).isEqualTo(Mode.HPA_FLOOR);
    assertThat(executor.released).containsExactly(WEB);
    assertThat(listener.of(ModeChangedEvent.class)).isEmpty();
  }

  /**
   * Catches unregister() after close() releasing the HPA a second time, through a plug-in the
   * caller may have shut down with the engine (a failure there was logged as "sent again next
   * tick", and published to the listeners of a closed engine). close() released it; unregister
   * only forgets the workload.
   */
  @Test
  void unregisterAfterCloseDoesNotReleaseAgain() {
    AutoscalerEngine engine = engineIn(Mode.HPA_FLOOR);
    engine.tick();
    engine.close();
    assertThat(executor.released).containsExactly(WEB);
    assertThat(engine.unregister(WEB)).isTrue();
    assertThat(executor.released).containsExactly(WEB);
    assertThat(engine.workloads()).isEmpty();
  }

  /**
   * Catches a close hook that throws what close did not catch (an undeclared checked exception,
   * an OutOfMemoryError) ending close before its releases, for good (a second close did
   * nothing); and an unregister from the hook, which close then no longer saw, leaving the floor.
   */
  @Test
  void closeReleasesWhateverItsHookThrowsOrDoes() {
    AutoscalerEngine failing = engineIn(Mode.HPA_FLOOR);
    failing.tick();
    failing.close(() -> sneakyThrow(new java.io.IOException("lease renewal failed")));
    assertThat(executor.released).containsExactly(WEB);

    // A hook that leaves the interrupt flag set: the release (here failing on the flag, as
    // blocking IO does) runs without it, and the caller gets it back when close returns.
    executor.released.clear();
    RecordingExecutor failingOnInterrupt = new RecordingExecutor() {
      @Override
      public void release(WorkloadRef w) {
        if (Thread.currentThread().isInterrupted()) {
          throw new IllegalStateException("interrupted");
        }
        super.release(w);
      }
    };
    AutoscalerEngine interrupting = Fixtures.engine(clock, source, policy, failingOnInterrupt,
        journal).workload(spec(WEB, 1, 20, Mode.HPA_FLOOR)).build();
    interrupting.tick();
    interrupting.close(() -> Thread.currentThread().interrupt());
    assertThat(Thread.interrupted()).as("the interrupt, given back").isTrue();
    assertThat(failingOnInterrupt.released).containsExactly(WEB);

    executor.released.clear();
    AutoscalerEngine unregistering = engineIn(Mode.HPA_FLOOR);
    unregistering.tick();
    unregistering.close(() -> unregistering.unregister(WEB));
    assertThat(executor.released).containsExactly(WEB);
  }

  /** Throws {@code e}, checked or not, without declaring it. */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void sneakyThrow(Throwable e) throws E {
    throw (E) e;
  }
}
