package dev.prescaler.k8s;

import dev.prescaler.core.Mode;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import java.util.Objects;
import java.util.Optional;

/**
 * One executor for an engine whose workloads use both modes: {@link Mode#ACT} requests go to
 * {@code act}, {@link Mode#HPA_FLOOR} requests to {@code floor}; replica counts come from {@code
 * act} and {@link #release} goes to {@code floor}.
 *
 * @param act applies ACT, e.g. a {@link ScaleSubresourceExecutor}
 * @param floor applies HPA_FLOOR, e.g. an {@link HpaFloorExecutor}
 */
public record ModeRoutingExecutor(ScaleExecutor act, ScaleExecutor floor) implements ScaleExecutor {
  /** Validates. */
  public ModeRoutingExecutor {
    Objects.requireNonNull(act, "act");
    Objects.requireNonNull(floor, "floor");
  }

  @Override
  public ScaleOutcome apply(ScaleRequest request) {
    return request.mode() == Mode.HPA_FLOOR ? floor.apply(request) : act.apply(request);
  }

  @Override
  public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
    return act.replicas(workload);
  }

  @Override
  public void release(WorkloadRef workload) {
    floor.release(workload);
  }
}
