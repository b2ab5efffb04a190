package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exact requests and injected errors of {@link ScaleSubresourceExecutor}, with mockwebserver3. */
class ScaleSubresourceExecutorWireTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final String HPAS = "/apis/autoscaling/v2/namespaces/default/"
      + "horizontalpodautoscalers";
  private static final String SCALE = "/apis/apps/v1/namespaces/default/deployments/web/scale";
  private static final String DEPLOYMENT = "/apis/apps/v1/namespaces/default/deployments/web";
  private static final ScalableResource ROLLOUTS =
      new ScalableResource("Rollout", "argoproj.io", "v1alpha1", "rollouts");
  private static final String ROLLOUT_SCALE =
      "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/web/scale";
  private static final WorkloadRef WEB = WorkloadRef.deployment("default", "web");

  private final Wire wire = new Wire();
  private final ManualClock clock = new ManualClock(T0);
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);
  private final List<Duration> sleeps = sleeper.sleeps;

  @AfterEach
  void stop() {
    wire.close();
  }

  /**
   * The read timeout of the tests whose answers stall: long enough that the requests answered at
   * once (the HPA list first, on a client that has not run yet) never reach it on a loaded machine.
   */
  private static final Duration STALL_TIMEOUT = Duration.ofSeconds(1);

  private ScaleSubresourceExecutor executor(Duration readTimeout) {
    return ScaleSubresourceExecutor.builder(wire.client(readTimeout)).clock(clock)
        .ticker(clock::nanos).sleeper(sleeper).build();
  }

  private ScaleSubresourceExecutor executor() {
    return executor(Duration.ofSeconds(5));
  }

  private static ScaleRequest act(WorkloadRef ref, int from, int to) {
    WorkloadSpec spec = WorkloadSpec.builder(ref).maxReplicas(20)
        .metric(MetricTarget.utilization("cpu", 70)).mode(Mode.ACT).build();
    return new ScaleRequest(spec, Mode.ACT, from, to, List.of(), T0);
  }

  private Wire noHpa() {
    return wire.json(200, Wire.emptyList("autoscaling/v2", "HorizontalPodAutoscalerList"));
  }

  @Test
  void patchesSpecReplicasWithTheObservedResourceVersionAsAJsonMergePatch() {
    noHpa().json(200, Wire.scale("web", 3, 3, "4711", "app=web"))
        .json(200, Wire.scale("web", 5, 3, "4712", "app=web"));

    ScaleOutcome o = executor().apply(act(WEB, 3, 5));

    assertThat(o.isApplied()).as(o.message()).isTrue();
    assertThat(((ScaleOutcome.Applied) o).replicas()).isEqualTo(5);
    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line).containsExactly("GET " + HPAS, "GET " + SCALE,
        "PATCH " + SCALE);
    RecordedRequest patch = rs.get(2);
    assertThat(patch.getHeaders().get("Content-Type")).startsWith("application/merge-patch+json");
    assertThat(patch.getBody().utf8())
        .isEqualTo("{\"metadata\":{\"resourceVersion\":\"4711\"},\"spec\":{\"replicas\":5}}");
    assertThat(sleeps).isEmpty();
  }

  /**
   * Catches an answer not read: a mutating admission webhook stored 4 for the 6 asked, and the
   * outcome said 6, so the engine's record had 6 pods asked for and applied while the cluster ran
   * 4. The count stored moved towards the ask, so the change was made: applied as 4, naming both.
   */
  @Test
  void aPatchTheServerStoredWithAnotherCountIsAppliedWithTheCountStoredNamingBoth() {
    noHpa().json(200, Wire.scale("web", 3, 3, "10", "app=web"))
        .json(200, Wire.scale("web", 4, 3, "11", "app=web"));
    ScaleSubresourceExecutor e = executor(); // the HPA list is kept for the rest

    ScaleOutcome up = e.apply(act(WEB, 3, 6));

    assertThat(up.isApplied()).as(up.message()).isTrue();
    assertThat(((ScaleOutcome.Applied) up).replicas()).isEqualTo(4);
    assertThat(up.message()).isEqualTo("PATCH deployments.apps default/web scale spec.replicas "
        + "3 -> 6 (resourceVersion 10): the server stored 4, not the 6 asked for (a mutating "
        + "admission webhook or policy changed it)");
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "GET " + SCALE, "PATCH " + SCALE);

    // A scale-down the server cut short (6 -> 3 stored as 4), and one it took further (5).
    wire.json(200, Wire.scale("web", 6, 6, "12", "app=web"))
        .json(200, Wire.scale("web", 4, 6, "13", "app=web"));
    ScaleOutcome down = e.apply(act(WEB, 6, 3));
    assertThat(((ScaleOutcome.Applied) down).replicas()).as(down.message()).isEqualTo(4);
    assertThat(down.message()).endsWith("the server stored 4, not the 3 asked for (a mutating "
        + "admission webhook or policy changed it)");
    wire.json(200, Wire.scale("web", 3, 3, "14", "app=web"))
        .json(200, Wire.scale("web", 8, 3, "15", "app=web"));
    ScaleOutcome past = e.apply(act(WEB, 3, 5));
    assertThat(((ScaleOutcome.Applied) past).replicas()).as(past.message()).isEqualTo(8);
  }

  /**
   * Catches a PATCH the server stored at the count it was (the webhook held it at 4 for the 6
   * asked again), or moved the other way, reported as applied: the change decided was not made.
   */
  @Test
  void aPatchTheServerKeptAtTheCountItWasOrMovedTheOtherWayIsRefusedNamingBoth() {
    noHpa().json(200, Wire.scale("web", 4, 4, "11", "app=web"))
        .json(200, Wire.scale("web", 4, 4, "11", "app=web"));
    ScaleSubresourceExecutor e = executor(); // the HPA list is kept for the rest

    ScaleOutcome kept = e.apply(act(WEB, 4, 6));

    assertThat(kept.status()).as(kept.message()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(kept.message()).isEqualTo("PATCH deployments.apps default/web scale spec.replicas "
        + "4 -> 6 (resourceVersion 11): the server kept 4, not the 6 asked for (a mutating "
        + "admission webhook or policy set it back): nothing changed; re-read and decide again "
        + "next tick");

    wire.json(200, Wire.scale("web", 3, 3, "12", "app=web"))
        .json(200, Wire.scale("web", 2, 3, "13", "app=web"));
    ScaleOutcome away = e.apply(act(WEB, 3, 6));
    assertThat(away.status()).as(away.message()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(away.message()).endsWith("(resourceVersion 12): the server stored 2, not the 6 "
        + "asked for (a mutating admission webhook or policy changed it): not the change "
        + "decided, not counted as one; re-read and decide again next tick");
  }

  /** An answer to the PATCH that is no readable Scale counts as the count sent, as before. */
  @Test
  void aPatchAnswerThatIsNoScaleIsTheCountSent() {
    noHpa().json(200, Wire.scale("web", 3, 3, "10", "app=web"))
        .json(200, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\"}");

    ScaleOutcome o = executor().apply(act(WEB, 3, 6));

    assertThat(((ScaleOutcome.Applied) o).replicas()).as(o.message()).isEqualTo(6);
    assertThat(o.message()).isEqualTo("PATCH deployments.apps default/web scale spec.replicas "
        + "3 -> 6 (resourceVersion 10)");
  }

  @Test
  void aConflictIsRefusedAndNothingIsOverwritten() {
    noHpa().json(200, Wire.scale("web", 3, 3, "10", "app=web"))
        .status(409, "Conflict", "Operation cannot be fulfilled on deployments.apps \"web\": "
            + "the object has been modified");

    ScaleOutcome o = executor().apply(act(WEB, 3, 6));

    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(o.message()).contains("changed by someone else").contains("409")
        .contains("decide again next tick");
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "GET " + SCALE, "PATCH " + SCALE);
  }

  @Test
  void notFoundFailsNamingStatusResourceAndServerMessageWithoutPatching() {
    noHpa().status(404, "NotFound", "deployments.apps \"web\" not found");

    ScaleOutcome o = executor().apply(act(WEB, 3, 6));

    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(o.message()).isEqualTo("HTTP 404 NotFound on deployments.apps default/web scale: "
        + "deployments.apps \"web\" not found; nothing changed");
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "GET " + SCALE);
  }

  @Test
  void unprocessableAndForbiddenFailWithTheirStatus() {
    noHpa().json(200, Wire.scale("web", 3, 3, "10", "app=web"))
        .status(422, "Invalid", "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid "
            + "value: -1");
    ScaleOutcome invalid = executor().apply(act(WEB, 3, 6));
    assertThat(invalid.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(invalid.message()).startsWith("HTTP 422 Invalid on deployments.apps default/web "
        + "scale: Scale.autoscaling \"web\" is invalid");

    wire.status(403, "Forbidden", "horizontalpodautoscalers.autoscaling is forbidden: User "
        + "\"system:serviceaccount:prescaler:prescaler\" cannot list resource");
    ScaleOutcome forbidden = executor().apply(act(WEB, 3, 6));
    assertThat(forbidden.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(forbidden.message()).contains("HTTP 403 Forbidden")
        .contains("horizontalpodautoscalers.autoscaling in default").contains("cannot list");
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "GET " + SCALE, "PATCH " + SCALE, "GET " + HPAS);
  }

  @Test
  void serverErrorsAreRetriedWithCappedExponentialBackoff() {
    noHpa().json(200, Wire.scale("web", 2, 2, "7", "app=web"))
        .status(500, "InternalError", "etcdserver: request timed out")
        .status(503, "ServiceUnavailable", "the server is currently unable to handle the request")
        .json(200, Wire.scale("web", 4, 2, "8", "app=web"));

    ScaleOutcome o = executor().apply(act(WEB, 2, 4));

    assertThat(o.isApplied()).as(o.message()).isTrue();
    assertThat(sleeps).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "GET " + SCALE, "PATCH " + SCALE, "PATCH " + SCALE, "PATCH " + SCALE);
  }

  @Test
  void serverErrorsOnEveryTryOfThePatchGiveUpSayingItMayHaveBeenApplied() {
    noHpa().json(200, Wire.scale("web", 2, 2, "7", "app=web"));
    for (int i = 0; i < 4; i++) {
      wire.status(500, "InternalError", "boom " + i);
    }
    ScaleOutcome o = executor().apply(act(WEB, 2, 4));
    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    // A 500 ("etcdserver: request timed out") can come after the write was committed.
    assertThat(o.message()).contains("HTTP 500 InternalError").contains("boom 3")
        .contains("after 4 tries").endsWith("so the change may have been applied: re-read next "
            + "tick");
    assertThat(sleeps).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400),
        Duration.ofMillis(800));
  }

  @Test
  void retriesStopAtTheBudget() {
    RetryPolicy tight = new RetryPolicy(10, Duration.ofSeconds(1), Duration.ofSeconds(4),
        Duration.ofSeconds(3));
    ScaleSubresourceExecutor e = ScaleSubresourceExecutor.builder(wire.client()).clock(clock)
        .ticker(clock::nanos).retry(tight).detectHpaConflicts(false).sleeper(d -> {
          sleeps.add(d);
          clock.advance(d);
        }).build();
    for (int i = 0; i < 5; i++) {
      wire.status(503, "ServiceUnavailable", "down");
    }
    ScaleOutcome o = e.apply(act(WEB, 2, 4));
    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    // 1 s + 2 s fit in 3 s; the next wait of 4 s would not.
    assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(o.message()).contains("after 3 tries");
  }

  @Test
  void tooManyRequestsWaitsRetryAfterWhenItFitsTheBudget() {
    noHpa().json(200, Wire.scale("web", 2, 2, "7", "app=web")).tooManyRequests(1)
        .json(200, Wire.scale("web", 3, 2, "8", "app=web"));
    ScaleOutcome o = executor().apply(act(WEB, 2, 3));
    assertThat(o.isApplied()).as(o.message()).isTrue();
    assertThat(sleeps).containsExactly(Duration.ofSeconds(1));
  }

  @Test
  void tooManyRequestsBeyondTheBudgetFailsAndHoldsOffUntilRetryAfter() {
    noHpa().json(200, Wire.scale("web", 2, 2, "7", "app=web")).tooManyRequests(60);
    ScaleSubresourceExecutor e = executor();

    ScaleOutcome o = e.apply(act(WEB, 2, 3));
    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(o.message()).contains("HTTP 429 TooManyRequests").contains("no request before "
        + T0.plusSeconds(60));
    assertThat(sleeps).isEmpty();
    assertThat(wire.requests()).hasSize(3);

    clock.advance(Duration.ofSeconds(30));
    ScaleOutcome held = e.apply(act(WEB, 2, 3));
    assertThat(held.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(held.message()).contains("rate limit");
    assertThat(wire.requests()).isEmpty();

    clock.advance(Duration.ofSeconds(30));
    noHpa().json(200, Wire.scale("web", 2, 2, "9", "app=web"))
        .json(200, Wire.scale("web", 3, 2, "10", "app=web"));
    assertThat(e.apply(act(WEB, 2, 3)).isApplied()).isTrue();
  }

  @Test
  void theHoldAfterATooManyRequestsIsTimedOnTheTickerWhateverTheWallClockDoes() {
    AtomicLong nanos = new AtomicLong();
    ScaleSubresourceExecutor e = ScaleSubresourceExecutor.builder(wire.client()).clock(clock)
        .ticker(nanos::get).sleeper(sleeper).hpaCacheTtl(Duration.ZERO).build();
    noHpa().json(200, Wire.scale("web", 2, 2, "7", "app=web")).tooManyRequests(60);
    assertThat(e.apply(act(WEB, 2, 3)).status()).isEqualTo(ScaleOutcome.Status.FAILED);
    wire.requests();

    // 30 s later on the ticker, the wall clock stepped an hour back: still held.
    nanos.addAndGet(Duration.ofSeconds(30).toNanos());
    clock.advance(Duration.ofHours(-1));
    ScaleOutcome held = e.apply(act(WEB, 2, 3));
    assertThat(held.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(held.message()).contains("rate limit");

    // 60 s after the 429 the hold is over, though the wall clock is still an hour behind it.
    nanos.addAndGet(Duration.ofSeconds(30).toNanos());
    noHpa().json(200, Wire.scale("web", 2, 2, "8", "app=web"))
        .json(200, Wire.scale("web", 3, 2, "9", "app=web"));
    ScaleOutcome after = e.apply(act(WEB, 2, 3));
    assertThat(after.isApplied()).as(after.message()).isTrue();
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "GET " + SCALE, "PATCH " + SCALE);

    // A new 429, then the wall clock stepped two hours forward 10 s later: the hold still runs.
    noHpa().json(200, Wire.scale("web", 3, 3, "10", "app=web")).tooManyRequests(60);
    assertThat(e.apply(act(WEB, 3, 4)).status()).isEqualTo(ScaleOutcome.Status.FAILED);
    wire.requests();
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    clock.advance(Duration.ofHours(2));
    ScaleOutcome stillHeld = e.apply(act(WEB, 3, 4));
    assertThat(stillHeld.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(stillHeld.message()).contains("rate limit").contains("(PT50S left)");
    assertThat(wire.requests()).isEmpty();
    assertThat(sleeps).isEmpty();
  }

  @Test
  void aTimedOutPatchWhoseRetryConflictsIsAppliedWhenAReReadShowsTheCount() {
    noHpa().json(200, Wire.scale("web", 2, 2, "7", "app=web")).stall()
        .status(409, "Conflict", "the object has been modified")
        .json(200, Wire.scale("web", 5, 2, "8", "app=web"));
    ScaleOutcome o = executor(STALL_TIMEOUT).apply(act(WEB, 2, 5));
    assertThat(o.isApplied()).as(o.message()).isTrue();
    assertThat(o.message()).contains("confirmed by a re-read");
    assertThat(sleeps).containsExactly(Duration.ofMillis(200));
  }

  @Test
  void aTimedOutPatchWhoseRetryConflictsIsRefusedWhenTheReReadShowsAnotherCount() {
    noHpa().json(200, Wire.scale("web", 2, 2, "7", "app=web")).stall()
        .status(409, "Conflict", "the object has been modified")
        .json(200, Wire.scale("web", 9, 2, "8", "app=web"));
    ScaleOutcome o = executor(STALL_TIMEOUT).apply(act(WEB, 2, 5));
    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(o.message()).contains("changed by someone else");
  }

  /**
   * Catches a late try that a mutating admission webhook cut short reported as someone else's
   * change: 2 -> 5 timed out, its retry got a 409, and the re-read showed 3 (the webhook stored 3
   * for the try that got through); the outcome said "changed by someone else", so the engine
   * counted no scale where 2 -> 3 was made. As for a PATCH's answer, a count moved towards the
   * ask and short of it is applied with that count, naming both, and a scale-down alike.
   */
  @Test
  void aTimedOutPatchWhoseRetryConflictsIsAppliedWithTheCountAReReadShowsShortOfTheAsk() {
    noHpa().json(200, Wire.scale("web", 2, 2, "7", "app=web")).stall()
        .status(409, "Conflict", "the object has been modified")
        .json(200, Wire.scale("web", 3, 2, "8", "app=web"));
    ScaleSubresourceExecutor e = executor(STALL_TIMEOUT); // the HPA list is kept for the rest
    ScaleOutcome up = e.apply(act(WEB, 2, 5));
    assertThat(up.isApplied()).as(up.message()).isTrue();
    assertThat(((ScaleOutcome.Applied) up).replicas()).isEqualTo(3);
    assertThat(up.message()).isEqualTo("PATCH deployments.apps default/web scale spec.replicas "
        + "2 -> 5 (applied by a try that timed out; confirmed by a re-read): the server stored 3, "
        + "not the 5 asked for (a mutating admission webhook or policy changed it)");
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "GET " + SCALE, "PATCH " + SCALE, "PATCH " + SCALE, "GET " + SCALE);

    wire.json(200, Wire.scale("web", 8, 8, "9", "app=web")).stall()
        .status(409, "Conflict", "the object has been modified")
        .json(200, Wire.scale("web", 6, 8, "10", "app=web"));
    ScaleOutcome down = e.apply(act(WEB, 8, 4));
    assertThat(((ScaleOutcome.Applied) down).replicas()).as(down.message()).isEqualTo(6);
    assertThat(down.message()).endsWith("confirmed by a re-read): the server stored 6, not the 4 "
        + "asked for (a mutating admission webhook or policy changed it)");
  }

  @Test
  void aTimedOutPatchFollowedByServerErrorsIsNotReportedAsNothingChanged() {
    noHpa().json(200, Wire.scale("web", 2, 2, "7", "app=web")).stall();
    for (int i = 0; i < 3; i++) {
      wire.status(503, "ServiceUnavailable", "the server is currently unable to handle it");
    }
    ScaleOutcome o = executor(STALL_TIMEOUT).apply(act(WEB, 2, 5));
    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(o.message()).isEqualTo("HTTP 503 ServiceUnavailable on deployments.apps default/web "
        + "scale: the server is currently unable to handle it (after 4 tries); a try timed out or "
        + "met a server error, so the change may have been applied: re-read next tick");
  }

  @Test
  void aTimedOutPatchWhoseRetryConflictsAndWhoseReReadFailsMayHaveBeenApplied() {
    noHpa().json(200, Wire.scale("web", 2, 2, "7", "app=web")).stall()
        .status(409, "Conflict", "the object has been modified")
        .status(403, "Forbidden", "cannot get deployments/scale");
    ScaleOutcome o = executor(STALL_TIMEOUT).apply(act(WEB, 2, 5));
    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(o.message()).isEqualTo("deployments.apps default/web scale: HTTP 409 Conflict after "
        + "a try that timed out or met a server error, and the re-read failed (HTTP 403 Forbidden "
        + "on deployments.apps default/web scale: cannot get deployments/scale), so the change may "
        + "have been applied: re-read next tick");
  }

  @Test
  void timeoutsOnEveryTryFailAsIoErrors() {
    noHpa();
    for (int i = 0; i < 4; i++) {
      wire.stall();
    }
    ScaleOutcome o = executor(STALL_TIMEOUT).apply(act(WEB, 2, 5));
    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(o.message()).contains("I/O error on deployments.apps default/web scale")
        .contains("SocketTimeoutException").contains("nothing changed");
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "GET " + SCALE, "GET " + SCALE, "GET " + SCALE, "GET " + SCALE);
  }

  @Test
  void anHpaTargetingTheWorkloadRefusesWithoutTouchingTheScale() {
    wire.json(200, "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscalerList\","
        + "\"metadata\":{},\"items\":[{\"apiVersion\":\"autoscaling/v2\",\"kind\":"
        + "\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":\"web-hpa\",\"namespace\":"
        + "\"default\"},\"spec\":{\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":"
        + "\"Deployment\",\"name\":\"web\"},\"minReplicas\":2,\"maxReplicas\":10}}]}");
    ScaleOutcome o = executor().apply(act(WEB, 2, 5));
    assertThat(o.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(o.message()).isEqualTo("HorizontalPodAutoscaler default/web-hpa also targets "
        + "Deployment web: acting directly would fight it; use Mode.HPA_FLOOR (HpaFloorExecutor) "
        + "to steer the HPA instead");
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS);
  }

  @Test
  void anUnreadableHpaListFailsNamingTheConflictCheckAndTouchesNothing() {
    ScaleSubresourceExecutor e = ScaleSubresourceExecutor.builder(wire.client()).clock(clock)
        .ticker(clock::nanos).sleeper(sleeper).hpaCacheTtl(Duration.ZERO).build();
    for (String body : List.of("<html>proxy</html>", "null",
        "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{},\"items\":[]}")) {
      wire.json(200, body);
      ScaleOutcome o = e.apply(act(WEB, 3, 5));
      assertThat(o.status()).as(body).isEqualTo(ScaleOutcome.Status.FAILED);
      assertThat(o.message()).as(body).startsWith("HTTP 200 on horizontalpodautoscalers"
          + ".autoscaling in default (HPA conflict check): malformed answer")
          .endsWith("; nothing changed");
      assertThat(wire.requests()).extracting(Wire::line).as(body).containsExactly("GET " + HPAS);
    }
  }

  /**
   * Neither a scale nor a workload object is ever read as 0 replicas, nor as a negative count
   * (which threw from ReplicaStatus in replicas()): catches an object without the counts (an
   * empty one, a Status sent with 200), a spec or status that is not an object (read as an empty
   * one, so as 0) and a negative count, which the strict parser still let through.
   */
  @Test
  void anUnreadableScaleOrWorkloadFailsOrIsUnknownAndIsNeverTakenForZero() {
    String status200 = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
        + "\"status\":\"Success\",\"code\":200}";
    for (String body : List.of("<html>proxy</html>", "[]", "null", "{}", status200,
        "{\"kind\":\"Scale\",\"spec\":{\"replicas\":\"three\"}}",
        "{\"kind\":\"Scale\",\"spec\":\"x\"}",
        "{\"kind\":\"Scale\",\"spec\":{\"replicas\":-1}}",
        "{\"kind\":\"Scale\",\"spec\":{\"replicas\":3},\"status\":[]}",
        Wire.deployment("web", 3, 3, -1), Wire.deployment("web", -1, 0, 0))) {
      noHpa().json(200, body);
      ScaleOutcome o = executor().apply(act(WEB, 3, 5));
      assertThat(o.status()).as(body).isEqualTo(ScaleOutcome.Status.FAILED);
      assertThat(o.message()).as(body).startsWith("HTTP 200 on deployments.apps default/web "
          + "scale: malformed answer").endsWith("; nothing changed");
      assertThat(wire.requests()).extracting(Wire::line).as(body)
          .containsExactly("GET " + HPAS, "GET " + SCALE);

      wire.json(200, body);
      assertThat(executor().replicas(WEB)).as(body).isEmpty();
      assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + DEPLOYMENT);
    }
    // A Scale's metadata that is no object would lose the resourceVersion the patch is made on.
    noHpa().json(200, "{\"kind\":\"Scale\",\"metadata\":\"m\",\"spec\":{\"replicas\":3}}");
    assertThat(executor().apply(act(WEB, 3, 5)).message()).startsWith("HTTP 200 on deployments"
        + ".apps default/web scale: malformed answer: ").contains("metadata is not a JSON object");
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "GET " + SCALE);
    // The Scale omits a spec.replicas of 0 (omitempty); a Deployment always carries it.
    String zero = "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":"
        + "{\"resourceVersion\":\"9\"},\"spec\":{},\"status\":{\"replicas\":0}}";
    noHpa().json(200, zero).json(200, Wire.scale("web", 2, 0, "10", "app=web"));
    ScaleOutcome fromZero = executor().apply(act(WEB, 0, 2));
    assertThat(fromZero.isApplied()).as(fromZero.message()).isTrue();
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + HPAS,
        "GET " + SCALE, "PATCH " + SCALE);
    wire.json(200, zero.replace("Scale", "Deployment"));
    assertThat(executor().replicas(WEB)).isEmpty();
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + DEPLOYMENT);
    // A custom resource's counts come from its scale: a negative one is unreadable there too.
    ScaleSubresourceExecutor e = ScaleSubresourceExecutor.builder(wire.client()).clock(clock)
        .sleeper(d -> { }).resource(ROLLOUTS).build();
    WorkloadRef rollout = new WorkloadRef("default", "Rollout", "web");
    wire.json(200, Wire.scale("web", -1, 0, "3", "app=web"))
        .json(200, Wire.emptyList("v1", "PodList"));
    assertThat(e.replicas(rollout)).isEmpty();
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + ROLLOUT_SCALE);
  }

  // Caught "cannot read replicas: HTTP 404 …" at WARN on every tick for a misspelt workload:
  // the engine asks on every tick, 5,760 identical lines a day.
  @Test
  void aReplicaReadFailingTickAfterTickWarnsOnTheFirstAndEvery20th() {
    ScaleSubresourceExecutor e = executor();
    for (int i = 0; i < 40; i++) {
      wire.status(404, "NotFound", "deployments.apps \"web\" not found");
    }
    wire.json(200, Wire.deployment("web", 3, 3, 3));
    String log = Logs.stderrOf(() -> {
      for (int i = 0; i < 40; i++) {
        assertThat(e.replicas(WEB)).isEmpty();
      }
      assertThat(e.replicas(WEB)).isPresent();
    });
    String warn = "WARN dev.prescaler.k8s.ScaleSubresourceExecutor - default/web: cannot read "
        + "replicas";
    String why = ": HTTP 404 NotFound on deployments.apps default/web: deployments.apps \"web\" "
        + "not found";
    assertThat(Logs.at(log, "WARN")).hasSize(3).satisfiesExactly(
        l -> assertThat(l).endsWith(warn + why),
        l -> assertThat(l).endsWith(warn + " (20 in a row)" + why),
        l -> assertThat(l).endsWith(warn + " (40 in a row)" + why));
    assertThat(Logs.at(log, "INFO")).singleElement().asString().endsWith(
        "default/web: replicas read again, after 40 failed in a row");
    assertThat(wire.requests()).hasSize(41);
  }

  @Test
  void anyResourceWithAScaleSubresourceGoesThroughItsGroupVersionAndPlural() {
    ScaleSubresourceExecutor e = ScaleSubresourceExecutor.builder(wire.client()).clock(clock)
        .sleeper(d -> { }).detectHpaConflicts(false)
        .resource(new ScalableResource("Rollout", "argoproj.io", "v1alpha1", "rollouts")).build();
    WorkloadRef rollout = new WorkloadRef("default", "Rollout", "web");
    wire.json(200, Wire.scale("web", 1, 1, "3", "app=web"))
        .json(200, Wire.scale("web", 2, 1, "4", "app=web"));
    assertThat(e.apply(act(rollout, 1, 2)).isApplied()).isTrue();
    String path = "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/web/scale";
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + path,
        "PATCH " + path);
  }

  @Test
  void unknownKindsAndHpaFloorRequestsAreNotApplied() {
    ScaleOutcome unknown = executor().apply(act(new WorkloadRef("default", "Rollout", "web"), 1,
        2));
    assertThat(unknown.status()).isEqualTo(ScaleOutcome.Status.FAILED);
    assertThat(unknown.message()).contains("kind Rollout").contains("new ScalableResource");
    WorkloadSpec spec = WorkloadSpec.builder(WEB).maxReplicas(9)
        .metric(MetricTarget.utilization("cpu", 70)).mode(Mode.HPA_FLOOR).build();
    ScaleOutcome floor = executor().apply(new ScaleRequest(spec, Mode.HPA_FLOOR, 2, 3, List.of(),
        T0));
    assertThat(floor.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(floor.message()).contains("HpaFloorExecutor");
    assertThat(wire.requests()).isEmpty();
  }

  @Test
  void replicasOfADeploymentComeFromOneGetOfTheObjectWithReadyFromReadyReplicas() {
    // Five pods exist (the scale subresource's status.replicas would say 5), three are ready.
    wire.json(200, Wire.deployment("web", 5, 5, 3));

    assertThat(executor().replicas(WEB)).contains(ReplicaStatus.of(5, 3));
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + DEPLOYMENT);
  }

  @Test
  void replicasAreUnknownWhenTheApiFails() {
    wire.status(404, "NotFound", "deployments.apps \"web\" not found");
    assertThat(executor().replicas(WEB)).isEmpty();
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + DEPLOYMENT);

    for (int i = 0; i < 4; i++) {
      wire.status(503, "ServiceUnavailable", "the server is currently unable to handle it");
    }
    assertThat(executor().replicas(WEB)).isEmpty();
    assertThat(sleeps).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400),
        Duration.ofMillis(800));
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + DEPLOYMENT,
        "GET " + DEPLOYMENT, "GET " + DEPLOYMENT, "GET " + DEPLOYMENT);

    wire.stall().json(200, Wire.deployment("web", 4, 4, 4));
    assertThat(executor(STALL_TIMEOUT).replicas(WEB)).contains(ReplicaStatus.of(4, 4));
  }

  @Test
  void replicasOfACustomResourceCountItsReadyPodsThroughTheScaleSelector() {
    ScaleSubresourceExecutor e = ScaleSubresourceExecutor.builder(wire.client()).clock(clock)
        .sleeper(d -> { }).resource(ROLLOUTS).build();
    WorkloadRef rollout = new WorkloadRef("default", "Rollout", "web");
    // Four pods exist: two ready, one starting, one ready but terminating.
    wire.json(200, Wire.scale("web", 4, 4, "3", "app=web")).json(200, "{\"apiVersion\":\"v1\","
        + "\"kind\":\"PodList\",\"metadata\":{},\"items\":[" + pod("web-a", true, false) + ","
        + pod("web-b", true, false) + "," + pod("web-c", false, false) + ","
        + pod("web-d", true, true) + "]}");

    assertThat(e.replicas(rollout)).contains(ReplicaStatus.of(4, 2));
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + ROLLOUT_SCALE,
        "GET /api/v1/namespaces/default/pods?labelSelector=app%3Dweb");
  }

  @Test
  void replicasOfACustomResourceAreUnknownWithoutASelectorOrWhenThePodsCannotBeRead() {
    ScaleSubresourceExecutor e = ScaleSubresourceExecutor.builder(wire.client()).clock(clock)
        .sleeper(d -> { }).resource(ROLLOUTS).build();
    WorkloadRef rollout = new WorkloadRef("default", "Rollout", "web");
    wire.json(200, Wire.scale("web", 4, 4, "3", "").replace(",\"selector\":\"\"", ""));
    assertThat(e.replicas(rollout)).isEmpty();
    wire.json(200, Wire.scale("web", 4, 4, "3", "app=web")).json(200, "<html>proxy</html>");
    assertThat(e.replicas(rollout)).isEmpty();
    wire.json(200, Wire.scale("web", 4, 4, "3", "app=web"))
        .status(403, "Forbidden", "cannot list resource \"pods\"");
    assertThat(e.replicas(rollout)).isEmpty();
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + ROLLOUT_SCALE,
        "GET " + ROLLOUT_SCALE, "GET /api/v1/namespaces/default/pods?labelSelector=app%3Dweb",
        "GET " + ROLLOUT_SCALE, "GET /api/v1/namespaces/default/pods?labelSelector=app%3Dweb");
  }

  private static String pod(String name, boolean ready, boolean terminating) {
    return "{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\""
        + (terminating ? ",\"deletionTimestamp\":\"2026-11-29T09:59:00Z\"" : "")
        + ",\"labels\":{\"app\":\"web\"}},\"status\":{\"phase\":\"Running\",\"conditions\":"
        + "[{\"type\":\"Ready\",\"status\":\"" + (ready ? "True" : "False") + "\"}]}}";
  }

  @Test
  void theHpaListIsKeptForItsTtlOnTheTickerWhateverTheWallClockDoes() {
    AtomicLong nanos = new AtomicLong();
    ScaleSubresourceExecutor e = ScaleSubresourceExecutor.builder(wire.client()).clock(clock)
        .ticker(nanos::get).sleeper(sleeper).build(); // hpaCacheTtl: 30 s
    noHpa().json(200, Wire.scale("web", 3, 3, "1", "app=web"))
        .json(200, Wire.scale("web", 4, 3, "2", "app=web"));
    assertThat(e.apply(act(WEB, 3, 4)).isApplied()).isTrue();

    // 10 s later, the wall clock stepped an hour forward: the list is still fresh.
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    clock.advance(Duration.ofHours(1));
    wire.json(200, Wire.scale("web", 4, 4, "2", "app=web"))
        .json(200, Wire.scale("web", 5, 4, "3", "app=web"));
    assertThat(e.apply(act(WEB, 4, 5)).isApplied()).isTrue();

    // 31 s after the list, the wall clock stepped two hours back: the list is stale, listed anew.
    nanos.addAndGet(Duration.ofSeconds(21).toNanos());
    clock.advance(Duration.ofHours(-2));
    noHpa().json(200, Wire.scale("web", 5, 5, "3", "app=web"))
        .json(200, Wire.scale("web", 6, 5, "4", "app=web"));
    assertThat(e.apply(act(WEB, 5, 6)).isApplied()).isTrue();

    assertThat(wire.requests()).extracting(Wire::line).containsExactly(
        "GET " + HPAS, "GET " + SCALE, "PATCH " + SCALE,
        "GET " + SCALE, "PATCH " + SCALE,
        "GET " + HPAS, "GET " + SCALE, "PATCH " + SCALE);
  }

  @Test
  void builderRejectsAnOutOfRangeCacheTtl() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ScaleSubresourceExecutor
            .builder(wire.client()).hpaCacheTtl(Duration.ofMinutes(11)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hpaCacheTtl must be in [PT0S, PT10M], but was PT11M");
  }
}
