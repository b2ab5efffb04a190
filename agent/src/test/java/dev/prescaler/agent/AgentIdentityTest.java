package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The identity a replica takes when the configuration names none: two replicas must never share
 * one, or both would hold the Lease.
 */
class AgentIdentityTest {
  private static final Agent.HostName UNKNOWN = () -> {
    throw new UnknownHostException("no such host");
  };

  @Test
  void thePodNameComesFirstThenTheHostName() {
    // With hostNetwork the host name is the node's, shared by every replica on it.
    assertThat(Agent.defaultIdentity(() -> "node-7", Map.of("HOSTNAME", "node-7", "POD_NAME",
        "Prescaler-Agent-5d8-X2V")::get)).isEqualTo("prescaler-agent-5d8-x2v");
    assertThat(Agent.defaultIdentity(() -> "Prescaler-Agent-7F9C",
        Map.of("HOSTNAME", "other", "POD_NAME", " ")::get)).isEqualTo("prescaler-agent-7f9c");
  }

  @Test
  void withoutEitherTheEnvironmentsHostname() {
    assertThat(Agent.defaultIdentity(UNKNOWN,
        Map.of("HOSTNAME", "prescaler-agent-5d8-x2v")::get)).isEqualTo("prescaler-agent-5d8-x2v");
  }

  @Test
  void withNothingToGoByEachReplicaGetsADifferentIdentityNeverAConstant() {
    String one = Agent.defaultIdentity(UNKNOWN, Map.<String, String>of()::get);
    String two = Agent.defaultIdentity(() -> "", Map.<String, String>of()::get);
    assertThat(one).startsWith("prescaler-agent-").isNotEqualTo(two);
    assertThat(two).matches("prescaler-agent-[0-9a-f-]{36}");
  }
}
