package dev.prescaler.simulator.score;

import java.util.Objects;
import java.util.Optional;

/**
 * One policy's row of the scorecard, at the run's target utilization.
 *
 * @param policy the policy's name
 * @param targetUtilization the target utilization it ran at
 * @param underProvisionedPct percent of steps where demand &gt; ready × capacity
 * @param unservedPct Σ max(0, demand − ready × capacity) ÷ Σ demand, in percent
 * @param replicaHours replica-hours of ready and pending replicas
 * @param costVsOracle replica-hours ÷ those of {@code oracle-100}; NaN when it did not run
 * @param scalingActions changes of the desired replica count
 * @param atSlo the cheapest swept setting meeting the SLO; empty when none did or no sweep ran
 */
public record Scorecard(String policy, double targetUtilization, double underProvisionedPct,
    double unservedPct, double replicaHours, double costVsOracle, long scalingActions,
    Optional<AtSlo> atSlo) {
  /** Validates. */
  public Scorecard {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(atSlo, "atSlo");
    if (scalingActions < 0) {
      throw new IllegalArgumentException("scalingActions must be >= 0, but was " + scalingActions);
    }
  }
}
