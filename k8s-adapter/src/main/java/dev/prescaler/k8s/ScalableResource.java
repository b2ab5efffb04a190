package dev.prescaler.k8s;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Kubernetes resource type with a {@code scale} subresource, as the API addresses it:
 * {@code /apis/<group>/<version>/namespaces/<ns>/<plural>/<name>/scale}.
 *
 * @param kind the object kind a {@link dev.prescaler.core.WorkloadRef} names, e.g. {@code
 *     Deployment}
 * @param group the API group, non-empty (core-group resources are not supported), e.g. {@code apps}
 * @param version the API version, e.g. {@code v1}
 * @param plural the plural resource name, e.g. {@code deployments}
 */
public record ScalableResource(String kind, String group, String version, String plural) {
  private static final Pattern KIND = Pattern.compile("[A-Z][A-Za-z0-9]{0,62}");
  private static final Pattern DNS =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern VERSION = Pattern.compile("v[0-9]+((alpha|beta)[0-9]+)?");

  /** {@code apps/v1} Deployments. */
  public static final ScalableResource DEPLOYMENT =
      new ScalableResource("Deployment", "apps", "v1", "deployments");
  /** {@code apps/v1} StatefulSets. */
  public static final ScalableResource STATEFUL_SET =
      new ScalableResource("StatefulSet", "apps", "v1", "statefulsets");
  /** {@code apps/v1} ReplicaSets. */
  public static final ScalableResource REPLICA_SET =
      new ScalableResource("ReplicaSet", "apps", "v1", "replicasets");

  /** Validates every part. */
  public ScalableResource {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(plural, "plural");
    if (!KIND.matcher(kind).matches()) {
      throw new IllegalArgumentException("kind must be a Kubernetes kind such as Deployment, "
          + "but was \"" + kind + "\"");
    }
    if (!DNS.matcher(group).matches()) {
      throw new IllegalArgumentException("group must be a non-empty DNS subdomain such as apps "
          + "(core-group resources are not supported), but was \"" + group + "\"");
    }
    if (!VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException(
          "version must look like v1, v2beta1 or v1alpha1, but was \"" + version + "\"");
    }
    if (!DNS.matcher(plural).matches() || plural.contains(".")) {
      throw new IllegalArgumentException(
          "plural must be a lower-case resource name such as deployments, but was \"" + plural
              + "\"");
    }
  }

  /** The {@code apiVersion} of objects of this type, e.g. {@code apps/v1}. */
  public String apiVersion() {
    return group + "/" + version;
  }

  /** The name RBAC and error messages use, e.g. {@code deployments.apps}. */
  public String resourceName() {
    return plural + "." + group;
  }

  /**
   * The kinds registered unless a builder is given others ({@code resource(...)}): Deployment,
   * StatefulSet and ReplicaSet, so that a configuration naming another kind can be refused before
   * anything starts.
   */
  public static List<String> builtInKinds() {
    return List.copyOf(builtInsByKind().keySet());
  }

  /**
   * A new registry by kind holding the built-in kinds (Deployment, StatefulSet, ReplicaSet), for
   * the builders to add to.
   */
  static Map<String, ScalableResource> builtInsByKind() {
    Map<String, ScalableResource> byKind = new LinkedHashMap<>();
    for (ScalableResource r : new ScalableResource[] {DEPLOYMENT, STATEFUL_SET, REPLICA_SET}) {
      byKind.put(r.kind(), r);
    }
    return byKind;
  }
}
