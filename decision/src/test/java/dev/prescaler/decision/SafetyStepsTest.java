package dev.prescaler.decision;

import static dev.prescaler.decision.Fixtures.NOW;
import static dev.prescaler.decision.Fixtures.ctx;
import static dev.prescaler.decision.Fixtures.past;
import static dev.prescaler.decision.Fixtures.rps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.StepLimits;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafetyStepsTest {
  private static Proposal wants(int replicas) {
    return Proposal.keep(10).to("test", replicas, "wanted");
  }

  private static DecisionContext.Builder at10() {
    return ctx(rps(10, 1, 100), 10, "rps", 100);
  }

  @Test
  void cooldownHoldsScaleDownAfterAScaleUp() {
    Cooldown c = Cooldown.ofDefaults();
    DecisionContext recentUp = at10().lastScaleUp(NOW.minusSeconds(100)).build();
    assertThat(c.apply(recentUp, wants(5)).replicas()).isEqualTo(10);
    assertThat(c.apply(recentUp, wants(5)).explain()).contains("cooldown");
    assertThat(c.apply(recentUp, wants(15)).replicas()).isEqualTo(15);
    DecisionContext longAgo = at10().lastScaleUp(NOW.minusSeconds(180)).build();
    assertThat(c.apply(longAgo, wants(5)).replicas()).isEqualTo(5);
    DecisionContext recentDown = at10().lastScaleDown(NOW.minusSeconds(30)).build();
    assertThat(c.apply(recentDown, wants(5)).replicas()).isEqualTo(10);
  }

  @Test
  void cooldownCanHoldScaleUpToo() {
    Cooldown c = new Cooldown(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(60));
    assertThat(c.apply(at10().lastScaleDown(NOW.minusSeconds(10)).build(), wants(15))
        .replicas()).isEqualTo(10);
    assertThat(c.apply(at10().lastScaleDown(NOW.minusSeconds(61)).build(), wants(15))
        .replicas()).isEqualTo(15);
    assertThatThrownBy(() -> new Cooldown(Duration.ofSeconds(-1), Duration.ZERO, Duration.ZERO))
        .hasMessage("downAfterUp must be in [PT0S, PT24H], but was PT-1S");
  }

  @Test
  void stabilizationScalesDownOnlyToTheHighestRecentProposal() {
    ScaleDownStabilization s = ScaleDownStabilization.of(Duration.ofSeconds(300));
    DecisionContext c = at10()
        .past(past(200, 10, 10, false, Map.of("stabilization.proposal", 9)))
        .past(past(400, 10, 10, false, Map.of("stabilization.proposal", 12))).build();
    Proposal p = s.apply(c, wants(4));
    assertThat(p.replicas()).isEqualTo(9);
    assertThat(p.marks()).containsEntry("stabilization.proposal", 4);
    assertThat(s.apply(c, wants(14)).replicas()).isEqualTo(14);
  }

  @Test
  void gradualScaleDownRemovesAtMostAShareOfThePeriodStart() {
    GradualScaleDown g = GradualScaleDown.ofDefaults(); // 10 % per 60 s, at least 1 pod
    assertThat(g.apply(at10().build(), wants(2)).replicas()).isEqualTo(9);
    // 30 s after an applied 10 -> 9 the period started at 10: no more than 9 yet
    DecisionContext after = ctx(rps(10, 1, 100), 9, "rps", 20)
        .past(past(30, 10, 9, true, Map.of())).build();
    assertThat(g.apply(after, Proposal.keep(9).to("t", 2, "x")).replicas()).isEqualTo(9);
    DecisionContext big = ctx(rps(10, 1, 200), 100, "rps", 20).build();
    assertThat(g.apply(big, Proposal.keep(100).to("t", 2, "x")).replicas()).isEqualTo(90);
    assertThatThrownBy(() -> new GradualScaleDown(0, Duration.ofSeconds(60), 1))
        .hasMessage("percent must be in (0, 100], but was 0.0");
  }

  @Test
  void gradualScaleDownNeverRemovesMoreThanItsShare() {
    // Catches the float error of 1 - 0.8 (0.19999...): 80 % of 10 left 1 pod, not 2; and a
    // rounding that removed 2 of 15 pods (13 %) under a 10 % share.
    DecisionContext at10 = ctx(rps(10, 0, 100), 10, "rps", 5).build();
    assertThat(new GradualScaleDown(80, Duration.ofSeconds(60), 0)
        .apply(at10, Proposal.keep(10).to("t", 0, "x")).replicas()).isEqualTo(2);
    assertThat(new GradualScaleDown(90, Duration.ofSeconds(60), 0)
        .apply(at10, Proposal.keep(10).to("t", 0, "x")).replicas()).isEqualTo(1);
    DecisionContext at15 = ctx(rps(10, 0, 100), 15, "rps", 5).build();
    assertThat(new GradualScaleDown(10, Duration.ofSeconds(60), 0)
        .apply(at15, Proposal.keep(15).to("t", 0, "x")).replicas()).isEqualTo(14);
    for (int start = 1; start <= 400; start++) {
      DecisionContext c = ctx(rps(10, 0, 1000), start, "rps", 5).build();
      for (int percent = 1; percent <= 100; percent++) {
        int left = new GradualScaleDown(percent, Duration.ofSeconds(60), 0)
            .apply(c, Proposal.keep(start).to("t", 0, "x")).replicas();
        assertThat(100L * (start - left)).as("%d %% of %d", percent, start)
            .isLessThanOrEqualTo((long) percent * start)
            .isGreaterThan((long) percent * start - 100L);
      }
    }
  }

  @Test
  void stepLimitBoundsOneDecision() {
    StepLimit s = new StepLimit(new StepLimits(2, 10, 1, 10));
    assertThat(s.apply(at10().build(), wants(20)).replicas()).isEqualTo(12);
    assertThat(s.apply(at10().build(), wants(1)).replicas()).isEqualTo(9);
    assertThat(s.apply(at10().build(), wants(11)).replicas()).isEqualTo(11);
  }

  @Test
  void boundsClampToTheSpec() {
    DecisionContext c = ctx(rps(10, 3, 12), 10, "rps", 100).build();
    assertThat(Bounds.INSTANCE.apply(c, wants(50)).replicas()).isEqualTo(12);
    assertThat(Bounds.INSTANCE.apply(c, wants(1)).replicas()).isEqualTo(3);
    assertThat(Bounds.INSTANCE.apply(c, wants(5)).reasons()).hasSize(1);
  }

  @Test
  void sustainedScaleUpWaitsUntilTheRiseHasLasted() {
    SustainedScaleUp s = SustainedScaleUp.of(Duration.ofSeconds(60));
    DecisionContext fresh = at10()
        .past(past(30, 10, 10, false, Map.of("sustained.proposal", 10))).build();
    assertThat(s.apply(fresh, wants(15)).replicas()).isEqualTo(10);
    DecisionContext lasted = at10()
        .past(past(60, 10, 10, false, Map.of("sustained.proposal", 10)))
        .past(past(45, 10, 10, false, Map.of("sustained.proposal", 14)))
        .past(past(30, 10, 10, false, Map.of("sustained.proposal", 16))).build();
    assertThat(s.apply(lasted, wants(15)).replicas()).isEqualTo(14);
    assertThat(s.apply(fresh, wants(5)).replicas()).isEqualTo(5);
  }

  // Caught a rise (and a fall) passed whole on a workload's first ticks: the guard had no
  // proposal of its own to compare with, while the HPA windows it copies hold the count of the
  // controller's first sync.
  @Test
  void theGuardsHoldTheCurrentCountUntilTheyHaveAWholeWindowOfProposals() {
    SustainedScaleUp up = SustainedScaleUp.of(Duration.ofSeconds(60));
    ScaleDownStabilization down = ScaleDownStabilization.of(Duration.ofSeconds(60));
    DecisionContext first = at10().build();
    assertThat(up.apply(first, wants(20)).replicas()).isEqualTo(10);
    assertThat(down.apply(first, wants(5)).replicas()).isEqualTo(10);
    // 45 s of proposals, then a hold: still short of a whole window.
    DecisionContext young = at10()
        .past(past(45, 10, 10, false, Map.of("sustained.proposal", 20,
            "stabilization.proposal", 5)))
        .past(past(15, 10, 10, false, Map.of())).build();
    assertThat(up.apply(young, wants(20)).replicas()).isEqualTo(10);
    assertThat(down.apply(young, wants(5)).replicas()).isEqualTo(10);
    // A proposal a whole window old: the window's own proposals decide.
    DecisionContext whole = at10()
        .past(past(60, 10, 10, false, Map.of("sustained.proposal", 20,
            "stabilization.proposal", 5)))
        .past(past(45, 10, 10, false, Map.of("sustained.proposal", 20,
            "stabilization.proposal", 5))).build();
    assertThat(up.apply(whole, wants(20)).replicas()).isEqualTo(20);
    assertThat(down.apply(whole, wants(5)).replicas()).isEqualTo(5);
    // A window of zero holds nothing.
    assertThat(SustainedScaleUp.of(Duration.ZERO).apply(first, wants(20)).replicas())
        .isEqualTo(20);
    assertThat(ScaleDownStabilization.of(Duration.ZERO).apply(first, wants(5)).replicas())
        .isEqualTo(5);
  }
}
