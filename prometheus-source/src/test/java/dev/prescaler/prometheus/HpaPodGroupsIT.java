package dev.prescaler.prometheus;

import static dev.prescaler.prometheus.HistoryFixture.STEP_S;
import static dev.prescaler.prometheus.HistoryFixture.counter;
import static dev.prescaler.prometheus.HistoryFixture.gauge;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
 * The built-in templates against the real Prometheus for the pods the HPA controller leaves out
 * or counts apart ({@code groupPods} in replica_calculator.go): a ready pod without metrics
 * ("missing", counted at 100 % of its request on a scale-down) and a pod being deleted
 * ("ignored", whatever its readiness). Half an hour of backfilled history, one sample a minute,
 * for four Deployments in {@code shop}; every pod requests 0.5 cores and 256 MiB, and the pods
 * ready for the whole fixture have been ready for an hour before it:
 *
 * <ul>
 *   <li>{@code miss}: four ready pods; pods 0 to 2 use 0.15 cores and 128 MiB, pod 3 has no
 *       cAdvisor series at all (its node's scrape fails);
 *   <li>{@code fresh}: pods 0 and 1 as {@code miss}'s; pod 2 ready for 60 s, not scraped yet;
 *   <li>{@code term}: eight ready pods; pods 0 to 3 serve, at 0.45 cores and 192 MiB; pods 4 to 7
 *       are being deleted (a {@code kube_pod_deletion_timestamp} for the last 2 minutes) and,
 *       still ready while they drain, use 0.025 cores and 32 MiB;
 *   <li>{@code stopping}: pods 0 and 1 use 0.3 cores and 128 MiB and serve 10 requests per
 *       second each (job {@code app}); pod 2, still ready, has been deleted 10 minutes before the
 *       end: its series end then, and its scrapes fail from then on ({@code up} 0).
 * </ul>
 */
class HpaPodGroupsIT {
  private static final Clock WALL = Clock.systemUTC();
  private static final double MIB = 1048576.0;
  private static final String[] SUFFIX = {"b2c4f", "d5f6g", "h7j8k", "m9n2p", "q4r5s", "t6v7w",
      "x8z9b", "c2d4f"};
  private static final List<String> DEPLOYMENTS = List.of("miss", "fresh", "term", "stopping");

  @TempDir static Path dir;
  private static PrometheusServer prometheus;
  private static Instant end;

  @BeforeAll
  static void start() throws Exception {
    end = WALL.instant().minus(Duration.ofMinutes(3)).truncatedTo(ChronoUnit.MINUTES);
    prometheus = new PrometheusServer(dir, fixture(end.minus(Duration.ofMinutes(30)), end),
        List.of()).start();
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  private static Observation read(String deployment) {
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUri(prometheus.uri())
        .rateWindow(Duration.ofMinutes(5))
        .metric("cpu", PromQlTemplates.cpuUtilization())
        .metric("memutil", PromQlTemplates.memoryUtilization())
        .metric("cores", PromQlTemplates.cpuCores())
        .metric("mem", PromQlTemplates.memoryWorkingSetBytes())
        .metric("rps", PromQlTemplates.requestRate("http_requests_total"))
        .build();
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment("shop", deployment))
        .maxReplicas(20).metric(MetricTarget.utilization("cpu", 60))
        .metric(MetricTarget.utilization("memutil", 60))
        .metric(MetricTarget.averageValue("cores", 1))
        .metric(MetricTarget.averageValue("mem", 1e9))
        .metric(MetricTarget.averageValue("rps", 10)).build();
    return source.read(spec, end);
  }

  /**
   * The mean over the three pods with series read 30 % CPU and 50 % memory: with a 60 % target
   * the floor asked for 2 of the 4 pods, where the HPA counts the missing pod at 100 % of its
   * request on a scale-down: 0.95 / 2.0 = 47.5 %, 4 × 47.5 / 60 = 3.2, and it keeps 4. The
   * reading is unavailable, as the totals' are, and the engine holds.
   */
  @Test
  void aSettledReadyPodWithoutUsageMakesTheUtilizationUnavailable() {
    Observation obs = read("miss");

    for (String metric : List.of("cpu", "memutil")) {
      assertThat(obs.reading(metric).isAvailable()).as(metric + " read "
          + obs.reading(metric)).isFalse();
      assertThat(obs.reading(metric).reason()).as(metric).startsWith("no data:");
    }
  }

  /**
   * A pod ready for a minute may not have been scraped twice, so has no {@code rate()} yet:
   * holding there would hold every scale-out. The mean is over the pods that have series.
   */
  @Test
  void aPodReadyForLessThanThreeMinutesNeedNotHaveUsageYet() {
    Observation obs = read("fresh");

    for (String metric : List.of("cpu", "memutil")) {
      assertThat(obs.reading(metric).isAvailable()).as(obs.reading(metric).reason()).isTrue();
    }
    assertThat(obs.reading("cpu").value()).isCloseTo(30.0, within(1e-6));
    assertThat(obs.reading("memutil").value()).isCloseTo(50.0, within(1e-6));
  }

  /**
   * The HPA ignores a pod being deleted, ready or not: 1.8 / 2.0 = 90 % CPU, 768 / 1024 MiB = 75
   * % memory, and with a 60 % target it asks for 6 pods. Counting the draining pods read 47.5 %
   * and 43.75 %, and the floor kept 4.
   */
  @Test
  void podsBeingDeletedAreLeftOutOfTheUtilization() {
    Observation obs = read("term");

    assertThat(obs.reading("cpu").isAvailable()).as(obs.reading("cpu").reason()).isTrue();
    assertThat(obs.reading("cpu").value()).isCloseTo(90.0, within(1e-6));
    assertThat(obs.reading("memutil").value()).isCloseTo(75.0, within(1e-6));
  }

  /**
   * A pod being deleted is not one of the workload's ready pods: its series may go (its
   * application closed its metrics port on SIGTERM, its node is being drained) while its ready
   * flag has not, and that held every reading of the workload until the pod was gone.
   */
  @Test
  void aPodBeingDeletedWithoutSeriesHoldsNoReading() {
    Observation obs = read("stopping");

    for (String metric : List.of("cpu", "memutil", "cores", "mem", "rps")) {
      assertThat(obs.reading(metric).isAvailable()).as(metric + ": "
          + obs.reading(metric).reason()).isTrue();
    }
    assertThat(obs.reading("cpu").value()).isCloseTo(60.0, within(1e-6));
    assertThat(obs.reading("memutil").value()).isCloseTo(50.0, within(1e-6));
    assertThat(obs.reading("cores").value()).isCloseTo(0.6, within(1e-6));
    assertThat(obs.reading("mem").value()).isEqualTo(256 * MIB);
    assertThat(obs.reading("rps").value()).isCloseTo(20.0, within(1e-6));
  }

  /** The OpenMetrics text from {@code from} to {@code to}, both whole minutes. */
  private static String fixture(Instant from, Instant to) {
    long s0 = from.getEpochSecond();
    long s1 = to.getEpochSecond();
    StringBuilder b = new StringBuilder(1 << 16);
    b.append("# TYPE container_cpu_usage_seconds counter\n");
    each((d, i) -> {
      if (lastUsage(d, i, s1) >= s0) {
        counter(b, "container_cpu_usage_seconds_total", labels(d, i) + ",container=\"app\"",
            cores(d, i), s0, lastUsage(d, i, s1));
      }
    });
    b.append("# TYPE container_memory_working_set_bytes gauge\n");
    each((d, i) -> {
      if (lastUsage(d, i, s1) >= s0) {
        gauge(b, "container_memory_working_set_bytes", labels(d, i) + ",container=\"app\"",
            mib(d, i) * MIB, s0, lastUsage(d, i, s1));
      }
    });
    b.append("# TYPE http_requests counter\n");
    for (int i = 0; i < 3; i++) {
      counter(b, "http_requests_total", labels("stopping", i) + ",job=\"app\",code=\"200\"", 10,
          s0, lastUsage("stopping", i, s1));
    }
    b.append("# TYPE up gauge\n");
    for (int i = 0; i < 3; i++) {
      long last = lastUsage("stopping", i, s1);
      gauge(b, "up", labels("stopping", i) + ",job=\"app\"", 1, s0, last);
      if (last < s1) {
        gauge(b, "up", labels("stopping", i) + ",job=\"app\"", 0, last + STEP_S, s1);
      }
    }
    b.append("# TYPE kube_pod_container_resource_requests gauge\n");
    each((d, i) -> {
      gauge(b, "kube_pod_container_resource_requests", labels(d, i)
          + ",container=\"app\",resource=\"cpu\",unit=\"core\"", 0.5, readySince(d, i, s0, s1),
          s1);
      gauge(b, "kube_pod_container_resource_requests", labels(d, i)
          + ",container=\"app\",resource=\"memory\",unit=\"byte\"", 256 * MIB,
          readySince(d, i, s0, s1), s1);
    });
    b.append("# TYPE kube_pod_status_ready gauge\n");
    each((d, i) -> gauge(b, "kube_pod_status_ready", labels(d, i) + ",condition=\"true\"", 1,
        readySince(d, i, s0, s1), s1));
    b.append("# TYPE kube_pod_status_ready_time gauge\n");
    each((d, i) -> {
      long since = readySince(d, i, s0, s1);
      gauge(b, "kube_pod_status_ready_time", labels(d, i), since == s0 ? s0 - 3600 : since,
          since, s1);
    });
    b.append("# TYPE kube_pod_deletion_timestamp gauge\n");
    each((d, i) -> {
      long deleted = deletedAt(d, i, s1);
      if (deleted > 0) {
        gauge(b, "kube_pod_deletion_timestamp", labels(d, i) + ",uid=\"" + d + i + "\"", deleted,
            deleted, s1);
      }
    });
    return b.append("# EOF\n").toString();
  }

  private interface PodAction {
    void run(String deployment, int index);
  }

  private static void each(PodAction action) {
    for (String d : DEPLOYMENTS) {
      int pods = switch (d) {
        case "miss" -> 4;
        case "term" -> 8;
        default -> 3;
      };
      for (int i = 0; i < pods; i++) {
        action.run(d, i);
      }
    }
  }

  private static double cores(String deployment, int index) {
    return switch (deployment) {
      case "term" -> index < 4 ? 0.45 : 0.025;
      case "stopping" -> 0.3;
      default -> 0.15;
    };
  }

  private static double mib(String deployment, int index) {
    return deployment.equals("term") ? (index < 4 ? 192 : 32) : 128;
  }

  /** The last sample of the pod's cAdvisor and application series; before s0 for none. */
  private static long lastUsage(String deployment, int index, long s1) {
    boolean none = deployment.equals("miss") && index == 3
        || deployment.equals("fresh") && index == 2;
    if (none) {
      return Long.MIN_VALUE;
    }
    return deployment.equals("stopping") && index == 2 ? s1 - 600 : s1;
  }

  private static long readySince(String deployment, int index, long s0, long s1) {
    return deployment.equals("fresh") && index == 2 ? s1 - 60 : s0;
  }

  /** When the pod was deleted (its deletion timestamp); 0 for a pod not being deleted. */
  private static long deletedAt(String deployment, int index, long s1) {
    if (deployment.equals("term") && index >= 4) {
      return s1 - 120;
    }
    return deployment.equals("stopping") && index == 2 ? s1 - 600 : 0;
  }

  private static String labels(String deployment, int index) {
    return "namespace=\"shop\",pod=\"" + deployment + "-7d9f8b6c5d-" + SUFFIX[index] + "\"";
  }
}
