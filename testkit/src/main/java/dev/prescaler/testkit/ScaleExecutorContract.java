package dev.prescaler.testkit;

import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The contract every {@link ScaleExecutor} must honour, checked against the real thing it drives
 * (an API server, a mock server, a simulated cluster). Engine-neutral: the test supplies fresh
 * workloads that exist in the system under test, and optionally a way to read back the value the
 * executor controls (the replica count in {@link Mode#ACT}, the HPA's floor in {@link
 * Mode#HPA_FLOOR}):
 *
 * <pre>{@code
 * List<String> violations = ScaleExecutorContract.check(executor,
 *     () -> createDeployment(...),             // a fresh WorkloadSpec per call
 *     ref -> readReplicasFromServer(ref),       // OptionalInt.empty() when unknown
 *     42, 10);
 * assertThat(violations).isEmpty();
 * }</pre>
 *
 * <p>For each example workload (its mode decides the request's mode; {@link Mode#OBSERVE_ONLY}
 * specs are requested in {@link Mode#ACT}):
 *
 * <ul>
 *   <li>{@code apply} never throws for ordinary failures and never returns null; refused and
 *       failed outcomes carry a non-blank message;
 *   <li>an applied outcome reports the requested count (in {@link Mode#HPA_FLOOR}, the floor
 *       written, which the HPA's {@code maxReplicas} may hold lower; in {@link Mode#ACT}, a count
 *       that the server stored instead, as a mutating webhook may, moved from the request's
 *       {@code from} towards the ask: short of it or past it), and the observed value is then
 *       that count;
 *   <li>what {@link ScaleOutcome} allows the others (never half-applied): a refused one leaves
 *       the observed value as it was, or moved the other way than asked (a server that rewrote
 *       the request), and then its message names the count it moved to; a failed one leaves it
 *       as it was, or, when its message says the change may have been applied ({@link
 *       ScaleOutcome#mayHaveBeenApplied()}: a try that timed out), at the count asked or at a
 *       count on the way to it (a write a webhook cut short). The
 *       requests after it go from the count then observed, as the engine's next tick would;
 *   <li>asking for the count already set is not an error (checked when that count is in [min,
 *       max]: outside, after a refused or failed first request, any request is a change; and in
 *       {@link Mode#HPA_FLOOR} only when a floor is set, observed before the first request or
 *       written by it: without one, any request writes a floor, a change);
 *   <li>{@code replicas} (called before the first request and after each one) and {@code
 *       release} do not throw and {@code replicas} never returns null; when {@code replicas}
 *       reports a count after an applied {@link Mode#ACT} request, it is the requested one, also
 *       when {@code observed} reads the value from elsewhere;
 *   <li>{@code release} gives control back. In {@link Mode#HPA_FLOOR}, {@code observed}
 *       reading nothing means "no floor": when it read a value before the first request, after
 *       the release it reads that value (an HPA-floor executor restores the HPA it saved) or
 *       none (no floor left); when it read none, it reads none after the release (a floor left
 *       in place keeps the HPA from scaling down). In {@link Mode#ACT}, when {@code observed}
 *       read a value before the first request, the release changes nothing (the engine
 *       releases only HPA-floor workloads, and a release that scaled would undo the last
 *       decision). A second release, as the engine sends when it is unsure the first one
 *       landed, does not throw either.
 * </ul>
 *
 * <p>What only the system under test can tell: without {@code observed}, the value is read back
 * through the executor's own {@link ScaleExecutor#replicas(WorkloadRef) replicas}, so an
 * executor that reports what it was asked without doing it (a consistent liar) passes, and the
 * release is checked only for not throwing; nor, in {@link Mode#HPA_FLOOR}, can a floor reported
 * lower than asked be told from one the HPA's {@code maxReplicas} held down (the engine sends
 * such a floor again every tick). Give {@code observed} a reading of the real thing (the API
 * server's scale subresource, the HPA's {@code minReplicas}) to check them.
 *
 * <p>Refusing is an outcome the contract allows: an executor that refuses every request, as
 * {@link ScaleExecutor#observeOnly()} does, passes it. To check that yours applies, assert on the
 * observed counts after the check, or on your system under test.
 *
 * <p>{@link #checkMissingWorkload} checks that a request for a workload that does not exist is
 * refused or failed, not thrown and not applied.
 */
public final class ScaleExecutorContract {
  private ScaleExecutorContract() {}

  /**
   * Checks {@code executor} on {@code examples} workloads from {@code workloads}, reading the
   * controlled value back through the executor's own {@link ScaleExecutor#replicas(WorkloadRef)}
   * (in {@link Mode#ACT}) where it reports one. That is the executor's word for what it did: an
   * executor whose {@code replicas} reports the counts it was asked for, whether or not it
   * applied them, passes, and the effect of {@code release} is not checked. Prefer {@link
   * #check(ScaleExecutor, Supplier, Function, long, int)} with a reading of the system under
   * test.
   *
   * @return the violations found; empty when none
   * @throws IllegalArgumentException when {@code examples < 1}
   */
  public static List<String> check(ScaleExecutor executor, Supplier<WorkloadSpec> workloads,
      long seed, int examples) {
    return check(executor, workloads, ref -> OptionalInt.empty(), seed, examples);
  }

  /**
   * Checks {@code executor} on {@code examples} workloads from {@code workloads}.
   *
   * @param executor the executor under test
   * @param workloads makes a fresh workload that exists in the system under test, per call
   * @param observed reads the value the executor controls from the system under test (replicas in
   *     ACT, the HPA floor in HPA_FLOOR); {@code OptionalInt.empty()} when it cannot be read, and
   *     in HPA_FLOOR when there is no floor (a release must then leave none)
   * @param seed seed of the requested counts
   * @param examples number of workloads to try, &ge; 1
   * @return the violations found; empty when none
   * @throws IllegalArgumentException when {@code examples < 1}
   */
  public static List<String> check(ScaleExecutor executor, Supplier<WorkloadSpec> workloads,
      Function<WorkloadRef, OptionalInt> observed, long seed, int examples) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(workloads, "workloads");
    Objects.requireNonNull(observed, "observed");
    if (examples < 1) {
      throw new IllegalArgumentException("examples must be >= 1, but was " + examples);
    }
    Violations v = new Violations();
    Random random = new Random(seed);
    for (int i = 0; i < examples; i++) {
      WorkloadSpec spec = Objects.requireNonNull(workloads.get(), "workloads supplied null");
      Mode mode = spec.mode() == Mode.OBSERVE_ONLY ? Mode.ACT : spec.mode();
      String where = "example " + i + " (" + spec.workload() + ", " + mode + ")";
      OptionalInt initial = observed.apply(spec.workload());
      int before = observe(executor, observed, spec, mode, where, v).orElse(spec.minReplicas());
      // From the count as observed, unclamped, as the engine sends it: a workload outside
      // [min, max] (0 replicas under a minimum of 2) is asked from where it is.
      int to = other(random, spec, spec.clamp(before));
      Outcome change = apply(executor, request(spec, mode, before, to), where, v);
      int now = expectAfter(executor, observed, spec, mode, change, before, where, v);
      boolean firstApplied = change != null && change.outcome.isApplied();
      int last = now;
      // Asking for what is already set is not an error. A count outside [min, max] (the first
      // request refused or failed) cannot be asked for: a request to the clamp is a change. In
      // HPA_FLOOR with no floor set (none observed before, the first request not applied),
      // "min -> min" would write a floor where there is none: a change too.
      boolean isSet = mode != Mode.HPA_FLOOR || initial.isPresent() || firstApplied;
      if (isSet && spec.clamp(now) == now) {
        String noOp = where + ", no-op request";
        Outcome same = apply(executor, request(spec, mode, now, now), noOp, v);
        if (same != null) {
          v.check(same.outcome.status() != ScaleOutcome.Status.FAILED, where
              + ": a request for the count already set must not fail, but failed: "
              + same.outcome.message());
        }
        last = expectAfter(executor, observed, spec, mode, same, now, noOp, v);
      }
      checkRelease(executor, observed, spec, mode, initial, last, where, v);
    }
    return v.list();
  }

  /**
   * Releases twice; after the first, the observed value is back where it was before the first
   * request (HPA_FLOOR: or gone; none when there was none), or unchanged from {@code last} (ACT,
   * when {@code observed} read a value before the first request).
   */
  private static void checkRelease(ScaleExecutor executor,
      Function<WorkloadRef, OptionalInt> observed, WorkloadSpec spec, Mode mode,
      OptionalInt initial, int last, String where, Violations v) {
    for (int k = 0; k < 2; k++) {
      try {
        executor.release(spec.workload());
      } catch (RuntimeException e) {
        v.add(where + ": " + (k == 0 ? "release" : "a second release") + " must not throw, but "
            + "threw " + Violations.describe(e));
        return;
      }
      if (k > 0) {
        continue;
      }
      OptionalInt after = observed.apply(spec.workload());
      if (mode == Mode.HPA_FLOOR && initial.isEmpty()) {
        // No floor before the first request is a reading too: the release must leave none.
        if (after.isPresent()) {
          v.add(where + ": after release there must be no floor, as before the first request, "
              + "but the observed value was " + after.getAsInt());
        }
      } else if (mode == Mode.HPA_FLOOR) {
        // Empty after the release: the floor is gone, which is a release too.
        if (after.isPresent() && after.getAsInt() != initial.getAsInt()) {
          v.add(where + ": after release the observed value must be back at "
              + initial.getAsInt() + ", as before the first request (the HPA restored), but was "
              + after.getAsInt());
        }
      } else if (initial.isPresent() && after.isPresent()) {
        v.check(after.getAsInt() == last, where + ": release must not change the observed "
            + "value in " + mode + " (it was " + last + "), but it became " + after.getAsInt());
      }
    }
  }

  /**
   * Checks that a request for a workload that does not exist in the system under test is refused
   * or failed with a message: not thrown, not applied.
   *
   * @param missing a spec whose workload does not exist
   * @return the violations found; empty when none
   */
  public static List<String> checkMissingWorkload(ScaleExecutor executor, WorkloadSpec missing) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(missing, "missing");
    Violations v = new Violations();
    Mode mode = missing.mode() == Mode.OBSERVE_ONLY ? Mode.ACT : missing.mode();
    String where = "missing workload " + missing.workload();
    Outcome o = apply(executor, request(missing, mode, missing.minReplicas(),
        missing.maxReplicas()), where, v);
    if (o != null) {
      v.check(!o.outcome.isApplied(), where + ": a request for a workload that does not exist "
          + "must be refused or failed, but was applied: " + o.outcome.message());
    }
    try {
      Optional<ReplicaStatus> r = executor.replicas(missing.workload());
      v.check(r != null, where + ": replicas must return an Optional, but returned null");
    } catch (RuntimeException e) {
      v.add(where + ": replicas must not throw, but threw " + Violations.describe(e));
    }
    return v.list();
  }

  private static ScaleRequest request(WorkloadSpec spec, Mode mode, int from, int to) {
    return new ScaleRequest(spec, mode, from, to,
        List.of(new Reason("contract", from, to, "ScaleExecutorContract request")),
        Instant.EPOCH);
  }

  /** A count in [min, max] other than {@code from} when the range allows one. */
  private static int other(Random random, WorkloadSpec spec, int from) {
    int span = spec.maxReplicas() - spec.minReplicas() + 1;
    if (span == 1) {
      return from;
    }
    int to = spec.minReplicas() + random.nextInt(span - 1);
    return to >= from ? to + 1 : to;
  }

  /** An outcome, its request, and the count it applied (the request's {@code to} unless it
   * says another). */
  private record Outcome(ScaleOutcome outcome, ScaleRequest request, int applied) {}

  private static Outcome apply(ScaleExecutor executor, ScaleRequest request, String where,
      Violations v) {
    ScaleOutcome outcome;
    try {
      outcome = executor.apply(request);
    } catch (RuntimeException e) {
      v.add(where + ": apply must report failures as ScaleOutcome.failed, not throw, but threw "
          + Violations.describe(e) + " for " + request.from() + " -> " + request.to());
      return null;
    }
    if (outcome == null) {
      v.add(where + ": apply must return an outcome, but returned null for " + request.from()
          + " -> " + request.to());
      return null;
    }
    int applied = request.to();
    if (outcome instanceof ScaleOutcome.Applied a && request.mode() == Mode.HPA_FLOOR) {
      // The floor written: lower than asked when the HPA's maxReplicas holds it down.
      v.check(a.replicas() <= request.to(), where + ": an applied HPA-floor outcome must report "
          + "the floor written, at most the requested " + request.to() + ", but reported "
          + a.replicas());
      applied = Math.min(a.replicas(), request.to());
    } else if (outcome instanceof ScaleOutcome.Applied a) {
      // Or, in ACT, a count the server stored instead (a mutating webhook): short of the ask or
      // past it, but moved from the request's count towards it, as the change made.
      int k = a.replicas();
      v.check(k == request.to() || towards(request.from(), request.to(), k), where + ": an "
          + "applied outcome must report the requested count " + request.to() + " (or a count "
          + "that the server stored, moved from " + request.from() + " towards it: short of it "
          + "or past it), but reported " + k);
      applied = k;
    } else {
      v.check(outcome.message() != null && !outcome.message().isBlank(), where + ": a "
          + outcome.status() + " outcome must say why, but its message was blank");
    }
    return new Outcome(outcome, request, applied);
  }

  /** Whether {@code k} moved from {@code from} in the direction of {@code to} (a change asked). */
  private static boolean towards(int from, int to, int k) {
    return from != to && k != from && (k > from) == (to > from);
  }

  /** Whether {@code k} moved from {@code from} the other way than {@code to}. */
  private static boolean against(int from, int to, int k) {
    return from != to && k != from && (k > from) != (to > from);
  }

  /**
   * Whether {@code message} names {@code count} as a number of its own ("stored 3", "kept 3,"):
   * not as part of a word, a path or a version ({@code apps/v1}, {@code PT1S}, {@code 1.5}).
   */
  private static boolean names(String message, int count) {
    return message != null && Pattern.compile("(?<![\\w./-])" + count + "(?![\\w/-]|\\.\\w)")
        .matcher(message).find();
  }

  /**
   * The observed value before any request: from {@code observed}, else from the executor's own
   * {@code replicas} in {@link Mode#ACT}.
   */
  private static OptionalInt observe(ScaleExecutor executor,
      Function<WorkloadRef, OptionalInt> observed, WorkloadSpec spec, Mode mode, String where,
      Violations v) {
    OptionalInt o = observed.apply(spec.workload());
    if (o.isPresent()) {
      return o;
    }
    return reportedCurrent(replicas(executor, spec, where, v), mode);
  }

  /** The executor's {@code replicas}, checked not to throw nor return null; null when it did. */
  private static Optional<ReplicaStatus> replicas(ScaleExecutor executor, WorkloadSpec spec,
      String where, Violations v) {
    Optional<ReplicaStatus> r;
    try {
      r = executor.replicas(spec.workload());
    } catch (RuntimeException e) {
      v.add(where + ": replicas must not throw, but threw " + Violations.describe(e));
      return null;
    }
    if (r == null) {
      v.add(where + ": replicas must return an Optional, but returned null");
    }
    return r;
  }

  /** The current count {@code replicas} reported, when it reports the controlled value (ACT). */
  private static OptionalInt reportedCurrent(Optional<ReplicaStatus> r, Mode mode) {
    return r != null && r.isPresent() && mode == Mode.ACT ? OptionalInt.of(r.get().current())
        : OptionalInt.empty();
  }

  /**
   * After a request: {@code replicas} does not throw, and the observed value (from {@code
   * observed}, else from {@code replicas} in ACT) is what {@link ScaleOutcome} allows: the count
   * applied after an applied request; {@code before} after a refused one, or a count moved the
   * other way than asked that its message names (a server that rewrote the request); {@code before}
   * after a failed one, or, when its message says the change may have been applied, the requested
   * count or a count on the way to it. When {@code observed} gave the value, an applied ACT request
   * is also checked against what {@code replicas} reports. Returns the value as observed after the
   * request, or, when none was, the count applied (applied) or {@code before}.
   */
  private static int expectAfter(ScaleExecutor executor,
      Function<WorkloadRef, OptionalInt> observed, WorkloadSpec spec, Mode mode, Outcome change,
      int before, String where, Violations v) {
    if (change == null) {
      return before;
    }
    int to = change.applied;
    OptionalInt fromObserved = observed.apply(spec.workload());
    OptionalInt reported = reportedCurrent(replicas(executor, spec, where, v), mode);
    boolean applied = change.outcome.isApplied();
    if (fromObserved.isPresent() && applied && reported.isPresent()) {
      v.check(reported.getAsInt() == to, where + ": after an applied request for " + to
          + " replicas must report " + to + " current replicas, but reported "
          + reported.getAsInt());
    }
    OptionalInt after = fromObserved.isPresent() ? fromObserved : reported;
    if (after.isEmpty()) {
      return applied ? to : before;
    }
    int now = after.getAsInt();
    int asked = change.request.to();
    ScaleOutcome o = change.outcome;
    if (applied) {
      v.check(now == to, where + ": after an applied request for " + to
          + " the observed value must be " + to + ", but was " + now);
    } else if (o.status() == ScaleOutcome.Status.REFUSED && against(before, asked, now)) {
      v.check(names(o.message(), now), where + ": a REFUSED request that moved the observed "
          + "value from " + before + " the other way than the " + asked + " asked for (a server "
          + "that rewrote it) must say so, naming the count " + now + ", but its message was: "
          + o.message());
    } else if (o.mayHaveBeenApplied()) {
      // Landed, maybe cut short on the way by a server that stored less (a webhook), as the
      // engine then counts it.
      v.check(now == before || now == asked || ScaleOutcome.shortOfTheAsk(before, asked, now),
          where + ": after a FAILED request whose message says the change may have been applied, "
          + "the observed value must stay " + before + " or be the " + asked + " asked for or a "
          + "count on the way to it, but was " + now);
    } else {
      v.check(now == before, where + ": after a " + o.status() + " request the observed value "
          + "must stay " + before + " (never half-applied), but was " + now);
    }
    return now;
  }
}
