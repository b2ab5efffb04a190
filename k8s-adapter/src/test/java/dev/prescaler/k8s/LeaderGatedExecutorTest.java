package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leader guard's refusals, as a controller that counts refusals must tell them apart. */
class LeaderGatedExecutorTest {
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");
  private static final WorkloadSpec WEB = WorkloadSpec.builder(WorkloadRef.deployment("shop",
      "web")).maxReplicas(10).metric(MetricTarget.utilization("cpu", 70)).mode(Mode.ACT).build();
  private static final ScaleRequest REQUEST =
      new ScaleRequest(WEB, Mode.ACT, 2, 3, List.of(), T0);
  private static final ScaleExecutor APPLIES = r -> ScaleOutcome.applied(r.to(), "applied");

  @Test
  void aRefusalForNotLeadingIsRecognisedAndNoOtherOutcomeIs() {
    // A candidate that never acquired its Lease: the guard refuses without an API call.
    LeaseElector standby = LeaseElector.builder(new ApiClient(), "prescaler", "prescaler-agent",
        "agent-b").clock(new ManualClock(T0)).build();
    ScaleOutcome refused = standby.guard(APPLIES).apply(REQUEST);
    assertThat(refused.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(LeaseElector.refusedForNotLeading(refused)).isTrue();

    assertThat(LeaseElector.refusedForNotLeading(ScaleOutcome.refused(
        "HorizontalPodAutoscaler shop/web-hpa targets Deployment shop/web"))).isFalse();
    assertThat(LeaseElector.refusedForNotLeading(ScaleOutcome.refused(
        "API server rate limit (HTTP 429): no request before 2026-03-02T00:01:00Z"))).isFalse();
    assertThat(LeaseElector.refusedForNotLeading(ScaleOutcome.failed("not the leader")))
        .as("only a refusal").isFalse();
    assertThat(LeaseElector.refusedForNotLeading(ScaleOutcome.applied(3, "not the leader")))
        .isFalse();
  }

  @Test
  void everyGuardRefusalBeginsWithTheMarkerWhateverItsReason() {
    ScaleOutcome sharded = new LeaderGatedExecutor(APPLIES, w -> false,
        w -> "not the leader of " + w + "'s shard: lease prescaler/shard-1 is held by agent-a")
        .apply(REQUEST);
    assertThat(sharded.message()).startsWith("not the leader of shop/");
    assertThat(LeaseElector.refusedForNotLeading(sharded)).isTrue();

    ScaleOutcome other = new LeaderGatedExecutor(APPLIES, w -> false,
        w -> "shard 1 is not held here").apply(REQUEST);
    assertThat(other.message()).isEqualTo("not the leader: shard 1 is not held here");
    assertThat(LeaseElector.refusedForNotLeading(other)).isTrue();

    assertThat(new LeaderGatedExecutor(APPLIES, w -> true, w -> "unused").apply(REQUEST)
        .isApplied()).isTrue();
  }
}
