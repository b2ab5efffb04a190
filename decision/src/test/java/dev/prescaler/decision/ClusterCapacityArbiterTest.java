package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.decision.ClusterCapacityArbiter.Claim;
import dev.prescaler.decision.ClusterCapacityArbiter.Grant;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
  void theLowestPossiblePriorityIsServedLast() {
    // Priorities are compared, never negated: -Integer.MIN_VALUE overflows to MIN_VALUE, which
    // served a "lowest possible" workload first and cut every other one to its minimum.
    List<Grant> g = ClusterCapacityArbiter.allocate(10, List.of(
        new Claim(A, 10, 1, 0, 1, 1), new Claim(C, 10, 1, Integer.MIN_VALUE, 1, 1)));
    assertThat(g).extracting(Grant::replicas).containsExactly(9, 1);
    List<Grant> top = ClusterCapacityArbiter.allocate(10, List.of(
        new Claim(A, 10, 1, 0, 1, 1), new Claim(C, 10, 1, Integer.MAX_VALUE, 1, 1)));
    assertThat(top).extracting(Grant::replicas).containsExactly(1, 9);
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

  /**
   * Whole replicas that flooring leaves over go to lower priorities when the cut class has no
   * room for one of its own: here A's replicas take 2 units and 1 unit is left, which B can use.
   */
  @Test
  void aLowerPriorityGetsTheReplicaTheCutClassHasNoRoomFor() {
    List<Grant> g = ClusterCapacityArbiter.allocate(7, List.of(
        new Claim(A, 10, 1, 1, 1, 2.0), new Claim(B, 5, 0, 0, 1, 1.0)));
    assertThat(g).extracting(Grant::replicas).containsExactly(3, 1);
    assertThat(g.get(1).reason()).isEqualTo(
        "cluster budget 7 exhausted by higher priorities: priority 0 held at 1");
  }

  /**
   * The review's case: A is the top priority, and B's minReplicas took the budget A's extra
   * replicas needed. The reason blamed "higher priorities"; it names the floors of the lower
   * priorities now.
   */
  @Test
  void aClaimHeldByTheFloorsOfLowerPrioritiesSaysSo() {
    List<Grant> g = ClusterCapacityArbiter.allocate(20, List.of(
        new Claim(A, 18, 15, 10, 1, 1), new Claim(B, 15, 15, 0, 1, 1)));
    assertThat(g).extracting(Grant::replicas).containsExactly(15, 15);
    assertThat(g.get(0).reason()).isEqualTo("cluster budget 20 exhausted by the claims' floors "
        + "(min(proposal, minReplicas)), 30 units, of which lower priorities' 15: priority 10 "
        + "held at 15");
  }

  /**
   * A cost weight of 1e308 made the class's weighted sum infinite, the others' shares 0/∞ and
   * its own NaN: nobody but A was cut, and 20 were granted against a budget of 10. Weights count
   * relative to the class's dearest.
   */
  @Test
  void aHugeCostWeightCannotBreakTheBudget() {
    List<Grant> g = ClusterCapacityArbiter.allocate(10, List.of(
        new Claim(A, 10, 0, 0, 1e308, 1), new Claim(B, 10, 0, 0, 1, 1),
        new Claim(C, 10, 0, 0, 1, 1)));
    assertThat(g).extracting(Grant::replicas).containsExactly(0, 5, 5);
    List<Grant> tiny = ClusterCapacityArbiter.allocate(10, List.of(
        new Claim(A, 10, 0, 0, Double.MAX_VALUE, 1), new Claim(B, 10, 0, 0, Double.MIN_VALUE, 1)));
    assertThat(tiny).extracting(Grant::replicas).containsExactly(0, 10);
  }

  /**
   * The reviewer's case: budget 20, A and B run 10 each and both ask 15, fed back tick after
   * tick. The workload decided took the whole cut (others counted at what they ran) and the
   * replicas left over went to the others' grants, thrown away: 15,5 → 7,5 → 9,8 → 8,8 for
   * good, 4 units idle while both wanted more. Now the first tick is first come, first served
   * (neither claim is in the tick's plan: A grows into what B, not seen yet, runs, and B, whose
   * share the plan does not know, is cut to the room left), and the split settles at 10/10 two
   * ticks later.
   */
  @Test
  void equalClaimsSettleOnAnEvenSplitThatUsesTheBudget() {
    assertThat(bothAskingFifteen(20, 10, 8)).containsExactly(List.of(15, 5), List.of(10, 5),
        List.of(10, 10), List.of(10, 10), List.of(10, 10), List.of(10, 10), List.of(10, 10),
        List.of(10, 10));
  }

  /**
   * An odd budget splits 11/10, and the replica left over stays with the same workload (the one
   * the arbiter saw first): no oscillation once settled.
   */
  @Test
  void theReplicaLeftOverStaysWithOneWorkload() {
    assertThat(bothAskingFifteen(21, 1, 8).subList(3, 8)).containsOnly(List.of(11, 10));
  }

  /**
   * A and B, both of priority 0 and starting at {@code start}, each asking 15 at every tick for
   * {@code ticks} ticks, its grant fed back as its next count: the counts after each tick.
   */
  private static List<List<Integer>> bothAskingFifteen(double budget, int start, int ticks) {
    DecisionPolicy step = arbiter(budget).step();
    WorkloadSpec a = spec(A, Mode.ACT, 0);
    WorkloadSpec b = spec(B, Mode.ACT, 0);
    int ra = start;
    int rb = start;
    List<List<Integer>> out = new ArrayList<>();
    for (int i = 0; i < ticks; i++) {
      Instant t = Fixtures.NOW.plusSeconds(15L * i);
      ra = tick(step, a, t, ra, 15).replicas();
      rb = tick(step, b, t, rb, 15).replicas();
      out.add(List.of(ra, rb));
    }
    return out;
  }

  /**
   * With the overrides, a pin counts from the tick it is set, before the pinned workload's own
   * tick and before the override step raises it: budget 20, A and B at 5, A pinned at 18, B's
   * load asks 15. B, decided first, gets 2, not 15 (33 against 20), and A its pin.
   */
  @Test
  void aPinCountsFromTheTickItIsSetEvenBeforeThePinnedWorkloadsTick() {
    ManualOverrides overrides = new ManualOverrides();
    DecisionPolicy step = ClusterCapacityArbiter.builder()
        .budget(ClusterCapacityArbiter.CapacityBudget.fixed(20)).overrides(overrides).build()
        .step();
    WorkloadSpec a = spec(A, Mode.ACT, 0);
    WorkloadSpec b = spec(B, Mode.ACT, 0);
    tick(step, a, Fixtures.NOW, 5, 5);
    tick(step, b, Fixtures.NOW, 5, 5);
    overrides.pin(A, 18, Fixtures.NOW.plusSeconds(3600), "incident 42");
    Instant t = Fixtures.NOW.plusSeconds(15);
    Proposal pb = tick(step, b, t, 5, 15);
    assertThat(pb.replicas()).isEqualTo(2);
    assertThat(pb.explain()).contains("counted at their override's pin: default/checkout 18");
    // A's own proposal is not the arbiter's to change: the override sets the pin after it.
    assertThat(tick(step, a, t, 5, 8).replicas()).isEqualTo(8);
    assertThat(tick(step, a, t, 5, 30).replicas()).isEqualTo(30);
    assertThat(tick(step, b, t.plusSeconds(15), 2, 15).replicas()).isEqualTo(2);
  }

  @Test
  void theStepArbitratesAcrossWorkloadsOfOneEngine() {
    ClusterCapacityArbiter arbiter = arbiter(20);
    DecisionPolicy step = arbiter.step();
    WorkloadSpec high = spec(A, Mode.ACT, 10);
    WorkloadSpec low = spec(C, Mode.ACT, 0);
    assertThat(tick(step, high, Fixtures.NOW, 5, 15).replicas()).isEqualTo(15);
    Proposal lowP = tick(step, low, Fixtures.NOW, 5, 15);
    assertThat(lowP.replicas()).isEqualTo(5);
    assertThat(lowP.explain()).contains("capacity-arbiter");
    // A's claim has expired, but A was granted 15 and still runs them: C stays at 5.
    Proposal later = tick(step, low, Fixtures.NOW.plusSeconds(600), 5, 15);
    assertThat(later.replicas()).isEqualTo(5);
    assertThat(later.explain()).contains("counted at what they last ran (no fresh claim): "
        + "default/checkout 15 (seen 600 s ago)");
    // Once A is forgotten (unregistered), C gets its 15.
    arbiter.forget(A);
    assertThat(tick(step, low, Fixtures.NOW.plusSeconds(615), 5, 15).replicas()).isEqualTo(15);
  }

  @Test
  void theStepForgetsAWorkloadTheEngineUnregisters() {
    ClusterCapacityArbiter arbiter = arbiter(20);
    DecisionPolicy step = arbiter.step();
    WorkloadSpec high = spec(A, Mode.ACT, 10);
    WorkloadSpec low = spec(C, Mode.ACT, 0);
    assertThat(tick(step, high, Fixtures.NOW, 5, 15).replicas()).isEqualTo(15);
    assertThat(tick(step, low, Fixtures.NOW, 5, 15).replicas()).isEqualTo(5);
    step.unregistered(B); // never seen: nothing changes
    assertThat(tick(step, low, Fixtures.NOW.plusSeconds(15), 5, 15).replicas()).isEqualTo(5);
    // What AutoscalerEngine.unregister(A) calls, here on a stack holding the arbiter.
    Policies.stack().arbiter(arbiter).build().unregistered(A);
    assertThat(tick(step, low, Fixtures.NOW.plusSeconds(30), 5, 15).replicas()).isEqualTo(15);
  }

  /**
   * The review's case: A claims 40 and is then held for 3 minutes on stale metrics (the engine
   * holds before the chain runs) while its 40 pods keep running; B's claim of 60 must be cut so
   * that the total stays within the budget of 64.
   */
  @Test
  void aHeldWorkloadCountsWhatItRunsAfterItsClaimExpires() {
    DecisionPolicy step = arbiter(64).step();
    WorkloadSpec a = spec(A, Mode.ACT, 0);
    WorkloadSpec b = spec(B, Mode.ACT, 0);
    assertThat(tick(step, a, Fixtures.NOW, 10, 40).replicas()).isEqualTo(40);
    assertThat(tick(step, b, Fixtures.NOW, 4, 4).replicas()).isEqualTo(4);
    assertThat(tick(step, a, Fixtures.NOW.plusSeconds(15), 40, 40).replicas()).isEqualTo(40);
    // A is held from here on: no claim of A for 3 minutes, longer than the 2-minute claimTtl.
    Proposal p = tick(step, b, Fixtures.NOW.plusSeconds(15 + 180), 4, 60);
    assertThat(p.replicas()).isEqualTo(24);
    assertThat(40 + p.replicas()).isLessThanOrEqualTo(64);
    assertThat(p.explain()).contains("cluster budget 64")
        .contains("default/checkout 40 (seen 180 s ago)");
  }

  /** A workload granted a scale-up and then held counts the grant: its pods are starting. */
  @Test
  void aHeldWorkloadCountsTheScaleUpItWasGranted() {
    DecisionPolicy step = arbiter(64).step();
    assertThat(tick(step, spec(A, Mode.ACT, 0), Fixtures.NOW, 10, 40).replicas()).isEqualTo(40);
    Proposal p = tick(step, spec(B, Mode.ACT, 0), Fixtures.NOW.plusSeconds(600), 4, 60);
    assertThat(p.replicas()).isEqualTo(24);
  }

  /** A held workload cannot be cut (its chain does not run), so not even a higher priority can. */
  @Test
  void aHeldWorkloadIsNotPreemptedByAHigherPriority() {
    DecisionPolicy step = arbiter(64).step();
    tick(step, spec(A, Mode.ACT, 0), Fixtures.NOW, 40, 40);
    Proposal p = tick(step, spec(B, Mode.ACT, 10), Fixtures.NOW.plusSeconds(180), 4, 60);
    assertThat(p.replicas()).isEqualTo(24);
  }

  /**
   * A higher priority takes a lower one's capacity in steps: the lower one is cut at its next
   * tick, and the capacity is granted once it is seen running less; the total that runs stays
   * within the budget throughout.
   */
  @Test
  void aHigherPriorityTakesCapacityInStepsWithinTheBudget() {
    DecisionPolicy step = arbiter(64).step();
    WorkloadSpec low = spec(A, Mode.ACT, 0);
    WorkloadSpec high = spec(B, Mode.ACT, 10);
    int a = tick(step, low, Fixtures.NOW, 40, 40).replicas();
    int b = tick(step, high, Fixtures.NOW, 4, 60).replicas();
    assertThat(List.of(a, b)).containsExactly(40, 24);
    int[] expectedA = {4, 4};
    int[] expectedB = {24, 60};
    for (int i = 0; i < 2; i++) {
      Instant t = Fixtures.NOW.plusSeconds(15L * (i + 1));
      a = tick(step, low, t, a, 40).replicas();
      assertThat(a + b).isLessThanOrEqualTo(64);
      b = tick(step, high, t, b, 60).replicas();
      assertThat(a + b).isLessThanOrEqualTo(64);
      assertThat(List.of(a, b)).containsExactly(expectedA[i], expectedB[i]);
    }
  }

  /**
   * The review's case: budget 30 then 20; A (priority 10) and B (priority 0) both ask 15 and run
   * 15, A decided first. The room check (the budget minus what B was last seen running) cut A to
   * 5 and B to its share 5: 5/5 for a tick, A back to 15 the tick after; the high priority took
   * the whole cut because it was decided first. Room only limits growth now: A keeps its share,
   * B is cut to its own at its tick, and what runs never grows while it exceeds the budget.
   */
  @Test
  void aShrinkingBudgetCutsTheLowPriorityNotTheOneDecidedFirst() {
    double[] budget = {30};
    DecisionPolicy step = ClusterCapacityArbiter.builder().budget(now -> budget[0]).build()
        .step();
    WorkloadSpec high = spec(A, Mode.ACT, 10);
    WorkloadSpec low = spec(B, Mode.ACT, 0);
    int a = 15;
    int b = 15;
    List<List<Integer>> out = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      if (i == 2) {
        budget[0] = 20;
      }
      Instant t = Fixtures.NOW.plusSeconds(15L * i);
      int before = a + b;
      a = tick(step, high, t, a, 15).replicas();
      assertThat((double) (a + b)).as("tick %d", i)
          .isLessThanOrEqualTo(Math.max(budget[0], before));
      b = tick(step, low, t, b, 15).replicas();
      out.add(List.of(a, b));
    }
    assertThat(out).containsExactly(List.of(15, 15), List.of(15, 15), List.of(15, 5),
        List.of(15, 5), List.of(15, 5));
  }

  /**
   * The same at engine start: budget 12, A (priority 10) and B (priority 0) both run 10 and ask
   * 12, A first. A got 12 (B not seen yet), then 2 (B, cut to its floor at its own tick, was
   * still counted at 10), then 11. A goes to its share at once now: 11, B keeping its floor.
   */
  @Test
  void atEngineStartTheHighPriorityIsNotCutForALowerOneSeenLate() {
    DecisionPolicy step = arbiter(12).step();
    WorkloadSpec high = spec(A, Mode.ACT, 10);
    WorkloadSpec low = spec(B, Mode.ACT, 0);
    int a = 10;
    int b = 10;
    List<Integer> as = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Instant t = Fixtures.NOW.plusSeconds(15L * i);
      a = tick(step, high, t, a, 12).replicas();
      b = tick(step, low, t, b, 12).replicas();
      as.add(a);
    }
    assertThat(as).containsExactly(12, 11, 11, 11);
    assertThat(b).isEqualTo(1);
  }

  /**
   * The review's case: budget 20, A (priority 0) and B (priority 10) both run 5 and both jump to
   * asking 20 in one tick. A's new claim got its class's share of the plan made from the last
   * claims, which all fitted, so A (decided first) took the room: A/B 15/5, 1/5, then 1/19. Now
   * the headroom of B (not decided yet, its claim may rise up to its maxReplicas) is kept for it:
   * in either order B grows to 15 at once and A never grows; A is cut to its share once both
   * claims are in the tick's plan, and B takes the rest once A is seen running less (the tick
   * after that, or the same tick when A is decided first).
   */
  @Test
  void aLowerPriorityDoesNotTakeTheRoomWhenBothClaimsRiseInOneTick() {
    for (boolean lowFirst : new boolean[] {true, false}) {
      DecisionPolicy step = arbiter(20).step();
      WorkloadSpec low = spec(A, Mode.ACT, 0);
      WorkloadSpec high = spec(B, Mode.ACT, 10);
      int a = 5;
      int b = 5;
      List<List<Integer>> out = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Instant t = Fixtures.NOW.plusSeconds(15L * i);
        int ask = i == 0 ? 5 : 20;
        if (lowFirst) {
          a = tick(step, low, t, a, ask).replicas();
          b = tick(step, high, t, b, ask).replicas();
        } else {
          b = tick(step, high, t, b, ask).replicas();
          a = tick(step, low, t, a, ask).replicas();
        }
        assertThat(a).as("low first %s, tick %d", lowFirst, i).isLessThanOrEqualTo(5);
        assertThat(a + b).isLessThanOrEqualTo(20);
        out.add(List.of(a, b));
      }
      assertThat(out).as("low first %s", lowFirst).containsExactly(List.of(5, 5),
          List.of(5, 15), List.of(1, 15), lowFirst ? List.of(1, 19) : List.of(1, 15),
          List.of(1, 19));
    }
  }

  /**
   * A higher priority decided before the room it needs is freed keeps what it is short of for
   * the rest of the tick. Budget 21: H (priority 10) runs 5, M (priority 5) 1 and L (priority 0)
   * 15; L's claim drops to 3, then H's and M's rise to 20 in one tick, decided H, L, M. H finds
   * no room (L is still counted at 15), L is then seen running 3, and M's new claim, whose
   * share of the plan made from the last claims is all of it, would take the 12 units L freed
   * (M at 13 while H, above it, stays at 5). H's shortfall is kept for it: M stays at 1, H grows
   * into the room at the next tick and to its share once L is seen at its floor.
   */
  @Test
  void aLowerPriorityDoesNotTakeRoomFreedAfterAHigherOneWasDecidedShort() {
    DecisionPolicy step = arbiter(21).step();
    WorkloadSpec h = spec(A, Mode.ACT, 10);
    WorkloadSpec m = spec(B, Mode.ACT, 5);
    WorkloadSpec l = spec(C, Mode.ACT, 0);
    int[] run = {5, 1, 15};
    int[][] asks = {{5, 1, 15}, {5, 1, 3}, {20, 20, 3}, {20, 20, 3}, {20, 20, 3}, {20, 20, 3}};
    List<List<Integer>> out = new ArrayList<>();
    for (int i = 0; i < asks.length; i++) {
      Instant t = Fixtures.NOW.plusSeconds(15L * i);
      run[0] = tick(step, h, t, run[0], asks[i][0]).replicas();
      run[2] = tick(step, l, t, run[2], asks[i][2]).replicas();
      run[1] = tick(step, m, t, run[1], asks[i][1]).replicas();
      assertThat(run[0] + run[1] + run[2]).as("tick %d", i).isLessThanOrEqualTo(21);
      out.add(List.of(run[0], run[1], run[2]));
    }
    assertThat(out).containsExactly(List.of(5, 1, 15), List.of(5, 1, 3), List.of(5, 1, 3),
        List.of(17, 1, 1), List.of(17, 1, 1), List.of(19, 1, 1));
  }

  /**
   * An observe-only workload claims only what it runs: its hypothetical proposal (here at a
   * higher priority) never cuts a workload that acts. Its own proposal is still arbitrated, so
   * its record shows what acting would have got.
   */
  /**
   * The room kept for a higher priority not decided yet limits growth only. L (priority 0) new
   * to the tick's plan (held at the tick before) runs 10 and asks 11 under a budget of 100 with H
   * (priority 10, up to 100 replicas) still to decide: it was cut to 1, its floor.
   */
  @Test
  void theRoomKeptForAHigherPriorityNeverCutsWhatAWorkloadRuns() {
    DecisionPolicy step = arbiter(100).step();
    WorkloadSpec low = spec(A, Mode.ACT, 0);
    WorkloadSpec high = spec(B, Mode.ACT, 10);
    tick(step, high, Fixtures.NOW, 5, 5);
    Instant t = Fixtures.NOW.plusSeconds(15);
    assertThat(tick(step, low, t, 10, 11).replicas()).isEqualTo(10);
    assertThat(tick(step, high, t, 5, 5).replicas()).isEqualTo(5);
  }

  /**
   * A budget read live is read once per tick: one that changed between the decisions of a tick
   * made the tick's plan again at every decision (O(n log n) each), and each new plan forgot which
   * workloads were decided, so their headroom was kept again for them.
   */
  @Test
  void theBudgetIsReadOncePerTick() {
    List<Instant> reads = new ArrayList<>();
    double[] budget = {20};
    DecisionPolicy step = ClusterCapacityArbiter.builder().budget(now -> {
      reads.add(now);
      budget[0] += 0.001;
      return budget[0];
    }).build().step();
    for (int i = 0; i < 3; i++) {
      Instant t = Fixtures.NOW.plusSeconds(15L * i);
      tick(step, spec(A, Mode.ACT, 10), t, 5, 5);
      tick(step, spec(B, Mode.ACT, 0), t, 5, 5);
      tick(step, spec(C, Mode.ACT, 0), t, 5, 5);
    }
    assertThat(reads).containsExactly(Fixtures.NOW, Fixtures.NOW.plusSeconds(15),
        Fixtures.NOW.plusSeconds(30));
  }

  /**
   * An override floor set while the engine holds the workload (frozen metrics: its chain does
   * not run, and the engine applies no floor then) counts from the tick it is set while the
   * workload's claim is fresh, then at what it runs. It was stored as what it runs, so it was
   * counted for the whole hold: budget 20, A held at 5 under a floor of 18, B cut to 2 for ten
   * minutes.
   */
  @Test
  void aFloorSetWhileTheWorkloadIsHeldCountsAtWhatItRunsOnceItsClaimIsStale() {
    ManualOverrides overrides = new ManualOverrides();
    DecisionPolicy step = ClusterCapacityArbiter.builder()
        .budget(ClusterCapacityArbiter.CapacityBudget.fixed(20)).overrides(overrides).build()
        .step();
    tick(step, spec(A, Mode.ACT, 0), Fixtures.NOW, 5, 5);
    tick(step, spec(B, Mode.ACT, 0), Fixtures.NOW, 5, 5);
    overrides.floor(A, 18, Fixtures.NOW.plus(Duration.ofHours(1)), "launch");
    List<Integer> bs = new ArrayList<>();
    int b = 5;
    for (int i = 1; i <= 40; i++) { // A held from here on
      b = tick(step, spec(B, Mode.ACT, 0), Fixtures.NOW.plusSeconds(15L * i), b, 15).replicas();
      bs.add(b);
    }
    assertThat(bs.subList(0, 7)).as("A's claim fresh: counted at its floor").containsOnly(2);
    assertThat(bs.subList(8, 40)).as("A's claim stale: counted at the 5 it runs")
        .containsOnly(15);
  }

  @Test
  void anObserveOnlyProposalNeverCutsAWorkloadThatActs() {
    DecisionPolicy step = arbiter(64).step();
    WorkloadSpec watched = spec(C, Mode.OBSERVE_ONLY, 10);
    WorkloadSpec acting = spec(A, Mode.ACT, 0);
    assertThat(tick(step, watched, Fixtures.NOW, 10, 60).replicas()).isEqualTo(60);
    assertThat(tick(step, acting, Fixtures.NOW, 10, 50).replicas()).isEqualTo(50);
    Proposal hypothetical = tick(step, watched, Fixtures.NOW.plusSeconds(15), 10, 60);
    assertThat(hypothetical.replicas()).isEqualTo(14);
    assertThat(hypothetical.explain()).contains("capacity-arbiter");
    assertThat(tick(step, acting, Fixtures.NOW.plusSeconds(15), 50, 54).replicas())
        .isEqualTo(54);
  }

  /** Once promoted, the same workload claims its proposals like any other. */
  @Test
  void aPromotedWorkloadClaimsItsProposal() {
    DecisionPolicy step = arbiter(64).step();
    tick(step, spec(C, Mode.OBSERVE_ONLY, 10), Fixtures.NOW, 10, 60);
    tick(step, spec(C, Mode.ACT, 10), Fixtures.NOW.plusSeconds(15), 10, 60);
    assertThat(tick(step, spec(A, Mode.ACT, 0), Fixtures.NOW.plusSeconds(15), 10, 50)
        .replicas()).isEqualTo(4);
  }

  /**
   * A budget that is not a number of units, or a negative one, holds the workload as a budget
   * that throws does: the step throws, naming the value, so the engine holds (it used to let the
   * proposal through uncut). What the workload runs still counts later.
   */
  @Test
  void aBudgetThatIsNotANumberOrNegativeMakesTheStepThrow() {
    double[] budget = {Double.NaN};
    DecisionPolicy step = ClusterCapacityArbiter.builder().budget(now -> budget[0]).build().step();
    assertThatThrownBy(() -> tick(step, spec(A, Mode.ACT, 0), Fixtures.NOW, 40, 60))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("capacity budget must be >= 0 and finite, but was NaN");
    budget[0] = -3;
    assertThatThrownBy(() -> tick(step, spec(A, Mode.ACT, 0), Fixtures.NOW, 40, 60))
        .hasMessage("capacity budget must be >= 0 and finite, but was -3.0");
    budget[0] = 64;
    assertThat(tick(step, spec(B, Mode.ACT, 0), Fixtures.NOW.plusSeconds(600), 4, 60)
        .replicas()).isEqualTo(24);
  }

  @Test
  void badInputNamesTheField() {
    assertThatThrownBy(() -> ClusterCapacityArbiter.allocate(-1, List.of()))
        .hasMessage("budget must be >= 0 and finite, but was -1.0");
    assertThatThrownBy(() -> new Claim(A, 1, 0, 0, 0, 1))
        .hasMessage("costWeight must be > 0, but was 0.0");
  }

  @Test
  void budget_missing() {
    assertThatThrownBy(() -> ClusterCapacityArbiter.builder().build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid ClusterCapacityArbiter:\n- no CapacityBudget: call budget(...)");
  }

  @Test
  void claimTtl_outOfRange() {
    assertThatThrownBy(() -> ClusterCapacityArbiter.builder().claimTtl(Duration.ofDays(2)))
        .hasMessage("claimTtl must be in [PT1S, PT24H], but was PT48H");
  }

  private static ClusterCapacityArbiter arbiter(double budget) {
    return ClusterCapacityArbiter.builder()
        .budget(ClusterCapacityArbiter.CapacityBudget.fixed(budget)).build();
  }

  private static WorkloadSpec spec(WorkloadRef ref, Mode mode, int priority) {
    return WorkloadSpec.builder(ref).maxReplicas(100).mode(mode).priority(priority)
        .metric(MetricTarget.averageValue("rps", 10)).build();
  }

  /** One tick of {@code spec} running {@code current} whose chain proposes {@code proposed}. */
  private static Proposal tick(DecisionPolicy step, WorkloadSpec spec, Instant now, int current,
      int proposed) {
    DecisionContext c = DecisionContext.builder(spec, now, ReplicaStatus.of(current, current))
        .reading("rps", 10.0 * proposed).build();
    Proposal in = Proposal.keep(current);
    return step.apply(c, proposed == current ? in : in.to("policy", proposed, "load"));
  }
}
