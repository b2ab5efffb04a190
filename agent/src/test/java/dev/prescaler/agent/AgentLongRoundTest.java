package dev.prescaler.agent;

import static dev.prescaler.agent.Probes.probe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.agent.Probes.Gate;
import dev.prescaler.agent.Probes.WorkloadGates;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.k8s.KubeBackend;
import dev.prescaler.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent whose rounds are long: a slow or unreachable metric source makes every workload's read
 * wait up to the call timeout, which is progress, not a stuck loop. Its probes must tell the two
 * apart, and its stop must not wait for the whole round. The Kubernetes API requests about a
 * workload wait at a {@link Gate}, as such a read does.
 */
class AgentLongRoundTest {
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

  @TempDir Path dir;
  private KubeBackend kube;
  private final WorkloadGates gates = new WorkloadGates();
  private final ExecutorService helper = Executors.newCachedThreadPool();

  @BeforeEach
  void start() {
    kube = KubeBackend.mock();
  }

  @AfterEach
  void stop() {
    gates.openAll();
    helper.shutdownNow();
    kube.close();
  }

  /**
   * Three observe-only workloads on the Metrics Server, a 60 s sync period and a 10 s call
   * timeout: the liveness threshold is four sync periods, 240 s (four times the call timeout
   * and the API timeout, 80 s, is shorter).
   */
  private AgentConfig config() {
    return config("60s");
  }

  /** {@link #config()} with another sync period. */
  private AgentConfig config(String syncPeriod) {
    return AgentConfigParser.parse("""
        engine:
          syncPeriod: %s
          callTimeout: 10s
        kubernetes:
          leaderElection: false
          identity: agent-long-round
          modeStore: none
        server:
          port: 0
          address: 127.0.0.1
        promotion:
          automatic: false
        workloads:
        """.formatted(syncPeriod)
        + TestConfigs.cpuWorkload(kube.namespace(), "first", "observe-only", "")
        + TestConfigs.cpuWorkload(kube.namespace(), "second", "observe-only", "")
        + TestConfigs.cpuWorkload(kube.namespace(), "third", "observe-only", ""),
        "probes.yaml");
  }

  /**
   * Catches the liveness probe failing on a round that is long but moving: {@code /healthz}
   * answered 503 once the round in flight had started more than four sync periods ago, so with
   * enough workloads whose Prometheus does not answer (each read waiting the call timeout) the
   * kubelet restarted a live leader, and then the standby that took over. It now answers 503
   * only when nothing progressed (no round started, no workload evaluated) for that long.
   */
  @Test
  void healthzFailsWhenNothingProgressesNotWhenARoundIsLong() throws Exception {
    ManualClock clock = new ManualClock(T0);
    Gate first = gates.gate("first");
    Gate second = gates.gate("second");
    try (Agent agent = Agent.create(config(), kube.adapter(gates), clock)) {
      int port = agent.serve();
      Future<?> round = helper.submit(agent::runOnce);
      first.awaitReached(); // the round started at T0

      clock.advance(Duration.ofSeconds(200));
      first.open.countDown(); // the first workload is evaluated at T0 + 200 s
      second.awaitReached();
      clock.advance(Duration.ofSeconds(200));
      assertThat(probe(port, "/healthz")).as("a round 400 s old, progress 200 s ago")
          .isEqualTo("200 ok\n");
      assertThat(probe(port, "/readyz"))
          .isEqualTo("503 not ready: starting, first round not finished\n");

      clock.advance(Duration.ofSeconds(41));
      assertThat(probe(port, "/healthz")).as("no progress for 241 s").isEqualTo("503 no "
          + "progress since " + T0.plusSeconds(200) + " (no round started, no workload "
          + "evaluated or registered for more than PT4M)\n");

      second.open.countDown();
      round.get(30, TimeUnit.SECONDS);
      assertThat(probe(port, "/healthz")).isEqualTo("200 ok\n");
      assertThat(probe(port, "/readyz")).isEqualTo("200 ready\n");
    }
  }

  /**
   * Catches a threshold blind to the call timeout: with a sync period short beside it (5 s
   * against 10 s), one workload whose reads each wait the call timeout, which the engine allows,
   * outlasted four sync periods and failed the probe. The threshold is at least four times the
   * call timeout plus an API request's timeout (80 s here).
   */
  @Test
  void oneWorkloadMayTakeItsCallTimeoutsWithoutFailingTheProbe() throws Exception {
    ManualClock clock = new ManualClock(T0);
    Gate first = gates.gate("first");
    try (Agent agent = Agent.create(config("5s"), kube.adapter(gates), clock)) {
      int port = agent.serve();
      Future<?> round = helper.submit(agent::runOnce);
      first.awaitReached(); // the round started at T0

      clock.advance(Duration.ofSeconds(80));
      assertThat(probe(port, "/healthz")).isEqualTo("200 ok\n");
      clock.advance(Duration.ofSeconds(1));
      assertThat(probe(port, "/healthz")).startsWith("503 no progress since " + T0 + " ");

      first.open.countDown();
      round.get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Catches a stop (SIGTERM) that waited for the whole round in flight: close() took the agent's
   * lock, which the round holds to its end, and the engine's close waited for the engine's lock
   * too, so with 25 workloads whose Prometheus did not answer the stop took 113 s and the pod was
   * killed at the end of its 30 s grace period, its HPA floors still raised, its Lease held and
   * its queued Events lost. The round now ends after the workload in flight.
   */
  @Test
  void aStopDuringALongRoundEndsItAfterTheWorkloadInFlight() throws Exception {
    Gate first = gates.gate("first");
    try (Agent agent = Agent.create(config(), kube.adapter(gates), new ManualClock(T0))) {
      Future<?> round = helper.submit(agent::runOnce);
      first.awaitReached();

      Thread closer = new Thread(agent::close, "closer");
      closer.start();
      Probes.awaitBlocked(closer); // on the round's lock (before), or on the engine's (now)
      first.open.countDown();
      round.get(30, TimeUnit.SECONDS);
      closer.join(TimeUnit.SECONDS.toMillis(30));

      assertThat(closer.isAlive()).as("close() returned").isFalse();
      assertThat(((InMemoryJournal) agent.engine().journal()).records())
          .extracting(r -> r.workload().name()).as("the workloads evaluated")
          .containsExactly("first");
    }
  }

  /**
   * Catches the agent's command opening its HTTP server only after reading every workload's
   * history, one at a time, each up to the call timeout: with a Prometheus that accepts
   * connections and never answers, 12 workloads kept the probes refused for more than the
   * liveness probe's 60 s, and the kubelet restarted the agent before it ever started. The server
   * now opens first: {@code /healthz} answers while the history is read, and {@code /readyz} says
   * that the agent is starting.
   */
  @Test
  void theProbesAnswerWhileTheHistoryIsReadAtStart() throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
          - name: mock
            cluster: {server: "%s"}
        contexts:
          - name: mock
            context: {cluster: mock, user: mock}
        current-context: mock
        users:
          - name: mock
            user: {token: test}
        """.formatted(kube.adapter().getBasePath()));
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    List<Socket> held = new CopyOnWriteArrayList<>();
    CountDownLatch asked = new CountDownLatch(1);
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      // A Prometheus that accepts connections and never answers.
      helper.submit(() -> {
        while (!silent.isClosed()) {
          try {
            held.add(silent.accept());
            asked.countDown();
          } catch (IOException closed) {
            return;
          }
        }
      });
      AgentConfig config = AgentConfigParser.parse("""
          engine:
            syncPeriod: 1h
            callTimeout: 1m
          kubernetes:
            kubeconfig: %s
            leaderElection: false
            identity: agent-start
            modeStore: none
          prometheus:
            url: http://127.0.0.1:%d
            timeout: 1m
          server:
            port: %d
            address: 127.0.0.1
          promotion:
            automatic: false
          workloads:
            - namespace: %s
              name: web
              maxReplicas: 10
              metrics:
                - name: rps
                  type: averageValue
                  target: 50
                  source: prometheus
                  query: sum(rate(http_requests_total{{selector}}[{rate_window}]))
          """.formatted(kubeconfig, silent.getLocalPort(), port, kube.namespace()),
          "start.yaml");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      CompletableFuture<Thread> runner = new CompletableFuture<>();
      Future<Integer> running = helper.submit(() -> {
        runner.complete(Thread.currentThread());
        return Agent.runUntilStopped(config, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
      });
      assertThat(asked.await(30, TimeUnit.SECONDS)).as("the history read began").isTrue();

      assertThat(probe(port, "/healthz")).isEqualTo("200 ok\n");
      assertThat(probe(port, "/readyz")).isEqualTo(
          "503 not ready: starting, 0 of 1 workloads registered (their history read)\n");

      silent.close();
      for (Socket s : held) {
        s.close(); // the read fails at once: the agent starts without the history
      }
      runner.get().interrupt(); // stops it as SIGTERM would
      assertThat(running.get(30, TimeUnit.SECONDS)).as(err.toString(StandardCharsets.UTF_8))
          .isZero();
    }
    assertThat(probe(port, "/healthz")).as("the server stopped with the agent")
        .isEqualTo("refused");
  }
}
