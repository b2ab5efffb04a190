package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.StepLimits;
import dev.prescaler.testkit.DecisionPolicyContract;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every policy of the module passes the testkit's {@link DecisionPolicyContract}. */
class PolicyContractTest {
  private static final int EXAMPLES = 100;

  @Test
  void everyPolicyHonoursTheContract() {
    ManualOverrides overrides = new ManualOverrides();
    overrides.pin(Fixtures.WEB, 3, Fixtures.NOW.plusSeconds(3600), "contract");
    List<DecisionPolicy> policies = List.of(
        Policies.hpa(),
        PredictivePolicy.ofDefaults(),
        PredictivePolicy.builder().liveLoad(true).riskQuantile(1, 0.5).build(),
        Policies.predictive(),
        Policies.predictive(overrides),
        SpikeFilter.ofDefaults().guard(Policies.hpa()),
        SustainedScaleUp.of(Duration.ofSeconds(60)),
        Cooldown.ofDefaults(),
        ScaleDownStabilization.of(Duration.ofSeconds(300)),
        GradualScaleDown.ofDefaults(),
        new StepLimit(StepLimits.DEFAULT),
        Bounds.INSTANCE,
        TimeOfDayBounds.builder(ZoneOffset.UTC).window("MON-FRI 08:00-18:00", 2, 30).build());
    for (DecisionPolicy p : policies) {
      assertThat(DecisionPolicyContract.check(p, 7, EXAMPLES)).as(p.name()).isEmpty();
    }
  }

  /**
   * The arbiter's step keeps the claims of every workload on purpose (it shares one budget), so
   * it answers an example replayed after others otherwise: it is checked on new instances.
   */
  @Test
  void theArbitersStepHonoursTheContractOnFreshInstances() {
    assertThat(DecisionPolicyContract.checkFreshInstances(() -> ClusterCapacityArbiter.builder()
        .budget(ClusterCapacityArbiter.CapacityBudget.fixed(10)).build().step(), 7, EXAMPLES))
        .isEmpty();
  }
}
