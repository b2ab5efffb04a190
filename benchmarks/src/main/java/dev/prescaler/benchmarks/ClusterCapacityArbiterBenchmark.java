package dev.prescaler.benchmarks;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.decision.ClusterCapacityArbiter;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One tick of {@link ClusterCapacityArbiter#step()} over every workload of an engine: each
 * workload's step is called once, at the tick's instant, and the budget (5 units per workload)
 * is short of the claims (8 to 12 replicas of 1 unit each, three cost weights), so every tick
 * arbitrates. {@code steady}: every workload claims the same as at its previous tick (load that
 * holds); {@code changing}: every claim differs from the previous tick's (load that moves).
 * Ticks alternate between two instants 15 s apart, so each one is a new tick for the step.
 *
 * <p>{@link CpuTime} adds the CPU time per tick ({@code tick:cpuMillis} ÷ {@code tick:calls}).
 *
 * <p>Defaults below (1 fork, 3 × 2 s warm-up, 5 × 2 s measurement) match the command in {@code
 * BENCHMARKS.md}; the command line overrides them.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ClusterCapacityArbiterBenchmark {
  /** The number of workloads the arbiter shares the budget among. */
  @Param({"100", "1000", "10000"})
  public int workloads;

  /** {@code steady} (the same claims every tick) or {@code changing} (new claims every tick). */
  @Param({"steady", "changing"})
  public String claims;

  private DecisionPolicy step;
  /** Per tick parity, per workload: its context and its proposal. */
  private DecisionContext[][] contexts;
  private Proposal[][] proposals;
  private int tick;

  /** Builds the arbiter and the contexts, and runs two ticks so that every claim is known. */
  @Setup
  public void setUp() {
    step = ClusterCapacityArbiter.builder()
        .budget(ClusterCapacityArbiter.CapacityBudget.fixed(5.0 * workloads)).build().step();
    Instant t0 = EngineFixture.START;
    contexts = new DecisionContext[2][workloads];
    proposals = new Proposal[2][workloads];
    for (int i = 0; i < workloads; i++) {
      WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment("bench", "w" + i))
          .maxReplicas(100).mode(dev.prescaler.core.Mode.ACT).costWeight(1 + i % 3)
          .metric(MetricTarget.averageValue("rps", 10)).build();
      for (int k = 0; k < 2; k++) {
        int proposed = claims.equals("steady") ? 10 : 8 + 2 * ((i + k) % 3);
        contexts[k][i] = DecisionContext.builder(spec, t0.plusSeconds(15L * k),
            ReplicaStatus.of(5, 5)).reading("rps", 10.0 * proposed).build();
        proposals[k][i] = Proposal.keep(5).to("load", proposed, "rps / 10");
      }
    }
    tick();
    tick();
  }

  /** One tick: every workload decided once. */
  @Benchmark
  public int tick(CpuTime cpu) {
    cpu.begin();
    int sum = tick();
    cpu.end();
    return sum;
  }

  private int tick() {
    int k = tick++ & 1;
    int sum = 0;
    for (int i = 0; i < workloads; i++) {
      sum += step.apply(contexts[k][i], proposals[k][i]).replicas();
    }
    return sum;
  }
}
