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
 *
 * <p>The check is made before the call ({@code starts}: this replica leads, and still will for
 * the call timeout) and again ({@link LeaderFence}) before each write request the call makes
 * through this module's executors ({@link HpaFloorExecutor}, {@link ScaleSubresourceExecutor}):
 * the HPA floor's PATCH after its list, the release's PUT after each read, every retry. That
 * second check ({@code leads}) asks only whether this replica still leads (its renew deadline has
 * not passed), not for the call timeout again: the call was allowed to take that long when it
 * started, so a write it makes later, with less than the call timeout of leadership left, still
 * ends before another replica may take over. A call that outlived the leadership it started
 * under (a list held in a slow API server, retries, a release read again after a 409) so sends
 * no write once another replica may lead; a delegate that hands the call to another thread is
 * checked before the call only.
 */
final class LeaderGatedExecutor implements ScaleExecutor {
  /** How every refusal for not leading begins (see {@link LeaseElector#refusedForNotLeading}). */
  static final String NOT_LEADER = "not the leader";

  private final ScaleExecutor delegate;
  private final Predicate<WorkloadRef> starts;
  private final Predicate<WorkloadRef> leads;
  private final Function<WorkloadRef, String> whyNot;

  /**
   * A guard that asks the same question before the call and before each of its write requests.
   *
   * @param leads whether this replica may write for the workload now
   * @param whyNot why not, when {@code leads} says no
   */
  LeaderGatedExecutor(ScaleExecutor delegate, Predicate<WorkloadRef> leads,
      Function<WorkloadRef, String> whyNot) {
    this(delegate, leads, leads, whyNot);
  }

  /**
   * A guard.
   *
   * @param starts whether this replica may start a call for the workload now: it leads, and
   *     still will for as long as the call may take
   * @param leads whether a call already started may still send a write request for the workload
   *     now: this replica still leads
   * @param whyNot why not, when {@code starts} or {@code leads} says no
   */
  LeaderGatedExecutor(ScaleExecutor delegate, Predicate<WorkloadRef> starts,
      Predicate<WorkloadRef> leads, Function<WorkloadRef, String> whyNot) {
    this.delegate = Objects.requireNonNull(delegate, "executor");
    this.starts = Objects.requireNonNull(starts, "starts");
    this.leads = Objects.requireNonNull(leads, "leads");
    this.whyNot = whyNot;
  }

  @Override
  public ScaleOutcome apply(ScaleRequest request) {
    WorkloadRef w = request.workload();
    if (!starts.test(w)) {
      return ScaleOutcome.refused(why(w));
    }
    try {
      return LeaderFence.during(check(w), () -> delegate.apply(request));
    } catch (LeaderFence.LeadershipLostException e) {
      return e.mayHaveApplied() ? ScaleOutcome.failed(e.getMessage())
          : ScaleOutcome.refused(e.getMessage());
    }
  }

  @Override
  public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
    return delegate.replicas(workload);
  }

  /**
   * Releases through the delegate while this replica leads the workload.
   *
   * @throws IllegalStateException when it does not, before the release or before one of its write
   *     requests: the message says who leads and whether a write may have been applied
   */
  @Override
  public void release(WorkloadRef workload) {
    if (!starts.test(workload)) {
      throw new IllegalStateException(why(workload) + "; release not sent");
    }
    LeaderFence.during(check(workload), () -> {
      delegate.release(workload);
      return null;
    });
  }

  private LeaderFence.Check check(WorkloadRef w) {
    return () -> leads.test(w) ? Optional.empty() : Optional.of(why(w));
  }

  private String why(WorkloadRef w) {
    String why = whyNot.apply(w);
    return why.startsWith(NOT_LEADER) ? why : NOT_LEADER + ": " + why;
  }
}
