package dev.prescaler.core;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Identifies one scalable workload: a Kubernetes object with a {@code scale} subresource.
 *
 * @param namespace the namespace, a DNS-1123 label
 * @param kind the object kind, e.g. {@code Deployment} or {@code StatefulSet}
 * @param name the object name, a DNS-1123 subdomain
 */
public record WorkloadRef(String namespace, String kind, String name) {
  private static final Pattern KIND = Pattern.compile("[A-Z][A-Za-z0-9]{0,62}");

  /** Validates every part; an invalid name cannot exist. */
  public WorkloadRef {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    if (!KubernetesNames.isLabel(namespace)) {
      throw new IllegalArgumentException(
          "namespace must be a DNS-1123 label, but was " + Values.quote(namespace));
    }
    if (!KIND.matcher(kind).matches()) {
      throw new IllegalArgumentException(
          "kind must be a Kubernetes kind such as Deployment, but was " + Values.quote(kind));
    }
    if (!KubernetesNames.isSubdomain(name)) {
      throw new IllegalArgumentException(
          "name must be a DNS-1123 subdomain, but was " + Values.quote(name));
    }
  }

  /** A Deployment. */
  public static WorkloadRef deployment(String namespace, String name) {
    return new WorkloadRef(namespace, "Deployment", name);
  }

  /** A StatefulSet. */
  public static WorkloadRef statefulSet(String namespace, String name) {
    return new WorkloadRef(namespace, "StatefulSet", name);
  }

  /** {@code namespace/name}, the form used in logs and events. */
  @Override
  public String toString() {
    return namespace + "/" + name + ("Deployment".equals(kind) ? "" : " (" + kind + ")");
  }
}
