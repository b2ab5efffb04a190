package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.last;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.event.HeldEvent;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.InMemoryJournal;
import org.junit.jupiter.api.Test;

/**
 * A workload someone scaled to 0 (for maintenance) stays at 0 while minReplicas is above 0, as
 * the Kubernetes HPA leaves a scale at 0 alone, whatever the policy proposes.
 */
class AutoscalerEngineScaledToZeroTest {
  static final String REASON = "current replicas is 0 with minReplicas 2: autoscaling is disabled "
      + "until the workload is scaled up (as the Kubernetes HPA does)";

  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 0, 0, "rps", 500);
  RecordingExecutor executor = new RecordingExecutor();
  InMemoryJournal journal = new InMemoryJournal();
  RecordingListener listener = new RecordingListener();
  int[] policyCalls = {0};
  DecisionPolicy wantsFive = (ctx, p) -> {
    policyCalls[0]++;
    return p.to("test", 5, "wants 5");
  };

  private AutoscalerEngine engineIn(Mode mode, int min) {
    return engine(clock, source, wantsFive, executor, journal).listener(listener)
        .workload(spec(WEB, min, 20, mode)).build();
  }

  @Test
  void aWorkloadScaledToZeroIsHeldThereInEveryMode() {
    for (Mode mode : Mode.values()) {
      journal.clear();
      AutoscalerEngine engine = engineIn(mode, 2);
      for (int i = 0; i < 3; i++) {
        engine.tick();
        clock.advance(SYNC);
      }
      assertThat(journal.records()).as("%s", mode).hasSize(3).allSatisfy(r -> {
        assertThat(r.kind()).isEqualTo(Kind.HOLD);
        assertThat(r.current()).isZero();
        assertThat(r.desired()).isZero();
        assertThat(r.action()).isEqualTo(Action.NONE);
        assertThat(r.reasons()).extracting(Reason::message).containsExactly(REASON);
        assertThat(r.actionMessage()).isEqualTo("held: " + REASON);
      });
    }
    assertThat(executor.requests).isEmpty();
    assertThat(policyCalls[0]).isZero();
    assertThat(listener.of(HeldEvent.class)).hasSize(3 * Mode.values().length)
        .allSatisfy(e -> assertThat(e.reasons()).containsExactly(REASON));
  }

  @Test
  void autoscalingResumesOnceSomeoneScalesTheWorkloadUp() {
    AutoscalerEngine engine = engineIn(Mode.ACT, 2);
    engine.tick();
    source.replicas(WEB, 3, 3);
    clock.advance(SYNC);
    engine.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.SCALE);
    assertThat(r.desired()).isEqualTo(5);
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(5);
  }

  @Test
  void withMinReplicasZeroThePolicyMayScaleFromZero() {
    engineIn(Mode.ACT, 0).tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.SCALE);
    assertThat(r.desired()).isEqualTo(4); // +4 pods from 0: the step limit
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(4);
  }

  // Catches percent-only step limits (upPods 0, upPercent 100) keeping a workload with
  // minReplicas 0 at 0 forever: 100 % of 0 is 0, so every scale-up was cut back to 0.
  @Test
  void percentOnlyStepLimitsStillLetAWorkloadLeaveZero() {
    WorkloadSpec s = spec(WEB, 0, 20, Mode.ACT).toBuilder()
        .stepLimits(new StepLimits(0, 100, 0, 100)).build();
    AutoscalerEngine engine = engine(clock, source, wantsFive, executor, journal)
        .workload(s).build();
    engine.tick();
    source.replicas(WEB, 1, 1);
    clock.advance(SYNC);
    engine.tick();
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(1, 2);
    assertThat(journal.records().get(0).reasons()).extracting(Reason::message)
        .contains("at most +1 from 0 per decision (upPods 0, upPercent 100.0)");
  }
}
