package dev.prescaler.reliability;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.WorkloadRef;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A capacity policy ({@code ceil(load / target)}, the HPA formula for a total-demand metric) that
 * can be told, per workload, to propose something wild or to fail.
 */
final class ScriptedPolicy implements DecisionPolicy {
  /** How the policy behaves for one workload. */
  enum Behaviour {
    /** {@code ceil(load / target)}. */
    CAPACITY,
    /** {@code Integer.MAX_VALUE}: the engine's clamp must catch it. */
    HUGE,
    /** Zero replicas. */
    ZERO,
    /** A fixed count set by the test. */
    FIXED,
    /** Throws. */
    THROWS,
    /** Returns null. */
    NULL
  }

  private final Map<WorkloadRef, Behaviour> behaviours = new ConcurrentHashMap<>();
  private final Map<WorkloadRef, Integer> fixed = new ConcurrentHashMap<>();

  void behave(WorkloadRef w, Behaviour b, int fixedCount) {
    behaviours.put(w, b);
    fixed.put(w, fixedCount);
  }

  Behaviour behaviour(WorkloadRef w) {
    return behaviours.getOrDefault(w, Behaviour.CAPACITY);
  }

  @Override
  public Proposal apply(DecisionContext ctx, Proposal p) {
    WorkloadRef w = ctx.workload();
    double target = ctx.spec().metric(ScriptedSource.METRIC).orElseThrow().perReplicaTarget();
    int capacity = (int) Math.min(Integer.MAX_VALUE,
        Math.ceil(ctx.load(ScriptedSource.METRIC) / target));
    return switch (behaviour(w)) {
      case CAPACITY -> p.to("capacity", capacity, "load ÷ target ≤ 1 per replica")
          .mark("raw", capacity);
      case HUGE -> p.to("wild", Integer.MAX_VALUE, "scripted huge proposal");
      case ZERO -> p.to("wild", 0, "scripted zero proposal");
      case FIXED -> p.to("wild", fixed.getOrDefault(w, 1), "scripted fixed proposal");
      case THROWS -> throw new IllegalStateException("policy bug (scripted)");
      case NULL -> null;
    };
  }

  @Override
  public String name() {
    return "scripted";
  }
}
