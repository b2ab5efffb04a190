package dev.prescaler.core;

/**
 * The replica counts of a workload as last observed.
 *
 * @param current the desired count currently set on the workload ({@code spec.replicas})
 * @param ready pods ready to serve
 * @param warming ready pods still inside their warm-up period (their metrics are not yet
 *     representative); 0 when unknown
 */
public record ReplicaStatus(int current, int ready, int warming) {
  /** Validates the counts. */
  public ReplicaStatus {
    if (current < 0) {
      throw new IllegalArgumentException("current replicas must be >= 0, but was " + current);
    }
    if (ready < 0) {
      throw new IllegalArgumentException("ready replicas must be >= 0, but was " + ready);
    }
    if (warming < 0 || warming > ready) {
      throw new IllegalArgumentException(
          "warming replicas must be in [0, ready (" + ready + ")], but was " + warming);
    }
  }

  /** Counts with no pod in warm-up. */
  public static ReplicaStatus of(int current, int ready) {
    return new ReplicaStatus(current, ready, 0);
  }
}
