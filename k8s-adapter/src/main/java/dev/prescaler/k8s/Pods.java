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
}
