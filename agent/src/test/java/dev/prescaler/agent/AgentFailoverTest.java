package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.journal.JsonLinesJournal;
import dev.prescaler.k8s.KubeBackend;
import dev.prescaler.k8s.ModeStore;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.util.ClientBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mode a workload earned survives a failover: two agent replicas elect a leader on one Lease,
 * the leader writes every mode change to the mode store ConfigMap, and the replica that takes
 * over resumes it on its first round as leader, over its own journal. Official Kubernetes client
 * over HTTP against the API stand-in; the Lease expires on a {@link ManualClock}, nothing sleeps.
 */
class AgentFailoverTest {
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

  @TempDir Path dir;
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

  /**
   * A replica's configuration; {@code extra} adds keys to the {@code kubernetes} section, and
   * {@code journal} (may be null: in memory) is its journal file.
   */
  private AgentConfig config(String identity, String mode, String extra, Path journal) {
    return TestConfigs.replica(configText(identity, mode, extra, journal), identity + ".yaml");
  }

  private String configText(String identity, String mode, String extra, Path journal) {
    return (journal == null ? "" : "engine:\n  journal: " + journal
        + "\n") + """
        kubernetes:
          leaderElection: true
          leaseNamespace: %s
          leaseDuration: 15s
          identity: %s
        %s
        server:
          port: 0
          address: 127.0.0.1
        promotion:
          automatic: false
        workloads:
        """.formatted(kube.namespace(), identity, extra.isEmpty() ? "" : "  " + extra)
        + workload("web", mode);
  }

  /** One entry of the configuration's {@code workloads} list. */
  private String workload(String name, String mode) {
    return TestConfigs.cpuWorkload(kube.namespace(), name, mode, "");
  }

  private AgentConfig config(String identity, String mode) {
    return config(identity, mode, "", null);
  }

  private Agent agent(AgentConfig config) {
    return agent(config, kube.adapter());
  }

  /** An agent on {@code client}, its Lease timed by the test's clock. */
  private Agent agent(AgentConfig config, ApiClient client) {
    return Agent.create(config, client, clock, clock::nanos);
  }

  /**
   * {@code next} takes the Lease over once its holder has stopped renewing it for the 15 s lease,
   * and runs its first round as leader.
   */
  private void takeOver(Agent next) {
    assertThat(next.elector().orElseThrow().tryAcquireOrRenew()).isFalse();
    clock.advance(Duration.ofSeconds(15));
    lead(next);
  }

  /**
   * {@code a} leads and promotes web (stored, at 00:00), then, a minute later, demotes it while
   * the store refuses writes: the demotion (00:01) is kept, not stored.
   */
  private void promoteThenDemoteWhileTheStoreIsDown(Agent a, AtomicBoolean storeDown) {
    lead(a);
    a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
    clock.advance(Duration.ofMinutes(1));
    assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
    storeDown.set(true);
    a.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: forecast MAE 1.5 x naive");
  }

  /** Makes {@code agent} the leader and runs its first round as leader. */
  private static void lead(Agent agent) {
    assertThat(agent.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
    agent.runOnce();
  }

  private Mode mode(Agent agent) {
    return agent.engine().spec(web).orElseThrow().mode();
  }

  private Optional<String> stored() throws ApiException {
    return stored(ModeStore.DEFAULT_NAME, web);
  }

  /** The entry of {@code workload} in the mode store ConfigMap {@code configMap}, if any. */
  private Optional<String> stored(String configMap, WorkloadRef workload) throws ApiException {
    try {
      Map<String, String> data = new CoreV1Api(kube.fixture())
          .readNamespacedConfigMap(configMap, kube.namespace()).execute().getData();
      return Optional.ofNullable(data == null ? null : data.get(ModeStore.key(workload)));
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private List<ModeChangedEvent> journaled(Path journal) {
    return JsonLinesJournal.readModeChanges(journal);
  }

  @Test
  void theReplicaThatTakesOverResumesTheModeTheDeadLeaderEarned() throws ApiException {
    Path journal = dir.resolve("b.jsonl");
    Agent a = agent(config("agent-a", "act"));
    Agent b = agent(config("agent-b", "act", "", journal));
    try {
      lead(a);
      b.runOnce();
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
      assertThat(stored()).hasValue("act 2026-03-02T00:00:00Z promoted after 1440 min observed");

      b.engine().mode(web, Mode.HPA_FLOOR, "set on the standby");
      assertThat(stored()).as("a standby never writes")
          .hasValue("act 2026-03-02T00:00:00Z promoted after 1440 min observed");
      b.engine().mode(web, Mode.OBSERVE_ONLY, "back");

      // A dies: it stops renewing, and B takes over once the Lease has not changed for 15 s.
      assertThat(b.elector().orElseThrow().tryAcquireOrRenew()).isFalse();
      clock.advance(Duration.ofSeconds(15));
      assertThat(mode(b)).as("B's own journal holds nothing").isEqualTo(Mode.OBSERVE_ONLY);
      lead(b);
      assertThat(mode(b)).isEqualTo(Mode.ACT);
      assertThat(stored()).as("a resumed mode is not written back")
          .hasValue("act 2026-03-02T00:00:00Z promoted after 1440 min observed");
    } finally {
      b.close();
      a.close();
    }
    assertThat(journaled(journal)).last().satisfies(e -> assertThat(e.reason())
        .isEqualTo("resumed as leader from mode store " + kube.namespace()
            + "/prescaler-modes (2026-03-02T00:00:00Z: promoted after 1440 min observed)"));
  }

  @Test
  void aLeaseLostAndWonBackBetweenTwoRoundsIsANewTerm() throws ApiException {
    Agent a = agent(config("agent-a", "act"));
    Agent b = agent(config("agent-b", "act"));
    try {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");

      // A stalls (no renewal, no round); B takes over and demotes the workload.
      takeOver(b);
      b.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing");
      // B stalls in turn; A wins the Lease back before its next round.
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isFalse();
      clock.advance(Duration.ofSeconds(15));
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      assertThat(mode(a)).isEqualTo(Mode.ACT);
      a.runOnce();
      assertThat(mode(a)).as("B's demotion, read at A's new term").isEqualTo(Mode.OBSERVE_ONLY);
    } finally {
      b.close();
      a.close();
    }
  }

  @Test
  void aPromotionStoredByAReplicaWhoseClockIsAheadDoesNotComeBackOverALaterDemotion()
      throws ApiException {
    // A's clock is an hour ahead of B's (and of the test's): the Lease, not the wall clocks,
    // orders their terms.
    ManualClock ahead = new ManualClock(T0.plus(Duration.ofHours(1)));
    Agent a = Agent.create(config("agent-a", "act"), kube.adapter(), ahead, ahead::nanos);
    Agent b = agent(config("agent-b", "act"));
    try {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
      assertThat(stored()).hasValue("act 2026-03-02T01:00:00Z promoted after 1440 min observed");

      // A stalls; B takes over, then demotes web 5 min later.
      assertThat(b.elector().orElseThrow().tryAcquireOrRenew()).isFalse();
      advanceBoth(ahead, Duration.ofSeconds(15));
      lead(b);
      assertThat(mode(b)).isEqualTo(Mode.ACT);
      advanceBoth(ahead, Duration.ofMinutes(5));
      assertThat(b.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      b.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing");
      assertThat(stored()).hasValue("observe-only 2026-03-02T00:05:15Z demoted: metrics failing");

      // B stalls in turn; A wins the Lease back and runs a round.
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isFalse();
      advanceBoth(ahead, Duration.ofSeconds(15));
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      a.runOnce();
      assertThat(mode(a)).as("B's later demotion, whatever A's clock says")
          .isEqualTo(Mode.OBSERVE_ONLY);
      assertThat(stored()).hasValue("observe-only 2026-03-02T00:05:15Z demoted: metrics failing");
    } finally {
      b.close();
      a.close();
    }
  }

  /** Moves the test's clock and {@code other} forward by {@code by}. */
  private void advanceBoth(ManualClock other, Duration by) {
    clock.advance(by);
    other.advance(by);
  }

  @Test
  void aPromotionKeptWhileTheStoreIsDownDoesNotReplaceADemotionMadeAfterTheClockWasSetBack()
      throws ApiException {
    AtomicBoolean storeDown = new AtomicBoolean();
    // The Lease is timed on a ticker of its own, which the wall clock's step does not move.
    AtomicLong ticker = new AtomicLong();
    Agent a = Agent.create(config("agent-a", "act"), refusingStorePatches(storeDown), clock,
        ticker::get);
    try {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
      clock.advance(Duration.ofMinutes(1));
      ticker.addAndGet(Duration.ofMinutes(1).toNanos());
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      storeDown.set(true);
      a.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing");
      a.engine().mode(web, Mode.ACT, "promoted by hand at 00:01");
      clock.advance(Duration.ofMinutes(-2)); // the wall clock is set back
      a.engine().mode(web, Mode.OBSERVE_ONLY, "demoted after the clock was set back");
      storeDown.set(false);
      ticker.addAndGet(Duration.ofSeconds(1).toNanos());
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      a.runOnce();
      assertThat(mode(a)).isEqualTo(Mode.OBSERVE_ONLY);
      assertThat(stored()).as("the latest change made, not the one with the latest time")
          .hasValue("observe-only 2026-03-01T23:59:00Z demoted after the clock was set back");
    } finally {
      a.close();
    }
  }

  @Test
  void aKillSwitchRecordTheStoreDidNotTakeIsSentAgainUntilItDoes() throws ApiException {
    try (Agent a = agent(config("agent-a", "act"))) {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
    }
    clock.advance(Duration.ofMinutes(1));
    AtomicBoolean storeDown = new AtomicBoolean(true);
    try (Agent b = agent(config("agent-b", "observe-only"), refusingStorePatches(storeDown))) {
      lead(b);
      assertThat(stored()).as("the store refuses patches during the first round")
          .hasValue("act 2026-03-02T00:00:00Z promoted after 1440 min observed");
      storeDown.set(false);
      clock.advance(Duration.ofSeconds(5));
      assertThat(b.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      b.runOnce();
      assertThat(stored())
          .hasValue("observe-only 2026-03-02T00:01:00Z kill switch: mode: observe-only in the "
              + "configuration (was ACT)");
    }
    clock.advance(Duration.ofMinutes(1));
    try (Agent c = agent(config("agent-c", "act"))) {
      lead(c);
      assertThat(mode(c)).as("the kill switch lifted: the mode earned before it is not resumed")
          .isEqualTo(Mode.OBSERVE_ONLY);
    }
  }

  @Test
  void aStoredDemotionWinsOverTheNewLeadersOwnJournal() throws ApiException {
    Path journal = dir.resolve("b.jsonl");
    try (Agent b = agent(config("agent-b", "act", "", journal))) {
      lead(b);
      b.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
    }
    clock.advance(Duration.ofHours(1));
    try (Agent a = agent(config("agent-a", "act"))) {
      lead(a);
      assertThat(mode(a)).isEqualTo(Mode.ACT);
      clock.advance(Duration.ofHours(1));
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      a.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing since 01:00");
    }
    assertThat(stored()).hasValue("observe-only 2026-03-02T02:00:00Z demoted: metrics failing "
        + "since 01:00");
    clock.advance(Duration.ofHours(1));
    try (Agent b = agent(config("agent-b", "act", "", journal))) {
      assertThat(mode(b)).as("resumed from its own journal at start").isEqualTo(Mode.ACT);
      lead(b);
      assertThat(mode(b)).as("the latest leader's word").isEqualTo(Mode.OBSERVE_ONLY);
    }
    assertThat(journaled(journal)).last().satisfies(e -> assertThat(e.reason())
        .endsWith("(2026-03-02T02:00:00Z: demoted: metrics failing since 01:00)"));
  }

  @Test
  void aStoreEntryOlderThanTheNewLeadersOwnJournalIsNotResumed() throws ApiException {
    // A stored 'act', then a demotion that reached this replica's journal but not the store (its
    // write failed): the stale entry must not bring the mode back.
    Path journal = dir.resolve("b.jsonl");
    try (Agent a = agent(config("agent-a", "act"))) {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
    }
    clock.advance(Duration.ofHours(1));
    try (Agent b = agent(config("agent-b", "act", "modeStore: none", journal))) {
      lead(b);
      b.engine().mode(web, Mode.ACT, "promoted by hand");
      clock.advance(Duration.ofMinutes(10));
      b.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing");
    }
    assertThat(stored()).hasValue("act 2026-03-02T00:00:00Z promoted after 1440 min observed");
    clock.advance(Duration.ofHours(1));
    try (Agent b = agent(config("agent-b", "act", "", journal))) {
      lead(b);
      assertThat(mode(b)).as("its journal's later demotion").isEqualTo(Mode.OBSERVE_ONLY);
      assertThat(stored()).as("and the store gets it at last, with the time it was made")
          .hasValue("observe-only 2026-03-02T01:10:00Z demoted: metrics failing");
    }
  }

  @Test
  void aJournaledPromotionTheStoreNeverHeldIsNotStoredAfterARestartAndTheNextLeaderEarnsIt()
      throws ApiException {
    Path journal = dir.resolve("b.jsonl");
    AtomicBoolean storeDown = new AtomicBoolean();
    AtomicInteger failedReads = new AtomicInteger();
    try (Agent b = agent(config("agent-b", "act", "", journal),
        flakyStore(storeDown, failedReads))) {
      lead(b);
      storeDown.set(true);
      b.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
    }
    assertThat(stored()).as("the write failed: the store has no entry of web").isEmpty();
    storeDown.set(false);
    clock.advance(Duration.ofMinutes(1));
    try (Agent b = agent(config("agent-b", "act", "", journal),
        flakyStore(storeDown, failedReads))) {
      assertThat(mode(b)).as("resumed from its own journal at start").isEqualTo(Mode.ACT);
      failedReads.set(1); // the first term's first read fails
      lead(b);
      b.runOnce();
      assertThat(mode(b)).as("its journal's mode, in this run").isEqualTo(Mode.ACT);
      assertThat(stored()).as("no entry may be a reset: a promotion does not win over it")
          .isEmpty();
    }
    clock.advance(Duration.ofMinutes(1));
    try (Agent a = agent(config("agent-a", "act"))) {
      lead(a);
      assertThat(mode(a)).as("the replica that takes over earns it again")
          .isEqualTo(Mode.OBSERVE_ONLY);
    }
  }

  @Test
  void aJournaledPromotionIsNotStoredUnderTheKillSwitchNorOnceItIsLifted() throws ApiException {
    Path journal = dir.resolve("b.jsonl");
    try (Agent b = agent(config("agent-b", "act", "modeStore: none", journal))) {
      lead(b);
      b.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
    }
    clock.advance(Duration.ofMinutes(1));
    try (Agent b = agent(config("agent-b", "observe-only", "", journal))) {
      lead(b);
      b.runOnce();
      assertThat(mode(b)).isEqualTo(Mode.OBSERVE_ONLY);
      assertThat(stored()).as("the engine does not run the journal's mode").isEmpty();
    }
    clock.advance(Duration.ofMinutes(1));
    try (Agent b = agent(config("agent-b", "act", "", journal))) {
      lead(b);
      b.runOnce();
      assertThat(mode(b)).as("its journal's mode, in this run").isEqualTo(Mode.ACT);
      assertThat(stored()).as("the kill switch lifted: a promotion does not win over no entry")
          .isEmpty();
    }
    clock.advance(Duration.ofMinutes(1));
    try (Agent c = agent(config("agent-c", "act"))) {
      lead(c);
      assertThat(mode(c)).isEqualTo(Mode.OBSERVE_ONLY);
    }
  }

  @Test
  void aJournaledPromotionIsNotStoredInAModeStoreRenamedSinceAndTheNextLeaderObserves()
      throws ApiException {
    Path journal = dir.resolve("b.jsonl");
    try (Agent b = agent(config("agent-b", "act", "", journal))) {
      lead(b);
      b.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
    }
    clock.advance(Duration.ofMinutes(1));
    try (Agent a = agent(config("agent-a", "act"))) {
      lead(a);
      assertThat(mode(a)).isEqualTo(Mode.ACT);
      clock.advance(Duration.ofSeconds(5));
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      a.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing");
    }
    assertThat(stored()).hasValue("observe-only 2026-03-02T00:01:05Z demoted: metrics failing");
    clock.advance(Duration.ofMinutes(1));
    String renamed = "modeStore: prescaler-modes-2";
    try (Agent b = agent(config("agent-b", "act", renamed, journal))) {
      lead(b);
      b.runOnce();
      assertThat(mode(b)).as("its journal's mode, in this run").isEqualTo(Mode.ACT);
      assertThat(stored("prescaler-modes-2", web))
          .as("the new store has no entry: B's promotion, older than A's demotion, is not in it")
          .isEmpty();
    }
    clock.advance(Duration.ofMinutes(1));
    try (Agent c = agent(config("agent-c", "act", renamed, null))) {
      lead(c);
      assertThat(mode(c)).isEqualTo(Mode.OBSERVE_ONLY);
    }
  }

  @Test
  void aJournaledPromotionWhoseEntryWasPrunedIsNotStoredWhenTheWorkloadIsAddedBack()
      throws ApiException {
    kube.deployment("api", 2);
    WorkloadRef api = WorkloadRef.deployment(kube.namespace(), "api");
    Path journal = dir.resolve("b.jsonl");
    AgentConfig withApi = TestConfigs.replica(configText("agent-b", "act", "", journal)
        + workload("api", "act"), "b.yaml");
    try (Agent b = agent(withApi)) {
      lead(b);
      b.engine().mode(api, Mode.ACT, "promoted after 1440 min observed");
    }
    assertThat(stored(ModeStore.DEFAULT_NAME, api))
        .hasValue("act 2026-03-02T00:00:00Z promoted after 1440 min observed");
    clock.advance(Duration.ofMinutes(1));
    try (Agent a = agent(config("agent-a", "act"))) {
      lead(a);
    }
    assertThat(stored(ModeStore.DEFAULT_NAME, api)).as("pruned: api is not configured")
        .isEmpty();
    clock.advance(Duration.ofMinutes(1));
    try (Agent b = agent(withApi)) {
      lead(b);
      b.runOnce();
      assertThat(b.engine().spec(api).orElseThrow().mode())
          .as("its journal's mode, in this run").isEqualTo(Mode.ACT);
      assertThat(stored(ModeStore.DEFAULT_NAME, api))
          .as("a promotion from before the prune does not win over no entry").isEmpty();
    }
    clock.advance(Duration.ofMinutes(1));
    try (Agent c = agent(TestConfigs.replica(configText("agent-c", "act", "", null)
        + workload("api", "act"), "c.yaml"))) {
      lead(c);
      assertThat(c.engine().spec(api).orElseThrow().mode())
          .as("added back, api earns its mode again").isEqualTo(Mode.OBSERVE_ONLY);
    }
  }

  @Test
  void aJournaledDemotionTheStoreNeverHeldIsStoredAfterARestartForTheNextLeader()
      throws ApiException {
    Path journalA = dir.resolve("a.jsonl");
    Path journalB = dir.resolve("b.jsonl");
    AtomicBoolean storeDown = new AtomicBoolean(true);
    AtomicInteger failedReads = new AtomicInteger();
    try (Agent a = agent(config("agent-a", "act", "", journalA),
        flakyStore(storeDown, failedReads))) {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed"); // not stored
    }
    clock.advance(Duration.ofMinutes(1));
    try (Agent b = agent(config("agent-b", "act", "", journalB),
        flakyStore(storeDown, failedReads))) {
      lead(b);
      b.engine().mode(web, Mode.ACT, "promoted by hand"); // not stored
      clock.advance(Duration.ofMinutes(1));
      assertThat(b.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      b.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing"); // not stored
    }
    assertThat(stored()).as("every write failed: the store has no entry of web").isEmpty();
    storeDown.set(false);
    clock.advance(Duration.ofMinutes(1));
    try (Agent b = agent(config("agent-b", "act", "", journalB))) {
      lead(b);
      assertThat(mode(b)).isEqualTo(Mode.OBSERVE_ONLY);
      assertThat(stored()).as("a demotion wins over no entry")
          .hasValue("observe-only 2026-03-02T00:02:00Z demoted: metrics failing");
    }
    clock.advance(Duration.ofMinutes(1));
    try (Agent a = agent(config("agent-a", "act", "", journalA))) {
      assertThat(mode(a)).as("resumed from its own journal at start").isEqualTo(Mode.ACT);
      lead(a);
      assertThat(mode(a)).as("the stored demotion is later than its journal's promotion")
          .isEqualTo(Mode.OBSERVE_ONLY);
    }
  }

  @Test
  void aStandbyRestartedTwiceStillResumesALaterStoredDemotion() throws ApiException {
    // Each restart journals "resumed after restart" at the restart's time: a resume is not a
    // change of this replica's own, and must not make its journal look newer than the store.
    Path journal = dir.resolve("b.jsonl");
    try (Agent b = agent(config("agent-b", "act", "", journal))) {
      lead(b);
      b.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
    }
    clock.advance(Duration.ofHours(1));
    try (Agent a = agent(config("agent-a", "act"))) {
      lead(a);
      assertThat(mode(a)).isEqualTo(Mode.ACT);
      a.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing");
      clock.advance(Duration.ofHours(1));
      try (Agent b = agent(config("agent-b", "act", "", journal))) {
        b.runOnce(); // B's container restarts while A leads: it only observes
      }
      clock.advance(Duration.ofMinutes(1));
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
    }
    clock.advance(Duration.ofMinutes(1));
    try (Agent b = agent(config("agent-b", "act", "", journal))) {
      assertThat(mode(b)).as("resumed from its own journal at start").isEqualTo(Mode.ACT);
      lead(b);
      assertThat(mode(b)).as("A's demotion, stored after B's promotion")
          .isEqualTo(Mode.OBSERVE_ONLY);
    }
    assertThat(stored()).hasValue("observe-only 2026-03-02T01:00:00Z demoted: metrics failing");
  }

  @Test
  void promotedTrueIsNotStoredAndOnceRemovedTheStoredDemotionApplies() throws ApiException {
    Path journal = dir.resolve("b.jsonl");
    try (Agent a = agent(config("agent-a", "act"))) {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
      a.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: forecast MAE 1.5 x naive");
    }
    clock.advance(Duration.ofMinutes(1));
    AgentConfig promoted = TestConfigs.replica(configText("agent-b", "act", "", journal)
        .replace("mode: act", "mode: act\n    promoted: true"), "promoted.yaml");
    try (Agent b = agent(promoted)) {
      lead(b);
      assertThat(mode(b)).isEqualTo(Mode.ACT);
      assertThat(stored()).as("the configuration's word, applied at every start")
          .hasValue("observe-only 2026-03-02T00:00:00Z demoted: forecast MAE 1.5 x naive");
    }
    clock.advance(Duration.ofHours(1));
    try (Agent b = agent(config("agent-b", "act", "", journal))) {
      assertThat(mode(b)).as("resumed from its own journal at start").isEqualTo(Mode.ACT);
      lead(b);
      assertThat(mode(b)).as("promoted: true removed: the stored demotion")
          .isEqualTo(Mode.OBSERVE_ONLY);
    }
  }

  @Test
  void aDemotionMadeWhileTheLeaseLapsedIsStoredOnceTheSameHolderRenews() throws ApiException {
    try (Agent a = agent(config("agent-a", "act"))) {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
      // Renewals fail past the renew deadline (10 s) in the middle of a round, whose promotion
      // step then demotes the workload.
      clock.advance(Duration.ofSeconds(11));
      assertThat(a.elector().orElseThrow().isLeader()).isFalse();
      a.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing");
      assertThat(stored()).as("a replica that does not lead never writes")
          .hasValue("act 2026-03-02T00:00:00Z promoted after 1440 min observed");

      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).as("the same holder").isTrue();
      a.runOnce();
      assertThat(mode(a)).isEqualTo(Mode.OBSERVE_ONLY);
      assertThat(stored()).hasValue("observe-only 2026-03-02T00:00:11Z demoted: metrics failing");
    }
  }

  @Test
  void aChangeTheStoreDidNotTakeIsNotSentOverALaterLeadersEntry() throws ApiException {
    AtomicBoolean storeDown = new AtomicBoolean();
    Agent a = agent(config("agent-a", "act"), refusingStorePatches(storeDown));
    Agent b = agent(config("agent-b", "act"));
    try {
      promoteThenDemoteWhileTheStoreIsDown(a, storeDown);
      // A stalls; B takes over and promotes web again, after A's demotion.
      takeOver(b);
      assertThat(mode(b)).isEqualTo(Mode.ACT);
      clock.advance(Duration.ofMinutes(1));
      assertThat(b.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      b.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing");
      b.engine().mode(web, Mode.ACT, "promoted by hand on B");
      storeDown.set(false);
      // B stalls in turn; A wins the Lease back.
      takeOver(a);
      a.runOnce();
      assertThat(stored()).hasValue("act 2026-03-02T00:02:15Z promoted by hand on B");
      assertThat(mode(a)).as("the store and the leader agree").isEqualTo(Mode.ACT);
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void aChangeTheStoreDidNotTakeStaysOverAnOlderEntryWhenTheLeaseComesBack()
      throws ApiException {
    AtomicBoolean storeDown = new AtomicBoolean();
    Agent a = agent(config("agent-a", "act"), refusingStorePatches(storeDown));
    Agent b = agent(config("agent-b", "act"));
    try {
      promoteThenDemoteWhileTheStoreIsDown(a, storeDown);
      // A stalls; B leads for a while without changing web, then stalls in turn.
      takeOver(b);
      storeDown.set(false);
      takeOver(a);
      assertThat(mode(a)).as("its own demotion is later than the stored promotion")
          .isEqualTo(Mode.OBSERVE_ONLY);
      assertThat(stored()).as("the store and the leader agree")
          .hasValue("observe-only 2026-03-02T00:01:00Z demoted: forecast MAE 1.5 x naive");
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void aChangeTheStoreDidNotTakeWaitsForTheNewTermToReadTheStore() throws ApiException {
    AtomicBoolean storeDown = new AtomicBoolean();
    AtomicInteger failedReads = new AtomicInteger();
    Agent a = agent(config("agent-a", "act"), flakyStore(storeDown, failedReads));
    Agent b = agent(config("agent-b", "act"));
    try {
      promoteThenDemoteWhileTheStoreIsDown(a, storeDown);
      takeOver(b);
      clock.advance(Duration.ofMinutes(1));
      assertThat(b.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      b.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing");
      b.engine().mode(web, Mode.ACT, "promoted by hand on B");
      storeDown.set(false);
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isFalse();
      clock.advance(Duration.ofSeconds(15));
      failedReads.set(1); // A's new term cannot read the store on its first round
      lead(a);
      assertThat(stored()).as("A's old demotion is not sent before the store is read")
          .hasValue("act 2026-03-02T00:02:15Z promoted by hand on B");
      a.runOnce();
      assertThat(stored()).hasValue("act 2026-03-02T00:02:15Z promoted by hand on B");
      assertThat(mode(a)).isEqualTo(Mode.ACT);
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void aDemotionMadeBeforeItsTermCouldReadTheStoreIsNotDroppedByALaterTerm()
      throws ApiException {
    AtomicBoolean storeDown = new AtomicBoolean();
    AtomicInteger failedReads = new AtomicInteger();
    Agent a = agent(config("agent-a", "act"), flakyStore(storeDown, failedReads));
    Agent b = agent(config("agent-b", "act"));
    try {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed"); // stored
      takeOver(b);
      clock.advance(Duration.ofMinutes(1));
      assertThat(b.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      b.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing");
      b.engine().mode(web, Mode.ACT, "promoted by hand on B");
      // A takes over; its new term's first read fails, and it demotes web before the next one.
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isFalse();
      clock.advance(Duration.ofSeconds(15));
      failedReads.set(1);
      storeDown.set(true);
      lead(a);
      clock.advance(Duration.ofSeconds(5));
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      a.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: forecast MAE 1.5 x naive");
      a.runOnce(); // reads B's entry: the demotion, made in this term, stays
      assertThat(mode(a)).isEqualTo(Mode.OBSERVE_ONLY);
      // B leads for a while without changing web; A wins the Lease back.
      takeOver(b);
      storeDown.set(false);
      takeOver(a);
      assertThat(mode(a)).as("the store still holds the entry A's demotion was made over")
          .isEqualTo(Mode.OBSERVE_ONLY);
      assertThat(stored()).as("the store and the leader agree")
          .hasValue("observe-only 2026-03-02T00:01:35Z demoted: forecast MAE 1.5 x naive");
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void promotedTrueWinsOverAStoredDemotionAsItDoesOverTheJournal() throws ApiException {
    try (Agent a = agent(config("agent-a", "act"))) {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
      clock.advance(Duration.ofSeconds(1));
      a.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: forecast MAE 1.5 x naive");
    }
    AgentConfig promoted = TestConfigs.replica(configText("agent-b", "act", "", null)
        .replace("mode: act", "mode: act\n    promoted: true"), "promoted.yaml");
    try (Agent b = agent(promoted)) {
      lead(b);
      assertThat(mode(b)).isEqualTo(Mode.ACT);
    }
  }

  @Test
  void observeOnlyInTheNewLeadersConfigurationWinsAndIsStored() throws ApiException {
    try (Agent a = agent(config("agent-a", "act"))) {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
    }
    clock.advance(Duration.ofMinutes(1));
    try (Agent b = agent(config("agent-b", "observe-only"))) {
      lead(b);
      assertThat(mode(b)).isEqualTo(Mode.OBSERVE_ONLY);
      assertThat(stored()).as("lifting the kill switch later must not resume the old mode")
          .hasValue("observe-only 2026-03-02T00:01:00Z kill switch: mode: observe-only in the "
              + "configuration (was ACT)");
    }
  }

  @Test
  void withoutAModeStoreTheNewLeaderStartsObserveOnlyAndNothingIsWritten()
      throws ApiException {
    try (Agent a = agent(config("agent-a", "act", "modeStore: none", null))) {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
    }
    assertThat(stored()).isEmpty();
    try (Agent b = agent(config("agent-b", "act", "modeStore: none", null))) {
      lead(b);
      assertThat(mode(b)).isEqualTo(Mode.OBSERVE_ONLY);
    }
  }

  @Test
  void aStoredModeThatIsNotTheConfiguredOneIsNotResumed() throws ApiException {
    try (Agent a = agent(config("agent-a", "hpa-floor"))) {
      lead(a);
      a.engine().mode(web, Mode.HPA_FLOOR, "promoted after 1440 min observed");
    }
    try (Agent b = agent(config("agent-b", "act"))) {
      lead(b);
      assertThat(mode(b)).isEqualTo(Mode.OBSERVE_ONLY);
    }
  }

  @Test
  void aWorkloadRemovedFromTheConfigurationLosesItsEntryAndStartsObserveOnlyWhenAddedBack()
      throws ApiException {
    kube.deployment("api", 2);
    WorkloadRef api = WorkloadRef.deployment(kube.namespace(), "api");
    String withApi = configText("agent-a", "act", "", null) + workload("api", "act");
    try (Agent a = agent(TestConfigs.replica(withApi, "a.yaml"))) {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
      a.engine().mode(api, Mode.ACT, "promoted after 1440 min observed");
    }
    assertThat(storedKeys()).containsOnly(ModeStore.key(web), ModeStore.key(api));

    clock.advance(Duration.ofDays(30));
    try (Agent b = agent(config("agent-b", "act"))) {
      lead(b);
      assertThat(mode(b)).as("web is still configured").isEqualTo(Mode.ACT);
      assertThat(storedKeys()).as("api is not").containsOnly(ModeStore.key(web));
    }
    try (Agent c = agent(TestConfigs.replica(withApi.replace("agent-a", "agent-c"),
        "c.yaml"))) {
      lead(c);
      assertThat(c.engine().spec(api).orElseThrow().mode())
          .as("added back a month later, api earns its mode again").isEqualTo(Mode.OBSERVE_ONLY);
      assertThat(mode(c)).isEqualTo(Mode.ACT);
    }
  }

  /**
   * A client of the API stand-in whose ConfigMap patches get 403 while {@code down} is set, and
   * whose next {@code failedReads} ConfigMap reads get 403.
   */
  @Test
  void aReplicaThatLostTheLeaseDuringItsRoundWritesNothingOverTheNewLeadersEntry()
      throws ApiException {
    AtomicBoolean storeDown = new AtomicBoolean();
    AtomicReference<Runnable> afterRead = new AtomicReference<>();
    Agent a = agent(config("agent-a", "act"),
        flakyStore(storeDown, new AtomicInteger(), afterRead));
    Agent b = agent(config("agent-b", "act"));
    try {
      lead(a);
      a.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
      clock.advance(Duration.ofMinutes(1));
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      storeDown.set(true);
      a.engine().mode(web, Mode.OBSERVE_ONLY, "demoted: metrics failing"); // not stored: kept
      storeDown.set(false);
      // A stalls; B leads a term, then stalls; A wins the Lease back.
      takeOver(b);
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isFalse();
      clock.advance(Duration.ofSeconds(15));
      assertThat(a.elector().orElseThrow().tryAcquireOrRenew()).isTrue();
      // A's new term reads the store slowly: meanwhile its Lease lapses and B, leading again,
      // demotes web and promotes it back by hand, later than A's kept demotion.
      afterRead.set(() -> {
        assertThat(b.elector().orElseThrow().tryAcquireOrRenew()).isFalse();
        clock.advance(Duration.ofSeconds(16));
        lead(b);
        b.engine().mode(web, Mode.OBSERVE_ONLY, "demoted on B");
        clock.advance(Duration.ofSeconds(1));
        b.engine().mode(web, Mode.ACT, "promoted by hand on B");
      });
      a.runOnce();
      assertThat(a.elector().orElseThrow().isLeader()).as("A lost the Lease mid-round").isFalse();
      assertThat(stored()).hasValueSatisfying(v -> assertThat(v).startsWith("act ")
          .endsWith("promoted by hand on B"));
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void aSecondDeploymentGivenTheSameStoreNeitherWritesIntoItNorPrunesIt() throws ApiException {
    kube.deployment("api", 2);
    WorkloadRef api = WorkloadRef.deployment(kube.namespace(), "api");
    String other = configText("two-a", "act", "leaseName: other", null)
        .replace(workload("web", "act"), workload("api", "act"));
    try (Agent one = agent(config("one-a", "act"));
        Agent two = agent(TestConfigs.replica(other, "two.yaml"))) {
      lead(one);
      one.engine().mode(web, Mode.ACT, "promoted after 1440 min observed");
      assertThat(new CoreV1Api(kube.fixture()).readNamespacedConfigMap(ModeStore.DEFAULT_NAME,
          kube.namespace()).execute().getMetadata().getAnnotations())
          .containsEntry(ModeStore.OWNER_ANNOTATION, "prescaler-agent");
      lead(two);
      two.engine().mode(api, Mode.ACT, "promoted after 1440 min observed");
      assertThat(stored()).as("deployment one's earned mode").isPresent();
      assertThat(storedKeys()).containsOnly(ModeStore.key(web));
    }
  }

  private ApiClient flakyStore(AtomicBoolean down, AtomicInteger failedReads) {
    return flakyStore(down, failedReads, new AtomicReference<>());
  }

  /**
   * A client whose ConfigMap creates and patches get 403 while {@code down}, whose next {@code
   * failedReads} ConfigMap reads get 403, and which runs {@code afterRead} (once) when a ConfigMap
   * read has returned: a slow read, during which the world moves on.
   */
  private ApiClient flakyStore(AtomicBoolean down, AtomicInteger failedReads,
      AtomicReference<Runnable> afterRead) {
    ApiClient base = kube.adapter();
    ApiClient client = new ClientBuilder().setBasePath(base.getBasePath()).build();
    client.setHttpClient(base.getHttpClient().newBuilder().addInterceptor(chain -> {
      Request r = chain.request();
      boolean store = r.url().encodedPath().contains("/configmaps");
      boolean write = r.method().equals("PATCH") || r.method().equals("POST");
      if (store && (write && down.get()
          || r.method().equals("GET") && failedReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0)) {
        return new Response.Builder().request(r).protocol(Protocol.HTTP_1_1).code(403)
            .message("Forbidden").body(ResponseBody.create("{\"kind\":\"Status\","
                + "\"code\":403}", MediaType.get("application/json"))).build();
      }
      Response answer = chain.proceed(r);
      if (store && r.method().equals("GET")) {
        Runnable hook = afterRead.getAndSet(null);
        if (hook != null) {
          hook.run();
        }
      }
      return answer;
    }).build());
    return client;
  }

  private ApiClient refusingStorePatches(AtomicBoolean down) {
    return flakyStore(down, new AtomicInteger());
  }

  private List<String> storedKeys() throws ApiException {
    Map<String, String> data = new CoreV1Api(kube.fixture())
        .readNamespacedConfigMap(ModeStore.DEFAULT_NAME, kube.namespace()).execute().getData();
    return List.copyOf(data.keySet());
  }
}
