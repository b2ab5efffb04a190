package dev.prescaler.k8s;

import dev.prescaler.core.ScaleRequest;
import io.kubernetes.client.openapi.models.V2HPAScalingRules;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerBehavior;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerSpec;
import io.kubernetes.client.openapi.models.V2MetricSpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link HpaFloorExecutor} changes on an HPA besides its {@code minReplicas}: its metric
 * targets (thresholds) and its {@code behavior} (stabilization windows, step policies), decided
 * per request from the HPA's <em>original</em> spec (its owner's: see {@link HpaFloorExecutor}).
 * An empty value keeps (or puts back) the original. Must be thread-safe and must not modify its
 * arguments.
 */
@FunctionalInterface
public interface HpaSteering {
  /** Changes nothing but the floor. */
  HpaSteering NONE = (request, original) -> Adjustment.ORIGINAL;

  /**
   * What to set for this request.
   *
   * @param request the decision being applied
   * @param original the HPA's spec without Prescaler's changes: as Prescaler first found it, with
   *     the changes others made since to the fields it writes ({@code minReplicas}, each metric of
   *     {@code metrics}, each member of {@code behavior}), and the current value of every other
   *     field
   */
  Adjustment adjust(ScaleRequest request, V2HorizontalPodAutoscalerSpec original);

  /**
   * The metric targets and behavior to set; empty means the original's.
   *
   * @param metrics the whole {@code spec.metrics} list to set
   * @param behavior the whole {@code spec.behavior} to set
   */
  record Adjustment(Optional<List<V2MetricSpec>> metrics,
      Optional<V2HorizontalPodAutoscalerBehavior> behavior) {
    /** Keep the original metrics and behavior. */
    public static final Adjustment ORIGINAL = new Adjustment(Optional.empty(), Optional.empty());

    /** Validates and copies. */
    public Adjustment {
      Objects.requireNonNull(metrics, "metrics");
      Objects.requireNonNull(behavior, "behavior");
      metrics = metrics.map(List::copyOf);
      if (metrics.isPresent() && metrics.get().isEmpty()) {
        throw new IllegalArgumentException("metrics must hold at least one metric when present, "
            + "but was []");
      }
    }
  }

  /**
   * While the decision raises the count ({@code to > from}, i.e. a forecast burst is due), sets
   * the HPA's scale-up stabilization window to {@code window} so that it follows its own metrics
   * up without delay; otherwise puts the original behavior back.
   *
   * @param window the scale-up stabilization window while rising: whole seconds in [0, 1 h], as
   *     the HPA's {@code stabilizationWindowSeconds} takes them
   * @throws IllegalArgumentException when negative, above 1 h (the API server's limit) or not
   *     whole seconds (a window of 1.5 s would otherwise become 1 s, and 0.5 s become 0)
   */
  static HpaSteering scaleUpWindowWhileRising(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative() || window.compareTo(Duration.ofHours(1)) > 0
        || window.getNano() != 0) {
      throw new IllegalArgumentException("window must be whole seconds in [PT0S, PT1H] (the "
          + "HPA's stabilizationWindowSeconds), but was " + window);
    }
    int seconds = Math.toIntExact(window.getSeconds());
    return (request, original) -> {
      if (request.to() <= request.from()) {
        return Adjustment.ORIGINAL;
      }
      V2HorizontalPodAutoscalerBehavior b = new V2HorizontalPodAutoscalerBehavior();
      V2HorizontalPodAutoscalerBehavior o = original.getBehavior();
      b.setScaleDown(o == null ? null : o.getScaleDown());
      V2HPAScalingRules up = new V2HPAScalingRules();
      if (o != null && o.getScaleUp() != null) {
        up.setPolicies(o.getScaleUp().getPolicies());
        up.setSelectPolicy(o.getScaleUp().getSelectPolicy());
        up.setTolerance(o.getScaleUp().getTolerance());
      }
      up.setStabilizationWindowSeconds(seconds);
      b.setScaleUp(up);
      return new Adjustment(Optional.empty(), Optional.of(b));
    };
  }
}
