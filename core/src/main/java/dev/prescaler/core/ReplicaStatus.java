package dev.prescaler.core;

/**
 * The replica counts of a workload as last observed.
 *
 * @param current the desired count currently set on the workload ({@code spec.replicas})
 * @param ready pods ready to serve; a source that reads the pods' metrics may count, as the HPA
 *     controller does, the pods whose samples the HPA counts: {@code MetricsServerSource} adds
 *     the pods that were ready and fell out of readiness but still report a sample (the
 *     Deployment's {@code readyReplicas} leaves them out)
 * @param warming pods among {@code ready} still inside their warm-up period (their metrics are
 *     not yet representative; for {@code MetricsServerSource}, the pods whose CPU sample the HPA
 *     ignores, which may be pods not Ready); 0 when unknown
 * @param existing the pods that exist, ready or not ({@code status.replicas} of the workload or
 *     its scale subresource); {@code current} when the source does not say. It differs from
 *     {@code current} while a rollout surges above it or pods cannot be created (a quota), and
 *     lags it for a moment after each change. The HPA takes an {@code AverageValue} ratio against
 *     it and lists these pods, so {@code HpaPolicy} does too.
 */
public record ReplicaStatus(int current, int ready, int warming, int existing) {
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
    if (existing < 0) {
      throw new IllegalArgumentException("existing replicas must be >= 0, but was " + existing);
    }
  }

  /** Counts whose pods that exist are not known apart from {@code current}: as many. */
  public ReplicaStatus(int current, int ready, int warming) {
    this(current, ready, warming, current);
  }

  /** Counts with no pod in warm-up, as many pods existing as {@code current}. */
  public static ReplicaStatus of(int current, int ready) {
    return new ReplicaStatus(current, ready, 0);
  }

  /** These counts with {@code existing} pods ({@code status.replicas}). */
  public ReplicaStatus withExisting(int existing) {
    return new ReplicaStatus(current, ready, warming, existing);
  }
}
