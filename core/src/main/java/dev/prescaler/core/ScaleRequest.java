package dev.prescaler.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One request to change a workload's replica count (or, in {@link Mode#HPA_FLOOR}, the floor of
 * its HPA). One decision is one request: it is applied whole or not at all.
 *
 * @param spec the workload's spec (bounds, mode)
 * @param mode how to apply it: {@link Mode#ACT} or {@link Mode#HPA_FLOOR}
 * @param from the count observed when deciding, &ge; 0 (the engine decides only on a known count)
 * @param to the count wanted, inside the spec's [min, max]
 * @param reasons why
 * @param time when it was decided
 */
public record ScaleRequest(WorkloadSpec spec, Mode mode, int from, int to, List<Reason> reasons,
    Instant time) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException when the mode is {@link Mode#OBSERVE_ONLY}, {@code from} is
   *     negative or {@code to} is outside the spec's [min, max]
   */
  public ScaleRequest {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(mode, "mode");
    if (mode == Mode.OBSERVE_ONLY) {
      throw new IllegalArgumentException("a scale request's mode must be ACT or HPA_FLOOR, "
          + "but was OBSERVE_ONLY");
    }
    if (from < 0) {
      throw new IllegalArgumentException("from must be >= 0, but was " + from);
    }
    if (to < spec.minReplicas() || to > spec.maxReplicas()) {
      throw new IllegalArgumentException("to must be in [" + spec.minReplicas() + ", "
          + spec.maxReplicas() + "], but was " + to);
    }
    reasons = Values.copyOf(reasons, "reasons");
    Objects.requireNonNull(time, "time");
  }

  /** The workload. */
  public WorkloadRef workload() {
    return spec.workload();
  }
}
