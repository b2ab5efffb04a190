package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoliciesTest {
  private static final WorkloadRef API = WorkloadRef.deployment("default", "api");

  private static DecisionPolicy fixed(String name, int replicas, Duration memory) {
    return new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return proposal.to(name, replicas, "fixed");
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public Duration memory() {
        return memory;
      }
    };
  }

  @Test
  void byWorkloadRunsEachWorkloadsOwnPolicyAndTheFallbackForTheRest() {
    DecisionPolicy p = Policies.byWorkload(fixed("stack", 3, Duration.ofMinutes(5)),
        Map.of(API, fixed("api-stack", 7, Duration.ofMinutes(10))));
    WorkloadSpec web = Fixtures.rps(10, 1, 20);
    WorkloadSpec api = WorkloadSpec.builder(API).maxReplicas(20)
        .metric(dev.prescaler.core.MetricTarget.averageValue("rps", 10)).build();

    DecisionContext webCtx = Fixtures.ctx(web, 2, "rps", 15).build();
    DecisionContext apiCtx = Fixtures.ctx(api, 2, "rps", 15).build();

    assertThat(p.apply(webCtx, Proposal.keep(2)).replicas()).isEqualTo(3);
    assertThat(p.apply(apiCtx, Proposal.keep(2)).replicas()).isEqualTo(7);
    assertThat(p.name()).isEqualTo("stack");
    assertThat(p.memory()).isEqualTo(Duration.ofMinutes(10));
  }
}
