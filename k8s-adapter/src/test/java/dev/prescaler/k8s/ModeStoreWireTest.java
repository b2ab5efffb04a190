package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ModeStore} requests and error handling on the wire. */
class ModeStoreWireTest {
  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final String CMS = "/api/v1/namespaces/prescaler/configmaps";
  private static final String CM = CMS + "/prescaler-modes";
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final String KEY = "shop_Deployment_web";
  private static final String VALUE = "act 2026-03-02T10:00:00Z promoted";

  private final Wire wire = new Wire();
  private final ManualClock clock = new ManualClock(T0);

  @AfterEach
  void stop() {
    wire.close();
  }

  /** Writes a mode set now, on the test's clock. */
  private ModeStore.WriteResult write(ModeStore store, WorkloadRef workload, Mode mode,
      String reason) {
    return store.write(new ModeStore.Entry(workload, mode, clock.instant(), reason));
  }

  private ModeStore store(Duration readTimeout) {
    // The clock stays at T0 (the sleeper does not advance it), so every value is VALUE.
    return ModeStore.builder(wire.client(readTimeout), "prescaler").clock(clock)
        .sleeper(d -> { }).build();
  }

  private ModeStore store() {
    return store(Duration.ofSeconds(5));
  }

  private static String configMap(String rv, String data) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
        + "\"prescaler-modes\",\"namespace\":\"prescaler\",\"resourceVersion\":\"" + rv + "\"},"
        + "\"data\":{" + data + "}}";
  }

  private static JsonObject body(RecordedRequest r) {
    return JsonParser.parseString(r.getBody().utf8()).getAsJsonObject();
  }

  @Test
  void createsTheConfigMapWhenMissing() {
    wire.status(404, "NotFound", "configmaps \"prescaler-modes\" not found")
        .json(201, configMap("1", "\"" + KEY + "\":\"" + VALUE + "\""));
    ModeStore.WriteResult r = write(store(), WEB, Mode.ACT, "promoted");
    assertThat(r.stored()).as(r.message()).isTrue();
    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line).containsExactly("GET " + CM, "POST " + CMS);
    JsonObject created = body(rs.get(1));
    assertThat(created.get("kind").getAsString()).isEqualTo("ConfigMap");
    assertThat(created.getAsJsonObject("metadata").get("name").getAsString())
        .isEqualTo("prescaler-modes");
    assertThat(created.getAsJsonObject("data").entrySet()).hasSize(1);
    assertThat(created.getAsJsonObject("data").get(KEY).getAsString()).isEqualTo(VALUE);
  }

  @Test
  void patchesOnlyItsKeyWithTheResourceVersionRead() {
    wire.json(200, configMap("7", "\"shop_Deployment_api\":\"hpa-floor 2026-03-01T00:00:00Z x\""))
        .json(200, configMap("8", ""));
    assertThat(write(store(), WEB, Mode.ACT, "promoted").stored()).isTrue();
    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line).containsExactly("GET " + CM, "PATCH " + CM);
    assertThat(rs.get(1).getHeaders().get("Content-Type"))
        .startsWith("application/merge-patch+json");
    assertThat(rs.get(1).getBody().utf8()).isEqualTo("{\"metadata\":{\"resourceVersion\":\"7\"},"
        + "\"data\":{\"" + KEY + "\":\"" + VALUE + "\"}}");
  }

  @Test
  void aConflictReReadsAndPatchesWithTheNewResourceVersion() {
    wire.json(200, configMap("7", ""))
        .status(409, "Conflict", "the object has been modified")
        .json(200, configMap("8", "\"shop_Deployment_api\":\"act 2026-03-02T09:00:00Z y\""))
        .json(200, configMap("9", ""));
    ModeStore.WriteResult r = write(store(), WEB, Mode.ACT, "promoted");
    assertThat(r.stored()).as(r.message()).isTrue();
    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line)
        .containsExactly("GET " + CM, "PATCH " + CM, "GET " + CM, "PATCH " + CM);
    assertThat(body(rs.get(3)).getAsJsonObject("metadata").get("resourceVersion").getAsString())
        .isEqualTo("8");
  }

  @Test
  void aConflictReadAgainAfterTheLeaseLapsedIsNotPatchedAgain() {
    wire.json(200, configMap("7", ""))
        .status(409, "Conflict", "the object has been modified")
        .json(200, configMap("8", "\"" + KEY + "\":\"observe-only 2026-03-02T09:00:00Z b\""));
    AtomicInteger asked = new AtomicInteger();
    ModeStore store = ModeStore.builder(wire.client(), "prescaler").clock(clock)
        .sleeper(d -> { }).writesWhen(() -> asked.incrementAndGet() == 1).build();

    ModeStore.WriteResult r = write(store, WEB, Mode.ACT, "promoted");

    assertThat(r.stored()).isFalse();
    assertThat(r.message()).isEqualTo("this replica no longer leads; PATCH configmaps "
        + "prescaler/prescaler-modes not sent, nothing changed; mode not stored");
    assertThat(wire.requests()).extracting(Wire::line)
        .containsExactly("GET " + CM, "PATCH " + CM, "GET " + CM);
  }

  @Test
  void losingTheCreateRaceReReadsAndPatches() {
    wire.status(404, "NotFound", "not found").status(409, "AlreadyExists", "already exists")
        .json(200, configMap("3", "")).json(200, configMap("4", ""));
    assertThat(write(store(), WEB, Mode.ACT, "promoted").stored()).isTrue();
    assertThat(wire.requests()).extracting(Wire::line)
        .containsExactly("GET " + CM, "POST " + CMS, "GET " + CM, "PATCH " + CM);
  }

  @Test
  void conflictsBeyondTheBoundAreReportedNotThrown() {
    for (int i = 0; i < ModeStore.MAX_CONFLICTS; i++) {
      wire.json(200, configMap(Integer.toString(i), ""))
          .status(409, "Conflict", "the object has been modified");
    }
    ModeStore.WriteResult r = write(store(), WEB, Mode.ACT, "promoted");
    assertThat(r.stored()).isFalse();
    assertThat(r.message()).isEqualTo("gave up after 5 conflicting writes to "
        + "prescaler/prescaler-modes; mode not stored");
    assertThat(wire.requests()).hasSize(2 * ModeStore.MAX_CONFLICTS);
  }

  @Test
  void aTimedOutPatchWhoseRetryConflictsIsStoredWhenTheReReadHoldsTheValue() {
    wire.json(200, configMap("7", "")).stall()
        .status(409, "Conflict", "the object has been modified")
        .json(200, configMap("8", "\"" + KEY + "\":\"" + VALUE + "\""));
    ModeStore.WriteResult r = write(store(Duration.ofMillis(300)), WEB, Mode.ACT, "promoted");
    assertThat(r.stored()).as(r.message()).isTrue();
    assertThat(r.message()).isEqualTo("prescaler/prescaler-modes already holds " + KEY + "="
        + VALUE);
  }

  @Test
  void forbiddenIsReportedWithTheStatusAndTheResource() {
    wire.status(403, "Forbidden", "configmaps \"prescaler-modes\" is forbidden: User "
        + "\"system:serviceaccount:prescaler:prescaler\" cannot get resource \"configmaps\"");
    ModeStore.WriteResult r = write(store(), WEB, Mode.ACT, "promoted");
    assertThat(r.stored()).isFalse();
    assertThat(r.message()).isEqualTo("HTTP 403 Forbidden on configmaps prescaler/prescaler-modes: "
        + "configmaps \"prescaler-modes\" is forbidden: User "
        + "\"system:serviceaccount:prescaler:prescaler\" cannot get resource \"configmaps\"; "
        + "mode not stored");
    assertThat(wire.requests()).hasSize(1);
  }

  @Test
  void serverErrorsOnThePatchAreRetriedThenReportedAsPossiblyStored() {
    wire.json(200, configMap("7", ""));
    for (int i = 0; i < RetryPolicy.DEFAULT.maxAttempts(); i++) {
      wire.status(500, "InternalError", "etcd leader changed");
    }
    ModeStore.WriteResult r = write(store(), WEB, Mode.ACT, "promoted");
    assertThat(r.stored()).isFalse();
    assertThat(r.message()).isEqualTo("HTTP 500 InternalError on configmaps "
        + "prescaler/prescaler-modes: etcd leader changed (after 4 tries); a try timed out or met "
        + "a server error, so the mode may have been stored: read the ConfigMap to know");
  }

  @Test
  void aReadThatFailsIsEmptyAndAMissingConfigMapIsNoEntries() {
    for (int i = 0; i < RetryPolicy.DEFAULT.maxAttempts(); i++) {
      wire.status(500, "InternalError", "etcd leader changed");
    }
    assertThat(store().read()).isEmpty();
    wire.status(404, "NotFound", "not found");
    assertThat(store().read()).hasValue(java.util.Map.of());
    wire.status(403, "Forbidden", "cannot get configmaps");
    assertThat(store().read()).isEmpty();
  }

  @Test
  void anUnreadableConfigMapIsAFailedReadNotAnException() {
    wire.json(200, "<html>proxy</html>");
    assertThat(store().read()).isEmpty();
    wire.json(200, "null");
    assertThat(store().read()).isEmpty();

    wire.json(200, "<html>proxy</html>");
    ModeStore.WriteResult r = write(store(), WEB, Mode.ACT, "promoted");
    assertThat(r.stored()).isFalse();
    assertThat(r.message()).startsWith("HTTP 200 on configmaps prescaler/prescaler-modes: "
        + "malformed answer").endsWith("; mode not stored");
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + CM, "GET " + CM,
        "GET " + CM);
  }

  @Test
  void retainOnlyNullsTheOtherWorkloadsKeysInOnePatchAndLeavesOtherKeysAlone() {
    wire.json(200, configMap("7", "\"" + KEY + "\":\"" + VALUE + "\","
        + "\"shop_Deployment_old\":\"act 2026-01-02T00:00:00Z promoted\","
        + "\"shop_StatefulSet_gone\":\"hpa-floor 2026-01-03T00:00:00Z promoted\","
        + "\"notes\":\"written by hand\""))
        .status(409, "Conflict", "the object has been modified")
        .json(200, configMap("8", "\"" + KEY + "\":\"" + VALUE + "\","
            + "\"shop_Deployment_old\":\"act 2026-01-02T00:00:00Z promoted\""))
        .json(200, configMap("9", ""));
    ModeStore.WriteResult r = store().retainOnly(java.util.Set.of(WEB));
    assertThat(r.stored()).as(r.message()).isTrue();
    assertThat(r.message()).isEqualTo("removed from prescaler/prescaler-modes the entries of "
        + "workloads no longer configured: shop_Deployment_old");
    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line)
        .containsExactly("GET " + CM, "PATCH " + CM, "GET " + CM, "PATCH " + CM);
    assertThat(rs.get(1).getBody().utf8()).isEqualTo("{\"metadata\":{\"resourceVersion\":\"7\"},"
        + "\"data\":{\"shop_Deployment_old\":null,\"shop_StatefulSet_gone\":null}}");
    assertThat(rs.get(3).getBody().utf8()).isEqualTo("{\"metadata\":{\"resourceVersion\":\"8\"},"
        + "\"data\":{\"shop_Deployment_old\":null}}");
  }

  @Test
  void retainOnlySendsNothingWhenNothingIsToGoAndReportsAFailedRead() {
    wire.json(200, configMap("7", "\"" + KEY + "\":\"" + VALUE + "\""))
        .status(404, "NotFound", "not found")
        .status(403, "Forbidden", "cannot get configmaps");
    assertThat(store().retainOnly(java.util.Set.of(WEB)).message())
        .isEqualTo("prescaler/prescaler-modes holds no entry of another workload");
    assertThat(store().retainOnly(java.util.Set.of()).stored()).isTrue();
    ModeStore.WriteResult forbidden = store().retainOnly(java.util.Set.of());
    assertThat(forbidden.stored()).isFalse();
    assertThat(forbidden.message()).isEqualTo("could not remove the entries of workloads no "
        + "longer configured from prescaler/prescaler-modes: HTTP 403 Forbidden on configmaps "
        + "prescaler/prescaler-modes: cannot get configmaps");
    assertThat(wire.requests()).extracting(Wire::line)
        .containsExactly("GET " + CM, "GET " + CM, "GET " + CM);
  }
}
