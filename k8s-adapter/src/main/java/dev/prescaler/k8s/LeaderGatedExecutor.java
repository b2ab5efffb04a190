package dev.prescaler.k8s;

import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Lets requests through only for workloads this replica leads (see {@link LeaseElector#guard} and
 * {@link ShardedLeaderElection#guard}); refuses the others with the reason. Reads of replica counts
 * always pass. Every such refusal begins with {@value #NOT_LEADER}, so that whoever counts refusals
 * can leave it out ({@link LeaseElector#refusedForNotLeading}). {@link #release} passes only for
 * led workloads and otherwise throws, so that a release refused for not leading does not look done:
 * the engine keeps it pending and sends it again on a later tick, which succeeds once this replica
 * leads (e.g. after a lease that lapsed in the middle of a tick is renewed).
 */
final class LeaderGatedExecutor implements ScaleExecutor {
  /** How every refusal for not leading begins (see {@link LeaseElector#refusedForNotLeading}). */
  static final String NOT_LEADER = "not the leader";

  private final ScaleExecutor delegate;
  private final Predicate<WorkloadRef> leads;
  private final Function<WorkloadRef, String> whyNot;

  LeaderGatedExecutor(ScaleExecutor delegate, Predicate<WorkloadRef> leads,
      Function<WorkloadRef, String> whyNot) {
    this.delegate = Objects.requireNonNull(delegate, "executor");
    this.leads = leads;
    this.whyNot = whyNot;
  }

  @Override
  public ScaleOutcome apply(ScaleRequest request) {
    if (!leads.test(request.workload())) {
      String why = whyNot.apply(request.workload());
      return ScaleOutcome.refused(why.startsWith(NOT_LEADER) ? why : NOT_LEADER + ": " + why);
    }
    return delegate.apply(request);
  }

  @Override
  public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
    return delegate.replicas(workload);
  }

  /**
   * Releases through the delegate while this replica leads the workload.
   *
   * @throws IllegalStateException when it does not: nothing is released, and the message says
   *     who leads
   */
  @Override
  public void release(WorkloadRef workload) {
    if (!leads.test(workload)) {
      throw new IllegalStateException(whyNot.apply(workload) + "; release not sent");
    }
    delegate.release(workload);
  }
}
