package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.InARow;
import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.k8s.HpaFloorExecutor;
import dev.prescaler.k8s.KubeBackend;
import dev.prescaler.k8s.LeaseElector;
import dev.prescaler.k8s.ModeStore;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AutoscalingV2Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V2CrossVersionObjectReference;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's own lines about a Kubernetes call refused round after round (a Role that lacks a
 * verb) follow the logging rule of the engine's plug-in failures: WARN on the first failure in a
 * row and every 20th, with the count, DEBUG in between, INFO when the call works again. Each test
 * runs 240 rounds, an hour at 15 s, against the API stand-in with the refused requests answered
 * 403, and counts the WARN lines (slf4j-simple prints INFO and above on {@code System.err}).
 */
class AgentRepeatLogTest {
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");
  private static final int ROUNDS = 240;
  /** WARN lines of a run of {@link #ROUNDS} failures: the 1st, 20th, 40th, ..., 240th. */
  private static final int WARNS = 1 + ROUNDS / InARow.LOG_EVERY;

  private KubeBackend kube;
  private final AtomicBoolean refusing = new AtomicBoolean(true);

  @BeforeEach
  void start() {
    kube = KubeBackend.mock();
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  /** A client whose requests that {@code refused} matches are answered 403 while refusing. */
  private Interceptor forbidding(Predicate<Request> refused) {
    return chain -> {
      Request r = chain.request();
      if (!refusing.get() || !refused.test(r)) {
        return chain.proceed(r);
      }
      String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
          + "\"message\":\"forbidden by the test\",\"reason\":\"Forbidden\",\"code\":403}";
      return new Response.Builder().request(r).protocol(Protocol.HTTP_1_1).code(403)
          .message("Forbidden")
          .body(ResponseBody.create(body, MediaType.get("application/json"))).build();
    };
  }

  private static Predicate<Request> on(String method, String pathPart) {
    return r -> r.method().equals(method) && r.url().encodedPath().contains(pathPart);
  }

  private String config(String mode) {
    return """
        kubernetes:
          leaderElection: true
          leaseNamespace: %s
          identity: agent-a
        server:
          port: 0
          address: 127.0.0.1
        workloads:
        """.formatted(kube.namespace())
        + TestConfigs.cpuWorkload(kube.namespace(), "web", mode, "");
  }

  /**
   * Runs {@code rounds} rounds 15 s apart, each after a renewal of the Lease, and returns what was
   * logged meanwhile.
   */
  private static String rounds(Agent agent, ManualClock clock, int rounds) {
    return stderrOf(() -> {
      for (int i = 0; i < rounds; i++) {
        assertThat(agent.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
        agent.runOnce();
        clock.advance(Duration.ofSeconds(15));
      }
    });
  }

  private static String stderrOf(Runnable code) {
    PrintStream before = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      code.run();
    } finally {
      System.setErr(before);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  /** The lines of {@code log} at {@code level} that contain {@code text}. */
  private static List<String> lines(String log, String level, String text) {
    return log.lines().filter(l -> l.contains("] " + level + " ") && l.contains(text)).toList();
  }

  private void hpaLeftWithAFloor() throws ApiException {
    kube.deployment("web", 8);
    V2HorizontalPodAutoscalerSpec original = new V2HorizontalPodAutoscalerSpec()
        .scaleTargetRef(new V2CrossVersionObjectReference().apiVersion("apps/v1")
            .kind("Deployment").name("web"))
        .minReplicas(2).maxReplicas(10);
    V2HorizontalPodAutoscaler left = new V2HorizontalPodAutoscaler()
        .apiVersion("autoscaling/v2").kind("HorizontalPodAutoscaler")
        .metadata(new V1ObjectMeta().name("web-hpa").namespace(kube.namespace())
            .annotations(Map.of(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION, original.toJson())))
        .spec(new V2HorizontalPodAutoscalerSpec().scaleTargetRef(original.getScaleTargetRef())
            .minReplicas(8).maxReplicas(10));
    new AutoscalingV2Api(kube.fixture())
        .createNamespacedHorizontalPodAutoscaler(kube.namespace(), left).execute();
  }

  private int hpaMinReplicas() throws ApiException {
    return new AutoscalingV2Api(kube.fixture())
        .readNamespacedHorizontalPodAutoscaler("web-hpa", kube.namespace()).execute()
        .getSpec().getMinReplicas();
  }

  /** The mode store ConfigMap, holding {@code data}. */
  private void modeStore(Map<String, String> data) throws ApiException {
    modeStore(data, Map.of(ModeStore.OWNER_ANNOTATION, "prescaler-agent"));
  }

  /** The mode store ConfigMap, holding {@code data}, annotated with {@code annotations}. */
  private void modeStore(Map<String, String> data, Map<String, String> annotations)
      throws ApiException {
    new CoreV1Api(kube.fixture()).createNamespacedConfigMap(kube.namespace(), new V1ConfigMap()
        .metadata(new V1ObjectMeta().name(ModeStore.DEFAULT_NAME).namespace(kube.namespace())
            .annotations(annotations))
        .data(data)).execute();
  }

  /**
   * Another replica, agent-b, takes the Lease once the agent's has run out, and holds it for an
   * hour, during which the agent runs a round without leading; then the agent's Lease elector
   * takes it back (the next {@link #rounds} renews it, in a new term).
   */
  private void anotherReplicaLeadsForAnHour(Agent agent, ManualClock clock) {
    LeaseElector a = agent.elector().orElseThrow();
    try (LeaseElector b = LeaseElector.builder(kube.adapter(), kube.namespace(), "prescaler-agent",
        "agent-b").clock(clock).ticker(clock::nanos).build()) {
      b.tryAcquireOrRenew(); // sees agent-a's Lease, which runs out unrenewed a lease later
      clock.advance(Duration.ofSeconds(16));
      assertThat(b.tryAcquireOrRenew()).isTrue();
      assertThat(a.tryAcquireOrRenew()).isFalse();
      agent.runOnce();
      clock.advance(Duration.ofHours(1));
    }
  }

  private Agent agent(String config, Interceptor refusals, ManualClock clock) {
    return Agent.create(TestConfigs.replica(config, "repeat.yaml"), kube.adapter(refusals),
        clock, clock::nanos);
  }

  // Caught a WARN per round (240 in the hour) while the HPA's updates were refused.
  @Test
  void aReleaseRefusedRoundAfterRoundWarnsOnTheFirstAndEvery20thAndSaysWhenItWorks()
      throws ApiException {
    hpaLeftWithAFloor();
    ManualClock clock = new ManualClock(T0);
    try (Agent agent = agent(config("hpa-floor"),
        forbidding(on("PUT", "/horizontalpodautoscalers/")), clock)) {
      String log = rounds(agent, clock, ROUNDS);
      List<String> warns = lines(log, "WARN", "could not release an HPA floor");
      assertThat(warns).hasSize(WARNS);
      assertThat(warns.get(0)).doesNotContain("in a row").contains("403");
      assertThat(warns.get(1)).contains("(20 in a row)");
      assertThat(warns.get(WARNS - 1)).contains("(240 in a row)");
      assertThat(hpaMinReplicas()).isEqualTo(8);

      refusing.set(false);
      log = rounds(agent, clock, 2);
      assertThat(hpaMinReplicas()).isEqualTo(2);
      assertThat(lines(log, "INFO", "HPA floor left by an earlier leader released"))
          .singleElement().asString().contains("after 240 failed releases in a row");
      assertThat(lines(log, "WARN", "HPA floor")).isEmpty();
    }
  }

  // Caught two WARNs per round (480 in the hour) while the mode store could not be read, and a
  // third from the prune, whose read failed too.
  @Test
  void aModeStoreReadRefusedRoundAfterRoundWarnsOnTheFirstAndEvery20thAndSaysWhenItWorks()
      throws ApiException {
    ManualClock clock = new ManualClock(T0);
    try (Agent agent = agent(config("act"), forbidding(on("GET", "/configmaps/")), clock)) {
      String log = rounds(agent, clock, ROUNDS);
      List<String> storeLines = lines(log, "WARN", "read failed");
      List<String> agentLines = lines(log, "WARN", "could not be read");
      List<String> pruneLines = lines(log, "WARN", "could not remove the entries");
      assertThat(storeLines).hasSize(WARNS);
      assertThat(agentLines).hasSize(WARNS);
      assertThat(pruneLines).hasSize(WARNS);
      assertThat(storeLines.get(1)).contains("(20 in a row)");
      assertThat(agentLines.get(1)).contains("(20 in a row)");
      assertThat(pruneLines.get(1)).contains("(20 in a row)");

      refusing.set(false);
      log = rounds(agent, clock, 2);
      assertThat(lines(log, "INFO", "read again, after 240 failed reads in a row")).hasSize(1);
      assertThat(lines(log, "INFO", "pruned again, after 240 failed prunes in a row"))
          .hasSize(1);
      assertThat(lines(log, "WARN", "mode store")).isEmpty();
    }
  }

  // Caught a WARN per round from the prune alone, while the ConfigMap's patches were refused.
  @Test
  void aPruneRefusedRoundAfterRoundWarnsOnTheFirstAndEvery20thAndSaysWhenItWorks()
      throws ApiException {
    modeStore(Map.of(kube.namespace() + "_Deployment_gone", "act 2026-03-01T00:00:00Z earned"));
    ManualClock clock = new ManualClock(T0);
    try (Agent agent = agent(config("act"), forbidding(on("PATCH", "/configmaps/")), clock)) {
      String log = rounds(agent, clock, ROUNDS);
      List<String> pruneLines = lines(log, "WARN", "could not remove the entries");
      assertThat(pruneLines).hasSize(WARNS);
      assertThat(pruneLines.get(WARNS - 1)).contains("(240 in a row)");

      refusing.set(false);
      log = rounds(agent, clock, 2);
      assertThat(lines(log, "INFO", "pruned again, after 240 failed prunes in a row"))
          .hasSize(1);
      assertThat(lines(log, "INFO", "removed from")).hasSize(1);
    }
  }

  // Caught a WARN per workload and round (241 in the hour: the first round writes twice) while
  // the ConfigMap's patches were refused and the kill switch's record was sent again.
  @Test
  void aModeWriteRefusedRoundAfterRoundWarnsOnTheFirstAndEvery20thAndSaysWhenItWorks()
      throws ApiException {
    modeStore(Map.of(kube.namespace() + "_Deployment_web", "act 2026-03-01T00:00:00Z earned"));
    ManualClock clock = new ManualClock(T0);
    try (Agent agent = agent(config("observe-only"), forbidding(on("PATCH", "/configmaps/")),
        clock)) {
      String log = rounds(agent, clock, ROUNDS);
      // The first round writes twice (at the read, then with the changes not stored): 241
      // writes in a row, so the same 13 WARNs.
      List<String> writeLines = lines(log, "WARN", "/web: mode store");
      assertThat(writeLines).hasSize(WARNS);
      assertThat(writeLines.get(1)).contains("(20 in a row)");

      refusing.set(false);
      log = rounds(agent, clock, 2);
      assertThat(lines(log, "INFO", "/web: mode store")).singleElement().asString()
          .contains("stored again, after 241 failed writes in a row");
      assertThat(new CoreV1Api(kube.fixture()).readNamespacedConfigMap(ModeStore.DEFAULT_NAME,
          kube.namespace()).execute().getData().get(kube.namespace() + "_Deployment_web"))
          .startsWith("observe-only ");
    }
  }

  // Caught no WARN in the new term from the store, the agent or the prune (their counts went on
  // from 5, the 6th at DEBUG), and "read again, after 6 failed reads" spanning both terms.
  @Test
  void aModeStoreReadRefusedInANewTermWarnsAgainAndCountsFromOne() throws ApiException {
    ManualClock clock = new ManualClock(T0);
    try (Agent agent = agent(config("act"), forbidding(on("GET", "/configmaps/")), clock)) {
      String log = rounds(agent, clock, 5);
      assertThat(lines(log, "WARN", "read failed")).hasSize(1);
      assertThat(lines(log, "WARN", "could not be read")).hasSize(1);
      assertThat(lines(log, "WARN", "could not remove the entries")).hasSize(1);

      log = stderrOf(() -> anotherReplicaLeadsForAnHour(agent, clock));
      assertThat(lines(log, "WARN", "mode store")).isEmpty(); // not leading: no call made
      log = rounds(agent, clock, 1);
      for (String text : List.of("read failed", "could not be read",
          "could not remove the entries")) {
        assertThat(lines(log, "WARN", text)).as(text).singleElement().asString()
            .doesNotContain("in a row");
      }
      assertThat(lines(log, "INFO", "ended with an earlier term, not by a call that worked"))
          .singleElement().asString()
          .contains("5 failed reads, 5 failed prunes and 0 failed writes of 0 workloads");

      refusing.set(false);
      log = rounds(agent, clock, 1);
      assertThat(lines(log, "INFO", "read again, after 1 failed read in a row")).hasSize(1);
      assertThat(lines(log, "INFO", "pruned again, after 1 failed prune in a row")).hasSize(1);
      assertThat(lines(log, "WARN", "mode store")).isEmpty();
    }
  }

  // Caught no WARN in the new term (the 6th release in a row, at DEBUG), and "released, after 6
  // failed releases" spanning both terms.
  @Test
  void aReleaseRefusedInANewTermWarnsAgainAndCountsFromOne() throws ApiException {
    hpaLeftWithAFloor();
    ManualClock clock = new ManualClock(T0);
    try (Agent agent = agent(config("act"),
        forbidding(on("PUT", "/horizontalpodautoscalers/")), clock)) {
      String log = rounds(agent, clock, 5);
      assertThat(lines(log, "WARN", "could not release an HPA floor")).hasSize(1);

      anotherReplicaLeadsForAnHour(agent, clock);
      log = rounds(agent, clock, 1);
      assertThat(lines(log, "WARN", "could not release an HPA floor")).singleElement()
          .asString().doesNotContain("in a row");
      assertThat(lines(log, "INFO", "ended with an earlier term, not by a release that worked"))
          .singleElement().asString().contains("5 failed releases of 1 workload in a row");

      refusing.set(false);
      log = rounds(agent, clock, 1);
      assertThat(hpaMinReplicas()).isEqualTo(2);
      assertThat(lines(log, "INFO", "HPA floor left by an earlier leader released"))
          .singleElement().asString().contains("after 1 failed release in a row");
    }
  }

  // Caught "pruned again, after 3 failed prunes in a row" logged in the round whose prune left
  // the ConfigMap alone, as it names no owner (with the WARN that says so).
  @Test
  void aPruneThatReadsAgainButLeavesAConfigMapWithNoOwnerDoesNotSayItPruned()
      throws ApiException {
    modeStore(Map.of(kube.namespace() + "_Deployment_gone", "act 2026-03-01T00:00:00Z earned"),
        Map.of());
    ManualClock clock = new ManualClock(T0);
    try (Agent agent = agent(config("act"), forbidding(on("GET", "/configmaps/")), clock)) {
      String log = rounds(agent, clock, 3);
      assertThat(lines(log, "WARN", "could not remove the entries")).hasSize(1);

      refusing.set(false);
      log = rounds(agent, clock, 1);
      assertThat(lines(log, "WARN", "not pruned: it names no owner")).hasSize(1);
      assertThat(lines(log, "INFO", "pruned again")).isEmpty();
      assertThat(lines(log, "INFO", "read again by the prune, after 3 failed prunes in a row, "
          + "but not pruned")).hasSize(1);
      assertThat(new CoreV1Api(kube.fixture()).readNamespacedConfigMap(ModeStore.DEFAULT_NAME,
          kube.namespace()).execute().getData()).containsKey(kube.namespace() + "_Deployment_gone");
    }
  }

  // Caught "(4 in a row)" at DEBUG, no WARN: the run of the dropped change went on.
  @Test
  void aKeptChangeDroppedForAnotherLeadersEntryEndsItsRunOfFailedWrites() throws ApiException {
    WorkloadRef web = WorkloadRef.deployment(kube.namespace(), "web");
    ModeStore.Entry earned = new ModeStore.Entry(web, Mode.ACT, T0.minusSeconds(3600), "earned");
    modeStore(Map.of(ModeStore.key(web), earned.value()));
    ModeStore store = ModeStore.builder(kube.adapter(forbidding(on("PATCH", "/configmaps/"))),
        kube.namespace()).owner("prescaler-agent").build();
    ModeStoreListener listener = new ModeStoreListener(store, () -> true);
    listener.newTerm();
    listener.read(web, Optional.of(earned), e -> true);
    String log = stderrOf(() -> {
      listener.send(new ModeChangedEvent(web, T0, Mode.ACT, Mode.OBSERVE_ONLY, "demoted"));
      listener.writeUnstored();
      listener.writeUnstored();
    });
    assertThat(lines(log, "WARN", "/web: mode store")).hasSize(1);

    // In a later term, the store holds another leader's entry: it wins, the change is dropped.
    ModeStore.Entry other = new ModeStore.Entry(web, Mode.ACT, T0.plusSeconds(60), "agent-b");
    listener.newTerm();
    String dropped = stderrOf(() -> assertThat(listener.read(web, Optional.of(other), e -> true))
        .isEmpty());
    assertThat(listener.unstored()).isEmpty();

    // The next failed write of the workload starts a new run.
    log = stderrOf(() -> listener.send(new ModeChangedEvent(web, T0.plusSeconds(120), Mode.ACT,
        Mode.OBSERVE_ONLY, "demoted again")));
    assertThat(lines(log, "WARN", "/web: mode store")).singleElement().asString()
        .doesNotContain("in a row");
    assertThat(lines(dropped, "INFO", "/web: mode store")).singleElement().asString()
        .contains("no longer written, after 3 failed writes in a row, not stored");
  }
}
