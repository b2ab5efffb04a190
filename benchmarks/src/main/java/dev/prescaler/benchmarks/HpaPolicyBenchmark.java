package dev.prescaler.benchmarks;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.PastDecision;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.decision.HpaPolicy;
import dev.prescaler.decision.Policies;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
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
 * One decision of {@link HpaPolicy} with Kubernetes' defaults ({@link Policies#hpa()}), the naive
 * reactive baseline, on a context like the engine's: 20 replicas, one metric, and the last 5
 * minutes of decisions at 15 s (20 past decisions, each with its {@code hpa.recommendation} mark)
 * for the stabilization window. {@code utilization} maps the reading to one sample per pod, as the
 * controller does; {@code averageValue} is a workload total.
 *
 * <p>{@link CpuTime} adds the CPU time per call ({@code decide:cpuMillis} ÷ {@code
 * decide:calls}); its two clock reads per call are part of both figures.
 *
 * <p>Defaults below (1 fork, 3 × 2 s warm-up, 5 × 2 s measurement) match the command in
 * {@code BENCHMARKS.md}; the command line overrides them.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HpaPolicyBenchmark {
  /** The metric type: {@code utilization} (percent of request) or {@code averageValue}. */
  @Param({"utilization", "averageValue"})
  public String metric;

  private HpaPolicy policy;
  private DecisionContext context;
  private Proposal start;

  /** Builds the policy and the context. */
  @Setup
  public void setUp() {
    policy = Policies.hpa();
    int replicas = 20;
    MetricTarget target = metric.equals("utilization")
        ? MetricTarget.utilization("cpu", 70)
        : MetricTarget.averageValue("rps", SyntheticLoadSource.TARGET_PER_REPLICA);
    double reading = metric.equals("utilization") ? 84 : 240;
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment("bench", "hpa"))
        .maxReplicas(200).metric(target).build();
    Instant now = EngineFixture.START;
    DecisionContext.Builder b = DecisionContext.builder(spec, now, ReplicaStatus.of(replicas,
        replicas)).reading(target.name(), reading).sampleTime(now.minusSeconds(60));
    for (int i = 20; i >= 1; i--) {
      b.past(new PastDecision(now.minus(Duration.ofSeconds(15L * i)), replicas, replicas, false,
          Map.of(HpaPolicy.DEFAULT_MARK, replicas + (i % 3))));
    }
    context = b.build();
    start = Proposal.keep(replicas);
  }

  /** One decision. */
  @Benchmark
  public Proposal decide(CpuTime cpu) {
    cpu.begin();
    Proposal p = policy.apply(context, start);
    cpu.end();
    return p;
  }
}
