package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.testkit.MetricSourceContract;
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
 * {@link MetricSourceContract} against {@link PrometheusMetricSource} on the real Prometheus
 * server, with {@link #HOURS} hours of backfilled history for {@code shop/web} ({@link
 * HistoryFixture}: two ready pods, 0.5-core requests, kube-state-metrics replica series), read
 * half an hour before the end of the data with the built-in templates.
 */
class MetricSourceContractIT {
  private static final Clock WALL = Clock.systemUTC();
  private static final int HOURS = 3;
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final WorkloadSpec SPEC = WorkloadSpec.builder(WEB).maxReplicas(10)
      .metric(MetricTarget.utilization("cpu", 70))
      .metric(MetricTarget.averageValue("cores", 1))
      .metric(MetricTarget.averageValue("rps", 10)).build();

  @TempDir static Path dir;
  private static PrometheusServer prometheus;
  private static Instant now;

  @BeforeAll
  static void start() throws Exception {
    Instant end = WALL.instant().minus(Duration.ofMinutes(3)).truncatedTo(ChronoUnit.MINUTES);
    Instant fixtureStart = end.minus(Duration.ofHours(HOURS));
    // Inside the data, with more than an hour of history before it.
    now = end.minus(Duration.ofMinutes(30)).plusSeconds(7);
    prometheus = new PrometheusServer(dir, HistoryFixture.openMetrics(fixtureStart, HOURS),
        List.of()).start();
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  private static PrometheusMetricSource.Builder source() {
    return PrometheusMetricSource.builder().baseUri(prometheus.uri())
        .rateWindow(Duration.ofMinutes(5)).initialBackoff(Duration.ZERO)
        .metric("cpu", PromQlTemplates.cpuUtilization())
        .metric("cores", PromQlTemplates.cpuCores())
        .metric("rps", PromQlTemplates.requestRate("http_requests_total"));
  }

  /** The contract's comparison of history with the live load has something to compare. */
  private static void assertHistoryPresentBefore(PrometheusMetricSource source,
      MetricTarget metric) {
    MetricSeries s = source.history(SPEC, metric, now.minus(Duration.ofHours(1)), now,
        Duration.ofMinutes(1)).orElseThrow();
    assertThat(s.value(s.size() - 1)).as(metric.name()).isPositive();
  }

  @Test
  void withKubeStateMetricsReplicaQueriesTheSourceHonoursTheContract() {
    PrometheusMetricSource source = source()
        .replicaQueries(PromQlTemplates.kubeStateMetricsReplicas()).build();

    Observation obs = source.read(SPEC, now);
    for (MetricTarget m : SPEC.metrics()) {
      assertThat(obs.reading(m.name()).isAvailable()).as(obs.reading(m.name()).reason())
          .isTrue();
      assertHistoryPresentBefore(source, m);
    }
    assertThat(obs.replicas()).contains(ReplicaStatus.of(2, 2));

    assertThat(MetricSourceContract.check(source, SPEC, now)).isEmpty();
  }

  /**
   * Without replica queries the observation has no replica counts and a utilization metric has
   * no history (it cannot be converted to load); the engine would take the ready count from its
   * executor, given here.
   */
  @Test
  void withoutReplicaQueriesTheSourceHonoursTheContractWithTheExecutorsReadyCount() {
    PrometheusMetricSource source = source().build();

    Observation obs = source.read(SPEC, now);
    assertThat(obs.replicas()).isEmpty();
    assertThat(source.history(SPEC, SPEC.metrics().get(0), now.minus(Duration.ofHours(1)), now,
        Duration.ofMinutes(1))).isEmpty();
    assertHistoryPresentBefore(source, SPEC.metrics().get(2));

    assertThat(MetricSourceContract.check(source, SPEC, now,
        AutoscalerEngine.DEFAULT_SYNC_PERIOD, 2)).isEmpty();
  }
}
