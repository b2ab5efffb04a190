package dev.prescaler.core;

import java.util.Optional;

/**
 * Applies decisions to the cluster: the fourth stage of the loop. The engine calls it only for
 * workloads in {@link Mode#ACT} or {@link Mode#HPA_FLOOR}, never in {@link Mode#OBSERVE_ONLY}.
 *
 * <p>Contract (checked by the testkit's {@code ScaleExecutorContract}): one request is one change,
 * applied whole or not at all; errors become {@link ScaleOutcome#failed(String)} rather than
 * exceptions; the result of an {@code applied} outcome is the requested count (in {@link
 * Mode#HPA_FLOOR}, the floor written: lower when the HPA's {@code maxReplicas} holds it down, see
 * {@link ScaleOutcome#applied}). Thread-safe. Like a {@link MetricSource}, it is called while the
 * engine holds its lock and must not call back into the engine.
 */
@FunctionalInterface
public interface ScaleExecutor {

  /** Applies the request. */
  ScaleOutcome apply(ScaleRequest request);

  /**
   * The workload's replica counts, for engines whose metric source does not report them. Default:
   * unknown.
   */
  default Optional<ReplicaStatus> replicas(WorkloadRef workload) {
    return Optional.empty();
  }

  /**
   * Gives control of the workload back: an HPA-floor executor restores the HPA spec it saved.
   * Called when a workload leaves {@link Mode#HPA_FLOOR} or the engine closes. Default: nothing.
   */
  default void release(WorkloadRef workload) {}

  /** An executor that changes nothing and refuses every request. */
  static ScaleExecutor observeOnly() {
    return ObserveOnlyExecutor.INSTANCE;
  }
}

/** Refuses everything: for engines that only observe. */
enum ObserveOnlyExecutor implements ScaleExecutor {
  INSTANCE;

  @Override
  public ScaleOutcome apply(ScaleRequest request) {
    return ScaleOutcome.refused("observe-only executor: no change made to " + request.workload());
  }
}
