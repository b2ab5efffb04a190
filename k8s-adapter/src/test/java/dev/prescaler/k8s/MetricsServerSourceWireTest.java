package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exact answers and injected errors of the API under {@link MetricsServerSource}. */
class MetricsServerSourceWireTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final String SCALE = "/apis/apps/v1/namespaces/default/deployments/web/scale";
  private static final String PODS = "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb";
  private static final String METRICS =
      "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb";

  private final Wire wire = new Wire();
  private final ManualClock clock = new ManualClock(T0);
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);
  private final List<Duration> sleeps = sleeper.sleeps;

  @AfterEach
  void stop() {
    wire.close();
  }

  private MetricsServerSource source(Duration readTimeout) {
    return MetricsServerSource.builder(wire.client(readTimeout)).clock(clock)
        .ticker(clock::nanos).sleeper(sleeper).build();
  }

  private static WorkloadSpec spec(MetricTarget... metrics) {
    WorkloadSpec.Builder b = WorkloadSpec.builder(WorkloadRef.deployment("default", "web"))
        .maxReplicas(20);
    for (MetricTarget m : metrics) {
      b.metric(m);
    }
    return b.build();
  }

  /** A ready pod of app=web, ready for 10 minutes, requesting 500m CPU and 256Mi. */
  private static String pod(String name) {
    return pod(name, "{\"containers\":[{\"name\":\"app\",\"image\":\"pause\",\"resources\":"
        + "{\"requests\":{\"cpu\":\"500m\",\"memory\":\"256Mi\"}}}]}");
  }

  /** A ready pod of app=web, ready for 10 minutes, with the given {@code spec} (JSON). */
  private static String pod(String name, String spec) {
    String since = T0.minus(Duration.ofMinutes(10)).toString();
    return String.format(Locale.ROOT, "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\","
        + "\"labels\":{\"app\":\"web\"}},\"spec\":%s,\"status\":{\"phase\":\"Running\","
        + "\"startTime\":\"%s\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\","
        + "\"lastTransitionTime\":\"%s\"}]}}", name, spec, since, since);
  }

  /** A container named {@code name} requesting {@code cpu}, as JSON. */
  private static String container(String name, String cpu, String more) {
    return "{\"name\":\"" + name + "\",\"image\":\"pause\"," + more + "\"resources\":"
        + "{\"requests\":{\"cpu\":\"" + cpu + "\"}}}";
  }

  /** A PodMetrics of {@code name}, sampled 20 s before T0, with the given containers (JSON). */
  private static String sampleOf(String name, String... containers) {
    return String.format(Locale.ROOT, "{\"metadata\":{\"name\":\"%s\",\"namespace\":"
        + "\"default\"},\"timestamp\":\"%s\",\"window\":\"30s\",\"containers\":[%s]}", name,
        T0.minusSeconds(20), String.join(",", containers));
  }

  private static String podList(String... pods) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"5\"},"
        + "\"items\":[" + String.join(",", pods) + "]}";
  }

  /** A PodMetrics of {@code name}, sampled 20 s before T0, with the given container usage. */
  private static String sample(String name, String usage) {
    return sampleOf(name, "{\"name\":\"app\",\"usage\":{" + usage + "}}");
  }

  private static String sampleList(String... samples) {
    return "{\"apiVersion\":\"metrics.k8s.io/v1beta1\",\"kind\":\"PodMetricsList\",\"metadata\":"
        + "{},\"items\":[" + String.join(",", samples) + "]}";
  }

  @Test
  void aSampleWithoutTheResourceCountsAsNoSample() {
    wire.json(200, Wire.scale("web", 2, 2, "1", "app=web"))
        .json(200, podList(pod("web-0"), pod("web-1")))
        .json(200, sampleList(sample("web-0", "\"cpu\":\"400m\",\"memory\":\"128Mi\""),
            sample("web-1", "\"memory\":\"128Mi\"")));

    Observation o = source(Duration.ofSeconds(5)).read(spec(MetricTarget.utilization("cpu", 60),
        MetricTarget.utilization("memory", 80)), T0);

    // Not 400m ÷ 1000m = 40 %: web-1's CPU is unknown, not zero.
    MetricReading cpu = o.reading("cpu");
    assertThat(cpu.isAvailable()).as("cpu %s", cpu).isFalse();
    assertThat(cpu.reason()).isEqualTo("1 of 2 ready pods of app=web have no metrics.k8s.io "
        + "sample of cpu (web-1; a new pod has none before its first scrape)");
    MetricReading memory = o.reading("memory");
    assertThat(memory.isAvailable()).as(memory.reason()).isTrue();
    assertThat(memory.value()).isCloseTo(50.0, within(1e-9));
    assertThat(memory.timestamp()).isEqualTo(T0.minusSeconds(20));
    assertThat(o.replicas()).contains(new ReplicaStatus(2, 2, 0));
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + SCALE,
        "GET " + PODS, "GET " + METRICS);
    assertThat(sleeps).isEmpty();
  }

  /**
   * Catches a sample without one of the pod's containers read as the pod's usage: 450m over the
   * 1000m both containers request read 45 %, though the proxy's usage is unknown, not zero
   * (metrics-server drops a container whose CPU counter went back, as after a restart), and the
   * engine could scale down under load. A workload total from that sample is short the same way.
   */
  @Test
  void aSampleWithoutOneOfThePodsContainersIsUnavailableNamingThePodAndTheContainer() {
    String twoContainers = "{\"containers\":[" + container("app", "500m", "")
        + "," + container("proxy", "500m", "") + "]}";
    wire.json(200, Wire.scale("web", 1, 1, "1", "app=web"))
        .json(200, podList(pod("web-0", twoContainers)))
        .json(200, sampleList(sampleOf("web-0",
            "{\"name\":\"app\",\"usage\":{\"cpu\":\"450m\",\"memory\":\"100Mi\"}}")));

    Observation o = source(Duration.ofSeconds(5)).read(spec(MetricTarget.utilization("cpu", 60),
        MetricTarget.averageValue("memory", 1e8)), T0);

    MetricReading cpu = o.reading("cpu");
    assertThat(cpu.isAvailable()).as("cpu %s", cpu).isFalse();
    assertThat(cpu.reason()).isEqualTo("1 of 1 ready pods of app=web have no metrics.k8s.io "
        + "sample of cpu (web-0 lacks container proxy; a new pod has none before its first "
        + "scrape, a restarted container none before its next)");
    MetricReading memory = o.reading("memory");
    assertThat(memory.isAvailable()).as("memory %s", memory).isFalse();
    assertThat(memory.reason()).startsWith("1 of 1 ready pods of app=web have no metrics.k8s.io "
        + "sample of memory (web-0 lacks container proxy;");
    assertThat(o.replicas()).contains(new ReplicaStatus(1, 1, 0));
  }

  /**
   * Usage and request are taken over the same containers: the containers and the native sidecars
   * (init containers with restartPolicy Always), not a classic init container, which has ended,
   * nor a container the sample lists beyond them (an ephemeral debug container, with no request).
   * Catches the sidecar's missing usage read as 0 (300m of 600m: 50 %), and the debug
   * container's usage added over a request that does not count it ((300 + 60 + 500) of 600m).
   */
  @Test
  void usageIsSummedOverTheContainersWhoseRequestCountsAndEachOfThemMustHaveOne() {
    String mesh = "{\"containers\":[" + container("app", "500m", "") + "],\"initContainers\":["
        + container("migrate", "2", "") + "," + container("proxy", "100m",
            "\"restartPolicy\":\"Always\",") + "]}";
    String app = "{\"name\":\"app\",\"usage\":{\"cpu\":\"300m\"}}";
    String proxy = "{\"name\":\"proxy\",\"usage\":{\"cpu\":\"60m\"}}";
    String debugger = "{\"name\":\"debugger\",\"usage\":{\"cpu\":\"500m\"}}";
    WorkloadSpec utilization = spec(MetricTarget.utilization("cpu", 60));
    for (boolean total : new boolean[] {false, true}) {
      wire.json(200, Wire.scale("web", 1, 1, "1", "app=web"))
          .json(200, podList(pod("web-0", mesh)))
          .json(200, sampleList(sampleOf("web-0", app, proxy, debugger)));
      MetricReading cpu = source(Duration.ofSeconds(5)).read(total
          ? spec(MetricTarget.averageValue("cpu", 0.5)) : utilization, T0).reading("cpu");
      assertThat(cpu.isAvailable()).as(cpu.reason()).isTrue();
      assertThat(cpu.value()).as("total %s", total).isCloseTo(total ? 0.36 : 60.0,
          within(1e-9));
    }

    wire.json(200, Wire.scale("web", 1, 1, "1", "app=web"))
        .json(200, podList(pod("web-0", mesh)))
        .json(200, sampleList(sampleOf("web-0", app, debugger)));
    MetricReading cpu = source(Duration.ofSeconds(5)).read(utilization, T0).reading("cpu");
    assertThat(cpu.isAvailable()).as("cpu %s", cpu).isFalse();
    assertThat(cpu.reason()).contains("(web-0 lacks container proxy;");
  }

  @Test
  void aMalformedAnswerIsAnUnavailableReadingWithTheReplicaCounts() {
    // Catches read() throwing on a 200 that is no PodMetricsList: the agent then lost the replica
    // counts of the whole group.
    for (String body : new String[] {"{\"items\": [",
        sampleList(sample("web-0", "\"cpu\":\"12x\",\"memory\":\"1Gi\""))}) {
      wire.json(200, Wire.scale("web", 1, 1, "1", "app=web")).json(200, podList(pod("web-0")))
          .json(200, body);
      Observation o = source(Duration.ofSeconds(5)).read(
          spec(MetricTarget.utilization("cpu", 60)), T0);
      MetricReading cpu = o.reading("cpu");
      assertThat(cpu.isAvailable()).isFalse();
      assertThat(cpu.reason()).startsWith("HTTP 200 on pods.metrics.k8s.io in default (app=web): "
          + "malformed answer: ");
      assertThat(o.replicas()).contains(new ReplicaStatus(1, 1, 0));
    }
    assertThat(sleeps).as("not retried").isEmpty();
    // The pod list too: then nothing is known, not even the ready count.
    wire.json(200, Wire.scale("web", 1, 1, "1", "app=web")).json(200, "<html>proxy</html>");
    Observation o = source(Duration.ofSeconds(5)).read(spec(MetricTarget.utilization("cpu", 60)),
        T0);
    assertThat(o.reading("cpu").reason()).startsWith("HTTP 200 on pods in default (app=web): "
        + "malformed answer: ");
  }

  /**
   * Catches read() throwing IllegalArgumentException from ReplicaStatus on a scale whose
   * spec.replicas is negative, and a 200 Status read as a scale of 0 replicas: both are
   * unreadable answers, so unavailable readings without replica counts.
   */
  @Test
  void aScaleWithANegativeCountOrOfAnotherKindIsUnavailableNotThrownNorZero() {
    for (String body : new String[] {Wire.scale("web", -1, 0, "1", "app=web"),
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\",\"code\":"
            + "200}"}) {
      // A wire each: the answers after the scale's are left unasked.
      try (Wire w = new Wire()) {
        w.json(200, body).json(200, podList(pod("web-0")))
            .json(200, sampleList(sample("web-0", "\"cpu\":\"400m\"")));
        Observation o = MetricsServerSource.builder(w.client()).clock(clock).ticker(clock::nanos)
            .sleeper(sleeper).build().read(spec(MetricTarget.utilization("cpu", 60)), T0);
        MetricReading cpu = o.reading("cpu");
        assertThat(cpu.isAvailable()).as(body).isFalse();
        assertThat(cpu.reason()).as(body).startsWith("HTTP 200 on deployments.apps default/web "
            + "scale: malformed answer: ");
        assertThat(o.replicas()).as(body).isEmpty();
        assertThat(w.requests()).extracting(Wire::line).as(body).containsExactly("GET " + SCALE);
      }
    }
    assertThat(sleeps).as("not retried").isEmpty();
  }

  @Test
  void timeoutsOnEveryTryOfThePodMetricsListGiveAnUnavailableReadingWithTheReplicaCounts() {
    wire.json(200, Wire.scale("web", 3, 3, "1", "app=web")).json(200, podList());
    for (int i = 0; i < 4; i++) {
      wire.stall();
    }

    Observation o = source(Duration.ofMillis(200)).read(spec(MetricTarget.utilization("cpu", 60)),
        T0);

    MetricReading cpu = o.reading("cpu");
    assertThat(cpu.isAvailable()).isFalse();
    assertThat(cpu.reason()).startsWith("I/O error on pods.metrics.k8s.io in default (app=web): "
        + "SocketTimeoutException");
    assertThat(o.replicas()).contains(new ReplicaStatus(3, 0, 0));
    // RetryPolicy.DEFAULT: 4 tries, waiting 200 ms doubling.
    assertThat(sleeps).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400),
        Duration.ofMillis(800));
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + SCALE,
        "GET " + PODS, "GET " + METRICS, "GET " + METRICS, "GET " + METRICS, "GET " + METRICS);
  }

  @Test
  void aTimedOutPodMetricsListIsRetried() {
    wire.json(200, Wire.scale("web", 1, 1, "1", "app=web")).json(200, podList(pod("web-0")))
        .stall().json(200, sampleList(sample("web-0", "\"cpu\":\"300m\",\"memory\":\"1Gi\"")));

    Observation o = source(Duration.ofMillis(200)).read(spec(MetricTarget.utilization("cpu", 60)),
        T0);

    MetricReading cpu = o.reading("cpu");
    assertThat(cpu.isAvailable()).as(cpu.reason()).isTrue();
    assertThat(cpu.value()).isCloseTo(60.0, within(1e-9));
    assertThat(sleeps).containsExactly(Duration.ofMillis(200));
  }

  @Test
  void serverErrorsWithoutABodyAreRetriedThenUnavailable() {
    wire.json(200, Wire.scale("web", 1, 1, "1", "app=web")).json(200, podList(pod("web-0")));
    for (int i = 0; i < 4; i++) {
      wire.json(503, "");
    }

    Observation o = source(Duration.ofSeconds(5)).read(spec(MetricTarget.utilization("cpu", 60),
        MetricTarget.averageValue("memory", 1e8)), T0);

    assertThat(o.reading("cpu").isAvailable()).isFalse();
    assertThat(o.reading("cpu").reason()).isEqualTo("HTTP 503 on pods.metrics.k8s.io in default "
        + "(app=web): no message from the server");
    assertThat(o.reading("memory").reason()).isEqualTo(o.reading("cpu").reason());
    assertThat(o.replicas()).contains(new ReplicaStatus(1, 1, 0));
    assertThat(sleeps).hasSize(3);
  }

  @Test
  void aRefusedPodMetricsListNamesTheServersReasonAndIsNotRetried() {
    wire.json(200, Wire.scale("web", 1, 1, "1", "app=web")).json(200, podList(pod("web-0")))
        .status(403, "Forbidden", "pods.metrics.k8s.io is forbidden: User \"system:serviceaccount:"
            + "prescaler:prescaler\" cannot list resource \"pods\" in API group "
            + "\"metrics.k8s.io\"");

    Observation o = source(Duration.ofSeconds(5)).read(spec(MetricTarget.utilization("cpu", 60)),
        T0);

    assertThat(o.reading("cpu").reason()).isEqualTo("HTTP 403 Forbidden on pods.metrics.k8s.io in "
        + "default (app=web): pods.metrics.k8s.io is forbidden: User \"system:serviceaccount:"
        + "prescaler:prescaler\" cannot list resource \"pods\" in API group \"metrics.k8s.io\"");
    assertThat(sleeps).isEmpty();
    assertThat(wire.requests()).hasSize(3);
  }

  @Test
  void tooManyRequestsOnThePodMetricsListWaitsItsRetryAfter() {
    wire.json(200, Wire.scale("web", 1, 1, "1", "app=web")).json(200, podList(pod("web-0")))
        .tooManyRequests(1)
        .json(200, sampleList(sample("web-0", "\"cpu\":\"250m\",\"memory\":\"1Gi\"")));

    Observation o = source(Duration.ofSeconds(5)).read(spec(MetricTarget.utilization("cpu", 60)),
        T0);

    assertThat(o.reading("cpu").value()).isCloseTo(50.0, within(1e-9));
    assertThat(sleeps).containsExactly(Duration.ofSeconds(1));
  }
}
