package dev.prescaler.reliability;

import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The replica counts of a few workloads, as a cluster would hold them: changed only by an executor
 * that applied a request (or by a test playing "someone else"). Every pod is ready at once, so the
 * counts the engine sees are exactly the ones applied.
 */
final class SimCluster {
  private final Map<WorkloadRef, Integer> replicas = new LinkedHashMap<>();

  synchronized void set(WorkloadRef workload, int count) {
    replicas.put(workload, count);
  }

  synchronized int get(WorkloadRef workload) {
    Integer n = replicas.get(workload);
    if (n == null) {
      throw new IllegalArgumentException("workload " + workload + " is not in the cluster");
    }
    return n;
  }

  synchronized ReplicaStatus status(WorkloadRef workload) {
    int n = get(workload);
    return ReplicaStatus.of(n, n);
  }
}
