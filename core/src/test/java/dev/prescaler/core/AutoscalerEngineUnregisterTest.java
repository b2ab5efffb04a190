package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.API;
import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.DB;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.journal.InMemoryJournal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Unregistering a workload tells the policy ({@link DecisionPolicy#unregistered(WorkloadRef)}),
 * so that a step keeping state per workload drops it; a policy that throws there is contained.
 */
class AutoscalerEngineUnregisterTest {
  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 500).set(API, 2, 2, "rps", 500);
  RecordingExecutor executor = new RecordingExecutor();
  InMemoryJournal journal = new InMemoryJournal();

  /** CAPACITY, recording each workload it hears of and whether the engine still held it then. */
  static final class Recording implements DecisionPolicy {
    final List<WorkloadRef> heard = new ArrayList<>();
    final List<Optional<WorkloadSpec>> specWhenHeard = new ArrayList<>();
    AutoscalerEngine engine;

    @Override
    public Proposal apply(DecisionContext context, Proposal proposal) {
      return CAPACITY.apply(context, proposal);
    }

    @Override
    public void unregistered(WorkloadRef workload) {
      heard.add(workload);
      specWhenHeard.add(engine.spec(workload));
    }
  }

  private AutoscalerEngine engine(DecisionPolicy policy, Mode webMode) {
    return Fixtures.engine(clock, source, policy, executor, journal)
        .workload(spec(WEB, 1, 20, webMode))
        .workload(spec(API, 1, 20, Mode.ACT))
        .build();
  }

  @Test
  void unregisterTellsThePolicyOnceAfterRemovingTheWorkload() {
    Recording policy = new Recording();
    try (AutoscalerEngine engine = engine(policy, Mode.ACT)) {
      policy.engine = engine;
      engine.tick();
      assertThat(policy.heard).isEmpty();

      assertThat(engine.unregister(WEB)).isTrue();
      assertThat(policy.heard).containsExactly(WEB);
      assertThat(policy.specWhenHeard).containsExactly(Optional.empty());

      assertThat(engine.unregister(WEB)).isFalse(); // no longer registered: not told again
      assertThat(engine.unregister(DB)).isFalse(); // never registered
      assertThat(policy.heard).containsExactly(WEB);
    }
  }

  @Test
  void aPolicyThrowingOnUnregisterIsLoggedAndTheWorkloadIsUnregisteredAllTheSame() {
    DecisionPolicy broken = new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return CAPACITY.apply(context, proposal);
      }

      @Override
      public void unregistered(WorkloadRef workload) {
        throw new IllegalStateException("forgot to forget");
      }

      @Override
      public String name() {
        return "broken-step";
      }
    };
    try (AutoscalerEngine engine = engine(broken, Mode.HPA_FLOOR)) {
      engine.tick();
      boolean[] removed = {false};
      String log = Fixtures.stderrOf(() -> removed[0] = engine.unregister(WEB));

      assertThat(removed[0]).isTrue();
      assertThat(log).contains("WARN").contains("shop/web").contains("broken-step")
          .contains("forgot to forget");
      assertThat(executor.released).containsExactly(WEB); // the HPA-floor release still ran
      assertThat(engine.workloads()).extracting(WorkloadSpec::workload).containsExactly(API);

      // The engine goes on: the next tick decides API only, and WEB can come back.
      int webRecords = journal.records(WEB).size();
      clock.advance(SYNC);
      engine.tick();
      assertThat(journal.records(WEB)).hasSize(webRecords);
      assertThat(journal.records(API)).hasSize(2);
      engine.register(spec(WEB, 1, 20, Mode.ACT));
      clock.advance(SYNC);
      engine.tick();
      assertThat(journal.records(WEB)).hasSize(webRecords + 1);
    }
  }
}
