package dev.prescaler.simulator.policy;

import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.StepLimits;
import dev.prescaler.decision.HpaPolicy;
import dev.prescaler.decision.Policies;
import dev.prescaler.decision.PredictivePolicy;
import dev.prescaler.forecast.Forecasters;
import java.util.Optional;

/**
 * Registers the library's own policies: {@code hpa}, the decision module's faithful HPA with
 * Kubernetes' defaults, and {@code predictive}, the default predictive stack with the forecast
 * module's automatic forecaster (or the one the run names). Both run with the spec's default
 * step limits (the HPA's).
 *
 * <p>When the run has its own HPA ({@code SimulationConfig.hpa}, e.g. a team's behavior), {@code
 * hpa} is that HPA, with wide-open engine step limits so that only its own rate policies limit it
 * (as in the cluster, where nothing else limits the HPA controller), and it is the predictive
 * stack's floor.
 */
final class LibraryPolicies {
  private LibraryPolicies() {}

  static void register(PolicyRegistry registry) {
    registry.register("hpa",
        env -> env.hpa().map(h -> new PolicySetup(h, Optional.empty(), PolicySetup.WIDE_OPEN))
            .orElseGet(() -> new PolicySetup(Policies.hpa(), Optional.empty(),
                StepLimits.DEFAULT)),
        "the Kubernetes HPA with its defaults, or --hpa-behavior (decision module)");
    registry.register("predictive",
        env -> new PolicySetup(env.hpa().map(LibraryPolicies::predictiveOver)
            .orElseGet(Policies::predictive), Forecasters.named(env.forecaster()),
            StepLimits.DEFAULT),
        "the default predictive stack over --forecaster [auto] (decision, forecast)");
  }

  private static DecisionPolicy predictiveOver(HpaPolicy hpa) {
    return Policies.predictive(PredictivePolicy.builder().reactive(hpa).build());
  }
}
