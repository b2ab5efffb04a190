package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.fixed;
import static dev.prescaler.core.Fixtures.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.InMemoryJournal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** [min, max] and the step limits are applied after the chain, whatever a policy returns. */
class AutoscalerEngineClampTest {
  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource();
  RecordingExecutor executor = new RecordingExecutor();
  InMemoryJournal journal = new InMemoryJournal();

  private DecisionRecord decide(int current, int min, int max, StepLimits limits,
      DecisionPolicy policy) {
    source.set(WEB, current, current, "rps", 100);
    WorkloadSpec spec = WorkloadSpec.builder(WEB).minReplicas(min).maxReplicas(max)
        .mode(Mode.ACT).stepLimits(limits).metric(MetricTarget.averageValue("rps", 100)).build();
    engine(clock, source, policy, executor, journal).workload(spec).build().tick();
    return last(journal, WEB);
  }

  @Test
  void capsAScaleUpAtTheStepLimit() {
    DecisionRecord r = decide(3, 1, 100, StepLimits.DEFAULT, fixed(50));
    assertThat(r.proposed()).isEqualTo(50);
    assertThat(r.desired()).isEqualTo(7); // +4 pods beats +100 % of 3
    assertThat(r.reasons()).last().isEqualTo(new Reason("step-limit", 50, 7,
        "at most +4 from 3 per decision (upPods 4, upPercent 100.0)"));
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(7);
  }

  @Test
  void capsAScaleUpByPercentWhenThatIsMore() {
    DecisionRecord r = decide(10, 1, 100, StepLimits.DEFAULT, fixed(50));
    assertThat(r.desired()).isEqualTo(20);
  }

  @Test
  void capsAScaleDownAtTheStepLimit() {
    DecisionRecord r = decide(10, 1, 100, new StepLimits(4, 100, 1, 20), fixed(1));
    assertThat(r.desired()).isEqualTo(8); // -20 % of 10 beats -1 pod
    assertThat(r.reasons()).last().isEqualTo(new Reason("step-limit", 1, 8,
        "at most -2 from 10 per decision (downPods 1, downPercent 20.0)"));
  }

  @Test
  void capsAtMaxReplicas() {
    DecisionRecord r = decide(8, 1, 10, StepLimits.DEFAULT, fixed(12));
    assertThat(r.desired()).isEqualTo(10);
    assertThat(r.reasons()).last().isEqualTo(new Reason("bounds", 12, 10, "maxReplicas 10"));
  }

  @Test
  void raisesToMinReplicas() {
    DecisionRecord r = decide(4, 3, 10, StepLimits.DEFAULT, fixed(0));
    assertThat(r.desired()).isEqualTo(3);
    assertThat(r.reasons()).last().isEqualTo(new Reason("bounds", 0, 3, "minReplicas 3"));
  }

  @Test
  void boundsWinOverStepLimitsWhenTheCountIsOutsideThem() {
    // Someone set 1 replica; min is 5 and the step limit allows +1: the engine goes to min.
    // (At 0 replicas the engine holds instead: AutoscalerEngineScaledToZeroTest.)
    DecisionRecord below = decide(1, 5, 10, new StepLimits(1, 0, 0, 100), fixed(1));
    assertThat(below.desired()).isEqualTo(5);
    journal.clear();
    // 40 replicas, max 10, at most -1 per decision: the engine still goes to max.
    DecisionRecord above = decide(40, 1, 10, new StepLimits(4, 100, 1, 0), fixed(40));
    assertThat(above.desired()).isEqualTo(10);
  }

  @Test
  void aPolicyThatIgnoresEverythingIsStillClamped() {
    DecisionPolicy wild = (ctx, p) -> new Proposal(Integer.MAX_VALUE, List.of(), Map.of());
    DecisionRecord r = decide(2, 1, 1000, StepLimits.DEFAULT, wild);
    assertThat(r.proposed()).isEqualTo(Integer.MAX_VALUE);
    assertThat(r.desired()).isEqualTo(6);
  }

  @Test
  void aChangeWithoutAPolicyReasonStillCarriesOne() {
    DecisionPolicy silent = (ctx, p) -> new Proposal(4, List.of(), Map.of());
    DecisionRecord r = decide(2, 1, 10, StepLimits.DEFAULT, silent);
    assertThat(r.desired()).isEqualTo(4);
    assertThat(r.reasons()).isNotEmpty();
    assertThat(executor.requests).singleElement()
        .satisfies(q -> assertThat(q.reasons()).isNotEmpty());
  }

  @Test
  void keepsAProposalInsideTheLimitsUntouched() {
    DecisionRecord r = decide(5, 1, 10, StepLimits.DEFAULT, fixed(7));
    assertThat(r.desired()).isEqualTo(7);
    assertThat(r.reasons()).containsExactly(new Reason("fixed", 5, 7, "always 7"));
  }
}
