package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The controller's replica-calculator cases, restated as data: each builds the pods, calls the
 * calculator and checks the count the controller gives.
 */
class HpaReplicaCalculatorTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final Instant LONG_AGO = NOW.minus(Duration.ofHours(1));
  private final HpaReplicaCalculator calc = HpaReplicaCalculator.ofDefaults();

  /** Running, long-ready pods with these CPU usages (milli) and 1000 m requests. */
  private static List<PodSample> pods(long... usages) {
    List<PodSample> out = new ArrayList<>();
    for (int i = 0; i < usages.length; i++) {
      out.add(PodSample.running("p" + i, usages[i], 1000, LONG_AGO, NOW));
    }
    return out;
  }

  @Test
  void scalesUpByTheUtilizationRatio() {
    // 300+500+700 of 3000 m = 50 %, target 30 % -> ratio 1.667 -> ceil(5.0) = 5
    var r = calc.resourceUtilization(pods(300, 500, 700), 3, 30, true, NOW);
    assertThat(r.replicas()).isEqualTo(5);
    assertThat(r.ratio()).isCloseTo(50.0 / 30, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void scalesDownByTheUtilizationRatio() {
    // 1400 of 5000 m = 28 %, target 50 % -> ceil(0.56 x 5) = 3
    var r = calc.resourceUtilization(pods(100, 300, 500, 250, 250), 5, 50, true, NOW);
    assertThat(r.replicas()).isEqualTo(3);
  }

  @Test
  void keepsTheCountWithinTolerance() {
    // 102 % of target 100 % is within 0.1
    var r = calc.resourceUtilization(pods(1010, 1030, 1020), 3, 100, true, NOW);
    assertThat(r.replicas()).isEqualTo(3);
    assertThat(r.explanation()).contains("within tolerance");
  }

  @Test
  void separateTolerancesUpAndDown() {
    var wide = new HpaReplicaCalculator(new Tolerances(0.5, 0.05),
        HpaReplicaCalculator.DEFAULT_CPU_INITIALIZATION_PERIOD,
        HpaReplicaCalculator.DEFAULT_INITIAL_READINESS_DELAY);
    // 140 % of 100: within +0.5, so no change
    assertThat(wide.resourceUtilization(pods(1400, 1400), 2, 100, true, NOW).replicas())
        .isEqualTo(2);
    // 90 % of 100: outside -0.05, so ceil(0.9 x 10) = 9
    long[] nine = new long[10];
    java.util.Arrays.fill(nine, 900);
    assertThat(wide.resourceUtilization(pods(nine), 10, 100, true, NOW).replicas()).isEqualTo(9);
  }

  @Test
  void utilizationIsTruncatedToWholePercentAsTheController() {
    // 709 m of 1000 m is 70 % after truncation: ratio 1.0 at target 70, no change even at tol 0
    var exact = new HpaReplicaCalculator(new Tolerances(0, 0), Duration.ZERO, Duration.ZERO);
    assertThat(exact.resourceUtilization(pods(709), 1, 70, true, NOW).replicas()).isEqualTo(1);
  }

  @Test
  void unreadyPodsCountAsZeroOnScaleUpAndLessenIt() {
    // Pod 0 not ready: ready pods 500+700 = 60 % of target 30 -> ratio 2; with pod 0 at 0 %:
    // 1200/3000 = 40 % -> ratio 1.333 -> ceil(1.333 x 3) = 4 (not 6)
    List<PodSample> p = pods(300, 500, 700);
    p.set(0, p.get(0).withReady(false, NOW.minusSeconds(10)).startedAt(NOW.minusSeconds(20)));
    var r = calc.resourceUtilization(p, 3, 30, true, NOW);
    assertThat(r.replicas()).isEqualTo(4);
  }

  @Test
  void unreadyPodsThatFlipTheDirectionMeanNoChange() {
    // Only pod 0 ready: 40 % of 30 -> up; with two unready at 0 %: 400/3000 = 13 % -> down: hold 3
    List<PodSample> p = pods(400, 500, 700);
    p.set(1, p.get(1).withReady(false, NOW.minusSeconds(10)).startedAt(NOW.minusSeconds(20)));
    p.set(2, p.get(2).withReady(false, NOW.minusSeconds(10)).startedAt(NOW.minusSeconds(20)));
    var r = calc.resourceUtilization(p, 3, 30, true, NOW);
    assertThat(r.replicas()).isEqualTo(3);
    assertThat(r.explanation()).contains("flips direction");
  }

  @Test
  void unreadyPodsAreLeftOutOnScaleDown() {
    // Pods 0 and 1 unready; ready 500+250+250 = 33 % of 50 -> ceil(0.66 x 3) = 2
    List<PodSample> p = pods(100, 300, 500, 250, 250);
    p.set(0, p.get(0).withReady(false, NOW.minusSeconds(10)).startedAt(NOW.minusSeconds(20)));
    p.set(1, p.get(1).withReady(false, NOW.minusSeconds(10)).startedAt(NOW.minusSeconds(20)));
    assertThat(calc.resourceUtilization(p, 5, 50, true, NOW).replicas()).isEqualTo(2);
  }

  @Test
  void pendingPodsAreUnreadyForEveryMetric() {
    List<PodSample> p = pods(300, 500, 700);
    p.set(0, p.get(0).withPhase(PodSample.Phase.PENDING).withoutSample());
    // memory-like (not CPU): pending still unready -> same as the CPU case above: 4
    assertThat(calc.resourceUtilization(p, 3, 30, false, NOW).replicas()).isEqualTo(4);
  }

  @Test
  void hotCpuOfAPodInItsInitializationPeriodIsIgnored() {
    // Pod 0 started 1 min ago and became ready 5 s ago: its sample (window 30 s) predates a full
    // window since it became ready, so it is unready for CPU, as a not-ready pod would be.
    List<PodSample> p = pods(3000, 500, 700);
    p.set(0, p.get(0).startedAt(NOW.minusSeconds(60)).withReady(true, NOW.minusSeconds(5)));
    assertThat(calc.resourceUtilization(p, 3, 30, true, NOW).replicas()).isEqualTo(4);
    // The same pod outside the initialization period counts: 4200/3000 = 140 % of 30 -> 14
    List<PodSample> q = pods(3000, 500, 700);
    assertThat(calc.resourceUtilization(q, 3, 30, true, NOW).replicas()).isEqualTo(14);
  }

  @Test
  void aPodThatNeverBecameReadyWithinTheInitialDelayIsUnready() {
    // Started 10 min ago (past the 5 min period), not ready, last transition 10 s after start:
    // never became ready -> unready.
    List<PodSample> p = pods(3000, 500, 700);
    Instant start = NOW.minusSeconds(600);
    p.set(0, p.get(0).startedAt(start).withReady(false, start.plusSeconds(10)));
    assertThat(calc.resourceUtilization(p, 3, 30, true, NOW).replicas()).isEqualTo(4);
    // A pod that was ready and later turned unready (transition 60 s after start) still counts.
    List<PodSample> q = pods(3000, 500, 700);
    q.set(0, q.get(0).startedAt(start).withReady(false, start.plusSeconds(60)));
    assertThat(calc.resourceUtilization(q, 3, 30, true, NOW).replicas()).isEqualTo(14);
  }

  @Test
  void missingPodsCountAsFullRequestOnScaleDown() {
    // 4 pods, 2 without samples; the 2 with samples at 200+200 = 20 % of 50 -> down.
    // Missing at 100 %: (400+2000)/4000 = 60 % -> ratio 1.2 -> flips direction: hold 4.
    List<PodSample> p = pods(200, 200, 0, 0);
    p.set(2, p.get(2).withoutSample());
    p.set(3, p.get(3).withoutSample());
    var r = calc.resourceUtilization(p, 4, 50, true, NOW);
    assertThat(r.replicas()).isEqualTo(4);
    // Same with samples at 50 m: (100 + 2000)/4000 = 52 % of 100 -> 0.52 -> ceil(2.08) = 3
    List<PodSample> q = pods(50, 50, 0, 0);
    q.set(2, q.get(2).withoutSample());
    q.set(3, q.get(3).withoutSample());
    assertThat(calc.resourceUtilization(q, 4, 100, true, NOW).replicas()).isEqualTo(3);
  }

  @Test
  void missingPodsCountAsZeroOnScaleUp() {
    // 2 pods, one missing: 1900 m = 190 % of 100; missing at 0 %: 95 % -> within tolerance: 2
    List<PodSample> p = pods(1900, 0);
    p.set(1, p.get(1).withoutSample());
    assertThat(calc.resourceUtilization(p, 2, 100, true, NOW).replicas()).isEqualTo(2);
    // 3 pods, one missing: 3000+3000 = 300 %; missing at 0: 200 % -> ceil(2 x 3) = 6
    List<PodSample> q = pods(3000, 3000, 0);
    q.set(2, q.get(2).withoutSample());
    assertThat(calc.resourceUtilization(q, 3, 100, true, NOW).replicas()).isEqualTo(6);
  }

  @Test
  void missingPodsOnScaleDownUseTheTargetWhenAboveOneHundredPercent() {
    // target 200 %: missing pod counts at 200 % of its request on scale-down.
    // sampled 1000 m = 100 % of 200 -> 0.5; with missing at 2000: 3000/2000 = 150 % -> 0.75
    // -> ceil(0.75 x 2) = 2 -> no change from 2
    List<PodSample> p = pods(1000, 0);
    p.set(1, p.get(1).withoutSample());
    assertThat(calc.resourceUtilization(p, 2, 200, true, NOW).replicas()).isEqualTo(2);
  }

  @Test
  void deletedAndFailedPodsAreIgnored() {
    List<PodSample> p = pods(300, 500, 700, 5000, 5000);
    p.set(3, p.get(3).deleted());
    p.set(4, p.get(4).withPhase(PodSample.Phase.FAILED));
    assertThat(calc.resourceUtilization(p, 3, 30, true, NOW).replicas()).isEqualTo(5);
  }

  @Test
  void aSucceededPodWithoutASampleIsMissingNotIgnored() {
    // groupPods skips only pods being deleted or Failed: a Succeeded pod has no sample, so it is
    // missing. 3 x 300 m of 1000 m = 30 % of 100 -> down; the missing pod at 100 % of its
    // request: (900 + 1000) / 4000 = 47 % -> ceil(0.47 x 4) = 2 (ignored, it was ceil(0.9) = 1)
    List<PodSample> p = pods(300, 300, 300, 0);
    p.set(3, p.get(3).withoutSample().withPhase(PodSample.Phase.SUCCEEDED));
    var r = calc.resourceUtilization(p, 4, 100, true, NOW);
    assertThat(r.replicas()).isEqualTo(2);
    assertThat(r.explanation()).contains("with 1 missing and 0 unready pods");
  }

  @Test
  void noSampledPodIsAnError() {
    List<PodSample> p = pods(300);
    p.set(0, p.get(0).withoutSample().withPhase(PodSample.Phase.PENDING));
    var r = calc.resourceUtilization(p, 1, 50, true, NOW);
    assertThat(r.error()).isTrue();
    assertThat(r.explanation()).contains("did not receive metrics");
    assertThat(calc.resourceUtilization(List.of(), 1, 50, true, NOW).error()).isTrue();
  }

  @Test
  void plainPerPodValueUsesTheMeanOfSampledPods() {
    // 20, 10 and 30 per pod, target 15 -> mean 20 -> ratio 1.333 -> 4
    var r = calc.plainValue(pods(20_000, 10_000, 30_000), 3, 15_000, false, NOW);
    assertThat(r.replicas()).isEqualTo(4);
    // scale down: mean 5 of 15 -> ceil(0.333 x 3) = 1
    assertThat(calc.plainValue(pods(5_000, 5_000, 5_000), 3, 15_000, false, NOW).replicas())
        .isEqualTo(1);
  }

  @Test
  void averageValueOnAnObjectOrExternalMetricUsesStatusReplicas() {
    // total 8600 with 2150 per pod on 3 replicas: ratio 1.333 -> ceil(8600/2150) = 4
    assertThat(calc.averageValue(8_600_000, 3, 2_150_000).replicas()).isEqualTo(4);
    // total 6300 on 3 replicas of 2150: ratio 0.977 -> within tolerance -> 3
    assertThat(calc.averageValue(6_300_000, 3, 2_150_000).replicas()).isEqualTo(3);
    // total 1000 on 4 replicas of 2150: ratio 0.116 -> ceil(0.465) = 1
    assertThat(calc.averageValue(1_000_000, 4, 2_150_000).replicas()).isEqualTo(1);
    // no pods (scaled to zero, minReplicas 0): ceil(total / target), 0 without load
    assertThat(calc.averageValue(300_000, 0, 10_000).replicas()).isEqualTo(30);
    assertThat(calc.averageValue(0, 0, 10_000).replicas()).isEqualTo(0);
  }

  @Test
  void docsExampleDoublesAndHalves() {
    // "current 200m, desired 100m: the number of replicas will be doubled"; 50m: halved
    assertThat(calc.plainValue(pods(200, 200, 200, 200), 4, 100, false, NOW).replicas())
        .isEqualTo(8);
    assertThat(calc.plainValue(pods(50, 50, 50, 50), 4, 100, false, NOW).replicas())
        .isEqualTo(2);
  }

  @Test
  void missingPodsAtARatioOfExactlyOneAreLeftOutOfAPlainValue() {
    // calcPlainMetricReplicas fills missing pods only below or above ratio 1: at exactly 1 they
    // stay out, the corrected ratio is 1 and the count stays (filled with 0, it went 10 -> 2)
    List<PodSample> list = new ArrayList<>(pods(15_000, 15_000));
    for (int i = 0; i < 8; i++) {
      list.add(PodSample.running("m" + i, 0, 1000, LONG_AGO, NOW).withoutSample());
    }
    var r = calc.plainValue(list, 10, 15_000, false, NOW);
    assertThat(r.replicas()).isEqualTo(10);
    assertThat(r.explanation()).contains("within tolerance");
  }

  @Test
  void aListedPodWithoutARequestMakesTheUtilizationInvalid() {
    // calculateRequests covers every listed pod: a pending pod with no CPU request is an error
    // (the metric is invalid, held), not left out of a scale-up 2 -> 4
    List<PodSample> list = new ArrayList<>(pods(900));
    list.add(new PodSample("pending", PodSample.Phase.PENDING, false, java.util.Optional.empty(),
        java.util.Optional.empty(), java.util.Optional.empty(), java.util.OptionalLong.empty(),
        NOW, Duration.ofSeconds(30), java.util.OptionalLong.empty()));
    var r = calc.resourceUtilization(list, 2, 50, true, NOW);
    assertThat(r.error()).isTrue();
    assertThat(r.explanation()).isEqualTo("missing request for cpu of pod pending");
    // a failed pod too: the controller lists it before it ignores it
    List<PodSample> failed = new ArrayList<>(pods(900));
    failed.add(PodSample.running("gone", 0, 1000, LONG_AGO, NOW).withoutRequest()
        .withPhase(PodSample.Phase.FAILED));
    assertThat(calc.resourceUtilization(failed, 2, 50, true, NOW).error()).isTrue();
  }

  @Test
  void anExplicitRequestOfZeroIsSummedAsZero() {
    // calculatePodRequests fails only on a container with no request; cpu: 0 adds 0. Usage
    // 300 x 3 over requests 1000 + 1000 + 0 = 45 % of 100 -> ceil(0.45 x 3 ready) = 2
    List<PodSample> p = pods(300, 300);
    p.add(PodSample.running("zero", 300, 0, LONG_AGO, NOW));
    var r = calc.resourceUtilization(p, 3, 100, true, NOW);
    assertThat(r.error()).as(r.explanation()).isFalse();
    assertThat(r.replicas()).isEqualTo(2);
    assertThat(r.explanation()).startsWith("utilization 45% of target 100%");
    // a failed or pending pod with a request of 0 is no error either
    List<PodSample> q = pods(900);
    q.add(PodSample.running("done", 0, 0, LONG_AGO, NOW).withPhase(PodSample.Phase.FAILED));
    assertThat(calc.resourceUtilization(q, 1, 100, true, NOW).replicas()).isEqualTo(1);
  }

  @Test
  void sampledPodsThatAllRequestZeroFailAsTheController() {
    // GetResourceUtilizationRatio: a total request of 0 over the sampled pods is an error (the
    // controller's "no metrics returned matched known pods"), not a utilization of 0
    List<PodSample> p = new ArrayList<>();
    p.add(PodSample.running("a", 300, 0, LONG_AGO, NOW));
    p.add(PodSample.running("b", 0, 1000, LONG_AGO, NOW).withoutSample());
    var r = calc.resourceUtilization(p, 2, 100, true, NOW);
    assertThat(r.error()).isTrue();
    assertThat(r.explanation()).startsWith("no metrics returned matched known pods");
  }

  @Test
  void aRequestIsEitherAbsentOrAtLeastZero() {
    PodSample none = PodSample.running("a", 1, 1000, LONG_AGO, NOW).withoutRequest();
    assertThat(none.requestMilli()).isEmpty();
    assertThat(PodSample.running("a", 1, 0, LONG_AGO, NOW).requestMilli()).hasValue(0);
    assertThatThrownBy(() -> PodSample.running("a", 1, -1, LONG_AGO, NOW))
        .hasMessage("requestMilli of pod a must be >= 0, but was -1");
  }

  /**
   * Catches a CPU initialization period no pod start time can be added to: FOREVER was taken, and
   * every CPU metric over a pod list threw ArithmeticException.
   */
  @Test
  void startupSettings_aboveOneHour() {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    assertThatThrownBy(() -> new HpaReplicaCalculator(Tolerances.DEFAULT, forever,
        Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cpuInitializationPeriod must be in [0, 1h], but was " + forever);
    assertThatThrownBy(() -> new HpaReplicaCalculator(Tolerances.DEFAULT, Duration.ZERO,
        Duration.ofHours(2))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialReadinessDelay must be in [0, 1h], but was PT2H");
    assertThat(new HpaReplicaCalculator(Tolerances.DEFAULT, Duration.ofHours(1),
        Duration.ofHours(1)).resourceUtilization(pods(1), 1, 50, true, NOW).error()).isFalse();
  }

  @Test
  void badInputNamesTheField() {
    assertThatThrownBy(() -> calc.resourceUtilization(pods(1), 1, 0, true, NOW))
        .hasMessage("targetPercent must be > 0 and finite, but was 0.0");
    assertThatThrownBy(() -> calc.averageValue(1, -1, 1))
        .hasMessage("statusReplicas must be >= 0, but was -1");
    assertThatThrownBy(() -> new Tolerances(-0.1, 0.1))
        .hasMessage("toleranceUp must be >= 0 and finite, but was -0.1");
    assertThatThrownBy(() -> calc.resourceUtilization(
        List.of(pods(1).get(0), pods(1).get(0)), 2, 50, true, NOW))
        .hasMessageContaining("pod names must be unique");
  }
}
