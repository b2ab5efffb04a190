package dev.prescaler.k8s;

import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import java.util.Optional;

/** What this module reads of a pod. */
final class Pods {
  private Pods() {}

  /**
   * The pod's {@code Ready} condition when it is {@code True} and the pod is not terminating (no
   * {@code deletionTimestamp}): a pod ready to serve, as the HPA counts it. Empty otherwise.
   */
  static Optional<V1PodCondition> readyCondition(V1Pod p) {
    if (p.getMetadata() == null || p.getMetadata().getDeletionTimestamp() != null
        || p.getStatus() == null || p.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return p.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType())).findFirst()
        .filter(c -> "True".equals(c.getStatus()));
  }

  /**
   * The {@code Ready} condition of a pod that is not terminating, has not ended ({@code Failed})
   * and is past {@code Pending}, whatever its status: the pods whose samples the HPA's {@code
   * groupPods} goes on to judge. Empty for any other pod, and for one without the condition.
   */
  static Optional<V1PodCondition> readinessOfListed(V1Pod p) {
    if (p.getMetadata() == null || p.getMetadata().getDeletionTimestamp() != null
        || p.getStatus() == null || p.getStatus().getConditions() == null
        || "Pending".equals(p.getStatus().getPhase())
        || "Failed".equals(p.getStatus().getPhase())) {
      return Optional.empty();
    }
    return p.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType())).findFirst();
  }
}
