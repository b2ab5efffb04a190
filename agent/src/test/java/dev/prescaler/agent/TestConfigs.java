package dev.prescaler.agent;

/** YAML pieces of the agent configurations the tests share. */
final class TestConfigs {
  private TestConfigs() {}

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
