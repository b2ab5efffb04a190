package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.journal.JsonLinesJournal;
import dev.prescaler.k8s.HpaFloorExecutor;
import dev.prescaler.k8s.KubeBackend;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AutoscalingV2Api;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V2CrossVersionObjectReference;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerSpec;
import io.kubernetes.client.openapi.models.V2MetricSpec;
import io.kubernetes.client.openapi.models.V2MetricTarget;
import io.kubernetes.client.openapi.models.V2ResourceMetricSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Interceptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader that died while it held an HPA floor leaves the HPA's {@code minReplicas} raised and
 * its original spec in an annotation. The replica that takes over, which does not hold the
 * workload in HPA-floor mode, must give the HPA back to its owner on its first round as leader;
 * a standby must not touch it. Official Kubernetes client over HTTP against the API stand-in.
 */
class AgentTakeoverTest {
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

  @TempDir Path dir;
  private KubeBackend kube;
  private AutoscalingV2Api hpas;

  @BeforeEach
  void start() throws ApiException {
    kube = KubeBackend.mock();
    hpas = new AutoscalingV2Api(kube.fixture());
    kube.deployment("web", 8);
    V2HorizontalPodAutoscalerSpec original = spec(2);
    V2HorizontalPodAutoscaler left = new V2HorizontalPodAutoscaler()
        .apiVersion("autoscaling/v2").kind("HorizontalPodAutoscaler")
        .metadata(new V1ObjectMeta().name("web-hpa").namespace(kube.namespace())
            .annotations(Map.of(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION, original.toJson())))
        .spec(spec(8));
    hpas.createNamespacedHorizontalPodAutoscaler(kube.namespace(), left).execute();
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  private static V2HorizontalPodAutoscalerSpec spec(int minReplicas) {
    return new V2HorizontalPodAutoscalerSpec()
        .scaleTargetRef(new V2CrossVersionObjectReference().apiVersion("apps/v1")
            .kind("Deployment").name("web"))
        .minReplicas(minReplicas).maxReplicas(10)
        .metrics(List.of(new V2MetricSpec().type("Resource").resource(
            new V2ResourceMetricSource().name("cpu").target(
                new V2MetricTarget().type("Utilization").averageUtilization(70)))));
  }

  private AgentConfig config(String mode, boolean election) {
    return TestConfigs.replica(configText(mode, election), "takeover.yaml");
  }

  private String configText(String mode, boolean election) {
    return """
        kubernetes:
          leaderElection: %s
          leaseNamespace: %s
          identity: agent-b
        server:
          port: 0
          address: 127.0.0.1
        workloads:
        """.formatted(election, kube.namespace())
        + TestConfigs.cpuWorkload(kube.namespace(), "web", mode, "");
  }

  /** An agent whose Lease is timed by {@code clock}. */
  private Agent agent(AgentConfig config, ManualClock clock) {
    return Agent.create(config, kube.adapter(), clock, clock::nanos);
  }

  private V2HorizontalPodAutoscaler hpa() throws ApiException {
    return hpas.readNamespacedHorizontalPodAutoscaler("web-hpa", kube.namespace()).execute();
  }

  private static Map<String, String> annotations(V2HorizontalPodAutoscaler h) {
    return h.getMetadata().getAnnotations() == null ? Map.of() : h.getMetadata().getAnnotations();
  }

  @Test
  void theNewLeaderRestoresAFloorItDoesNotHoldAndAStandbyLeavesItAlone() throws ApiException {
    ManualClock clock = new ManualClock(T0);
    try (Agent agent = agent(config("hpa-floor", true), clock)) {
      agent.runOnce(); // standby: the lease is not ours yet
      assertThat(hpa().getSpec().getMinReplicas()).as("a standby touches nothing").isEqualTo(8);

      assertThat(agent.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      agent.runOnce();
      V2HorizontalPodAutoscaler restored = hpa();
      assertThat(restored.getSpec().getMinReplicas()).isEqualTo(2);
      assertThat(annotations(restored))
          .doesNotContainKey(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION);
    }
  }

  @Test
  void observeOnlyIsTheKillSwitchThatGivesTheHpaBack() throws ApiException {
    ManualClock clock = new ManualClock(T0);
    try (Agent agent = agent(config("observe-only", false), clock)) {
      agent.runOnce();
      assertThat(hpa().getSpec().getMinReplicas()).isEqualTo(2);
      assertThat(annotations(hpa())).doesNotContainKey(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION);
    }
  }

  @Test
  void aTakeoverReleaseThatFailsIsTriedAgainEveryRoundUntilItSucceeds() throws ApiException {
    // The annotation a dead leader left is damaged: the release fails until someone repairs it.
    V2HorizontalPodAutoscaler h = hpa();
    String good = h.getMetadata().getAnnotations().get(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION);
    h.getMetadata().setAnnotations(Map.of(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION, "{oops"));
    hpas.replaceNamespacedHorizontalPodAutoscaler("web-hpa", kube.namespace(), h).execute();
    ManualClock clock = new ManualClock(T0);
    try (Agent agent = agent(config("hpa-floor", false), clock)) {
      agent.runOnce();
      assertThat(hpa().getSpec().getMinReplicas()).isEqualTo(8);
      agent.runOnce();
      assertThat(hpa().getSpec().getMinReplicas()).isEqualTo(8);

      V2HorizontalPodAutoscaler repaired = hpa();
      repaired.getMetadata().setAnnotations(Map.of(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION,
          good));
      hpas.replaceNamespacedHorizontalPodAutoscaler("web-hpa", kube.namespace(), repaired)
          .execute();
      clock.advance(Duration.ofSeconds(15));
      agent.runOnce();
      assertThat(hpa().getSpec().getMinReplicas()).as("released on a later round").isEqualTo(2);
    }
  }

  @Test
  void anHpaDemotedWhileTheLeaseLapsedIsGivenBackOnceTheSameHolderRenews() throws ApiException {
    ManualClock clock = new ManualClock(T0);
    AgentConfig promoted = TestConfigs.replica(configText("hpa-floor", true)
        .replace("mode: hpa-floor", "mode: hpa-floor\n    promoted: true"), "promoted.yaml");
    try (Agent agent = agent(promoted, clock)) {
      assertThat(agent.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      agent.runOnce();
      assertThat(agent.engine().spec(web()).orElseThrow().mode()).isEqualTo(Mode.HPA_FLOOR);
      assertThat(hpa().getSpec().getMinReplicas()).as("held, so not released").isEqualTo(8);

      // Renewals fail past the renew deadline (10 s) in the middle of a round, whose promotion
      // step then demotes the workload: the guard refuses the release.
      clock.advance(Duration.ofSeconds(11));
      agent.engine().mode(web(), Mode.OBSERVE_ONLY, "demoted: metrics failing");
      assertThat(hpa().getSpec().getMinReplicas()).isEqualTo(8);

      assertThat(agent.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      agent.runOnce();
      V2HorizontalPodAutoscaler restored = hpa();
      assertThat(restored.getSpec().getMinReplicas()).as("the owner's minReplicas").isEqualTo(2);
      assertThat(annotations(restored))
          .doesNotContainKey(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION);
    }
  }

  @Test
  void aLeaderBackForANewTermSendsItsFloorAgainWhateverItSentBefore() throws Exception {
    // a led and sent its floor; b took over, sent the same floor, and gave the HPA back when it
    // was stopped (a rolling update). a, leading again and deciding the floor it sent in its
    // first term, took the HPA to hold it still: it sent nothing, and the HPA stayed at its
    // owner's minReplicas while a's journal said the floor was in place.
    ManualClock clock = new ManualClock(T0);
    kube.deploymentStatus("web", 8);
    for (int i = 0; i < 8; i++) {
      kube.readyPod("web-" + i, "web", true, T0.minus(Duration.ofMinutes(10)));
    }
    String text = configText("hpa-floor", true)
        .replace("mode: hpa-floor", "mode: hpa-floor\n    promoted: true");
    AgentConfig configA = TestConfigs.replica(text.replace("identity: agent-b",
        "identity: agent-a"), "a.yaml");
    AgentConfig configB = TestConfigs.replica(text, "b.yaml");
    try (Agent a = agent(configA, clock); Agent b = agent(configB, clock)) {
      freshMetrics(clock);
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      a.runOnce();
      int floor = hpa().getSpec().getMinReplicas();
      assertThat(annotations(hpa())).as("a steers the HPA")
          .containsKey(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION);

      assertThat(b.elector().orElseThrow().tryAcquireOrRenew()).as("b sees a's Lease").isFalse();
      clock.advance(Duration.ofSeconds(16)); // a's Lease lapses
      freshMetrics(clock);
      assertThat(b.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      b.runOnce();
      assertThat(hpa().getSpec().getMinReplicas()).isEqualTo(floor);
      b.close(); // SIGTERM: the HPA back to its owner, the Lease given up
      assertThat(hpa().getSpec().getMinReplicas()).isEqualTo(2);

      clock.advance(Duration.ofSeconds(1));
      freshMetrics(clock);
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      a.runOnce();
      assertThat(hpa().getSpec().getMinReplicas()).as("a's floor, sent again").isEqualTo(floor);
      assertThat(annotations(hpa())).containsKey(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION);
    }
  }

  /** Every pod at 175m of its 500m request, as the Metrics Server scraped it 20 s ago. */
  private void freshMetrics(ManualClock clock) throws Exception {
    for (int i = 0; i < 8; i++) {
      kube.podMetrics("web-" + i, "web", "175m", "100Mi", clock.instant().minusSeconds(20));
    }
  }

  @Test
  void closeRenewsTheLeaseSoThatItsReleasesGoOutAfterTwoMissedRenewals() throws ApiException {
    ManualClock clock = new ManualClock(T0);
    AgentConfig promoted = TestConfigs.replica(configText("hpa-floor", true)
        .replace("mode: hpa-floor", "mode: hpa-floor\n    promoted: true"), "promoted.yaml");
    Agent agent = agent(promoted, clock);
    try {
      assertThat(agent.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      agent.runOnce();
      assertThat(hpa().getSpec().getMinReplicas()).as("held, so not released").isEqualTo(8);

      // Renewals (every 15 s / 7) fail for 5 s on a slow API server: the agent still leads for
      // 5 s, no more than the 5 s call timeout that a release needs to start.
      clock.advance(Duration.ofSeconds(5));
      assertThat(agent.elector().orElseThrow().isLeader()).isTrue();
      agent.close();

      V2HorizontalPodAutoscaler restored = hpa();
      assertThat(restored.getSpec().getMinReplicas()).as("released at close").isEqualTo(2);
      assertThat(annotations(restored))
          .doesNotContainKey(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION);
      assertThat(agent.elector().orElseThrow().isLeader()).as("then given up").isFalse();
    } finally {
      agent.close();
    }
  }

  @Test
  void theJournalRotatesAtTheConfiguredSize() throws Exception {
    ManualClock clock = new ManualClock(T0);
    Path file = dir.resolve("journal.jsonl");
    AgentConfig small = TestConfigs.replica("engine:\n  journal: " + file
        + "\n  journalMaxFileSize: 1Ki\n" + configText("observe-only", false), "small.yaml");
    Agent agent = agent(small, clock);
    try {
      for (int i = 0; i < 3; i++) {
        agent.runOnce();
        clock.advance(Duration.ofSeconds(15));
      }
    } finally {
      agent.close();
    }
    // A record is larger than 1 KiB, so each one starts a new file: at the 64 MiB default
    // nothing would have rotated yet.
    assertThat(JsonLinesJournal.rotatedFileOf(file)).exists();
    assertThat(Files.size(file)).isLessThan(64L << 10);
  }

  private WorkloadRef web() {
    return WorkloadRef.deployment(kube.namespace(), "web");
  }

  /**
   * {@code prescaler agent --config FILE --release-hpas} against the API stand-in, with a
   * kubeconfig naming it, as an operator runs it after an uninstall that left floors raised: web
   * is in HPA-floor mode, api has no HPA. Returns the exit code; the lines are in out and err.
   */
  private int releaseHpas(ByteArrayOutputStream out, ByteArrayOutputStream err) throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: stand-in, cluster: {server: "%s"}}]
        users: [{name: operator, user: {}}]
        contexts: [{name: stand-in, context: {cluster: stand-in, user: operator}}]
        current-context: stand-in
        """.formatted(kube.adapter().getBasePath()));
    Path config = dir.resolve("prescaler-config.yaml");
    Files.writeString(config, "kubernetes:\n  kubeconfig: " + kubeconfig
        + "\nserver:\n  address: 127.0.0.1\nworkloads:\n"
        + TestConfigs.cpuWorkload(kube.namespace(), "web", "hpa-floor", "")
        + TestConfigs.cpuWorkload(kube.namespace(), "api", "act", ""));
    return AgentCommand.run(new String[] {"--config", config.toString(), "--release-hpas"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void releaseHpasGivesEveryFloorBackWithNoAgentRunning() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    assertThat(releaseHpas(out, err)).as(err.toString(StandardCharsets.UTF_8)).isZero();

    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(kube.namespace()
        + "/web: no HPA floor left\n" + kube.namespace() + "/api: no HPA floor left\n");
    V2HorizontalPodAutoscaler restored = hpa();
    assertThat(restored.getSpec().getMinReplicas()).as("the owner's minReplicas").isEqualTo(2);
    assertThat(annotations(restored)).doesNotContainKey(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION);
    out.reset();
    assertThat(releaseHpas(out, err)).as("nothing left: done again, nothing to do").isZero();
  }

  @Test
  void releaseHpasExitsOneNamingAFloorItCouldNotGiveBack() throws Exception {
    V2HorizontalPodAutoscaler h = hpa();
    h.getMetadata().setAnnotations(Map.of(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION, "{oops"));
    hpas.replaceNamespacedHorizontalPodAutoscaler("web-hpa", kube.namespace(), h).execute();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    assertThat(releaseHpas(out, err)).isEqualTo(1);

    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith(kube.namespace() + "/web: "
        + "cannot restore the HPA of " + kube.namespace() + "/web: annotation "
        + HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION + " does not hold a valid HPA spec");
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(kube.namespace() + "/api: no HPA floor left\n");
    assertThat(hpa().getSpec().getMinReplicas()).isEqualTo(8);
  }

  /**
   * Catches the Lease renewed before close() waited for the workload in flight: with renewals
   * missed for 5 s on a slow API server and the workload in flight taking 6 s more, the fresh
   * renew deadline was spent on that wait, the guard refused the release at close ("ends in less
   * than the call timeout unless renewed first"), which is not tried again, and the HPA kept its
   * floor of 8 while the Lease was given up. The engine's close renews it when the tick has
   * ended, before the releases, on the closing thread: renewed within a release, a slow renewal
   * spent that release's call timeout.
   */
  @Test
  void theReleaseAtCloseRenewsTheLeaseAfterTheWorkloadInFlight() throws Exception {
    ManualClock clock = new ManualClock(T0);
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch open = new CountDownLatch(1);
    AtomicBoolean gateOn = new AtomicBoolean();
    List<String> leaseWriters = new java.util.concurrent.CopyOnWriteArrayList<>();
    Interceptor gate = chain -> { // holds web's scale reads and writes while it is on
      if (chain.request().url().encodedPath().contains("/leases/")
          && chain.request().method().equals("PUT")) {
        leaseWriters.add(Thread.currentThread().getName());
      }
      if (gateOn.get() && chain.request().url().encodedPath().endsWith("/web/scale")) {
        reached.countDown();
        try {
          open.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return chain.proceed(chain.request());
    };
    ExecutorService helper = Executors.newSingleThreadExecutor();
    AgentConfig promoted = TestConfigs.replica("""
        kubernetes:
          leaderElection: true
          leaseNamespace: %s
          identity: agent-b
        server:
          port: 0
          address: 127.0.0.1
        workloads:
        """.formatted(kube.namespace())
        + TestConfigs.cpuWorkload(kube.namespace(), "web", "hpa-floor", "promoted: true"),
        "promoted.yaml");
    Agent agent = Agent.create(promoted, kube.adapter(gate), clock, clock::nanos);
    try {
      assertThat(agent.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      agent.runOnce();
      assertThat(hpa().getSpec().getMinReplicas()).isEqualTo(8);
      // Renewals fail for 5 s on a slow API server (as in the existing close test).
      clock.advance(Duration.ofSeconds(5));
      gateOn.set(true);
      Future<?> round = helper.submit(agent::runOnce);
      assertThat(reached.await(30, TimeUnit.SECONDS)).isTrue();
      Thread closer = new Thread(agent::close, "closer");
      closer.start();
      while (closer.getState() != Thread.State.BLOCKED) { // waiting for the workload in flight
        Thread.onSpinWait();
      }
      clock.advance(Duration.ofSeconds(6)); // the workload in flight takes 6 s more
      open.countDown();
      round.get(30, TimeUnit.SECONDS);
      closer.join(30_000);
      assertThat(closer.isAlive()).isFalse();
      assertThat(hpa().getSpec().getMinReplicas()).as("released at close").isEqualTo(2);
      // Renewed on the closing thread, not within the release's call (a call-pool thread), where
      // a slow renewal spent the release's call timeout and the release was given up.
      assertThat(leaseWriters).contains("closer").noneMatch(t -> t.startsWith("prescaler-call"));
    } finally {
      open.countDown();
      agent.close();
      helper.shutdownNow();
    }
  }
}
