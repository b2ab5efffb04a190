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
 * <p>The check is made before the call and again before each write request the call makes through
 * this module's executors ({@link HpaFloorExecutor}, {@link ScaleSubresourceExecutor}): the HPA
 * floor's PATCH after its list, the release's PUT after each read, every retry. A call that
 * outlived the leadership it started under (a list held in a slow API server, retries, a release
 * read again after a 409) so sends no write once another replica may lead.
 */
final class LeaderGatedExecutor implements ScaleExecutor {
  /* The check reaches the executors' requests through a ThreadLocal set around the delegate's
   * call (ApiCalls.write asks beforeWrite), not through a parameter: so it passes through any
   * executor wrapped in between (ModeRoutingExecutor, a user's decorator) that calls on the same
   * thread. A delegate that hands the call to another thread gets the check before the call only.
   * Guards nest: the innermost one installed is asked, and each restores the one it found. */
  private static final ThreadLocal<Fence> FENCE = new ThreadLocal<>();

  /** How every refusal for not leading begins (see {@link LeaseElector#refusedForNotLeading}). */
  static final String NOT_LEADER = "not the leader";

  private final ScaleExecutor delegate;
  private final Predicate<WorkloadRef> leads;
  private final Function<WorkloadRef, String> whyNot;

  /**
   * A guard.
   *
   * @param leads whether this replica may start a write for the workload now, asked before the
   *     call and before each of its write requests
   * @param whyNot why not, when {@code leads} says no
   */
  LeaderGatedExecutor(ScaleExecutor delegate, Predicate<WorkloadRef> leads,
      Function<WorkloadRef, String> whyNot) {
    this.delegate = Objects.requireNonNull(delegate, "executor");
    this.leads = leads;
    this.whyNot = whyNot;
  }

  @Override
  public ScaleOutcome apply(ScaleRequest request) {
    WorkloadRef w = request.workload();
    if (!leads.test(w)) {
      return ScaleOutcome.refused(why(w));
    }
    Fence outer = FENCE.get();
    FENCE.set(new Fence(this, w));
    try {
      return delegate.apply(request);
    } catch (LeadershipLostException e) {
      return e.mayHaveApplied() ? ScaleOutcome.failed(e.getMessage())
          : ScaleOutcome.refused(e.getMessage());
    } finally {
      FENCE.set(outer);
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
    if (!leads.test(workload)) {
      throw new IllegalStateException(why(workload) + "; release not sent");
    }
    Fence outer = FENCE.get();
    FENCE.set(new Fence(this, workload));
    try {
      delegate.release(workload);
    } finally {
      FENCE.set(outer);
    }
  }

  private String why(WorkloadRef w) {
    String why = whyNot.apply(w);
    return why.startsWith(NOT_LEADER) ? why : NOT_LEADER + ": " + why;
  }

  /**
   * Called by {@link ApiCalls#write} before each try of a write: passes when no guard runs a call
   * on this thread or when its replica still leads the workload.
   *
   * @param what the request, for the message ({@code PATCH horizontalpodautoscalers...})
   * @param uncertain whether an earlier try of this write may have been applied
   * @throws LeadershipLostException when the replica no longer leads: the write is not sent
   */
  static void beforeWrite(String what, boolean uncertain) {
    Fence f = FENCE.get();
    if (f == null || f.guard.leads.test(f.workload)) {
      return;
    }
    throw new LeadershipLostException(f.guard.why(f.workload) + "; " + what + " not sent"
        + (uncertain ? " again, but an earlier try timed out or met a server error, so the change "
            + "may have been applied" : ", nothing changed"), uncertain);
  }

  private record Fence(LeaderGatedExecutor guard, WorkloadRef workload) {}

  /** A guarded call stopped before a write: this replica no longer leads the workload. */
  static final class LeadershipLostException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final boolean mayHaveApplied;

    LeadershipLostException(String message, boolean mayHaveApplied) {
      super(message);
      this.mayHaveApplied = mayHaveApplied;
    }

    /** Whether an earlier try of the write stopped timed out or met a server error. */
    boolean mayHaveApplied() {
      return mayHaveApplied;
    }
  }
}
