package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.prometheus.LiveTarget.Exporter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in templates against the real Prometheus when kube-state-metrics runs as an HA pair:
 * two scrape targets export the same kube-state-metrics series for {@code shop/api}, which reach
 * Prometheus twice, with different {@code instance} labels, beside one cAdvisor target.
 */
class KubeStateMetricsHaPairIT {
  private static final Clock WALL = Clock.systemUTC();
  private static final WorkloadRef API = WorkloadRef.deployment("shop", "api");

  @TempDir Path dir;

  /**
   * A pair that was summed as it came would count every request twice: 45 % CPU and 39 % memory
   * instead of 90 % and 78.125 %, and the engine would scale down under load.
   */
  @Test
  void utilizationCountsAKubeStateMetricsPairOnce() throws Exception {
    try (LiveTarget cadvisor = new LiveTarget(EnumSet.of(Exporter.CADVISOR));
        LiveTarget ksm0 = new LiveTarget(EnumSet.of(Exporter.KUBE_STATE_METRICS));
        LiveTarget ksm1 = new LiveTarget(EnumSet.of(Exporter.KUBE_STATE_METRICS));
        PrometheusServer prometheus = new PrometheusServer(dir, null,
            List.of(cadvisor.address(), ksm0.address(), ksm1.address()))) {
      prometheus.start();
      String podA = "namespace=\"shop\",pod=\"" + LiveTarget.POD_A + "\"";
      prometheus.awaitResult("count(kube_pod_status_ready{condition=\"true\"," + podA
          + "}) == 2", Duration.ofSeconds(30));
      // Five scrapes within the last 5 s: the rate window of 4 s is fully covered.
      prometheus.awaitResult("count_over_time(container_cpu_usage_seconds_total{" + podA
          + "}[5s]) >= 5", Duration.ofSeconds(30));
      PrometheusMetricSource source = PrometheusMetricSource.builder().baseUri(prometheus.uri())
          .rateWindow(Duration.ofSeconds(4))
          .metric("cpu", PromQlTemplates.cpuUtilization())
          .metric("memutil", PromQlTemplates.memoryUtilization())
          .metric("copies", "count(kube_pod_container_resource_requests{{selector}})")
          .metric("t", "max(timestamp(container_memory_working_set_bytes{{selector}}))")
          .replicaQueries(PromQlTemplates.kubeStateMetricsReplicas()).build();
      MetricReading t = source.read(spec(MetricTarget.averageValue("t", 1)), WALL.instant())
          .reading("t");
      // At the newest cAdvisor sample, every rate window ends on a sample: rate() is exact.
      Instant newest = Instant.ofEpochMilli(Math.round(t.value() * 1000));

      Observation obs = source.read(spec(MetricTarget.utilization("cpu", 70),
          MetricTarget.utilization("memutil", 80), MetricTarget.averageValue("copies", 1)),
          newest);

      // Two pods, a CPU and a memory request each, exported twice.
      assertThat(obs.reading("copies").value()).isEqualTo(8.0);
      assertThat(obs.reading("cpu").isAvailable()).as(obs.reading("cpu").reason()).isTrue();
      assertThat(obs.reading("cpu").value()).isCloseTo(90.0, within(4.5));
      assertThat(obs.reading("memutil").value()).isCloseTo(78.125, within(1e-9));
      assertThat(obs.replicas()).contains(ReplicaStatus.of(2, 2));
      // Two copies of status.replicas, taken once: not ambiguous, so not the desired count 4.
      assertThat(source.read(spec(WorkloadRef.deployment("shop", "surge"),
          MetricTarget.averageValue("copies", 1)), newest).replicas())
          .contains(ReplicaStatus.of(4, 4).withExisting(5));
    }
  }

  private static WorkloadSpec spec(MetricTarget... metrics) {
    return spec(API, metrics);
  }

  private static WorkloadSpec spec(WorkloadRef ref, MetricTarget... metrics) {
    WorkloadSpec.Builder b = WorkloadSpec.builder(ref).maxReplicas(10);
    for (MetricTarget m : metrics) {
      b.metric(m);
    }
    return b.build();
  }
}
