package dev.prescaler.examples;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.decision.Policies;
import dev.prescaler.forecast.Forecasters;
import java.time.Clock;
import java.time.Duration;

/**
 * The README's quick-start, compiled: an engine with the default predictive stack watching one
 * Deployment in observe-only mode. {@code ExamplesTest#theReadmeQuickStartIsTheCompiledOne}
 * checks that the README shows exactly the lines between the markers, and runs them.
 */
public final class QuickStart {
  private QuickStart() {}

  /** Builds the quick-start engine over {@code source}, on the system clock (UTC). */
  public static AutoscalerEngine build(MetricSource source) {
    return build(source, Clock.systemUTC());
  }

  /** Builds the quick-start engine over {@code source}, deciding on {@code clock}'s time. */
  public static AutoscalerEngine build(MetricSource source, Clock clock) {
    // README-BEGIN
    AutoscalerEngine engine = AutoscalerEngine.builder()
        .clock(clock)                                   // Clock.systemUTC(), or a test's own
        .metricSource(source)                           // Prometheus, Metrics Server or your own
        .forecaster(Forecasters.auto())                 // picks the best model per workload
        .policy(Policies.predictive())                  // HPA floor + predictive lead + guards
        .executor(ScaleExecutor.observeOnly())          // decide and journal, change nothing
        .callTimeout(Duration.ofSeconds(5))             // give up on a hung source or API call
        .workload(WorkloadSpec.builder(WorkloadRef.deployment("shop", "web"))
            .minReplicas(2).maxReplicas(40)
            .metric(MetricTarget.averageValue("rps", 50))  // 50 requests/s per replica
            .build())
        .build();
    // README-END
    return engine;
  }
}
