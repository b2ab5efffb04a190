package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.testkit.DecisionInvariants;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A workload scaled to 0 by hand stays at 0 under the real stacks, as under the Kubernetes HPA:
 * neither the engine's bounds nor the predictive plan bring it back to minReplicas.
 */
class ScaledToZeroEngineTest {
  private static final WorkloadRef REF = WorkloadRef.deployment("shop", "web");
  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

  /** A flat forecast of 500 rps (50 replicas' worth at 10 each). */
  private static final Forecaster HIGH = (h, horizon, level) -> {
    double[] v = new double[Forecaster.steps(horizon, h.step())];
    Arrays.fill(v, 500);
    return new Forecast("high", h.end(), h.step(), v, v, v, level);
  };

  private static void assertHeldAtZero(DecisionPolicy policy, Forecaster forecaster) {
    ManualClock clock = new ManualClock(T0);
    WorkloadSpec spec = WorkloadSpec.builder(REF).minReplicas(2).maxReplicas(60).mode(Mode.ACT)
        .metric(MetricTarget.averageValue("rps", 10)).build();
    List<ScaleRequest> requests = new ArrayList<>();
    InMemoryJournal journal = new InMemoryJournal();
    AutoscalerEngine.Builder b = AutoscalerEngine.builder().clock(clock).journal(journal)
        .policy(policy).workload(spec).backfill(false).metricsDelay(Duration.ZERO)
        .historyStep(Duration.ofSeconds(15))
        .metricSource((s, now) -> Observation.of(now, ReplicaStatus.of(0, 0),
            MetricReading.of("rps", 300, now)))
        .executor(r -> {
          requests.add(r);
          return ScaleOutcome.applied(r.to(), "ok");
        });
    if (forecaster != null) {
      b.forecaster(forecaster);
    }
    try (AutoscalerEngine engine = b.build()) {
      for (int i = 0; i < 20; i++) {
        engine.tick();
        clock.advance(Duration.ofSeconds(15));
      }
    }
    assertThat(requests).isEmpty();
    assertThat(journal.records()).hasSize(20).allSatisfy(r -> {
      assertThat(r.kind()).isEqualTo(Kind.HOLD);
      assertThat(r.desired()).isZero();
      assertThat(r.actionMessage()).contains("current replicas is 0 with minReplicas 2");
    });
    assertThat(DecisionInvariants.check(journal.records(), spec)).isEmpty();
  }

  @Test
  void theHpaLeavesAScaleAtZeroAlone() {
    assertHeldAtZero(Policies.hpa(), null);
  }

  @Test
  void thePredictiveStackDoesNotPlanUpFromZero() {
    assertHeldAtZero(Policies.predictive(PredictivePolicy.builder().minHistory(Duration.ZERO)
        .build()), HIGH);
  }
}
