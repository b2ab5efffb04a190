package dev.prescaler.core.journal;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What followed a decision, observed some time after it, to compare with what was decided and
 * forecast. Written for analysis: the engine learns from its per-tick records, not from these.
 *
 * @param time when it was observed
 * @param replicas the count then
 * @param ready the ready replicas then
 * @param loads the load of each metric then
 */
public record FollowUp(Instant time, int replicas, int ready, Map<String, Double> loads) {
  /** Copies. */
  public FollowUp {
    Objects.requireNonNull(time, "time");
    loads = Map.copyOf(loads);
  }
}
