package dev.prescaler.prometheus;

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
 * {@code cpuUtilization()} and {@code memoryUtilization()} against the real Prometheus for pods
 * with a native sidecar (an init container with {@code restartPolicy: Always}), whose request
 * the HPA counts (replica_calculator.go, {@code calculatePodRequests}) and whose usage cAdvisor
 * reports beside the application's. Half an hour of backfilled history, one sample a minute,
 * for four Deployments in {@code shop}, each with two ready pods of the same shape:
 *
 * <ul>
 *   <li>container {@code app}: requests 0.5 cores and 256 MiB; pod 0 uses 0.3 cores and 192
 *       MiB, pod 1 0.45 cores and 128 MiB;
 *   <li>native sidecar {@code proxy}: requests 0.1 cores and 128 MiB; pod 0 uses 0.06 cores and
 *       96 MiB, pod 1 0.09 cores and 64 MiB.
 * </ul>
 *
 * The HPA reads (0.36 + 0.54) / (0.6 + 0.6) = 75 % CPU and (288 + 192) / (384 + 384) MiB = 62.5 %
 * memory; leaving the sidecar's requests out reads 0.9 / 1.0 = 90 % and 480 / 512 = 93.75 %.
 * The Deployments differ in what kube-state-metrics exports:
 *
 * <ul>
 *   <li>{@code mesh}: one kube-state-metrics, {@code kube_pod_init_container_info} with {@code
 *       restart_policy="Always"} for {@code proxy} (a recent kube-state-metrics);
 *   <li>{@code migrate}: as {@code mesh}, and an ordinary init container {@code migrate} that
 *       ran to completion (no usage series) with requests of 1 core and 512 MiB, its info
 *       without {@code restart_policy} (kube-state-metrics exports it empty);
 *   <li>{@code pair}: as {@code mesh} from kube-state-metrics run as an HA pair, every one of
 *       its series twice, with different {@code instance} labels;
 *   <li>{@code oldksm}: as {@code mesh} from an older kube-state-metrics, whose {@code
 *       kube_pod_init_container_info} has no {@code restart_policy} label.
 * </ul>
 */
class NativeSidecarUtilizationIT {
  private static final Clock WALL = Clock.systemUTC();
  private static final double MIB = 1048576.0;
  private static final String[] SUFFIX = {"b2c4f", "d5f6g"};
  private static final double[] APP_CORES = {0.3, 0.45};
  private static final double[] APP_MIB = {192, 128};
  private static final double[] PROXY_CORES = {0.06, 0.09};
  private static final double[] PROXY_MIB = {96, 64};
  private static final List<String> DEPLOYMENTS = List.of("mesh", "migrate", "pair", "oldksm");
  private static final String[] PAIR = {"10.0.0.1:8080", "10.0.0.2:8080"};

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
        .metric("memutil", PromQlTemplates.memoryUtilization()).build();
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment("shop", deployment))
        .maxReplicas(10).metric(MetricTarget.utilization("cpu", 70))
        .metric(MetricTarget.utilization("memutil", 80)).build();
    Observation obs = source.read(spec, end);
    for (String metric : List.of("cpu", "memutil")) {
      assertThat(obs.reading(metric).isAvailable()).as(deployment + " " + metric + ": "
          + obs.reading(metric).reason()).isTrue();
    }
    return obs;
  }

  /**
   * 75 % CPU and 62.5 % memory, as the HPA reads them. Without the sidecar's request the pods
   * read 90 % and 93.75 %, and the engine scaled out where the HPA would not.
   */
  @Test
  void aNativeSidecarsRequestCountsAsTheHpaCountsIt() {
    Observation obs = read("mesh");

    assertThat(obs.reading("cpu").value()).isCloseTo(75.0, within(1e-6));
    assertThat(obs.reading("memutil").value()).isCloseTo(62.5, within(1e-6));
  }

  /**
   * An init container that ran to completion holds no resources while the pod runs, and the HPA
   * does not count it: still 75 % and 62.5 %. Counting every init container's request would
   * read 0.9 / 3.2 = 28.125 % CPU and 480 / 1792 = 26.8 % memory.
   */
  @Test
  void anOrdinaryInitContainersRequestIsNotCounted() {
    Observation obs = read("migrate");

    assertThat(obs.reading("cpu").value()).isCloseTo(75.0, within(1e-6));
    assertThat(obs.reading("memutil").value()).isCloseTo(62.5, within(1e-6));
  }

  /**
   * An HA pair of kube-state-metrics counts once, the sidecars' requests included: 75 % and
   * 62.5 %. Taking the sidecars' copies as they came read 0.9 / 1.4 = 64.3 % CPU.
   */
  @Test
  void aKubeStateMetricsPairCountsTheSidecarOnce() {
    Observation obs = read("pair");

    assertThat(obs.reading("cpu").value()).isCloseTo(75.0, within(1e-6));
    assertThat(obs.reading("memutil").value()).isCloseTo(62.5, within(1e-6));
  }

  /**
   * Without the {@code restart_policy} label nothing tells a sidecar from an init container that
   * ran to completion, and only the containers' requests are counted, as before: 90 % and 93.75
   * %. The same pods with the label read 75 % and 62.5 %: the label, and only it, admits an init
   * container's request.
   */
  @Test
  void withoutTheRestartPolicyLabelOnlyTheContainersRequestsCount() {
    Observation old = read("oldksm");
    Observation labelled = read("mesh");

    assertThat(old.reading("cpu").value()).isCloseTo(90.0, within(1e-6));
    assertThat(old.reading("memutil").value()).isCloseTo(93.75, within(1e-6));
    assertThat(labelled.reading("cpu").value()).isCloseTo(75.0, within(1e-6));
    assertThat(labelled.reading("memutil").value()).isCloseTo(62.5, within(1e-6));
  }

  /** The OpenMetrics text from {@code from} to {@code to}, both whole minutes. */
  private static String fixture(Instant from, Instant to) {
    long s0 = from.getEpochSecond();
    long s1 = to.getEpochSecond();
    StringBuilder b = new StringBuilder(1 << 16);
    b.append("# TYPE container_cpu_usage_seconds counter\n");
    for (String d : DEPLOYMENTS) {
      for (int i = 0; i < 2; i++) {
        counter(b, "container_cpu_usage_seconds_total", container(d, i, "app"), APP_CORES[i],
            s0, s1);
        counter(b, "container_cpu_usage_seconds_total", container(d, i, "proxy"),
            PROXY_CORES[i], s0, s1);
      }
    }
    b.append("# TYPE container_memory_working_set_bytes gauge\n");
    for (String d : DEPLOYMENTS) {
      for (int i = 0; i < 2; i++) {
        gauge(b, "container_memory_working_set_bytes", container(d, i, "app"),
            APP_MIB[i] * MIB, s0, s1);
        gauge(b, "container_memory_working_set_bytes", container(d, i, "proxy"),
            PROXY_MIB[i] * MIB, s0, s1);
      }
    }
    b.append("# TYPE kube_pod_container_resource_requests gauge\n");
    eachCopy((d, i, instance) -> requests(b, "kube_pod_container_resource_requests",
        container(d, i, "app") + instance, 0.5, 256, s0, s1));
    b.append("# TYPE kube_pod_init_container_resource_requests gauge\n");
    eachCopy((d, i, instance) -> {
      requests(b, "kube_pod_init_container_resource_requests",
          container(d, i, "proxy") + instance, 0.1, 128, s0, s1);
      if (d.equals("migrate")) {
        requests(b, "kube_pod_init_container_resource_requests",
            container(d, i, "migrate") + instance, 1.0, 512, s0, s1);
      }
    });
    b.append("# TYPE kube_pod_init_container_info gauge\n");
    eachCopy((d, i, instance) -> {
      String policy = d.equals("oldksm") ? "" : ",restart_policy=\"Always\"";
      gauge(b, "kube_pod_init_container_info", container(d, i, "proxy") + instance
          + ",image=\"proxy:1.0\"" + policy, 1, s0, s1);
      if (d.equals("migrate")) {
        gauge(b, "kube_pod_init_container_info", container(d, i, "migrate") + instance
            + ",image=\"migrate:1.0\"", 1, s0, s1);
      }
    });
    b.append("# TYPE kube_pod_status_ready gauge\n");
    eachCopy((d, i, instance) -> {
      gauge(b, "kube_pod_status_ready", labels(d, i) + instance + ",condition=\"true\"", 1, s0,
          s1);
      gauge(b, "kube_pod_status_ready", labels(d, i) + instance + ",condition=\"false\"", 0, s0,
          s1);
    });
    return b.append("# EOF\n").toString();
  }

  private interface CopyAction {
    void run(String deployment, int pod, String instance);
  }

  /** Each pod of each Deployment, once per copy kube-state-metrics exports of its series. */
  private static void eachCopy(CopyAction action) {
    for (String d : DEPLOYMENTS) {
      for (int i = 0; i < 2; i++) {
        if (d.equals("pair")) {
          for (String instance : PAIR) {
            action.run(d, i, ",instance=\"" + instance + "\"");
          }
        } else {
          action.run(d, i, "");
        }
      }
    }
  }

  private static void requests(StringBuilder b, String name, String labels, double cores,
      double mib, long s0, long s1) {
    gauge(b, name, labels + ",resource=\"cpu\",unit=\"core\"", cores, s0, s1);
    gauge(b, name, labels + ",resource=\"memory\",unit=\"byte\"", mib * MIB, s0, s1);
  }

  private static String labels(String deployment, int pod) {
    return "namespace=\"shop\",pod=\"" + deployment + "-7d9f8b6c5d-" + SUFFIX[pod] + "\"";
  }

  private static String container(String deployment, int pod, String container) {
    return labels(deployment, pod) + ",container=\"" + container + "\"";
  }
}
