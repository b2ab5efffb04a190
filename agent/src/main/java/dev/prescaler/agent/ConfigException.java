package dev.prescaler.agent;

import java.util.List;

/**
 * An agent configuration that cannot be used. The message lists every problem, one per line,
 * each naming the key path and the bad value ({@code workloads[0].maxReplicas must be >= 1, but
 * was 0}).
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> problems;

  /** Creates the exception for a file (or other source name) and its problems. */
  public ConfigException(String source, List<String> problems) {
    super(source + ": invalid configuration:\n- " + String.join("\n- ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found. */
  public List<String> problems() {
    return problems;
  }
}
