package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleExecutor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Core's own implementations honour the contracts. */
class CoreImplementationsContractTest {

  @Test
  void theObserveOnlyExecutorHonoursTheExecutorContract() {
    Random r = new Random(1);
    assertThat(ScaleExecutorContract.check(ScaleExecutor.observeOnly(),
        () -> Generators.workloadSpecs(r, Mode.ACT), 1, 20)).isEmpty();
    assertThat(ScaleExecutorContract.checkMissingWorkload(ScaleExecutor.observeOnly(),
        Generators.workloadSpecs(r))).isEmpty();
  }

  @Test
  void aChainOfConformingPoliciesHonoursThePolicyContract() {
    DecisionPolicy chain = DecisionPolicy.chain(EngineWorld.CAPACITY,
        (ctx, p) -> p.note("noop", "nothing to add"), EngineWorld.CAPACITY);
    assertThat(DecisionPolicyContract.check(chain, 2, 300)).isEmpty();
  }

  @Test
  void theEngineWorldsForecasterHonoursTheForecasterContract() {
    assertThat(ForecasterContract.check(EngineWorld.LAST_VALUE, 3, 100)).isEmpty();
  }

  @Test
  void theWildPolicyBreaksThePolicyContractAsIntended() {
    // The engine properties use it to play a buggy custom policy: the contract must notice.
    assertThat(DecisionPolicyContract.check(EngineWorld.WILD, 4, 500))
        .anyMatch(s -> s.contains("a change of the count must carry a reason"));
  }
}
