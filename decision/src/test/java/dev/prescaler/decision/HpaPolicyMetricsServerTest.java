package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.ReplicaStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The aggregates the Kubernetes adapter's {@code MetricsServerSource} reports for a workload (its
 * reading and {@link ReplicaStatus}, as its tests in k8s-adapter check them over the mock API
 * server) give, through {@link HpaPolicy}, the count the HPA controller computes from the same
 * pods one by one ({@link HpaReplicaCalculator} on {@link PodSample}s, which follows {@code
 * replica_calculator.go} rule for rule). Every pod requests 1000m; target 60 %.
 */
class HpaPolicyMetricsServerTest {
  private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
  private static final Instant HOUR_AGO = NOW.minus(Duration.ofHours(1));
  private static final Duration WINDOW = Duration.ofSeconds(30);
  private static final MetricTarget CPU = MetricTarget.utilization("cpu", 60);
  private static final MetricTarget MEMORY = MetricTarget.utilization("memory", 60);

  private final HpaPolicy hpa = HpaPolicy.ofDefaults();
  private final HpaReplicaCalculator controller = HpaReplicaCalculator.ofDefaults();

  /** A Running pod started at {@code start}, its Ready condition {@code ready} since {@code at}. */
  private static PodSample pod(String name, boolean ready, Instant start, Instant at,
      long usageMilli) {
    return new PodSample(name, PodSample.Phase.RUNNING, false, Optional.of(ready),
        Optional.of(at), Optional.of(start), OptionalLong.of(usageMilli), NOW, WINDOW, 1000);
  }

  private int ours(MetricTarget m, double reading, ReplicaStatus r) {
    HpaReplicaCalculator.Result res = hpa.recommend(m, reading, r, NOW);
    assertThat(res.error()).as(res.explanation()).isFalse();
    return res.replicas();
  }

  private int theHpas(List<PodSample> pods, int specReplicas, boolean cpu) {
    HpaReplicaCalculator.Result res =
        controller.resourceUtilization(pods, specReplicas, 60, cpu, NOW);
    assertThat(res.error()).as(res.explanation()).isFalse();
    return res.replicas();
  }

  @Test
  void podsThatFellOutOfReadinessUnderLoadCount() {
    // Four pods started an hour ago at 100 %; two failed their readiness probe 60 s ago; a fifth
    // started 10 min ago and never became ready. The source reads 100 % over the four and
    // reports them ready, the fifth pending: RS(4, 4, 0, 5). Reported as 2 ready with the
    // other two pending, the floor was 4 where the HPA asks for 7.
    List<PodSample> pods = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      pods.add(pod("ov-" + i, i < 2, HOUR_AGO, i < 2 ? HOUR_AGO : NOW.minusSeconds(60), 1000));
    }
    pods.add(pod("ov-4", false, NOW.minusSeconds(600), NOW.minusSeconds(598), 50));

    assertThat(theHpas(pods, 4, true)).isEqualTo(7);
    assertThat(ours(CPU, 100.0, new ReplicaStatus(4, 4, 0, 5))).isEqualTo(7);
    assertThat(ours(CPU, 100.0, new ReplicaStatus(4, 2, 0, 5))).as("as read before").isEqualTo(4);
  }

  @Test
  void forMemoryAPodNotReadyThatWasReadyCounts() {
    // The controller applies no readiness rule to memory: a Running pod's sample counts.
    List<PodSample> pods = List.of(pod("a", true, HOUR_AGO, HOUR_AGO, 900),
        pod("b", false, HOUR_AGO, NOW.minusSeconds(60), 900));

    assertThat(theHpas(pods, 2, false)).isEqualTo(3);
    assertThat(ours(MEMORY, 90.0, new ReplicaStatus(2, 2, 0, 2))).isEqualTo(3);
  }

  @Test
  void readyPodsWhoseSampleFollowsTheirReadinessByAWindowCount() {
    // 4 pods long ready, 4 started 75 s ago and ready 45 s ago, sampled now over 30 s, all at
    // 90 %: inside their initialization period, but their window began after they became ready.
    // The source reports RS(8, 8, 0, 8); with the 4 as warming (ready < 60 s) it was 8, not 12.
    List<PodSample> pods = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      pods.add(pod("old-" + i, true, HOUR_AGO, HOUR_AGO, 900));
      pods.add(pod("new-" + i, true, NOW.minusSeconds(75), NOW.minusSeconds(45), 900));
    }
    assertThat(theHpas(pods, 8, true)).isEqualTo(12);
    assertThat(ours(CPU, 90.0, new ReplicaStatus(8, 8, 0, 8))).isEqualTo(12);
    assertThat(ours(CPU, 90.0, new ReplicaStatus(8, 8, 4, 8))).as("as read before").isEqualTo(8);

    // Started an hour ago, Ready again for 20 s: past its initialization period, it counts.
    List<PodSample> flap = List.of(pod("a", true, HOUR_AGO, HOUR_AGO, 900),
        pod("b", true, HOUR_AGO, NOW.minusSeconds(20), 900));
    assertThat(theHpas(flap, 2, true)).isEqualTo(3);
    assertThat(ours(CPU, 90.0, new ReplicaStatus(2, 2, 0, 2))).isEqualTo(3);
  }

  @Test
  void aWarmingPodIsUnreadyForCpuOnly() {
    // A pod ready 20 s ago inside its initialization period, its sample's window begun before:
    // the controller ignores it for CPU and counts it for memory, which has no readiness rule.
    // The source reports it warming, its memory in the memory reading: RS(2, 2, 1, 2).
    List<PodSample> pods = List.of(pod("a", true, HOUR_AGO, HOUR_AGO, 900),
        pod("b", true, NOW.minusSeconds(60), NOW.minusSeconds(20), 900));
    assertThat(theHpas(pods, 2, false)).isEqualTo(3);
    assertThat(ours(MEMORY, 90.0, new ReplicaStatus(2, 2, 1, 2))).isEqualTo(3);
    assertThat(theHpas(pods, 2, true)).isEqualTo(2);
    assertThat(ours(CPU, 90.0, new ReplicaStatus(2, 2, 1, 2))).isEqualTo(2);
  }

  private static PodSample pending(String name) {
    return new PodSample(name, PodSample.Phase.PENDING, false, Optional.empty(), Optional.empty(),
        Optional.empty(), OptionalLong.empty(), NOW, WINDOW, 1000);
  }

  @Test
  void aResourceAverageValueIsThePerPodMeanOfTheReadyPods() {
    // A cpu metric from metrics.k8s.io is a Resource metric: with an averageValue target the
    // controller takes the mean over the pods with samples (GetRawResourceReplicas, then
    // calcPlainMetricReplicas), pending ones left out, and keeps spec.replicas within tolerance.
    // 4 ready at 500m, 2 pending, target 0.5: mean 500m, ratio 1, the HPA keeps 6. Taken as an
    // object/external total (2 / (0.5 x 6) = 0.667), the floor was 4.
    List<PodSample> pods = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      pods.add(pod("r-" + i, true, HOUR_AGO, HOUR_AGO, 500));
    }
    pods.add(pending("p-0"));
    pods.add(pending("p-1"));
    MetricTarget cpu = MetricTarget.averageValue("cpu", 0.5);
    HpaReplicaCalculator.Result real = controller.plainValue(pods, 6, 500, true, NOW);
    assertThat(real.replicas()).isEqualTo(6);
    assertThat(ours(cpu, 2.0, new ReplicaStatus(6, 4, 0, 6))).isEqualTo(6);

    // Above the target, the pending pods count 0 (ratio 1.6, corrected 1.067: within
    // tolerance); and memory alike, whose warming pods count.
    assertThat(controller.plainValue(pods.stream().map(p -> p.usageMilli().isPresent()
        ? pod(p.name(), true, HOUR_AGO, HOUR_AGO, 800) : p).toList(), 6, 500, true, NOW)
        .replicas()).isEqualTo(6);
    assertThat(ours(cpu, 3.2, new ReplicaStatus(6, 4, 0, 6))).isEqualTo(6);
    assertThat(ours(MetricTarget.averageValue("memory", 0.5), 3.2,
        new ReplicaStatus(4, 4, 2, 4))).isEqualTo(7);
    // A metric of another name is an object/external one: ceil(2 / 0.5) = 4.
    assertThat(ours(MetricTarget.averageValue("rps", 0.5), 2.0, new ReplicaStatus(6, 4, 0, 6)))
        .isEqualTo(4);
  }
}
