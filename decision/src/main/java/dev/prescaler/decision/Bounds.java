package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;

/**
 * A safety step that brings the proposal into the spec's [minReplicas, maxReplicas] inside the
 * chain (the engine does it again at the end), so steps after it such as the capacity arbiter see
 * a count within bounds.
 */
public final class Bounds implements DecisionPolicy {
  /** The single instance. */
  public static final Bounds INSTANCE = new Bounds();

  private Bounds() {}

  @Override
  public String name() {
    return "bounds";
  }

  @Override
  public Proposal apply(DecisionContext ctx, Proposal p) {
    int to = ctx.spec().clamp(p.replicas());
    if (to == p.replicas()) {
      return p;
    }
    return p.to(name(), to, to > p.replicas() ? "minReplicas " + to : "maxReplicas " + to);
  }
}
