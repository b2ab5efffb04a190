package dev.prescaler.prometheus;

import java.util.Objects;

/**
 * The two PromQL templates that read a workload's replica counts, for one workload kind: the
 * desired count set on the workload ({@code spec.replicas}) and the ready pods. Each must return
 * one series holding a non-negative integer. See {@link PromQlTemplates#kubeStateMetricsReplicas()}
 * for the kube-state-metrics pair.
 *
 * @param current template of the desired count, e.g. {@code kube_deployment_spec_replicas}
 * @param ready template of the ready pods, e.g. {@code kube_deployment_status_replicas_ready}
 */
public record ReplicaQueries(String current, String ready) {
  /** Requires both templates; they are parsed and checked by the source's builder. */
  public ReplicaQueries {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(ready, "ready");
  }
}
