package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link HpaSteering#scaleUpWindowWhileRising}: what it sets, and the windows it refuses. */
class HpaSteeringTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

  private static ScaleRequest rise(int from, int to) {
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment("default", "web"))
        .maxReplicas(20).metric(MetricTarget.utilization("cpu", 70)).mode(Mode.HPA_FLOOR).build();
    return new ScaleRequest(spec, Mode.HPA_FLOOR, from, to, List.of(), T0);
  }

  private static Integer windowSetWhileRising(Duration window) {
    HpaSteering.Adjustment a = HpaSteering.scaleUpWindowWhileRising(window)
        .adjust(rise(2, 5), new V2HorizontalPodAutoscalerSpec().maxReplicas(8));
    return a.behavior().orElseThrow().getScaleUp().getStabilizationWindowSeconds();
  }

  @Test
  void wholeSecondsUpToTheApiLimitAreSetAsGiven() {
    assertThat(windowSetWhileRising(Duration.ZERO)).isEqualTo(0);
    assertThat(windowSetWhileRising(Duration.ofSeconds(90))).isEqualTo(90);
    assertThat(windowSetWhileRising(Duration.ofHours(1))).isEqualTo(3600);
  }

  @Test
  void window_notWholeSeconds() {
    // Truncated, 1.5 s would become 1 s and 0.5 s would become 0 without a word.
    assertThatThrownBy(() -> HpaSteering.scaleUpWindowWhileRising(Duration.ofMillis(1500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be whole seconds in [PT0S, PT1H] (the HPA's "
            + "stabilizationWindowSeconds), but was PT1.5S");
    assertThatThrownBy(() -> HpaSteering.scaleUpWindowWhileRising(Duration.ofMillis(500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be whole seconds in [PT0S, PT1H] (the HPA's "
            + "stabilizationWindowSeconds), but was PT0.5S");
  }

  @Test
  void window_negative() {
    assertThatThrownBy(() -> HpaSteering.scaleUpWindowWhileRising(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be whole seconds in [PT0S, PT1H] (the HPA's "
            + "stabilizationWindowSeconds), but was PT-1S");
  }

  @Test
  void window_aboveTheApiLimit() {
    assertThatThrownBy(() -> HpaSteering.scaleUpWindowWhileRising(Duration.ofSeconds(3601)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be whole seconds in [PT0S, PT1H] (the HPA's "
            + "stabilizationWindowSeconds), but was PT1H1S");
  }
}
