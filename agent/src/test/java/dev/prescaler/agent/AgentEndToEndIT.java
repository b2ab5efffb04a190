package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.journal.JsonLinesJournal;
import dev.prescaler.k8s.KubeBackend;
import dev.prescaler.prometheus.PrometheusServer;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.apis.EventsV1Api;
import io.kubernetes.client.openapi.models.EventsV1Event;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent end to end, in-process: a real Prometheus (history backfilled with promtool) feeds
 * it, the official Kubernetes client talks to the fabric8 API-server stand-in, the agent's clock
 * is a {@link ManualClock} moved through the backfilled window. First the workload is observed
 * (no patch may reach the Deployment), then it is promoted by the gates and acts: the Deployment's
 * replicas follow the load. The self-metrics and health endpoints are read over HTTP. A second
 * workload scales, as the shipped example's {@code web}, on rps from Prometheus and cpu from the
 * Metrics Server (PodMetrics written to the stand-in each tick, as its scrapes would).
 */
class AgentEndToEndIT {
  private static final int HOURS = 5;
  /** The CPU each of cart's 3 pods uses of its 500m request: 140 %, twice the 70 % target. */
  private static final String CART_POD_CPU = "700m";

  @TempDir Path dir;
  private KubeBackend kube;
  private PrometheusServer prometheus;
  private Instant end;

  /** Requests per second at {@code t}: a one-hour cycle between 100 and 500. */
  private static double rps(long epochSecond) {
    return 300 + 200 * Math.sin(2 * Math.PI * epochSecond / 3600.0);
  }

  @BeforeEach
  void start() throws Exception {
    kube = KubeBackend.mock();
    // Whole hours: the load's one-hour cycle then has the same phase in every run, so the
    // forecasts, the gates and the asserted counts do not depend on the minute the test starts.
    end = Instant.now(java.time.Clock.systemUTC()).truncatedTo(ChronoUnit.HOURS);
    Instant from = end.minus(Duration.ofHours(HOURS));
    StringBuilder om = new StringBuilder("# TYPE app_requests_per_second gauge\n");
    for (String deployment : List.of("web", "cart")) {
      for (Instant t = from; !t.isAfter(end); t = t.plusSeconds(30)) {
        om.append(String.format(Locale.ROOT,
            "app_requests_per_second{namespace=\"%s\",deployment=\"%s\"} %.3f %d%n",
            kube.namespace(), deployment, rps(t.getEpochSecond()), t.getEpochSecond()));
      }
    }
    om.append("# EOF\n");
    prometheus = new PrometheusServer(dir.resolve("prom"), om.toString(), List.of()).start();
  }

  @AfterEach
  void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
    if (kube != null) {
      kube.close();
    }
  }

  /** The Metrics Server's next scrape of cart's pods: a sample 10 s before {@code now}. */
  private void scrapeCart(Instant now) throws Exception {
    for (int i = 0; i < 3; i++) {
      kube.podMetrics("cart-" + i, "cart", CART_POD_CPU, "100Mi", now.minusSeconds(10));
    }
  }

  @Test
  void observesFirstThenIsPromotedAndScalesTheDeploymentWithSelfMetrics() throws Exception {
    String ns = kube.namespace();
    kube.deployment("web", 2);
    kube.deploymentStatus("web", 2);
    kube.deployment("cart", 3);
    kube.deploymentStatus("cart", 3);
    for (int i = 0; i < 3; i++) {
      kube.readyPod("cart-" + i, "cart", true, end.minus(Duration.ofHours(HOURS)));
    }
    Path journal = dir.resolve("journal.jsonl");
    String yaml = """
        engine:
          journal: %s
        kubernetes:
          leaderElection: true
          leaseNamespace: %s
          identity: agent-e2e
        prometheus:
          url: %s
        server:
          port: 0
          address: 127.0.0.1
        promotion:
          minObservation: 40m
          minSamples: 20
          maxRelativeMae: 0.95
          maxShortfallIncrease: 0.05
        workloads:
          - namespace: %s
            name: web
            minReplicas: 1
            maxReplicas: 30
            mode: act
            metrics:
              - name: rps
                type: averageValue
                target: 50
                source: prometheus
                query: 'sum(app_requests_per_second{namespace="{namespace}",deployment="{name}"})'
          - namespace: %s
            name: cart
            maxReplicas: 30
            mode: observe-only
            metrics:
              - name: rps
                type: averageValue
                target: 50
                source: prometheus
                query: 'sum(app_requests_per_second{namespace="{namespace}",deployment="{name}"})'
              - name: cpu
                type: utilization
                target: 70
                source: metrics-server
                resource: cpu
        """.formatted(journal, ns, prometheus.uri(), ns, ns);
    AgentConfig config = TestConfigs.replica(yaml, "e2e.yaml");
    ManualClock clock = new ManualClock(end.minus(Duration.ofHours(HOURS - 2)));
    WorkloadRef web = WorkloadRef.deployment(ns, "web");

    List<Integer> observedReplicas = new ArrayList<>();
    List<Integer> actingReplicas = new ArrayList<>();
    Instant promotedAt = null;
    try (Agent agent = Agent.create(config, kube.adapter(), clock, clock::nanos)) {
      int port = agent.serve();
      while (clock.instant().isBefore(end.minus(Duration.ofMinutes(2)))) {
        agent.elector().orElseThrow().tryAcquireOrRenew();
        scrapeCart(clock.instant());
        agent.runOnce();
        int replicas = kube.deploymentReplicas("web");
        kube.deploymentStatus("web", replicas); // the Deployment controller: pods become ready
        Mode mode = agent.engine().spec(web).orElseThrow().mode();
        if (mode == Mode.OBSERVE_ONLY) {
          observedReplicas.add(replicas);
        } else {
          if (promotedAt == null) {
            promotedAt = clock.instant();
          }
          actingReplicas.add(replicas);
        }
        clock.advance(Duration.ofSeconds(15));
      }
      assertThat(observedReplicas).as("nothing is patched while observing").containsOnly(2);
      assertThat(promotedAt).as("promoted by the gates").isNotNull()
          .isAfterOrEqualTo(end.minus(Duration.ofHours(HOURS - 2)).plus(Duration.ofMinutes(40)));
      // 100..500 rps at 50 per replica: the count must have followed the cycle, up and down.
      assertThat(actingReplicas.stream().mapToInt(Integer::intValue).max().orElseThrow())
          .isGreaterThanOrEqualTo(9);
      assertThat(actingReplicas.stream().mapToInt(Integer::intValue).min().orElseThrow())
          .isLessThanOrEqualTo(6);

      HttpClient http = HttpClient.newHttpClient();
      String metrics = get(http, port, "/metrics");
      assertThat(metrics).contains("prescaler_replicas{kind=\"desired\",name=\"web\",namespace=\""
          + ns + "\",workload_kind=\"Deployment\"}");
      assertThat(metrics).contains("prescaler_mode{mode=\"act\",name=\"web\",namespace=\"" + ns
          + "\",workload_kind=\"Deployment\"} 1.0");
      assertThat(metrics).contains("prescaler_replicas{kind=\"predicted\"");
      assertThat(metrics).contains("prescaler_forecast_relative_mae{");
      assertThat(metrics).contains("prescaler_actions_total{name=\"web\",namespace=\"" + ns
          + "\",outcome=\"applied\",workload_kind=\"Deployment\"}");
      assertThat(metrics).contains("prescaler_leader 1.0");
      assertThat(metrics).contains(
          "prescaler_listener_events_dropped_total{listener=\"kubernetes-events\"} 0.0");
      assertThat(get(http, port, "/healthz")).isEqualTo("ok\n");
      assertThat(get(http, port, "/readyz")).isEqualTo("ready\n");
    }
    // Posted off the tick; closing the agent delivered what was queued.
    assertThat(new EventsV1Api(kube.fixture()).listNamespacedEvent(ns).execute().getItems())
        .filteredOn(e -> "web".equals(e.getRegarding().getName()))
        .extracting(EventsV1Event::getReason).contains("ScaledUp", "ScaledDown");
    assertThat(JsonLinesJournal.readModeChanges(journal)).singleElement()
        .satisfies(e -> assertThat(e.reason()).startsWith("promoted after"));
    assertThat(JsonLinesJournal.read(journal)).isNotEmpty();

    // cart: each decision saw both metrics, and each of them decided some counts. cpu at twice
    // its target on 3 ready pods needs 6 replicas whatever the rps; rps needs 2 to 10 over its
    // cycle, so a proposal above 6 is rps's, and one of 6 while rps needs fewer is cpu's. (The
    // proposal, before the engine's step limit: observed, cart stays at 3, and may go to 7.)
    WorkloadRef cart = WorkloadRef.deployment(ns, "cart");
    List<DecisionRecord> decided = JsonLinesJournal.read(journal).stream()
        .filter(r -> r.workload().equals(cart) && r.kind() != DecisionRecord.Kind.HOLD)
        .toList();
    assertThat(decided).as("cart's decisions").hasSizeGreaterThan(600);
    assertThat(decided).allSatisfy(r -> {
      assertThat(r.metrics().get("cpu")).as("cpu from the Metrics Server")
          .isCloseTo(140.0, within(1e-9));
      assertThat(r.metrics().get("rps")).as("rps from Prometheus").isBetween(99.0, 501.0);
      assertThat(r.loads()).containsKeys("rps", "cpu");
      assertThat(r.proposed()).as("cpu's need").isGreaterThanOrEqualTo(6);
      assertThat(r.desired()).isEqualTo(Math.min(r.proposed(), 7));
    });
    assertThat(decided).as("counts cpu decided, while rps needed fewer")
        .anySatisfy(r -> {
          assertThat(r.metrics().get("rps")).isLessThan(200.0);
          assertThat(r.proposed()).isEqualTo(6);
          assertThat(r.reasons()).extracting(Reason::message)
              .anySatisfy(m -> assertThat(m).startsWith("cpu: "));
        });
    assertThat(decided).as("counts rps decided, above cpu's need")
        .anySatisfy(r -> {
          assertThat(r.proposed()).isGreaterThanOrEqualTo(9);
          assertThat(r.reasons()).extracting(Reason::message)
              .anySatisfy(m -> assertThat(m).startsWith("rps: "));
        });
  }

  private static String get(HttpClient http, int port, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body();
  }
}
