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
 * @param seesDemandLate whether the engine sees the demand {@code metricsDelay} late, as a real
 *     policy does; false for the references, which read the trace itself and so decide from the
 *     first step on, as their definitions say
 */
public record PolicySetup(DecisionPolicy policy, Optional<Forecaster> forecaster,
    StepLimits stepLimits, boolean seesDemandLate) {
  /** Step limits wide open, for reference policies that must never be slowed by them. */
  public static final StepLimits WIDE_OPEN = new StepLimits(1_000_000, 1e6, 1_000_000, 100);

  /** Validates. */
  public PolicySetup {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(forecaster, "forecaster");
    Objects.requireNonNull(stepLimits, "stepLimits");
  }

  /** A policy under test: it sees the demand {@code metricsDelay} late. */
  public PolicySetup(DecisionPolicy policy, Optional<Forecaster> forecaster,
      StepLimits stepLimits) {
    this(policy, forecaster, stepLimits, true);
  }

  /**
   * A reference that knows the demand from the trace ({@code static-peak}, the oracles): no
   * forecaster, wide-open step limits, and the demand seen without delay, so that the engine
   * does not hold it for the first {@code metricsDelay} of the run, when a delayed reading does
   * not exist yet.
   */
  public static PolicySetup reference(DecisionPolicy policy) {
    return new PolicySetup(policy, Optional.empty(), WIDE_OPEN, false);
  }
}
