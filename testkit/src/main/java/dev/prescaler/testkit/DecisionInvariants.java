package dev.prescaler.testkit;

import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.StepLimits;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one definition of the engine's decision invariants, checked over journal records. The
 * engine's property tests, the decision module's tests and the simulator's self-check all call
 * it, so the invariants cannot drift apart (the idea of Caffeine's {@code ClimberInvariants}).
 *
 * <p>Per record, with the {@link WorkloadSpec} in effect when it was written:
 *
 * <ol>
 *   <li><b>hold</b>: a {@link Kind#HOLD} keeps the count ({@code desired == current}), calls
 *       nothing ({@link Action#NONE}) and gives at least one reason;
 *   <li><b>bounds</b>: any other decision's {@code desired} is in [min, max];
 *   <li><b>step limits</b>: it is within the spec's step limits of {@code current}, unless those
 *       do not reach [min, max], in which case it is the nearest bound;
 *   <li><b>clamp</b>: it is exactly the clamp of {@code proposed}: step limits, then bounds;
 *   <li><b>kind</b>: {@link Kind#KEEP} iff {@code desired == current}, {@link Kind#SCALE}
 *       otherwise;
 *   <li><b>observe-only</b>: in {@link Mode#OBSERVE_ONLY} the executor is never called (no
 *       APPLIED, REFUSED or FAILED), and {@link Action#OBSERVED} appears in no other mode;
 *   <li><b>act</b>: in {@link Mode#ACT} the executor is called exactly when the count changes;
 *   <li><b>reasons</b>: a decision with {@code desired != current} has at least one reason.
 * </ol>
 *
 * <p>Over a journal: sequence numbers increase strictly in journal order, and — given the tick
 * times — every tick of every workload has exactly one record ({@link #checkTicks}).
 */
public final class DecisionInvariants {
  private DecisionInvariants() {}

  /**
   * Checks the records of one workload against its spec. Records of other workloads are
   * violations.
   *
   * @param records journal records, in journal order
   * @param spec the workload's spec in effect for all of them
   * @return the violations found, each naming the record; empty when none
   */
  public static List<String> check(List<DecisionRecord> records, WorkloadSpec spec) {
    Objects.requireNonNull(records, "records");
    Objects.requireNonNull(spec, "spec");
    return check(records, List.of(spec));
  }

  /**
   * Checks the records of several workloads, each against its own spec. A record of a workload
   * with no spec is a violation.
   *
   * @param records journal records, in journal order
   * @param specs the spec of each workload, in effect for all its records
   * @return the violations found, each naming the record; empty when none
   */
  public static List<String> check(List<DecisionRecord> records,
      Collection<WorkloadSpec> specs) {
    Objects.requireNonNull(records, "records");
    Map<WorkloadRef, WorkloadSpec> byRef = new HashMap<>();
    for (WorkloadSpec s : specs) {
      byRef.put(s.workload(), s);
    }
    Violations v = new Violations();
    long lastSequence = Long.MIN_VALUE;
    for (DecisionRecord r : records) {
      v.check(r.sequence() > lastSequence, name(r) + ": sequence numbers must increase in journal "
          + "order, but " + r.sequence() + " follows " + lastSequence);
      lastSequence = Math.max(lastSequence, r.sequence());
      WorkloadSpec spec = byRef.get(r.workload());
      if (spec == null) {
        v.add(name(r) + ": workload must be one of " + byRef.keySet() + ", but was "
            + r.workload());
        continue;
      }
      checkRecord(r, spec, v);
    }
    return v.list();
  }

  /**
   * Checks the records of one decision.
   *
   * @return the violations found; empty when none
   */
  public static List<String> checkRecord(DecisionRecord record, WorkloadSpec spec) {
    Violations v = new Violations();
    checkRecord(Objects.requireNonNull(record, "record"), Objects.requireNonNull(spec, "spec"), v);
    return v.list();
  }

  /**
   * Checks that every tick of every workload has exactly one record: for each workload and each
   * tick time, as many records at that time as ticks at that time, and no record at another time.
   *
   * @param records journal records
   * @param workloads the workloads registered during the ticks
   * @param tickTimes the clock's instant at each tick, one entry per tick
   * @return the violations found; empty when none
   */
  public static List<String> checkTicks(List<DecisionRecord> records,
      Collection<WorkloadRef> workloads, List<Instant> tickTimes) {
    Objects.requireNonNull(records, "records");
    Objects.requireNonNull(workloads, "workloads");
    Objects.requireNonNull(tickTimes, "tickTimes");
    Map<Instant, Integer> ticks = new LinkedHashMap<>();
    for (Instant t : tickTimes) {
      ticks.merge(t, 1, Integer::sum);
    }
    Map<WorkloadRef, Map<Instant, Integer>> seen = new LinkedHashMap<>();
    for (WorkloadRef w : workloads) {
      seen.put(w, new HashMap<>());
    }
    Violations v = new Violations();
    for (DecisionRecord r : records) {
      Map<Instant, Integer> m = seen.get(r.workload());
      if (m == null) {
        v.add(name(r) + ": workload must be one of " + seen.keySet() + ", but was "
            + r.workload());
        continue;
      }
      m.merge(r.time(), 1, Integer::sum);
    }
    for (Map.Entry<WorkloadRef, Map<Instant, Integer>> e : seen.entrySet()) {
      for (Map.Entry<Instant, Integer> t : ticks.entrySet()) {
        int got = e.getValue().getOrDefault(t.getKey(), 0);
        v.check(got == t.getValue(), e.getKey() + " at " + t.getKey() + ": every tick must have "
            + "exactly one record (" + t.getValue() + " ticks), but there were " + got);
      }
      Set<Instant> extra = new TreeSet<>(e.getValue().keySet());
      extra.removeAll(ticks.keySet());
      v.check(extra.isEmpty(), e.getKey() + ": records must belong to ticks, but some were at "
          + extra);
    }
    return v.list();
  }

  /**
   * The count the engine's clamp makes of {@code proposed} from {@code current}: the step limits
   * first, then [min, max].
   */
  public static int clamp(WorkloadSpec spec, int current, int proposed) {
    StepLimits limits = spec.stepLimits();
    int p = Math.min(proposed, limits.maxUp(current));
    p = Math.max(p, limits.maxDown(current));
    return spec.clamp(p);
  }

  private static void checkRecord(DecisionRecord r, WorkloadSpec spec, Violations v) {
    String name = name(r);
    int current = r.current();
    int desired = r.desired();
    Action action = r.action();
    Mode mode = r.mode();
    if (r.kind() == Kind.HOLD) {
      v.check(desired == current, name + ": a HOLD must keep the count, but desired was "
          + desired + " with current " + current);
      v.check(action == Action.NONE, name + ": a HOLD must not call the executor or observe a "
          + "change, but its action was " + action);
      v.check(!r.reasons().isEmpty(), name + ": a HOLD must give its reason, but had none");
      return;
    }
    if (current < 0) {
      v.add(name + ": a " + r.kind() + " must know the current count, but current was "
          + current);
      return;
    }
    v.check(desired >= spec.minReplicas() && desired <= spec.maxReplicas(), name
        + ": desired must be in [" + spec.minReplicas() + ", " + spec.maxReplicas()
        + "], but was " + desired);
    StepLimits limits = spec.stepLimits();
    int lo = Math.max(spec.minReplicas(), limits.maxDown(current));
    int hi = Math.min(spec.maxReplicas(), limits.maxUp(current));
    if (lo <= hi) {
      v.check(desired >= lo && desired <= hi, name + ": desired must be within the step limits "
          + "of current " + current + " inside the bounds, [" + lo + ", " + hi + "], but was "
          + desired);
    } else {
      int nearest = limits.maxUp(current) < spec.minReplicas() ? spec.minReplicas()
          : spec.maxReplicas();
      v.check(desired == nearest, name + ": the step limits of current " + current
          + " do not reach [" + spec.minReplicas() + ", " + spec.maxReplicas()
          + "], so desired must be the nearest bound " + nearest + ", but was " + desired);
    }
    int expected = r.proposed() >= 0 ? clamp(spec, current, r.proposed()) : -1;
    // In ACT, a server that stored less than asked (a mutating webhook): the engine counts the
    // change made, after an "executor" reason.
    Reason last = r.reasons().isEmpty() ? null : r.reasons().get(r.reasons().size() - 1);
    boolean cutShort = mode == Mode.ACT && action == Action.APPLIED && last != null
        && last.step().equals("executor") && last.from() == expected && last.to() == desired
        && ScaleOutcome.shortOfTheAsk(current, expected, desired);
    v.check(desired == expected || cutShort, name + ": desired must be the clamp of proposed "
        + r.proposed() + " from current " + current + ", " + expected + " (or, in ACT, a count "
        + "an executor applied short of it, after an executor reason), but was " + desired);
    Kind kind = desired == current ? Kind.KEEP : Kind.SCALE;
    v.check(r.kind() == kind, name + ": kind must be " + kind + " for " + current + " -> "
        + desired + ", but was " + r.kind());
    boolean called = action == Action.APPLIED || action == Action.REFUSED
        || action == Action.FAILED;
    if (mode == Mode.OBSERVE_ONLY) {
      v.check(!called, name + ": OBSERVE_ONLY must never call the executor, but the action was "
          + action);
    } else {
      v.check(action != Action.OBSERVED, name + ": OBSERVED is for OBSERVE_ONLY, but the mode was "
          + mode);
    }
    if (mode == Mode.ACT) {
      v.check(called == (desired != current), name + ": ACT must call the executor exactly when "
          + "the count changes, but " + current + " -> " + desired + " had action " + action);
    }
    v.check(desired == current || !r.reasons().isEmpty(), name + ": a change " + current + " -> "
        + desired + " must give its reasons, but had none");
  }

  private static String name(DecisionRecord r) {
    return "record " + r.sequence() + " (" + r.workload() + " at " + r.time() + ", " + r.mode()
        + " " + r.kind() + ")";
  }
}
