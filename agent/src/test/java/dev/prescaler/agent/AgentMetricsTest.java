package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.journal.DecisionRecord;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The agent's self-metrics across a change of leader. */
class AgentMetricsTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AgentMetrics metrics = new AgentMetrics(registry);

  /**
   * The data points of the metric {@code name} (its name without {@code _total}); fails when the
   * registry holds no such metric, so that a renamed one cannot pass for one without points.
   */
  private int points(String name) {
    List<String> names = new ArrayList<>();
    for (MetricSnapshot s : registry.scrape()) {
      if (s.getMetadata().getPrometheusName().equals(name)) {
        return s.getDataPoints().size();
      }
      names.add(s.getMetadata().getPrometheusName());
    }
    return fail("no metric " + name + " in the registry, which holds " + names);
  }

  /** The value of {@code prescaler_mode} for shop/web and {@code mode}. */
  private double modeValue(String mode) {
    for (MetricSnapshot s : registry.scrape()) {
      if (s instanceof GaugeSnapshot g && s.getMetadata().getPrometheusName()
          .equals("prescaler_mode")) {
        return g.getDataPoints().stream()
            .filter(d -> d.getLabels().get("namespace").equals("shop")
                && d.getLabels().get("name").equals("web")
                && d.getLabels().get("mode").equals(mode))
            .findFirst().orElseThrow().getValue();
      }
    }
    return fail("no gauge prescaler_mode");
  }

  private static DecisionEvent decision() {
    return new DecisionEvent(new DecisionRecord(1, Instant.parse("2026-01-01T00:00:00Z"),
        WorkloadRef.deployment("shop", "web"), Mode.ACT, DecisionRecord.Kind.SCALE, 3, 3,
        Map.of("rps", 250.0), Map.of(), Map.of("rps", 250.0), Map.of(), 5, 5, List.of(),
        Map.of(), DecisionRecord.Action.APPLIED, "scaled", Optional.empty()));
  }

  @Test
  void aReplicaThatStopsLeadingDropsItsPerWorkloadGaugesAndKeepsItsCounters() {
    // Catches a standby exposing the decisions of its term as if current: the new leader's
    // make them stale, and a query over all replicas would mix them in.
    metrics.leader(true);
    metrics.onDecision(decision());
    assertThat(points("prescaler_replicas")).isEqualTo(3); // current, ready, desired
    assertThat(points("prescaler_load")).isEqualTo(1);
    assertThat(points("prescaler_decisions")).isEqualTo(1);

    metrics.leader(false);
    assertThat(points("prescaler_replicas")).isZero();
    assertThat(points("prescaler_load")).isZero();
    assertThat(points("prescaler_decisions")).as("a counter stays").isEqualTo(1);

    metrics.leader(true);
    metrics.onDecision(decision());
    assertThat(points("prescaler_replicas")).isEqualTo(3);
  }

  @Test
  void aReplicaThatNeverLedExposesNoModes() {
    // Its constructor resumed modes from its journal before its first round as a standby.
    metrics.onModeChanged(new ModeChangedEvent(WorkloadRef.deployment("shop", "web"),
        Instant.parse("2026-01-01T00:00:00Z"), Mode.OBSERVE_ONLY, Mode.HPA_FLOOR, "resumed"));
    metrics.leader(false);
    assertThat(points("prescaler_mode")).isZero();
    metrics.onModeChanged(new ModeChangedEvent(WorkloadRef.deployment("shop", "web"),
        Instant.parse("2026-01-01T00:01:00Z"), Mode.HPA_FLOOR, Mode.ACT, "the leader's word"));
    assertThat(points("prescaler_mode")).isZero();

    // Leading, its first mode change exposes one point per mode, 1 for the mode it is in.
    metrics.leader(true);
    metrics.onModeChanged(new ModeChangedEvent(WorkloadRef.deployment("shop", "web"),
        Instant.parse("2026-01-01T00:02:00Z"), Mode.OBSERVE_ONLY, Mode.ACT, "promoted"));
    assertThat(points("prescaler_mode")).isEqualTo(3);
    assertThat(modeValue("act")).isEqualTo(1);
    assertThat(modeValue("observe_only")).isZero();
    assertThat(modeValue("hpa_floor")).isZero();
  }

  @Test
  void anUnknownMetricNameFailsInsteadOfCountingNoPoints() {
    assertThatThrownBy(() -> points("prescaler_modes")).isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("no metric prescaler_modes in the registry, which holds [")
        .hasMessageContaining("prescaler_replicas");
  }
}
