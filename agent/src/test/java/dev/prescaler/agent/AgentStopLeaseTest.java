package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.k8s.HpaFloorExecutor;
import dev.prescaler.k8s.KubeBackend;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.apis.AutoscalingV2Api;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V2CrossVersionObjectReference;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerSpec;
import io.kubernetes.client.openapi.models.V2MetricSpec;
import io.kubernetes.client.openapi.models.V2MetricTarget;
import io.kubernetes.client.openapi.models.V2ResourceMetricSource;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stop of a leading agent gives the HPAs back even when the Lease ran short while it waited for
 * the workload in flight.
 */
class AgentStopLeaseTest {
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");
  private KubeBackend kube;
  private AutoscalingV2Api hpas;
  private final ExecutorService helper = Executors.newCachedThreadPool();
  final CountDownLatch open = new CountDownLatch(1);
  final CountDownLatch reached = new CountDownLatch(1);
  volatile boolean gateOn;

  Interceptor gate = chain -> {
    if (gateOn && chain.request().url().encodedPath().endsWith("/web/scale")) {
      reached.countDown();
      try {
        open.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return chain.proceed(chain.request());
  };

  @BeforeEach
  void start() throws Exception {
    kube = KubeBackend.mock();
    hpas = new AutoscalingV2Api(kube.fixture());
    kube.deployment("web", 8);
    V2HorizontalPodAutoscaler left = new V2HorizontalPodAutoscaler()
        .apiVersion("autoscaling/v2").kind("HorizontalPodAutoscaler")
        .metadata(new V1ObjectMeta().name("web-hpa").namespace(kube.namespace())
            .annotations(Map.of(HpaFloorExecutor.ORIGINAL_SPEC_ANNOTATION, spec(2).toJson())))
        .spec(spec(8));
    hpas.createNamespacedHorizontalPodAutoscaler(kube.namespace(), left).execute();
  }

  @AfterEach
  void stop() {
    open.countDown();
    helper.shutdownNow();
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

  static void awaitBlocked(Thread t) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (t.getState() != Thread.State.BLOCKED) {
      assertThat(System.nanoTime() - deadline).isNegative();
      Thread.onSpinWait();
    }
  }

  /**
   * Catches the Lease renewed before close() waited for the workload in flight: with renewals
   * missed for 5 s on a slow API server and the workload in flight taking 6 s more, the fresh
   * renew deadline was spent on that wait, the guard refused the release at close ("ends in less
   * than the call timeout unless renewed first"), which is not tried again, and the HPA kept its
   * floor of 8 while the Lease was given up. Each release at close renews first when needed.
   */
  @Test
  void theReleaseAtCloseRenewsTheLeaseAfterTheWorkloadInFlight() throws Exception {
    ManualClock clock = new ManualClock(T0);
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
      assertThat(hpas.readNamespacedHorizontalPodAutoscaler("web-hpa", kube.namespace())
          .execute().getSpec().getMinReplicas()).isEqualTo(8);
      // Renewals fail for 5 s on a slow API server (as in the existing close test).
      clock.advance(Duration.ofSeconds(5));
      gateOn = true;
      Future<?> round = helper.submit(agent::runOnce);
      assertThat(reached.await(30, TimeUnit.SECONDS)).isTrue();
      Thread closer = new Thread(agent::close, "closer");
      closer.start();
      awaitBlocked(closer); // waiting for the workload in flight
      clock.advance(Duration.ofSeconds(6)); // the workload in flight takes 6 s more
      open.countDown();
      round.get(30, TimeUnit.SECONDS);
      closer.join(30_000);
      assertThat(closer.isAlive()).isFalse();
      assertThat(hpas.readNamespacedHorizontalPodAutoscaler("web-hpa", kube.namespace())
          .execute().getSpec().getMinReplicas()).as("released at close").isEqualTo(2);
    } finally {
      open.countDown();
      agent.close();
    }
  }
}
