package dev.prescaler.simulator.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The policies a simulation can run, by name, in registration order (the order of every report).
 * {@link #standard()} holds the references and the library's policies.
 */
public final class PolicyRegistry {
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  /**
   * One registered policy.
   *
   * @param name its name in reports and on the command line
   * @param factory builds its plug-ins per run
   * @param fixedTarget the target utilization it always runs at (oracle-100: 1.0), or empty when
   *     it follows the run's target (and is swept for the cost at SLO)
   * @param description one line for {@code --help}
   */
  public record Entry(String name, PolicyFactory factory, OptionalDouble fixedTarget,
      String description) {
    /** Validates. */
    public Entry {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(factory, "factory");
      Objects.requireNonNull(fixedTarget, "fixedTarget");
      Objects.requireNonNull(description, "description");
      if (!name.matches("[a-z0-9][a-z0-9-]*")) {
        throw new IllegalArgumentException(
            "policy name must match [a-z0-9][a-z0-9-]*, but was \"" + name + "\"");
      }
    }
  }

  /** An empty registry. */
  public PolicyRegistry() {}

  /**
   * The standard registry: {@code static-peak}, {@code hpa}, {@code predictive}, {@code oracle},
   * {@code oracle-100}.
   */
  public static PolicyRegistry standard() {
    PolicyRegistry r = new PolicyRegistry();
    r.register("static-peak",
        env -> PolicySetup.reference(new StaticPeakPolicy(env)),
        OptionalDouble.empty(), "always the replicas the trace's peak needs (knows the peak)");
    LibraryPolicies.register(r);
    r.register("oracle",
        env -> PolicySetup.reference(new OraclePolicy(env, "oracle")),
        OptionalDouble.empty(), "knows the future and the startup delay, at the target");
    r.register("oracle-100",
        env -> PolicySetup.reference(new OraclePolicy(env, "oracle-100")),
        OptionalDouble.of(1.0), "the oracle at 100 % utilization: the physical limit");
    return r;
  }

  /**
   * Registers a policy that follows the run's target utilization.
   *
   * @throws IllegalArgumentException when the name is taken
   */
  public PolicyRegistry register(String name, PolicyFactory factory, String description) {
    return register(name, factory, OptionalDouble.empty(), description);
  }

  /**
   * Registers a policy.
   *
   * @throws IllegalArgumentException when the name is taken
   */
  public PolicyRegistry register(String name, PolicyFactory factory, OptionalDouble fixedTarget,
      String description) {
    Entry e = new Entry(name, factory, fixedTarget, description);
    if (entries.putIfAbsent(name, e) != null) {
      throw new IllegalArgumentException("policy " + name + " is already registered");
    }
    return this;
  }

  /**
   * The policy of that name.
   *
   * @throws IllegalArgumentException naming the known policies when unknown
   */
  public Entry get(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException(
          "policy must be one of " + names() + ", but was \"" + name + "\"");
    }
    return e;
  }

  /** The registered names, in registration order. */
  public List<String> names() {
    return new ArrayList<>(entries.keySet());
  }

  /** The entries, in registration order. */
  public List<Entry> entries() {
    return new ArrayList<>(entries.values());
  }
}
