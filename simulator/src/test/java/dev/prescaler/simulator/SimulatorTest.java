package dev.prescaler.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.StepLimits;
import dev.prescaler.decision.HpaBehavior;
import dev.prescaler.decision.HpaPolicy;
import dev.prescaler.simulator.cluster.DemandCurve;
import dev.prescaler.simulator.policy.PolicyEnvironment;
import dev.prescaler.simulator.policy.PolicyRegistry;
import dev.prescaler.simulator.policy.PolicySetup;
import dev.prescaler.simulator.score.AtSlo;
import dev.prescaler.simulator.score.Scorecard;
import dev.prescaler.simulator.trace.Sample;
import dev.prescaler.simulator.trace.Trace;
import dev.prescaler.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SimulatorTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** 2 h at 10, then a jump to 100 for 1 h, then 10 again; one sample a minute. */
  private static Trace stepTrace() {
    List<Sample> s = new ArrayList<>();
    for (int m = 0; m < 240; m++) {
      s.add(new Sample(T0.plusSeconds(60L * m), m >= 120 && m < 180 ? 100 : 10));
    }
    return Trace.of("step", s);
  }

  private static SimulationResult simulate(Trace t, SimulationConfig c) {
    return Simulator.of(PolicyRegistry.standard(), c).run(t, ManualClock.ofDefault(), l -> {});
  }

  @Test
  void theTracesUnitChangesNoDecision() {
    // Catches the HPA's thousandths meeting a trace in fractions: NAB iio in gigabytes has a
    // per-replica target of 0.003 at 0.7, which the HPA would read as 3 thousandths, and a
    // change of unit would change its decisions.
    Trace bytes = dev.prescaler.simulator.trace.TraceReader.readResource(
        "/traces/nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv", "iio");
    List<Sample> scaled = new ArrayList<>();
    for (int i = 0; i < bytes.size(); i++) {
      scaled.add(new Sample(bytes.time(i), bytes.value(i) * 1e-9));
    }
    SimulationConfig c = SimulationConfig.builder().sweep(false)
        .policies(List.of("hpa", "predictive")).build();

    SimulationResult a = simulate(bytes, c);
    SimulationResult b = simulate(Trace.of("iio", scaled), c);

    assertThat(b.capacity()).isCloseTo(a.capacity() * 1e-9, org.assertj.core.data.Percentage
        .withPercentage(1e-9));
    Scorecard x = a.policy("hpa").orElseThrow().scorecard();
    Scorecard y = b.policy("hpa").orElseThrow().scorecard();
    assertThat(y.scalingActions()).isEqualTo(x.scalingActions());
    assertThat(y.replicaHours()).isEqualTo(x.replicaHours());
    assertThat(y.underProvisionedPct()).isEqualTo(x.underProvisionedPct());
    // The forecasters keep their state in float, whose rounding a change of unit moves: the
    // predictive stack's decisions differ by rounding, and its forecasts come back in the
    // trace's unit.
    RunResult p = a.policy("predictive").orElseThrow().main();
    RunResult q = b.policy("predictive").orElseThrow().main();
    assertThat(q.replicaHours()).isCloseTo(p.replicaHours(),
        org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(q.forecasts()).hasSameSizeAs(p.forecasts()).isNotEmpty();
    int mid = p.forecasts().size() / 2;
    assertThat(q.forecasts().get(mid).point() * 1e9).isCloseTo(p.forecasts().get(mid).point(),
        org.assertj.core.data.Percentage.withPercentage(5));
    assertThat(Simulator.metricUnit(a.capacity())).isEqualTo(1);
    assertThat(Simulator.metricUnit(b.capacity())).isEqualTo(1000);
    assertThat(Simulator.metricUnit(0.004)).isEqualTo(1000);
    assertThat(Simulator.metricUnit(3e12)).isEqualTo(1e-4);
  }

  @Test
  void capacityIsDerivedFromThePeakAndPeakReplicas() {
    SimulationResult r = simulate(stepTrace(), SimulationConfig.builder().sweep(false).build());
    assertThat(r.capacity()).isEqualTo(100 / (0.7 * 20));
    // static-peak at 0.7 holds exactly the 20 replicas that serve the peak at 70 %.
    RunResult peak = r.policy("static-peak").orElseThrow().main();
    assertThat(peak.desiredAt(peak.desired().length - 1)).isEqualTo(20);
  }

  @Test
  void runStartsWithTheReplicasTheFirstDemandNeedsAndHoldsUntilMetricsArrive() {
    SimulationResult r = simulate(stepTrace(), SimulationConfig.builder().sweep(false)
        .policies(List.of("static-peak", "hpa")).build());
    RunResult peak = r.policy("static-peak").orElseThrow().main();
    // need(10) at 0.7 x capacity 7.142857 = ceil(2.0) = 2 replicas at the start.
    assertThat(peak.readyAt(0)).isEqualTo(2);
    // A reference reads the trace itself: it asks for its 20 at the first step, held by no
    // missing metric...
    assertThat(peak.holds()).isZero();
    assertThat(peak.desiredAt(0)).isEqualTo(20);
    // ...and they are ready 120 s (8 ticks) later.
    assertThat(peak.readyAt(7)).isEqualTo(2);
    assertThat(peak.readyAt(8)).isEqualTo(20);
    assertThat(peak.scalingActions()).isEqualTo(1);
    // A policy under test sees the first metric 60 s late: 4 held ticks at the first count.
    RunResult hpa = r.policy("hpa").orElseThrow().main();
    assertThat(hpa.readyAt(0)).isEqualTo(2);
    assertThat(hpa.holds()).isEqualTo(4);
    assertThat(hpa.desiredAt(3)).isEqualTo(2);
  }

  @Test
  void theOracleDecidesFromTheFirstStep() {
    // Catches the references held for the first metricsDelay like the policies under test: the
    // oracle's definition holds at every t, so a rise 150 s into the run is met on time. By hand
    // (capacity 10, 15 s steps to 3600 s): the need goes from 1 to 10 at 150 s, the oracle asks
    // for 10 at 30 s (150 - 120), ready at 150 s: 0 % short, (2 x 1 + 239 x 10) x 15 s.
    List<Sample> s = new ArrayList<>();
    for (int t = 0; t <= 3600; t += 15) {
      s.add(new Sample(T0.plusSeconds(t), t < 150 ? 10 : 100));
    }
    SimulationResult r = simulate(Trace.of("rise", s), SimulationConfig.builder().sweep(false)
        .capacity(10).policies(List.of("oracle-100")).build());
    RunResult o = r.policies().get(0).main();
    assertThat(o.underProvisionedPct()).isZero();
    assertThat(o.holds()).isZero();
    assertThat(o.replicaHours()).isCloseTo((2 + 239 * 10) * 15 / 3600.0, within(1e-9));
    assertThat(o.scalingActions()).isEqualTo(1);
  }

  @Test
  void replicasThatServeExactlyTheDemandAreNotShort() {
    // Catches the scoring rounding differently from the policies: 14.469 over 0.7 x 20 peak
    // replicas gives a capacity of 1.0334999999999999, 14 replicas serve it exactly, yet 14 x
    // capacity is 14.468999999999998 in floating point; compared exactly, oracle-100 (14
    // replicas) was short at every step of a constant trace.
    List<Sample> s = new ArrayList<>();
    for (int t = 0; t <= 3600; t += 15) {
      s.add(new Sample(T0.plusSeconds(t), 14.469));
    }
    SimulationResult r = simulate(Trace.of("flat", s), SimulationConfig.builder().sweep(false)
        .policies(List.of("oracle-100")).build());
    RunResult o = r.policies().get(0).main();
    assertThat(o.readyAt(100)).isEqualTo(14);
    assertThat(o.underProvisionedPct()).isZero();
  }

  @Test
  void oracle100NeverUnderProvisionsAJumpItCanSeeComing() {
    SimulationResult r = simulate(stepTrace(), SimulationConfig.builder().sweep(false).build());
    RunResult o = r.policy("oracle-100").orElseThrow().main();
    assertThat(o.underProvisionedPct()).isZero();
    assertThat(o.targetUtilization()).isEqualTo(1.0);
    // The oracle at 0.7 costs more than at 1.0, and static peak more than both.
    double o70 = r.policy("oracle").orElseThrow().main().replicaHours();
    assertThat(o70).isGreaterThan(o.replicaHours());
    assertThat(r.policy("static-peak").orElseThrow().main().replicaHours()).isGreaterThan(o70);
    assertThat(r.policy("oracle-100").orElseThrow().scorecard().costVsOracle()).isEqualTo(1.0);
  }

  @Test
  void oracle100IsNeverShortWhenTheStartupIsNotAMultipleOfTheSyncPeriod() {
    // Catches a window rounded down: at 100 s a replica asked for at step i is ready at step
    // i + 7 (105 s), and a window of 6 steps misses the demand of that step at every rise.
    SimulationConfig c = SimulationConfig.builder().sweep(false)
        .policies(List.of("oracle-100")).startupDelay(Duration.ofSeconds(100)).build();
    RunResult at100 = simulate(stepTrace(), c).policies().get(0).main();
    RunResult at105 = simulate(stepTrace(), c.toBuilder().startupDelay(Duration.ofSeconds(105))
        .build()).policies().get(0).main();
    assertThat(at100.underProvisionedPct()).isZero();
    // Both are ready at the same grid step, so the oracle asks for the same counts.
    assertThat(at100.desired()).containsExactly(at105.desired());
  }

  @Test
  void predictiveKeepsUpWithTheHpaBehaviorItHasAsItsFloor() {
    // Catches the predictive stack left at the engine's default step limits (+4 pods or +100 %
    // per 15 s) under an HPA whose own behavior allows +100 pods: it would lag the very HPA it
    // keeps as its floor (2 -> 6 while the HPA goes 2 -> 20 at the jump).
    List<Sample> s = new ArrayList<>();
    for (int k = 0; k < 4 * 180; k++) {
      s.add(new Sample(T0.plusSeconds(15L * k), k >= 4 * 120 ? 100 : 10));
    }
    HpaPolicy fast = HpaBehavior.apply(Map.of("scaleUp", Map.of("policies", List.of(Map.of(
        "type", "Pods", "value", 100, "periodSeconds", 15)))), HpaPolicy.builder(), "test")
        .build();
    SimulationConfig c = SimulationConfig.builder().sweep(false)
        .policies(List.of("hpa", "predictive")).hpa(fast).build();
    SimulationResult r = simulate(Trace.of("jump", s), c);
    RunResult hpa = r.policy("hpa").orElseThrow().main();
    RunResult predictive = r.policy("predictive").orElseThrow().main();
    int jump = 1;
    while (hpa.desiredAt(jump) == hpa.desiredAt(jump - 1)) {
      jump++;
    }
    assertThat(hpa.desiredAt(jump)).isEqualTo(20);
    assertThat(predictive.desiredAt(jump)).isGreaterThanOrEqualTo(hpa.desiredAt(jump));
    // Without a behavior it keeps the engine's default limits, which are the default HPA's.
    PolicyEnvironment env = new PolicyEnvironment(new DemandCurve(stepTrace(),
        Duration.ofSeconds(15)), 7, 0.7, Duration.ofSeconds(120), Duration.ofSeconds(60));
    assertThat(PolicyRegistry.standard().get("predictive").factory().create(env).stepLimits())
        .isEqualTo(StepLimits.DEFAULT);
  }

  // Caught the HPA frozen at its peak with a sync period longer than the engine's 10-minute
  // decision memory: no tick saw the previous one's recommendation, so every tick was its first
  // sync and held the count it found (on 5 days of this sine: 3 actions at 601 s, 104 at 600 s).
  @Test
  void theHpaScalesDownWithASyncPeriodLongerThanTheDecisionMemory() {
    List<Sample> s = new ArrayList<>();
    for (int h = 0; h <= 3 * 24; h++) {
      s.add(new Sample(T0.plusSeconds(3600L * h), 110 + 60 * Math.sin(2 * Math.PI * h / 24)));
    }
    Trace sine = Trace.of("sine", s);
    SimulationConfig.Builder c = SimulationConfig.builder().sweep(false)
        .policies(List.of("hpa", "predictive"));
    SimulationResult at600 = simulate(sine, c.syncPeriod(Duration.ofSeconds(600)).build());
    SimulationResult at601 = simulate(sine, c.syncPeriod(Duration.ofSeconds(601)).build());
    for (String policy : List.of("hpa", "predictive")) {
      RunResult a = at600.policy(policy).orElseThrow().main();
      RunResult b = at601.policy(policy).orElseThrow().main();
      // One second more between ticks changes next to nothing: the count follows the sine down.
      assertThat(b.scalingActions()).as(policy).isGreaterThan(a.scalingActions() * 3 / 4);
      assertThat(b.replicaHours()).as(policy).isLessThan(a.replicaHours() * 1.05);
    }
  }

  // Caught the predictive stack paying 16 % more than perfect foresight on a clean sine at a
  // 15-minute sync period (979 replica-hours against the oracle's 847, 943 at 5 minutes): each
  // tick added one sample to a history of 60 s steps, 14 of 15 of them missing, and the
  // forecasts fitted on it overshot. The history step is now the sync period when longer.
  @Test
  void aLongSyncPeriodGivesTheForecastsAHistoryWithoutGaps() {
    List<Sample> s = new ArrayList<>();
    for (int m = 0; m <= 3 * 24 * 60; m++) {
      s.add(new Sample(T0.plusSeconds(60L * m), 100 + 80 * Math.sin(2 * Math.PI * m / 1440)));
    }
    SimulationResult r = simulate(Trace.of("sine", s), SimulationConfig.builder().sweep(false)
        .policies(List.of("predictive", "oracle")).syncPeriod(Duration.ofMinutes(15)).build());
    double predictive = r.policy("predictive").orElseThrow().main().replicaHours();
    double oracle = r.policy("oracle").orElseThrow().main().replicaHours();
    assertThat(predictive).isLessThan(oracle * 1.05);
  }

  @Test
  void aCapacityBelowTheSmallestNormalDoubleIsRefusedNotLoopedOn() {
    // Catches the unit search multiplying by 10 until Infinity, then dividing Infinity forever.
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertThatThrownBy(() -> Simulator.metricUnit(1e-310))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.0E-310");
      List<Sample> tiny = List.of(new Sample(T0, 1e-320), new Sample(T0.plusSeconds(60), 2e-320));
      assertThatThrownBy(() -> simulate(Trace.of("tiny", tiny), SimulationConfig.builder()
          .sweep(false).policies(List.of("hpa")).build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("the capacity derived from the trace's peak 2.0E-320")
          .hasMessageContaining("2.2250738585072014E-308");
    });
    assertThat(Simulator.metricUnit(Double.MIN_NORMAL)).isCloseTo(1e308, org.assertj.core.data
        .Offset.offset(1e294));
    assertThat(Simulator.metricUnit(Double.MAX_VALUE)).isPositive();
  }

  @Test
  void aFailureInsideARunIsAnIllegalStateNotBadInput() {
    // Catches an IllegalArgumentException from inside a run passed on as it is: the command line
    // would read it as bad input (exit 2) rather than as a failed run (exit 1).
    PolicyRegistry reg = new PolicyRegistry().register("broken", env -> {
      throw new IllegalArgumentException("boom");
    }, "throws");
    Simulator sim = Simulator.of(reg, SimulationConfig.builder().sweep(false).build());
    assertThatThrownBy(() -> sim.run(stepTrace(), ManualClock.ofDefault(), l -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("broken at target 0.7 on step")
        .hasMessageContaining("boom")
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reactivePolicyIsUnderProvisionedForTheDelaysAfterAJump() {
    // A policy that follows the delayed demand at once. The jump is interpolated over minute
    // 119 (10, 32.5, 55, 77.5, 100), so the shortfall starts at 119:15; the policy sees each
    // value 60 s late and its replicas are ready 120 s after that. The first decision whose
    // replicas serve 100 is made on 77.5 (16 replicas x 7.14 = 114), ready at 122:45: steps
    // 119:15 .. 122:30 are short, 14 steps.
    PolicyRegistry reg = new PolicyRegistry().register("follow", env -> new PolicySetup(
        (DecisionPolicy) (ctx, p) -> p.to("follow", env.need(ctx.load("demand")), "load"),
        Optional.empty(), PolicySetup.WIDE_OPEN), "follows the delayed demand");
    SimulationConfig c = SimulationConfig.builder().sweep(false).build();
    SimulationResult r = Simulator.of(reg, c).run(stepTrace(), ManualClock.ofDefault(), l -> {});
    RunResult f = r.policies().get(0).main();
    int steps = new DemandCurve(stepTrace(), Duration.ofSeconds(15)).size();
    assertThat(f.underProvisionedPct()).isEqualTo(100.0 * 14 / steps);
    assertThat(r.policies().get(0).scorecard().costVsOracle()).isNaN();
  }

  @Test
  void selfCheckCatchesAJournalThatDisagreesWithTheCluster() {
    // A checker that throws stands in for a violated invariant: the run must fail, not report.
    Simulator s = new Simulator(PolicyRegistry.standard(), SimulationConfig.builder()
        .sweep(false).policies(List.of("oracle")).build(), spec -> r -> {
          if (r.desired() > 15) {
            throw new IllegalStateException("invariant violated at " + r.time());
          }
        });
    assertThatThrownBy(() -> s.run(stepTrace(), ManualClock.ofDefault(), l -> {}))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("invariant violated");
  }

  @Test
  void costAtSloIsTheCheapestRunWithinTheSlo() {
    RunResult a = run(0.5, 0.0, 100);
    RunResult b = run(0.7, 0.05, 80);
    RunResult c = run(0.9, 0.5, 60);
    assertThat(Simulator.atSlo(List.of(a, b, c), 0.1))
        .contains(new AtSlo(0.7, 80, 0.05));
    assertThat(Simulator.atSlo(List.of(c), 0.1)).isEmpty();
  }

  private static RunResult run(double target, double under, double hours) {
    return new RunResult("p", target, under, 0, hours, 0, 0, new int[0], new int[0], List.of());
  }

  @Test
  void sweepRunsTwelveTargetsPerPolicyAndOneForOracle100() {
    SimulationResult r = simulate(stepTrace(), SimulationConfig.builder()
        .policies(List.of("oracle", "oracle-100")).build());
    assertThat(r.policy("oracle").orElseThrow().sweep()).hasSize(12)
        .extracting(RunResult::targetUtilization).startsWith(0.4, 0.45).endsWith(0.95);
    assertThat(r.policy("oracle-100").orElseThrow().sweep()).hasSize(1);
    // The oracle meets any SLO, so its cost at SLO is its cheapest run: the highest target.
    assertThat(r.policy("oracle").orElseThrow().scorecard().atSlo().orElseThrow()
        .targetUtilization()).isEqualTo(0.95);
  }

  @Test
  void progressLinesCountTheStepsDoneAsWellAsTheRuns() {
    // Catches a long single run saying nothing until it ends: the lines count grid steps.
    Clock wall = new Clock() { // 5 s pass at each look: every look makes a line
      private Instant now = T0;

      @Override
      public synchronized Instant instant() {
        now = now.plusSeconds(5);
        return now;
      }

      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
      }
    };
    List<String> lines = new ArrayList<>();
    Simulator.of(PolicyRegistry.standard(), SimulationConfig.builder()
        .policies(List.of("oracle", "oracle-100")).build()).run(stepTrace(), wall, lines::add);
    assertThat(lines).isNotEmpty().allMatch(l -> l.matches(
        "simulate: step: \\d{1,3} % of the steps, \\d+/13 runs done, \\d+ s"));
    assertThat(lines.get(lines.size() - 1)).startsWith("simulate: step: 100 % of the steps, "
        + "13/13 runs done, ");
  }
}
