package dev.prescaler.core;

import java.util.List;

/**
 * A configuration that failed validation. The message lists every problem found, one per line,
 * each naming the field and the bad value.
 */
public final class InvalidConfigurationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> problems;

  /** Creates the exception for {@code what} (e.g. {@code WorkloadSpec}) with its problems. */
  public InvalidConfigurationException(String what, List<String> problems) {
    super("Invalid " + what + ":\n- " + String.join("\n- ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in the order checked. */
  public List<String> problems() {
    return problems;
  }
}
