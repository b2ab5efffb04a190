package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.testkit.DecisionInvariants;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every step reports the history of past decisions it needs ({@link DecisionPolicy#memory()}),
 * so the engine keeps stabilization windows and rate-limit periods longer than its default 10
 * minutes of decisions whole: an HPA behavior with a 30-minute window is honoured, not cut.
 */
class DecisionMemoryTest {
  private static final WorkloadRef REF = WorkloadRef.deployment("shop", "web");
  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
  private static final Duration SYNC = Duration.ofSeconds(15);
  private static final Duration HALF_HOUR = Duration.ofMinutes(30);

  /** A workload at 10 replicas whose load drops to 2 replicas' worth after the first tick. */
  private static List<int[]> run(DecisionPolicy policy, Duration length) {
    return run(policy, length, SYNC);
  }

  /** As {@link #run(DecisionPolicy, Duration)}, with ticks {@code sync} apart. */
  private static List<int[]> run(DecisionPolicy policy, Duration length, Duration sync) {
    ManualClock clock = new ManualClock(T0);
    int[] replicas = {10};
    double[] rps = {1000};
    WorkloadSpec spec = WorkloadSpec.builder(REF).minReplicas(1).maxReplicas(20).mode(Mode.ACT)
        .metric(MetricTarget.averageValue("rps", 100)).build();
    InMemoryJournal journal = new InMemoryJournal(100_000);
    List<int[]> counts = new ArrayList<>(); // {seconds since T0, replicas after the tick}
    try (AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).journal(journal)
        .policy(policy).workload(spec).backfill(false).syncPeriod(sync).historyStep(SYNC)
        .metricsDelay(Duration.ZERO)
        .metricSource((s, now) -> Observation.of(now, ReplicaStatus.of(replicas[0], replicas[0]),
            MetricReading.of("rps", rps[0], now)))
        .executor(r -> {
          replicas[0] = r.to();
          return ScaleOutcome.applied(r.to(), "ok");
        })
        .build()) {
      for (Duration t = Duration.ZERO; t.compareTo(length) <= 0; t = t.plus(sync)) {
        clock.set(T0.plus(t));
        engine.tick();
        counts.add(new int[] {(int) t.toSeconds(), replicas[0]});
        rps[0] = 200;
      }
      assertThat(DecisionInvariants.check(journal.records(), spec)).isEmpty();
    }
    return counts;
  }

  private static int firstChange(List<int[]> counts) {
    return counts.stream().filter(c -> c[1] != 10).mapToInt(c -> c[0]).findFirst().orElse(-1);
  }

  private static HpaPolicy hpaWithHalfHourScaleDownWindow() {
    return Policies.hpa(HpaPolicy.builder().scaleDownStabilization(HALF_HOUR));
  }

  @Test
  void aHalfHourScaleDownWindowHoldsForHalfAnHourNotTenMinutes() {
    List<int[]> counts = run(hpaWithHalfHourScaleDownWindow(), Duration.ofMinutes(35));
    // The recommendation of 10 at T0 counts while it is inside the window: down at exactly 1800 s.
    assertThat(firstChange(counts)).isEqualTo(1800);
    assertThat(counts.get(counts.size() - 1)[1]).isEqualTo(2);
  }

  @Test
  void theWholeStackForwardsItsHpaFloorsWindow() {
    // No forecaster: the predictive stack is its reactive floor, here the half-hour HPA,
    // wrapped in the spike filter and chained with Bounds.
    DecisionPolicy stack = Policies.predictive(PredictivePolicy.builder()
        .reactive(hpaWithHalfHourScaleDownWindow()).build());
    assertThat(stack.memory()).isEqualTo(HALF_HOUR);
    assertThat(firstChange(run(stack, Duration.ofMinutes(35)))).isEqualTo(1800);
  }

  @Test
  void aRatePolicyPeriodLongerThanTenMinutesLimitsEveryStepOfIt() {
    // At most 1 pod down per 1800 s (the longest period the API allows), no window: 10 -> 9 at
    // 15 s, then nothing until that step has left the period (at 1815 s, as horizontal.go's
    // "timestamp after now - period").
    HpaPolicy slow = Policies.hpa(HpaPolicy.builder().scaleDown(new ScalingRules(Duration.ZERO,
        List.of(ScalingPolicy.pods(1, HALF_HOUR)), ScalingRules.Select.MAX)));
    assertThat(slow.memory()).isEqualTo(HALF_HOUR);
    List<int[]> counts = run(slow, Duration.ofMinutes(35));
    assertThat(counts).filteredOn(c -> c[0] >= 15 && c[0] < 1815)
        .allSatisfy(c -> assertThat(c[1]).as("replicas at %d s", c[0]).isEqualTo(9));
    assertThat(counts).filteredOn(c -> c[0] == 1815).singleElement()
        .satisfies(c -> assertThat(c[1]).isEqualTo(8));
  }

  // Caught the HPA never scaling down with ticks longer apart than the engine's 10-minute memory:
  // no tick saw the previous one's recommendation, so each was its first sync, whose count (the
  // peak's) it does not go below for 300 s. The controller keeps its recommendations: a resync
  // 601 s later finds the old one outside its 300 s window and scales down.
  @ParameterizedTest
  @ValueSource(longs = {601, 3600})
  void theHpaScalesDownWithTicksLongerApartThanTheMemory(long seconds) {
    Duration sync = Duration.ofSeconds(seconds);
    List<int[]> counts = run(Policies.hpa(), sync.multipliedBy(3), sync);
    assertThat(firstChange(counts)).isEqualTo(seconds);
    assertThat(counts.get(counts.size() - 1)[1]).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(longs = {601, 3600})
  void thePredictiveStacksHpaFloorScalesDownWithLongTicks(long seconds) {
    Duration sync = Duration.ofSeconds(seconds);
    // No forecaster: the stack is its HPA floor, behind its 600 s hold of a lower need.
    assertThat(firstChange(run(Policies.predictive(), sync.multipliedBy(3), sync)))
        .isEqualTo(seconds);
  }

  @ParameterizedTest
  @ValueSource(longs = {601, 3600})
  void aStabilizationGuardScalesDownWithLongTicks(long seconds) {
    Duration sync = Duration.ofSeconds(seconds);
    // It holds the count until a proposal it marked is a whole window old (RecentMarks.spans).
    DecisionPolicy guarded = DecisionPolicy.chain(new FixedProposal(2),
        ScaleDownStabilization.of(Duration.ofMinutes(5)));
    assertThat(firstChange(run(guarded, sync.multipliedBy(3), sync))).isEqualTo(seconds);
  }

  /**
   * {@code ticks} ticks {@code gap} apart of a workload at {@code start} replicas, its load 1000
   * at the first tick and 200 (2 replicas' worth) after; the source fails at the ticks {@code
   * fails} accepts (a held tick: a past decision without marks). Returns {seconds since T0,
   * replicas after the tick} of every tick.
   */
  private static List<int[]> runHeld(DecisionPolicy policy, int ticks, Duration gap, int start,
      IntPredicate fails) {
    ManualClock clock = new ManualClock(T0);
    int[] replicas = {start};
    int[] tick = {0};
    WorkloadSpec spec = WorkloadSpec.builder(REF).minReplicas(1).maxReplicas(20).mode(Mode.ACT)
        .metric(MetricTarget.averageValue("rps", 100)).build();
    InMemoryJournal journal = new InMemoryJournal(100_000);
    List<int[]> counts = new ArrayList<>();
    try (AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).journal(journal)
        .policy(policy).workload(spec).backfill(false).syncPeriod(SYNC).historyStep(SYNC)
        .metricsDelay(Duration.ZERO)
        .metricSource((s, now) -> {
          if (fails.test(tick[0])) {
            throw new IllegalStateException("source down");
          }
          return Observation.of(now, ReplicaStatus.of(replicas[0], replicas[0]),
              MetricReading.of("rps", tick[0] == 0 ? 1000 : 200, now));
        })
        .executor(r -> {
          replicas[0] = r.to();
          return ScaleOutcome.applied(r.to(), "ok");
        })
        .build()) {
      Instant t = T0;
      for (tick[0] = 0; tick[0] < ticks; tick[0]++) {
        clock.set(t);
        engine.tick();
        counts.add(new int[] {(int) Duration.between(T0, t).toSeconds(), replicas[0]});
        t = t.plus(gap);
      }
      assertThat(DecisionInvariants.check(journal.records(), spec)).isEmpty();
    }
    return counts;
  }

  private static int firstChange(List<int[]> counts, int from) {
    return counts.stream().filter(c -> c[1] != from).mapToInt(c -> c[0]).findFirst().orElse(-1);
  }

  private static final IntPredicate ODD = i -> i % 2 == 1;

  // Caught the HPA held at its peak for hours with long ticks that start late (a sync period
  // after the previous one ended) and a source failing every other tick: the previous decision
  // was 2 x (sync + 1 s) back, past the two sync periods kept, so every good tick was a first
  // sync (10 replicas for 2 h at 601 s, 11 h at 3600 s). Down at the second good tick now.
  @ParameterizedTest
  @ValueSource(longs = {601, 3600})
  void theHpaScalesDownAtTheSecondGoodTickWithLateTicksAndHolds(long seconds) {
    Duration gap = Duration.ofSeconds(seconds + 1);
    List<int[]> counts = runHeld(Policies.hpa(), 12, gap, 10, ODD);
    assertThat(firstChange(counts, 10)).isEqualTo(gap.multipliedBy(2).toSeconds());
    assertThat(counts.get(counts.size() - 1)[1]).isEqualTo(2);
  }

  // Caught with the same ticks: the guards never found a proposal a whole window old (it was
  // pruned with the hold after it), so SustainedScaleUp never scaled up and
  // ScaleDownStabilization never scaled down.
  @Test
  void theGuardsActAtTheSecondGoodTickWithLateTicksAndHolds() {
    Duration gap = Duration.ofSeconds(602);
    DecisionPolicy up = DecisionPolicy.chain(new FixedProposal(10),
        SustainedScaleUp.of(Duration.ofMinutes(5)));
    assertThat(firstChange(runHeld(up, 12, gap, 2, ODD), 2)).isEqualTo(1204);
    DecisionPolicy down = DecisionPolicy.chain(new FixedProposal(2),
        ScaleDownStabilization.of(Duration.ofMinutes(5)));
    assertThat(firstChange(runHeld(down, 12, gap, 10, ODD), 10)).isEqualTo(1204);
  }

  // Caught the HPA taking the first good tick after a 20-minute metrics outage for its first
  // sync again (holding 10 replicas for 300 s more). The controller keeps its recommendations
  // across failed syncs: those of before the outage are out of its window, so it follows the
  // new one at once.
  @Test
  void afterAnOutageLongerThanTheMemoryTheHpaFollowsItsWindowAtOnce() {
    // 15 s ticks: the load drops after the first tick, the outage is ticks 1 .. 80 (20 min).
    List<int[]> counts = runHeld(Policies.hpa(), 100, SYNC, 10, i -> i >= 1 && i <= 80);
    assertThat(firstChange(counts, 10)).isEqualTo(81 * 15);
  }

  // Caught the guards waiting a whole window again after a 30-minute metrics outage through
  // which an operator's pin held the count: the pin, applied without the chain (no marks), was
  // the decision kept whatever its age, and the guard's own last proposal was pruned. Without
  // the pin they act at the first good tick; with it, too now.
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aPinThroughAnOutageLeavesTheGuardsTheirLastProposal(boolean pinned) {
    DecisionPolicy down = ScaleDownStabilization.of(Duration.ofMinutes(5));
    assertThat(firstChangeAfterAnOutage(down, 10, 2, pinned)).isZero();
    DecisionPolicy up = SustainedScaleUp.of(Duration.ofMinutes(5));
    assertThat(firstChangeAfterAnOutage(up, 2, 10, pinned)).isZero();
  }

  /**
   * Seconds from the end of a 30-minute outage (a source serving an hour-old sample), after 20
   * minutes at {@code start} replicas, to the first tick whose count is not {@code start}, when
   * the chain proposes {@code after} from the outage's end: {@code guard} between the proposal
   * and the overrides, which pin the count through the outage when {@code pinned}.
   */
  private static long firstChangeAfterAnOutage(DecisionPolicy guard, int start, int after,
      boolean pinned) {
    ManualClock clock = new ManualClock(T0);
    int[] replicas = {start};
    int[] want = {start};
    Instant outage = T0.plus(Duration.ofMinutes(20));
    Instant end = outage.plus(HALF_HOUR);
    WorkloadSpec spec = WorkloadSpec.builder(REF).minReplicas(1).maxReplicas(20).mode(Mode.ACT)
        .metric(MetricTarget.averageValue("rps", 100)).build();
    ManualOverrides overrides = new ManualOverrides();
    DecisionPolicy chain = DecisionPolicy.chain(new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext ctx, Proposal p) {
        return p.to("fixed", want[0], "want " + want[0]);
      }
    }, guard, overrides);
    try (AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock)
        .journal(new InMemoryJournal(100_000)).policy(chain).workload(spec).backfill(false)
        .syncPeriod(SYNC).historyStep(SYNC).metricsDelay(Duration.ZERO)
        .metricSource((s, now) -> Observation.of(now, ReplicaStatus.of(replicas[0], replicas[0]),
            MetricReading.of("rps", 100.0 * want[0], now.isBefore(outage) || !now.isBefore(end)
                ? now : now.minusSeconds(3600))))
        .executor(r -> {
          replicas[0] = r.to();
          return ScaleOutcome.applied(r.to(), "ok");
        })
        .build()) {
      for (Instant t = T0; t.isBefore(end.plus(Duration.ofMinutes(10))); t = t.plus(SYNC)) {
        clock.set(t);
        if (pinned && t.equals(outage)) {
          overrides.pin(REF, start, end, "maintenance");
        }
        if (!t.isBefore(end)) {
          want[0] = after;
        }
        engine.tick();
        if (!t.isBefore(end) && replicas[0] != start) {
          return Duration.between(end, t).toSeconds();
        }
      }
    }
    return -1;
  }

  /** Always proposes {@code n}: the guard alone decides when the count goes down. */
  private record FixedProposal(int n) implements DecisionPolicy {
    @Override
    public Proposal apply(DecisionContext ctx, Proposal p) {
      return p.to("fixed", n, "always " + n);
    }
  }

  @Test
  void everyStepReportsTheHistoryItNeeds() {
    assertThat(HpaPolicy.ofDefaults().memory()).isEqualTo(Duration.ofSeconds(300));
    assertThat(Policies.hpa(HpaPolicy.builder()
        .scaleUpStabilization(Duration.ofMinutes(20))).memory()).isEqualTo(Duration.ofMinutes(20));
    assertThat(PredictivePolicy.ofDefaults().memory()).isEqualTo(Duration.ofSeconds(600));
    assertThat(PredictivePolicy.builder().scaleDownStabilization(Duration.ofSeconds(60))
        .build().memory()).isEqualTo(Duration.ofSeconds(300)); // its reactive floor's window
    assertThat(SpikeFilter.ofDefaults().guard(hpaWithHalfHourScaleDownWindow()).memory())
        .isEqualTo(HALF_HOUR);
    // Twice the window: a proposal a whole window old must be kept between ticks.
    assertThat(ScaleDownStabilization.of(Duration.ofMinutes(40)).memory())
        .isEqualTo(Duration.ofMinutes(80));
    assertThat(SustainedScaleUp.of(Duration.ofMinutes(15)).memory())
        .isEqualTo(Duration.ofMinutes(30));
    assertThat(new GradualScaleDown(10, Duration.ofMinutes(45), 1).memory())
        .isEqualTo(Duration.ofMinutes(45));
    assertThat(Policies.predictive().memory()).isEqualTo(Duration.ofSeconds(600));
    assertThat(Policies.stack().gradualScaleDown(new GradualScaleDown(10, Duration.ofHours(1), 1))
        .build().memory()).isEqualTo(Duration.ofHours(1));
    assertThat(Policies.byWorkload(Policies.hpa(), Map.of(REF, hpaWithHalfHourScaleDownWindow()))
        .memory()).isEqualTo(HALF_HOUR);
  }
}
