package dev.prescaler.testkit;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.Reason;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;

/**
 * The contract every {@link DecisionPolicy} must honour, checked on generated decision contexts
 * ({@link Generators#decisionContexts(Random)}) and incoming proposals ({@link
 * Generators#proposals(Random, DecisionContext)}):
 *
 * <pre>{@code
 * assertThat(DecisionPolicyContract.check(new MyPolicy(), 42, 500)).isEmpty();
 * }</pre>
 *
 * <ul>
 *   <li>its {@link DecisionPolicy#name() name} is not blank (the default never is);
 *   <li>its {@link DecisionPolicy#memory() memory()} does not throw and is in [0, 1 day], as the
 *       engine's {@code build()} requires (it fails otherwise, naming the policy and the value);
 *   <li>on every example, {@link DecisionPolicy#riskQuantile(WorkloadSpec) riskQuantile(spec)}
 *       does not throw and is in [{@value WorkloadSpec#MIN_RISK_QUANTILE}, {@value
 *       WorkloadSpec#MAX_RISK_QUANTILE}] (the engine otherwise plans for the workload's own
 *       quantile, and logs a warning on every tick), and {@link DecisionPolicy#pinned
 *       pinned(workload, now)} does not throw and returns an {@code Optional} (the engine holds
 *       the workload and records a failure otherwise, whenever its metrics are bad);
 *   <li>it never throws on a valid context, and returns a proposal (never null);
 *   <li>it is deterministic: the same context and proposal twice give equal proposals;
 *   <li>the proposed count is &ge; 0 and its reasons are non-null;
 *   <li>it keeps the reasons of the earlier steps of the chain (they come first, unchanged);
 *   <li>a change of the count comes with at least one new reason;
 *   <li>it keeps the marks of the earlier steps: every key of the incoming proposal's {@link
 *       Proposal#marks() marks} is still there. {@link Proposal#to} and {@link Proposal#note} pass
 *       marks on unchanged and {@link Proposal#mark} adds or re-marks one key, so a step changes
 *       an earlier value only by re-marking its key (a changed value is taken as such); a step
 *       that drops a key, say by building a new {@code Proposal} without the incoming marks, loses
 *       what a later tick needs (e.g. a stabilization window's raw recommendations).
 * </ul>
 *
 * <p>A mark without a name or value cannot be made: {@link Proposal} refuses it, so a policy that
 * tries fails here as a policy that throws.
 *
 * <p>Bounds and step limits are not part of a policy's contract: the engine applies them after the
 * chain (see {@link DecisionInvariants} for the engine's invariants).
 */
public final class DecisionPolicyContract {
  /** The longest {@link DecisionPolicy#memory()} the engine's {@code build()} accepts: 1 day. */
  public static final Duration MAX_MEMORY = Duration.ofDays(1);

  private DecisionPolicyContract() {}

  /**
   * Checks {@code policy} on {@code examples} generated contexts of random workloads.
   *
   * @param policy the policy under test
   * @param seed seed of the generated examples
   * @param examples number of examples, &ge; 1
   * @return the violations found, each naming the example and what was wrong; empty when none
   * @throws IllegalArgumentException when {@code examples < 1}
   */
  public static List<String> check(DecisionPolicy policy, long seed, int examples) {
    return check(policy, seed, examples, Generators::workloadSpecs);
  }

  /**
   * Checks {@code policy} on {@code examples} generated contexts of workloads from {@code specs},
   * for policies that need particular metrics or settings.
   *
   * @param policy the policy under test
   * @param seed seed of the generated examples
   * @param examples number of examples, &ge; 1
   * @param specs makes the workload spec of each example from the example's randomness
   * @return the violations found, each naming the example and what was wrong; empty when none
   * @throws IllegalArgumentException when {@code examples < 1}
   */
  public static List<String> check(DecisionPolicy policy, long seed, int examples,
      Function<Random, WorkloadSpec> specs) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(specs, "specs");
    if (examples < 1) {
      throw new IllegalArgumentException("examples must be >= 1, but was " + examples);
    }
    Violations v = new Violations();
    v.checkName("policy", policy::name);
    checkMemory(policy, v);
    Random random = new Random(seed);
    for (int i = 0; i < examples; i++) {
      WorkloadSpec spec = specs.apply(random);
      DecisionContext ctx = Generators.decisionContexts(random, spec);
      Proposal incoming = Generators.proposals(random, ctx);
      String where = "example " + i + " of seed " + seed + " (" + ctx.workload() + " at "
          + ctx.now() + ", " + ctx.replicas() + ", loads " + ctx.loads() + ", incoming "
          + incoming.replicas() + ")";
      checkRiskQuantile(policy, spec, where, v);
      checkPinned(policy, ctx, where, v);
      Proposal first;
      Proposal second;
      try {
        first = policy.apply(ctx, incoming);
        second = policy.apply(ctx, incoming);
      } catch (RuntimeException | StackOverflowError e) {
        v.add(where + ": apply must not throw on a valid context, but threw "
            + Violations.describe(e));
        continue;
      }
      if (first == null || second == null) {
        v.add(where + ": apply must return a proposal, but returned null");
        continue;
      }
      v.check(first.equals(second), where + ": apply must be deterministic, but gave "
          + first.replicas() + " (" + first.explain() + ") then " + second.replicas() + " ("
          + second.explain() + ")");
      v.check(first.replicas() >= 0, where + ": replicas must be >= 0, but was "
          + first.replicas());
      checkReasons(incoming, first, where, v);
      checkMarks(incoming, first, where, v);
    }
    return v.list();
  }

  /** As the engine's build() reads it: once, in [0, 1 day], not null, not throwing. */
  private static void checkMemory(DecisionPolicy policy, Violations v) {
    String bounds = "[" + Duration.ZERO + ", " + MAX_MEMORY + "]";
    String rule = "policy memory() must be in " + bounds + " (the engine's build() fails "
        + "otherwise)";
    Duration m;
    try {
      m = policy.memory();
    } catch (RuntimeException | StackOverflowError e) {
      v.add(rule + ", but threw " + Violations.describe(e));
      return;
    }
    if (m == null) {
      v.add(rule + ", but was null");
      return;
    }
    v.check(!m.isNegative() && m.compareTo(MAX_MEMORY) <= 0, rule + ", but was " + m);
  }

  /** As the engine's tick reads it: in [MIN, MAX]_RISK_QUANTILE, not throwing. */
  private static void checkRiskQuantile(DecisionPolicy policy, WorkloadSpec spec, String where,
      Violations v) {
    String rule = where + ": riskQuantile(spec) must be in [" + WorkloadSpec.MIN_RISK_QUANTILE
        + ", " + WorkloadSpec.MAX_RISK_QUANTILE + "] (the engine plans for the workload's own "
        + spec.riskQuantile() + " otherwise)";
    double q;
    try {
      q = policy.riskQuantile(spec);
    } catch (RuntimeException | StackOverflowError e) {
      v.add(rule + ", but threw " + Violations.describe(e));
      return;
    }
    v.check(WorkloadSpec.isValidRiskQuantile(q), rule + ", but was " + q);
  }

  /** As the engine's tick calls it when metrics are bad: not throwing, never null. */
  private static void checkPinned(DecisionPolicy policy, DecisionContext ctx, String where,
      Violations v) {
    String rule = where + ": pinned(" + ctx.workload() + ", " + ctx.now() + ") must return an "
        + "Optional and not throw (the engine holds the workload otherwise)";
    Optional<DecisionPolicy.Pin> pin;
    try {
      pin = policy.pinned(ctx.workload(), ctx.now());
    } catch (RuntimeException | StackOverflowError e) {
      v.add(rule + ", but threw " + Violations.describe(e));
      return;
    }
    v.check(pin != null, rule + ", but returned null");
  }

  private static void checkMarks(Proposal incoming, Proposal out, String where, Violations v) {
    Map<String, Integer> after = out.marks();
    List<String> dropped = new ArrayList<>();
    for (String key : incoming.marks().keySet()) {
      if (!after.containsKey(key)) {
        dropped.add(key);
      }
    }
    v.check(dropped.isEmpty(), where + ": the marks of earlier steps must be kept (a step may "
        + "only re-mark a key, with mark(key, value)), but " + dropped + " of "
        + incoming.marks() + " were dropped, leaving " + after);
  }

  private static void checkReasons(Proposal incoming, Proposal out, String where, Violations v) {
    List<Reason> before = incoming.reasons();
    List<Reason> after = out.reasons();
    for (Reason r : after) {
      if (r == null || r.step() == null || r.message() == null) {
        v.add(where + ": reasons must be non-null, but were " + after);
        return;
      }
    }
    if (after.size() < before.size() || !after.subList(0, before.size()).equals(before)) {
      v.add(where + ": the reasons of earlier steps must be kept, first and unchanged, but "
          + before + " became " + after);
      return;
    }
    if (out.replicas() != incoming.replicas() && after.size() == before.size()) {
      v.add(where + ": a change of the count must carry a reason, but " + incoming.replicas()
          + " -> " + out.replicas() + " added none");
    }
  }
}
