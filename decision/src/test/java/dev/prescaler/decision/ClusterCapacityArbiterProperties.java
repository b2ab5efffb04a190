package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property-based tests of {@link ClusterCapacityArbiter#step()} over tick and hold sequences. */
class ClusterCapacityArbiterProperties {
  private static final int EXAMPLES = 300;
  private static final int STEPS = 80;
  /** Ticks after which claims fed back must have settled (two would do: see the arbiter). */
  private static final int SETTLE = 6;
  private static final Mode[] MODES = {Mode.ACT, Mode.ACT, Mode.ACT, Mode.HPA_FLOOR,
      Mode.OBSERVE_ONLY};

  /**
   * What the workloads run never exceeds the budget unless the minimums alone exceed it, over
   * random sequences in which each step ticks one workload (the chain runs with a proposal in
   * [min, max]) or holds it (the chain does not run, the clock moves on, its pods keep running,
   * its claim ages past {@code claimTtl}). The minimums are the acting workloads' minReplicas and
   * what the observe-only ones run, which no grant changes. A workload that acts runs anything
   * between its count and its grant afterwards (step limits, a failed request); an observe-only
   * one keeps its count. Every workload is ticked once first, at its minimum, as the engine's
   * first tick does; a workload the step has never seen cannot be counted.
   */
  @Test
  void whatRunsStaysWithinTheBudgetUnlessTheMinimumsExceedIt() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      int n = 1 + r.nextInt(6);
      double budget = r.nextInt(4) == 0 ? r.nextDouble() * 10 : r.nextDouble() * 120;
      ClusterCapacityArbiter.Builder b = ClusterCapacityArbiter.builder()
          .budget(ClusterCapacityArbiter.CapacityBudget.fixed(budget));
      WorkloadSpec[] specs = new WorkloadSpec[n];
      double[] units = new double[n];
      int[] running = new int[n];
      double minimums = 0;
      for (int i = 0; i < n; i++) {
        WorkloadRef ref = WorkloadRef.deployment("default", "w" + i);
        int min = r.nextInt(6);
        Mode mode = MODES[r.nextInt(MODES.length)];
        specs[i] = WorkloadSpec.builder(ref).minReplicas(min).maxReplicas(60).mode(mode)
            .priority(r.nextInt(3)).costWeight(0.1 + r.nextDouble() * 5)
            .metric(MetricTarget.averageValue("rps", 10)).build();
        units[i] = 0.25 + r.nextInt(8) * 0.25;
        b.unitsPerReplica(ref, units[i]);
        running[i] = mode == Mode.OBSERVE_ONLY ? r.nextInt(40) : min;
        minimums += (mode == Mode.OBSERVE_ONLY ? running[i] : min) * units[i];
      }
      DecisionPolicy step = b.build().step();
      double bound = Math.max(budget, minimums) + 1e-6;
      Instant now = Fixtures.NOW;
      for (int i = 0; i < n; i++) {
        tick(step, specs[i], now, running[i], running[i]);
      }
      for (int k = 0; k < STEPS; k++) {
        now = now.plusSeconds(r.nextInt(4) == 0 ? r.nextInt(300) : r.nextInt(16));
        int i = r.nextInt(n);
        if (r.nextInt(3) == 0) {
          continue; // held: the chain does not run, the pods keep running
        }
        WorkloadSpec s = specs[i];
        int proposed = s.minReplicas() + r.nextInt(s.maxReplicas() - s.minReplicas() + 1);
        int granted = tick(step, s, now, running[i], proposed).replicas();
        assertThat(granted).as("seed %d", seed).isBetween(s.minReplicas(), proposed);
        if (s.mode() != Mode.OBSERVE_ONLY) {
          int lo = Math.min(running[i], granted);
          running[i] = lo + r.nextInt(Math.max(running[i], granted) - lo + 1);
        }
        double total = 0;
        for (int j = 0; j < n; j++) {
          total += running[j] * units[j];
        }
        assertThat(total).as("seed %d, step %d", seed, k).isLessThanOrEqualTo(bound);
      }
    });
  }

  /**
   * Claims fed back tick after tick settle on a fair split that uses the budget. Random acting
   * workloads (claims fixed over the run, some of them equal: the same proposal, minimum,
   * priority, cost weight and units) start at random counts at or above their minimum, and the
   * executor applies every grant, so each tick's count is the last grant. From the second tick
   * on (every workload seen), no decision makes what runs exceed the budget, or grow while it
   * does. After {@code SETTLE} ticks: what runs is within the budget unless the floors exceed it;
   * no budget is idle that one more replica of a cut claim would fit in; equal claims differ by
   * at most one replica; and the next ticks change nothing (no oscillation).
   */
  @Test
  void claimsFedBackSettleOnAFairSplitThatUsesTheBudget() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      int n = 2 + r.nextInt(5);
      double budget = r.nextInt(4) == 0 ? r.nextInt(20) : r.nextDouble() * 120;
      ClusterCapacityArbiter.Builder arbiter = ClusterCapacityArbiter.builder()
          .budget(ClusterCapacityArbiter.CapacityBudget.fixed(budget));
      WorkloadSpec[] specs = new WorkloadSpec[n];
      int[] proposed = new int[n];
      double[] units = new double[n];
      int[] count = new int[n];
      double floors = 0;
      for (int i = 0; i < n; i++) {
        WorkloadRef ref = WorkloadRef.deployment("default", "w" + i);
        int copy = i > 0 && r.nextBoolean() ? r.nextInt(i) : -1; // an equal claim
        WorkloadSpec.Builder b = WorkloadSpec.builder(ref).maxReplicas(60).mode(Mode.ACT)
            .metric(MetricTarget.averageValue("rps", 10));
        if (copy >= 0) {
          WorkloadSpec s = specs[copy];
          b.minReplicas(s.minReplicas()).priority(s.priority()).costWeight(s.costWeight());
          proposed[i] = proposed[copy];
          units[i] = units[copy];
        } else {
          b.minReplicas(r.nextInt(6)).priority(r.nextInt(3))
              .costWeight(new double[] {0.5, 1, 2, 3}[r.nextInt(4)]);
          proposed[i] = r.nextInt(41);
          units[i] = new double[] {0.5, 1, 2}[r.nextInt(3)];
        }
        specs[i] = b.build();
        count[i] = specs[i].minReplicas() + r.nextInt(41 - specs[i].minReplicas());
        floors += Math.min(proposed[i], specs[i].minReplicas()) * units[i];
        arbiter.unitsPerReplica(ref, units[i]);
      }
      DecisionPolicy step = arbiter.build().step();
      Instant now = Fixtures.NOW;
      int[] settled = null;
      for (int t = 0; t < SETTLE + 4; t++) {
        now = now.plusSeconds(15);
        for (int i = 0; i < n; i++) {
          double before = total(count, units);
          count[i] = tick(step, specs[i], now, count[i], proposed[i]).replicas();
          if (t > 0) {
            assertThat(total(count, units)).as("seed %d, tick %d", seed, t)
                .isLessThanOrEqualTo(Math.max(budget, before) + 1e-6);
          }
        }
        if (t == SETTLE - 1) {
          settled = count.clone();
        } else if (t >= SETTLE) {
          assertThat(count).as("seed %d: tick %d after settling", seed, t).isEqualTo(settled);
        }
      }
      double used = total(count, units);
      assertThat(used).as("seed %d", seed).isLessThanOrEqualTo(Math.max(budget, floors) + 1e-6);
      for (int i = 0; i < n; i++) {
        if (count[i] < proposed[i] && floors <= budget) {
          assertThat(budget - used).as("seed %d: idle while w%d is cut", seed, i)
              .isLessThan(units[i] - 1e-9);
        }
        for (int j = 0; j < i; j++) {
          if (specs[i].minReplicas() == specs[j].minReplicas()
              && specs[i].priority() == specs[j].priority()
              && specs[i].costWeight() == specs[j].costWeight()
              && proposed[i] == proposed[j] && units[i] == units[j]) {
            assertThat(Math.abs(count[i] - count[j])).as("seed %d: w%d, w%d", seed, j, i)
                .isLessThanOrEqualTo(1);
          }
        }
      }
    });
  }

  /**
   * Priorities hold in the stateful step whatever order the workloads are decided in. Random
   * acting workloads of distinct priorities settle on fixed claims; then the budget changes
   * (claims fixed), and two ticks later every claim changes in one tick (a proposal in [min,
   * max], as the bounds step before the arbiter leaves it); the workloads are decided in a random
   * order each tick. No decision makes a workload grow above its share of the allocation over
   * the claims of that tick (its grant when every claim is known), or, when more, what its last
   * claim got over the last claims (which it may still be catching up to: a higher priority
   * that raises its claim gets that room at the next tick); while only the budget
   * changed, none is cut below its share or what it ran, whichever is less; and what runs never
   * grows while it exceeds the budget. (A lower priority decided first took the room the plan
   * made from the last claims left: with A of priority 0 and B of 10 both jumping from 5 to 20
   * of 20, A grew to 15; and after the budget shrank, the room check cut whichever workload was
   * decided first, a high priority included.)
   */
  @Test
  void prioritiesHoldWhateverTheOrderOfDecisions() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      int n = 2 + r.nextInt(4);
      double[] budgets = {r.nextDouble() * 80};
      ClusterCapacityArbiter.Builder arbiter = ClusterCapacityArbiter.builder()
          .budget(at -> budgets[0]);
      List<Integer> priorities = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        priorities.add(i * 10);
      }
      Collections.shuffle(priorities, r);
      WorkloadSpec[] specs = new WorkloadSpec[n];
      double[] units = new double[n];
      int[] count = new int[n];
      int[] proposed = new int[n];
      for (int i = 0; i < n; i++) {
        WorkloadRef ref = WorkloadRef.deployment("default", "w" + i);
        specs[i] = WorkloadSpec.builder(ref).minReplicas(r.nextInt(3)).maxReplicas(40)
            .mode(Mode.ACT).priority(priorities.get(i))
            .costWeight(new double[] {0.5, 1, 2}[r.nextInt(3)])
            .metric(MetricTarget.averageValue("rps", 10)).build();
        units[i] = new double[] {0.5, 1, 2}[r.nextInt(3)];
        arbiter.unitsPerReplica(ref, units[i]);
        count[i] = specs[i].minReplicas();
        proposed[i] = specs[i].minReplicas() + r.nextInt(41 - specs[i].minReplicas());
      }
      DecisionPolicy step = arbiter.build().step();
      Instant now = Fixtures.NOW;
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        order.add(i);
      }
      for (int t = 0; t < 10; t++) {
        now = now.plusSeconds(15);
        if (t == 3) {
          budgets[0] = r.nextDouble() * 80;
        }
        double budget = budgets[0];
        List<ClusterCapacityArbiter.Grant> last = ClusterCapacityArbiter.allocate(budget,
            claims(specs, proposed, units));
        if (t == 5) {
          for (int i = 0; i < n; i++) {
            proposed[i] = specs[i].minReplicas() + r.nextInt(41 - specs[i].minReplicas());
          }
        }
        List<ClusterCapacityArbiter.Grant> shares = ClusterCapacityArbiter.allocate(budget,
            claims(specs, proposed, units));
        Collections.shuffle(order, r);
        for (int i : order) {
          double before = total(count, units);
          int was = count[i];
          count[i] = tick(step, specs[i], now, count[i], proposed[i]).replicas();
          int share = shares.get(i).replicas();
          if (t >= 3) {
            int earlier = Math.min(proposed[i], last.get(i).replicas());
            assertThat(count[i]).as("seed %d, tick %d, w%d (priority %d)", seed, t, i,
                specs[i].priority()).isLessThanOrEqualTo(Math.max(was,
                    Math.max(share, earlier)));
          }
          if (t >= 3 && t < 5) {
            // claims fixed, the budget changed: nobody is cut below its share for room
            assertThat(count[i]).as("seed %d, tick %d, w%d (priority %d)", seed, t, i,
                specs[i].priority()).isGreaterThanOrEqualTo(Math.min(was, share));
          }
          if (t > 0) {
            assertThat(total(count, units)).as("seed %d, tick %d", seed, t)
                .isLessThanOrEqualTo(Math.max(budget, before) + 1e-6);
          }
        }
      }
    });
  }

  private static List<ClusterCapacityArbiter.Claim> claims(WorkloadSpec[] specs, int[] proposed,
      double[] units) {
    List<ClusterCapacityArbiter.Claim> claims = new ArrayList<>();
    for (int i = 0; i < specs.length; i++) {
      claims.add(new ClusterCapacityArbiter.Claim(specs[i].workload(), proposed[i],
          specs[i].minReplicas(), specs[i].priority(), specs[i].costWeight(), units[i]));
    }
    return claims;
  }

  private static double total(int[] count, double[] units) {
    double t = 0;
    for (int i = 0; i < count.length; i++) {
      t += count[i] * units[i];
    }
    return t;
  }

  /**
   * The step is deterministic for the workload being decided: its own earlier claim never
   * changes its grant, so the same context and proposal twice give the same result.
   */
  @Test
  void repeatingATickChangesNothing() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      DecisionPolicy step = ClusterCapacityArbiter.builder()
          .budget(ClusterCapacityArbiter.CapacityBudget.fixed(r.nextDouble() * 80)).build()
          .step();
      Instant now = Fixtures.NOW;
      for (int k = 0; k < 20; k++) {
        now = now.plusSeconds(r.nextInt(60));
        WorkloadSpec s = WorkloadSpec.builder(WorkloadRef.deployment("default", "w" + r.nextInt(4)))
            .minReplicas(r.nextInt(4)).maxReplicas(40).mode(MODES[r.nextInt(MODES.length)])
            .priority(r.nextInt(3)).metric(MetricTarget.averageValue("rps", 10)).build();
        int current = s.minReplicas() + r.nextInt(30);
        int proposed = s.minReplicas() + r.nextInt(41 - s.minReplicas());
        Proposal first = tick(step, s, now, current, proposed);
        assertThat(tick(step, s, now, current, proposed)).as("seed %d", seed).isEqualTo(first);
      }
    });
  }

  private static Proposal tick(DecisionPolicy step, WorkloadSpec spec, Instant now, int current,
      int proposed) {
    DecisionContext c = DecisionContext.builder(spec, now, ReplicaStatus.of(current, current))
        .reading("rps", 10.0 * proposed).build();
    Proposal in = Proposal.keep(current);
    return step.apply(c, proposed == current ? in : in.to("policy", proposed, "load"));
  }
}
