package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The engine's invariants as generated sequences of actions (tick, advance the clock, drop or
 * stale metrics, a throwing source, a failing executor, demand changes, the clock going backwards,
 * someone else changing the count) on a real {@link dev.prescaler.core.AutoscalerEngine} with
 * generated workloads and a policy that sometimes proposes absurd counts. The invariants are
 * {@link DecisionInvariants}, checked after every step.
 */
class EngineProperties {
  static final int EXAMPLES = 100;

  static Gen<List<Integer>> actions() {
    return lists().of(integers().between(0, EngineWorld.ACTIONS - 1)).ofSizeBetween(1, 60);
  }

  /**
   * Whatever happens, every record honours the invariants (bounds, step limits, holds keep the
   * count, observe-only never calls the executor, reasons for every change) and every tick of
   * every workload has exactly one record.
   */
  @Test
  void invariantsHoldAfterEveryStep() {
    qt().withExamples(EXAMPLES).forAll(longs().all(), actions()).checkAssert((seed, actions) -> {
      EngineWorld world = EngineWorld.anyModes(seed);
      List<String> done = new ArrayList<>();
      for (int a : actions) {
        done.add(world.act(a));
        List<String> v = new ArrayList<>(DecisionInvariants.check(world.records(), world.specs));
        v.addAll(DecisionInvariants.checkTicks(world.records(), world.refs(), world.tickTimes));
        assertThat(v).as("seed %d after %s", seed, done).isEmpty();
      }
    });
  }

  /** The desired count of every decision that is not a hold stays in [min, max]. */
  @Test
  void boundsAlwaysHold() {
    qt().withExamples(EXAMPLES).forAll(longs().all(), actions()).checkAssert((seed, actions) -> {
      EngineWorld world = EngineWorld.anyModes(seed);
      actions.forEach(world::act);
      for (DecisionRecord r : world.records()) {
        if (r.kind() != Kind.HOLD) {
          var spec = world.engine.spec(r.workload()).orElseThrow();
          assertThat(r.desired()).as("seed %d, %s", seed, r)
              .isBetween(spec.minReplicas(), spec.maxReplicas());
        }
      }
      for (ScaleRequest q : world.requests) {
        assertThat(q.to()).isBetween(q.spec().minReplicas(), q.spec().maxReplicas());
      }
    });
  }

  /** In observe-only mode the executor is never called, and nothing is applied. */
  @Test
  void observeOnlyNeverCallsTheExecutor() {
    qt().withExamples(EXAMPLES).forAll(longs().all(), actions()).checkAssert((seed, actions) -> {
      EngineWorld world = new EngineWorld(seed, 3, r -> Mode.OBSERVE_ONLY);
      actions.forEach(world::act);
      assertThat(world.requests).as("seed %d", seed).isEmpty();
      assertThat(world.records()).extracting(DecisionRecord::action)
          .doesNotContain(Action.APPLIED, Action.REFUSED, Action.FAILED);
    });
  }

  /** Two engines given the same inputs and clock make the same decisions: identical journals. */
  @Test
  void theSameInputsAndClockGiveTheSameDecisions() {
    qt().withExamples(EXAMPLES).forAll(longs().all(), actions()).checkAssert((seed, actions) -> {
      EngineWorld a = EngineWorld.anyModes(seed);
      EngineWorld b = EngineWorld.anyModes(seed);
      actions.forEach(a::act);
      actions.forEach(b::act);
      assertThat(b.records()).as("seed %d", seed).isEqualTo(a.records());
      assertThat(b.requests).isEqualTo(a.requests);
    });
  }

  /**
   * Missing data never scales: on every tick where a workload's metrics were dropped, stale or
   * its source threw, its record is a hold with a reason, and the executor is not called for it.
   */
  @Test
  void missingOrInvalidDataAlwaysHolds() {
    qt().withExamples(EXAMPLES).forAll(longs().all(), actions()).checkAssert((seed, actions) -> {
      EngineWorld world = EngineWorld.anyModes(seed);
      actions.forEach(world::act);
      for (WorkloadRef w : world.refs()) {
        List<DecisionRecord> records = world.journal.records(w);
        List<Boolean> faults = world.faulted.getOrDefault(w, List.of());
        assertThat(records).hasSameSizeAs(faults);
        for (int i = 0; i < records.size(); i++) {
          if (faults.get(i)) {
            DecisionRecord r = records.get(i);
            assertThat(r.kind()).as("seed %d, %s", seed, r).isEqualTo(Kind.HOLD);
            assertThat(r.action()).isEqualTo(Action.NONE);
            assertThat(r.reasons()).isNotEmpty();
          }
        }
      }
    });
  }

  /** A workload whose source always throws is held on every tick and never changes replicas. */
  @Test
  void aWorkloadWhoseSourceThrowsNeverChangesReplicas() {
    qt().withExamples(EXAMPLES).forAll(longs().all(), actions()).checkAssert((seed, actions) -> {
      EngineWorld world = new EngineWorld(seed, 3, r -> Mode.ACT);
      WorkloadRef broken = world.refs().get(0);
      world.throwAlways.add(broken);
      int before = world.cluster.get(broken).current;
      for (int a : actions) {
        if (a != 10) { // nobody else touches it either
          world.act(a);
        }
      }
      assertThat(world.cluster.get(broken).current).isEqualTo(before);
      assertThat(world.requests).noneMatch(q -> q.workload().equals(broken));
      assertThat(world.journal.records(broken)).allSatisfy(r -> {
        assertThat(r.kind()).isEqualTo(Kind.HOLD);
        assertThat(r.changedReplicas()).isFalse();
        assertThat(r.reasons()).isNotEmpty();
      });
    });
  }
}
