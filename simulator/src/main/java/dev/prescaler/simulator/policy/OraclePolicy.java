package dev.prescaler.simulator.policy;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import dev.prescaler.simulator.cluster.DemandCurve;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The clairvoyant reference: it knows the future demand and the startup delay, and asks at
 * {@code t} for {@code max over s in [t, t + startupDelay] of ceil(demand(s) / (target ×
 * capacity))}, taken over the sync grid. At target 1.0 it is {@code oracle-100}, the physical
 * limit: the cheapest count that never leaves demand unserved once the run is under way.
 *
 * <p>The window is {@code ceil(startupDelay / step)} grid steps: a replica asked for at a step is
 * first ready at the first grid step {@code startupDelay} or more after it (105 s after it for a
 * startup of 100 s at 15 s), and the window must reach the demand of that step.
 */
public final class OraclePolicy implements DecisionPolicy {
  private final DemandCurve demand;
  private final int[] desired;
  private final String name;

  /**
   * The oracle for a run in {@code env}.
   *
   * @param env the run
   * @param name the name in reasons, e.g. {@code oracle} or {@code oracle-100}
   */
  public OraclePolicy(PolicyEnvironment env, String name) {
    this.demand = env.demand();
    this.name = name;
    int n = demand.size();
    int[] need = new int[n];
    for (int i = 0; i < n; i++) {
      need[i] = env.need(demand.demand(i));
    }
    Duration step = demand.step();
    long stepMillis = step.toMillis();
    int window = (int) Math.min(n, (env.startupDelay().toMillis() + stepMillis - 1) / stepMillis);
    // Sliding maximum of need over [i, i + window], right to left, with a monotone deque.
    this.desired = new int[n];
    ArrayDeque<Integer> dq = new ArrayDeque<>();
    for (int i = n - 1; i >= 0; i--) {
      while (!dq.isEmpty() && need[dq.peekLast()] <= need[i]) {
        dq.removeLast();
      }
      dq.addLast(i);
      while (dq.peekFirst() > i + window) {
        dq.removeFirst();
      }
      desired[i] = need[dq.peekFirst()];
    }
  }

  /** The count it asks for at grid step {@code i}. */
  public int desiredAt(int i) {
    return desired[i];
  }

  @Override
  public Proposal apply(DecisionContext context, Proposal proposal) {
    long idx = demand.indexOf(context.now());
    int i = (int) Math.max(0, Math.min(desired.length - 1, idx));
    return proposal.to(name, desired[i], "peak need over the next startup delay");
  }

  @Override
  public String name() {
    return name;
  }
}
