package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
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
      + "\"Deployment\",\"name\":\"web\"},\"minReplicas\":2,\"maxReplicas\":8,\"metrics\":[{\"type\":"
      + "\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\","
      + "\"averageUtilization\":70}}}]}";

  private final Wire wire = new Wire();

  @AfterEach
  void stop() {
    wire.close();
  }

  private HpaFloorExecutor floor(HpaSteering steering) {
    return HpaFloorExecutor.builder(wire.client()).clock(new ManualClock(T0)).sleeper(d -> { })
        .steering(steering).build();
  }

  private static String hpa(String rv, String annotations) {
    return "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":"
        + "{\"name\":\"web-hpa\",\"namespace\":\"default\",\"resourceVersion\":\"" + rv + "\""
        + (annotations == null ? "" : ",\"annotations\":" + annotations) + "},\"spec\":" + SPEC
        + "}";
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
    assertThat(o.message()).contains("-> 8 (wanted 12, bounded to [1, maxReplicas 8])");
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
        + "autoscaling default/web-hpa: HorizontalPodAutoscaler.autoscaling \"web-hpa\" is invalid: "
        + "spec.minReplicas; nothing changed");

    wire.status(403, "Forbidden", "cannot list horizontalpodautoscalers");
    ScaleOutcome forbidden = floor(HpaSteering.NONE).apply(request(2, 5));
    assertThat(forbidden.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(forbidden.message()).startsWith("HTTP 403 Forbidden on horizontalpodautoscalers"
        + ".autoscaling in default");
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

  @Test
  void steeringWindowIsValidated() {
    assertThatThrownBy(() -> HpaSteering.scaleUpWindowWhileRising(Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be in [PT0S, PT1H], but was PT2H");
  }
}
