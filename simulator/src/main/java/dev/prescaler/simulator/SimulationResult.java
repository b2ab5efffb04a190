package dev.prescaler.simulator;

import dev.prescaler.simulator.cluster.DemandCurve;
import dev.prescaler.simulator.score.AgainstHpa;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a simulation: the demand replayed, the capacity used and every policy's result
 * in report order.
 *
 * @param config the configuration
 * @param demand the trace on the sync grid
 * @param capacity what one ready replica served, in demand units
 * @param policies each policy's result, in report order
 */
public record SimulationResult(SimulationConfig config, DemandCurve demand, double capacity,
    List<PolicyResult> policies) {
  /** Validates and copies. */
  public SimulationResult {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(demand, "demand");
    policies = List.copyOf(policies);
  }

  /** The trace's name. */
  public String traceName() {
    return demand.trace().name();
  }

  /** The result of one policy, if it ran. */
  public Optional<PolicyResult> policy(String name) {
    return policies.stream().filter(p -> p.scorecard().policy().equals(name)).findFirst();
  }

  /**
   * Every policy other than the HPA and the references read against the HPA, in report order;
   * empty when the HPA did not run.
   */
  public List<AgainstHpa> againstHpa() {
    List<AgainstHpa> out = new ArrayList<>();
    policy(AgainstHpa.HPA).ifPresent(hpa -> {
      for (PolicyResult p : policies) {
        if (AgainstHpa.isCompared(p.scorecard().policy())) {
          out.add(new AgainstHpa(p.scorecard(), hpa.scorecard()));
        }
      }
    });
    return out;
  }
}
