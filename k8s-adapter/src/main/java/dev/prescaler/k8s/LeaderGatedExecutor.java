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
 * {@link ShardedLeaderElection#guard}); refuses the others with the reason. Reads of replica
 * counts always pass; {@link #release} passes only for led workloads.
 */
final class LeaderGatedExecutor implements ScaleExecutor {
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
      return ScaleOutcome.refused(whyNot.apply(request.workload()));
    }
    return delegate.apply(request);
  }

  @Override
  public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
    return delegate.replicas(workload);
  }

  @Override
  public void release(WorkloadRef workload) {
    if (leads.test(workload)) {
      delegate.release(workload);
    }
  }
}
