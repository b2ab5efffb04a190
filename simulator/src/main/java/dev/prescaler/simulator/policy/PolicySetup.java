package dev.prescaler.simulator.policy;

import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.StepLimits;
import java.util.Objects;
import java.util.Optional;

/**
 * The plug-ins of one simulated engine.
 *
 * @param policy the decision policy (chain)
 * @param forecaster the forecaster, if the policy uses forecasts
 * @param stepLimits the step limits of the workload spec
 */
public record PolicySetup(DecisionPolicy policy, Optional<Forecaster> forecaster,
    StepLimits stepLimits) {
  /** Step limits wide open, for reference policies that must never be slowed by them. */
  public static final StepLimits WIDE_OPEN = new StepLimits(1_000_000, 1e6, 1_000_000, 100);

  /** Validates. */
  public PolicySetup {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(forecaster, "forecaster");
    Objects.requireNonNull(stepLimits, "stepLimits");
  }
}
