package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prescaler.k8s.KubeBackend;
import dev.prescaler.testkit.ManualClock;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent's HTTP server listens on {@code server.address} only, when it is set. */
class AgentServerTest {
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

  private KubeBackend kube;

  @BeforeEach
  void start() {
    kube = KubeBackend.mock();
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  private AgentConfig config(String address, int port) {
    return AgentConfigParser.parse("""
        kubernetes:
          leaderElection: false
          identity: agent-server
        server:
          port: %d
          address: %s
        promotion:
          automatic: false
        workloads:
        """.formatted(port, address) + TestConfigs.cpuWorkload(kube.namespace(), "web", "act", ""),
        "server.yaml");
  }

  /** Whether a TCP connection to {@code address}:{@code port} is accepted. */
  private static boolean accepts(String address, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getByName(address), port), 2000);
      return true;
    } catch (ConnectException refused) {
      return false;
    }
  }

  @Test
  void listensOnTheConfiguredAddressAndNotOnTheOtherLoopbackAddresses() throws IOException {
    // Linux routes all of 127.0.0.0/8 to the loopback interface; elsewhere 127.0.0.2 may not be
    // there, and the other address of this test is then missing.
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
    } catch (IOException e) {
      assumeTrue(false, "127.0.0.2 is not a local address here: " + e);
    }
    try (Agent agent = Agent.create(config("127.0.0.2", 0), kube.adapter(), new ManualClock(T0))) {
      int port = agent.serve();
      assertThat(accepts("127.0.0.2", port)).isTrue();
      assertThat(accepts("127.0.0.1", port)).as("not every interface").isFalse();
    }
  }

  @Test
  void anAddressInUseNamesTheAddressAndThePort() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        Agent agent = Agent.create(config("127.0.0.1", taken.getLocalPort()), kube.adapter(),
            new ManualClock(T0))) {
      assertThatThrownBy(agent::serve)
          .hasMessage("cannot listen on address 127.0.0.1, port " + taken.getLocalPort());
    }
  }
}
