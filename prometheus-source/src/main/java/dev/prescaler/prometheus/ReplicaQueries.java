package dev.prescaler.prometheus;

import java.util.Objects;
import java.util.Optional;

/**
 * The PromQL templates that read a workload's replica counts, for one workload kind: the desired
 * count set on the workload ({@code spec.replicas}), the ready pods and, optionally, the pods that
 * exist ({@code status.replicas}, {@link dev.prescaler.core.ReplicaStatus#existing}). Each must
 * return one series holding a non-negative integer. See {@link
 * PromQlTemplates#kubeStateMetricsReplicas()} for the kube-state-metrics queries.
 *
 * <p>Without an existing-count template, or when it returns nothing usable (no series, as from an
 * exporter that does not export it; several series; NaN, a negative or fractional value; a stale
 * sample; warnings; a failed request), the source reports as many pods existing as {@code
 * current}, as {@link dev.prescaler.core.ReplicaStatus#of} does: the counts stay available, and a
 * bad existing count changes nothing a missing one would not.
 *
 * @param current template of the desired count, e.g. {@code kube_deployment_spec_replicas}
 * @param ready template of the ready pods, e.g. {@code kube_deployment_status_replicas_ready}
 * @param existing template of the pods that exist, e.g. {@code kube_deployment_status_replicas};
 *     empty when there is none
 */
public record ReplicaQueries(String current, String ready, Optional<String> existing) {
  /** Requires every template; they are parsed and checked by the source's builder. */
  public ReplicaQueries {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(ready, "ready");
    Objects.requireNonNull(existing, "existing");
  }

  /** The desired-count and ready templates, without an existing-count one. */
  public ReplicaQueries(String current, String ready) {
    this(current, ready, Optional.empty());
  }

  /** These templates with {@code existing} as the existing-count template. */
  public ReplicaQueries withExisting(String existing) {
    return new ReplicaQueries(current, ready,
        Optional.of(Objects.requireNonNull(existing, "existing")));
  }
}
