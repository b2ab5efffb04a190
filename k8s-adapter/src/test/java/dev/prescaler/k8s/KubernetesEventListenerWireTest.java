package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ScaledEvent;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Events {@link KubernetesEventListener} records, on the wire. */
class KubernetesEventListenerWireTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final String EVENTS = "/apis/events.k8s.io/v1/namespaces/default/events";
  private static final WorkloadRef WEB = WorkloadRef.deployment("default", "web");
  private static final String CREATED = "{\"apiVersion\":\"events.k8s.io/v1\",\"kind\":\"Event\","
      + "\"metadata\":{\"name\":\"x\",\"namespace\":\"default\"},\"eventTime\":"
      + "\"2026-11-29T10:00:00.000000Z\"}";

  private final Wire wire = new Wire();
  private final ManualClock clock = new ManualClock(T0);

  @AfterEach
  void stop() {
    wire.close();
  }

  private KubernetesEventListener listener() {
    return KubernetesEventListener.builder(wire.client(), "engine-0").clock(clock).build();
  }

  /** An event at the clock's instant, as the engine publishes it. */
  private ScaledEvent event(Mode mode, int from, int to, ScaleOutcome outcome) {
    return new ScaledEvent(WEB, clock.instant(), mode, from, to,
        List.of(new Reason("predictive", from, to, "forecast peak 410 rps in 4m")), outcome);
  }

  @Test
  void recordsAScaleActionAsANormalEventWithItsReasons() {
    wire.json(201, CREATED);
    listener().onScaled(event(Mode.ACT, 3, 5, ScaleOutcome.applied(5, "PATCH deployments.apps "
        + "default/web scale spec.replicas 3 -> 5")));

    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line).containsExactly("POST " + EVENTS);
    JsonObject e = JsonParser.parseString(rs.get(0).getBody().utf8()).getAsJsonObject();
    assertThat(e.get("apiVersion").getAsString()).isEqualTo("events.k8s.io/v1");
    assertThat(e.get("kind").getAsString()).isEqualTo("Event");
    assertThat(e.get("reason").getAsString()).isEqualTo("ScaledUp");
    assertThat(e.get("type").getAsString()).isEqualTo("Normal");
    assertThat(e.get("action").getAsString()).isEqualTo("Scale");
    assertThat(e.get("reportingController").getAsString()).isEqualTo("prescaler.dev/prescaler");
    assertThat(e.get("reportingInstance").getAsString()).isEqualTo("engine-0");
    assertThat(e.get("eventTime").getAsString()).startsWith("2026-11-29T10:00:00");
    assertThat(e.get("note").getAsString()).isEqualTo("ACT 3 -> 5: PATCH deployments.apps "
        + "default/web scale spec.replicas 3 -> 5. Reasons: predictive: 3 -> 5 (forecast peak "
        + "410 rps in 4m)");
    JsonObject regarding = e.getAsJsonObject("regarding");
    assertThat(regarding.get("apiVersion").getAsString()).isEqualTo("apps/v1");
    assertThat(regarding.get("kind").getAsString()).isEqualTo("Deployment");
    assertThat(regarding.get("name").getAsString()).isEqualTo("web");
    assertThat(e.getAsJsonObject("metadata").get("name").getAsString()).startsWith("web.");
  }

  @Test
  void recordsRefusalsAndFailuresAsWarnings() {
    wire.json(201, CREATED).json(201, CREATED).json(201, CREATED);
    KubernetesEventListener l = listener();
    l.onScaled(event(Mode.ACT, 3, 5, ScaleOutcome.refused("HorizontalPodAutoscaler default/web "
        + "also targets Deployment web")));
    l.onScaled(event(Mode.ACT, 5, 2, ScaleOutcome.failed("HTTP 403 Forbidden")));
    l.onScaled(event(Mode.HPA_FLOOR, 2, 4, ScaleOutcome.applied(4, "minReplicas 2 -> 4")));
    List<String> reasons = wire.requests().stream().map(r -> JsonParser.parseString(
        r.getBody().utf8()).getAsJsonObject()).map(o -> o.get("reason").getAsString() + "/"
        + o.get("type").getAsString()).toList();
    assertThat(reasons).containsExactly("ScaleRefused/Warning", "ScaleFailed/Warning",
        "HpaFloorSet/Normal");
  }

  @Test
  void aRepeatedEventBecomesASeriesPatch() {
    wire.json(201, CREATED).json(200, CREATED).json(201, CREATED);
    KubernetesEventListener l = listener();
    ScaleOutcome refused = ScaleOutcome.refused("conflict with HPA");
    l.onScaled(event(Mode.ACT, 3, 5, refused));
    clock.advance(Duration.ofSeconds(15));
    l.onScaled(event(Mode.ACT, 3, 5, refused));
    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(RecordedRequest::getMethod).containsExactly("POST", "PATCH");
    String name = JsonParser.parseString(rs.get(0).getBody().utf8()).getAsJsonObject()
        .getAsJsonObject("metadata").get("name").getAsString();
    assertThat(rs.get(1).getTarget()).isEqualTo(EVENTS + "/" + name);
    assertThat(rs.get(1).getHeaders().get("Content-Type"))
        .startsWith("application/merge-patch+json");
    assertThat(rs.get(1).getBody().utf8()).isEqualTo("{\"series\":{\"count\":2,"
        + "\"lastObservedTime\":\"2026-11-29T10:00:15.000000Z\"}}");

    clock.advance(Duration.ofMinutes(7));
    l.onScaled(event(Mode.ACT, 3, 5, refused));
    assertThat(wire.requests()).extracting(RecordedRequest::getMethod).containsExactly("POST");
  }

  // Caught a new Warning Event on every tick for one refusal repeated (8 ScaleRefused Events in
  // 40 s, series null): the series was keyed by the note, whose counts and reasons carry live
  // figures (utilization 104 %, ceil(1.486 x 3 ready)).
  @Test
  void aRefusalRepeatedWithOtherFiguresBecomesOneSeries() {
    wire.json(201, CREATED).json(200, CREATED).json(200, CREATED).json(201, CREATED)
        .json(201, CREATED).json(201, CREATED);
    KubernetesEventListener l = listener();
    String[] utilization = {"104", "117", "98"};
    int[] to = {5, 6, 5};
    for (int i = 0; i < 3; i++) {
      l.onScaled(new ScaledEvent(WEB, clock.instant(), Mode.ACT, 3, to[i], List.of(new Reason(
          "hpa", 3, to[i], "utilization " + utilization[i] + "% of 70%: ceil(1.4" + i
          + " x 3 ready)")), ScaleOutcome.refused("deployments.apps default/web scale changed "
          + "by someone else: spec.replicas is " + (4 + i) + ", the decision was made at 3; "
          + "re-read next tick")));
      clock.advance(Duration.ofSeconds(5));
    }
    // Another refusal, and failures of other statuses, are events of their own.
    l.onScaled(event(Mode.ACT, 3, 5, ScaleOutcome.refused("HorizontalPodAutoscaler default/web "
        + "also targets Deployment web")));
    l.onScaled(event(Mode.ACT, 3, 5, ScaleOutcome.failed("HTTP 403 Forbidden on deployments.apps"
        + " default/web scale")));
    l.onScaled(event(Mode.ACT, 3, 5, ScaleOutcome.failed("HTTP 404 NotFound on deployments.apps"
        + " default/web scale")));

    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(RecordedRequest::getMethod).containsExactly("POST", "PATCH",
        "PATCH", "POST", "POST", "POST");
    String name = JsonParser.parseString(rs.get(0).getBody().utf8()).getAsJsonObject()
        .getAsJsonObject("metadata").get("name").getAsString();
    assertThat(rs.get(2).getTarget()).isEqualTo(EVENTS + "/" + name);
    // The note stays the first one's: the API server refuses to change an Event's note.
    assertThat(rs.get(2).getBody().utf8()).isEqualTo("{\"series\":{\"count\":3,"
        + "\"lastObservedTime\":\"2026-11-29T10:00:10.000000Z\"}}");
    assertThat(l.trackedSeries()).isEqualTo(4);
  }

  @Test
  void anEventCarriesTheEnginesTimeAndTwoAtOneInstantGetDistinctNames() {
    wire.json(201, CREATED).json(201, CREATED);
    KubernetesEventListener l = listener();
    ScaledEvent up = event(Mode.ACT, 3, 5, ScaleOutcome.applied(5, "ok"));
    ScaledEvent refused = event(Mode.ACT, 5, 8, ScaleOutcome.refused("conflict with HPA"));
    clock.advance(Duration.ofMinutes(3)); // posted later, e.g. from an AsyncListener
    l.onScaled(up);
    l.onScaled(refused);
    List<JsonObject> posted = wire.requests().stream().map(r -> JsonParser.parseString(
        r.getBody().utf8()).getAsJsonObject()).toList();
    assertThat(posted).extracting(e -> e.get("eventTime").getAsString())
        .containsOnly("2026-11-29T10:00:00.000000Z");
    assertThat(posted).extracting(e -> e.getAsJsonObject("metadata").get("name").getAsString())
        .doesNotHaveDuplicates().hasSize(2);
  }

  @Test
  void apiErrorsAreSwallowedAndLogged() {
    wire.status(403, "Forbidden", "events.events.k8s.io is forbidden");
    KubernetesEventListener l = listener();
    l.onScaled(event(Mode.ACT, 3, 5, ScaleOutcome.applied(5, "ok")));
    assertThat(l.trackedSeries()).isZero();
    assertThat(wire.requests()).hasSize(1);
  }

  @Test
  void recordsNothingWhileDisabled() {
    java.util.concurrent.atomic.AtomicBoolean leader =
        new java.util.concurrent.atomic.AtomicBoolean();
    KubernetesEventListener l = KubernetesEventListener.builder(wire.client(), "engine-1")
        .clock(clock).enabledWhen(leader::get).build();
    l.onScaled(event(Mode.ACT, 3, 5, ScaleOutcome.refused("not the leader")));
    assertThat(wire.requests()).isEmpty();
    leader.set(true);
    wire.json(201, CREATED);
    l.onScaled(event(Mode.ACT, 3, 5, ScaleOutcome.applied(5, "ok")));
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("POST " + EVENTS);
  }

  @Test
  void longNotesAreCutToTheApiLimit() {
    String longMessage = "x".repeat(3000);
    String note = KubernetesEventListener.noteOf(event(Mode.ACT, 1, 2,
        ScaleOutcome.applied(2, longMessage)));
    assertThat(note).hasSize(KubernetesEventListener.MAX_NOTE).endsWith("...");
  }

  @Test
  void notesOutsideAsciiAreCutToTheApiLimitInBytesNotCharacters() {
    // The API server measures a note in bytes of UTF-8 (Go's len): "×" takes 2 of them.
    Reason r = new Reason("predictive", 3, 9,
        "peak upper forecast 412.000 capped at 400.000 (2 × the highest load seen) needs 9");
    ScaledEvent e = new ScaledEvent(WEB, T0, Mode.ACT, 3, 9, Collections.nCopies(14, r),
        ScaleOutcome.applied(9, "x".repeat(40)));
    String note = KubernetesEventListener.noteOf(e);
    assertThat(note.length()).as("fewer characters than bytes")
        .isLessThan(KubernetesEventListener.MAX_NOTE - 3);
    assertThat(utf8(note)).isBetween(KubernetesEventListener.MAX_NOTE - 4,
        KubernetesEventListener.MAX_NOTE);
    assertThat(note).endsWith("...");

    wire.json(201, CREATED).json(201, CREATED);
    KubernetesEventListener l = listener();
    l.onScaled(e);
    l.onModeChanged(new dev.prescaler.core.event.ModeChangedEvent(WEB, T0, Mode.ACT,
        Mode.OBSERVE_ONLY, "demoted: forecast MAE 1.5 × naive; " + "€".repeat(600)));
    List<String> notes = wire.requests().stream().map(q -> JsonParser.parseString(
        q.getBody().utf8()).getAsJsonObject().get("note").getAsString()).toList();
    assertThat(notes).hasSize(2).allSatisfy(n -> {
      assertThat(utf8(n)).isLessThanOrEqualTo(KubernetesEventListener.MAX_NOTE);
      assertThat(n).endsWith("...");
    });
    assertThat(notes.get(1)).startsWith("ACT -> OBSERVE_ONLY: demoted: forecast MAE 1.5 × naive")
        .doesNotContain("\uFFFD", "?");
  }

  @Test
  void aNoteIsNeverCutInsideACharacter() {
    // 1020 ASCII bytes leave 1 of the 1021 before "...": not enough for a 4-byte character,
    // whose two Java chars a cut by characters would have split.
    String emoji = new String(Character.toChars(0x1F525));
    String cut = KubernetesEventListener.cutNote("a".repeat(1020) + emoji + "tail");
    assertThat(cut).isEqualTo("a".repeat(1020) + "...");
    // "€" takes 3 bytes: 1018 + 2 × 3 fill the limit exactly, one more byte does not fit.
    assertThat(KubernetesEventListener.cutNote("a".repeat(1018) + "€€"))
        .isEqualTo("a".repeat(1018) + "€€");
    assertThat(KubernetesEventListener.cutNote("a".repeat(1019) + "€€"))
        .isEqualTo("a".repeat(1019) + "...");
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void builderValidatesInstanceControllerAndWindow() {
    assertThatThrownBy(() -> KubernetesEventListener.builder(wire.client(), "bad instance"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("instance must be 1 to 128 letters")
        .hasMessageEndingWith("but was \"bad instance\"");
    assertThatThrownBy(() -> KubernetesEventListener.builder(wire.client(), "e").controller("x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("controller must look like example.com/name (at most 128 characters), but "
            + "was \"x\"");
    assertThatThrownBy(() -> KubernetesEventListener.builder(wire.client(), "e")
        .seriesWindow(Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("seriesWindow must be in [PT0S, PT1H], but was PT2H");
  }

  @Test
  void recordsPromotionsAsNormalAndDemotionsAsWarningEvents() {
    wire.json(201, CREATED);
    wire.json(201, CREATED);
    KubernetesEventListener l = listener();
    l.onModeChanged(new dev.prescaler.core.event.ModeChangedEvent(WEB, T0, Mode.OBSERVE_ONLY,
        Mode.HPA_FLOOR, "promoted after 1440 min observed"));
    clock.advance(java.time.Duration.ofHours(2));
    l.onModeChanged(new dev.prescaler.core.event.ModeChangedEvent(WEB, clock.instant(),
        Mode.HPA_FLOOR, Mode.OBSERVE_ONLY, "demoted: metrics failing"));

    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line).containsExactly("POST " + EVENTS, "POST " + EVENTS);
    JsonObject promoted = JsonParser.parseString(rs.get(0).getBody().utf8()).getAsJsonObject();
    assertThat(promoted.get("reason").getAsString()).isEqualTo("Promoted");
    assertThat(promoted.get("type").getAsString()).isEqualTo("Normal");
    assertThat(promoted.get("action").getAsString()).isEqualTo("ChangeMode");
    assertThat(promoted.get("note").getAsString())
        .isEqualTo("OBSERVE_ONLY -> HPA_FLOOR: promoted after 1440 min observed");
    JsonObject demoted = JsonParser.parseString(rs.get(1).getBody().utf8()).getAsJsonObject();
    assertThat(demoted.get("reason").getAsString()).isEqualTo("Demoted");
    assertThat(demoted.get("type").getAsString()).isEqualTo("Warning");
  }
}
