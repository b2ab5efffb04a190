package dev.prescaler.k8s;

import dev.prescaler.core.WorkloadRef;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.util.PatchUtils;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads and patches the {@code scale} subresource of any resource type (through the generic
 * custom-objects API, so Deployments, StatefulSets and custom resources take the same path), and
 * reads the replica counts of the {@code apps/v1} workloads from the objects themselves.
 */
final class ScaleClient {
  /**
   * The scale subresource as read.
   *
   * @param specReplicas {@code spec.replicas}
   * @param statusReplicas {@code status.replicas}
   * @param selector {@code status.selector}, empty when absent
   * @param resourceVersion the object's resourceVersion, empty when absent
   */
  record Scale(int specReplicas, int statusReplicas, String selector, String resourceVersion) {}

  /**
   * The replica counts of an {@code apps/v1} Deployment, StatefulSet or ReplicaSet as read.
   *
   * @param specReplicas {@code spec.replicas}
   * @param readyReplicas {@code status.readyReplicas}, 0 when absent (the API omits a zero, and a
   *     controller that has not yet reported has seen no pod ready)
   */
  record Counts(int specReplicas, int readyReplicas) {}

  private final ApiClient client;
  private final CustomObjectsApi api;
  private final Map<String, ScalableResource> resources;

  ScaleClient(ApiClient client, Map<String, ScalableResource> resources) {
    this.client = Objects.requireNonNull(client, "client");
    this.api = new CustomObjectsApi(client);
    this.resources = Map.copyOf(resources);
  }

  /** The resource type of a workload's kind, if known. */
  Optional<ScalableResource> resource(WorkloadRef ref) {
    return Optional.ofNullable(resources.get(ref.kind()));
  }

  /** {@code deployments.apps default/web scale}, for messages. */
  static String describe(ScalableResource r, WorkloadRef ref) {
    return r.resourceName() + " " + ref.namespace() + "/" + ref.name() + " scale";
  }

  /** {@code deployments.apps default/web}, for messages about the object itself. */
  static String describeObject(ScalableResource r, WorkloadRef ref) {
    return r.resourceName() + " " + ref.namespace() + "/" + ref.name();
  }

  /**
   * Whether the objects of {@code r} report their ready pods in {@code status.readyReplicas}: the
   * built-in {@code apps/v1} Deployment, StatefulSet and ReplicaSet. A custom resource has no
   * standard field for it, and its scale subresource carries none either.
   */
  static boolean reportsReadyReplicas(ScalableResource r) {
    return r.equals(ScalableResource.DEPLOYMENT) || r.equals(ScalableResource.STATEFUL_SET)
        || r.equals(ScalableResource.REPLICA_SET);
  }

  /**
   * One GET of the object (not its scale): {@code spec.replicas} and status.readyReplicas. An
   * answer that is not a JSON object, or whose counts are not numbers, is a failed result
   * ({@link ApiCalls#readable}).
   */
  ApiCalls.Call<Counts> readCounts(ScalableResource r, WorkloadRef ref) {
    return ApiCalls.readable(() -> parseCounts(object(api.getNamespacedCustomObject(r.group(),
        r.version(), ref.namespace(), r.plural(), ref.name()).execute())));
  }

  /**
   * One GET of the scale subresource. An answer that is not a JSON object, or whose replica
   * counts are not numbers, is a failed result ({@link ApiCalls#readable}).
   */
  ApiCalls.Call<Scale> read(ScalableResource r, WorkloadRef ref) {
    return ApiCalls.readable(() -> parse(object(api.getNamespacedCustomObjectScale(r.group(),
        r.version(), ref.namespace(), r.plural(), ref.name()).execute())));
  }

  /** {@code o} when it is a JSON object; else an IllegalStateException naming what it is. */
  private static Object object(Object o) {
    if (!(o instanceof Map)) {
      throw new IllegalStateException("not a JSON object: "
          + (o == null ? "null" : o.getClass().getSimpleName()));
    }
    return o;
  }

  /** A JSON merge patch of {@code spec.replicas} carrying the observed resourceVersion. */
  static String patchBody(int replicas, String resourceVersion) {
    String meta = resourceVersion.isEmpty() ? ""
        : "\"metadata\":{\"resourceVersion\":\"" + resourceVersion.replace("\"", "") + "\"},";
    return String.format(Locale.ROOT, "{%s\"spec\":{\"replicas\":%d}}", meta, replicas);
  }

  /**
   * One JSON merge patch of the scale ({@link #patchBody}). Its answer is not parsed: only its
   * status counts, so an answer with odd replica counts is no error.
   */
  ApiCalls.Call<Object> patch(ScalableResource r, WorkloadRef ref, int replicas,
      String resourceVersion) {
    String body = patchBody(replicas, resourceVersion);
    return () -> PatchUtils.patch(Object.class,
        () -> api.patchNamespacedCustomObjectScale(r.group(), r.version(), ref.namespace(),
            r.plural(), ref.name(), new V1Patch(body)).buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
  }

  @SuppressWarnings("unchecked")
  static Scale parse(Object o) {
    Map<String, Object> m = o instanceof Map ? (Map<String, Object>) o : new LinkedHashMap<>();
    Map<String, Object> md = map(m.get("metadata"));
    Map<String, Object> spec = map(m.get("spec"));
    Map<String, Object> status = map(m.get("status"));
    Object rv = md.get("resourceVersion");
    Object sel = status.get("selector");
    return new Scale(number(spec.get("replicas")), number(status.get("replicas")),
        sel == null ? "" : sel.toString(), rv == null ? "" : rv.toString());
  }

  @SuppressWarnings("unchecked")
  static Counts parseCounts(Object o) {
    Map<String, Object> m = o instanceof Map ? (Map<String, Object>) o : new LinkedHashMap<>();
    return new Counts(number(map(m.get("spec")).get("replicas")),
        number(map(m.get("status")).get("readyReplicas")));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map ? (Map<String, Object>) o : Map.of();
  }

  /**
   * A count: 0 when absent (the API omits a zero), else its value.
   *
   * @throws IllegalStateException when it is not a whole number in the int range
   */
  private static int number(Object o) {
    if (o == null) {
      return 0;
    }
    if (!(o instanceof Number)) {
      throw new IllegalStateException("a replica count is not a number: " + o);
    }
    double d = ((Number) o).doubleValue();
    if (d != Math.rint(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
      throw new IllegalStateException("a replica count is not a whole number: " + o);
    }
    return (int) d;
  }
}
