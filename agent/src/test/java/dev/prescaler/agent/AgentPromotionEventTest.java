package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.k8s.KubeBackend;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.EventsV1Api;
import io.kubernetes.client.openapi.models.EventsV1Event;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes Event of a promotion by hand ({@code promoted: true}) under leader election:
 * applied when a replica starts, before it may lead, and posted by the replica once it leads.
 * Official Kubernetes client over HTTP against the API stand-in; nothing sleeps ({@link
 * Agent#close()} posts the queued Events before it returns).
 */
class AgentPromotionEventTest {
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

  private KubeBackend kube;
  private WorkloadRef web;
  private final ManualClock clock = new ManualClock(T0);

  @BeforeEach
  void start() throws ApiException {
    kube = KubeBackend.mock();
    kube.deployment("web", 3);
    web = WorkloadRef.deployment(kube.namespace(), "web");
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  private Agent agent(String identity) {
    return Agent.create(TestConfigs.replica("""
        kubernetes:
          leaderElection: true
          leaseNamespace: %s
          leaseDuration: 15s
          identity: %s
        server:
          port: 0
          address: 127.0.0.1
        promotion:
          automatic: false
        workloads:
        """.formatted(kube.namespace(), identity)
        + TestConfigs.cpuWorkload(kube.namespace(), "web", "act", "promoted: true"),
        identity + ".yaml"), kube.adapter(), clock, clock::nanos);
  }

  /** The {@code Promoted} Events of the test's namespace, oldest first. */
  private List<EventsV1Event> promoted() throws ApiException {
    return new EventsV1Api(kube.fixture()).listNamespacedEvent(kube.namespace()).execute()
        .getItems().stream().filter(e -> "Promoted".equals(e.getReason()))
        .sorted((a, b) -> a.getEventTime().compareTo(b.getEventTime())).toList();
  }

  /**
   * Catches {@code promoted: true} posting no Event under leader election: the promotion was
   * applied at start, before the replica could lead, and the Events listener, which posts only
   * the leader's, dropped it. README step 4: "Each promotion and demotion is journaled and
   * emitted as a Kubernetes Event."
   */
  @Test
  void theLeaderPostsThePromotionOfPromotedTrueOnceItLeads() throws ApiException {
    Agent a = agent("agent-a");
    try {
      assertThat(a.engine().spec(web).orElseThrow().mode()).isEqualTo(Mode.ACT);
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      a.runOnce();
      a.runOnce();
    } finally {
      a.close();
    }
    assertThat(promoted()).singleElement().satisfies(e -> {
      assertThat(e.getReportingInstance()).isEqualTo("agent-a");
      assertThat(e.getNote()).isEqualTo("OBSERVE_ONLY -> ACT: "
          + Agent.PROMOTED_IN_CONFIGURATION);
      assertThat(e.getRegarding().getName()).isEqualTo("web");
    });
  }

  /**
   * Each replica applies {@code promoted: true} at its own start and posts it when it first
   * leads, so a failover posts it again, from the new leader; a standby posts nothing, and a
   * replica posts it once per run, however often it leads.
   */
  @Test
  void aReplicaThatTakesOverPostsItsOwnPromotionOnceAndAStandbyNone() throws ApiException {
    Agent a = agent("agent-a");
    Agent b = agent("agent-b");
    try {
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      a.runOnce();
      b.runOnce(); // a standby
      a.close(); // gives the Lease up
      clock.advance(Duration.ofSeconds(1));
      assertThat(b.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      b.runOnce();
      b.runOnce();
    } finally {
      b.close();
      a.close();
    }
    assertThat(promoted()).extracting(EventsV1Event::getReportingInstance)
        .containsExactly("agent-a", "agent-b");
  }
}
