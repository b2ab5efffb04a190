package dev.prescaler.k8s;

import dev.prescaler.core.WorkloadRef;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.util.PatchUtils;
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
   * @param statusReplicas {@code status.replicas}, the pods that exist, 0 when absent (as the
   *     scale subresource the HPA reads gives it then)
   */
  record Counts(int specReplicas, int readyReplicas, int statusReplicas) {}

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
   * answer {@link #parseCounts} cannot read (not a JSON object, no {@code spec.replicas}, a count
   * that is not a whole number &ge; 0) is a failed result ({@link ApiCalls#readable}).
   */
  ApiCalls.Call<Counts> readCounts(ScalableResource r, WorkloadRef ref) {
    return ApiCalls.readable(() -> parseCounts(api.getNamespacedCustomObject(r.group(),
        r.version(), ref.namespace(), r.plural(), ref.name()).execute()));
  }

  /**
   * One GET of the scale subresource. An answer {@link #parse} cannot read (not a JSON object,
   * not of kind {@code Scale}, a count that is not a whole number &ge; 0) is a failed result
   * ({@link ApiCalls#readable}).
   */
  ApiCalls.Call<Scale> read(ScalableResource r, WorkloadRef ref) {
    return ApiCalls.readable(() -> parse(api.getNamespacedCustomObjectScale(r.group(),
        r.version(), ref.namespace(), r.plural(), ref.name()).execute()));
  }

  /** A JSON merge patch of {@code spec.replicas} carrying the observed resourceVersion. */
  static String patchBody(int replicas, String resourceVersion) {
    String meta = resourceVersion.isEmpty() ? ""
        : "\"metadata\":{\"resourceVersion\":\"" + resourceVersion.replace("\"", "") + "\"},";
    return String.format(Locale.ROOT, "{%s\"spec\":{\"replicas\":%d}}", meta, replicas);
  }

  /**
   * One JSON merge patch of the scale ({@link #patchBody}), answered with the scale as the server
   * stored it: its {@code spec.replicas} is not always the count sent, as a mutating admission
   * webhook or policy may change it. An answer {@link #parse} cannot read is empty, not an error:
   * its status says the server took the write, and only its count is unknown.
   */
  ApiCalls.Call<Optional<Scale>> patch(ScalableResource r, WorkloadRef ref, int replicas,
      String resourceVersion) {
    String body = patchBody(replicas, resourceVersion);
    return () -> stored(PatchUtils.patch(Object.class,
        () -> api.patchNamespacedCustomObjectScale(r.group(), r.version(), ref.namespace(),
            r.plural(), ref.name(), new V1Patch(body)).buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
  }

  /** The answer to a write as a Scale ({@link #parse}); empty when it is none. */
  static Optional<Scale> stored(Object answer) {
    try {
      return Optional.of(parse(answer));
    } catch (IllegalStateException unreadable) {
      return Optional.empty();
    }
  }

  /**
   * The fields of a scale subresource answer. Only a {@code Scale} is one: an answer of another
   * kind (a {@code Status} sent with 200, an empty object) is not read as 0 replicas. An absent
   * {@code spec.replicas} or {@code status.replicas} is 0, as the API omits a zero.
   *
   * @throws IllegalStateException when {@code o} is not a readable Scale: not a JSON object, of
   *     another kind, a {@code metadata}, {@code spec} or {@code status} that is not an object, or
   *     a count that is not a whole number in [0, 2^31)
   */
  static Scale parse(Object o) {
    Map<String, Object> m = map(o, "the answer");
    Object kind = m.get("kind");
    if (!"Scale".equals(kind)) {
      throw new IllegalStateException("not a Scale: its kind is "
          + (kind == null ? "absent" : kind));
    }
    Map<String, Object> md = section(m, "metadata");
    Map<String, Object> spec = section(m, "spec");
    Map<String, Object> status = section(m, "status");
    Object rv = md.get("resourceVersion");
    Object sel = status.get("selector");
    return new Scale(count(spec, "spec.replicas", false), count(status, "status.replicas", false),
        sel == null ? "" : sel.toString(), rv == null ? "" : rv.toString());
  }

  /**
   * The counts of an {@code apps/v1} object. Its {@code spec.replicas} is required: the API
   * server always fills it in (1 by default), so an object without it (an empty object, a {@code
   * Status} sent with 200) is not read as 0 replicas. An absent {@code status.readyReplicas} is
   * 0 (the API omits a zero), and so is an absent {@code status.replicas}.
   *
   * @throws IllegalStateException when {@code o} is not a readable object: not a JSON object, a
   *     {@code spec} or {@code status} that is not an object, no {@code spec.replicas}, or a count
   *     that is not a whole number in [0, 2^31)
   */
  static Counts parseCounts(Object o) {
    Map<String, Object> m = map(o, "the answer");
    Map<String, Object> status = section(m, "status");
    return new Counts(count(section(m, "spec"), "spec.replicas", true),
        count(status, "status.readyReplicas", false), count(status, "status.replicas", false));
  }

  /** The object at {@code m.key}: empty when absent; else it must be a JSON object. */
  private static Map<String, Object> section(Map<String, Object> m, String key) {
    Object o = m.get(key);
    return o == null ? Map.of() : map(o, key);
  }

  /** {@code o} when it is a JSON object; else an IllegalStateException naming what it is. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o, String what) {
    if (!(o instanceof Map)) {
      throw new IllegalStateException(what + " is not a JSON object: "
          + (o == null ? "null" : o.getClass().getSimpleName()));
    }
    return (Map<String, Object>) o;
  }

  /**
   * The count {@code field} (the last part of its name is its key in {@code m}): 0 when absent
   * (the API omits a zero) unless {@code required}, else its value.
   *
   * @throws IllegalStateException when it is required and absent, or not a whole number in [0,
   *     2^31)
   */
  private static int count(Map<String, Object> m, String field, boolean required) {
    Object o = m.get(field.substring(field.lastIndexOf('.') + 1));
    if (o == null) {
      if (required) {
        throw new IllegalStateException("no " + field);
      }
      return 0;
    }
    if (!(o instanceof Number)) {
      throw new IllegalStateException(field + " is not a number: " + o);
    }
    double d = ((Number) o).doubleValue();
    if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) {
      throw new IllegalStateException(field + " is not a whole number in [0, 2^31): " + o);
    }
    return (int) d;
  }
}
