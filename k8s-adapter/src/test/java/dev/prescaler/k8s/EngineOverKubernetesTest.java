package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.AsyncListener;
import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.apis.EventsV1Api;
import io.kubernetes.client.openapi.models.EventsV1Event;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@link AutoscalerEngine} wired as the README shows, against fabric8's CRUD mock: the
 * Metrics Server source reads seeded PodMetrics, the executor patches the cluster, and the
 * listener records Events.
 */
class EngineOverKubernetesTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  /** Replicas = ceil(load / per-replica target) of the cpu metric: the HPA's formula. */
  private static final DecisionPolicy PROPORTIONAL = (ctx, p) -> {
    double load = ctx.loads().get("cpu");
    double per = ctx.spec().metric("cpu").orElseThrow().perReplicaTarget();
    return p.to("proportional", (int) Math.ceil(load / per - 1e-9),
        "cpu load " + load + " pod-requests at " + per + " per replica");
  };
  private static KubeBackend k8s;
  /** The Events listeners of the engines built so far; {@link #events()} closes them. */
  private static final List<AsyncListener> EVENT_LISTENERS = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    k8s = KubeBackend.mock();
    for (String app : List.of("shop", "cart", "api", "pay")) {
      k8s.deployment(app, 3);
      for (int i = 0; i < 3; i++) {
        k8s.readyPod(app + "-" + i, app, true, T0.minus(Duration.ofMinutes(10)));
        k8s.podMetrics(app + "-" + i, app, "400m", "100Mi", T0.minusSeconds(20));
      }
    }
  }

  @AfterAll
  static void stop() {
    k8s.close();
  }

  private static AutoscalerEngine engine(ManualClock clock, WorkloadSpec spec,
      InMemoryJournal journal) {
    LeaseElector elector = LeaseElector.builder(k8s.adapter(), KubeBackend.LEASE_NAMESPACE,
        "engine-" + spec.workload().name(), "pod-0").clock(clock).ticker(clock::nanos).build();
    elector.tryAcquireOrRenew();
    return engine(clock, spec, journal, elector);
  }

  private static AutoscalerEngine engine(ManualClock clock, WorkloadSpec spec,
      InMemoryJournal journal, LeaseElector elector) {
    // The wiring the README shows.
    var client = k8s.adapter();
    var act = ScaleSubresourceExecutor.builder(client).clock(clock).sleeper(d -> { }).build();
    var floor = HpaFloorExecutor.builder(client).clock(clock).sleeper(d -> { }).build();
    var events = AsyncListener.of(KubernetesEventListener.builder(client, elector.identity())
        .clock(clock).enabledWhen(elector::isLeader).build(), "kubernetes-events");
    EVENT_LISTENERS.add(events);
    return AutoscalerEngine.builder()
        .clock(clock)
        .metricSource(MetricsServerSource.builder(client).clock(clock).sleeper(d -> { }).build())
        .policy(PROPORTIONAL)
        .executor(elector.guard(new ModeRoutingExecutor(act, floor)))
        .listener(events)
        .workload(spec)
        .journal(journal)
        .backfill(false)
        .build();
  }

  /** Delivers the Events the engines queued (close them first), then lists the namespace's. */
  private static List<EventsV1Event> events() throws Exception {
    for (AsyncListener l : EVENT_LISTENERS) {
      assertThat(l.close(Duration.ofSeconds(10))).as("events delivered").isTrue();
    }
    EVENT_LISTENERS.clear();
    return new EventsV1Api(k8s.fixture()).listNamespacedEvent(k8s.namespace()).execute()
        .getItems();
  }

  @Test
  void onlyTheLeaderActsAndTheStandbyRecordsWhy() throws Exception {
    ManualClock clock = new ManualClock(T0);
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment(k8s.namespace(), "api"))
        .maxReplicas(10).metric(MetricTarget.utilization("cpu", 50)).mode(Mode.ACT).build();
    LeaseElector leader = LeaseElector.builder(k8s.adapter(), KubeBackend.LEASE_NAMESPACE,
        "engine-ha", "pod-a").clock(clock).ticker(clock::nanos).build();
    LeaseElector standby = LeaseElector.builder(k8s.adapter(), KubeBackend.LEASE_NAMESPACE,
        "engine-ha", "pod-b").clock(clock).ticker(clock::nanos).build();
    assertThat(leader.tryAcquireOrRenew()).isTrue();
    assertThat(standby.tryAcquireOrRenew()).isFalse();
    InMemoryJournal standbyJournal = new InMemoryJournal();
    try (AutoscalerEngine b = engine(clock, spec, standbyJournal, standby)) {
      b.tick();
    }
    DecisionRecord refused = standbyJournal.records().get(0);
    assertThat(refused.action()).isEqualTo(DecisionRecord.Action.REFUSED);
    assertThat(refused.actionMessage()).contains("not the leader").contains("pod-a");
    assertThat(k8s.deploymentReplicas("api")).isEqualTo(3);
    InMemoryJournal leaderJournal = new InMemoryJournal();
    try (AutoscalerEngine a = engine(clock, spec, leaderJournal, leader)) {
      a.tick();
    }
    assertThat(leaderJournal.records().get(0).action()).isEqualTo(DecisionRecord.Action.APPLIED);
    assertThat(k8s.deploymentReplicas("api")).isEqualTo(5);
    List<EventsV1Event> events = events();
    assertThat(events).filteredOn(e -> "api".equals(e.getRegarding().getName()))
        .extracting(EventsV1Event::getReason).containsExactly("ScaledUp");
  }

  @Test
  void aTickScalesTheDeploymentAndRecordsAnEvent() throws Exception {
    ManualClock clock = new ManualClock(T0);
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment(k8s.namespace(), "shop"))
        .maxReplicas(10).metric(MetricTarget.utilization("cpu", 50)).mode(Mode.ACT).build();
    InMemoryJournal journal = new InMemoryJournal();
    try (AutoscalerEngine engine = engine(clock, spec, journal)) {
      engine.tick();
      DecisionRecord r = journal.records().get(0);
      assertThat(r.action()).as(r.actionMessage()).isEqualTo(DecisionRecord.Action.APPLIED);
      assertThat(r.current()).isEqualTo(3);
      assertThat(r.desired()).isEqualTo(5);
    }
    assertThat(k8s.deploymentReplicas("shop")).isEqualTo(5);
    List<EventsV1Event> events = events();
    assertThat(events).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("ScaledUp");
      assertThat(e.getRegarding().getName()).isEqualTo("shop");
      assertThat(e.getNote()).contains("ACT 3 -> 5").contains("proportional");
    });
  }

  @Test
  void hpaFloorModeSteersTheHpaAndClosingTheEngineRestoresIt() throws Exception {
    V2HorizontalPodAutoscaler original = k8s.hpa("cart", "Deployment", "cart", 2, 10, null);
    ManualClock clock = new ManualClock(T0);
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment(k8s.namespace(), "cart"))
        .maxReplicas(10).metric(MetricTarget.utilization("cpu", 50)).mode(Mode.HPA_FLOOR).build();
    AutoscalerEngine engine = engine(clock, spec, new InMemoryJournal());
    engine.tick();
    assertThat(k8s.readHpa("cart").getSpec().getMinReplicas()).isEqualTo(5);
    assertThat(k8s.deploymentReplicas("cart")).as("the HPA, not the engine, scales").isEqualTo(3);
    engine.close();
    V2HorizontalPodAutoscaler restored = k8s.readHpa("cart");
    assertThat(restored.getSpec()).isEqualTo(original.getSpec());
  }

  @Test
  void aReleaseRefusedWhileTheLeaseLapsedIsSentAgainOnceLeading() throws Exception {
    V2HorizontalPodAutoscaler original = k8s.hpa("pay", "Deployment", "pay", 2, 10, null);
    ManualClock clock = new ManualClock(T0);
    WorkloadRef pay = WorkloadRef.deployment(k8s.namespace(), "pay");
    WorkloadSpec spec = WorkloadSpec.builder(pay).maxReplicas(10)
        .metric(MetricTarget.utilization("cpu", 50)).mode(Mode.HPA_FLOOR).build();
    LeaseElector elector = LeaseElector.builder(k8s.adapter(), KubeBackend.LEASE_NAMESPACE,
        "engine-pay", "pod-0").clock(clock).ticker(clock::nanos).build();
    assertThat(elector.tryAcquireOrRenew()).isTrue();
    try (AutoscalerEngine engine = engine(clock, spec, new InMemoryJournal(), elector)) {
      engine.tick();
      assertThat(k8s.readHpa("pay").getSpec().getMinReplicas()).isEqualTo(5);

      // The renewals fail for longer than the renew deadline (10 s) in the middle of a tick,
      // and the workload is demoted then: the guard refuses the release.
      clock.advance(Duration.ofSeconds(11));
      assertThat(elector.isLeader()).isFalse();
      engine.mode(pay, Mode.OBSERVE_ONLY, "demoted: metrics failing");
      assertThat(k8s.readHpa("pay").getSpec().getMinReplicas()).isEqualTo(5);

      assertThat(elector.tryAcquireOrRenew()).as("the same holder renews").isTrue();
      engine.tick();
      assertThat(k8s.readHpa("pay").getSpec()).as("released on the next tick as leader")
          .isEqualTo(original.getSpec());
    }
  }
}
