package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.agent.Probes.Gate;
import dev.prescaler.agent.Probes.WorkloadGates;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.k8s.KubeBackend;
import dev.prescaler.testkit.ManualClock;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An agent whose rounds are long: a slow or unreachable metric source makes every workload's read
 * wait up to the call timeout. Its stop must not wait for the whole round. The Kubernetes API
 * requests about a workload wait at a {@link Gate}, as such a read does.
 */
class AgentLongRoundTest {
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

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

  /** Three observe-only workloads on the Metrics Server, a 60 s sync period. */
  private AgentConfig config() {
    return AgentConfigParser.parse("""
        engine:
          syncPeriod: 60s
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
        """ + TestConfigs.cpuWorkload(kube.namespace(), "first", "observe-only", "")
        + TestConfigs.cpuWorkload(kube.namespace(), "second", "observe-only", "")
        + TestConfigs.cpuWorkload(kube.namespace(), "third", "observe-only", ""),
        "probes.yaml");
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
}
