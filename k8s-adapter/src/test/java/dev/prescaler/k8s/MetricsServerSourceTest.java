package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.testkit.ManualClock;
import dev.prescaler.testkit.MetricSourceContract;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link MetricsServerSource} over HTTP against fabric8's CRUD mock, seeded with pods and
 * metrics.k8s.io PodMetrics (which only a mock lets a test write, so this class always uses it).
 */
class MetricsServerSourceTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static KubeBackend k8s;
  private static MetricsServerSource source;

  @BeforeAll
  static void start() throws Exception {
    k8s = KubeBackend.mock();
    source = MetricsServerSource.builder(k8s.adapter()).clock(new ManualClock(T0))
        .sleeper(d -> { }).build();
    // web: 3 ready pods (one became ready 20 s ago: warming), one not ready; requests 500m/256Mi.
    // Its controller counts the 4 pods that exist (status.replicas: a surge above spec's 3).
    k8s.deployment("web", 3);
    k8s.deploymentStatus("web", 4, 3);
    k8s.readyPod("web-0", "web", true, T0.minus(Duration.ofMinutes(10)));
    k8s.readyPod("web-1", "web", true, T0.minus(Duration.ofMinutes(10)));
    k8s.readyPod("web-2", "web", true, T0.minusSeconds(20));
    k8s.readyPod("web-3", "web", false, T0.minusSeconds(5));
    k8s.podMetrics("web-0", "web", "400m", "128Mi", T0.minusSeconds(30));
    k8s.podMetrics("web-1", "web", "300m", "128Mi", T0.minusSeconds(20));
    k8s.podMetrics("web-2", "web", "500m", "128Mi", T0.minusSeconds(10));
    k8s.podMetrics("web-3", "web", "900m", "1Gi", T0.minusSeconds(10));
    // cold: pods but no metrics yet.
    k8s.deployment("cold", 1);
    k8s.deploymentStatus("cold", 1, 1);
    k8s.readyPod("cold-0", "cold", true, T0.minus(Duration.ofMinutes(5)));
    // partial: 3 ready pods requesting 500m, only one of them sampled (900m).
    k8s.deployment("partial", 3);
    k8s.deploymentStatus("partial", 3, 3);
    for (int i = 0; i < 3; i++) {
      k8s.readyPod("partial-" + i, "partial", true, T0.minus(Duration.ofMinutes(10)));
    }
    k8s.podMetrics("partial-0", "partial", "900m", "200Mi", T0.minusSeconds(15));
    // idle: no ready pod (the one pod is not ready), with a sample.
    k8s.deployment("idle", 1);
    k8s.deploymentStatus("idle", 1, 0);
    k8s.readyPod("idle-0", "idle", false, T0.minusSeconds(5));
    k8s.podMetrics("idle-0", "idle", "100m", "64Mi", T0.minusSeconds(5));
  }

  @AfterAll
  static void stop() {
    k8s.close();
  }

  private static WorkloadSpec spec(String name, MetricTarget... metrics) {
    WorkloadSpec.Builder b = WorkloadSpec.builder(WorkloadRef.deployment(k8s.namespace(), name))
        .maxReplicas(20);
    for (MetricTarget m : metrics) {
      b.metric(m);
    }
    return b.build();
  }

  @Test
  void utilizationIsUsageOverRequestOfReadyPodsWithSamples() {
    Observation o = source.read(spec("web", MetricTarget.utilization("cpu", 60),
        MetricTarget.utilization("memory", 80)), T0);

    // web-2 became ready 20 s ago and its sample (10 s ago, over 30 s) began before: the HPA
    // ignores it for CPU (warming), not for memory.
    assertThat(o.replicas()).contains(new ReplicaStatus(3, 3, 1, 4));
    MetricReading cpu = o.reading("cpu");
    assertThat(cpu.isAvailable()).as(cpu.reason()).isTrue();
    assertThat(cpu.value()).isCloseTo((400 + 300) / 1000.0 * 100, within(1e-9));
    assertThat(cpu.timestamp()).isEqualTo(T0.minusSeconds(30));
    assertThat(o.reading("memory").value()).isCloseTo(50.0, within(1e-9));
  }

  @Test
  void nativeSidecarsAndPodLevelRequestsCountAsTheHpaCountsThem() throws Exception {
    // The pod's sample holds its sidecar's usage: without the sidecar's request, utilization
    // read 360/500 = 72 % where the HPA reads 360/600 = 60 %. A classic init container has
    // ended and is not counted. A pod-level request stands for its containers' (none here),
    // which read as "no request" before.
    k8s.deployment("mesh", 1);
    V1PodSpec mesh = new V1PodSpec()
        .containers(List.of(withCpu(new V1Container().name("app"), "500m")))
        .initContainers(List.of(withCpu(new V1Container().name("migrate"), "2"),
            withCpu(new V1Container().name("proxy").restartPolicy("Always"), "100m")));
    k8s.readyPod("mesh-0", "mesh", true, T0.minus(Duration.ofMinutes(10)), mesh);
    k8s.podMetrics("mesh-0", "mesh", T0.minusSeconds(10), new String[] {"app", "300m", "1Mi"},
        new String[] {"proxy", "60m", "1Mi"});
    k8s.deployment("solo", 1);
    V1PodSpec solo = new V1PodSpec().containers(List.of(new V1Container().name("app")))
        .resources(new V1ResourceRequirements().requests(Map.of("cpu",
            Quantity.fromString("2"))));
    k8s.readyPod("solo-0", "solo", true, T0.minus(Duration.ofMinutes(10)), solo);
    k8s.podMetrics("solo-0", "solo", "500m", "1Mi", T0.minusSeconds(10));

    MetricReading sidecar = source.read(spec("mesh", MetricTarget.utilization("cpu", 60)), T0)
        .reading("cpu");
    assertThat(sidecar.isAvailable()).as(sidecar.reason()).isTrue();
    assertThat(sidecar.value()).isCloseTo(60.0, within(1e-9));
    MetricReading podLevel = source.read(spec("solo", MetricTarget.utilization("cpu", 60)), T0)
        .reading("cpu");
    assertThat(podLevel.isAvailable()).as(podLevel.reason()).isTrue();
    assertThat(podLevel.value()).isCloseTo(25.0, within(1e-9));
  }

  @Test
  void anExplicitZeroRequestIsAddedAndOnlyAMissingRequestOrAZeroTotalIsUndefined()
      throws Exception {
    // As the HPA's calculatePodRequests: a request of 0 is summed, a missing one fails; and as
    // GetResourceUtilizationRatio, a total of 0 fails ("no metrics returned matched known pods").
    k8s.deployment("zeromix", 2);
    k8s.readyPod("zeromix-0", "zeromix", true, T0.minus(Duration.ofMinutes(10)), new V1PodSpec()
        .containers(List.of(withCpu(new V1Container().name("app"), "0"))));
    k8s.readyPod("zeromix-1", "zeromix", true, T0.minus(Duration.ofMinutes(10)), new V1PodSpec()
        .containers(List.of(withCpu(new V1Container().name("app"), "400m"),
            withCpu(new V1Container().name("helper"), "0"))));
    k8s.podMetrics("zeromix-0", "zeromix", "100m", "1Mi", T0.minusSeconds(10));
    k8s.podMetrics("zeromix-1", "zeromix", T0.minusSeconds(10),
        new String[] {"app", "300m", "1Mi"}, new String[] {"helper", "0", "1Mi"});
    k8s.deployment("zeroall", 1);
    k8s.readyPod("zeroall-0", "zeroall", true, T0.minus(Duration.ofMinutes(10)), new V1PodSpec()
        .containers(List.of(withCpu(new V1Container().name("app"), "0"))));
    k8s.podMetrics("zeroall-0", "zeroall", "100m", "1Mi", T0.minusSeconds(10));
    k8s.deployment("norequest", 1);
    k8s.readyPod("norequest-0", "norequest", true, T0.minus(Duration.ofMinutes(10)),
        new V1PodSpec().containers(List.of(withCpu(new V1Container().name("app"), "0"),
            new V1Container().name("helper"))));
    k8s.podMetrics("norequest-0", "norequest", "100m", "1Mi", T0.minusSeconds(10));

    MetricReading mixed = source.read(spec("zeromix", MetricTarget.utilization("cpu", 60)), T0)
        .reading("cpu");
    assertThat(mixed.isAvailable()).as(mixed.reason()).isTrue();
    assertThat(mixed.value()).isCloseTo((100 + 300) / 400.0 * 100, within(1e-9));

    MetricReading zero = source.read(spec("zeroall", MetricTarget.utilization("cpu", 60),
        MetricTarget.averageValue("memory", 1e6)), T0).reading("cpu");
    assertThat(zero.isAvailable()).isFalse();
    assertThat(zero.reason()).isEqualTo("the 1 ready pods of app=zeroall request cpu 0 in total: "
        + "utilization is undefined");
    assertThat(source.read(spec("zeroall", MetricTarget.averageValue("cpu", 0.5)), T0)
        .reading("cpu").value()).as("a total needs no request").isCloseTo(0.1, within(1e-9));

    MetricReading missing = source.read(spec("norequest", MetricTarget.utilization("cpu", 60)),
        T0).reading("cpu");
    assertThat(missing.isAvailable()).isFalse();
    assertThat(missing.reason()).isEqualTo("pod norequest-0 has no cpu request: utilization is "
        + "undefined");
  }

  private static V1Container withCpu(V1Container c, String cpu) {
    return c.resources(new V1ResourceRequirements().requests(Map.of("cpu",
        Quantity.fromString(cpu))));
  }

  /**
   * A Running pod of {@code app} requesting 500m and 256Mi, started at {@code start}, its Ready
   * condition {@code ready} since {@code since} (the pods of {@link KubeBackend#readyPod} start 5
   * s before they become ready).
   */
  private static void pod(String name, String app, boolean ready, Instant start, Instant since)
      throws Exception {
    V1Pod p = new V1Pod().apiVersion("v1").kind("Pod")
        .metadata(new V1ObjectMeta().name(name).namespace(k8s.namespace())
            .labels(Map.of("app", app)))
        .spec(new V1PodSpec().containers(List.of(new V1Container().name("app")
            .resources(new V1ResourceRequirements().requests(Map.of(
                "cpu", Quantity.fromString("500m"), "memory", Quantity.fromString("256Mi")))))))
        .status(new V1PodStatus().phase("Running").startTime(start.atOffset(ZoneOffset.UTC))
            .conditions(List.of(new V1PodCondition().type("Ready").status(ready ? "True" : "False")
                .lastTransitionTime(since.atOffset(ZoneOffset.UTC)))));
    new CoreV1Api(k8s.fixture()).createNamespacedPod(k8s.namespace(), p).execute();
  }

  @Test
  void podsThatFellOutOfReadinessKeepTheirSamplesAsTheHpaKeepsThem() throws Exception {
    // Overloaded: 4 pods started an hour ago use all of their 500m; two failed their readiness
    // probe 60 s ago. The HPA's groupPods keeps the sample of a pod not ready unless it is inside
    // its CPU initialization period or never became ready: 100 % over the 4 (7 replicas at a
    // target of 60 %; memory 75 % over the 4, 5 at 60 %). Read over the two Ready ones, with
    // the other two as pending, the floor was 4 (cpu: the corrected ratio flips direction) and
    // memory's 3. A fifth pod, started 10 min ago and never ready, stays out as before.
    Instant hourAgo = T0.minus(Duration.ofHours(1));
    k8s.deployment("ov", 4);
    k8s.deploymentStatus("ov", 5, 2);
    for (int i = 0; i < 4; i++) {
      pod("ov-" + i, "ov", i < 2, hourAgo, i < 2 ? hourAgo : T0.minusSeconds(60));
      k8s.podMetrics("ov-" + i, "ov", "500m", "192Mi", T0.minusSeconds(5));
    }
    pod("ov-4", "ov", false, T0.minusSeconds(600), T0.minusSeconds(598));
    k8s.podMetrics("ov-4", "ov", "50m", "16Mi", T0.minusSeconds(5));

    Observation o = source.read(spec("ov", MetricTarget.utilization("cpu", 60),
        MetricTarget.utilization("memory", 60)), T0);

    assertThat(o.replicas()).contains(new ReplicaStatus(4, 4, 0, 5));
    assertThat(o.reading("cpu").value()).isCloseTo(100.0, within(1e-9));
    assertThat(o.reading("memory").value()).isCloseTo(75.0, within(1e-9));
  }

  @Test
  void averageValueIsTheWorkloadTotal() {
    // cpu: the mean of the two pods whose sample the HPA counts, times the 3 ready pods.
    Observation o = source.read(spec("web", MetricTarget.averageValue("cpu", 0.5),
        MetricTarget.averageValue("memory", 1e8)), T0);
    assertThat(o.reading("cpu").value()).isCloseTo(0.7 / 2 * 3, within(1e-9));
    assertThat(o.reading("memory").value()).isCloseTo(3 * 128 * 1024 * 1024, within(1e-3));
  }

  @Test
  void metricsItDoesNotServeAndPodsWithoutSamplesAreUnavailable() {
    Observation o = source.read(spec("cold", MetricTarget.utilization("cpu", 60),
        MetricTarget.averageValue("rps", 100)), T0);
    assertThat(o.replicas()).contains(new ReplicaStatus(1, 1, 0));
    assertThat(o.reading("cpu").isAvailable()).isFalse();
    assertThat(o.reading("cpu").reason()).isEqualTo("1 of 1 ready pods of app=cold have no "
        + "metrics.k8s.io sample of cpu (cold-0; a new pod has none before its first scrape)");
    assertThat(o.reading("rps").reason()).isEqualTo("MetricsServerSource serves cpu and memory "
        + "only, not rps");
  }

  @Test
  void readyPodsWithoutASampleMakeEveryResourceReadingUnavailable() {
    // One sample of 900m against a 500m request is 180 %: a figure of one pod, not of the three
    // (the engine would multiply it by all three ready pods).
    Observation o = source.read(spec("partial", MetricTarget.utilization("cpu", 60),
        MetricTarget.averageValue("memory", 1e8)), T0);

    assertThat(o.replicas()).contains(new ReplicaStatus(3, 3, 0));
    MetricReading cpu = o.reading("cpu");
    assertThat(cpu.isAvailable()).as("cpu %s", cpu).isFalse();
    assertThat(cpu.reason()).isEqualTo("2 of 3 ready pods of app=partial have no metrics.k8s.io "
        + "sample of cpu (partial-1, partial-2; a new pod has none before its first scrape)");
    // A total of part of the pods is not the workload's total either.
    MetricReading memory = o.reading("memory");
    assertThat(memory.isAvailable()).as("memory %s", memory).isFalse();
    assertThat(memory.reason()).startsWith("2 of 3 ready pods of app=partial have no "
        + "metrics.k8s.io sample of memory");
  }

  @Test
  void noReadyPodGivesUnavailableReadingsWhateverTheSamples() {
    Observation o = source.read(spec("idle", MetricTarget.utilization("cpu", 60),
        MetricTarget.averageValue("memory", 1e8)), T0);
    assertThat(o.replicas()).contains(new ReplicaStatus(1, 0, 0));
    assertThat(o.reading("cpu").isAvailable()).isFalse();
    assertThat(o.reading("cpu").reason()).isEqualTo("no ready pod of app=idle to measure cpu on");
    assertThat(o.reading("memory").reason())
        .isEqualTo("no ready pod of app=idle to measure memory on");
  }

  @Test
  void aMissingWorkloadGivesUnavailableReadingsAndNoReplicaCounts() {
    Observation o = source.read(spec("ghost", MetricTarget.utilization("cpu", 60)), T0);
    assertThat(o.replicas()).isEmpty();
    assertThat(o.reading("cpu").reason()).startsWith("HTTP 404")
        .contains("deployments.apps shop/ghost scale");
  }

  @Test
  void warmingPodsAreThoseWhoseCpuSampleTheHpaIgnores() throws Exception {
    // The controller ignores a Ready pod's CPU sample only inside its CPU initialization period
    // (5 min from its start) and only while the sample's window began before the pod became
    // ready; "ready less than 60 s ago" was not its rule. Every sample here: now, over 30 s.
    Instant hourAgo = T0.minus(Duration.ofHours(1));
    // 4 pods long ready and 4 started 75 s ago, ready 45 s ago (a window before the sample), all
    // at 90 %: the HPA counts all 8 (12 at 60 %); with the 4 new as warming the floor was 8.
    k8s.deployment("warm", 8);
    k8s.deploymentStatus("warm", 8, 8);
    for (int i = 0; i < 8; i++) {
      pod("warm-" + i, "warm", true, i < 4 ? hourAgo : T0.minusSeconds(75),
          i < 4 ? hourAgo : T0.minusSeconds(45));
      k8s.podMetrics("warm-" + i, "warm", "450m", "128Mi", T0);
    }
    // A pod started an hour ago, Ready again for 20 s (a flap): past its initialization period,
    // its sample counts (3 at 60 %; as warming the floor was 2).
    k8s.deployment("flap", 2);
    k8s.deploymentStatus("flap", 2, 2);
    pod("flap-0", "flap", true, hourAgo, hourAgo);
    pod("flap-1", "flap", true, hourAgo, T0.minusSeconds(20));
    k8s.podMetrics("flap-0", "flap", "450m", "128Mi", T0);
    k8s.podMetrics("flap-1", "flap", "450m", "128Mi", T0);
    // Inside the initialization period: ready 20 s ago (its window began before), and a pod
    // that was ready and is not since 30 s: both warming, counted for memory, not for cpu.
    k8s.deployment("init", 3);
    k8s.deploymentStatus("init", 3, 2);
    pod("init-0", "init", true, hourAgo, hourAgo);
    pod("init-1", "init", true, T0.minusSeconds(60), T0.minusSeconds(20));
    pod("init-2", "init", false, T0.minusSeconds(120), T0.minusSeconds(30));
    k8s.podMetrics("init-0", "init", "300m", "64Mi", T0);
    k8s.podMetrics("init-1", "init", "500m", "192Mi", T0);
    k8s.podMetrics("init-2", "init", "500m", "192Mi", T0);

    Observation warm = source.read(spec("warm", MetricTarget.utilization("cpu", 60)), T0);
    assertThat(warm.replicas()).contains(new ReplicaStatus(8, 8, 0, 8));
    assertThat(warm.reading("cpu").value()).isCloseTo(90.0, within(1e-9));
    assertThat(source.read(spec("flap", MetricTarget.utilization("cpu", 60)), T0).replicas())
        .contains(new ReplicaStatus(2, 2, 0, 2));
    Observation init = source.read(spec("init", MetricTarget.utilization("cpu", 60),
        MetricTarget.utilization("memory", 60)), T0);
    assertThat(init.replicas()).contains(new ReplicaStatus(3, 3, 2, 3));
    assertThat(init.reading("cpu").value()).isCloseTo(60.0, within(1e-9));
    assertThat(init.reading("memory").value()).isCloseTo((64 + 192 + 192) / 768.0 * 100,
        within(1e-9));
    // A controller run with a shorter period (--horizontal-pod-autoscaler-cpu-initialization-
    // period 90s): init-2 (started 120 s ago) is past it and, having been ready, counts; init-1
    // (60 s) is not.
    MetricsServerSource shortInit = MetricsServerSource.builder(k8s.adapter())
        .cpuInitializationPeriod(Duration.ofSeconds(90)).sleeper(d -> { }).build();
    assertThat(shortInit.read(spec("init", MetricTarget.utilization("cpu", 60)), T0).replicas())
        .contains(new ReplicaStatus(3, 3, 1, 3));
  }

  @Test
  void noCpuSampleTheHpaCountsIsNoCpuReading() throws Exception {
    k8s.deployment("fresh", 1);
    k8s.deploymentStatus("fresh", 1, 1);
    pod("fresh-0", "fresh", true, T0.minusSeconds(30), T0.minusSeconds(10));
    k8s.podMetrics("fresh-0", "fresh", "450m", "128Mi", T0);

    Observation o = source.read(spec("fresh", MetricTarget.utilization("cpu", 60),
        MetricTarget.utilization("memory", 60)), T0);
    assertThat(o.replicas()).contains(new ReplicaStatus(1, 1, 1, 1));
    assertThat(o.reading("cpu").reason()).isEqualTo("the 1 ready pods of app=fresh all became "
        + "ready less than a sample window before their cpu sample, inside their CPU "
        + "initialization period: the HPA counts none of them yet");
    assertThat(o.reading("memory").value()).isCloseTo(50.0, within(1e-9));
  }

  @Test
  void aGoDurationIsReadAsMetricsServerWritesIt() {
    assertThat(MetricsServerSource.window("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(MetricsServerSource.window("1m0s")).isEqualTo(Duration.ofMinutes(1));
    assertThat(MetricsServerSource.window("15.5s")).isEqualTo(Duration.ofMillis(15_500));
    assertThat(MetricsServerSource.window("1m30.25s")).isEqualTo(Duration.ofMillis(90_250));
    assertThat(MetricsServerSource.window("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(MetricsServerSource.window(null)).isEqualTo(Duration.ZERO);
    assertThat(MetricsServerSource.window("30")).isEqualTo(Duration.ZERO);
  }

  @Test
  void meetsTheTestkitContract() {
    assertThat(MetricSourceContract.check(source, spec("web", MetricTarget.utilization("cpu", 60),
        MetricTarget.averageValue("memory", 1e8)), T0)).isEmpty();
    assertThat(MetricSourceContract.check(source, spec("ghost",
        MetricTarget.utilization("cpu", 60)), T0)).isEmpty();
  }

  @Test
  void theControllersPeriodsAreValidated() {
    assertThatThrownBy(() -> MetricsServerSource.builder(k8s.adapter())
        .cpuInitializationPeriod(Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cpuInitializationPeriod must be in [PT0S, PT1H], but was PT2H");
    assertThatThrownBy(() -> MetricsServerSource.builder(k8s.adapter())
        .initialReadinessDelay(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialReadinessDelay must be in [PT0S, PT1H], but was PT-1S");
  }
}
