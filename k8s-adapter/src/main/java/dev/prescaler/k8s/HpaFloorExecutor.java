package dev.prescaler.k8s;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link Mode#HPA_FLOOR} decisions: keeps the workload's autoscaling/v2 HPA as the safety
 * net and steers it, setting its {@code minReplicas} (the floor) and, when a {@link HpaSteering} is
 * configured, its metric targets and behavior. Prescaler writes these three fields of the spec and
 * no other: an operator's {@code maxReplicas}, target and the rest are never changed.
 *
 * <p><b>The floor only ever raises the owner's minimum.</b> It is the request's {@code to} bounded
 * to [the owner's {@code minReplicas}, the HPA's current {@code maxReplicas}] (and at least 1). A
 * request below the owner's minimum writes that minimum, so that a floor set earlier comes back
 * down to it and no further; the outcome is {@code Applied} and its message says the floor was
 * "held at the owner's minReplicas". When the owner's minimum is above the current {@code
 * maxReplicas}, {@code maxReplicas} wins (the API server rejects a minimum above it). A floor
 * that {@code maxReplicas} holds under the request is reported as the count applied, so that the
 * engine sends it again on the next tick: when an operator raises {@code maxReplicas}, the floor
 * follows the plan at once. Until then each tick costs one list and one patch that changes
 * nothing (the API server keeps the object as it is), which the engine journals without an action.
 *
 * <p><b>The owner's values.</b> The first patch saves the HPA's whole spec as JSON in the
 * annotation {@value #ORIGINAL_SPEC_ANNOTATION}. Every patch also records the values it writes in
 * {@value #WRITTEN_FIELDS_ANNOTATION}. A field that no longer holds the value Prescaler last wrote
 * was changed by someone else: its current value becomes the owner's (saved in {@value
 * #ORIGINAL_SPEC_ANNOTATION}), so a {@code minReplicas} raised by hand is kept as the new minimum
 * and metrics or behavior edited by hand are what steering starts from and what is given back.
 * Metrics and behavior are judged part by part: each entry of {@code metrics} (known by its
 * metric) and each member of {@code behavior} ({@code scaleUp}, {@code scaleDown}). Only the parts
 * changed by someone else become the owner's; a part that still holds what Prescaler wrote keeps
 * the owner's saved value, so a scale-down window edited by hand keeps the owner's scale-up window
 * that Prescaler shortened, rather than making Prescaler's window the owner's.
 * Each patch is one JSON merge patch carrying the HPA's resourceVersion and both annotations: a
 * 409 is {@code Refused}, nothing overwritten.
 *
 * <p><b>Release.</b> {@link #release} (called by the engine when the workload leaves HPA-floor
 * mode or the engine closes) reads the HPA and puts the owner's value back in each field that
 * still holds what Prescaler last wrote; a field someone else changed since is left as they set
 * it, and every other field is kept as found. It removes both annotations in the same request: one
 * replace (PUT) of the object just read, carrying its resourceVersion (on 409 it reads again, at
 * most 3 times). Behind a leader guard ({@link LeaseElector#guard}), every PATCH and PUT, and every
 * retry of one, is sent only while the guard still lets writes through.
 *
 * <p>Errors are reported as {@link ScaleExecutor} requires: 403/404/422 {@code Failed} with status,
 * resource and server message; 5xx and timeouts retried within the {@link RetryPolicy}. A patch
 * whose earlier try timed out or met a 5xx may have been applied by the server: after a 409 the HPA
 * is read again and the outcome is {@code Applied} only when it holds what this patch wrote; when
 * the retries run out the {@code Failed} message says the change may have been applied.
 * Thread-safe.
 */
public final class HpaFloorExecutor implements ScaleExecutor {
  /* A written value "still holds" when every member of it equals the current one (objects
   * recursively, arrays element by element): the API server fills in defaults (behavior's
   * policies, selectPolicy, windows), so equality would take every defaulted field for someone
   * else's change. The client's models write unset lists as [], so specs are compared and patched
   * as JSON trees with nulls and empty arrays removed. A nested object (behavior) is patched with
   * the difference from the current one, nulls deleting what the target lacks: a merge patch of
   * the whole object would keep members the target does not have.
   *
   * An HPA annotated by a version that did not write WRITTEN_FIELDS_ANNOTATION ("legacy") is taken
   * to hold Prescaler's values in minReplicas, and in metrics and behavior when this executor
   * steers: what that version assumed.
   *
   * Adoption part by part needs no new annotation: WRITTEN_FIELDS_ANNOTATION already holds the
   * whole values written, so both annotations keep the format (and the meaning: the owner's spec,
   * the values last written) that the versions adopting whole fields read and write. Such a
   * replica reading them adopts a changed field whole, as it always did. A behavior member that
   * Prescaler did not write counts as the owner's, as whole-field matching counts it: the server
   * fills scaleUp and scaleDown with defaults, so a member only the HPA has is no hand edit. */

  /**
   * The annotation holding, while Prescaler steers the HPA, its owner's spec as JSON: as Prescaler
   * first found it, with the changes others made since to the fields (and the parts of metrics and
   * behavior) Prescaler writes.
   */
  public static final String ORIGINAL_SPEC_ANNOTATION = "prescaler.dev/original-hpa-spec";

  /**
   * The annotation holding, as a JSON object, the spec fields Prescaler's last patch wrote and
   * their values ({@code minReplicas}, and {@code metrics} and {@code behavior} when steered), so
   * that a later change by someone else can be told apart from Prescaler's own.
   */
  public static final String WRITTEN_FIELDS_ANNOTATION = "prescaler.dev/written-hpa-fields";

  private static final Logger LOG = LoggerFactory.getLogger(HpaFloorExecutor.class);
  private static final int RELEASE_TRIES = 3;
  private static final String MIN = "minReplicas";
  private static final List<String> FIELDS = List.of(MIN, "metrics", "behavior");

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
    Marks marks;
    try {
      marks = Marks.of(hpa);
    } catch (IllegalArgumentException e) {
      return ScaleOutcome.failed(what + ": " + e.getMessage() + "; nothing changed");
    }
    JsonObject current = marks.spec();
    List<String> adopted = new ArrayList<>();
    JsonObject owner = marks.owner(steers, adopted);
    V2HorizontalPodAutoscalerSpec ownerSpec;
    try {
      ownerSpec = JSON.getGson().fromJson(owner, V2HorizontalPodAutoscalerSpec.class);
    } catch (RuntimeException e) {
      return ScaleOutcome.failed(what + ": annotation " + ORIGINAL_SPEC_ANNOTATION
          + " does not hold a valid HPA spec (" + e.getMessage() + "); nothing changed");
    }
    int max = hpa.getSpec().getMaxReplicas();
    int ownerMin = ownerSpec.getMinReplicas() == null ? 1 : ownerSpec.getMinReplicas();
    int floor = floor(request.to(), ownerMin, max);
    // The count reported applied: the floor written when maxReplicas holds it under the request,
    // so that the engine sends it again (a maxReplicas raised later lets the plan through).
    int applied = Math.min(request.to(), floor);
    Integer before = hpa.getSpec().getMinReplicas();
    HpaSteering.Adjustment adj;
    try {
      adj = steers ? steering.adjust(request, ownerSpec) : HpaSteering.Adjustment.ORIGINAL;
      Objects.requireNonNull(adj, "HpaSteering returned null");
    } catch (RuntimeException e) {
      return ScaleOutcome.failed("HpaSteering failed for " + what + ": " + e + "; nothing changed");
    }
    JsonObject written = new JsonObject();
    written.addProperty(MIN, floor);
    if (steers || marks.wrote("metrics")) {
      written.add("metrics", steers && adj.metrics().isPresent()
          ? tree(adj.metrics().get()) : orNull(owner.get("metrics")));
    }
    if (steers || marks.wrote("behavior")) {
      written.add("behavior", steers && adj.behavior().isPresent()
          ? tree(adj.behavior().get()) : orNull(owner.get("behavior")));
    }
    String body = floorPatch(hpa, marks.savedText(owner, written.keySet()), written, current);
    ApiCalls.Result<V2HorizontalPodAutoscaler> r = calls.write("PATCH " + what,
        () -> PatchUtils.patch(V2HorizontalPodAutoscaler.class,
            () -> api.patchNamespacedHorizontalPodAutoscaler(name, ref.namespace(),
                new V1Patch(body)).buildCall(null),
            V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
    String done = "PATCH " + what + " minReplicas " + before + " -> " + floor
        + bounds(request.to(), floor, ownerMin, max) + (steers ? steeringText(adj) : "")
        + adoptedText(adopted, owner);
    if (!r.ok()) {
      if (r.code() == 409 && r.uncertain()) {
        return reread(ref, name, what, written, applied, done);
      }
      if (r.code() == 409) {
        return ScaleOutcome.refused(what + " changed by someone else (HTTP 409 Conflict): not "
            + "overwritten; re-read and decide again next tick");
      }
      return ScaleOutcome.failed(ApiCalls.writeFailed(r, what));
    }
    remember(ref, name);
    LOG.debug("{}: {} minReplicas {} -> {}", ref, what, before, floor);
    if (!adopted.isEmpty()) {
      LOG.info("{}: {}: {} changed by someone else while steered, kept as the owner's", ref, what,
          adopted);
    }
    return ScaleOutcome.applied(applied, done);
  }

  /**
   * After a 409 that followed a try that timed out or met a 5xx: {@code Applied} when the HPA holds
   * what this patch wrote (the written-fields annotation and the fields themselves), {@code
   * Refused} when it holds something else, {@code Failed} when it cannot be read.
   */
  private ScaleOutcome reread(WorkloadRef ref, String name, String what, JsonObject written,
      int to, String done) {
    ApiCalls.Result<V2HorizontalPodAutoscaler> again = calls.read(
        () -> api.readNamespacedHorizontalPodAutoscaler(name, ref.namespace()).execute());
    if (!again.ok()) {
      return ScaleOutcome.failed(ApiCalls.conflictRereadFailed(again, what));
    }
    V2HorizontalPodAutoscaler hpa = again.value().orElseThrow();
    Marks marks;
    try {
      marks = Marks.of(hpa);
    } catch (IllegalArgumentException e) {
      marks = null; // unreadable marks: not what this patch wrote
    }
    JsonObject spec = marks == null ? null : marks.spec();
    if (marks != null && marks.written().filter(written::equals).isPresent()
        && written.keySet().stream().allMatch(f -> holds(written.get(f), spec.get(f)))) {
      remember(ref, name);
      return ScaleOutcome.applied(to, done + " (applied by a try that timed out; confirmed by a "
          + "re-read)");
    }
    return ScaleOutcome.refused(what + " changed by someone else (HTTP 409 Conflict after a try "
        + "that timed out; a re-read shows other values): not overwritten; re-read and decide "
        + "again next tick");
  }

  private String floorPatch(V2HorizontalPodAutoscaler hpa, String savedText, JsonObject written,
      JsonObject current) {
    JsonObject patch = new JsonObject();
    JsonObject md = new JsonObject();
    md.addProperty("resourceVersion", hpa.getMetadata().getResourceVersion());
    JsonObject ann = new JsonObject();
    ann.addProperty(ORIGINAL_SPEC_ANNOTATION, savedText);
    ann.addProperty(WRITTEN_FIELDS_ANNOTATION, written.toString());
    md.add("annotations", ann);
    patch.add("metadata", md);
    JsonObject spec = new JsonObject();
    for (Map.Entry<String, JsonElement> e : written.entrySet()) {
      spec.add(e.getKey(), mergePatch(current.get(e.getKey()), e.getValue()));
    }
    patch.add("spec", spec);
    return patch.toString();
  }

  /**
   * The floor to write for a request of {@code to}: {@code to} bounded to [max(1, {@code
   * ownerMin}), {@code max}]; {@code max} when that range is empty (the API server rejects a
   * minReplicas above maxReplicas).
   */
  static int floor(int to, int ownerMin, int max) {
    return Math.min(max, Math.max(Math.max(1, ownerMin), to));
  }

  private static String bounds(int to, int floor, int ownerMin, int max) {
    if (floor > to) {
      if (floor == ownerMin) {
        return " (wanted " + to + ", held at the owner's minReplicas " + ownerMin + ")";
      }
      if (floor < ownerMin) {
        return " (wanted " + to + ", held at maxReplicas " + max + ": the owner's minReplicas "
            + ownerMin + " is above it)";
      }
      return " (wanted " + to + ", raised to 1: a floor is at least 1)";
    }
    return floor < to ? " (wanted " + to + ", bounded to maxReplicas " + max + ")" : "";
  }

  private static String steeringText(HpaSteering.Adjustment adj) {
    return "; metrics " + (adj.metrics().isPresent() ? "steered" : "original") + ", behavior "
        + (adj.behavior().isPresent() ? "steered" : "original");
  }

  private static String adoptedText(List<String> adopted, JsonObject owner) {
    if (adopted.isEmpty()) {
      return "";
    }
    return "; set by someone else while steered, kept as the owner's: " + adopted.stream()
        .map(f -> f.equals(MIN) ? MIN + " " + (owner.has(MIN) ? owner.get(MIN) : "unset") : f)
        .collect(Collectors.joining(", "));
  }

  /**
   * Gives the HPA that targets {@code workload} back to its owner: each field (each part of
   * metrics and behavior) that still holds the value Prescaler last wrote gets the owner's value
   * back, those changed by someone else since and every other field are kept as found, and both
   * annotations are removed, in one replace carrying the resourceVersion just read. Does nothing
   * when no HPA carries {@value #ORIGINAL_SPEC_ANNOTATION}.
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
        ApiCalls.Result<V2HorizontalPodAutoscaler> r = calls.read(
            () -> api.readNamespacedHorizontalPodAutoscaler(name, workload.namespace())
                .execute());
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
        hpa = found.value().orElse(List.of()).stream()
            .filter(h -> annotation(h, ORIGINAL_SPEC_ANNOTATION).isPresent())
            .findFirst().orElse(null);
      }
      if (hpa == null || annotation(hpa, ORIGINAL_SPEC_ANNOTATION).isEmpty()) {
        forget(workload);
        return;
      }
      Marks marks;
      try {
        marks = Marks.of(hpa);
      } catch (RuntimeException e) {
        throw new IllegalStateException("cannot restore the HPA of " + workload + ": "
            + e.getMessage(), e);
      }
      V2HorizontalPodAutoscalerSpec original = marks.savedSpec().orElseThrow();
      List<String> restored = new ArrayList<>();
      List<String> left = new ArrayList<>();
      JsonObject owner = marks.owner(steers, left);
      V2HorizontalPodAutoscalerSpec mixed = null;
      for (String f : FIELDS) {
        if (marks.holdsPrescalersValue(f, steers)) {
          restore(hpa.getSpec(), f, original);
          restored.add(f);
        } else if (marks.wrote(f) && !left.contains(f)) {
          // Parts of it changed by someone else, the others still as Prescaler wrote them.
          if (mixed == null) {
            try {
              mixed = JSON.getGson().fromJson(owner, V2HorizontalPodAutoscalerSpec.class);
            } catch (RuntimeException e) {
              throw new IllegalStateException("cannot restore the HPA of " + workload + ": "
                  + "annotation " + ORIGINAL_SPEC_ANNOTATION + " does not hold a valid HPA spec ("
                  + e.getMessage() + ")", e);
            }
          }
          restore(hpa.getSpec(), f, mixed);
          restored.add(f);
        }
      }
      Map<String, String> ann = new HashMap<>(hpa.getMetadata().getAnnotations());
      ann.remove(ORIGINAL_SPEC_ANNOTATION);
      ann.remove(WRITTEN_FIELDS_ANNOTATION);
      hpa.getMetadata().setAnnotations(ann);
      String hpaName = HpaLookup.name(hpa);
      String hpaWhat = "horizontalpodautoscalers.autoscaling " + workload.namespace() + "/"
          + hpaName;
      V2HorizontalPodAutoscaler body = hpa;
      ApiCalls.Result<V2HorizontalPodAutoscaler> put = calls.write("PUT " + hpaWhat
          + " (release)", () -> api
              .replaceNamespacedHorizontalPodAutoscaler(hpaName, workload.namespace(), body)
              .execute());
      if (put.ok()) {
        LOG.info("{}: released HPA {}/{}: the owner's {} put back{}", workload,
            workload.namespace(), hpaName, restored,
            left.isEmpty() ? "" : ", " + left + " left as someone else set them");
        forget(workload);
        return;
      }
      if (put.code() != 409) {
        throw new IllegalStateException("cannot restore the HPA of " + workload + ": "
            + ApiCalls.describe(put.error().orElseThrow(), hpaWhat));
      }
      LOG.debug("{}: HPA {} changed while restoring it, reading it again", workload, hpaName);
    }
    throw new IllegalStateException("cannot restore the HPA of " + workload + ": it kept changing "
        + "(HTTP 409 Conflict " + RELEASE_TRIES + " times)");
  }

  private static void restore(V2HorizontalPodAutoscalerSpec spec, String field,
      V2HorizontalPodAutoscalerSpec original) {
    switch (field) {
      case MIN -> spec.setMinReplicas(original.getMinReplicas());
      case "metrics" -> spec.setMetrics(original.getMetrics());
      case "behavior" -> spec.setBehavior(original.getBehavior());
      default -> throw new IllegalArgumentException("field must be one of " + FIELDS
          + ", but was " + field);
    }
  }

  private void remember(WorkloadRef workload, String name) {
    synchronized (steered) {
      steered.put(workload, name);
    }
  }

  private void forget(WorkloadRef workload) {
    synchronized (steered) {
      steered.remove(workload);
    }
  }

  /**
   * What an HPA carries about Prescaler.
   *
   * @param spec the current spec, stripped
   * @param saved the owner's spec ({@value #ORIGINAL_SPEC_ANNOTATION}), stripped; empty when
   *     Prescaler does not steer the HPA
   * @param savedRaw the annotation's text, empty when absent
   * @param written the fields Prescaler last wrote ({@value #WRITTEN_FIELDS_ANNOTATION}), each
   *     value stripped; empty when absent
   */
  private record Marks(JsonObject spec, Optional<JsonObject> saved, Optional<String> savedRaw,
      Optional<V2HorizontalPodAutoscalerSpec> savedSpec, Optional<JsonObject> written) {

    /**
     * Reads the annotations.
     *
     * @throws IllegalArgumentException naming the annotation when one does not hold what it must
     */
    static Marks of(V2HorizontalPodAutoscaler hpa) {
      Optional<String> raw = annotation(hpa, ORIGINAL_SPEC_ANNOTATION);
      Optional<JsonObject> saved = Optional.empty();
      Optional<V2HorizontalPodAutoscalerSpec> savedSpec = Optional.empty();
      if (raw.isPresent()) {
        try {
          savedSpec = Optional.of(V2HorizontalPodAutoscalerSpec.fromJson(raw.get()));
          saved = Optional.of(strip(JsonParser.parseString(raw.get())).getAsJsonObject());
        } catch (java.io.IOException | RuntimeException e) {
          throw new IllegalArgumentException("annotation " + ORIGINAL_SPEC_ANNOTATION
              + " does not hold a valid HPA spec (" + e.getMessage() + ")", e);
        }
      }
      Optional<JsonObject> written = Optional.empty();
      Optional<String> w = annotation(hpa, WRITTEN_FIELDS_ANNOTATION);
      if (w.isPresent()) {
        JsonElement parsed;
        try {
          parsed = JsonParser.parseString(w.get());
        } catch (RuntimeException e) {
          parsed = JsonNull.INSTANCE;
        }
        if (!parsed.isJsonObject() || parsed.getAsJsonObject().keySet().stream()
            .anyMatch(f -> !FIELDS.contains(f))) {
          throw new IllegalArgumentException("annotation " + WRITTEN_FIELDS_ANNOTATION
              + " must hold a JSON object of the fields " + FIELDS + ", but was "
              + (w.get().length() > 200 ? w.get().substring(0, 200) + "..." : w.get()));
        }
        JsonObject out = new JsonObject();
        parsed.getAsJsonObject().entrySet().forEach(e -> out.add(e.getKey(), strip(e.getValue())));
        written = Optional.of(out);
      }
      return new Marks(specTree(hpa), saved, raw, savedSpec, written);
    }

    /** Whether Prescaler's last patch wrote {@code field}, as recorded. */
    boolean wrote(String field) {
      return written.map(w -> w.has(field)).orElse(false);
    }

    /**
     * Whether {@code field} holds the value Prescaler last wrote: recorded and unchanged since;
     * without a record (legacy), {@code minReplicas} always and metrics and behavior when {@code
     * steers}.
     */
    boolean holdsPrescalersValue(String field, boolean steers) {
      if (saved.isEmpty()) {
        return false;
      }
      if (written.isEmpty()) {
        return field.equals(MIN) || steers;
      }
      return written.get().has(field) && holds(written.get().get(field), spec.get(field));
    }

    /**
     * The owner's spec: the current one, with the owner's value in each field Prescaler wrote.
     * That is the saved value where the field still holds what Prescaler wrote; where someone
     * else changed it since, it is {@link #adopt adopted}, part by part when it can be. Names what
     * was adopted in {@code adopted}.
     */
    JsonObject owner(boolean steers, List<String> adopted) {
      JsonObject owner = spec.deepCopy();
      for (String f : FIELDS) {
        if (holdsPrescalersValue(f, steers)) {
          put(owner, f, saved.orElseThrow().get(f));
        } else if (wrote(f)) {
          put(owner, f, adopt(f, adopted));
        }
      }
      return owner;
    }

    /**
     * The owner's value of {@code field}, which Prescaler wrote and which no longer holds it as a
     * whole: taken part by part where the field has parts Prescaler steers on their own (each
     * member of {@code behavior}, such as {@code scaleUp} and {@code scaleDown}; each entry of
     * {@code metrics}, matched by its metric), each part the owner's saved value while it still
     * holds what Prescaler wrote and the current value once someone else changed it; the current
     * value whole when the field cannot be taken apart ({@code minReplicas}, a field Prescaler
     * wrote as null, metrics naming one metric twice). Names each part (or the field) taken from
     * the current value in {@code adopted}.
     */
    private JsonElement adopt(String field, List<String> adopted) {
      JsonElement w = written.orElseThrow().get(field);
      JsonElement c = spec.get(field);
      JsonElement o = saved.map(s -> s.get(field)).orElse(null);
      if (saved.isPresent() && w != null && c != null) {
        if (field.equals("behavior") && w.isJsonObject() && c.isJsonObject()
            && (o == null || o.isJsonObject())) {
          return byMember(w.getAsJsonObject(), c.getAsJsonObject(), o, adopted);
        }
        if (field.equals("metrics") && w.isJsonArray() && c.isJsonArray()
            && (o == null || o.isJsonArray())) {
          Optional<JsonElement> v = byEntry(w.getAsJsonArray(), c.getAsJsonArray(), o, adopted);
          if (v.isPresent()) {
            return v.get();
          }
        }
      }
      adopted.add(field);
      return c;
    }

    /**
     * {@code behavior} member by member: a member Prescaler wrote and someone else changed is
     * adopted; any other is the owner's, also one Prescaler did not write, which the API server
     * fills in with its defaults.
     */
    private static JsonElement byMember(JsonObject w, JsonObject c, JsonElement o,
        List<String> adopted) {
      Set<String> keys = new LinkedHashSet<>();
      if (o != null) {
        keys.addAll(o.getAsJsonObject().keySet());
      }
      keys.addAll(c.keySet());
      keys.addAll(w.keySet());
      JsonObject out = new JsonObject();
      for (String k : keys) {
        JsonElement v = o == null ? null : o.getAsJsonObject().get(k);
        if (w.has(k) && !holds(w.get(k), c.get(k))) {
          v = c.get(k);
          adopted.add("behavior." + k);
        }
        put(out, k, v);
      }
      return out.size() == 0 ? JsonNull.INSTANCE : out;
    }

    /**
     * {@code metrics} entry by entry, an entry known by its metric (all but its target), in the
     * current order: an entry Prescaler wrote that still holds is the owner's (dropped when the
     * owner had none), one changed, added or removed by someone else is adopted, and an owner's
     * entry Prescaler left out is kept. Empty when a list names a metric twice.
     */
    private static Optional<JsonElement> byEntry(JsonArray w, JsonArray c, JsonElement o,
        List<String> adopted) {
      Map<JsonElement, JsonElement> wm = entries(w);
      Map<JsonElement, JsonElement> cm = entries(c);
      Map<JsonElement, JsonElement> om = o == null ? Map.of() : entries(o.getAsJsonArray());
      if (wm == null || cm == null || om == null) {
        return Optional.empty();
      }
      JsonArray out = new JsonArray();
      for (Map.Entry<JsonElement, JsonElement> e : cm.entrySet()) {
        JsonElement we = wm.get(e.getKey());
        if (we != null && holds(we, e.getValue())) {
          if (om.containsKey(e.getKey())) {
            out.add(om.get(e.getKey()).deepCopy());
          }
        } else {
          out.add(e.getValue().deepCopy());
          adopted.add("metrics[" + metricName(e.getValue()) + "]");
        }
      }
      for (Map.Entry<JsonElement, JsonElement> e : om.entrySet()) {
        if (!cm.containsKey(e.getKey()) && !wm.containsKey(e.getKey())) {
          out.add(e.getValue().deepCopy());
        }
      }
      for (Map.Entry<JsonElement, JsonElement> e : wm.entrySet()) {
        if (!cm.containsKey(e.getKey())) {
          adopted.add("metrics[" + metricName(e.getValue()) + "] (removed)");
        }
      }
      return Optional.of(out.size() == 0 ? JsonNull.INSTANCE : out);
    }

    /**
     * The text of {@value #ORIGINAL_SPEC_ANNOTATION} to write: the saved spec (the current one on
     * the first patch) with the owner's values of {@code fields}; the annotation's own text when
     * that changes nothing.
     */
    String savedText(JsonObject owner, Set<String> fields) {
      JsonObject out = saved.map(JsonObject::deepCopy).orElseGet(spec::deepCopy);
      for (String f : fields) {
        put(out, f, owner.get(f));
      }
      return saved.isPresent() && out.equals(saved.get()) ? savedRaw.orElseThrow()
          : out.toString();
    }
  }

  /**
   * The entries of a metrics list by their metric (each entry without its source's {@code
   * target}), in order; null when an entry is not an object or a metric comes twice.
   */
  private static Map<JsonElement, JsonElement> entries(JsonArray metrics) {
    Map<JsonElement, JsonElement> out = new LinkedHashMap<>();
    for (JsonElement e : metrics) {
      if (!e.isJsonObject()) {
        return null;
      }
      JsonObject id = e.getAsJsonObject().deepCopy();
      for (Map.Entry<String, JsonElement> m : id.entrySet()) {
        if (m.getValue().isJsonObject()) {
          m.getValue().getAsJsonObject().remove("target");
        }
      }
      if (out.put(id, e) != null) {
        return null;
      }
    }
    return out;
  }

  /** A metric entry's type and name, as {@code Resource cpu}, for messages. */
  private static String metricName(JsonElement entry) {
    JsonObject e = entry.getAsJsonObject();
    String type = text(e.get("type"));
    String name = "";
    for (Map.Entry<String, JsonElement> m : e.entrySet()) {
      if (m.getValue().isJsonObject()) {
        JsonObject source = m.getValue().getAsJsonObject();
        JsonElement metric = source.get("metric");
        name = source.has("name") ? text(source.get("name"))
            : metric != null && metric.isJsonObject() ? text(metric.getAsJsonObject().get("name"))
            : "";
        if (source.has("container")) {
          name += " (container " + text(source.get("container")) + ")";
        }
      }
    }
    return (type + " " + name).trim();
  }

  private static String text(JsonElement e) {
    return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
  }

  private static Optional<String> annotation(V2HorizontalPodAutoscaler hpa, String key) {
    if (hpa.getMetadata() == null || hpa.getMetadata().getAnnotations() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(hpa.getMetadata().getAnnotations().get(key));
  }

  private static JsonObject specTree(V2HorizontalPodAutoscaler hpa) {
    return hpa.getSpec() == null ? new JsonObject()
        : strip(JSON.getGson().toJsonTree(hpa.getSpec())).getAsJsonObject();
  }

  private static JsonElement tree(Object o) {
    return o == null ? JsonNull.INSTANCE : strip(JSON.getGson().toJsonTree(o));
  }

  private static JsonElement orNull(JsonElement e) {
    return e == null ? JsonNull.INSTANCE : e.deepCopy();
  }

  private static void put(JsonObject o, String field, JsonElement value) {
    if (value == null || value.isJsonNull()) {
      o.remove(field);
    } else {
      o.add(field, value.deepCopy());
    }
  }

  /** A copy without null members and empty arrays (unset, for the client's models). */
  static JsonElement strip(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return JsonNull.INSTANCE;
    }
    if (e.isJsonObject()) {
      JsonObject out = new JsonObject();
      for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
        JsonElement v = strip(m.getValue());
        if (!v.isJsonNull() && !(v.isJsonArray() && v.getAsJsonArray().size() == 0)) {
          out.add(m.getKey(), v);
        }
      }
      return out;
    }
    if (e.isJsonArray()) {
      JsonArray out = new JsonArray();
      e.getAsJsonArray().forEach(x -> out.add(strip(x)));
      return out;
    }
    return e.deepCopy();
  }

  /**
   * Whether {@code current} still holds {@code written}: every member of {@code written} equal in
   * {@code current} (objects recursively, arrays of the same length element by element); members
   * only {@code current} has are the server's defaults.
   */
  static boolean holds(JsonElement written, JsonElement current) {
    if (written == null || written.isJsonNull()) {
      return current == null || current.isJsonNull();
    }
    if (current == null || current.isJsonNull()) {
      return false;
    }
    if (written.isJsonObject()) {
      return current.isJsonObject() && written.getAsJsonObject().entrySet().stream()
          .allMatch(m -> holds(m.getValue(), current.getAsJsonObject().get(m.getKey())));
    }
    if (written.isJsonArray()) {
      JsonArray w = written.getAsJsonArray();
      if (!current.isJsonArray() || current.getAsJsonArray().size() != w.size()) {
        return false;
      }
      for (int i = 0; i < w.size(); i++) {
        if (!holds(w.get(i), current.getAsJsonArray().get(i))) {
          return false;
        }
      }
      return true;
    }
    return written.equals(current);
  }

  /**
   * The JSON merge patch (RFC 7386) that turns {@code from} into {@code to}: objects member by
   * member, with null for what {@code to} lacks; anything else whole.
   */
  static JsonElement mergePatch(JsonElement from, JsonElement to) {
    if (to == null || to.isJsonNull()) {
      return JsonNull.INSTANCE;
    }
    if (from == null || !from.isJsonObject() || !to.isJsonObject()) {
      return to.deepCopy();
    }
    JsonObject f = from.getAsJsonObject();
    JsonObject t = to.getAsJsonObject();
    JsonObject out = new JsonObject();
    for (Map.Entry<String, JsonElement> m : t.entrySet()) {
      JsonElement was = f.get(m.getKey());
      if (was != null && was.isJsonObject() && m.getValue().isJsonObject()) {
        JsonObject d = mergePatch(was, m.getValue()).getAsJsonObject();
        if (d.size() > 0) {
          out.add(m.getKey(), d);
        }
      } else if (!m.getValue().equals(was)) {
        out.add(m.getKey(), m.getValue().deepCopy());
      }
    }
    for (String k : f.keySet()) {
      if (!t.has(k)) {
        out.add(k, JsonNull.INSTANCE);
      }
    }
    return out;
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
