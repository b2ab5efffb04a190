package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.decision.ClusterCapacityArbiter.Claim;
import dev.prescaler.decision.ClusterCapacityArbiter.Grant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterCapacityArbiterTest {
  private static final WorkloadRef A = WorkloadRef.deployment("default", "checkout");
  private static final WorkloadRef B = WorkloadRef.deployment("default", "search");
  private static final WorkloadRef C = WorkloadRef.deployment("default", "batch");

  @Test
  void everythingFitsNothingIsCut() {
    List<Grant> g = ClusterCapacityArbiter.allocate(100, List.of(
        new Claim(A, 10, 2, 10, 1, 1), new Claim(B, 20, 2, 5, 1, 1)));
    assertThat(g).extracting(Grant::replicas).containsExactly(10, 20);
    assertThat(g).noneMatch(Grant::cut);
  }

  @Test
  void higherPriorityWinsAndLowerIsCutToItsMin() {
    List<Grant> g = ClusterCapacityArbiter.allocate(30, List.of(
        new Claim(A, 25, 2, 10, 1, 1), new Claim(C, 20, 3, 0, 1, 1)));
    // A keeps 25; C gets the 5 left (>= its min 3)
    assertThat(g).extracting(Grant::replicas).containsExactly(25, 5);
    assertThat(g.get(1).reason()).contains("cluster budget 30");
    List<Grant> tight = ClusterCapacityArbiter.allocate(26, List.of(
        new Claim(A, 25, 2, 10, 1, 1), new Claim(C, 20, 3, 0, 1, 1)));
    assertThat(tight).extracting(Grant::replicas).containsExactly(23, 3);
  }

  @Test
  void aClassIsCutInProportionWeightedByCost() {
    // Same priority, same extra: B costs 3x as much per replica, so it loses 3x as much.
    List<Grant> g = ClusterCapacityArbiter.allocate(12, List.of(
        new Claim(A, 10, 0, 0, 1, 1), new Claim(B, 10, 0, 0, 3, 1)));
    // shortfall 8: A cut 2, B cut 6
    assertThat(g).extracting(Grant::replicas).containsExactly(8, 4);
  }

  @Test
  void minsMayForceTheBudget() {
    List<Grant> g = ClusterCapacityArbiter.allocate(4, List.of(
        new Claim(A, 10, 3, 0, 1, 1), new Claim(B, 10, 3, 5, 1, 1)));
    assertThat(g).extracting(Grant::replicas).containsExactly(3, 3);
  }

  @Test
  void unitsPerReplicaCount() {
    // A takes 2 cores a replica, budget 10 cores: A (priority 1) 4 replicas = 8, B 2 x 1 core
    List<Grant> g = ClusterCapacityArbiter.allocate(10, List.of(
        new Claim(A, 4, 1, 1, 1, 2.0), new Claim(B, 5, 0, 0, 1, 1.0)));
    assertThat(g).extracting(Grant::replicas).containsExactly(4, 2);
  }

  @Test
  void theStepArbitratesAcrossWorkloadsOfOneEngine() {
    ClusterCapacityArbiter arbiter = ClusterCapacityArbiter.builder()
        .budget(ClusterCapacityArbiter.CapacityBudget.fixed(20)).build();
    DecisionPolicy step = arbiter.step();
    WorkloadSpec high = WorkloadSpec.builder(A).maxReplicas(100).priority(10)
        .metric(MetricTarget.averageValue("rps", 10)).build();
    WorkloadSpec low = WorkloadSpec.builder(C).maxReplicas(100).priority(0)
        .metric(MetricTarget.averageValue("rps", 10)).build();
    DecisionContext ch = DecisionContext.builder(high, Fixtures.NOW, ReplicaStatus.of(5, 5))
        .reading("rps", 50).build();
    DecisionContext cl = DecisionContext.builder(low, Fixtures.NOW, ReplicaStatus.of(5, 5))
        .reading("rps", 50).build();
    assertThat(step.apply(ch, Proposal.keep(5).to("x", 15, "y")).replicas()).isEqualTo(15);
    Proposal lowP = step.apply(cl, Proposal.keep(5).to("x", 15, "y"));
    assertThat(lowP.replicas()).isEqualTo(5);
    assertThat(lowP.explain()).contains("capacity-arbiter");
    // Claims older than the TTL are forgotten.
    DecisionContext later = DecisionContext.builder(low, Fixtures.NOW.plusSeconds(600),
        ReplicaStatus.of(5, 5)).reading("rps", 50).build();
    assertThat(step.apply(later, Proposal.keep(5).to("x", 15, "y")).replicas()).isEqualTo(15);
  }

  @Test
  void badInputNamesTheField() {
    assertThatThrownBy(() -> ClusterCapacityArbiter.allocate(-1, List.of()))
        .hasMessage("budget must be >= 0 and finite, but was -1.0");
    assertThatThrownBy(() -> new Claim(A, 1, 0, 0, 0, 1))
        .hasMessage("costWeight must be > 0, but was 0.0");
    assertThatThrownBy(() -> ClusterCapacityArbiter.builder().build())
        .hasMessage("no CapacityBudget: call budget(...)");
  }
}
