package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.StepLimits;
import java.util.Objects;

/**
 * A safety step that limits one decision's change, absolute and in percent, up and down (the same
 * rule as the engine's {@link StepLimits}, here inside the chain so later steps see the limited
 * count): up by at most {@code max(upPods, ceil(c × upPercent/100))}, down by at most {@code
 * max(downPods, floor(c × downPercent/100))}.
 *
 * @param limits the limits
 */
public record StepLimit(StepLimits limits) implements DecisionPolicy {
  /** Requires the limits. */
  public StepLimit {
    Objects.requireNonNull(limits, "limits");
  }

  @Override
  public String name() {
    return "step-limit";
  }

  @Override
  public Proposal apply(DecisionContext ctx, Proposal p) {
    int current = ctx.replicas().current();
    int up = limits.maxUp(current);
    int down = limits.maxDown(current);
    if (p.replicas() > up) {
      return p.to(name(), up, "at most +" + (up - current) + " from " + current);
    }
    if (p.replicas() < down) {
      return p.to(name(), down, "at most -" + (current - down) + " from " + current);
    }
    return p;
  }
}
