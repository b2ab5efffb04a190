package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import io.kubernetes.client.openapi.ApiException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Validation of the adapter's small values and helpers. */
class ValuesTest {
  @Test
  void scalableResource_validatesEveryPart() {
    assertThat(new ScalableResource("Rollout", "argoproj.io", "v1alpha1", "rollouts")
        .resourceName()).isEqualTo("rollouts.argoproj.io");
    assertThat(ScalableResource.DEPLOYMENT.apiVersion()).isEqualTo("apps/v1");
    assertThatThrownBy(() -> new ScalableResource("ReplicationController", "", "v1",
        "replicationcontrollers")).hasMessage("group must be a non-empty DNS subdomain such as "
        + "apps (core-group resources are not supported), but was \"\"");
    assertThatThrownBy(() -> new ScalableResource("web", "apps", "v1", "webs"))
        .hasMessage("kind must be a Kubernetes kind such as Deployment, but was \"web\"");
    assertThatThrownBy(() -> new ScalableResource("Web", "apps", "1", "webs"))
        .hasMessage("version must look like v1, v2beta1 or v1alpha1, but was \"1\"");
    assertThatThrownBy(() -> new ScalableResource("Web", "apps", "v1", "Webs"))
        .hasMessage("plural must be a lower-case resource name such as deployments, but was "
            + "\"Webs\"");
  }

  @Test
  void shardedElection_validatesCounts() {
    var client = new io.kubernetes.client.openapi.ApiClient();
    assertThatThrownBy(() -> ShardedLeaderElection.builder(client, "prescaler", "s", "a")
        .shards(0)).hasMessage("shards must be in [1, 1024], but was 0");
    assertThatThrownBy(() -> ShardedLeaderElection.builder(client, "prescaler", "s", "a")
        .shards(2).maxShardsHeld(3).build())
        .hasMessage("maxShardsHeld must be <= shards (2), but was 3");
    assertThatThrownBy(() -> ShardedLeaderElection.shardOf(
        dev.prescaler.core.WorkloadRef.deployment("a", "b"), 0))
        .hasMessage("shards must be >= 1, but was 0");
  }

  @Test
  void sleeperUntilTickerWaitsUntilTheTickerHasMoved() throws InterruptedException {
    AtomicLong reads = new AtomicLong();
    // A ticker that moves 100 ms per read: the wait ends after the ticker passed the duration.
    Sleeper.untilTicker(() -> 100_000_000L * reads.getAndIncrement())
        .sleep(Duration.ofMillis(450));
    assertThat(reads.get()).isBetween(6L, 7L);
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> Sleeper.untilTicker(() -> 0L).sleep(Duration.ofSeconds(1)))
        .isInstanceOf(InterruptedException.class);
  }

  @Test
  void apiErrorsAreDescribedWithStatusResourceAndMessage() {
    ApiException io = new ApiException(new SocketTimeoutException("timeout"));
    assertThat(ApiCalls.describe(io, "deployments.apps a/b scale"))
        .isEqualTo("I/O error on deployments.apps a/b scale: SocketTimeoutException: timeout");
    ApiException empty = new ApiException(404, Map.of(), "");
    assertThat(ApiCalls.describe(empty, "x")).isEqualTo("HTTP 404 on x: no message from the "
        + "server");
    ApiException text = new ApiException(502, Map.of(), "bad gateway");
    assertThat(ApiCalls.describe(text, "x")).isEqualTo("HTTP 502 on x: bad gateway");
    ApiException retry = new ApiException(429, Map.of("retry-after", List.of("7")), "");
    assertThat(ApiCalls.retryAfter(retry)).contains(Duration.ofSeconds(7));
  }

  @Test
  void modeRoutingSendsEachModeToItsExecutor() {
    ScaleExecutor act = r -> ScaleOutcome.applied(r.to(), "act");
    ScaleExecutor floor = r -> ScaleOutcome.applied(r.to(), "floor");
    ModeRoutingExecutor m = new ModeRoutingExecutor(act, floor);
    var spec = dev.prescaler.core.WorkloadSpec.builder(
        dev.prescaler.core.WorkloadRef.deployment("a", "b")).maxReplicas(5)
        .metric(dev.prescaler.core.MetricTarget.utilization("cpu", 50)).build();
    Instant t = Instant.EPOCH;
    assertThat(m.apply(new dev.prescaler.core.ScaleRequest(spec, dev.prescaler.core.Mode.ACT, 1,
        2, List.of(), t)).message()).isEqualTo("act");
    assertThat(m.apply(new dev.prescaler.core.ScaleRequest(spec,
        dev.prescaler.core.Mode.HPA_FLOOR, 1, 2, List.of(), t)).message()).isEqualTo("floor");
  }
}
