package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.ApiClient;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LeaseElector} requests and error handling on the wire. */
class LeaseElectorWireTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final String LEASES = "/apis/coordination.k8s.io/v1/namespaces/prescaler/leases";

  private final Wire wire = new Wire();
  private final ManualClock clock = new ManualClock(T0);

  @AfterEach
  void stop() {
    wire.close();
  }

  private LeaseElector elector() {
    return LeaseElector.builder(wire.client(), "prescaler", "engine", "pod-a").clock(clock)
        .ticker(clock::nanos).build();
  }

  private static String lease(String holder, String rv) {
    return "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":"
        + "\"engine\",\"namespace\":\"prescaler\",\"resourceVersion\":\"" + rv + "\"},\"spec\":{"
        + "\"holderIdentity\":\"" + holder + "\",\"leaseDurationSeconds\":15,\"renewTime\":"
        + "\"2026-11-29T09:59:59.000000Z\",\"leaseTransitions\":3}}";
  }

  @Test
  void createsTheLeaseWhenMissing() {
    wire.status(404, "NotFound", "leases.coordination.k8s.io \"engine\" not found")
        .json(201, lease("pod-a", "1"));
    LeaseElector e = elector();
    assertThat(e.tryAcquireOrRenew()).isTrue();
    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line).containsExactly("GET " + LEASES + "/engine",
        "POST " + LEASES);
    JsonObject body = JsonParser.parseString(rs.get(1).getBody().utf8()).getAsJsonObject();
    assertThat(body.get("kind").getAsString()).isEqualTo("Lease");
    JsonObject spec = body.getAsJsonObject("spec");
    assertThat(spec.get("holderIdentity").getAsString()).isEqualTo("pod-a");
    assertThat(spec.get("leaseDurationSeconds").getAsInt()).isEqualTo(15);
    assertThat(spec.get("leaseTransitions").getAsInt()).isZero();
  }

  /**
   * Catches an error escaping a scheduled election round: {@code scheduleAtFixedRate} then
   * cancels every later round without a word, and the replica never renews or leads again.
   */
  @Test
  void anErrorInAScheduledRoundIsContained() {
    wire.json(200, lease("pod-b", "5")).json(200, lease("pod-b", "5"));
    LeaseElector e = LeaseElector.builder(wire.client(), "prescaler", "engine", "pod-a")
        .clock(clock).ticker(() -> {
          throw new OutOfMemoryError("unable to create native thread");
        }).build();
    assertThatCode(e::electionRound).doesNotThrowAnyException();
    assertThat(e.isLeader()).isFalse();
  }

  // Caught a WARN on every retry period (2 s) while /leases answered 403, as when the Role is in
  // another namespace than kubernetes.leaseNamespace: about 40,000 identical lines a day.
  @Test
  void aForbiddenLeaseWarnsOnTheFirstFailedRoundAndEvery20th() {
    LeaseElector e = elector();
    String forbidden = "leases.coordination.k8s.io \"engine\" is forbidden: User "
        + "\"system:serviceaccount:default:prescaler\" cannot get resource \"leases\"";
    for (int i = 0; i < 40; i++) {
      wire.status(403, "Forbidden", forbidden);
    }
    wire.json(200, lease("pod-b", "5"));
    String log = Logs.stderrOf(() -> {
      for (int i = 0; i < 40; i++) {
        assertThat(e.tryAcquireOrRenew()).isFalse();
        clock.advance(Duration.ofSeconds(2));
      }
      assertThat(e.tryAcquireOrRenew()).isFalse(); // pod-b leads: an answer, not a failure
    });
    String warn = "WARN dev.prescaler.k8s.LeaseElector - lease prescaler/engine: read failed";
    String why = ": HTTP 403 Forbidden on leases.coordination.k8s.io prescaler/engine: "
        + forbidden;
    assertThat(Logs.at(log, "WARN")).satisfiesExactly(
        l -> assertThat(l).endsWith(warn + why),
        l -> assertThat(l).endsWith(warn + " (20 in a row)" + why),
        l -> assertThat(l).endsWith(warn + " (40 in a row)" + why));
    assertThat(Logs.at(log, "INFO")).singleElement().asString().endsWith("lease "
        + "prescaler/engine: the API server answered again, after 40 failed rounds in a row");
  }

  @Test
  void losingTheCreateRaceIsNotLeading() {
    wire.status(404, "NotFound", "not found").status(409, "AlreadyExists", "already exists");
    assertThat(elector().tryAcquireOrRenew()).isFalse();
  }

  @Test
  void takesOverAnExpiredLeaseWithTheReadResourceVersion() {
    wire.json(200, lease("pod-b", "5"));
    LeaseElector e = elector();
    assertThat(e.tryAcquireOrRenew()).isFalse();
    assertThat(e.holder()).contains("pod-b");
    clock.advance(Duration.ofSeconds(15));
    wire.json(200, lease("pod-b", "5")).json(200, lease("pod-a", "6"));
    assertThat(e.tryAcquireOrRenew()).isTrue();
    List<RecordedRequest> rs = wire.requests();
    assertThat(rs).extracting(Wire::line).containsExactly("GET " + LEASES + "/engine",
        "GET " + LEASES + "/engine", "PUT " + LEASES + "/engine");
    JsonObject put = JsonParser.parseString(rs.get(2).getBody().utf8()).getAsJsonObject();
    assertThat(put.getAsJsonObject("metadata").get("resourceVersion").getAsString())
        .isEqualTo("5");
    assertThat(put.getAsJsonObject("spec").get("holderIdentity").getAsString())
        .isEqualTo("pod-a");
    assertThat(put.getAsJsonObject("spec").get("leaseTransitions").getAsInt()).isEqualTo(4);
  }

  @Test
  void aLeaseIsSeenWhenTheReadReturnsSoASlowReadDoesNotAgeIt() {
    ApiClient client = wire.client();
    client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(chain -> {
      okhttp3.Response r = chain.proceed(chain.request());
      clock.advance(Duration.ofSeconds(5)); // every request takes 5 s
      return r;
    }).build());
    LeaseElector e = LeaseElector.builder(client, "prescaler", "engine", "pod-a").clock(clock)
        .ticker(clock::nanos).build();
    wire.json(200, lease("pod-b", "5"));
    assertThat(e.tryAcquireOrRenew()).isFalse(); // starts at T0, pod-b's record seen at T0 + 5 s
    clock.set(T0.plusSeconds(15));
    wire.json(200, lease("pod-b", "5"));
    assertThat(e.tryAcquireOrRenew()).as("15 s after the round began, 10 s after the record was "
        + "seen: pod-b's 15 s lease may still run").isFalse();
    clock.set(T0.plusSeconds(20));
    wire.json(200, lease("pod-b", "5")).json(200, lease("pod-a", "6"));
    assertThat(e.tryAcquireOrRenew()).isTrue();
    assertThat(wire.requests()).extracting(Wire::line).containsExactly("GET " + LEASES
        + "/engine", "GET " + LEASES + "/engine", "GET " + LEASES + "/engine", "PUT " + LEASES
        + "/engine");
  }

  @Test
  void aTakeoverWhoseAnswerWasLostCountsAsAnAcquisitionWhenRenewed() {
    LeaseElector e = LeaseElector.builder(wire.client(Duration.ofMillis(300)), "prescaler",
        "engine", "pod-a").clock(clock).ticker(clock::nanos).build();
    wire.json(200, lease("pod-b", "5"));
    assertThat(e.tryAcquireOrRenew()).isFalse();
    clock.advance(Duration.ofSeconds(15));
    wire.json(200, lease("pod-b", "5")).stall(); // the takeover is applied, its answer lost
    assertThat(e.tryAcquireOrRenew()).isFalse();
    assertThat(e.acquisitions()).isZero();
    clock.advance(Duration.ofSeconds(2));
    wire.json(200, lease("pod-a", "6")).json(200, lease("pod-a", "7"));
    assertThat(e.tryAcquireOrRenew()).isTrue();
    assertThat(e.acquisitions()).as("a new term: pod-b led until the takeover").isEqualTo(1);
    wire.json(200, lease("pod-a", "7")).json(200, lease("pod-a", "8"));
    assertThat(e.tryAcquireOrRenew()).isTrue();
    assertThat(e.acquisitions()).as("a renewal is no new term").isEqualTo(1);
  }

  @Test
  void readErrorsKeepLeadershipOnlyUntilTheRenewDeadline() {
    wire.json(200, lease("pod-a", "5")).json(200, lease("pod-a", "6"));
    LeaseElector e = elector();
    assertThat(e.tryAcquireOrRenew()).isTrue();
    wire.status(500, "InternalError", "etcd down");
    clock.advance(Duration.ofSeconds(5));
    assertThat(e.tryAcquireOrRenew()).as("still inside the renew deadline").isTrue();
    wire.status(500, "InternalError", "etcd down");
    clock.advance(Duration.ofSeconds(5));
    assertThat(e.tryAcquireOrRenew()).as("renew deadline of 10 s passed").isFalse();
    assertThat(e.isLeader()).isFalse();
  }

  @Test
  void anUnreadableLeaseIsAFailedReadThatKeepsLeadershipOnlyUntilTheRenewDeadline() {
    wire.json(200, lease("pod-a", "5")).json(200, lease("pod-a", "6"));
    LeaseElector e = elector();
    assertThat(e.tryAcquireOrRenew()).isTrue();
    wire.json(200, "<html>proxy</html>");
    clock.advance(Duration.ofSeconds(5));
    assertThat(e.tryAcquireOrRenew()).as("still inside the renew deadline").isTrue();
    wire.json(200, "null");
    clock.advance(Duration.ofSeconds(5));
    assertThat(e.tryAcquireOrRenew()).as("renew deadline of 10 s passed").isFalse();
    assertThat(e.isLeader()).isFalse();
  }

  @Test
  void isLeaderDoesNotWaitForARenewalInFlight() throws Exception {
    LeaseElector e = LeaseElector.builder(wire.client(Duration.ofSeconds(60)), "prescaler",
        "engine", "pod-a").clock(clock).ticker(clock::nanos).build();
    wire.json(200, lease("pod-a", "5")).json(200, lease("pod-a", "6"));
    assertThat(e.tryAcquireOrRenew()).isTrue();
    assertThat(wire.requests()).hasSize(2);
    wire.stall(); // the next read hangs until the client's 60 s read timeout
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Boolean> renewal = pool.submit(e::tryAcquireOrRenew);
      assertThat(wire.server.takeRequest(10, TimeUnit.SECONDS)).as("renewal in flight")
          .isNotNull();
      // The executor guard, the Events listener and the agent's round ask meanwhile.
      Future<String> asked = pool.submit(() -> e.isLeader() + " " + e.acquisitions() + " "
          + e.holder().orElse("-"));
      // (1 acquisition: a fresh candidate renewing a Lease that names it acquires it anew)
      assertThat(asked.get(10, TimeUnit.SECONDS)).isEqualTo("true 1 pod-a");
      assertThat(renewal.isDone()).as("still waiting for the API server").isFalse();
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Catches a round that waited for the lock while close() gave the Lease up: it then read the
   * freed Lease and took it back, so this replica led again after close() returned and the next
   * leader waited a whole lease duration. The round starts while close() reads the Lease, and
   * close() goes on once the round waits for the lock it holds.
   */
  @Test
  void aRoundWaitingWhileCloseGivesTheLeaseUpWritesNothing() throws Exception {
    AtomicReference<Runnable> beforeNextRequest = new AtomicReference<>();
    ApiClient client = wire.client();
    client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(chain -> {
      Runnable r = beforeNextRequest.getAndSet(null);
      if (r != null) {
        r.run();
      }
      return chain.proceed(chain.request());
    }).build());
    LeaseElector e = LeaseElector.builder(client, "prescaler", "engine", "pod-a").clock(clock)
        .ticker(clock::nanos).build();
    wire.status(404, "NotFound", "not found").json(201, lease("pod-a", "1"));
    assertThat(e.tryAcquireOrRenew()).isTrue();
    String freed = lease("pod-a", "3").replace("\"holderIdentity\":\"pod-a\",", "")
        .replace("\"leaseDurationSeconds\":15", "\"leaseDurationSeconds\":1");
    wire.json(200, lease("pod-a", "2")) // close's read
        .json(200, freed) // close's replace
        .json(200, freed) // a round's read
        .json(200, lease("pod-a", "4")); // a round's replace: the Lease taken back
    FutureTask<Boolean> round = new FutureTask<>(e::tryAcquireOrRenew);
    Thread roundThread = new Thread(round, "election-round");
    Thread closing = Thread.currentThread();
    beforeNextRequest.set(() -> { // close's read, made under the elector's lock
      roundThread.start();
      waitUntilBlockedBy(roundThread, closing);
    });

    e.close();

    boolean led = round.get(10, TimeUnit.SECONDS);
    assertThat(wire.requests()).extracting(Wire::line).as("nothing sent after close's release")
        .containsExactly("GET " + LEASES + "/engine", "POST " + LEASES, "GET " + LEASES
            + "/engine", "PUT " + LEASES + "/engine");
    assertThat(led).as("the round that waited for close leads").isFalse();
    assertThat(e.isLeader()).isFalse();
    assertThat(e.tryAcquireOrRenew()).as("a round after close").isFalse();
    assertThat(wire.requests()).isEmpty();
  }

  /** Waits, without sleeping, until {@code t} waits for a monitor that {@code owner} holds. */
  private static void waitUntilBlockedBy(Thread t, Thread owner) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    while (true) {
      ThreadInfo info = threads.getThreadInfo(t.getId());
      if (info != null && info.getThreadState() == Thread.State.BLOCKED
          && info.getLockOwnerId() == owner.getId()) {
        return;
      }
      if (t.getState() == Thread.State.TERMINATED) {
        throw new AssertionError(t.getName() + " ended without waiting for " + owner.getName());
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void startAfterCloseIsRefused() {
    LeaseElector e = elector();
    e.close();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      assertThatThrownBy(() -> e.start(scheduler)).isInstanceOf(IllegalStateException.class)
          .hasMessage("lease elector prescaler/engine is closed");
    } finally {
      scheduler.shutdownNow();
    }
    assertThat(wire.requests()).isEmpty();
  }

  @Test
  void theGuardStartsACallOnlyWhenTheCallTimeoutEndsBeforeTheRenewDeadline() {
    LeaseElector e = LeaseElector.builder(wire.client(), "prescaler", "engine", "pod-a")
        .clock(clock).ticker(clock::nanos).callTimeout(Duration.ofSeconds(5)).build();
    wire.json(200, lease("pod-a", "5")).json(200, lease("pod-a", "6"));
    assertThat(e.tryAcquireOrRenew()).isTrue();
    ScaleExecutor guarded = e.guard(r -> ScaleOutcome.applied(r.to(), "applied"));
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment("shop", "web"))
        .maxReplicas(10).metric(MetricTarget.utilization("cpu", 70)).mode(Mode.ACT).build();
    ScaleRequest request = new ScaleRequest(spec, Mode.ACT, 2, 3, List.of(), T0);

    clock.advance(Duration.ofMillis(4999));
    assertThat(guarded.apply(request).isApplied()).as("ends 1 ms before the deadline").isTrue();
    clock.advance(Duration.ofMillis(1));
    ScaleOutcome late = guarded.apply(request);
    assertThat(e.isLeader()).isTrue();
    assertThat(late.status()).isEqualTo(ScaleOutcome.Status.REFUSED);
    assertThat(LeaseElector.refusedForNotLeading(late)).isTrue();
    assertThat(late.message()).isEqualTo("not the leader: lease prescaler/engine, held by this "
        + "replica (pod-a), ends in less than the call timeout (PT5S) unless renewed first");
    assertThatThrownBy(() -> guarded.release(spec.workload()))
        .isInstanceOf(IllegalStateException.class).hasMessageEndingWith("; release not sent");

    wire.json(200, lease("pod-a", "6")).json(200, lease("pod-a", "7"));
    assertThat(e.tryAcquireOrRenew()).isTrue();
    assertThat(guarded.apply(request).isApplied()).as("renewed").isTrue();
  }

  @Test
  void callTimeout_leavesNoTimeToStartACallBetweenTwoRenewals() {
    assertThatThrownBy(() -> LeaseElector.builder(wire.client(), "prescaler", "engine", "pod-a")
        .callTimeout(Duration.ofSeconds(8)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid LeaseElector:\n- callTimeout must be >= 0 and < renewDeadline "
            + "(PT10S) - retryPeriod (PT2S), but was PT8S");
    assertThat(LeaseElector.builder(wire.client(), "prescaler", "engine", "pod-a")
        .callTimeout(Duration.ofMillis(7999)).build()).isNotNull();
  }

  @Test
  void builderReportsEveryProblem() {
    assertThatThrownBy(() -> LeaseElector.builder(wire.client(), "Bad_NS", "engine", " ")
        .leaseDuration(Duration.ofSeconds(10)).renewDeadline(Duration.ofSeconds(10))
        .retryPeriod(Duration.ofSeconds(20)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid LeaseElector:\n"
            + "- namespace must be a DNS-1123 label, but was \"Bad_NS\"\n"
            + "- identity must be 1 to 253 non-blank characters, but was \" \"\n"
            + "- renewDeadline must be > 0 and < leaseDuration (PT10S), but was PT10S\n"
            + "- retryPeriod must be > 0 and < renewDeadline (PT10S), but was PT20S");
  }

  /**
   * Catches defaults blamed for a value given elsewhere, and the wrong exception type: a
   * retryPeriod equal to the default renewDeadline also reported the default callTimeout of 0,
   * and a negative leaseDuration the default renewDeadline; and it threw a plain
   * IllegalArgumentException, which code catching InvalidConfigurationException (the other
   * builders' problems list) missed.
   */
  @Test
  void builderBlamesOnlyTheFieldGiven() {
    assertThatThrownBy(() -> LeaseElector.builder(wire.client(), "prescaler", "engine", "p0")
        .retryPeriod(Duration.ofSeconds(10)).build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(
            e.problems()).containsExactly(
                "retryPeriod must be > 0 and < renewDeadline (PT10S), but was PT10S"));
    assertThatThrownBy(() -> LeaseElector.builder(wire.client(), "prescaler", "engine", "p0")
        .leaseDuration(Duration.ofSeconds(-1)).build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(
            e.problems()).containsExactly(
                "leaseDuration must be whole seconds in [PT1S, PT1H], but was PT-1S"));
  }

  /**
   * Catches a lease duration wrapped in the Lease's int32 of seconds: 2^32 + 1 s was built and
   * written as {@code leaseDurationSeconds: 1}, so other candidates took over while this one still
   * led, and 2^31 s as a negative number.
   */
  @Test
  void leaseDuration_aboveOneHour() {
    for (long seconds : new long[] {(1L << 32) + 1, 1L << 31, 3601}) {
      Duration d = Duration.ofSeconds(seconds);
      assertThatThrownBy(() -> LeaseElector.builder(wire.client(), "prescaler", "engine", "p0")
          .leaseDuration(d).build())
          .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(
              e.problems()).containsExactly(
                  "leaseDuration must be whole seconds in [PT1S, PT1H], but was " + d));
    }
    assertThat(LeaseElector.builder(wire.client(), "prescaler", "engine", "p0")
        .leaseDuration(Duration.ofHours(1)).build()).isNotNull();
  }

  /** Catches a renew deadline of FOREVER left unreported beside an invalid lease duration. */
  @Test
  void renewDeadline_foreverBesideAnInvalidLeaseDuration() {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    assertThatThrownBy(() -> LeaseElector.builder(wire.client(), "prescaler", "engine", "p0")
        .leaseDuration(forever).renewDeadline(forever).build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(
            e.problems()).containsExactly(
                "leaseDuration must be whole seconds in [PT1S, PT1H], but was " + forever,
                "renewDeadline must be > 0 and < PT1H, but was " + forever));
  }

  /**
   * Catches an overflow in the checks themselves: FOREVER minus a negative retry period threw
   * ArithmeticException instead of listing the problems.
   */
  @Test
  void retryPeriod_negativeBesideAForeverRenewDeadline() {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    assertThatThrownBy(() -> LeaseElector.builder(wire.client(), "prescaler", "engine", "p0")
        .renewDeadline(forever).retryPeriod(Duration.ofSeconds(-1)).build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(
            e.problems()).containsExactly(
                "renewDeadline must be > 0 and < leaseDuration (PT15S), but was " + forever,
                "retryPeriod must be > 0 and < renewDeadline (" + forever + "), but was PT-1S"));
  }

  /** Catches a sharded election that would not refuse what a single elector refuses. */
  @Test
  void shardedElection_refusesALeaseDurationAboveOneHour() {
    Duration d = Duration.ofSeconds((1L << 32) + 1);
    assertThatThrownBy(() -> ShardedLeaderElection.builder(wire.client(), "prescaler", "s", "p0")
        .shards(2).leaseDuration(d).build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(
            e.problems()).containsExactly(
                "leaseDuration must be whole seconds in [PT1S, PT1H], but was " + d));
  }
}
