package dev.prescaler.benchmarks;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.testkit.ManualClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A real {@link AutoscalerEngine} over {@code n} synthetic workloads, as the benchmarks and the
 * heap probe use it: one {@link SyntheticLoadSource} metric per workload ({@code rps}, 10 per
 * replica), the engine's default history (7 days at 1 minute, backfilled through
 * {@link dev.prescaler.core.MetricSource#history} when the engine is built, so every ring is full),
 * the engine's default sync period (15 s) and metrics delay (60 s), every workload in observe-only
 * mode with the {@link ScaleExecutor#observeOnly()} executor, and a {@link ManualClock}.
 *
 * @param engine the engine, already holding every workload
 * @param clock the clock the engine reads
 * @param source the metric source
 */
public record EngineFixture(AutoscalerEngine engine, ManualClock clock,
    SyntheticLoadSource source) {
  /** Where the clock starts: a Monday, 00:00 UTC, aligned to the history grid. */
  public static final Instant START = Instant.parse("2026-01-05T00:00:00Z");

  /** Requires every part. */
  public EngineFixture {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(source, "source");
  }

  /**
   * Builds an engine over {@code workloads} synthetic workloads with a forecaster, backfilling 7
   * days of history for each. Takes about a second per 1,000 workloads; the forecasters are fitted
   * at the first tick.
   *
   * @param workloads the number of workloads, &ge; 1
   * @param forecaster the engine's forecaster
   * @param policy the engine's policy chain
   * @throws IllegalArgumentException when {@code workloads} &lt; 1
   */
  public static EngineFixture build(int workloads, Forecaster forecaster, DecisionPolicy policy) {
    Objects.requireNonNull(forecaster, "forecaster");
    return build(workloads, Optional.of(forecaster), policy);
  }

  /**
   * Builds an engine over {@code workloads} synthetic workloads without a forecaster (reactive
   * policies only), backfilling 7 days of history for each.
   *
   * @param workloads the number of workloads, &ge; 1
   * @param policy the engine's policy chain
   * @throws IllegalArgumentException when {@code workloads} &lt; 1
   */
  public static EngineFixture build(int workloads, DecisionPolicy policy) {
    return build(workloads, Optional.empty(), policy);
  }

  private static EngineFixture build(int workloads, Optional<Forecaster> forecaster,
      DecisionPolicy policy) {
    if (workloads < 1) {
      throw new IllegalArgumentException("workloads must be >= 1, but was " + workloads);
    }
    Objects.requireNonNull(policy, "policy");
    List<WorkloadRef> refs = new ArrayList<>(workloads);
    for (int i = 0; i < workloads; i++) {
      refs.add(WorkloadRef.deployment("bench", String.format(Locale.ROOT, "w-%05d", i)));
    }
    ManualClock clock = new ManualClock(START);
    SyntheticLoadSource source =
        new SyntheticLoadSource(refs, AutoscalerEngine.DEFAULT_METRICS_DELAY);
    AutoscalerEngine.Builder b = AutoscalerEngine.builder()
        .clock(clock)
        .metricSource(source)
        .policy(policy)
        .executor(ScaleExecutor.observeOnly());
    forecaster.ifPresent(b::forecaster);
    for (WorkloadRef ref : refs) {
      b.workload(WorkloadSpec.builder(ref)
          .minReplicas(1)
          .maxReplicas(200)
          .metric(MetricTarget.averageValue(SyntheticLoadSource.METRIC,
              SyntheticLoadSource.TARGET_PER_REPLICA))
          .build());
    }
    return new EngineFixture(b.build(), clock, source);
  }

  /** Advances the clock by one sync period and ticks the engine once. */
  public void tick() {
    clock.advance(engine.syncPeriod());
    engine.tick();
  }
}
