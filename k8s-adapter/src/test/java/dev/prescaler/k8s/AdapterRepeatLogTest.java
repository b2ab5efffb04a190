package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.event.ScaledEvent;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the adapters log while a call fails tick after tick, probed as a review did: against the
 * fabric8 mock, with an interceptor answering 403 to the chosen requests, at 15 s a tick (240 an
 * hour).
 */
class AdapterRepeatLogTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final Duration TICK = Duration.ofSeconds(15);
  private static final String EVENTS_FORBIDDEN = "events.events.k8s.io is forbidden: User "
      + "\"system:serviceaccount:default:prescaler\" cannot create resource \"events\"";

  private final KubeBackend k8s = KubeBackend.mock();
  private final ManualClock clock = new ManualClock(T0);
  /** Whether the interceptor refuses the requests whose path contains {@link #refusedPath}. */
  private final AtomicBoolean refusing = new AtomicBoolean(true);
  private final AtomicInteger refused = new AtomicInteger();
  private volatile String refusedPath = "";

  @AfterEach
  void stop() {
    k8s.close();
  }

  /** Answers 403 Forbidden to the requests chosen, without sending them. */
  private Interceptor forbidding(String message) {
    return chain -> {
      if (!refusing.get() || !chain.request().url().encodedPath().contains(refusedPath)) {
        return chain.proceed(chain.request());
      }
      refused.incrementAndGet();
      String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
          + "\"message\":\"" + message.replace("\"", "\\\"") + "\",\"reason\":\"Forbidden\","
          + "\"code\":403}";
      return new Response.Builder().request(chain.request()).protocol(Protocol.HTTP_1_1)
          .code(403).message("Forbidden")
          .body(ResponseBody.create(body, MediaType.get("application/json"))).build();
    };
  }

  // Caught a WARN for every event not posted: a failed create keeps no series, so each tick's
  // repeat posted and warned again. 20 workloads whose /scale writes and Events both answer 403
  // logged 4,800 "could not record event ScaleFailed: HTTP 403" lines an hour.
  @Test
  void eventsRefusedForTwentyWorkloadsForAnHourWarnOnTheFirstTickAndEvery20th() {
    refusedPath = "/apis/events.k8s.io/";
    KubernetesEventListener l = KubernetesEventListener.builder(k8s.adapter(
        forbidding(EVENTS_FORBIDDEN)), "engine-0").clock(clock).build();
    List<WorkloadRef> workloads = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      workloads.add(WorkloadRef.deployment(k8s.namespace(), "app-" + i));
    }
    String log = Logs.stderrOf(() -> {
      for (int tick = 0; tick <= 240; tick++) {
        refusing.set(tick < 240);
        for (WorkloadRef w : workloads) {
          l.onScaled(new ScaledEvent(w, clock.instant(), Mode.ACT, 3, 5, List.of(),
              ScaleOutcome.failed("HTTP 403 Forbidden on deployments.apps " + w + " scale")));
        }
        clock.advance(TICK);
      }
    });
    assertThat(refused.get()).isEqualTo(20 * 240);
    List<String> warns = Logs.at(log, "WARN");
    // The first failed post, then the first of ticks 20, 40, ..., 240 with the count of posts.
    assertThat(warns).hasSize(13);
    String why = ": HTTP 403 Forbidden on events.events.k8s.io in " + k8s.namespace() + ": "
        + EVENTS_FORBIDDEN;
    assertThat(warns.get(0)).endsWith("WARN dev.prescaler.k8s.KubernetesEventListener - "
        + k8s.namespace() + "/app-0: could not record event ScaleFailed in " + k8s.namespace()
        + why);
    assertThat(warns.get(1)).endsWith("/app-0: could not record event ScaleFailed in "
        + k8s.namespace() + " (381 in a row)" + why);
    assertThat(warns.get(12)).endsWith("/app-0: could not record event ScaleFailed in "
        + k8s.namespace() + " (4781 in a row)" + why);
    assertThat(Logs.at(log, "INFO")).singleElement().asString().endsWith(
        "KubernetesEventListener - events recorded again in " + k8s.namespace() + ", after 4800 "
        + "failed posts in a row");
    assertThat(l.trackedSeries()).isEqualTo(20);
    assertThat(l.trackedFailures()).isZero();
  }

  // Caught one run of failed posts for the whole listener, ended by any post that succeeded: with
  // Events refused in one namespace only (a RoleBinding per namespace, a namespaced quota), a
  // post in another namespace ended the run on every tick, so an hour logged 240 WARN lines and
  // 239 INFO lines "events recorded again, after 1 failed posts in a row" that were not true.
  @Test
  void eventsRefusedInOneNamespaceOnlyWarnOnItsFirstTickAndEvery20th() {
    refusedPath = "/namespaces/batch/";
    KubernetesEventListener l = KubernetesEventListener.builder(k8s.adapter(
        forbidding(EVENTS_FORBIDDEN)), "engine-0").clock(clock).build();
    WorkloadRef web = WorkloadRef.deployment("shop", "web");
    WorkloadRef worker = WorkloadRef.deployment("batch", "worker");
    String log = Logs.stderrOf(() -> {
      for (int tick = 0; tick < 240; tick++) {
        l.onScaled(new ScaledEvent(web, clock.instant(), Mode.ACT, 3, 5, List.of(),
            ScaleOutcome.refused("HorizontalPodAutoscaler shop/web also targets it")));
        l.onScaled(new ScaledEvent(worker, clock.instant(), Mode.ACT, 2, 4, List.of(),
            ScaleOutcome.failed("HTTP 403 Forbidden on deployments.apps batch/worker scale")));
        clock.advance(TICK);
      }
      assertThat(l.trackedFailures()).isEqualTo(1);
      refusing.set(false);
      l.onScaled(new ScaledEvent(worker, clock.instant(), Mode.ACT, 2, 4, List.of(),
          ScaleOutcome.failed("HTTP 403 Forbidden on deployments.apps batch/worker scale")));
    });
    assertThat(refused.get()).isEqualTo(240);
    List<String> warns = Logs.at(log, "WARN");
    assertThat(warns).hasSize(13);
    String why = ": HTTP 403 Forbidden on events.events.k8s.io in batch: " + EVENTS_FORBIDDEN;
    assertThat(warns.get(0)).endsWith(
        "batch/worker: could not record event ScaleFailed in batch" + why);
    assertThat(warns.get(1)).endsWith(
        "batch/worker: could not record event ScaleFailed in batch (20 in a row)" + why);
    assertThat(warns.get(12)).endsWith(
        "batch/worker: could not record event ScaleFailed in batch (240 in a row)" + why);
    assertThat(Logs.at(log, "INFO")).singleElement().asString().endsWith(
        "KubernetesEventListener - events recorded again in batch, after 240 failed posts in a "
        + "row");
    assertThat(l.trackedFailures()).isZero();
  }

  // The count of a namespace whose posts only ever fail is dropped three hours after its last
  // failure, at the next failed post anywhere: the counts kept cannot grow with namespaces that
  // come and go.
  @Test
  void theCountOfANamespaceWithoutFailuresForThreeHoursIsDropped() {
    refusedPath = "/apis/events.k8s.io/";
    KubernetesEventListener l = KubernetesEventListener.builder(k8s.adapter(
        forbidding(EVENTS_FORBIDDEN)), "engine-0").clock(clock).build();
    WorkloadRef gone = WorkloadRef.deployment("preview-1", "web");
    WorkloadRef worker = WorkloadRef.deployment("batch", "worker");
    String log = Logs.stderrOf(() -> {
      l.onScaled(new ScaledEvent(gone, clock.instant(), Mode.ACT, 3, 5, List.of(),
          ScaleOutcome.failed("HTTP 404 NotFound on deployments.apps preview-1/web scale")));
      l.onScaled(new ScaledEvent(worker, clock.instant(), Mode.ACT, 2, 4, List.of(),
          ScaleOutcome.failed("HTTP 403 Forbidden on deployments.apps batch/worker scale")));
      assertThat(l.trackedFailures()).isEqualTo(2);
      clock.advance(Duration.ofMinutes(181));
      l.onScaled(new ScaledEvent(worker, clock.instant(), Mode.ACT, 2, 4, List.of(),
          ScaleOutcome.failed("HTTP 403 Forbidden on deployments.apps batch/worker scale")));
    });
    assertThat(l.trackedFailures()).isEqualTo(1);
    // batch's own count, three hours old, is dropped too: its next failure warns anew.
    assertThat(Logs.at(log, "WARN")).hasSize(3);
  }

  private static final String DEPLOYMENT_FORBIDDEN = "deployments.apps \"web\" is forbidden: User "
      + "\"system:serviceaccount:default:prescaler\" cannot get resource \"deployments\"";

  private ScaleSubresourceExecutor executor() throws Exception {
    return executorBuilder().build();
  }

  private ScaleSubresourceExecutor.Builder executorBuilder() throws Exception {
    k8s.deployment("web", 3);
    refusedPath = "/deployments/web";
    return ScaleSubresourceExecutor.builder(k8s.adapter(forbidding(DEPLOYMENT_FORBIDDEN)))
        .clock(clock).ticker(clock::nanos).sleeper(d -> { });
  }

  // Caught a namespace whose Events always fail warning on every tick at a 1 h sync period: its
  // count was dropped an hour after its last failure, so before each tick's post.
  @Test
  void atAnHourlySyncTheCountOfAFailingNamespaceLastsFromTickToTick() {
    refusedPath = "/apis/events.k8s.io/";
    KubernetesEventListener l = KubernetesEventListener.builder(k8s.adapter(
        forbidding(EVENTS_FORBIDDEN)), "engine-0").clock(clock).build();
    WorkloadRef worker = WorkloadRef.deployment("batch", "worker");
    String log = Logs.stderrOf(() -> {
      for (int i = 0; i < 24; i++) {
        l.onScaled(new ScaledEvent(worker, clock.instant(), Mode.ACT, 2, 4, List.of(),
            ScaleOutcome.failed("HTTP 403 Forbidden on deployments.apps batch/worker scale")));
        clock.advance(Duration.ofHours(1).plusSeconds(2)); // a fixed delay after a tick
      }
    });
    assertThat(Logs.at(log, "WARN")).hasSize(2); // the first, and the first of the 20th tick
  }

  /** Five ticks whose replica read is refused. */
  private void fiveRefusedReads(ScaleSubresourceExecutor e, WorkloadRef web) {
    refusing.set(true);
    for (int i = 0; i < 5; i++) {
      assertThat(e.replicas(web)).isEmpty();
      clock.advance(TICK);
    }
  }

  private String cannotRead(WorkloadRef web) {
    return "WARN dev.prescaler.k8s.ScaleSubresourceExecutor - " + web + ": cannot read replicas: "
        + "HTTP 403 Forbidden on deployments.apps " + web + ": " + DEPLOYMENT_FORBIDDEN;
  }

  // Caught the second outage's cause at DEBUG only: between two outages the metric source
  // reported the replica counts, the engine stopped asking the executor, and the run of failed
  // reads never ended, so the second outage counted on from 6 in a row with no INFO between.
  @Test
  void anOutageAfterTicksWhoseCountsCameFromTheSourceWarnsWithItsCause() throws Exception {
    ScaleSubresourceExecutor e = executor();
    WorkloadRef web = WorkloadRef.deployment(k8s.namespace(), "web");
    String log = Logs.stderrOf(() -> {
      fiveRefusedReads(e, web);
      clock.advance(TICK.multipliedBy(3)); // the source reports the replicas: no call
      fiveRefusedReads(e, web);
      refusing.set(false);
      assertThat(e.replicas(web)).isPresent();
    });
    assertThat(refused.get()).isEqualTo(10);
    assertThat(Logs.at(log, "WARN")).satisfiesExactly(
        l -> assertThat(l).endsWith(cannotRead(web)),
        l -> assertThat(l).endsWith(cannotRead(web)));
    assertThat(Logs.at(log, "INFO")).satisfiesExactly(
        l -> assertThat(l).endsWith(web + ": no failed replica read for 60 s, after 5 failed in a "
            + "row; counting anew"),
        l -> assertThat(l).endsWith(web + ": replicas read again, after 5 failed in a row"));
  }

  // A tick or two without a read is no new outage: the run goes on, at DEBUG.
  @Test
  void aGapOfTwoTicksKeepsTheRun() throws Exception {
    ScaleSubresourceExecutor e = executor();
    WorkloadRef web = WorkloadRef.deployment(k8s.namespace(), "web");
    String log = Logs.stderrOf(() -> {
      fiveRefusedReads(e, web);
      clock.advance(TICK.multipliedBy(2));
      fiveRefusedReads(e, web);
    });
    assertThat(Logs.at(log, "WARN")).singleElement().asString().endsWith(cannotRead(web));
    assertThat(Logs.at(log, "INFO")).isEmpty();
  }

  // The executor's own read of /scale, in apply, shows the workload readable: the run ends.
  @Test
  void aGoodReadInApplyEndsTheRun() throws Exception {
    ScaleSubresourceExecutor e = executor();
    WorkloadRef web = WorkloadRef.deployment(k8s.namespace(), "web");
    WorkloadSpec spec = WorkloadSpec.builder(web).maxReplicas(10)
        .metric(MetricTarget.utilization("cpu", 70)).mode(Mode.ACT).build();
    String log = Logs.stderrOf(() -> {
      fiveRefusedReads(e, web);
      refusing.set(false);
      assertThat(e.apply(new ScaleRequest(spec, Mode.ACT, 3, 3, List.of(), clock.instant())))
          .isInstanceOf(ScaleOutcome.Applied.class);
      clock.advance(TICK);
      fiveRefusedReads(e, web);
    });
    assertThat(Logs.at(log, "WARN")).satisfiesExactly(
        l -> assertThat(l).endsWith(cannotRead(web)),
        l -> assertThat(l).endsWith(cannotRead(web)));
    assertThat(Logs.at(log, "INFO")).singleElement().asString()
        .endsWith(web + ": replicas read again, after 5 failed in a row");
  }

  /** One refused read, then two hours without a call, then five refused reads. */
  private void oneRefusedReadTwoHoursThenFive(ScaleSubresourceExecutor e, WorkloadRef web) {
    refusing.set(true);
    assertThat(e.replicas(web)).isEmpty();
    clock.advance(Duration.ofHours(2));
    fiveRefusedReads(e, web);
  }

  // Caught a run of one failure never ended by a gap (it had no period yet): one failed read, two
  // hours without a call, then five refused reads 15 s apart logged one WARN, then "(2 in a
  // row)" to "(6 in a row)" at DEBUG, the two-hour gap taken for the run's shortest.
  @Test
  void aRunOfOneFailureEndsAfterAGapOfMoreThanThreeSyncPeriods() throws Exception {
    ScaleSubresourceExecutor e = executorBuilder().syncPeriod(TICK).build();
    WorkloadRef web = WorkloadRef.deployment(k8s.namespace(), "web");
    String log = Logs.stderrOf(() -> oneRefusedReadTwoHoursThenFive(e, web));
    assertThat(refused.get()).isEqualTo(6);
    assertThat(Logs.at(log, "WARN")).satisfiesExactly(
        l -> assertThat(l).endsWith(cannotRead(web)),
        l -> assertThat(l).endsWith(cannotRead(web)));
    assertThat(Logs.at(log, "INFO")).singleElement().asString().endsWith(web + ": no failed "
        + "replica read for 7200 s, after 1 failed in a row; counting anew");
  }

  // Caught a WARN and a false INFO on every tick without the sync period: the period was learned
  // executor-wide as the shortest gap ever seen, so one extra tick a second after another made
  // every later run of one failure end at its next tick (41 WARN for 42 refused reads).
  @Test
  void withoutTheSyncPeriodOneShortGapEndsOneRunNotEveryLaterOne() throws Exception {
    ScaleSubresourceExecutor e = executor();
    WorkloadRef web = WorkloadRef.deployment(k8s.namespace(), "web");
    String log = Logs.stderrOf(() -> {
      refusing.set(true);
      assertThat(e.replicas(web)).isEmpty();
      clock.advance(Duration.ofSeconds(1)); // an extra tick a second later
      for (int i = 0; i < 41; i++) {
        assertThat(e.replicas(web)).isEmpty();
        clock.advance(TICK);
      }
    });
    assertThat(refused.get()).isEqualTo(42);
    // The 1st; the 15 s gap after the 1 s one ends that run: the new run's 1st, 20th and 40th
    assertThat(Logs.at(log, "WARN")).hasSize(4);
    assertThat(Logs.at(log, "INFO")).singleElement().asString().endsWith(web + ": no failed "
        + "replica read for 15 s, after 2 failed in a row; counting anew");
  }

  // Three missed ticks of a slow tick are within the period given: the run goes on.
  @Test
  void aGapOfThreeSyncPeriodsKeepsARunOfOne() throws Exception {
    ScaleSubresourceExecutor e = executorBuilder().syncPeriod(TICK).build();
    WorkloadRef web = WorkloadRef.deployment(k8s.namespace(), "web");
    String log = Logs.stderrOf(() -> {
      refusing.set(true);
      assertThat(e.replicas(web)).isEmpty();
      clock.advance(TICK.multipliedBy(3));
      assertThat(e.replicas(web)).isEmpty();
    });
    assertThat(Logs.at(log, "WARN")).singleElement().asString().endsWith(cannotRead(web));
    assertThat(Logs.at(log, "INFO")).isEmpty();
  }

  @Test
  void aSyncPeriodNotPositiveIsRefusedNamingIt() throws Exception {
    assertThat(org.assertj.core.api.Assertions.catchThrowable(
        () -> executorBuilder().syncPeriod(Duration.ZERO)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("syncPeriod must be positive, but was PT0S");
  }
}
