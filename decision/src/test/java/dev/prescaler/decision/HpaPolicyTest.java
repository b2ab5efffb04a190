package dev.prescaler.decision;

import static dev.prescaler.decision.Fixtures.NOW;
import static dev.prescaler.decision.Fixtures.cpu;
import static dev.prescaler.decision.Fixtures.ctx;
import static dev.prescaler.decision.Fixtures.past;
import static dev.prescaler.decision.Fixtures.rps;
import static dev.prescaler.decision.Fixtures.synced;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Both of the controller's paths: with a {@code spec.behavior} ({@code hpa}, the default rules)
 * and without one ({@code legacy}, {@link HpaPolicy#ofDefaults()}).
 */
class HpaPolicyTest {
  private final HpaPolicy hpa = HpaPolicy.builder().defaultBehavior().build();
  private final HpaPolicy legacy = HpaPolicy.ofDefaults();

  private int decide(HpaPolicy policy, DecisionContext c) {
    return policy.apply(c, Proposal.keep(c.replicas().current())).replicas();
  }

  @Test
  void docsExampleDoublesAtTwiceTheTarget() {
    assertThat(decide(hpa, ctx(cpu(50, 1, 100), 4, "cpu", 100).build())).isEqualTo(8);
    // and halves at half the target (no recent recommendation to stabilize on)
    assertThat(decide(hpa, synced(ctx(cpu(50, 1, 100), 4, "cpu", 25), 4).build())).isEqualTo(2);
    assertThat(decide(legacy, synced(ctx(cpu(50, 1, 100), 4, "cpu", 25), 4).build()))
        .isEqualTo(2);
  }

  @Test
  void recordsTheRawRecommendationAsAMark() {
    Proposal p = hpa.apply(ctx(cpu(50, 1, 100), 4, "cpu", 100).build(), Proposal.keep(4));
    assertThat(p.marks()).containsEntry(HpaPolicy.DEFAULT_MARK, 8);
    assertThat(p.explain()).contains("hpa").contains("ceil(2.000 x 4 ready) = 8");
  }

  @Test
  void defaultScaleUpIsFourPodsOrDoubleWhicheverIsMore() {
    // 2 replicas at 500 % of 50: raw 20; limit max(2 + 4, 2 x 2) = 6
    assertThat(decide(hpa, ctx(cpu(50, 1, 100), 2, "cpu", 500).build())).isEqualTo(6);
    assertThat(hpa.apply(ctx(cpu(50, 1, 100), 2, "cpu", 500).build(), Proposal.keep(2))
        .explain()).contains("scale-up limited by the behavior's policies (MAX) from 2");
    // 10 replicas at 300 %: raw 60; limit max(14, 20) = 20
    assertThat(decide(hpa, ctx(cpu(50, 1, 100), 10, "cpu", 300).build())).isEqualTo(20);
  }

  @Test
  void scaleUpLimitCountsFromTheStartOfThePeriod() {
    // Scaled 2 -> 6 five seconds ago (applied); period 15 s started at 2: limit max(6, 4) = 6.
    DecisionContext c = ctx(cpu(50, 1, 100), 6, "cpu", 500)
        .past(past(5, 2, 6, true, Map.of(HpaPolicy.DEFAULT_MARK, 20))).build();
    assertThat(decide(hpa, c)).isEqualTo(6);
    // 20 s later the period has passed: 6 -> max(10, 12) = 12.
    DecisionContext later = ctx(cpu(50, 1, 100), 6, "cpu", 500)
        .past(past(20, 2, 6, true, Map.of(HpaPolicy.DEFAULT_MARK, 20))).build();
    assertThat(decide(hpa, later)).isEqualTo(12);
  }

  @Test
  void aCountALaterStepAppliedIsNoScaleEventOfTheHpa() {
    // Scale-up Pods 2 per 60 s. A predictive plan raised 10 -> 20 fifteen seconds ago, above
    // this HPA's output of 10; the load now asks for 30. The controller stores only its own
    // rescales, so its period starts at the 20 running: 22. Counting the plan's +10 as an HPA
    // event started the period at 10 and froze the floor at 20 for the whole period.
    HpaPolicy slowUp = HpaPolicy.builder().scaleUp(new ScalingRules(Duration.ZERO,
        List.of(ScalingPolicy.pods(2, Duration.ofSeconds(60))), ScalingRules.Select.MAX))
        .build();
    String output = HpaPolicy.DEFAULT_MARK + ".output";
    DecisionContext planned = synced(ctx(cpu(50, 1, 100), 20, "cpu", 75), 20)
        .past(past(15, 10, 20, true, Map.of(HpaPolicy.DEFAULT_MARK, 10, output, 10))).build();
    Proposal p = slowUp.apply(planned, Proposal.keep(20));
    assertThat(p.replicas()).isEqualTo(22);
    assertThat(p.marks()).containsEntry(output, 22);
    // The same change asked for by the HPA itself is its event: the period started at 10.
    DecisionContext own = synced(ctx(cpu(50, 1, 100), 20, "cpu", 75), 20)
        .past(past(15, 10, 20, true, Map.of(HpaPolicy.DEFAULT_MARK, 20, output, 20))).build();
    assertThat(decide(slowUp, own)).isEqualTo(20);
    // Its own 20 -> 22 cut to 21 by a later step (a budget): the +1 made is its event, so the
    // period started at 20 and allows 22, not 23.
    DecisionContext trimmed = synced(ctx(cpu(50, 1, 100), 21, "cpu", 75), 21)
        .past(past(15, 20, 21, true, Map.of(HpaPolicy.DEFAULT_MARK, 30, output, 22))).build();
    assertThat(decide(slowUp, trimmed)).isEqualTo(22);
    // A plan above its output of 12 (10 -> 20): its own +2 happened within the plan's +10.
    DecisionContext above = synced(ctx(cpu(50, 1, 100), 20, "cpu", 75), 20)
        .past(past(15, 10, 20, true, Map.of(HpaPolicy.DEFAULT_MARK, 12, output, 12))).build();
    assertThat(decide(slowUp, above)).isEqualTo(20);
  }

  @Test
  void aScaleUpOlderThanTheLongestScaleUpPeriodIsReplacedByTheNext() {
    // Scale-down Percent 10 per 600 s, scale-up rules default (15 s). Applied 10 -> 14 at -100 s
    // and 14 -> 18 at -70 s; the load wants 2. The controller keeps scale-up events apart and
    // replaces one older than the longest scale-up period (storeScaleEvent,
    // markScaleEventsOutdated): only +4 counts in the 600 s period, which started at 14, and
    // int32(14 x 0.9) = 12. Summing every change gave 10 and 9.
    HpaPolicy slowDown = HpaPolicy.builder().scaleDown(new ScalingRules(Duration.ZERO,
        List.of(ScalingPolicy.percent(10, Duration.ofSeconds(600))), ScalingRules.Select.MAX))
        .build();
    DecisionContext c = ctx(cpu(50, 1, 100), 18, "cpu", 5)
        .past(past(100, 10, 14, true, Map.of(HpaPolicy.DEFAULT_MARK, 14)))
        .past(past(70, 14, 18, true, Map.of(HpaPolicy.DEFAULT_MARK, 18))).build();
    assertThat(decide(slowDown, c)).isEqualTo(12);
    // one scale-up alone is never replaced: it counts for the whole 600 s, 14 -> 12 as well
    DecisionContext one = ctx(cpu(50, 1, 100), 18, "cpu", 5)
        .past(past(100, 14, 18, true, Map.of(HpaPolicy.DEFAULT_MARK, 18))).build();
    assertThat(decide(slowDown, one)).isEqualTo(12);
    // a scale-down 18 -> 16 within the period counts: the start is 16 - 4 + 2 = 14 -> 12
    DecisionContext down = ctx(cpu(50, 1, 100), 16, "cpu", 5)
        .past(past(100, 10, 14, true, Map.of(HpaPolicy.DEFAULT_MARK, 14)))
        .past(past(70, 14, 18, true, Map.of(HpaPolicy.DEFAULT_MARK, 18)))
        .past(past(30, 18, 16, true, Map.of(HpaPolicy.DEFAULT_MARK, 16))).build();
    assertThat(decide(slowDown, down)).isEqualTo(12);
    // Two scale-ups 5 s apart (the first not outdated yet when the second came), then a third
    // once both are outdated: the controller replaces the last outdated one (its loop keeps the
    // last index), so +2 and +4 count in the 600 s period: start 19 - 6 = 13, int32(13 x 0.9)
    // = 11. Replacing the first would leave +3 and +4: start 12, and 10.
    DecisionContext three = ctx(cpu(50, 1, 100), 19, "cpu", 5)
        .past(past(200, 10, 12, true, Map.of(HpaPolicy.DEFAULT_MARK, 12)))
        .past(past(195, 12, 15, true, Map.of(HpaPolicy.DEFAULT_MARK, 15)))
        .past(past(100, 15, 19, true, Map.of(HpaPolicy.DEFAULT_MARK, 19))).build();
    assertThat(decide(slowDown, three)).isEqualTo(11);
  }

  @Test
  void docsExampleNineHundredPercentScaleUp() {
    HpaPolicy fast = HpaPolicy.builder().scaleUp(new ScalingRules(Duration.ZERO,
        List.of(ScalingPolicy.percent(900, Duration.ofSeconds(60))),
        ScalingRules.Select.MAX)).build();
    // 1 pod at 10000 %: raw 200; at most 1 x (1 + 9) = 10, then 10 x 10 = 100
    assertThat(decide(fast, ctx(cpu(50, 1, 1000), 1, "cpu", 10_000).build())).isEqualTo(10);
    assertThat(decide(fast, ctx(cpu(50, 1, 1000), 10, "cpu", 10_000).build())).isEqualTo(100);
  }

  @Test
  void docsExampleScaleDownPodsAndPercentPolicies() {
    ScalingRules down = new ScalingRules(Duration.ZERO, List.of(
        ScalingPolicy.pods(4, Duration.ofSeconds(60)),
        ScalingPolicy.percent(10, Duration.ofSeconds(60))), ScalingRules.Select.MAX);
    HpaPolicy max = HpaPolicy.builder().scaleDown(down).build();
    HpaPolicy min = HpaPolicy.builder().scaleDown(down.withSelect(ScalingRules.Select.MIN))
        .build();
    HpaPolicy off = HpaPolicy.builder().scaleDown(down.withSelect(ScalingRules.Select.DISABLED))
        .build();
    DecisionContext c = synced(ctx(cpu(50, 1, 100), 80, "cpu", 5), 80).build(); // raw 8
    assertThat(decide(max, c)).isEqualTo(72); // 10 % of 80 = 8 > 4 pods
    assertThat(decide(min, c)).isEqualTo(76); // the smaller change: 4 pods
    assertThat(decide(off, c)).isEqualTo(80);
    // 30 s after an applied 80 -> 72, the period still starts at 80: no further step
    DecisionContext after = synced(ctx(cpu(50, 1, 100), 72, "cpu", 5), 80)
        .past(past(30, 80, 72, true, Map.of())).build();
    assertThat(decide(max, after)).isEqualTo(72);
  }

  @Test
  void scaleDownStabilizationKeepsTheHighestRecentRecommendation() {
    DecisionContext c = ctx(cpu(50, 1, 100), 10, "cpu", 25)
        .past(past(200, 10, 10, false, Map.of(HpaPolicy.DEFAULT_MARK, 10)))
        .past(past(100, 10, 10, false, Map.of(HpaPolicy.DEFAULT_MARK, 7)))
        .build();
    Proposal p = hpa.apply(c, Proposal.keep(10));
    assertThat(p.replicas()).isEqualTo(10);
    assertThat(p.marks()).containsEntry(HpaPolicy.DEFAULT_MARK, 5);
    assertThat(p.explain()).contains("scale-down stabilization");
    // Once the 10 is older than 300 s, the highest in the window is 7.
    DecisionContext later = ctx(cpu(50, 1, 100), 10, "cpu", 25)
        .past(past(301, 10, 10, false, Map.of(HpaPolicy.DEFAULT_MARK, 10)))
        .past(past(100, 10, 10, false, Map.of(HpaPolicy.DEFAULT_MARK, 7)))
        .build();
    assertThat(decide(hpa, later)).isEqualTo(7);
  }

  @Test
  void scaleUpStabilizationKeepsTheLowestRecentRecommendation() {
    HpaPolicy slow = HpaPolicy.builder().scaleUpStabilization(Duration.ofSeconds(60)).build();
    DecisionContext c = ctx(cpu(50, 1, 100), 4, "cpu", 100)
        .past(past(30, 4, 4, false, Map.of(HpaPolicy.DEFAULT_MARK, 5))).build();
    assertThat(decide(slow, c)).isEqualTo(5);
    assertThat(decide(hpa, c)).isEqualTo(8);
  }

  @Test
  void withoutBehaviorTheScaleUpLimitIsTwiceTheCountOrFour() {
    // raw 20 from 1, 2 and 3 replicas: max(2 x current, 4) = 4, 4, 6 (the behavior path: 5, 6, 7)
    assertThat(decide(legacy, ctx(cpu(50, 1, 100), 1, "cpu", 1000).build())).isEqualTo(4);
    assertThat(decide(legacy, ctx(cpu(50, 1, 100), 2, "cpu", 500).build())).isEqualTo(4);
    assertThat(decide(legacy, ctx(cpu(50, 1, 100), 3, "cpu", 340).build())).isEqualTo(6);
    assertThat(decide(hpa, ctx(cpu(50, 1, 100), 3, "cpu", 340).build())).isEqualTo(7);
    assertThat(legacy.apply(ctx(cpu(50, 1, 100), 2, "cpu", 500).build(), Proposal.keep(2))
        .explain()).contains("scale-up limited to max(2 × 2, 4) = 4 (no spec.behavior)");
    // 10 replicas at 300 %: raw 60, limit 20; with maxReplicas 15 the bound says so
    assertThat(decide(legacy, ctx(cpu(50, 1, 100), 10, "cpu", 300).build())).isEqualTo(20);
    assertThat(legacy.apply(ctx(cpu(50, 1, 15), 10, "cpu", 300).build(), Proposal.keep(10))
        .explain()).endsWith("(maxReplicas 15)");
  }

  @Test
  void withoutBehaviorTheCountClimbsTowardTheHighestRecentRecommendation() {
    // 15 s ago raw 20 took 2 -> 4 (limited); now the load needs 3: the highest recommendation
    // of the last 300 s is still 20, so it doubles again, where the behavior path keeps 4.
    DecisionContext c = ctx(cpu(50, 1, 100), 4, "cpu", 37)
        .past(past(15, 2, 4, true, Map.of(HpaPolicy.DEFAULT_MARK, 20))).build();
    assertThat(decide(legacy, c)).isEqualTo(8);
    assertThat(decide(hpa, c)).isEqualTo(4);
    // and never below that highest recommendation while it is in the window
    DecisionContext down = ctx(cpu(50, 1, 100), 10, "cpu", 25)
        .past(past(200, 10, 10, false, Map.of(HpaPolicy.DEFAULT_MARK, 10)))
        .past(past(100, 10, 10, false, Map.of(HpaPolicy.DEFAULT_MARK, 7))).build();
    assertThat(decide(legacy, down)).isEqualTo(10);
    assertThat(legacy.memory()).isEqualTo(Duration.ofMinutes(5));
    // A recommendation exactly 300 s old no longer counts, on either path: in a cluster the one
    // 20 syncs back is always older than 300 s (each sync starts 15 s after the last one ended);
    // kept, it held every scale-down of the simulator's exact grid one sync longer.
    DecisionContext edge = synced(ctx(cpu(50, 1, 100), 10, "cpu", 25), 10)
        .past(past(300, 10, 10, false, Map.of(HpaPolicy.DEFAULT_MARK, 9))).build();
    assertThat(decide(legacy, edge)).isEqualTo(5);
    assertThat(decide(hpa, edge)).isEqualTo(5);
    DecisionContext inside = synced(ctx(cpu(50, 1, 100), 10, "cpu", 25), 10)
        .past(past(299, 10, 10, false, Map.of(HpaPolicy.DEFAULT_MARK, 9))).build();
    assertThat(decide(legacy, inside)).isEqualTo(9);
  }

  @Test
  void aUtilizationIsTakenInWholePercentRoundedDown() {
    // Catches a reading rounded to the nearest whole percent: the controller divides Σ usage ×
    // 100 by Σ requests in integers, so 66.96 % is 66 % against a 60 % target (1.1, within the
    // tolerance) and 10 replicas stay; rounded up to 67 % (1.117) they went to 12.
    assertThat(decide(legacy, synced(ctx(cpu(60, 1, 100), 10, "cpu", 66.96), 10).build()))
        .isEqualTo(10);
    assertThat(decide(hpa, synced(ctx(cpu(60, 1, 100), 10, "cpu", 66.96), 10).build()))
        .isEqualTo(10);
    // a whole reading is kept whole, not taken for the percent below it
    assertThat(decide(legacy, synced(ctx(cpu(60, 1, 100), 10, "cpu", 72), 10).build()))
        .isEqualTo(12);
  }

  @Test
  void theFirstSyncRecordsTheCurrentCountAsARecommendation() {
    // No recommendation before: 10 replicas whose load needs 5 stay at 10 for 300 s, as the
    // controller's recordInitialRecommendation makes them, on both paths.
    Proposal first = legacy.apply(ctx(cpu(50, 1, 100), 10, "cpu", 25).build(),
        Proposal.keep(10));
    assertThat(first.replicas()).isEqualTo(10);
    assertThat(first.marks()).containsEntry(HpaPolicy.DEFAULT_MARK, 5)
        .containsEntry(HpaPolicy.DEFAULT_MARK + ".initial", 10);
    assertThat(decide(hpa, ctx(cpu(50, 1, 100), 10, "cpu", 25).build())).isEqualTo(10);
    DecisionContext later = ctx(cpu(50, 1, 100), 10, "cpu", 25)
        .past(past(200, 10, 10, false, first.marks())).build();
    assertThat(decide(legacy, later)).isEqualTo(10);
    assertThat(decide(hpa, later)).isEqualTo(10);
    DecisionContext after = ctx(cpu(50, 1, 100), 10, "cpu", 25)
        .past(past(301, 10, 10, false, first.marks())).build();
    assertThat(decide(legacy, after)).isEqualTo(5);
    assertThat(decide(hpa, after)).isEqualTo(5);
  }

  @Test
  void theFirstSyncIsTheFirstTickEvenWhenItsMetricsFailed() {
    // recordInitialRecommendation runs at the first reconcile, before any metric: a first tick
    // 315 s ago that was held (no marks) put the initial 10 out of the 300 s window, so 10
    // replicas at 10 % of 50 % go to 2 (it was kept at 10, the initial dated from now).
    DecisionContext late = ctx(cpu(50, 1, 100), 10, "cpu", 10)
        .past(past(315, 10, 10, false, Map.of())).build();
    assertThat(decide(legacy, late)).isEqualTo(2);
    assertThat(decide(hpa, late)).isEqualTo(2);
    // held 200 s ago: the initial is in the window now, and stays dated 200 s before this tick
    Proposal first = legacy.apply(ctx(cpu(50, 1, 100), 10, "cpu", 10)
        .past(past(200, 10, 10, false, Map.of())).build(), Proposal.keep(10));
    assertThat(first.replicas()).isEqualTo(10);
    assertThat(first.marks()).containsEntry(HpaPolicy.DEFAULT_MARK + ".initial", 10)
        .containsEntry(HpaPolicy.DEFAULT_MARK + ".initial.age-ms", 200_000);
    // 120 s later the first tick was 320 s ago: out of the window, so 10 -> 2
    java.time.Instant then = NOW.plusSeconds(120);
    for (HpaPolicy policy : List.of(legacy, hpa)) {
      DecisionContext next = DecisionContext.builder(cpu(50, 1, 100), then,
              ReplicaStatus.of(10, 10)).reading("cpu", 10)
          .past(new dev.prescaler.core.PastDecision(NOW.minusSeconds(200), 10, 10, false,
              Map.of()))
          .past(new dev.prescaler.core.PastDecision(NOW, 10, 10, false, first.marks()))
          .build();
      assertThat(decide(policy, next)).isEqualTo(2);
    }
  }

  @Test
  void withABehaviorTheFirstSyncsRecommendationCountsOnlyInTheWindowsItFallsIn() {
    // A 60 s scale-up window keeps the first sync at the current count; a 0 s scale-down window
    // does not (stabilizeRecommendationWithBehaviors takes it in each window it falls in).
    HpaPolicy slowUp = HpaPolicy.builder().scaleUpStabilization(Duration.ofSeconds(60)).build();
    assertThat(decide(slowUp, ctx(cpu(50, 1, 100), 5, "cpu", 100).build())).isEqualTo(5);
    HpaPolicy fastDown = HpaPolicy.builder().scaleDownStabilization(Duration.ZERO).build();
    assertThat(decide(fastDown, ctx(cpu(50, 1, 100), 10, "cpu", 25).build())).isEqualTo(5);
    // 30 s later the initial 5 is still in the 60 s scale-up window
    Proposal first = slowUp.apply(ctx(cpu(50, 1, 100), 5, "cpu", 100).build(), Proposal.keep(5));
    DecisionContext later = ctx(cpu(50, 1, 100), 5, "cpu", 100)
        .past(past(30, 5, 5, false, first.marks())).build();
    assertThat(decide(slowUp, later)).isEqualTo(5);
  }

  @Test
  void warmingPodsAreUnreadyForCpuOnScaleUp() {
    WorkloadSpec spec = cpu(50, 1, 100);
    // 4 pods, 2 warming: the 2 sampled at 100 % of 50 -> 2.0; with 2 unready at 0 %: 1.0 -> 4
    DecisionContext c = DecisionContext.builder(spec, NOW, new ReplicaStatus(4, 4, 2))
        .reading("cpu", 100).build();
    assertThat(decide(hpa, c)).isEqualTo(4);
    // pending pods (current 6, ready 4) likewise: sampled 4 at 100 % -> 2.0; corrected
    // 4000/6000 = 66 % -> 1.32 -> ceil(7.92) = 8
    DecisionContext pending = DecisionContext.builder(spec, NOW, new ReplicaStatus(6, 4, 0))
        .reading("cpu", 100).build();
    assertThat(decide(hpa, pending)).isEqualTo(8);
  }

  @Test
  void averageValueMetricsUseTheCurrentCountInTheRatio() {
    // 55 rps on 5 replicas of 10: ratio 1.1 -> within tolerance
    assertThat(decide(hpa, ctx(rps(10, 1, 100), 5, "rps", 55).build())).isEqualTo(5);
    // 70 rps: ratio 1.4 -> ceil(70 / 10) = 7
    assertThat(decide(hpa, ctx(rps(10, 1, 100), 5, "rps", 70).build())).isEqualTo(7);
  }

  @Test
  void podsThatExistAreCountedAsTheControllersStatusReplicasAreNotTheDesiredCount() {
    // A rollout surging 25 % above spec 8: 10 pods exist (status.replicas). The controller takes
    // an AverageValue ratio against status.replicas: 90 / (10 x 10) = 0.9 is within tolerance,
    // so it recommends 10. Against spec it was 90 / 80 = 1.125 and ceil(90 / 10) = 9.
    DecisionContext surge = DecisionContext.builder(rps(10, 1, 100), NOW,
        ReplicaStatus.of(8, 8).withExisting(10)).reading("rps", 90).build();
    assertThat(decide(hpa, surge)).isEqualTo(10);
    // For CPU it lists the 10 pods: 8 ready at 80 % of a 70 % target (ratio 1.14) and 2 still
    // starting, which on a scale-up count at 0 %: 0.91, the other side of 1, so the count stays
    // at spec 8. Without the 2 starting pods it was ceil(1.14 x 8) = 10.
    DecisionContext cpu = DecisionContext.builder(cpu(70, 1, 100), NOW,
        ReplicaStatus.of(8, 8).withExisting(10)).reading("cpu", 80).build();
    assertThat(decide(hpa, cpu)).isEqualTo(8);
    assertThat(HpaPolicy.pods(ReplicaStatus.of(8, 8).withExisting(10), 80, NOW)).hasSize(10);
    // A custom resource whose scale has no status path reads status.replicas 0, while its 5
    // ready pods are listed: for CPU the controller lists those 5 (1.8 x 5 -> 9). Clamped to the
    // 0 existing, the policy held with "no pods returned by selector", for good; to a stale 3,
    // it asked for 6.
    for (int stale : new int[] {0, 3}) {
      DecisionContext behind = DecisionContext.builder(cpu(50, 1, 100), NOW,
          ReplicaStatus.of(5, 5).withExisting(stale)).reading("cpu", 90).build();
      assertThat(decide(hpa, behind)).as("status.replicas %s", stale).isEqualTo(9);
    }
    assertThat(HpaPolicy.pods(ReplicaStatus.of(5, 5).withExisting(0), 90, NOW)).hasSize(5);
    // An AverageValue ratio takes status.replicas as it is: 0 gives ceil(total / target).
    DecisionContext none = DecisionContext.builder(rps(10, 1, 100), NOW,
        ReplicaStatus.of(5, 5).withExisting(0)).reading("rps", 72).build();
    assertThat(decide(hpa, none)).isEqualTo(8);
  }

  @Test
  void averageValueTargetsAreTakenInMilliUnitsRoundedUpAndSaidWhenThatMatters() {
    // The controller reads the target as MilliValue(), rounded up: 1.0004 is 1.001, so 100.05 on
    // 10 replicas gives ceil(100050 / 1001) = 100 (rounded to nearest it was 1.000 and 101).
    assertThat(decide(legacy, synced(ctx(rps(1.0004, 1, 1000), 10, "rps", 100.05), 10).build()))
        .isEqualTo(20); // raw 100, limited to max(2 x 10, 4)
    Proposal p = legacy.apply(synced(ctx(rps(1.0004, 1, 1000), 10, "rps", 100.05), 10).build(),
        Proposal.keep(10));
    assertThat(p.marks()).containsEntry(HpaPolicy.DEFAULT_MARK, 100);
    // A target that rounding up to thousandths raises by more than 1 % is taken as the
    // controller takes it (0.0001 as 0.001: 500 replicas for a total of 0.5 that needs 5000),
    // and the explanation says so. Holding on it instead froze the workload at its count.
    Proposal tiny = legacy.apply(synced(ctx(rps(0.0001, 1, 10_000), 10, "rps", 0.5), 10)
        .build(), Proposal.keep(10));
    assertThat(tiny.replicas()).isEqualTo(20); // raw 500, limited to max(2 x 10, 4)
    assertThat(tiny.explain()).contains("target 0.0001 per replica taken as 0.001, as the "
        + "controller takes it (milli-units, rounded up)");
    Proposal minute = legacy.apply(synced(ctx(rps(1.0 / 60, 1, 10_000), 20, "rps", 0.05), 20)
        .build(), Proposal.keep(20));
    assertThat(minute.marks()).containsEntry(HpaPolicy.DEFAULT_MARK, 3); // 50 / 17 milli
    assertThat(minute.explain()).contains("taken as 0.017");
    // 0.8641 is 865 milli-units (0.1 % more): nothing to say.
    Proposal near = legacy.apply(synced(ctx(rps(0.8641, 1, 100), 10, "rps", 8.65), 10).build(),
        Proposal.keep(10));
    assertThat(near.replicas()).isEqualTo(10);
    assertThat(near.explain()).doesNotContain("taken as");
    assertThat(HpaPolicy.targetMilli(0.8641)).isEqualTo(865);
    assertThat(HpaPolicy.targetMilli(0.0999)).isEqualTo(100);
    assertThat(HpaPolicy.targetMilli(0.0504)).isEqualTo(51);
    assertThat(HpaPolicy.targetMilli(1e-12)).isEqualTo(1);
    // 0.5 is 500 milli-units: 2.5 on 1 replica -> 5, limited to max(2 x 1, 4)
    assertThat(decide(legacy, synced(ctx(rps(0.5, 1, 100), 1, "rps", 2.5), 1).build()))
        .isEqualTo(4);
  }

  @Test
  void severalMetricsTakeTheHighest() {
    WorkloadSpec spec = WorkloadSpec.builder(Fixtures.WEB).maxReplicas(100)
        .metric(MetricTarget.utilization("cpu", 50))
        .metric(MetricTarget.averageValue("rps", 10)).build();
    DecisionContext c = DecisionContext.builder(spec, NOW, ReplicaStatus.of(4, 4))
        .reading("cpu", 75).reading("rps", 90).build(); // cpu -> 6, rps -> 9
    assertThat(decide(hpa, c)).isEqualTo(8); // +4 pods limit from 4
    Proposal p = hpa.apply(c, Proposal.keep(4));
    assertThat(p.marks()).containsEntry(HpaPolicy.DEFAULT_MARK, 9);
  }

  /**
   * The controller's rule for a metric it cannot compute: no scale-down, but a scale-up on the
   * others. A metric with no reading never reaches a policy (the engine holds the workload, and
   * a {@code DecisionContext} cannot be built without it), so the failing metric here is a
   * utilization over no ready pod, which the calculator cannot measure.
   */
  @Test
  void aMetricThatCannotBeComputedBlocksScaleDownButNotScaleUp() {
    WorkloadSpec spec = WorkloadSpec.builder(Fixtures.WEB).maxReplicas(100)
        .metric(MetricTarget.utilization("cpu", 50))
        .metric(MetricTarget.averageValue("rps", 10)).build();
    DecisionContext down = DecisionContext.builder(spec, NOW, ReplicaStatus.of(4, 0))
        .reading("cpu", 50).reading("rps", 10).build();
    assertThat(decide(hpa, down)).isEqualTo(4);
    assertThat(hpa.apply(down, Proposal.keep(4)).explain()).contains("keeping 4: cpu: ");
    DecisionContext up = DecisionContext.builder(spec, NOW, ReplicaStatus.of(4, 0))
        .reading("cpu", 50).reading("rps", 60).build();
    assertThat(decide(hpa, up)).isEqualTo(6);
  }

  @Test
  void countsOutsideTheBoundsGoToTheNearestBound() {
    assertThat(decide(hpa, ctx(cpu(50, 1, 10), 15, "cpu", 500).build())).isEqualTo(10);
    assertThat(decide(hpa, ctx(cpu(50, 3, 10), 2, "cpu", 1).build())).isEqualTo(3);
    assertThat(decide(hpa, ctx(cpu(50, 0, 10), 0, "cpu", 1).build())).isEqualTo(0);
  }

  @Test
  void withMinReplicasZeroAnObjectOrExternalMetricScalesUpFromZero() {
    // The controller disables autoscaling at 0 only when minReplicas is not 0. With 0 it computes:
    // GetExternalPerPodMetricReplicas gives ceil(300 / 10) = 30, limited from 0 to
    // max(2 x 0, 4) = 4 without a behavior, and to the +4 pods policy with the default behavior.
    DecisionContext c = ctx(rps(10, 0, 100), 0, "rps", 300).build();
    Proposal p = legacy.apply(c, Proposal.keep(0));
    assertThat(p.replicas()).isEqualTo(4);
    assertThat(p.marks()).containsEntry(HpaPolicy.DEFAULT_MARK, 30);
    assertThat(decide(hpa, c)).isEqualTo(4);
    // no load: ceil(0 / 10) = 0 stays at 0
    assertThat(decide(legacy, ctx(rps(10, 0, 100), 0, "rps", 0).build())).isEqualTo(0);
    // a utilization over no pods has no pods: the controller's error, so the count is held
    Proposal cpu = legacy.apply(ctx(cpu(50, 0, 10), 0, "cpu", 90).build(), Proposal.keep(0));
    assertThat(cpu.replicas()).isEqualTo(0);
    assertThat(cpu.explain()).contains("no pods returned by selector");
    // with minReplicas above 0, a count of 0 means autoscaling is disabled
    assertThat(decide(legacy, ctx(rps(10, 1, 100), 0, "rps", 300).build())).isEqualTo(0);
  }

  @Test
  void recommendationIsClampedToMax() {
    assertThat(decide(hpa, ctx(cpu(50, 1, 5), 4, "cpu", 200).build())).isEqualTo(5);
    assertThat(hpa.apply(ctx(cpu(50, 1, 5), 4, "cpu", 200).build(), Proposal.keep(4)).explain())
        .endsWith("hpa: 16 -> 5 (maxReplicas 5)");
  }

  @Test
  void anAbsurdButFiniteUtilizationScalesUpAsFarAsTheLimitsAllow() {
    // 10 replicas at 1e15 % or more of 50 %: the long sums wrapped (1e15 threw "proposed replicas
    // must be >= 0, but was -1"; 1e18 scaled 10 -> 2). More load never gives fewer replicas: the
    // rate limits allow 20 on both paths, and the predictive stack keeps its floor.
    PredictivePolicy predictive = PredictivePolicy.ofDefaults();
    for (double reading : new double[] {1e15, 1e17, 1e18, 1e19, 1e300, Double.MAX_VALUE}) {
      DecisionContext c = synced(ctx(cpu(50, 2, 100), 10, "cpu", reading), 10).build();
      assertThat(decide(legacy, c)).as("%s", reading).isEqualTo(20);
      assertThat(decide(hpa, c)).as("%s", reading).isEqualTo(20);
      assertThat(predictive.apply(c, Proposal.keep(10)).replicas()).as("%s", reading)
          .isGreaterThanOrEqualTo(20);
    }
  }

  /**
   * Catches startup settings beyond any pod's life: a CPU initialization period of FOREVER built,
   * then made every CPU metric over a pod list throw ArithmeticException (start time plus the
   * period overflowed an Instant).
   */
  @Test
  void cpuInitializationPeriodAndInitialReadinessDelay_aboveOneHour() {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    assertThatThrownBy(() -> HpaPolicy.builder().cpuInitializationPeriod(forever)
        .initialReadinessDelay(Duration.ofHours(1).plusNanos(1)).build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(
            e.problems()).containsExactly(
                "cpuInitializationPeriod must be in [0, 1h], but was " + forever,
                "initialReadinessDelay must be in [0, 1h], but was PT1H0.000000001S"));
    assertThatThrownBy(() -> HpaPolicy.builder().initialReadinessDelay(Duration.ofSeconds(-1))
        .build()).hasMessage("Invalid HpaPolicy:\n"
            + "- initialReadinessDelay must be in [0, 1h], but was PT-1S");
    HpaPolicy longest = HpaPolicy.builder().cpuInitializationPeriod(Duration.ofHours(1))
        .initialReadinessDelay(Duration.ofHours(1)).build();
    assertThat(longest.calculator().resourceUtilization(HpaPolicy.pods(
        new ReplicaStatus(4, 4, 2), 150, NOW), 4, 50, true, NOW).replicas()).isEqualTo(6);
  }

  /**
   * What README's table says of the two startup settings on the engine's path (aggregate
   * counts): of the CPU initialization period only whether it is 0 matters, and the initial
   * readiness delay changes nothing.
   */
  @Test
  void onTheEnginePathOnlyAZeroCpuInitializationPeriodMatters() {
    MetricTarget cpu = MetricTarget.utilization("cpu", 50);
    for (ReplicaStatus r : List.of(new ReplicaStatus(4, 4, 2), new ReplicaStatus(6, 3, 1, 6),
        new ReplicaStatus(5, 5, 5))) {
      for (double reading : new double[] {20, 50, 150}) {
        HpaReplicaCalculator.Result base = HpaPolicy.ofDefaults().recommend(cpu, reading, r, NOW);
        for (Duration period : List.of(Duration.ofSeconds(1), Duration.ofHours(1))) {
          for (Duration delay : List.of(Duration.ZERO, Duration.ofHours(1))) {
            assertThat(HpaPolicy.builder().cpuInitializationPeriod(period)
                .initialReadinessDelay(delay).build().recommend(cpu, reading, r, NOW))
                .as("%s at %s, %s / %s", r, reading, period, delay).isEqualTo(base);
          }
        }
      }
    }
    assertThat(HpaPolicy.builder().cpuInitializationPeriod(Duration.ZERO).build()
        .recommend(cpu, 150, new ReplicaStatus(4, 4, 2), NOW).replicas()).isEqualTo(12);
  }

  @Test
  void builderReportsEveryProblem() {
    assertThatThrownBy(() -> HpaPolicy.builder().toleranceUp(-1).toleranceDown(Double.NaN)
        .scaleUpStabilization(Duration.ofHours(2))
        .scaleDownStabilization(Duration.ofSeconds(-1)).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid HpaPolicy:\n- toleranceUp must be >= 0 and finite, but was -1.0\n"
            + "- toleranceDown must be >= 0 and finite, but was NaN\n"
            + "- scaleUpStabilization must be in [0, 1h], but was PT2H\n"
            + "- scaleDownStabilization must be in [0, 1h], but was PT-1S");
    // what the API server accepts (a tolerance >= 0) builds, however wide
    assertThat(HpaPolicy.builder().toleranceUp(20).toleranceDown(1.5).build().calculator()
        .tolerances()).isEqualTo(new Tolerances(20, 1.5));
    // the last write wins: rules set after a window replace it, a window after rules sets it
    assertThat(HpaPolicy.builder().scaleUpStabilization(Duration.ofHours(2))
        .scaleUp(ScalingRules.DEFAULT_UP).build().scaleUp()).isEqualTo(ScalingRules.DEFAULT_UP);
    assertThat(HpaPolicy.builder().scaleUp(ScalingRules.DEFAULT_UP)
        .scaleUpStabilization(Duration.ofMinutes(1)).build().scaleUp().stabilizationWindow())
        .isEqualTo(Duration.ofMinutes(1));
    assertThatThrownBy(() -> new ScalingRules(Duration.ofHours(2), List.of(),
        ScalingRules.Select.MAX))
        .hasMessage("stabilizationWindow must be in [0, 1h], but was PT2H");
    assertThatThrownBy(() -> ScalingPolicy.pods(0, Duration.ofSeconds(15)))
        .hasMessage("scaling policy value must be > 0, but was 0");
  }

  /**
   * The rules carry their own stabilization window, so the rules and the window setter of one
   * direction set the same window and the last call wins, in either order and either direction,
   * as the javadoc and the README say.
   */
  @Test
  void theRulesAndTheWindowSetterOfOneDirectionSetOneWindowLastCallWins() {
    Duration twoMinutes = Duration.ofSeconds(120);
    ScalingRules up = new ScalingRules(Duration.ofSeconds(30), ScalingRules.DEFAULT_UP.policies(),
        ScalingRules.Select.MAX);
    ScalingRules down = new ScalingRules(Duration.ofSeconds(30),
        ScalingRules.DEFAULT_DOWN.policies(), ScalingRules.Select.MAX);
    assertThat(HpaPolicy.builder().scaleUpStabilization(twoMinutes).scaleUp(up).build()
        .scaleUp().stabilizationWindow()).isEqualTo(Duration.ofSeconds(30));
    assertThat(HpaPolicy.builder().scaleUp(up).scaleUpStabilization(twoMinutes).build()
        .scaleUp()).isEqualTo(up.withStabilizationWindow(twoMinutes));
    assertThat(HpaPolicy.builder().scaleDownStabilization(twoMinutes).scaleDown(down).build()
        .scaleDown().stabilizationWindow()).isEqualTo(Duration.ofSeconds(30));
    assertThat(HpaPolicy.builder().scaleDown(down).scaleDownStabilization(twoMinutes).build()
        .scaleDown()).isEqualTo(down.withStabilizationWindow(twoMinutes));
    // One direction's calls leave the other's window alone.
    assertThat(HpaPolicy.builder().scaleUpStabilization(twoMinutes).scaleDown(down).build()
        .scaleUp().stabilizationWindow()).isEqualTo(twoMinutes);
  }

  @Test
  void toBuilderKeepsTheSettings() {
    HpaPolicy a = HpaPolicy.builder().toleranceUp(0.2).scaleDownStabilization(Duration.ZERO)
        .build();
    HpaPolicy b = a.toBuilder().build();
    assertThat(b.scaleDown().stabilizationWindow()).isEqualTo(Duration.ZERO);
    assertThat(b.calculator().tolerances().up()).isEqualTo(0.2);
  }
}
