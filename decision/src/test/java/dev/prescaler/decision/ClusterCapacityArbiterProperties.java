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
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property-based tests of {@link ClusterCapacityArbiter#step()} over tick and hold sequences. */
class ClusterCapacityArbiterProperties {
  private static final int EXAMPLES = 300;
  private static final int STEPS = 80;
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
