package dev.prescaler.simulator.policy;

import dev.prescaler.core.StepLimits;
import dev.prescaler.decision.Policies;
import dev.prescaler.forecast.Forecasters;
import java.util.Optional;

/**
 * Registers the library's own policies: {@code hpa}, the decision module's faithful HPA with
 * Kubernetes' defaults, and {@code predictive}, the default predictive stack with the forecast
 * module's automatic forecaster. Both run with the spec's default step limits (the HPA's).
 */
final class LibraryPolicies {
  private LibraryPolicies() {}

  static void register(PolicyRegistry registry) {
    registry.register("hpa",
        env -> new PolicySetup(Policies.hpa(), Optional.empty(), StepLimits.DEFAULT),
        "the Kubernetes HPA with its defaults (decision module)");
    registry.register("predictive",
        env -> new PolicySetup(Policies.predictive(), Optional.of(Forecasters.auto()),
            StepLimits.DEFAULT),
        "the default predictive stack with the auto forecaster (decision, forecast)");
  }
}
