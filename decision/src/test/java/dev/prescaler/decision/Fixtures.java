package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.PastDecision;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Instant;
import java.util.Map;

/** Shared test data. */
final class Fixtures {
  static final Instant NOW = Instant.parse("2026-01-05T12:00:00Z"); // a Monday
  static final WorkloadRef WEB = WorkloadRef.deployment("default", "web");

  private Fixtures() {}

  /** A spec scaling on CPU utilization at {@code target} %, replicas in [min, max]. */
  static WorkloadSpec cpu(double target, int min, int max) {
    return WorkloadSpec.builder(WEB).minReplicas(min).maxReplicas(max)
        .metric(MetricTarget.utilization("cpu", target)).build();
  }

  /** A spec scaling on requests per second at {@code perReplica}, in [min, max]. */
  static WorkloadSpec rps(double perReplica, int min, int max) {
    return WorkloadSpec.builder(WEB).minReplicas(min).maxReplicas(max)
        .metric(MetricTarget.averageValue("rps", perReplica)).build();
  }

  /** A context with all {@code current} replicas ready and one reading. */
  static DecisionContext.Builder ctx(WorkloadSpec spec, int current, String metric,
      double reading) {
    return DecisionContext.builder(spec, NOW, ReplicaStatus.of(current, current))
        .reading(metric, reading);
  }

  /**
   * {@code b} with a past HPA recommendation of {@code count} 700 s ago, outside every default
   * window and hold: the HPA has synced before, so its first-sync recommendation (the current
   * count, kept for 300 s) does not count.
   */
  static DecisionContext.Builder synced(DecisionContext.Builder b, int count) {
    return b.past(past(700, count, count, false, Map.of(HpaPolicy.DEFAULT_MARK, count)));
  }

  /** A past decision {@code secondsAgo} before NOW with an HPA recommendation mark. */
  static PastDecision past(int secondsAgo, int current, int desired, boolean applied,
      Map<String, Integer> marks) {
    return new PastDecision(NOW.minusSeconds(secondsAgo), current, desired, applied, marks);
  }
}
