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
import java.util.function.Supplier;

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
 *   <li>it is deterministic, and pure: the same context and proposal give equal proposals
 *       twice in a row, after a call for another context of the same workload, and again once
 *       every later example has been checked (a policy that keeps what it saw outside the
 *       {@link DecisionContext}, such as the highest count proposed for a workload, or the
 *       largest current count of all workloads, fails here);
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
 * <p>A step that keeps state outside the context on purpose (a budget shared by the workloads of
 * an engine), as {@link DecisionPolicy#unregistered} allows, cannot pass the replays: check it
 * with {@link #checkFreshInstances}, which runs each example on a new instance.
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
    return check(() -> policy, true, seed, examples, specs);
  }

  /**
   * Checks a step that keeps state outside the {@link DecisionContext} on purpose, as {@link
   * DecisionPolicy#unregistered} allows (a budget shared by the workloads of an engine, such as
   * {@code ClusterCapacityArbiter.step()}), on {@code examples} generated contexts of random
   * workloads: as {@link #check(DecisionPolicy, long, int)}, but each example runs on a new
   * instance from {@code fresh}, and instead of replaying the examples on one instance, each
   * proposal must be the one a second new instance gives. The state such a step keeps is not
   * checked: test it with your own examples.
   *
   * @param fresh makes a new instance of the step, with no state, per call
   * @return the violations found, each naming the example and what was wrong; empty when none
   * @throws IllegalArgumentException when {@code examples < 1}
   */
  public static List<String> checkFreshInstances(Supplier<? extends DecisionPolicy> fresh,
      long seed, int examples) {
    return checkFreshInstances(fresh, seed, examples, Generators::workloadSpecs);
  }

  /**
   * As {@link #checkFreshInstances(Supplier, long, int)}, on workloads from {@code specs}.
   *
   * @return the violations found, each naming the example and what was wrong; empty when none
   * @throws IllegalArgumentException when {@code examples < 1}
   */
  public static List<String> checkFreshInstances(Supplier<? extends DecisionPolicy> fresh,
      long seed, int examples, Function<Random, WorkloadSpec> specs) {
    Objects.requireNonNull(fresh, "fresh");
    return check(() -> Objects.requireNonNull(fresh.get(), "fresh supplied null"), false, seed,
        examples, specs);
  }

  private static List<String> check(Supplier<DecisionPolicy> instances, boolean shared,
      long seed, int examples, Function<Random, WorkloadSpec> specs) {
    Objects.requireNonNull(specs, "specs");
    if (examples < 1) {
      throw new IllegalArgumentException("examples must be >= 1, but was " + examples);
    }
    DecisionPolicy policy = instances.get();
    Violations v = new Violations();
    v.checkName("policy", policy::name);
    checkMemory(policy, v);
    Random random = new Random(seed);
    // The other contexts of each example's workload draw from a stream of their own, so that the
    // examples are the same as they were before there were any.
    Random others = new Random(seed ^ OTHERS_SEED);
    List<Example> passed = new ArrayList<>();
    for (int i = 0; i < examples; i++) {
      WorkloadSpec spec = specs.apply(random);
      DecisionContext ctx = Generators.decisionContexts(random, spec);
      Proposal incoming = Generators.proposals(random, ctx);
      DecisionContext otherCtx = Generators.decisionContexts(others, spec);
      Proposal otherIncoming = Generators.proposals(others, otherCtx);
      String where = "example " + i + " of seed " + seed + " (" + ctx.workload() + " at "
          + ctx.now() + ", " + ctx.replicas() + ", loads " + ctx.loads() + ", incoming "
          + incoming.replicas() + ")";
      if (!shared) {
        policy = instances.get();
      }
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
      Example e = new Example(where, ctx, incoming, first);
      if (!shared) {
        replay(instances.get(), e, "on a new instance", v);
      } else if (applyOther(policy, otherCtx, otherIncoming, where, v)) {
        replay(policy, e, "after a call for another context of the same workload (" + otherCtx.now()
            + ", " + otherCtx.replicas() + ", incoming " + otherIncoming.replicas() + ")", v);
      }
      if (shared) {
        passed.add(e);
      }
    }
    // Every example again, after the ones that followed it: a policy that remembers what it saw
    // (the highest count so far, of a workload or of all) answers otherwise now.
    for (Example e : shared ? passed : List.<Example>of()) {
      if (v.list().size() >= Violations.MAX) {
        break;
      }
      replay(policy, e, "when replayed after the " + (passed.size() - 1) + " other examples", v);
    }
    return v.list();
  }

  /** Mixed into the seed for the other contexts of each example's workload. */
  private static final long OTHERS_SEED = 0x5DEECE66DL;

  /** An example whose proposal passed the checks, to replay. */
  private record Example(String where, DecisionContext ctx, Proposal incoming, Proposal first) {}

  /** Applies the policy to another context of the example's workload; false when it failed. */
  private static boolean applyOther(DecisionPolicy policy, DecisionContext ctx, Proposal incoming,
      String where, Violations v) {
    String other = where + ", another context of the workload (" + ctx.now() + ", "
        + ctx.replicas() + ", loads " + ctx.loads() + ", incoming " + incoming.replicas() + ")";
    try {
      if (policy.apply(ctx, incoming) != null) {
        return true;
      }
      v.add(other + ": apply must return a proposal, but returned null");
    } catch (RuntimeException | StackOverflowError e) {
      v.add(other + ": apply must not throw on a valid context, but threw "
          + Violations.describe(e));
    }
    return false;
  }

  /**
   * Applies the policy to an example again and requires the proposal it gave the first time:
   * policies are pure, and what they must remember reaches them in the DecisionContext.
   */
  private static void replay(DecisionPolicy policy, Example e, String when, Violations v) {
    Proposal again;
    try {
      again = policy.apply(e.ctx(), e.incoming());
    } catch (RuntimeException | StackOverflowError x) {
      v.add(e.where() + ": apply must not throw on a valid context, but threw "
          + Violations.describe(x) + " " + when);
      return;
    }
    v.check(e.first().equals(again), e.where() + ": apply must be deterministic whatever it was "
        + "called with before (policies are pure: what they remember reaches them in the "
        + "DecisionContext), but gave " + e.first().replicas() + " (" + e.first().explain()
        + ") and then, " + when + ", " + (again == null ? "null" : again.replicas() + " ("
        + again.explain() + ")"));
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
