package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.testkit.MetricSourceContract;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link RoutingMetricSource}: a workload's metrics read from the source configured for each (as
 * the shipped example's {@code web}: rps from Prometheus, cpu from the Metrics Server), merged
 * into one observation.
 */
class RoutingMetricSourceTest {
  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final WorkloadSpec SPEC = WorkloadSpec.builder(WEB).maxReplicas(20)
      .metric(MetricTarget.averageValue("rps", 50))
      .metric(MetricTarget.utilization("cpu", 70))
      .metric(MetricTarget.averageValue("queue", 10))
      .build();

  /**
   * A source that records the metrics of each spec it is asked for and reads each as {@code
   * value}, reporting {@code replicas} when given.
   */
  private static final class Fake implements MetricSource {
    final List<List<String>> asked = new ArrayList<>();
    final double value;
    final Optional<ReplicaStatus> replicas;
    RuntimeException failure;

    Fake(double value, Optional<ReplicaStatus> replicas) {
      this.value = value;
      this.replicas = replicas;
    }

    @Override
    public Observation read(WorkloadSpec spec, Instant now) {
      asked.add(spec.metrics().stream().map(MetricTarget::name).toList());
      if (failure != null) {
        throw failure;
      }
      Map<String, MetricReading> readings = new LinkedHashMap<>();
      for (MetricTarget m : spec.metrics()) {
        readings.put(m.name(), MetricReading.of(m.name(), value, now.minusSeconds(10)));
      }
      return new Observation(now, readings, replicas);
    }

    @Override
    public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric, Instant from,
        Instant to, Duration step) {
      asked.add(List.of("history " + metric.name()));
      return Optional.of(MetricSeries.of(from, step, value));
    }
  }

  /** rps and queue from {@code prometheus}, cpu from {@code metricsServer}. */
  private static RoutingMetricSource routing(MetricSource prometheus, MetricSource metricsServer) {
    return new RoutingMetricSource(Map.of(WEB, Map.of("rps", prometheus, "cpu", metricsServer,
        "queue", prometheus)));
  }

  @Test
  void readsEachMetricFromItsSourceAndMergesTheReadings() {
    Fake prometheus = new Fake(250, Optional.empty()); // no replica queries configured
    Fake metricsServer = new Fake(84, Optional.of(new ReplicaStatus(5, 4, 1)));

    Observation o = routing(prometheus, metricsServer).read(SPEC, T0);

    assertThat(prometheus.asked).as("one read, of its own metrics")
        .containsExactly(List.of("rps", "queue"));
    assertThat(metricsServer.asked).containsExactly(List.of("cpu"));
    assertThat(o.time()).isEqualTo(T0);
    assertThat(o.readings()).containsOnlyKeys("rps", "cpu", "queue");
    assertThat(o.reading("rps").value()).isEqualTo(250);
    assertThat(o.reading("queue").value()).isEqualTo(250);
    assertThat(o.reading("cpu").value()).isEqualTo(84);
    assertThat(o.replicas()).as("from the source that reports them")
        .contains(new ReplicaStatus(5, 4, 1));
    assertThat(MetricSourceContract.check(routing(prometheus, metricsServer), SPEC, T0))
        .isEmpty();
  }

  @Test
  void replicaCountsComeFromTheFirstSourceThatReportsThem() {
    Fake prometheus = new Fake(250, Optional.of(new ReplicaStatus(6, 6, 0)));
    Fake metricsServer = new Fake(84, Optional.of(new ReplicaStatus(5, 4, 1)));

    assertThat(routing(prometheus, metricsServer).read(SPEC, T0).replicas())
        .as("rps, the spec's first metric, is Prometheus's").contains(new ReplicaStatus(6, 6, 0));
    WorkloadSpec cpuFirst = SPEC.toBuilder().metrics(List.of(MetricTarget.utilization("cpu", 70),
        MetricTarget.averageValue("rps", 50))).build();
    assertThat(routing(prometheus, metricsServer).read(cpuFirst, T0).replicas())
        .contains(new ReplicaStatus(5, 4, 1));
  }

  @Test
  void aSourceThatThrowsMakesItsMetricsUnavailableAndLeavesTheOthers() {
    Fake prometheus = new Fake(250, Optional.empty());
    prometheus.failure = new IllegalStateException("connection refused");
    Fake metricsServer = new Fake(84, Optional.of(new ReplicaStatus(5, 4, 1)));

    Observation o = routing(prometheus, metricsServer).read(SPEC, T0);

    for (String m : List.of("rps", "queue")) {
      assertThat(o.reading(m).isAvailable()).as(m).isFalse();
      assertThat(o.reading(m).reason())
          .isEqualTo("source failed: java.lang.IllegalStateException: connection refused");
    }
    assertThat(o.reading("cpu").value()).isEqualTo(84);
    assertThat(o.replicas()).contains(new ReplicaStatus(5, 4, 1));

    metricsServer.failure = new IllegalStateException("HTTP 503");
    Observation both = routing(prometheus, metricsServer).read(SPEC, T0);
    assertThat(both.reading("cpu").reason())
        .isEqualTo("source failed: java.lang.IllegalStateException: HTTP 503");
    assertThat(both.replicas()).as("no source reported counts: the executor is asked").isEmpty();
    assertThat(MetricSourceContract.check(routing(prometheus, metricsServer), SPEC, T0))
        .isEmpty();
  }

  @Test
  void historyComesFromTheMetricsSourceAndAnUnroutedWorkloadReadsNothing() {
    Fake prometheus = new Fake(250, Optional.empty());
    Fake metricsServer = new Fake(84, Optional.empty());
    RoutingMetricSource routing = routing(prometheus, metricsServer);

    Optional<MetricSeries> rps = routing.history(SPEC, SPEC.metric("rps").orElseThrow(),
        T0.minusSeconds(60), T0, Duration.ofMinutes(1));
    assertThat(rps).hasValueSatisfying(s -> assertThat(s.value(0)).isEqualTo(250));
    assertThat(metricsServer.asked).isEmpty();

    WorkloadSpec unrouted = WorkloadSpec.builder(WorkloadRef.deployment("shop", "cart"))
        .maxReplicas(5).metrics(SPEC.metrics()).build();
    Observation o = routing.read(unrouted, T0);
    assertThat(o.readings()).isEmpty();
    assertThat(o.reading("rps").isAvailable()).isFalse();
    assertThat(routing.history(unrouted, unrouted.metric("rps").orElseThrow(),
        T0.minusSeconds(60), T0, Duration.ofMinutes(1))).isEmpty();
  }
}
