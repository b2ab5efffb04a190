package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ModeStore} over HTTP with the official client against the CRUD mock API server (or a
 * real cluster with {@code -Dprescaler.k8s.kubeconfig=PATH}), in the engine's namespace as
 * examples/deploy/rbac.yaml grants it.
 */
class ModeStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00.250Z");
  private static final String NS = KubeBackend.LEASE_NAMESPACE;
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final WorkloadRef DB = WorkloadRef.statefulSet("shop", "db.primary");
  private static KubeBackend k8s;

  private final ManualClock clock = new ManualClock(T0);

  @BeforeAll
  static void start() {
    k8s = KubeBackend.start();
  }

  @AfterAll
  static void stop() {
    k8s.close();
  }

  @BeforeEach
  void noConfigMap() {
    try {
      new CoreV1Api(k8s.fixture()).deleteNamespacedConfigMap(ModeStore.DEFAULT_NAME, NS)
          .execute();
    } catch (ApiException e) {
      // absent already
    }
  }

  /** Writes a mode set now, on the test's clock. */
  private ModeStore.WriteResult write(ModeStore store, WorkloadRef workload, Mode mode,
      String reason) {
    return store.write(new ModeStore.Entry(workload, mode, clock.instant(), reason));
  }

  private ModeStore store() {
    return ModeStore.builder(k8s.adapter(), NS).clock(clock).sleeper(clock::advance).build();
  }

  private static Map<String, String> data() throws ApiException {
    V1ConfigMap cm = new CoreV1Api(k8s.fixture())
        .readNamespacedConfigMap(ModeStore.DEFAULT_NAME, NS).execute();
    return cm.getData();
  }

  @Test
  void aMissingConfigMapHoldsNoEntries() {
    assertThat(store().read()).contains(Map.of());
  }

  @Test
  void writesCreateTheConfigMapThenPatchOnlyTheirOwnKey() throws ApiException {
    ModeStore store = store();
    ModeStore.WriteResult first = write(store, WEB, Mode.ACT, "promoted after 1440 min observed");
    assertThat(first.stored()).as(first.message()).isTrue();
    assertThat(first.message()).startsWith("created prescaler/prescaler-modes");
    clock.advance(Duration.ofMinutes(5));
    assertThat(write(store, DB, Mode.HPA_FLOOR, "promoted manually").stored()).isTrue();
    clock.advance(Duration.ofMinutes(5));
    ModeStore.WriteResult demoted =
        write(store, WEB, Mode.OBSERVE_ONLY, "demoted: metrics failing");
    assertThat(demoted.message()).startsWith("patched prescaler/prescaler-modes");

    assertThat(data()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "shop_Deployment_web", "observe-only 2026-03-02T10:10:00Z demoted: metrics failing",
        "shop_StatefulSet_db.primary", "hpa-floor 2026-03-02T10:05:00Z promoted manually"));
    V1ConfigMap cm = new CoreV1Api(k8s.fixture())
        .readNamespacedConfigMap(ModeStore.DEFAULT_NAME, NS).execute();
    assertThat(cm.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "prescaler");

    Map<WorkloadRef, ModeStore.Entry> read = store().read().orElseThrow();
    assertThat(read).containsOnlyKeys(WEB, DB);
    assertThat(read.get(WEB)).isEqualTo(new ModeStore.Entry(WEB, Mode.OBSERVE_ONLY,
        Instant.parse("2026-03-02T10:10:00Z"), "demoted: metrics failing"));
    assertThat(read.get(DB).mode()).isEqualTo(Mode.HPA_FLOOR);
  }

  @Test
  void anEntryKeepsTheTimeOfItsModeChangeNotTheTimeOfItsWrite() throws ApiException {
    ModeStore store = store();
    Instant demoted = clock.instant();
    clock.advance(Duration.ofMinutes(7)); // e.g. the first write failed, this one is a retry
    ModeStore.WriteResult r = store.write(new ModeStore.Entry(WEB, Mode.OBSERVE_ONLY,
        demoted, "demoted: metrics failing"));
    assertThat(r.stored()).as(r.message()).isTrue();
    assertThat(data()).containsEntry("shop_Deployment_web",
        "observe-only 2026-03-02T10:00:00Z demoted: metrics failing");
    assertThat(store.read().orElseThrow().get(WEB).time())
        .isEqualTo(Instant.parse("2026-03-02T10:00:00Z"));
  }

  @Test
  void retainOnlyRemovesTheEntriesOfOtherWorkloadsAndKeepsTheRest() throws ApiException {
    ModeStore store = store();
    write(store, WEB, Mode.ACT, "promoted");
    write(store, DB, Mode.HPA_FLOOR, "promoted manually");
    Map<String, String> data = new LinkedHashMap<>(data());
    data.put("notes", "written by hand");
    V1ConfigMap cm = new CoreV1Api(k8s.fixture())
        .readNamespacedConfigMap(ModeStore.DEFAULT_NAME, NS).execute();
    new CoreV1Api(k8s.fixture()).replaceNamespacedConfigMap(ModeStore.DEFAULT_NAME, NS,
        cm.data(data)).execute();

    ModeStore.WriteResult r = store.retainOnly(java.util.Set.of(WEB));
    assertThat(r.stored()).as(r.message()).isTrue();
    assertThat(data()).containsOnlyKeys("shop_Deployment_web", "notes");
    assertThat(store.read().orElseThrow()).containsOnlyKeys(WEB);
    assertThat(store.retainOnly(java.util.Set.of(WEB)).message())
        .isEqualTo("prescaler/prescaler-modes holds no entry of another workload");
  }

  @Test
  void anOwnedStoreNeitherWritesIntoNorPrunesAnotherOwnersConfigMapOrAnUnnamedOne()
      throws ApiException {
    ModeStore one = ModeStore.builder(k8s.adapter(), NS).owner("one").clock(clock).build();
    ModeStore two = ModeStore.builder(k8s.adapter(), NS).owner("two").clock(clock).build();
    assertThat(one.write(new ModeStore.Entry(WEB, Mode.ACT, T0, "promoted")).stored()).isTrue();
    assertThat(new CoreV1Api(k8s.fixture()).readNamespacedConfigMap(ModeStore.DEFAULT_NAME, NS)
        .execute().getMetadata().getAnnotations()).containsEntry(ModeStore.OWNER_ANNOTATION, "one");
    ModeStore.WriteResult refused = two.write(new ModeStore.Entry(DB, Mode.ACT, T0, "promoted"));
    assertThat(refused.stored()).isFalse();
    assertThat(refused.message()).contains("belongs to one (annotation prescaler.dev/owner), "
        + "not to two");
    assertThat(two.retainOnly(java.util.Set.of()).message()).endsWith("not pruned: it belongs "
        + "to one, not to two");
    assertThat(data()).containsOnlyKeys("shop_Deployment_web");
    // A ConfigMap without the annotation (written before owners, or by a store without one) may
    // be shared: an owned store writes into it but does not prune it.
    noConfigMap();
    store().write(new ModeStore.Entry(DB, Mode.ACT, T0, "promoted"));
    assertThat(one.write(new ModeStore.Entry(WEB, Mode.ACT, T0, "promoted")).stored()).isTrue();
    assertThat(one.retainOnly(java.util.Set.of(WEB)).message()).contains("not pruned: it names "
        + "no owner");
    assertThat(data()).containsOnlyKeys("shop_Deployment_web", "shop_StatefulSet_db.primary");
    assertThat(store().retainOnly(java.util.Set.of(WEB)).stored()).isTrue();
    assertThat(data()).containsOnlyKeys("shop_Deployment_web");
  }

  @Test
  void writingTheValueTheConfigMapAlreadyHoldsSendsNoPatch() {
    ModeStore store = store();
    write(store, WEB, Mode.ACT, "promoted");
    ModeStore.WriteResult again = write(store, WEB, Mode.ACT, "promoted");
    assertThat(again.stored()).isTrue();
    assertThat(again.message()).startsWith("prescaler/prescaler-modes already holds");
  }

  @Test
  void keysThatAreNotWorkloadsAndValuesThatAreNotModesAreSkippedNotGuessed()
      throws ApiException {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("shop_Deployment_web", "promoted yesterday");
    data.put("shop_Deployment_api", "act 2026-03-02T09:00:00Z promoted");
    data.put("shop_Deployment_cart", "acting 2026-03-02T09:00:00Z promoted");
    data.put("shop_Deployment_search", "act yesterday promoted");
    data.put("notes", "act 2026-03-02T09:00:00Z written by hand");
    data.put("Shop_Deployment_x", "act 2026-03-02T09:00:00Z bad namespace");
    new CoreV1Api(k8s.fixture()).createNamespacedConfigMap(NS, new V1ConfigMap()
        .apiVersion("v1").kind("ConfigMap")
        .metadata(new V1ObjectMeta().name(ModeStore.DEFAULT_NAME).namespace(NS)).data(data))
        .execute();

    Map<WorkloadRef, ModeStore.Entry> read = store().read().orElseThrow();
    assertThat(read).containsOnlyKeys(WorkloadRef.deployment("shop", "api"));
    assertThat(read.values().iterator().next().reason()).isEqualTo("promoted");
  }

  @Test
  void keysEncodeTheWorkloadReversibly() {
    assertThat(ModeStore.key(WEB)).isEqualTo("shop_Deployment_web");
    assertThat(ModeStore.key(DB)).isEqualTo("shop_StatefulSet_db.primary");
    assertThat(ModeStore.workloadOf("shop_StatefulSet_db.primary")).contains(DB);
    WorkloadRef rollout = new WorkloadRef("a-b", "Rollout", "x-1.y");
    assertThat(ModeStore.workloadOf(ModeStore.key(rollout))).contains(rollout);
    assertThat(ModeStore.workloadOf("shop_Deployment")).isEmpty();
    assertThat(ModeStore.workloadOf("shop_Deployment_web_x")).isEmpty();
    assertThat(ModeStore.key(WorkloadRef.deployment("shop", "a".repeat(237))))
        .as("the longest three-part key is kept as it is").isEqualTo("shop_Deployment_"
            + "a".repeat(237));
  }

  /** A name of 253 characters, the longest a Kubernetes object may have. */
  private static String longName(char last) {
    return "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(60)
        + last;
  }

  @Test
  void aKeyTooLongForAConfigMapIsCutAndEndsInTheHashOfTheWorkload() {
    WorkloadRef w = WorkloadRef.deployment("shop", longName('x'));
    String key = ModeStore.key(w);
    // 253 - "shop_Deployment_" (16) - "_" - 32 hex digits = 204 characters of the name.
    assertThat(key).hasSize(253).startsWith("shop_Deployment_" + longName('x').substring(0, 204)
        + "_").matches("[-._a-zA-Z0-9]+");
    assertThat(key.substring(221)).matches("[0-9a-f]{32}");
    assertThat(ModeStore.key(WorkloadRef.deployment("shop", longName('x')))).isEqualTo(key);
    assertThat(ModeStore.key(WorkloadRef.deployment("shop", longName('y')))).isNotEqualTo(key);
    assertThat(ModeStore.key(new WorkloadRef("shop", "StatefulSet", longName('x'))))
        .isNotEqualTo(key);
    assertThat(new ModeStore.Entry(w, Mode.ACT, T0, "promoted").value())
        .isEqualTo("act 2026-03-02T10:00:00Z name=" + longName('x') + " promoted");
  }

  @Test
  void workloadsWithLongNamesAreStoredReadBackAndPrunedEachUnderItsOwnKey() throws ApiException {
    ModeStore store = store();
    WorkloadRef x = WorkloadRef.deployment("shop", longName('x'));
    WorkloadRef y = WorkloadRef.deployment("shop", longName('y'));
    assertThat(write(store, x, Mode.ACT, "promoted").stored()).isTrue();
    assertThat(write(store, y, Mode.HPA_FLOOR, "promoted too").stored()).isTrue();
    assertThat(write(store, WEB, Mode.OBSERVE_ONLY, "demoted").stored()).isTrue();
    assertThat(data()).containsOnlyKeys(ModeStore.key(x), ModeStore.key(y), "shop_Deployment_web");

    Map<WorkloadRef, ModeStore.Entry> read = store.read().orElseThrow();
    assertThat(read).containsOnlyKeys(x, y, WEB);
    assertThat(read.get(x).mode()).isEqualTo(Mode.ACT);
    assertThat(read.get(x).reason()).isEqualTo("promoted");
    assertThat(read.get(y).mode()).isEqualTo(Mode.HPA_FLOOR);
    assertThat(read.get(y).reason()).isEqualTo("promoted too");

    assertThat(store.retainOnly(java.util.Set.of(y, WEB)).stored()).isTrue();
    assertThat(data()).containsOnlyKeys(ModeStore.key(y), "shop_Deployment_web");
  }

  @Test
  void aHashedKeyWhoseValueNamesAnotherWorkloadIsSkipped() throws ApiException {
    WorkloadRef x = WorkloadRef.deployment("shop", longName('x'));
    WorkloadRef y = WorkloadRef.deployment("shop", longName('y'));
    Map<String, String> data = new LinkedHashMap<>();
    // Edited by hand: y's name under x's key.
    data.put(ModeStore.key(x), new ModeStore.Entry(y, Mode.ACT, T0, "copied").value());
    data.put(ModeStore.key(y), "act 2026-03-02T09:00:00Z no name field");
    new CoreV1Api(k8s.fixture()).createNamespacedConfigMap(NS, new V1ConfigMap()
        .apiVersion("v1").kind("ConfigMap")
        .metadata(new V1ObjectMeta().name(ModeStore.DEFAULT_NAME).namespace(NS)).data(data))
        .execute();
    assertThat(store().read().orElseThrow()).isEmpty();
  }

  @Test
  void reasonsAreOneLineAndBounded() {
    ModeStore.Entry e = new ModeStore.Entry(WEB, Mode.ACT, T0, "line one\nline two\t" + "x"
        .repeat(1000));
    assertThat(e.reason()).hasSize(ModeStore.MAX_REASON).startsWith("line one line two ")
        .endsWith("...");
    assertThat(e.value()).startsWith("act 2026-03-02T10:00:00Z line one line two ");
    assertThat(new ModeStore.Entry(WEB, Mode.OBSERVE_ONLY, T0, "").value())
        .isEqualTo("observe-only 2026-03-02T10:00:00Z");
  }

  @Test
  void builderRejectsNamesThatAreNotConfigMapNames() {
    assertThatThrownBy(() -> ModeStore.builder(k8s.adapter(), "Bad_NS"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("namespace must be a DNS-1123 label, but was \"Bad_NS\"");
    assertThatThrownBy(() -> ModeStore.builder(k8s.adapter(), NS).name("Modes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must be a DNS-1123 subdomain, but was \"Modes\"");
  }
}
