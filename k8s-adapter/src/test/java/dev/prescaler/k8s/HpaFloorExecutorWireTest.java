package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.models.V2MetricSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exact requests and injected errors of {@link HpaFloorExecutor}, with mockwebserver3. */
class HpaFloorExecutorWireTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final String HPAS = "/apis/autoscaling/v2/namespaces/default/"
      + "horizontalpodautoscalers";
  private static final WorkloadRef WEB = WorkloadRef.deployment("default", "web");
  private static final String SPEC = "{\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":"
      + "\"Deployment\",\"name\":\"web\"},\"minReplicas\":2,\"maxReplicas\":8,"
      + "\"metrics\":[{\"type\":"
      + "\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\","
      + "\"averageUtilization\":70}}}]}";

  private final Wire wire = new Wire();

  @AfterEach
  void stop() {
    wire.close();
  }

  private HpaFloorExecutor floor(HpaSteering steering) {
    return floor(steering, Duration.ofSeconds(5));
  }

  private HpaFloorExecutor floor(HpaSteering steering, Duration readTimeout) {
    return HpaFloorExecutor.builder(wire.client(readTimeout)).clock(new ManualClock(T0))
        .sleeper(d -> { }).steering(steering).build();
  }

  private static String hpa(String rv, String annotations) {
    return hpa(rv, annotations, SPEC);
  }

  private static String hpa(String rv, String annotations, String spec) {
    return "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":"
        + "{\"name\":\"web-hpa\",\"namespace\":\"default\",\"resourceVersion\":\"" + rv + "\""
        + (annotations == null ? "" : ",\"annotations\":" + annotations) + "},\"spec\":" + spec
        + "}";
  }

  /** The annotations of an HPA Prescaler steers: the saved spec and what it last wrote. */
  private static String marks(String savedSpec, String written) {
    return "{\"" + HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION + "\":" + new JsonPrimitive(savedSpec)
        + ",\"" + HpaFloorExecutor.WRITTEN_FIELDS_ANNOTATION + "\":" + new JsonPrimitive(written)
        + ",\"team\":\"shop\"}";
  }

  private static JsonObject body(RecordedRequest r) {
    return JsonParser.parseString(r.getBody().utf8()).getAsJsonObject();
  }

  private static JsonObject annotations(JsonObject body) {
    return body.getAsJsonObject("metadata").getAsJsonObject("annotations");
  }

  private static String list(String item) {
    return "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscalerList\","
        + "\"metadata\":{},\"items\":[" + item + "]}";
  }

  private static ScaleRequest request(int from, int to) {
    WorkloadSpec spec = WorkloadSpec.builder(WEB).maxReplicas(20)
        .metric(MetricTarget.utilization("cpu", 70)).mode(Mode.HPA_FLOOR).build();
    return new ScaleRequest(spec, Mode.HPA_FLOOR, from, to, List.of(), T0);
  }

  @Test
  void setsTheFloorAndSavesTheOriginalSpecInOneMergePatch() {
    wire.json(200, list(hpa("55", null))).json(200, hpa("56", null));

    ScaleOutcome o = floor(HpaSteering.NONE).apply(request(2, 5));

    assertThat(o.isApplied()).as(o.message()).isTrue();
    assertThat(o.message()).isEqualTo("PATCH horizontalpodautoscalers.autoscaling default/web-hpa "
        + "minReplicas 2 -> 5");
    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line).containsExactly("GET " + HPAS,
        "PATCH " + HPAS + "/web-hpa");
    assertThat(rs.get(1).getHeaders().get("Content-Type"))
        .startsWith("application/merge-patch+json");
    JsonObject body = JsonParser.parseString(rs.get(1).getBody().utf8()).getAsJsonObject();
    assertThat(body.getAsJsonObject("metadata").get("resourceVersion").getAsString())
        .isEqualTo("55");
    String saved = body.getAsJsonObject("metadata").getAsJsonObject("annotations")
        .get(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION).getAsString();
    assertThat(JsonParser.parseString(saved)).isEqualTo(JsonParser.parseString(SPEC));
    assertThat(body.getAsJsonObject("spec").toString()).isEqualTo("{\"minReplicas\":5}");
  }

  @Test
  void theFloorIsBoundedByMaxReplicasAndTheSavedSpecIsKeptOnLaterPatches() {
    String ann = "{\"" + HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION + "\":"
        + new com.google.gson.JsonPrimitive(SPEC) + "}";
    wire.json(200, list(hpa("60", ann))).json(200, hpa("61", ann));
    ScaleOutcome o = floor(HpaSteering.NONE).apply(request(5, 12));
    assertThat(o.isApplied()).isTrue();
    // The floor written, not the 12 asked: the engine sends it again until maxReplicas allows it.
    assertThat(((ScaleOutcome.Applied) o).replicas()).isEqualTo(8);
    assertThat(o.message()).contains("-> 8 (wanted 12, bounded to maxReplicas 8)");
    RecordedRequest patch = wire.requests().get(1);
    JsonObject body = JsonParser.parseString(patch.getBody().utf8()).getAsJsonObject();
    assertThat(body.getAsJsonObject("spec").get("minReplicas").getAsInt()).isEqualTo(8);
    assertThat(body.getAsJsonObject("metadata").getAsJsonObject("annotations")
        .get(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION).getAsString()).isEqualTo(SPEC);
  }

  @Test
  void steeringSetsMetricTargetsAndBehaviorInTheSamePatch() {
    wire.json(200, list(hpa("55", null))).json(200, hpa("56", null));
    HpaSteering steering = (request, original) -> new HpaSteering.Adjustment(
        Optional.of(List.of(KubeBackend.cpuMetric(50))), Optional.empty());
    assertThat(floor(steering).apply(request(2, 5)).isApplied()).isTrue();
    JsonObject spec = JsonParser.parseString(wire.requests().get(1).getBody().utf8())
        .getAsJsonObject().getAsJsonObject("spec");
    assertThat(spec.getAsJsonArray("metrics").get(0).getAsJsonObject().getAsJsonObject("resource")
        .getAsJsonObject("target").get("averageUtilization").getAsInt()).isEqualTo(50);
    assertThat(spec.get("behavior").isJsonNull()).as("original had no behavior").isTrue();
  }

  @Test
  void conflictIsRefusedAndErrorsFailWithStatusAndMessage() {
    wire.json(200, list(hpa("55", null))).status(409, "Conflict", "the object has been modified");
    ScaleOutcome conflict = floor(HpaSteering.NONE).apply(request(2, 5));
    assertThat(conflict.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(conflict.message()).contains("changed by someone else").contains("409");

    wire.json(200, list(hpa("55", null))).status(422, "Invalid",
        "HorizontalPodAutoscaler.autoscaling \"web-hpa\" is invalid: spec.minReplicas");
    ScaleOutcome invalid = floor(HpaSteering.NONE).apply(request(2, 5));
    assertThat(invalid.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(invalid.message()).isEqualTo("HTTP 422 Invalid on horizontalpodautoscalers."
        + "autoscaling default/web-hpa: HorizontalPodAutoscaler.autoscaling \"web-hpa\" is "
        + "invalid: spec.minReplicas; nothing changed");

    wire.status(403, "Forbidden", "cannot list horizontalpodautoscalers");
    ScaleOutcome forbidden = floor(HpaSteering.NONE).apply(request(2, 5));
    assertThat(forbidden.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(forbidden.message()).startsWith("HTTP 403 Forbidden on horizontalpodautoscalers"
        + ".autoscaling in default");
  }

  @Test
  void anUnreadableHpaListFailsNamingTheRequestAndPatchesNothing() {
    String where = "HTTP 200 on horizontalpodautoscalers.autoscaling in default: malformed answer";
    HpaFloorExecutor floor = floor(HpaSteering.NONE);
    for (String body : List.of("<html>proxy</html>", "{\"items\":",
        "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{},\"items\":"
            + "[{\"metadata\":{\"name\":\"web-1\"},\"spec\":{\"containers\":[]}}]}",
        "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{},\"items\":"
            + "[{\"metadata\":{\"name\":\"web-1\"}}]}",
        "[]", "\"web-hpa\"", "null", "{}", "{\"items\":[null]}", "{\"items\":{}}")) {
      wire.json(200, body);
      ScaleOutcome o = floor.apply(request(2, 5));
      assertThat(o.status()).as(body).isEqualTo(ScaleOutcome.Status.FAILED);
      assertThat(o.message()).as(body).startsWith(where).endsWith("; nothing changed");
      assertThat(wire.requests()).extracting(Wire::line).as(body).containsExactly("GET " + HPAS);
    }
  }

  @Test
  void releasePutsTheSavedSpecBackWithOneReplaceAndDropsTheAnnotation() {
    String steered = hpa("70", "{\"" + HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION + "\":"
        + new com.google.gson.JsonPrimitive(SPEC) + ",\"team\":\"shop\"}")
        .replace("\"minReplicas\":2", "\"minReplicas\":6");
    wire.json(200, list(steered)).json(200, hpa("71", "{\"team\":\"shop\"}"));

    floor(HpaSteering.NONE).release(WEB);

    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line).containsExactly("GET " + HPAS,
        "PUT " + HPAS + "/web-hpa");
    JsonObject body = JsonParser.parseString(rs.get(1).getBody().utf8()).getAsJsonObject();
    assertThat(body.get("spec")).isEqualTo(JsonParser.parseString(SPEC));
    assertThat(body.getAsJsonObject("metadata").get("resourceVersion").getAsString())
        .isEqualTo("70");
    assertThat(body.getAsJsonObject("metadata").getAsJsonObject("annotations").keySet())
        .containsExactly("team");
  }

  @Test
  void releaseRetriesAConflictAndReportsOtherErrors() {
    String ann = "{\"" + HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION + "\":"
        + new com.google.gson.JsonPrimitive(SPEC) + "}";
    wire.json(200, list(hpa("70", ann))).status(409, "Conflict", "modified")
        .json(200, list(hpa("72", ann))).json(200, hpa("73", null));
    floor(HpaSteering.NONE).release(WEB);
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "PUT " + HPAS + "/web-hpa", "GET " + HPAS, "PUT " + HPAS + "/web-hpa");

    wire.json(200, list(hpa("80", ann))).status(403, "Forbidden", "cannot update");
    assertThatThrownBy(() -> floor(HpaSteering.NONE).release(WEB))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("HTTP 403 Forbidden").hasMessageContaining("web-hpa");
  }

  @Test
  void releaseWithoutASavedSpecChangesNothing() {
    wire.json(200, list(hpa("70", null)));
    floor(HpaSteering.NONE).release(WEB);
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS);
  }

  // --- The floor only raises the owner's minimum -------------------------------------------

  @Test
  void aRequestBelowTheOwnersMinimumWritesThatMinimumAndSaysSo() {
    String min3 = SPEC.replace("\"minReplicas\":2", "\"minReplicas\":3");
    wire.json(200, list(hpa("55", null, min3))).json(200, hpa("56", null, min3));

    ScaleOutcome o = floor(HpaSteering.NONE).apply(request(3, 1));

    assertThat(o.isApplied()).as(o.message()).isTrue();
    assertThat(o.message()).isEqualTo("PATCH horizontalpodautoscalers.autoscaling default/web-hpa "
        + "minReplicas 3 -> 3 (wanted 1, held at the owner's minReplicas 3)");
    JsonObject body = body(wire.requests().get(1));
    assertThat(body.getAsJsonObject("spec").get("minReplicas").getAsInt()).isEqualTo(3);
  }

  @Test
  void aFloorSetEarlierComesBackDownToTheOwnersMinimumAndNoFurther() {
    String min3 = SPEC.replace("\"minReplicas\":2", "\"minReplicas\":3");
    String steered = min3.replace("\"minReplicas\":3", "\"minReplicas\":6");
    String ann = marks(min3, "{\"minReplicas\":6}");
    wire.json(200, list(hpa("60", ann, steered))).json(200, hpa("61", ann, min3));

    ScaleOutcome o = floor(HpaSteering.NONE).apply(request(6, 1));

    assertThat(o.isApplied()).as(o.message()).isTrue();
    assertThat(o.message()).endsWith("minReplicas 6 -> 3 (wanted 1, held at the owner's "
        + "minReplicas 3)");
    JsonObject body = body(wire.requests().get(1));
    assertThat(body.getAsJsonObject("spec").toString()).isEqualTo("{\"minReplicas\":3}");
    assertThat(annotations(body).get(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION).getAsString())
        .as("the owner's spec is kept as saved").isEqualTo(min3);
    assertThat(annotations(body).get(HpaFloorExecutor.WRITTEN_FIELDS_ANNOTATION).getAsString())
        .isEqualTo("{\"minReplicas\":3}");
  }

  /** Whatever is asked, the floor is in [max(1, owner's minimum), maxReplicas] when that fits. */
  @Test
  void theFloorNeverGoesBelowTheOwnersMinimumNorAboveMaxReplicas() {
    qt().withExamples(2000).forAll(integers().between(0, 60), integers().between(0, 30),
        integers().between(1, 60)).check((to, ownerMin, max) -> {
          int f = HpaFloorExecutor.floor(to, ownerMin, max);
          int least = Math.max(1, ownerMin);
          return f <= max && (least > max ? f == max
              : f >= least && (to < least || to > max || f == to));
        });
  }

  // --- Operators' changes survive steering and release --------------------------------------

  @Test
  void releaseKeepsAMaxReplicasRaisedWhileSteeredAndUndoesOnlyPrescalersFloor() {
    String now = SPEC.replace("\"minReplicas\":2", "\"minReplicas\":6")
        .replace("\"maxReplicas\":8", "\"maxReplicas\":20");
    wire.json(200, list(hpa("70", marks(SPEC, "{\"minReplicas\":6}"), now)))
        .json(200, hpa("71", "{\"team\":\"shop\"}"));

    floor(HpaSteering.NONE).release(WEB);

    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line).containsExactly("GET " + HPAS,
        "PUT " + HPAS + "/web-hpa");
    JsonObject body = body(rs.get(1));
    assertThat(body.get("spec")).isEqualTo(JsonParser.parseString(
        SPEC.replace("\"maxReplicas\":8", "\"maxReplicas\":20")));
    assertThat(body.getAsJsonObject("metadata").get("resourceVersion").getAsString())
        .isEqualTo("70");
    assertThat(annotations(body).keySet()).containsExactly("team");
  }

  @Test
  void releaseLeavesAMinReplicasChangedByHandAndStillRemovesTheAnnotations() {
    String now = SPEC.replace("\"minReplicas\":2", "\"minReplicas\":9");
    wire.json(200, list(hpa("70", marks(SPEC, "{\"minReplicas\":6}"), now)))
        .json(200, hpa("71", "{\"team\":\"shop\"}", now));

    floor(HpaSteering.NONE).release(WEB);

    JsonObject body = body(wire.requests().get(1));
    assertThat(body.get("spec")).isEqualTo(JsonParser.parseString(now));
    assertThat(annotations(body).keySet()).containsExactly("team");
  }

  @Test
  void releasePutsBackSteeredMetricsAndKeepsABehaviorChangedByHand() {
    String steeredMetrics = "[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":"
        + "{\"type\":\"Utilization\",\"averageUtilization\":50}}}]";
    String byHand = "{\"scaleDown\":{\"stabilizationWindowSeconds\":600,\"selectPolicy\":\"Max\","
        + "\"policies\":[{\"type\":\"Percent\",\"value\":100,\"periodSeconds\":15}]}}";
    String now = SPEC.replace("\"minReplicas\":2", "\"minReplicas\":5")
        .replaceFirst("\"metrics\":\\[.*\\]\\}$", "\"metrics\":" + steeredMetrics
            + ",\"behavior\":" + byHand + "}");
    String written = "{\"minReplicas\":5,\"metrics\":" + steeredMetrics + ",\"behavior\":null}";
    wire.json(200, list(hpa("70", marks(SPEC, written), now)))
        .json(200, hpa("71", "{\"team\":\"shop\"}"));

    floor(HpaSteering.NONE).release(WEB);

    JsonObject spec = body(wire.requests().get(1)).getAsJsonObject("spec");
    assertThat(spec.get("minReplicas").getAsInt()).isEqualTo(2);
    assertThat(spec.get("metrics")).as("the owner's metrics")
        .isEqualTo(JsonParser.parseString(SPEC).getAsJsonObject().get("metrics"));
    assertThat(spec.get("behavior")).as("set by hand while steered")
        .isEqualTo(JsonParser.parseString(byHand));
  }

  @Test
  void aMinimumRaisedByHandWhileSteeredBecomesTheOwnersAndTheFloorHoldsThere() {
    String now = SPEC.replace("\"minReplicas\":2", "\"minReplicas\":10")
        .replace("\"maxReplicas\":8", "\"maxReplicas\":20");
    wire.json(200, list(hpa("80", marks(SPEC, "{\"minReplicas\":5}"), now)))
        .json(200, hpa("81", null, now));

    ScaleOutcome o = floor(HpaSteering.NONE).apply(request(5, 4));

    assertThat(o.isApplied()).as(o.message()).isTrue();
    assertThat(o.message()).endsWith("minReplicas 10 -> 10 (wanted 4, held at the owner's "
        + "minReplicas 10); set by someone else while steered, kept as the owner's: "
        + "minReplicas 10");
    JsonObject body = body(wire.requests().get(1));
    assertThat(body.getAsJsonObject("spec").toString()).isEqualTo("{\"minReplicas\":10}");
    JsonObject saved = JsonParser.parseString(annotations(body)
        .get(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION).getAsString()).getAsJsonObject();
    assertThat(saved.get("minReplicas").getAsInt()).isEqualTo(10);
  }

  @Test
  void whileSteeredTheFloorFollowsAMaxReplicasRaisedByHandAndNeverWritesIt() {
    String now = SPEC.replace("\"minReplicas\":2", "\"minReplicas\":8")
        .replace("\"maxReplicas\":8", "\"maxReplicas\":20");
    String ann = marks(SPEC, "{\"minReplicas\":8}");
    wire.json(200, list(hpa("90", ann, now))).json(200, hpa("91", ann, now));

    ScaleOutcome o = floor(HpaSteering.NONE).apply(request(8, 12));

    assertThat(o.message()).endsWith("minReplicas 8 -> 12");
    JsonObject body = body(wire.requests().get(1));
    assertThat(body.getAsJsonObject("spec").toString()).isEqualTo("{\"minReplicas\":12}");
  }

  @Test
  void metricsChangedByHandWhileSteeredAreKeptInsteadOfTheSavedCopy() {
    String byHand = SPEC.replace("\"averageUtilization\":70", "\"averageUtilization\":60")
        .replace("\"minReplicas\":2", "\"minReplicas\":5");
    String written = "{\"minReplicas\":5,\"metrics\":" + JsonParser.parseString(SPEC)
        .getAsJsonObject().get("metrics") + ",\"behavior\":null}";
    String ann = marks(SPEC, written);
    wire.json(200, list(hpa("90", ann, byHand))).json(200, hpa("91", ann, byHand));
    HpaSteering keep = (request, original) -> HpaSteering.Adjustment.ORIGINAL;

    ScaleOutcome o = floor(keep).apply(request(5, 6));

    assertThat(o.message()).contains("kept as the owner's: metrics");
    JsonObject body = body(wire.requests().get(1));
    assertThat(body.getAsJsonObject("spec").get("metrics"))
        .isEqualTo(JsonParser.parseString(byHand).getAsJsonObject().get("metrics"));
    JsonObject saved = JsonParser.parseString(annotations(body)
        .get(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION).getAsString()).getAsJsonObject();
    assertThat(saved.get("metrics"))
        .isEqualTo(JsonParser.parseString(byHand).getAsJsonObject().get("metrics"));
  }

  @Test
  void puttingTheOriginalBehaviorBackDeletesWhatSteeringAdded() {
    String original = SPEC.replace("]}", "],\"behavior\":{\"scaleDown\":"
        + "{\"stabilizationWindowSeconds\":300}}}");
    String rising = "{\"scaleDown\":{\"stabilizationWindowSeconds\":300},\"scaleUp\":"
        + "{\"stabilizationWindowSeconds\":0}}";
    String now = original.replace("\"minReplicas\":2", "\"minReplicas\":6")
        .replace("{\"scaleDown\":{\"stabilizationWindowSeconds\":300}}", rising);
    String written = "{\"minReplicas\":6,\"metrics\":" + JsonParser.parseString(SPEC)
        .getAsJsonObject().get("metrics") + ",\"behavior\":" + rising + "}";
    String ann = marks(original, written);
    wire.json(200, list(hpa("90", ann, now))).json(200, hpa("91", ann, original));

    ScaleOutcome o = floor(HpaSteering.scaleUpWindowWhileRising(Duration.ZERO))
        .apply(request(6, 4));

    assertThat(o.isApplied()).as(o.message()).isTrue();
    JsonObject behavior = body(wire.requests().get(1)).getAsJsonObject("spec")
        .getAsJsonObject("behavior");
    assertThat(behavior.toString()).as("a merge patch deleting scaleUp")
        .isEqualTo("{\"scaleUp\":null}");
  }

  @Test
  void aFieldTheServerFilledWithDefaultsStillCountsAsPrescalers() {
    String steered = "{\"scaleUp\":{\"stabilizationWindowSeconds\":0}}";
    String defaulted = "{\"scaleUp\":{\"stabilizationWindowSeconds\":0,\"selectPolicy\":\"Max\","
        + "\"policies\":[{\"type\":\"Pods\",\"value\":4,\"periodSeconds\":15}]}}";
    String now = SPEC.replace("\"minReplicas\":2", "\"minReplicas\":6")
        .replace("]}", "],\"behavior\":" + defaulted + "}");
    String written = "{\"minReplicas\":6,\"metrics\":" + JsonParser.parseString(SPEC)
        .getAsJsonObject().get("metrics") + ",\"behavior\":" + steered + "}";
    wire.json(200, list(hpa("70", marks(SPEC, written), now))).json(200, hpa("71", null));

    floor(HpaSteering.NONE).release(WEB);

    assertThat(body(wire.requests().get(1)).get("spec")).as("behavior removed as the owner had it")
        .isEqualTo(JsonParser.parseString(SPEC));
  }

  // --- A hand edit of one part keeps the owner's value of the parts Prescaler steers ---------

  private static final String UP_120_DOWN_300 = SPEC.replace("]}", "],\"behavior\":{"
      + "\"scaleUp\":{\"stabilizationWindowSeconds\":120},"
      + "\"scaleDown\":{\"stabilizationWindowSeconds\":300}}}");
  private static final HpaSteering RISING = HpaSteering.scaleUpWindowWhileRising(Duration.ZERO);

  /**
   * Steers an HPA with the owner's windows 120 s (up) and 300 s (down) from 2 to 5 on the wire,
   * then gives it as it is once someone changed only its scale-down window, to 600 s (kubectl
   * patch): Prescaler's scale-up window of 0 and the annotations of the PATCH.
   */
  private String steeredThenScaleDownChangedByHand() {
    wire.json(200, list(hpa("55", null, UP_120_DOWN_300))).json(200, hpa("56", null));
    ScaleOutcome first = floor(RISING).apply(request(2, 5));
    assertThat(first.isApplied()).as(first.message()).isTrue();
    JsonObject patch = body(wire.requests().get(1));
    assertThat(patch.getAsJsonObject("spec").getAsJsonObject("behavior").toString())
        .isEqualTo("{\"scaleUp\":{\"stabilizationWindowSeconds\":0}}");
    String byHand = UP_120_DOWN_300.replace("\"minReplicas\":2", "\"minReplicas\":5")
        .replace(":120}", ":0}").replace(":300}", ":600}");
    return hpa("57", annotations(patch).toString(), byHand);
  }

  /**
   * Catches a behavior adopted whole when someone changed one part of it: the scale-up window
   * Prescaler set to 0 became the owner's, and the owner's 120 s was lost for good.
   */
  @Test
  void aScaleDownWindowChangedByHandIsKeptAndTheOwnersScaleUpWindowComesBack() {
    String now = steeredThenScaleDownChangedByHand();
    wire.json(200, list(now)).json(200, now);

    ScaleOutcome o = floor(RISING).apply(request(5, 5));

    assertThat(o.isApplied()).as(o.message()).isTrue();
    assertThat(o.message()).endsWith("minReplicas 5 -> 5; metrics original, behavior original; "
        + "set by someone else while steered, kept as the owner's: behavior.scaleDown");
    JsonObject body = body(wire.requests().get(1));
    assertThat(body.getAsJsonObject("spec").get("behavior").toString())
        .as("the owner's scale-up window back, the scale-down window left as set by hand")
        .isEqualTo("{\"scaleUp\":{\"stabilizationWindowSeconds\":120}}");
    JsonObject saved = JsonParser.parseString(annotations(body)
        .get(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION).getAsString()).getAsJsonObject();
    assertThat(saved.get("behavior")).isEqualTo(JsonParser.parseString("{\"scaleUp\":"
        + "{\"stabilizationWindowSeconds\":120},"
        + "\"scaleDown\":{\"stabilizationWindowSeconds\":600}}"));
  }

  /** Catches the release that gave the owner Prescaler's scale-up window of 0 as theirs. */
  @Test
  void releaseAfterAScaleDownWindowChangedByHandPutsTheOwnersScaleUpWindowBack() {
    String now = steeredThenScaleDownChangedByHand();
    wire.json(200, list(now)).json(200, hpa("58", "{}"));

    floor(RISING).release(WEB);

    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line).containsExactly("GET " + HPAS,
        "PUT " + HPAS + "/web-hpa");
    JsonObject body = body(rs.get(1));
    // (stripped: the client's typed model writes the policies it has none of as [])
    assertThat(HpaFloorExecutor.strip(body.get("spec"))).isEqualTo(JsonParser.parseString(
        UP_120_DOWN_300.replace(":300}", ":600}")));
    assertThat(annotations(body).keySet()).doesNotContain(
        HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION, HpaFloorExecutor.WRITTEN_FIELDS_ANNOTATION);
  }

  private static V2MetricSpec memory(int percent) {
    V2MetricSpec m = KubeBackend.cpuMetric(percent);
    m.getResource().setName("memory");
    return m;
  }

  /**
   * Catches metrics adopted whole when someone changed one entry: the cpu target Prescaler
   * lowered became the owner's.
   */
  @Test
  void aMetricTargetChangedByHandIsKeptAndTheOwnersOtherTargetsComeBack() {
    String two = SPEC.replace("}}}]", "}}},{\"type\":\"Resource\",\"resource\":{\"name\":"
        + "\"memory\",\"target\":{\"type\":\"Utilization\",\"averageUtilization\":80}}}]");
    HpaSteering lower = (request, original) -> request.to() <= request.from()
        ? HpaSteering.Adjustment.ORIGINAL
        : new HpaSteering.Adjustment(Optional.of(List.of(KubeBackend.cpuMetric(50),
            memory(60))), Optional.empty());
    wire.json(200, list(hpa("55", null, two))).json(200, hpa("56", null));
    assertThat(floor(lower).apply(request(2, 5)).isApplied()).isTrue();
    JsonObject patch = body(wire.requests().get(1));
    String byHand = two.replace("\"minReplicas\":2", "\"minReplicas\":5")
        .replace("\"averageUtilization\":70", "\"averageUtilization\":50")
        .replace("\"averageUtilization\":80", "\"averageUtilization\":90");
    String now = hpa("57", annotations(patch).toString(), byHand);
    wire.json(200, list(now)).json(200, now);

    ScaleOutcome o = floor(lower).apply(request(5, 5));

    assertThat(o.message()).endsWith("kept as the owner's: metrics[Resource memory]");
    JsonObject spec = body(wire.requests().get(1)).getAsJsonObject("spec");
    assertThat(spec.get("metrics")).as("the owner's cpu target, memory's as set by hand")
        .isEqualTo(JsonParser.parseString(two.replace("\"averageUtilization\":80",
            "\"averageUtilization\":90")).getAsJsonObject().get("metrics"));
  }

  // --- Uncertain outcomes -------------------------------------------------------------------

  @Test
  void aTimedOutPatchWhoseRetryConflictsIsAppliedWhenAReReadShowsWhatItWrote() {
    String now = SPEC.replace("\"minReplicas\":2", "\"minReplicas\":5");
    wire.json(200, list(hpa("55", null))).stall()
        .status(409, "Conflict", "the object has been modified")
        .json(200, hpa("56", marks(SPEC, "{\"minReplicas\":5}"), now));

    ScaleOutcome o = floor(HpaSteering.NONE, Duration.ofMillis(300)).apply(request(2, 5));

    assertThat(o.isApplied()).as(o.message()).isTrue();
    assertThat(o.message()).isEqualTo("PATCH horizontalpodautoscalers.autoscaling default/web-hpa "
        + "minReplicas 2 -> 5 (applied by a try that timed out; confirmed by a re-read)");
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "PATCH " + HPAS + "/web-hpa", "PATCH " + HPAS + "/web-hpa", "GET " + HPAS + "/web-hpa");
  }

  @Test
  void aTimedOutPatchWhoseRetryConflictsIsRefusedWhenTheReReadShowsOtherValues() {
    String now = SPEC.replace("\"minReplicas\":2", "\"minReplicas\":7");
    wire.json(200, list(hpa("55", null))).stall()
        .status(409, "Conflict", "the object has been modified")
        .json(200, hpa("56", marks(SPEC, "{\"minReplicas\":7}"), now));

    ScaleOutcome o = floor(HpaSteering.NONE, Duration.ofMillis(300)).apply(request(2, 5));

    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(o.message()).contains("changed by someone else").contains("re-read shows other");
  }

  @Test
  void aTimedOutPatchFollowedByServerErrorsMayHaveSetTheFloor() {
    wire.json(200, list(hpa("55", null))).stall();
    for (int i = 0; i < 3; i++) {
      wire.status(500, "InternalError", "etcdserver: request timed out");
    }

    ScaleOutcome o = floor(HpaSteering.NONE, Duration.ofMillis(300)).apply(request(2, 5));

    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(o.message()).startsWith("HTTP 500 InternalError on horizontalpodautoscalers"
        + ".autoscaling default/web-hpa: etcdserver: request timed out (after 4 tries)")
        .contains("may have been applied").doesNotContain("nothing changed");
  }

  @Test
  void behindALeaderGuardAPatchIsNotTriedAgainOnceTheReplicaNoLongerLeads() {
    wire.json(200, list(hpa("55", null)))
        .status(500, "InternalError", "etcdserver: request timed out");
    AtomicBoolean leads = new AtomicBoolean(true);
    HpaFloorExecutor floor = HpaFloorExecutor.builder(wire.client()).clock(new ManualClock(T0))
        .sleeper(d -> leads.set(false)).build(); // the lease lapses during the backoff
    ScaleExecutor guarded = new LeaderGatedExecutor(floor, w -> leads.get(),
        w -> "lease prescaler/prescaler-agent lapsed");

    ScaleOutcome o = guarded.apply(request(2, 5));

    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(o.message()).isEqualTo("not the leader: lease prescaler/prescaler-agent lapsed; "
        + "PATCH horizontalpodautoscalers.autoscaling default/web-hpa not sent again, but an "
        + "earlier try timed out or met a server error, so the change may have been applied");
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "PATCH " + HPAS + "/web-hpa");
  }
}
