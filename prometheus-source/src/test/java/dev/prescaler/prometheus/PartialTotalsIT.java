package dev.prescaler.prometheus;

import static dev.prescaler.prometheus.HistoryFixture.STEP_S;
import static dev.prescaler.prometheus.HistoryFixture.counter;
import static dev.prescaler.prometheus.HistoryFixture.gauge;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in totals ({@code cpuCores()}, {@code memoryWorkingSetBytes()}, {@code
 * requestRate(counter)}) against the real Prometheus when a pod's series are missing. An hour of
 * backfilled history, one sample a minute, for four Deployments in {@code shop}; pod {@code i}
 * uses {@link #CORES}[i] cores, {@link #MIB}[i] MiB and serves {@link #RPS}[i] requests per
 * second:
 *
 * <ul>
 *   <li>{@code full}: pods 0 and 1, both ready, all series;
 *   <li>{@code gap}: pods 0, 1 and 2, all ready; pod 2's series end 10 minutes before the end
 *       (its scrapes failed and Prometheus has nothing newer), its ready flag does not;
 *   <li>{@code draining}: pods 0 and 1 ready with their series, pod 2 not ready and without any;
 *   <li>{@code noksm}: pods 0 and 1 with their series, pod 2 without, and no kube-state-metrics
 *       series at all;
 *   <li>{@code fresh}: pods 0 and 1 ready for an hour with their series, pod 2 ready for 60 s
 *       and not scraped yet (no series; its {@code up} is 1);
 *   <li>{@code idle}: pods 0, 1 and 2 ready for an hour with their cAdvisor series; pod 2 has
 *       served no request, so its counter does not exist (client libraries make it at the first
 *       request), and its scrapes succeed;
 *   <li>{@code sidecar}: pods 0 and 1 ready with their series, scraped in job {@code app}; pod 1
 *       also has a mesh sidecar's stats port scraped in job {@code envoy}, which fails;
 *   <li>{@code samejob}: pods 0 and 1 ready, scraped in job {@code web}; pod 1's application
 *       target fails as {@code gap}'s pod 2 does, while its second target in the same job (a
 *       sidecar's port in the same monitor) is scraped.
 * </ul>
 *
 * Every pod that has series has {@code up} 1, except {@code gap}'s pod 2 from the end of its
 * series on (0), and {@code draining}'s pod 2, not ready, whose scrapes fail (0) all along.
 *
 * A sum over part of the ready pods is not the workload's total: with an averageValue target it
 * under-reads, and the engine would scale down under load.
 */
class PartialTotalsIT {
  private static final Clock WALL = Clock.systemUTC();
  private static final double[] CORES = {0.25, 0.5, 0.75};
  private static final double[] MIB = {100, 200, 300};
  private static final double[] RPS = {10, 20, 30};
  private static final String[] SUFFIX = {"b2c4f", "d5f6g", "h8j2k"};
  private static final double BYTES_PER_MIB = 1048576.0;

  @TempDir static Path dir;
  private static PrometheusServer prometheus;
  private static Instant end;

  @BeforeAll
  static void start() throws Exception {
    end = WALL.instant().minus(Duration.ofMinutes(3)).truncatedTo(ChronoUnit.MINUTES);
    prometheus = new PrometheusServer(dir, fixture(end.minus(Duration.ofHours(1)), end),
        List.of()).start();
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  private static PrometheusMetricSource source() {
    return PrometheusMetricSource.builder().baseUri(prometheus.uri())
        .rateWindow(Duration.ofMinutes(5))
        .metric("cores", PromQlTemplates.cpuCores())
        .metric("mem", PromQlTemplates.memoryWorkingSetBytes())
        .metric("rps", PromQlTemplates.requestRate("http_requests_total"))
        .build();
  }

  private static Observation read(String deployment) {
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment("shop", deployment))
        .maxReplicas(10).metric(MetricTarget.averageValue("cores", 1))
        .metric(MetricTarget.averageValue("mem", 1e9))
        .metric(MetricTarget.averageValue("rps", 10)).build();
    return source().read(spec, end);
  }

  @Test
  void withEveryReadyPodsSeriesTheTotalsAreTheirSums() {
    Observation obs = read("full");

    assertThat(obs.reading("cores").isAvailable()).as(obs.reading("cores").reason()).isTrue();
    assertThat(obs.reading("cores").value()).isCloseTo(0.75, within(1e-6));
    assertThat(obs.reading("mem").value()).isEqualTo(300 * BYTES_PER_MIB);
    assertThat(obs.reading("rps").value()).isCloseTo(30.0, within(1e-6));
  }

  /** It read 0.75 cores, 300 MiB and 30 rps: the two pods left, as if they were all. */
  @Test
  void aReadyPodWithoutSeriesMakesTheTotalsUnavailable() {
    Observation obs = read("gap");

    for (String metric : List.of("cores", "mem", "rps")) {
      assertThat(obs.reading(metric).isAvailable()).as(metric).isFalse();
      assertThat(obs.reading(metric).reason()).as(metric).startsWith("no data:");
    }
  }

  @Test
  void historyIsMissingWhereAReadyPodHasNoSeries() {
    MetricTarget cores = MetricTarget.averageValue("cores", 1);
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment("shop", "gap"))
        .maxReplicas(10).metric(cores).build();

    MetricSeries s = source().history(spec, cores, end.minus(Duration.ofMinutes(20)), end,
        Duration.ofMinutes(1)).orElseThrow();

    assertThat(s.value(0)).isCloseTo(1.5, within(1e-6));
    assertThat(s.value(s.size() - 1)).isNaN();
  }

  @Test
  void aPodThatIsNotReadyNeedNotHaveSeries() {
    Observation obs = read("draining");

    assertThat(obs.reading("cores").isAvailable()).as(obs.reading("cores").reason()).isTrue();
    assertThat(obs.reading("cores").value()).isCloseTo(0.75, within(1e-6));
    assertThat(obs.reading("mem").value()).isEqualTo(300 * BYTES_PER_MIB);
    assertThat(obs.reading("rps").value()).isCloseTo(30.0, within(1e-6));
  }

  /**
   * A pod ready for a minute may not have been scraped twice: its {@code rate()} does not exist
   * yet. Holding there held every scale-out for a minute or two, at each step of a ramp.
   */
  @Test
  void aPodReadyForLessThanThreeMinutesNeedNotHaveSeriesYet() {
    Observation obs = read("fresh");

    for (String metric : List.of("cores", "mem", "rps")) {
      assertThat(obs.reading(metric).isAvailable()).as(obs.reading(metric).reason()).isTrue();
    }
    assertThat(obs.reading("cores").value()).isCloseTo(0.75, within(1e-6));
    assertThat(obs.reading("mem").value()).isEqualTo(300 * BYTES_PER_MIB);
    assertThat(obs.reading("rps").value()).isCloseTo(30.0, within(1e-6));
  }

  /**
   * A counter made at the first request does not exist on a pod that has served none: the
   * request rate is read over the pods that have it as long as every ready pod's scrape works.
   * Requiring the series held such a workload for good.
   */
  @Test
  void aReadyPodWhoseCounterDoesNotExistYetDoesNotHoldTheRequestRate() {
    Observation obs = read("idle");

    assertThat(obs.reading("rps").isAvailable()).as(obs.reading("rps").reason()).isTrue();
    assertThat(obs.reading("rps").value()).isCloseTo(30.0, within(1e-6));
    assertThat(obs.reading("cores").value()).isCloseTo(1.5, within(1e-6));
  }

  /**
   * A failing scrape of another job of a pod (a mesh sidecar's stats port) says nothing about
   * the application's counter: the request rate stays readable. Taking every scrape of the pod
   * held it for as long as the sidecar's scrape failed.
   */
  @Test
  void aFailingScrapeOfAnotherJobOfThePodDoesNotHoldTheRequestRate() {
    Observation obs = read("sidecar");

    assertThat(obs.reading("rps").isAvailable()).as(obs.reading("rps").reason()).isTrue();
    assertThat(obs.reading("rps").value()).isCloseTo(30.0, within(1e-6));
  }

  /**
   * A pod's application target failing while another target of the pod in the same job (a
   * sidecar's port in the same monitor) is scraped still holds the request rate: taking the
   * highest {@code up} of the pod's job read 10 of 20 rps.
   */
  @Test
  void aFailingApplicationTargetHoldsTheRequestRateWhateverElseItsJobScrapes() {
    Observation obs = read("samejob");

    assertThat(obs.reading("rps").isAvailable()).as("rps").isFalse();
  }

  /**
   * Without kube-state-metrics nothing says which pods are ready, and the guard has nothing to
   * compare with: the sums are read as before, over the pods that have series.
   */
  @Test
  void withoutKubeStateMetricsTheSumsAreReadAsBefore() {
    Observation obs = read("noksm");

    assertThat(obs.reading("cores").isAvailable()).as(obs.reading("cores").reason()).isTrue();
    assertThat(obs.reading("cores").value()).isCloseTo(0.75, within(1e-6));
    assertThat(obs.reading("mem").value()).isEqualTo(300 * BYTES_PER_MIB);
    assertThat(obs.reading("rps").value()).isCloseTo(30.0, within(1e-6));
  }

  /** The OpenMetrics text from {@code from} to {@code to}, both whole minutes. */
  private static String fixture(Instant from, Instant to) {
    long s0 = from.getEpochSecond();
    long s1 = to.getEpochSecond();
    long gapEnd = s1 - 600;
    // deployment:pods with series
    String[] withSeries = {"full:0,1", "gap:0,1,2", "draining:0,1", "noksm:0,1", "fresh:0,1",
        "idle:0,1,2", "sidecar:0,1", "samejob:0,1"};
    StringBuilder b = new StringBuilder(1 << 16);
    b.append("# TYPE container_cpu_usage_seconds counter\n");
    each(withSeries, (pod, i) -> counter(b, "container_cpu_usage_seconds_total",
        labels(pod) + ",container=\"app\"", CORES[i], s0, stop(pod, i, s1, gapEnd)));
    b.append("# TYPE container_memory_working_set_bytes gauge\n");
    each(withSeries, (pod, i) -> gauge(b, "container_memory_working_set_bytes",
        labels(pod) + ",container=\"app\"", MIB[i] * BYTES_PER_MIB, s0,
        stop(pod, i, s1, gapEnd)));
    b.append("# TYPE http_requests counter\n");
    each(withSeries, (pod, i) -> {
      if (!pod.startsWith("idle-") || i < 2) {
        counter(b, "http_requests_total", labels(pod) + job(pod) + ",code=\"200\"", RPS[i], s0,
            stop(pod, i, s1, gapEnd));
      }
    });
    b.append("# TYPE up gauge\n");
    each(withSeries, (pod, i) -> {
      long last = stop(pod, i, s1, gapEnd);
      gauge(b, "up", labels(pod) + job(pod), 1, s0, last);
      if (last < s1) {
        gauge(b, "up", labels(pod) + job(pod), 0, last + STEP_S, s1);
      }
    });
    gauge(b, "up", labels(pod("sidecar", 1)) + ",job=\"envoy\"", 0, s0, s1);
    gauge(b, "up", labels(pod("samejob", 1)) + ",job=\"web\",instance=\"e1\"", 1, s0, s1);
    gauge(b, "up", labels(pod("draining", 2)), 0, s0, s1);
    gauge(b, "up", labels(pod("fresh", 2)), 1, s1 - 60, s1);
    b.append("# TYPE kube_pod_status_ready gauge\n");
    for (String deployment : WITH_KSM) {
      for (int i = 0; i < pods(deployment); i++) {
        String pod = pod(deployment, i);
        boolean ready = !(deployment.equals("draining") && i == 2);
        boolean young = deployment.equals("fresh") && i == 2;
        long since = young ? s1 - 60 : s0;
        gauge(b, "kube_pod_status_ready", labels(pod) + ",condition=\"true\"", ready ? 1 : 0,
            since, s1);
        gauge(b, "kube_pod_status_ready", labels(pod) + ",condition=\"false\"", ready ? 0 : 1,
            since, s1);
      }
    }
    b.append("# TYPE kube_pod_status_ready_time gauge\n");
    for (String deployment : WITH_KSM) {
      for (int i = 0; i < pods(deployment); i++) {
        boolean young = deployment.equals("fresh") && i == 2;
        if (!(deployment.equals("draining") && i == 2)) {
          gauge(b, "kube_pod_status_ready_time", labels(pod(deployment, i)),
              young ? s1 - 60 : s0 - 3600, young ? s1 - 60 : s0, s1);
        }
      }
    }
    return b.append("# EOF\n").toString();
  }

  /** The deployments that kube-state-metrics reports (all but {@code noksm}). */
  private static final List<String> WITH_KSM =
      List.of("full", "gap", "draining", "fresh", "idle", "sidecar", "samejob");

  /** How many pods a deployment of the fixture has. */
  private static int pods(String deployment) {
    return List.of("full", "sidecar", "samejob").contains(deployment) ? 2 : 3;
  }

  private interface PodAction {
    void run(String pod, int index);
  }

  private static void each(String[] withSeries, PodAction action) {
    for (String w : withSeries) {
      String[] parts = w.split(":");
      for (String i : parts[1].split(",")) {
        action.run(pod(parts[0], Integer.parseInt(i)), Integer.parseInt(i));
      }
    }
  }

  private static long stop(String pod, int index, long s1, long gapEnd) {
    boolean fails = pod.startsWith("gap-") && index == 2
        || pod.startsWith("samejob-") && index == 1;
    return fails ? gapEnd : s1;
  }

  private static String pod(String deployment, int index) {
    return deployment + "-7d9f8b6c5d-" + SUFFIX[index];
  }

  /** The scrape job of the application's series: {@code app} for {@code sidecar}, else none. */
  private static String job(String pod) {
    if (pod.startsWith("samejob-")) {
      return ",job=\"web\",instance=\"a" + pod.charAt(pod.length() - 1) + "\"";
    }
    return pod.startsWith("sidecar-") ? ",job=\"app\"" : "";
  }

  private static String labels(String pod) {
    return "namespace=\"shop\",pod=\"" + pod + "\"";
  }
}
