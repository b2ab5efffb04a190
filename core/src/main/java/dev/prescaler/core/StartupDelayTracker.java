package dev.prescaler.core;

import java.time.Duration;
import java.time.Instant;

/**
 * Learns pod startup delays from the replica counts the engine observes, live or replayed from
 * the journal by a restore: owns the rule that turns observations into the samples kept in
 * {@link WorkloadState} (whose median becomes the measured startup delay). The measurement under
 * way is state of the workload ({@code pendingReadyTarget}, {@code pendingSince}), which the
 * engine also sets when it applies a scale-up or the clock goes back.
 *
 * <p>Not thread-safe on its own: it holds only the sync period, and changes the {@link
 * WorkloadState} it is given, which callers guard with the engine's lock.
 */
final class StartupDelayTracker {
  /** The longest startup delay learned: the bound of {@link WorkloadSpec}'s startupDelay. */
  private static final Duration MAX_STARTUP_DELAY = Duration.ofHours(1);

  private final Duration syncPeriod;

  /** A tracker for an engine ticking every {@code syncPeriod}. */
  StartupDelayTracker(Duration syncPeriod) {
    this.syncPeriod = syncPeriod;
  }

  /**
   * Measures pod startup delays: from the tick a raise of the count is first seen (or our own
   * scale-up applied) to the tick its pods are first seen ready. A raise is a count above the
   * count last observed, never above one the engine only asked for: after our own scale-down a
   * count read a scrape late, or one an executor kept above the request, is no raise. A raise
   * seen while an earlier one's pods are still starting restarts the measurement, as our own
   * scale-up does when applied: the sample runs from the latest raise to all pods ready, not
   * from the first (which would add the time between the raises). Our own scale-up read back
   * above what it asked, before its count was ever seen, is that scale-up, not a new raise. A
   * delay is known only to the resolution of the observations, so a sample is recorded only
   * when both ends were seen on time:
   * <ul>
   *   <li>nothing when readiness is first seen after a gap of more than about two sync periods
   *       since the previous observation of the counts (a metrics outage, an engine restart, a
   *       clock stepped forward): the pods may have been ready long before;
   *   <li>nothing for a raise first seen after such a gap, ready or not: it may have begun long
   *       before;
   *   <li>for a raise seen already ready, the time since the previous observation when that was
   *       about one sync period earlier (the pods were ready within it, as our own scale-up ready
   *       on the next tick measures one period), else nothing;
   *   <li>only delays in (0, 1h], the range a spec's {@code startupDelay} may take;
   *   <li>nothing for a measurement under way when the clock goes back (its start was stamped
   *       by the clock before the step).
   * </ul>
   * Observations are timed when the counts were read, not when the tick began: a tick slowed by
   * other workloads' calls reaches this one late.
   */
  void trackStartup(WorkloadState s, ReplicaStatus r, Instant now) {
    Duration gap = s.lastObserved == null ? null : Duration.between(s.lastObserved, now);
    s.lastObserved = now;
    if (gap != null && gap.isNegative()) {
      // The clock went back since the last observation (live, or in the records a restore
      // replays): a measurement under way began on the clock before the step.
      s.pendingReadyTarget = -1;
      s.pendingSince = null;
    }
    boolean onTime = observedWithin(gap, 2.5);
    boolean aboveTarget = s.pendingReadyTarget < 0 || r.current() > s.pendingReadyTarget;
    if (s.pendingReadyTarget >= 0 && s.lastObservedCount < s.pendingReadyTarget && aboveTarget
        && onTime) {
      // The first read-back of our own scale-up, which landed above what it asked (an executor
      // that rounds up or batches): the same pods, started when the apply returned. Restarted
      // here, the sample lost the sync period before this read. Read after a gap, it may be
      // someone else's raise long after ours was ready: that is a raise first seen late, below.
      s.pendingReadyTarget = r.current();
    } else if (s.lastObservedCount >= 0 && r.current() > s.lastObservedCount && aboveTarget) {
      // Someone (we or the HPA) raised the count: measure how long until it is ready, from this
      // raise (the latest) on, whatever an earlier one still starting had begun.
      s.pendingReadyTarget = -1;
      s.pendingSince = null;
      s.lastObservedCount = r.current();
      if (r.ready() >= r.current()) {
        if (observedWithin(gap, 1.5)) {
          recordStartupDelay(s, gap);
        }
        return;
      }
      if (!onTime) {
        return;
      }
      s.pendingSince = now;
      s.pendingReadyTarget = r.current();
      return;
    }
    if (s.pendingReadyTarget >= 0) {
      if (r.current() < s.pendingReadyTarget) {
        s.pendingReadyTarget = -1;
      } else if (r.ready() >= s.pendingReadyTarget) {
        if (onTime) {
          recordStartupDelay(s, Duration.between(s.pendingSince, now));
        }
        s.pendingReadyTarget = -1;
      }
    }
    s.lastObservedCount = r.current();
  }

  /** Whether a gap between observations is at most {@code periods} sync periods (and not < 0). */
  private boolean observedWithin(Duration gap, double periods) {
    return gap != null && !gap.isNegative()
        && gap.toMillis() <= periods * syncPeriod.toMillis();
  }

  /** Keeps a measured startup delay when it is in (0, 1h]: a clock stepped back measures none. */
  private static void recordStartupDelay(WorkloadState s, Duration delay) {
    if (!delay.isNegative() && !delay.isZero() && delay.compareTo(MAX_STARTUP_DELAY) <= 0) {
      s.recordStartupDelay(delay);
    }
  }
}
