package dev.prescaler.k8s;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AutoscalingV2Api;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerSpec;
import io.kubernetes.client.util.PatchUtils;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link Mode#HPA_FLOOR} decisions: keeps the workload's autoscaling/v2 HPA as the safety
 * net and steers it, setting its {@code minReplicas} to the request's {@code to} (bounded by the
 * HPA's {@code maxReplicas}, and at least 1) and, when a {@link HpaSteering} is configured, its
 * metric targets and behavior.
 *
 * <p>The first time it touches an HPA it saves the HPA's whole original {@code spec} as JSON in the
 * annotation {@value #ORIGINAL_SPEC_ANNOTATION}, in the same JSON merge patch that sets the floor
 * (one request, carrying the HPA's resourceVersion: a 409 is {@code Refused}, nothing
 * overwritten). {@link #release} (called by the engine when the workload leaves HPA-floor mode or
 * the engine closes) puts that spec back with one replace (PUT) and removes the annotation.
 * Errors are reported as {@link ScaleExecutor} requires: 403/404/422 {@code Failed} with status,
 * resource and server message; 5xx and timeouts retried within the {@link RetryPolicy}.
 * Thread-safe.
 */
public final class HpaFloorExecutor implements ScaleExecutor {
  /** The annotation holding the HPA's original spec while Prescaler steers it. */
  public static final String ORIGINAL_SPEC_ANNOTATION = "prescaler.dev/original-hpa-spec";

  private static final Logger LOG = LoggerFactory.getLogger(HpaFloorExecutor.class);
  private static final int RELEASE_TRIES = 3;

  private final ApiClient client;
  private final AutoscalingV2Api api;
  private final ApiCalls calls;
  private final HpaLookup lookup;
  private final HpaSteering steering;
  private final boolean steers;
  private final Map<WorkloadRef, String> steered = new HashMap<>();

  private HpaFloorExecutor(Builder b) {
    this.client = b.client;
    this.api = new AutoscalingV2Api(b.client);
    this.calls = b.calls();
    this.lookup = new HpaLookup(b.client, calls, Duration.ZERO);
    this.steering = b.steering;
    this.steers = b.steering != HpaSteering.NONE;
  }

  /** A builder over an API client. */
  public static Builder builder(ApiClient client) {
    return new Builder(client);
  }

  @Override
  public ScaleOutcome apply(ScaleRequest request) {
    WorkloadRef ref = request.workload();
    if (request.mode() != Mode.HPA_FLOOR) {
      return ScaleOutcome.refused("HpaFloorExecutor applies mode HPA_FLOOR only, but the request "
          + "for " + ref + " was " + request.mode());
    }
    String where = "horizontalpodautoscalers.autoscaling in " + ref.namespace();
    ApiCalls.Result<List<V2HorizontalPodAutoscaler>> found = lookup.targeting(ref);
    if (!found.ok()) {
      return ScaleOutcome.failed(ApiCalls.describe(found.error().orElseThrow(), where)
          + "; nothing changed");
    }
    List<V2HorizontalPodAutoscaler> hpas = found.value().orElse(List.of());
    if (hpas.isEmpty()) {
      return ScaleOutcome.failed("no HorizontalPodAutoscaler in " + ref.namespace() + " targets "
          + ref.kind() + " " + ref.name() + ": HPA_FLOOR mode needs one (create it, or use ACT)");
    }
    if (hpas.size() > 1) {
      return ScaleOutcome.failed("HorizontalPodAutoscalers " + ref.namespace() + "/"
          + hpas.stream().map(HpaLookup::name).collect(Collectors.joining(", ")) + " all target "
          + ref.kind() + " " + ref.name() + ": HPA_FLOOR mode needs exactly one");
    }
    V2HorizontalPodAutoscaler hpa = hpas.get(0);
    String name = HpaLookup.name(hpa);
    String what = "horizontalpodautoscalers.autoscaling " + ref.namespace() + "/" + name;
    Optional<String> saved = savedSpec(hpa);
    V2HorizontalPodAutoscalerSpec original;
    try {
      original = saved.isPresent()
          ? V2HorizontalPodAutoscalerSpec.fromJson(saved.get()) : hpa.getSpec();
    } catch (java.io.IOException | RuntimeException e) {
      return ScaleOutcome.failed(what + ": annotation " + ORIGINAL_SPEC_ANNOTATION
          + " does not hold a valid HPA spec (" + e.getMessage() + "); nothing changed");
    }
    int max = hpa.getSpec().getMaxReplicas();
    int floor = Math.max(1, Math.min(request.to(), max));
    Integer before = hpa.getSpec().getMinReplicas();
    HpaSteering.Adjustment adj;
    try {
      adj = steers ? steering.adjust(request, original) : HpaSteering.Adjustment.ORIGINAL;
      Objects.requireNonNull(adj, "HpaSteering returned null");
    } catch (RuntimeException e) {
      return ScaleOutcome.failed("HpaSteering failed for " + what + ": " + e + "; nothing changed");
    }
    String body = floorPatch(hpa, saved.orElse(JSON.serialize(hpa.getSpec())), floor, original,
        adj);
    ApiCalls.Result<V2HorizontalPodAutoscaler> r = calls.run(() -> PatchUtils.patch(
        V2HorizontalPodAutoscaler.class,
        () -> api.patchNamespacedHorizontalPodAutoscaler(name, ref.namespace(), new V1Patch(body))
            .buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
    if (!r.ok()) {
      if (r.code() == 409) {
        return ScaleOutcome.refused(what + " changed by someone else (HTTP 409 Conflict): not "
            + "overwritten; re-read and decide again next tick");
      }
      return ScaleOutcome.failed(ApiCalls.describe(r.error().orElseThrow(), what)
          + "; nothing changed");
    }
    synchronized (steered) {
      steered.put(ref, name);
    }
    String bounded = floor != request.to()
        ? " (wanted " + request.to() + ", bounded to [1, maxReplicas " + max + "])" : "";
    LOG.debug("{}: {} minReplicas {} -> {}", ref, what, before, floor);
    return ScaleOutcome.applied(request.to(), "PATCH " + what + " minReplicas " + before + " -> "
        + floor + bounded + (steers ? steeringText(adj) : ""));
  }

  private static String steeringText(HpaSteering.Adjustment adj) {
    return "; metrics " + (adj.metrics().isPresent() ? "steered" : "original") + ", behavior "
        + (adj.behavior().isPresent() ? "steered" : "original");
  }

  private String floorPatch(V2HorizontalPodAutoscaler hpa, String savedJson, int floor,
      V2HorizontalPodAutoscalerSpec original, HpaSteering.Adjustment adj) {
    JsonObject patch = new JsonObject();
    JsonObject md = new JsonObject();
    md.addProperty("resourceVersion", hpa.getMetadata().getResourceVersion());
    JsonObject ann = new JsonObject();
    ann.addProperty(ORIGINAL_SPEC_ANNOTATION, savedJson);
    md.add("annotations", ann);
    patch.add("metadata", md);
    JsonObject spec = new JsonObject();
    spec.addProperty("minReplicas", floor);
    if (steers) {
      spec.add("metrics", tree(adj.metrics().isPresent() ? adj.metrics().get()
          : original.getMetrics()));
      spec.add("behavior", tree(adj.behavior().isPresent() ? adj.behavior().get()
          : original.getBehavior()));
    }
    patch.add("spec", spec);
    return patch.toString();
  }

  private static JsonElement tree(Object o) {
    return o == null ? JsonNull.INSTANCE : JSON.getGson().toJsonTree(o);
  }

  private static Optional<String> savedSpec(V2HorizontalPodAutoscaler hpa) {
    if (hpa.getMetadata() == null || hpa.getMetadata().getAnnotations() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(hpa.getMetadata().getAnnotations().get(ORIGINAL_SPEC_ANNOTATION));
  }

  /**
   * Puts back the original spec of the HPA that targets {@code workload} and removes the
   * annotation; does nothing when no HPA carries it.
   *
   * @throws IllegalStateException when the HPA could not be restored (the engine records it)
   */
  @Override
  public void release(WorkloadRef workload) {
    String what = "horizontalpodautoscalers.autoscaling in " + workload.namespace();
    for (int attempt = 1; attempt <= RELEASE_TRIES; attempt++) {
      String name;
      synchronized (steered) {
        name = steered.get(workload);
      }
      V2HorizontalPodAutoscaler hpa;
      if (name != null) {
        ApiCalls.Result<V2HorizontalPodAutoscaler> r = calls.run(
            () -> api.readNamespacedHorizontalPodAutoscaler(name, workload.namespace()).execute());
        if (!r.ok() && r.code() != 404) {
          throw new IllegalStateException("cannot restore the HPA of " + workload + ": "
              + ApiCalls.describe(r.error().orElseThrow(), what));
        }
        hpa = r.value().orElse(null);
      } else {
        ApiCalls.Result<List<V2HorizontalPodAutoscaler>> found = lookup.targeting(workload);
        if (!found.ok()) {
          throw new IllegalStateException("cannot restore the HPA of " + workload + ": "
              + ApiCalls.describe(found.error().orElseThrow(), what));
        }
        hpa = found.value().orElse(List.of()).stream().filter(h -> savedSpec(h).isPresent())
            .findFirst().orElse(null);
      }
      if (hpa == null || savedSpec(hpa).isEmpty()) {
        forget(workload);
        return;
      }
      V2HorizontalPodAutoscalerSpec original;
      try {
        original = V2HorizontalPodAutoscalerSpec.fromJson(savedSpec(hpa).get());
      } catch (java.io.IOException | RuntimeException e) {
        throw new IllegalStateException("cannot restore the HPA of " + workload + ": annotation "
            + ORIGINAL_SPEC_ANNOTATION + " does not hold a valid HPA spec: " + e.getMessage(), e);
      }
      hpa.setSpec(original);
      Map<String, String> ann = new HashMap<>(hpa.getMetadata().getAnnotations());
      ann.remove(ORIGINAL_SPEC_ANNOTATION);
      hpa.getMetadata().setAnnotations(ann);
      String hpaName = HpaLookup.name(hpa);
      V2HorizontalPodAutoscaler body = hpa;
      ApiCalls.Result<V2HorizontalPodAutoscaler> put = calls.run(() -> api
          .replaceNamespacedHorizontalPodAutoscaler(hpaName, workload.namespace(), body)
          .execute());
      if (put.ok()) {
        LOG.info("{}: restored the original spec of HPA {}/{}", workload, workload.namespace(),
            hpaName);
        forget(workload);
        return;
      }
      if (put.code() != 409) {
        throw new IllegalStateException("cannot restore the HPA of " + workload + ": "
            + ApiCalls.describe(put.error().orElseThrow(),
                "horizontalpodautoscalers.autoscaling " + workload.namespace() + "/" + hpaName));
      }
      LOG.debug("{}: HPA {} changed while restoring it, reading it again", workload, hpaName);
    }
    throw new IllegalStateException("cannot restore the HPA of " + workload + ": it kept changing "
        + "(HTTP 409 Conflict " + RELEASE_TRIES + " times)");
  }

  private void forget(WorkloadRef workload) {
    synchronized (steered) {
      steered.remove(workload);
    }
  }

  /** Builds an {@link HpaFloorExecutor}. */
  public static final class Builder extends ApiCallerBuilder<Builder> {
    private HpaSteering steering = HpaSteering.NONE;

    private Builder(ApiClient client) {
      super(client);
    }

    /**
     * What to change besides the floor; default {@link HpaSteering#NONE} (the floor only, metrics
     * and behavior untouched).
     */
    public Builder steering(HpaSteering steering) {
      this.steering = Objects.requireNonNull(steering, "steering");
      return this;
    }

    /** Builds the executor. */
    public HpaFloorExecutor build() {
      return new HpaFloorExecutor(this);
    }
  }
}
