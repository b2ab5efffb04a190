package dev.prescaler.simulator.policy;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import java.util.Locale;

/**
 * Static peak provisioning, a reference bound: always the replicas the trace's peak demand needs at
 * the target, {@code ceil(max(demand) / (target × capacity))}. It knows the whole trace's peak.
 */
public final class StaticPeakPolicy implements DecisionPolicy {
  private final int replicas;
  private final String message;

  /** The policy for a run in {@code env}. */
  public StaticPeakPolicy(PolicyEnvironment env) {
    this.replicas = env.need(env.demand().max());
    this.message = String.format(Locale.ROOT, "peak demand %.6g needs %d replicas at %.6g each",
        env.demand().max(), replicas, env.perReplicaTarget());
  }

  /** The count it always proposes. */
  public int replicas() {
    return replicas;
  }

  @Override
  public Proposal apply(DecisionContext context, Proposal proposal) {
    return proposal.to(name(), replicas, message);
  }

  @Override
  public String name() {
    return "static-peak";
  }
}
