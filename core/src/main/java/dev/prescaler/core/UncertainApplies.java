package dev.prescaler.core;

import dev.prescaler.core.PluginCalls.Stage;
import dev.prescaler.core.journal.DecisionRecord.Action;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the engine counts an apply whose outcome is unknown: one in ACT mode that FAILED (timed
 * out, threw, or answered FAILED, maybe after its write got through) may have landed all the
 * same. The tick and {@link AutoscalerEngine#restore} both go through this class, the tick with
 * what it sees and restore with what the records say, so that they count such an apply alike.
 *
 * <p>Each workload keeps at most one such apply ({@link WorkloadState#uncertain}), its latest.
 * The first tick that observes the count it asked for counts it as a scale made on that tick:
 * the last scale time, and an applied past decision of the change at that tick, for cooldowns
 * and rate limits; that tick's record gives the reason first. A newer apply replaces it; an
 * observed count other than the one it started from (someone else scaled), or a tick in another
 * mode, drops it.
 *
 * <p>Not thread-safe: guarded by the engine's lock, as the workload states are.
 */
final class UncertainApplies {
  /*
   * When the change counts. A late call lands at a time nobody knows, between the ask and the
   * first tick that sees the new count. Counted from the ask, an apply that hung for six minutes
   * would end a five-minute cooldown the moment it lands, and the next tick could scale again at
   * once; so it counts from the tick that saw it, live (that tick's time) and in restore (that
   * record's time), which therefore agree. The HPA rate limits see it at the same instant: the
   * past decision of the ask stays unapplied (its marks, the recommendations a stabilization
   * window reads, stay at their time), and a past decision of the change, applied and without
   * marks, is added at the tick that saw it. A rate-limit period then starts from the count
   * before the change, as it would have had the apply answered on that tick; dated from the ask,
   * a period shorter than the hang would have let the next step go at full rate on top of a
   * change that had only just happened. Both err the same way: late by at most one sync period
   * when the call landed quickly, which only ever slows the next scale, never hastens it.
   */

  /** An apply of {@code from -> to} asked at {@code asked} whose outcome is unknown. */
  record Pending(int from, int to, Instant asked) {}

  /**
   * The count of {@code s} observed at {@code at} ({@code current}, -1 when unknown), in
   * {@code mode}, live or replayed from a record: settles its uncertain apply, if it has one, and
   * returns the reason to give first in the record, or null when nothing was counted.
   */
  Reason observe(WorkloadState s, Instant at, Mode mode, int current) {
    Pending p = s.uncertain;
    if (p == null) {
      return null;
    }
    if (mode != Mode.ACT) {
      s.uncertain = null; // the count is no longer the engine's alone to tell
      return null;
    }
    if (current < 0 || current == p.from()) {
      return null;
    }
    s.uncertain = null;
    if (current != p.to()) {
      return null; // someone else changed the count: what became of the apply cannot be told
    }
    // Counted on this tick, not when it was asked (see the notes above).
    if (p.to() > p.from()) {
      s.lastScaleUp = at;
    } else {
      s.lastScaleDown = at;
    }
    s.recent.addLast(new PastDecision(at, p.from(), p.to(), true, Map.of()));
    return new Reason("landed", p.from(), p.to(), "the change to " + p.to() + " asked at "
        + p.asked() + " (its outcome unknown) has landed: counted as a scale at " + at);
  }

  /**
   * An apply of {@code s} from {@code from} to {@code to} at {@code at} in {@code mode}, with its
   * journaled {@code action} and {@code message}: one that FAILED after it was sent becomes the
   * uncertain apply. Records that called no executor, or not in ACT mode, change nothing.
   */
  void applied(WorkloadState s, Mode mode, Action action, String message, int from, int to,
      Instant at) {
    if (mode != Mode.ACT || (action != Action.APPLIED && action != Action.REFUSED
        && action != Action.FAILED)) {
      return;
    }
    s.uncertain = mayHaveLanded(action, message) ? new Pending(from, to, at) : null;
  }

  /** Moves the uncertain apply of {@code s} asked after {@code now} to {@code now} (rewind). */
  static void rewind(WorkloadState s, Instant now) {
    Pending p = s.uncertain;
    if (p != null && p.asked().isAfter(now)) {
      s.uncertain = new Pending(p.from(), p.to(), now); // as its past decision
    }
  }

  /** {@code reasons}, after {@code note} when there is one. */
  static List<Reason> withNote(Reason note, List<Reason> reasons) {
    if (note == null) {
      return reasons;
    }
    List<Reason> out = new ArrayList<>(reasons.size() + 1);
    out.add(note);
    out.addAll(reasons);
    return out;
  }

  /**
   * Whether an apply journaled with {@code action} and {@code message} may have changed the count
   * although it did not say APPLIED: every FAILED one (a timeout, an exception, an error after
   * the write got through) but one the engine never sent for lack of a thread.
   */
  private static boolean mayHaveLanded(Action action, String message) {
    return action == Action.FAILED && !message.startsWith(Stage.APPLY.label + " not called: ");
  }
}
