package dev.prescaler.core;

import dev.prescaler.core.PluginCalls.Stage;
import dev.prescaler.core.journal.DecisionRecord.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the engine counts an apply whose outcome is unknown: one in ACT mode that FAILED after it
 * may have sent its request (timed out, threw, returned no outcome, or answered FAILED with a
 * message that says the change "may have been applied", {@link ScaleOutcome#mayHaveBeenApplied})
 * may have landed all the same. Any other FAILED changed nothing, as {@link
 * ScaleOutcome.Status#FAILED} promises (a 403, a read that failed before the write): a count
 * seen after it is someone else's. The tick and {@link AutoscalerEngine#restore} both go through
 * this class, the tick with what it sees and restore with what the records say, so that they
 * count such an apply alike.
 *
 * <p>Each workload keeps such applies from one count ({@link WorkloadState#uncertain}): the
 * latest, and the earlier ones from the same count (at most {@link #MAX_TARGETS} counts asked
 * for). The first tick that observes one of the counts asked for counts that apply as a scale
 * made on that tick: the last scale time, and an applied past decision of the change at that
 * tick, for cooldowns and rate limits; that tick's record gives the reason first, as a step
 * that kept the count it found ({@code landed: kept 5 (the change 2 -> 5 asked at ... (its
 * outcome unknown) has landed: counted as a scale at ...)}), so that its reasons still chain
 * from it.
 *
 * <p>A count short of one asked for, on the way to it from the count they started from (4 of a
 * 3 -> 6: a server that stored less, such as a mutating admission webhook), counts as that apply
 * landed short: the change made (3 -> 4) is counted, as the tick counts an {@code Applied(4)}
 * answer to 3 -> 6 (see {@link ScaleOutcome#applied}), and the note says so ({@code the change
 * 3 -> 6 asked at ... (its outcome unknown) has landed at 4, not at the 6 asked for: counted as
 * a scale 3 -> 4 at ...}). When several applies from one count could explain the count
 * observed, a count asked for is that apply landed, and any other is the latest ask it is short
 * of, cut short: after 3 -> 5 and then 3 -> 6, a 5 is 3 -> 5 landed and a 4 is 3 -> 6 cut
 * short. Each write overwrote the ones before it, so a cut of the latest is likelier than an
 * earlier write that got through while the later ones did not; and the change counted (from
 * the count they started from to the one observed, at that tick) is the same either way: only
 * the ask the note names differs. Only asks still within their waits (below) are candidates.
 *
 * <p>A newer apply that may have landed joins them when it started from the same count and replaces
 * them otherwise, and one APPLIED ends them; one REFUSED, FAILED without having changed anything,
 * or never sent, leaves them as they were. An observed count other than the one they started from,
 * the ones asked for and those short of one (someone else scaled: past every ask, or the other
 * way), or a tick in another mode, drops them. So does time, for each count asked for on its own:
 * one is dropped once {@link #settleWithin} has passed since its wait started, without it or a
 * count short of it being seen, as a change to such a count after then (an operator's, hours later)
 * is not the engine's doing. Its wait starts at the first tick after its ask that finds no apply of
 * the workload running, but no later than {@link #settleWithin} after the workload's tick before
 * that one; a later ask from the same count starts only its own wait.
 *
 * <p>Not counted, as the records cannot tell these apart from a restart: an apply whose call
 * returned more than two waits (about 10.5 minutes by default) after its tick began, which only
 * an inline call (no {@code callTimeout}) or a tick held up that long by other calls can do; it
 * expires at the first tick after it. Nor, after a restore, does an unregister forget it: the
 * journal does not record registrations, so a restored engine may count an apply that a live
 * one, unregistered and registered again in between, had forgotten.
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
   *
   * How long it may land. After its call returned, a write that got through shows in the count
   * the source reports within the source's lag, plus a sync period for the tick that reads it.
   * When the call returned is not known (an inline call may hang for any time, a pooled one may
   * start minutes after its tick began), so the wait starts at the first tick that finds no apply
   * of the workload running: live, the tick reads its call; in restore, a record holds with
   * "previous executor call still running" while it runs (every hold of such a tick says so).
   * That tick may come long after the one before (an outage, a restart), and a long gap must not
   * stretch the wait: it starts no later than the wait's own length after the workload's tick
   * before, live at every tick and in restore at every record, so that an engine restored from
   * the records of a restored engine drops what that engine dropped, when it dropped it. The lag
   * is bounded by maxMetricAge (an older sample holds) but capped at
   * MAX_LAG: the replica count carries no sample age, and a longer window only makes it likelier
   * that someone else's later change to the same count (an operator's) is taken for the
   * engine's. Five minutes is the default maxMetricAge, and far more than an API server takes to
   * show a scale it accepted.
   */
  /** The longest a landed write may take to show in the count the source reports. */
  static final Duration MAX_LAG = Duration.ofMinutes(5);
  /** What a FAILED outcome's message says when it may have changed the count all the same. */
  private static final String MAY_HAVE_BEEN_APPLIED = "may have been applied";
  /** The end of a timed-out apply's message: its call runs on, and the workload is held. */
  private static final String STILL_RUNS =
      "the change " + MAY_HAVE_BEEN_APPLIED + "; the workload is held while the call runs";
  /** How the message of an apply whose executor threw begins (after it may have sent it). */
  static final String THREW = "executor threw: ";
  /** The message of an apply whose executor returned null (after it may have sent it). */
  static final String NO_OUTCOME = "executor returned no outcome";

  /** How long after its wait started an uncertain apply may still land and be counted. */
  private final Duration settleWithin;

  /**
   * With the engine's maxMetricAge and sync period: an uncertain apply is dropped once
   * min(maxMetricAge, {@link #MAX_LAG}) + one sync period have passed since the first tick that
   * found no apply of its workload running, without its count being seen.
   */
  UncertainApplies(Duration maxMetricAge, Duration syncPeriod) {
    Duration lag = maxMetricAge.compareTo(MAX_LAG) < 0 ? maxMetricAge : MAX_LAG;
    this.settleWithin = lag.plus(syncPeriod);
  }

  /** At most this many targets of applies from one count are kept (the latest). */
  static final int MAX_TARGETS = 4;

  /**
   * One count asked for: when ({@code asked}), and when its wait started ({@code returned}: the
   * first tick after the ask that found no apply of its workload running, or the bound, see
   * {@link #observe}; null before).
   */
  record Target(Instant asked, Instant returned) {}

  /**
   * Applies from {@code from} whose outcome is unknown: {@code targets}, each count asked for
   * (latest last, at most {@link #MAX_TARGETS}), as two FAILED in a row from the same count
   * (2 -> 5, then 2 -> 6) may each land, each with its own wait; {@code seen}: the workload's
   * latest tick (live) or record (in restore) that saw them.
   */
  record Pending(int from, Map<Integer, Target> targets, Instant seen) {
    Pending {
      targets = Collections.unmodifiableMap(new LinkedHashMap<>(targets));
    }
  }

  /** The FAILED message of an apply that timed out with {@code timeout}: its call runs on. */
  static String timedOut(String timeout) {
    return timeout + ": " + STILL_RUNS;
  }

  /**
   * The count of {@code s} observed at {@code at} ({@code current}, -1 when unknown), in
   * {@code mode}, with its apply call still running or not, live or replayed from a record:
   * settles its uncertain apply, if it has one, and returns the reason to give first in the
   * record, or null when nothing was counted.
   */
  Reason observe(WorkloadState s, Instant at, Mode mode, boolean applyRunning, int current) {
    Pending p = s.uncertain;
    if (p == null) {
      return null;
    }
    if (mode != Mode.ACT) {
      s.uncertain = null; // the count is no longer the engine's alone to tell
      return null;
    }
    // A wait not yet started starts now, or, after a long gap, the bound after the tick before.
    Instant bound = p.seen().plus(settleWithin);
    Instant start = bound.isBefore(at) ? bound : at;
    Map<Integer, Target> targets = new LinkedHashMap<>();
    p.targets().forEach((to, t) -> {
      Target w = t.returned() != null || applyRunning ? t : new Target(t.asked(), start);
      if (w.returned() == null || !at.isAfter(w.returned().plus(settleWithin))) {
        targets.put(to, w); // else not seen in time: a change to its count now is someone else's
      }
    });
    if (targets.isEmpty()) {
      s.uncertain = null;
      return null;
    }
    s.uncertain = new Pending(p.from(), targets, at);
    if (current < 0 || current == p.from()) {
      return null; // nothing seen yet
    }
    s.uncertain = null;
    Target t = targets.get(current);
    if (t != null) {
      return countAsScale(s, p.from(), current, current, t.asked(), at);
    }
    // Short of a count asked for, on the way to it: a server that stored less (a mutating
    // admission webhook), counted as the change made, as an Applied(k) answer is on the tick.
    int asked = -1;
    for (Map.Entry<Integer, Target> e : targets.entrySet()) {
      if (ScaleOutcome.shortOfTheAsk(p.from(), e.getKey(), current)) {
        asked = e.getKey(); // the latest ask it is short of: targets keep the latest last
        t = e.getValue();
      }
    }
    if (t == null) {
      return null; // someone else changed the count: what became of the apply cannot be told
    }
    return countAsScale(s, p.from(), asked, current, t.asked(), at);
  }

  /**
   * Counts the change {@code from -> landed} of the apply {@code from -> to}, asked at {@code
   * asked}, as a scale of {@code s} made at {@code at}, and returns the note for that tick's
   * record. {@code landed} is {@code to}, or a count short of it that a server stored instead.
   */
  private static Reason countAsScale(WorkloadState s, int from, int to, int landed,
      Instant asked, Instant at) {
    // Counted on this tick, not when it was asked (see the notes above).
    if (landed > from) {
      s.lastScaleUp = at;
    } else {
      s.lastScaleDown = at;
    }
    s.recent.addLast(new PastDecision(at, from, landed, true, Map.of()));
    // A note of this tick that kept the count it found, so that the record's reasons still
    // chain from its current count (the policies' steps follow from there), and a reader taking
    // the last step that changed the count (the agent's decisions metric) never takes this one.
    String change = "the change " + from + " -> " + to + " asked at " + asked
        + " (its outcome unknown) has landed";
    if (landed != to) {
      change = change + " at " + landed + ", not at the " + to + " asked for: counted as a "
          + "scale " + from + " -> " + landed;
    } else {
      change = change + ": counted as a scale";
    }
    return new Reason("landed", landed, landed, change + " at " + at);
  }

  /**
   * An apply of {@code s} from {@code from} to {@code to} at {@code at} in {@code mode}, with its
   * journaled {@code action} and {@code message}. One that FAILED and may have landed (see
   * {@link #mayHaveLanded}) becomes the uncertain apply, and one APPLIED ends the one before.
   * One that changed nothing leaves the one before as it was: REFUSED, FAILED saying nothing of
   * a change made, or never sent (no thread to run it); an earlier apply may still land.
   * Records that called no executor, or not in ACT mode, change nothing either.
   */
  void applied(WorkloadState s, Mode mode, Action action, String message, int from, int to,
      Instant at) {
    if (mode != Mode.ACT) {
      return;
    }
    if (action == Action.APPLIED) {
      s.uncertain = null;
    } else if (action == Action.FAILED && from >= 0 && to >= 0 && mayHaveLanded(message)) {
      // Only from a known count to another, as the tick asks: a record with a count below 0
      // (corrupt or hand-made, read as it says) asked nothing that could land.
      Map<Integer, Target> targets = new LinkedHashMap<>();
      Pending p = s.uncertain;
      if (p != null && p.from() == from) {
        // The earlier ones from this count may land too, each within its own wait.
        targets.putAll(p.targets());
      }
      targets.remove(to);
      targets.put(to, new Target(at, null)); // its wait starts in observe
      while (targets.size() > MAX_TARGETS) {
        targets.remove(targets.keySet().iterator().next());
      }
      s.uncertain = new Pending(from, targets, at);
    }
  }

  /**
   * Whether a record's {@code actionMessage} says that an apply of its workload was still
   * running: the reason to hold for it, which restore reads as the tick read its call.
   */
  static boolean saysApplyRunning(String actionMessage) {
    return actionMessage.contains(PluginCalls.stillRunningPrefix(Stage.APPLY));
  }

  /**
   * Moves what the uncertain apply of {@code s} stamped after {@code now} to {@code now}, as a
   * rewind does with its past decision.
   */
  static void rewind(WorkloadState s, Instant now) {
    Pending p = s.uncertain;
    if (p != null) {
      Map<Integer, Target> targets = new LinkedHashMap<>();
      p.targets().forEach((to, t) -> targets.put(to, new Target(earliest(t.asked(), now),
          t.returned() == null ? null : earliest(t.returned(), now))));
      s.uncertain = new Pending(p.from(), targets, earliest(p.seen(), now));
    }
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isAfter(b) ? b : a;
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
   * Whether a FAILED apply journaled with {@code message} may have changed the count: its
   * executor said so ({@link ScaleOutcome#mayHaveBeenApplied}: "may have been applied", as a
   * timed-out call's message, which the engine writes, says too), it threw, or it returned no
   * outcome, after it may have sent the request. Any other FAILED changed nothing, as {@link
   * ScaleOutcome.Status#FAILED} promises (a 403, a read that failed before the write), and a
   * count seen later on the way to its ask is someone else's. Never one that was not sent: the
   * executor was not called (no thread to run it or to start it in time, the calling thread
   * interrupted before the call started, or, which the tick rules out, its previous call still
   * running). The engine journals those messages as PluginCalls and the engine make them, from
   * the same constants.
   */
  private static boolean mayHaveLanded(String message) {
    if (message.startsWith(PluginCalls.noThreadPrefix(Stage.APPLY))
        || message.startsWith(PluginCalls.notStartedPrefix(Stage.APPLY))
        || message.startsWith(PluginCalls.interruptedPrefix(Stage.APPLY))
        || message.startsWith(PluginCalls.stillRunningPrefix(Stage.APPLY))) {
      return false;
    }
    return message.contains(MAY_HAVE_BEEN_APPLIED) || message.startsWith(THREW)
        || message.equals(NO_OUTCOME);
  }
}
