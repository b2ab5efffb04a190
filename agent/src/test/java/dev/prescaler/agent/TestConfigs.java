package dev.prescaler.agent;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** YAML pieces of the agent configurations the tests share. */
final class TestConfigs {
  private static final Pattern IDENTITY = Pattern.compile("(?m)^ +identity: (\\S+)\n");

  private TestConfigs() {}

  /**
   * The configuration of one replica among several that elect a leader: {@code yaml} may name
   * the replica's identity ({@code identity: NAME} in its kubernetes section), which the parser
   * refuses with leader election, since the replicas of a Deployment share one file. The line is
   * taken out of the text and its name given to the parsed configuration, as each pod's {@code
   * POD_NAME} would be.
   */
  static AgentConfig replica(String yaml, String source) {
    Matcher m = IDENTITY.matcher(yaml);
    if (!m.find()) {
      return AgentConfigParser.parse(yaml, source);
    }
    AgentConfig c = AgentConfigParser.parse(m.replaceFirst(""), source);
    AgentConfig.Kubernetes k = c.kubernetes();
    return new AgentConfig(c.engine(), new AgentConfig.Kubernetes(k.kubeconfig(),
        k.leaderElection(), k.leaseNamespace(), k.leaseName(), k.leaseDuration(), m.group(1),
        k.modeStore()), c.prometheus(), c.server(), c.promotion(), c.workloads());
  }

  /**
   * One entry of {@code workloads:} (indented as a list item under it): a Deployment scaled on the
   * Metrics Server's CPU at 70 %, at most 10 replicas, in {@code mode}; {@code extra} adds keys to
   * the entry (e.g. {@code "promoted: true"}), or is empty.
   */
  static String cpuWorkload(String namespace, String name, String mode, String extra) {
    return """
          - namespace: %s
            name: %s
            maxReplicas: 10
            mode: %s
        %s    metrics:
              - name: cpu
                type: utilization
                target: 70
                source: metrics-server
                resource: cpu
        """.formatted(namespace, name, mode, extra.isEmpty() ? "" : "    " + extra + "\n");
  }
}
