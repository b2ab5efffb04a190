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
 * stack's floor. The predictive stack then gets the same wide-open limits: with the default ones
 * (+4 pods or +100 % per 15 s) it would lag the very HPA it keeps as its floor wherever that
 * behavior allows faster steps (1 -> 5 -> 10 -> 20 where the HPA goes 1 -> 20). The floor's moves
 * are then limited by its behavior alone; a plan of the stack's own above the floor only by the
 * forecast cap. Without a behavior both keep the default limits, which are the default HPA's.
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
            env.hpa().isPresent() ? PolicySetup.WIDE_OPEN : StepLimits.DEFAULT),
        "the default predictive stack over --forecaster [auto] (decision, forecast)");
  }

  private static DecisionPolicy predictiveOver(HpaPolicy hpa) {
    return Policies.predictive(PredictivePolicy.builder().reactive(hpa).build());
  }
}
