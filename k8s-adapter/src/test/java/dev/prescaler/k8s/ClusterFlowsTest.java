package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.Mode;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Reason;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.testkit.ManualClock;
import dev.prescaler.testkit.ScaleExecutorContract;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V2HPAScalingRules;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerBehavior;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stateful flows of the executors over HTTP with the official client: against fabric8's CRUD mock
 * API server by default, or a real cluster with {@code -Dprescaler.k8s.kubeconfig=PATH}.
 */
class ClusterFlowsTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static KubeBackend k8s;

  @BeforeAll
  static void start() {
    k8s = KubeBackend.start();
  }

  @AfterAll
  static void stop() {
    k8s.close();
  }

  private static WorkloadSpec spec(WorkloadRef ref, Mode mode, int min, int max) {
    return WorkloadSpec.builder(ref).minReplicas(min).maxReplicas(max)
        .metric(MetricTarget.utilization("cpu", 70)).mode(mode).build();
  }

  private static ScaleRequest request(WorkloadSpec spec, Mode mode, int from, int to) {
    return new ScaleRequest(spec, mode, from, to, List.of(new Reason("test", from, to, "flow")),
        T0);
  }

  private static ScaleSubresourceExecutor act() {
    return ScaleSubresourceExecutor.builder(k8s.adapter()).clock(new ManualClock(T0))
        .sleeper(d -> { }).hpaCacheTtl(Duration.ZERO).build();
  }

  @Test
  void scalesADeploymentUpAndDownThroughItsScaleSubresource() throws ApiException {
    k8s.deployment("web", 2);
    k8s.deploymentStatus("web", 2);
    WorkloadRef ref = WorkloadRef.deployment(k8s.namespace(), "web");
    WorkloadSpec spec = spec(ref, Mode.ACT, 1, 20);
    ScaleSubresourceExecutor executor = act();

    ScaleOutcome up = executor.apply(request(spec, Mode.ACT, 2, 5));
    assertThat(up.isApplied()).as(up.message()).isTrue();
    assertThat(up.message()).contains("deployments.apps " + k8s.namespace() + "/web scale")
        .contains("2 -> 5");
    assertThat(k8s.deploymentReplicas("web")).isEqualTo(5);

    ScaleOutcome down = executor.apply(request(spec, Mode.ACT, 5, 3));
    assertThat(down.isApplied()).as(down.message()).isTrue();
    assertThat(k8s.deploymentReplicas("web")).isEqualTo(3);
    assertThat(executor.replicas(ref)).map(ReplicaStatus::current).contains(3);
  }

  @Test
  void refusesWhenSomeoneElseChangedTheCountSinceTheDecision() throws ApiException {
    k8s.deployment("checkout", 4);
    WorkloadRef ref = WorkloadRef.deployment(k8s.namespace(), "checkout");
    WorkloadSpec spec = spec(ref, Mode.ACT, 1, 20);
    k8s.setDeploymentReplicas("checkout", 6);

    ScaleOutcome o = act().apply(request(spec, Mode.ACT, 4, 8));

    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(o.message()).contains("changed by someone else").contains("re-read next tick");
    assertThat(k8s.deploymentReplicas("checkout")).isEqualTo(6);
  }

  @Test
  void scalesAStatefulSet() throws ApiException {
    k8s.statefulSet("db", 3);
    WorkloadRef ref = WorkloadRef.statefulSet(k8s.namespace(), "db");
    ScaleOutcome o = act().apply(request(spec(ref, Mode.ACT, 1, 9), Mode.ACT, 3, 4));
    assertThat(o.isApplied()).as(o.message()).isTrue();
    assertThat(k8s.statefulSetReplicas("db")).isEqualTo(4);
  }

  @Test
  void refusesToActOnAWorkloadAnHpaTargetsAndSuggestsHpaFloorMode() throws ApiException {
    k8s.deployment("api", 2);
    k8s.hpa("api", "Deployment", "api", 2, 10, null);
    WorkloadRef ref = WorkloadRef.deployment(k8s.namespace(), "api");

    ScaleOutcome o = act().apply(request(spec(ref, Mode.ACT, 1, 20), Mode.ACT, 2, 6));

    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(o.message()).contains("HorizontalPodAutoscaler " + k8s.namespace() + "/api")
        .contains("HPA_FLOOR");
    assertThat(k8s.deploymentReplicas("api")).isEqualTo(2);
  }

  @Test
  void hpaFloorRoundTripSetsTheFloorAndRestoresTheOriginalSpec() throws ApiException {
    k8s.deployment("shop", 2);
    V2HorizontalPodAutoscalerBehavior behavior = new V2HorizontalPodAutoscalerBehavior()
        .scaleUp(new V2HPAScalingRules().stabilizationWindowSeconds(120))
        .scaleDown(new V2HPAScalingRules().stabilizationWindowSeconds(300));
    k8s.hpa("shop-hpa", "Deployment", "shop", 2, 10, behavior);
    V2HorizontalPodAutoscaler original = k8s.readHpa("shop-hpa");
    WorkloadRef ref = WorkloadRef.deployment(k8s.namespace(), "shop");
    WorkloadSpec spec = spec(ref, Mode.HPA_FLOOR, 1, 20);
    HpaFloorExecutor floor = HpaFloorExecutor.builder(k8s.adapter()).clock(new ManualClock(T0))
        .sleeper(d -> { }).steering(HpaSteering.scaleUpWindowWhileRising(Duration.ZERO)).build();

    ScaleOutcome up = floor.apply(request(spec, Mode.HPA_FLOOR, 2, 6));
    assertThat(up.isApplied()).as(up.message()).isTrue();
    V2HorizontalPodAutoscaler steered = k8s.readHpa("shop-hpa");
    assertThat(steered.getSpec().getMinReplicas()).isEqualTo(6);
    assertThat(steered.getSpec().getMaxReplicas()).isEqualTo(10);
    assertThat(steered.getSpec().getBehavior().getScaleUp().getStabilizationWindowSeconds())
        .isZero();
    assertThat(steered.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
        .isEqualTo(300);
    assertThat(steered.getMetadata().getAnnotations())
        .containsKey(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION);

    ScaleOutcome beyondMax = floor.apply(request(spec, Mode.HPA_FLOOR, 6, 15));
    assertThat(beyondMax.isApplied()).as(beyondMax.message()).isTrue();
    assertThat(beyondMax.message()).contains("maxReplicas 10");
    assertThat(k8s.readHpa("shop-hpa").getSpec().getMinReplicas()).isEqualTo(10);

    ScaleOutcome down = floor.apply(request(spec, Mode.HPA_FLOOR, 10, 4));
    assertThat(down.isApplied()).as(down.message()).isTrue();
    V2HorizontalPodAutoscaler falling = k8s.readHpa("shop-hpa");
    assertThat(falling.getSpec().getMinReplicas()).isEqualTo(4);
    assertThat(falling.getSpec().getBehavior().getScaleUp().getStabilizationWindowSeconds())
        .isEqualTo(120);

    floor.release(ref);
    V2HorizontalPodAutoscaler restored = k8s.readHpa("shop-hpa");
    assertThat(restored.getSpec()).isEqualTo(original.getSpec());
    assertThat(annotations(restored)).doesNotContainKey(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION);

    floor.release(ref);
    assertThat(k8s.readHpa("shop-hpa").getSpec()).isEqualTo(original.getSpec());
  }

  @Test
  void hpaFloorNeverLowersTheOwnersMinimumAndReleaseKeepsAMaxReplicasRaisedMeanwhile()
      throws ApiException {
    k8s.deployment("zones", 3);
    k8s.hpa("zones-hpa", "Deployment", "zones", 3, 10, null);
    V2HorizontalPodAutoscaler original = k8s.readHpa("zones-hpa");
    WorkloadRef ref = WorkloadRef.deployment(k8s.namespace(), "zones");
    WorkloadSpec spec = spec(ref, Mode.HPA_FLOOR, 1, 20);
    HpaFloorExecutor floor = HpaFloorExecutor.builder(k8s.adapter()).clock(new ManualClock(T0))
        .sleeper(d -> { }).build();

    ScaleOutcome night = floor.apply(request(spec, Mode.HPA_FLOOR, 3, 1));
    assertThat(night.isApplied()).as(night.message()).isTrue();
    assertThat(night.message()).contains("held at the owner's minReplicas 3");
    assertThat(k8s.readHpa("zones-hpa").getSpec().getMinReplicas()).isEqualTo(3);

    assertThat(floor.apply(request(spec, Mode.HPA_FLOOR, 3, 6)).isApplied()).isTrue();
    k8s.editHpa("zones-hpa", s -> s.setMaxReplicas(20));
    ScaleOutcome burst = floor.apply(request(spec, Mode.HPA_FLOOR, 6, 15));
    assertThat(burst.message()).endsWith("minReplicas 6 -> 15");
    assertThat(k8s.readHpa("zones-hpa").getSpec().getMaxReplicas()).isEqualTo(20);

    floor.release(ref);
    V2HorizontalPodAutoscaler released = k8s.readHpa("zones-hpa");
    assertThat(released.getSpec().getMinReplicas()).as("Prescaler's floor undone").isEqualTo(3);
    assertThat(released.getSpec().getMaxReplicas()).as("the operator's").isEqualTo(20);
    assertThat(released.getSpec().maxReplicas(10)).isEqualTo(original.getSpec());
    assertThat(annotations(released)).doesNotContainKeys(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION,
            HpaFloorExecutor.WRITTEN_FIELDS_ANNOTATION);
  }

  @Test
  void releaseLeavesAMinReplicasAnOperatorSetByHandWhileSteered() throws ApiException {
    k8s.deployment("orders", 2);
    k8s.hpa("orders-hpa", "Deployment", "orders", 2, 10, null);
    WorkloadRef ref = WorkloadRef.deployment(k8s.namespace(), "orders");
    HpaFloorExecutor floor = HpaFloorExecutor.builder(k8s.adapter()).clock(new ManualClock(T0))
        .sleeper(d -> { }).build();
    assertThat(floor.apply(request(spec(ref, Mode.HPA_FLOOR, 1, 20), Mode.HPA_FLOOR, 2, 5))
        .isApplied()).isTrue();
    k8s.editHpa("orders-hpa", s -> s.setMinReplicas(7));

    floor.release(ref);

    V2HorizontalPodAutoscaler released = k8s.readHpa("orders-hpa");
    assertThat(released.getSpec().getMinReplicas()).isEqualTo(7);
    assertThat(annotations(released)).doesNotContainKeys(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION,
            HpaFloorExecutor.WRITTEN_FIELDS_ANNOTATION);
  }

  @Test
  void hpaFloorFailsClearlyWithoutAnHpa() throws ApiException {
    k8s.deployment("lonely", 2);
    WorkloadRef ref = WorkloadRef.deployment(k8s.namespace(), "lonely");
    HpaFloorExecutor floor = HpaFloorExecutor.builder(k8s.adapter()).sleeper(d -> { }).build();
    ScaleOutcome o = floor.apply(request(spec(ref, Mode.HPA_FLOOR, 1, 9), Mode.HPA_FLOOR, 2, 3));
    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(o.message()).contains("no HorizontalPodAutoscaler").contains("lonely");
  }

  @Test
  void scaleExecutorMeetsTheTestkitContract() throws ApiException {
    AtomicInteger n = new AtomicInteger();
    ScaleSubresourceExecutor executor = act();
    List<String> violations = ScaleExecutorContract.check(executor, () -> {
      String name = "contract-" + n.incrementAndGet();
      try {
        k8s.deployment(name, 3);
      } catch (ApiException e) {
        throw new IllegalStateException(e);
      }
      return spec(WorkloadRef.deployment(k8s.namespace(), name), Mode.ACT, 1, 12);
    }, ref -> {
      try {
        return OptionalInt.of(k8s.deploymentReplicas(ref.name()));
      } catch (ApiException e) {
        return OptionalInt.empty();
      }
    }, 42, 4);
    assertThat(violations).isEmpty();
    assertThat(ScaleExecutorContract.checkMissingWorkload(executor,
        spec(WorkloadRef.deployment(k8s.namespace(), "absent"), Mode.ACT, 1, 5))).isEmpty();
  }

  @Test
  void leaseHandsOverWhenTheLeaderStopsRenewingAndWhenItReleases() {
    ManualClock clock = new ManualClock(T0);
    String ns = KubeBackend.LEASE_NAMESPACE;
    String lease = "handover-" + Long.toHexString(System.identityHashCode(clock));
    LeaseElector a = LeaseElector.builder(k8s.adapter(), ns, lease, "replica-a").clock(clock)
        .ticker(clock::nanos).build();
    LeaseElector b = LeaseElector.builder(k8s.adapter(), ns, lease, "replica-b").clock(clock)
        .ticker(clock::nanos).build();

    assertThat(a.tryAcquireOrRenew()).isTrue();
    assertThat(b.tryAcquireOrRenew()).isFalse();
    assertThat(b.holder()).contains("replica-a");
    clock.advance(Duration.ofSeconds(8));
    assertThat(a.tryAcquireOrRenew()).isTrue();
    assertThat(b.tryAcquireOrRenew()).isFalse();

    // a stops renewing: its leadership ends at the renew deadline, b takes over at expiry.
    clock.advance(Duration.ofSeconds(11));
    assertThat(a.isLeader()).isFalse();
    assertThat(b.tryAcquireOrRenew()).as("lease seen unchanged for 11 s of 15").isFalse();
    clock.advance(Duration.ofSeconds(5));
    assertThat(b.tryAcquireOrRenew()).isTrue();
    assertThat(a.tryAcquireOrRenew()).isFalse();
    assertThat(a.holder()).contains("replica-b");

    // b releases on close: a takes over at once.
    b.close();
    assertThat(b.isLeader()).isFalse();
    assertThat(a.tryAcquireOrRenew()).isTrue();
    assertThat(a.isLeader()).isTrue();
    a.close();
  }

  /**
   * Each replica times its lease on its own monotonic ticker: a wall clock stepped back on the
   * leader (NTP, a VM restored from a snapshot) does not keep it leading, and one stepped forward
   * on the standby does not make it take over early. The tickers share no origin.
   */
  @Test
  void wallClockStepsChangeNeitherWhoLeadsNorWhenTheLeaseExpires() {
    ManualClock wallA = new ManualClock(T0);
    ManualClock wallB = new ManualClock(T0);
    AtomicLong tickerA = new AtomicLong(-5_000_000_000L);
    AtomicLong tickerB = new AtomicLong(987_654_321L);
    String lease = "stepped-" + Long.toHexString(System.identityHashCode(wallA));
    LeaseElector a = LeaseElector.builder(k8s.adapter(), KubeBackend.LEASE_NAMESPACE, lease,
        "replica-a").clock(wallA).ticker(tickerA::get).build();
    LeaseElector b = LeaseElector.builder(k8s.adapter(), KubeBackend.LEASE_NAMESPACE, lease,
        "replica-b").clock(wallB).ticker(tickerB::get).build();
    assertThat(a.tryAcquireOrRenew()).isTrue();
    assertThat(b.tryAcquireOrRenew()).isFalse();

    // a's renewals fail from now on, and NTP steps its wall clock back by a minute.
    wallA.advance(Duration.ofSeconds(-60));
    tickerA.addAndGet(Duration.ofMillis(9999).toNanos());
    assertThat(a.isLeader()).isTrue();
    tickerA.addAndGet(Duration.ofMillis(1).toNanos());
    assertThat(a.isLeader()).as("10 s on a's ticker: its renew deadline, whatever its wall clock")
        .isFalse();
    assertThat(a.guard(r -> ScaleOutcome.applied(r.to(), "applied"))
        .apply(request(spec(WorkloadRef.deployment(k8s.namespace(), "web"), Mode.ACT, 1, 9),
            Mode.ACT, 2, 3)).status()).isEqualTo(ScaleOutcome.Status.REFUSED);

    // b's wall clock jumps a minute ahead: the lease it saw 14 s ago on its ticker still runs.
    wallB.advance(Duration.ofSeconds(60));
    tickerB.addAndGet(Duration.ofSeconds(14).toNanos());
    assertThat(b.tryAcquireOrRenew()).isFalse();
    tickerB.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(b.tryAcquireOrRenew()).as("15 s on b's ticker").isTrue();
    tickerA.addAndGet(Duration.ofSeconds(6).toNanos());
    assertThat(a.isLeader() && b.isLeader()).as("two leaders").isFalse();
    assertThat(a.tryAcquireOrRenew()).isFalse();
    assertThat(a.holder()).contains("replica-b");
    b.close();
  }

  @Test
  void leaderGuardRefusesOnTheStandbyAndThrowsRatherThanReleaseThere() throws ApiException {
    ManualClock clock = new ManualClock(T0);
    String ns = KubeBackend.LEASE_NAMESPACE;
    LeaseElector leader = LeaseElector.builder(k8s.adapter(), ns, "guard", "leader").clock(clock)
        .ticker(clock::nanos).build();
    LeaseElector standby = LeaseElector.builder(k8s.adapter(), ns, "guard", "standby")
        .clock(clock).ticker(clock::nanos).build();
    assertThat(leader.tryAcquireOrRenew()).isTrue();
    assertThat(standby.tryAcquireOrRenew()).isFalse();
    k8s.deployment("guarded", 2);
    WorkloadSpec spec = spec(WorkloadRef.deployment(k8s.namespace(), "guarded"), Mode.ACT, 1, 9);
    AtomicInteger released = new AtomicInteger();
    ScaleSubresourceExecutor inner = act();
    dev.prescaler.core.ScaleExecutor counting = new dev.prescaler.core.ScaleExecutor() {
      @Override
      public ScaleOutcome apply(ScaleRequest r) {
        return inner.apply(r);
      }

      @Override
      public void release(WorkloadRef w) {
        released.incrementAndGet();
      }
    };

    ScaleOutcome refused = standby.guard(counting).apply(request(spec, Mode.ACT, 2, 3));
    assertThat(refused.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(refused.message()).contains("not the leader").contains("held by leader");
    assertThatThrownBy(() -> standby.guard(counting).release(spec.workload()))
        .as("a refused release must not look done, so that the engine sends it again")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not the leader").hasMessageEndingWith("release not sent");
    assertThat(released).hasValue(0);
    assertThat(k8s.deploymentReplicas("guarded")).isEqualTo(2);

    assertThat(leader.guard(counting).apply(request(spec, Mode.ACT, 2, 3)).isApplied()).isTrue();
    leader.guard(counting).release(spec.workload());
    assertThat(released).hasValue(1);
    assertThat(k8s.deploymentReplicas("guarded")).isEqualTo(3);
    leader.close();
  }

  private static Map<String, String> annotations(V2HorizontalPodAutoscaler hpa) {
    Map<String, String> a = hpa.getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  /**
   * Two replicas on a fresh Lease (15 s, deadline 10 s): a leads and has raised the floor of the
   * HPA of Deployment {@code name} (minReplicas 2 of 20) to 8, b stands by. After {@link
   * #slowNext()}, a's next {@code method} request waits in a slow API server: 16 s pass, b takes
   * the Lease over and does {@code meanwhile} with its own executor, then a's request goes on.
   */
  private static final class Handover {
    final ManualClock clock = new ManualClock(T0);
    final WorkloadRef ref;
    final WorkloadSpec spec;
    final LeaseElector a;
    final LeaseElector b;
    final HpaFloorExecutor floorA;
    final HpaFloorExecutor floorB;
    private final AtomicBoolean slow = new AtomicBoolean();

    Handover(String name, String method, Consumer<Handover> meanwhile) throws ApiException {
      k8s.deployment(name, 4);
      k8s.hpa(name + "-hpa", "Deployment", name, 2, 20, null);
      ref = WorkloadRef.deployment(k8s.namespace(), name);
      spec = spec(ref, Mode.HPA_FLOOR, 1, 20);
      String lease = name + "-" + Long.toHexString(System.identityHashCode(clock));
      a = LeaseElector.builder(k8s.adapter(), KubeBackend.LEASE_NAMESPACE, lease, "replica-a")
          .clock(clock).ticker(clock::nanos).build();
      b = LeaseElector.builder(k8s.adapter(), KubeBackend.LEASE_NAMESPACE, lease, "replica-b")
          .clock(clock).ticker(clock::nanos).build();
      floorB = HpaFloorExecutor.builder(k8s.adapter()).clock(clock).sleeper(d -> { }).build();
      floorA = HpaFloorExecutor.builder(k8s.adapter(chain -> {
        if (chain.request().method().equals(method) && slow.getAndSet(false)) {
          clock.advance(Duration.ofSeconds(16));
          assertThat(b.tryAcquireOrRenew()).as("a's lease seen unchanged for 16 s of 15")
              .isTrue();
          meanwhile.accept(this);
        }
        return chain.proceed(chain.request());
      })).clock(clock).sleeper(d -> { }).build();
      assertThat(a.tryAcquireOrRenew()).isTrue();
      assertThat(b.tryAcquireOrRenew()).isFalse();
      assertThat(a.guard(floorA).apply(request(spec, Mode.HPA_FLOOR, 4, 8)).isApplied())
          .isTrue();
    }

    /** A second later, while a still leads, its next request of the method is slow. */
    void slowNext() {
      clock.advance(Duration.ofSeconds(1));
      slow.set(true);
    }
  }

  /**
   * Replica a's floor call starts while it leads, then its HPA list waits past the renew deadline;
   * meanwhile b takes the Lease over and, on its first round, gives the HPA back (as the agent
   * does for a workload it does not hold in HPA-floor mode). The list returns: a's PATCH must not
   * raise the floor again behind b's back.
   */
  @Test
  void aFloorCallThatOutlivedTheLeaseSendsNoPatchOnceTheNextLeaderGaveTheHpaBack()
      throws ApiException {
    Handover h = new Handover("fenced", "GET", x -> x.b.guard(x.floorB).release(x.ref));
    assertThat(k8s.readHpa("fenced-hpa").getSpec().getMinReplicas()).isEqualTo(8);

    h.slowNext();
    ScaleOutcome late = h.a.guard(h.floorA).apply(request(h.spec, Mode.HPA_FLOOR, 4, 10));

    assertThat(late.status()).as(late.message()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(LeaseElector.refusedForNotLeading(late)).isTrue();
    assertThat(late.message()).contains("PATCH horizontalpodautoscalers.autoscaling "
        + k8s.namespace() + "/fenced-hpa not sent, nothing changed");
    V2HorizontalPodAutoscaler hpa = k8s.readHpa("fenced-hpa");
    assertThat(hpa.getSpec().getMinReplicas()).as("given back by b, not raised again by a")
        .isEqualTo(2);
    assertThat(annotations(hpa)).doesNotContainKeys(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION,
        HpaFloorExecutor.WRITTEN_FIELDS_ANNOTATION);
    h.b.close();
  }

  /**
   * Defaults (deadline 10 s, call timeout 5 s): a floor call starts 4 s after the last renewal,
   * with the margin the call timeout asks, then its HPA list takes 3 s in a slow API server. At
   * the PATCH, 3 s of leadership are left, less than the call timeout but more than none: the
   * call was granted its call timeout when it started, so the PATCH is sent and ends by then.
   * Then and again for the release: less than the call timeout left at its PUT, still sent.
   */
  @Test
  void aWriteOfACallStartedInTimeIsSentWithLessThanTheCallTimeoutOfLeadershipLeft()
      throws ApiException {
    k8s.deployment("margin", 4);
    k8s.hpa("margin-hpa", "Deployment", "margin", 2, 20, null);
    WorkloadRef ref = WorkloadRef.deployment(k8s.namespace(), "margin");
    WorkloadSpec spec = spec(ref, Mode.HPA_FLOOR, 1, 20);
    ManualClock clock = new ManualClock(T0);
    LeaseElector a = LeaseElector.builder(k8s.adapter(), KubeBackend.LEASE_NAMESPACE,
        "margin-" + Long.toHexString(System.identityHashCode(clock)), "replica-a").clock(clock)
        .ticker(clock::nanos).callTimeout(Duration.ofSeconds(5)).build();
    AtomicBoolean slowGet = new AtomicBoolean();
    HpaFloorExecutor floor = HpaFloorExecutor.builder(k8s.adapter(chain -> {
      if (chain.request().method().equals("GET") && slowGet.getAndSet(false)) {
        clock.advance(Duration.ofSeconds(3));
      }
      return chain.proceed(chain.request());
    })).clock(clock).sleeper(d -> { }).build();
    ScaleExecutor guarded = a.guard(floor);
    assertThat(a.tryAcquireOrRenew()).isTrue();

    clock.advance(Duration.ofSeconds(4)); // two renewals missed: 6 s left, 1 s over the timeout
    slowGet.set(true);
    ScaleOutcome raised = guarded.apply(request(spec, Mode.HPA_FLOOR, 4, 8));

    assertThat(a.isLeader()).as("3 s of leadership left").isTrue();
    assertThat(raised.isApplied()).as(raised.message()).isTrue();
    assertThat(k8s.readHpa("margin-hpa").getSpec().getMinReplicas()).isEqualTo(8);

    assertThat(a.tryAcquireOrRenew()).isTrue();
    clock.advance(Duration.ofSeconds(4));
    slowGet.set(true);
    guarded.release(ref);
    assertThat(k8s.readHpa("margin-hpa").getSpec().getMinReplicas()).as("released")
        .isEqualTo(2);
    a.close();
  }

  /**
   * Replica a's release meets a 409 because b took the Lease over and raised the floor while a's
   * PUT was on its way: a reads the HPA again but must not send its PUT again, which would undo
   * the floor of the replica that now leads.
   */
  @Test
  void aReleaseThatOutlivedTheLeaseDoesNotPutAgainAfterA409() throws ApiException {
    Handover h = new Handover("handed", "PUT", x -> assertThat(x.b.guard(x.floorB)
        .apply(request(x.spec, Mode.HPA_FLOOR, 4, 12)).isApplied()).isTrue());

    h.slowNext();
    assertThatThrownBy(() -> h.a.guard(h.floorA).release(h.ref))
        .as("a release stopped for not leading must not look done")
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("not the leader")
        .hasMessageContaining("PUT horizontalpodautoscalers.autoscaling " + k8s.namespace()
            + "/handed-hpa (release) not sent, nothing changed");

    V2HorizontalPodAutoscaler hpa = k8s.readHpa("handed-hpa");
    assertThat(hpa.getSpec().getMinReplicas()).as("b's floor").isEqualTo(12);
    assertThat(annotations(hpa)).containsKeys(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION,
        HpaFloorExecutor.WRITTEN_FIELDS_ANNOTATION);
    h.b.guard(h.floorB).release(h.ref);
    assertThat(k8s.readHpa("handed-hpa").getSpec().getMinReplicas()).isEqualTo(2);
    h.b.close();
  }

  @Test
  void shardedElectionSplitsShardsBetweenReplicasAndGatesByShard() {
    ManualClock clock = new ManualClock(T0);
    ShardedLeaderElection one = ShardedLeaderElection.builder(k8s.adapter(),
        KubeBackend.LEASE_NAMESPACE, "shard", "one").shards(4).maxShardsHeld(2).clock(clock)
        .ticker(clock::nanos).build();
    ShardedLeaderElection two = ShardedLeaderElection.builder(k8s.adapter(),
        KubeBackend.LEASE_NAMESPACE, "shard", "two").shards(4).maxShardsHeld(2).clock(clock)
        .ticker(clock::nanos).build();

    assertThat(one.tryAcquireOrRenew()).containsExactly(0, 1);
    assertThat(two.tryAcquireOrRenew()).containsExactly(2, 3);
    assertThat(one.acquisitions()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(5));
    assertThat(one.tryAcquireOrRenew()).containsExactly(0, 1);
    assertThat(two.tryAcquireOrRenew()).containsExactly(2, 3);
    assertThat(one.acquisitions()).as("renewals are no new term").isEqualTo(2);

    for (int i = 0; i < 20; i++) {
      WorkloadRef w = WorkloadRef.deployment("team-" + i, "svc");
      int shard = ShardedLeaderElection.shardOf(w, 4);
      assertThat(one.owns(w)).isEqualTo(shard < 2);
      assertThat(two.owns(w)).isEqualTo(shard >= 2);
    }
    one.close(); // frees shards 0 and 1
    assertThat(two.tryAcquireOrRenew()).as("a replica under its cap gets them first")
        .containsExactly(2, 3);
    for (int i = 0; i < 7; i++) {
      clock.advance(Duration.ofSeconds(2));
      assertThat(two.tryAcquireOrRenew()).as("after %s s", 2 * i + 2).containsExactly(2, 3);
    }
    // 16 s: the freed Leases' duration (1 s) and one more lease duration (15 s).
    clock.advance(Duration.ofSeconds(2));
    assertThat(two.tryAcquireOrRenew()).as("no replica under its cap took them: two does")
        .containsExactly(0, 1, 2, 3);
    two.close();
  }

  /** Rounds of {@code replicas} every 2 s for {@code span}; no shard has two leaders meanwhile. */
  private static void rounds(ManualClock clock, Duration span,
      ShardedLeaderElection... replicas) {
    rounds(clock, Duration.ofSeconds(2), span, replicas);
  }

  private static void rounds(ManualClock clock, Duration every, Duration span,
      ShardedLeaderElection... replicas) {
    for (Duration t = Duration.ZERO; t.compareTo(span) < 0; t = t.plus(every)) {
      clock.advance(every);
      for (ShardedLeaderElection r : replicas) {
        r.tryAcquireOrRenew();
      }
      Map<Integer, Integer> leaders = new HashMap<>();
      for (ShardedLeaderElection r : replicas) {
        r.held().forEach(shard -> leaders.merge(shard, 1, Integer::sum));
      }
      assertThat(leaders.values()).as("leaders per shard").allMatch(n -> n == 1);
    }
  }

  @Test
  void aReplicaAtItsCapTakesTheShardsOfADeadReplica() {
    ManualClock clock = new ManualClock(T0);
    ShardedLeaderElection.Builder b = ShardedLeaderElection.builder(k8s.adapter(),
        KubeBackend.LEASE_NAMESPACE, "dead", "one").shards(4).maxShardsHeld(2).clock(clock)
        .ticker(clock::nanos);
    ShardedLeaderElection one = b.build();
    ShardedLeaderElection two = ShardedLeaderElection.builder(k8s.adapter(),
        KubeBackend.LEASE_NAMESPACE, "dead", "two").shards(4).maxShardsHeld(2).clock(clock)
        .ticker(clock::nanos).build();
    assertThat(one.tryAcquireOrRenew()).containsExactly(0, 1);
    assertThat(two.tryAcquireOrRenew()).containsExactly(2, 3);

    // one dies: no more rounds, no close. Under its cap, two would take shards 0 and 1 after
    // the lease duration (15 s); at its cap it leaves them to others one more lease duration.
    rounds(clock, Duration.ofSeconds(28), two);
    assertThat(two.held()).containsExactly(2, 3);
    rounds(clock, Duration.ofSeconds(4), two);
    assertThat(two.held()).as("32 s after one's last renewal").containsExactly(0, 1, 2, 3);
    assertThat(one.held()).as("one's renew deadline has long passed").isEmpty();
    rounds(clock, Duration.ofSeconds(5), Duration.ofMinutes(10), two);
    assertThat(two.held()).containsExactly(0, 1, 2, 3);

    // one comes back under the same name: it appears in no Lease, so two keeps the surplus
    // until it stops; then one takes its cap at once, and the rest after two lease durations.
    ShardedLeaderElection back = b.build();
    rounds(clock, Duration.ofSeconds(5), Duration.ofMinutes(1), two, back);
    assertThat(back.held()).isEmpty();
    two.close();
    assertThat(back.tryAcquireOrRenew()).containsExactly(0, 1);
    rounds(clock, Duration.ofSeconds(20), back);
    assertThat(back.held()).containsExactly(0, 1, 2, 3);
    back.close();
  }

  @Test
  void replicasUnderTheirCapGetTheShardsOfADeadReplicaFirst() {
    ManualClock clock = new ManualClock(T0);
    ShardedLeaderElection[] r = new ShardedLeaderElection[3];
    String[] names = {"one", "two", "three"};
    for (int i = 0; i < 3; i++) {
      r[i] = ShardedLeaderElection.builder(k8s.adapter(), KubeBackend.LEASE_NAMESPACE, "first",
          names[i]).shards(4).maxShardsHeld(2).clock(clock).ticker(clock::nanos).build();
    }
    assertThat(r[0].tryAcquireOrRenew()).containsExactly(0, 1);
    assertThat(r[1].tryAcquireOrRenew()).containsExactly(2, 3);
    assertThat(r[2].tryAcquireOrRenew()).isEmpty();

    rounds(clock, Duration.ofSeconds(5), Duration.ofMinutes(2), r[1], r[2]); // one dies

    assertThat(r[1].held()).containsExactly(2, 3);
    assertThat(r[2].held()).containsExactly(0, 1);
    r[1].close();
    r[2].close();
  }

  @Test
  void aShardTakenBackIsANewTermInTheAcquisitions() {
    // The engine sends a floor only when it differs from the one it last sent: a replica that
    // takes a shard back must be able to tell, to make it send the shard's floors again.
    ManualClock clock = new ManualClock(T0);
    ShardedLeaderElection one = ShardedLeaderElection.builder(k8s.adapter(),
        KubeBackend.LEASE_NAMESPACE, "again", "one").shards(2).clock(clock)
        .ticker(clock::nanos).build();
    ShardedLeaderElection two = ShardedLeaderElection.builder(k8s.adapter(),
        KubeBackend.LEASE_NAMESPACE, "again", "two").shards(2).maxShardsHeld(1).clock(clock)
        .ticker(clock::nanos).build();
    assertThat(one.tryAcquireOrRenew()).containsExactly(0, 1);
    assertThat(two.tryAcquireOrRenew()).isEmpty();
    long before = one.acquisitions();
    clock.advance(Duration.ofSeconds(16)); // one stops renewing: two takes shard 0
    assertThat(two.tryAcquireOrRenew()).containsExactly(0);
    two.close(); // and gives it up
    assertThat(one.tryAcquireOrRenew()).containsExactly(0, 1);
    // Shard 0 is led anew; shard 1's Lease still names one, so nobody led it in between.
    assertThat(one.acquisitions()).as("shard 0 led anew").isEqualTo(before + 1);
    one.close();
  }

  @Test
  void replicasOfAMissingWorkloadIsEmpty() {
    Optional<ReplicaStatus> r = act().replicas(WorkloadRef.deployment(k8s.namespace(), "ghost"));
    assertThat(r).isEmpty();
  }
}
