package dev.prescaler.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of the decision chain: takes the proposal so far and returns the next one, with its
 * reason. The third stage of the loop.
 *
 * <p>Policies are pure: the same context and proposal give the same result, and what they must
 * remember (last scale times, past recommendations) reaches them in the {@link DecisionContext}.
 * The engine applies [min, max] and the step limits after the chain, whatever a policy returns.
 * A policy that throws holds its workload for that tick.
 */
@FunctionalInterface
public interface DecisionPolicy {

  /**
   * A replica count an operator pinned a workload at: an instruction, not data ({@link
   * #pinned(WorkloadRef, Instant)}).
   *
   * @param replicas the pinned count, &ge; 0
   * @param reason who pinned it, until when and why, for the journal
   */
  record Pin(int replicas, String reason) {
    /** Validates the count and requires the reason. */
    public Pin {
      if (replicas < 0) {
        throw new IllegalArgumentException("pin replicas must be >= 0, but was " + replicas);
      }
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Returns the next proposal. */
  Proposal apply(DecisionContext context, Proposal proposal);

  /**
   * A short name for reasons and reports: not blank (the testkit's {@code DecisionPolicyContract}
   * reports a blank one). Default: the class's simple name; for an anonymous class or a
   * lambda a name that is the same on every run ({@code MyTest$1}, {@code MyTest$$Lambda}).
   */
  default String name() {
    return PluginNames.of(getClass());
  }

  /**
   * How far back this policy needs past decisions in {@link DecisionContext#recent()} (e.g. its
   * longest stabilization window or rate-limit period). The engine keeps the longer of this
   * and its own {@code decisionMemory} (10 minutes by default), read once when it is built, and
   * beyond it the newest decided past decision (not a hold; one with marks before a pin applied
   * through an outage, on which the chain did not run) whatever its age, so that a tick
   * never takes itself for the first because the last decision is older than the memory. A
   * step that reads {@code recent()} or its marks must report its longest window here, or a
   * window longer than the engine's default is silently cut short; a step that wraps or chains
   * others reports the longest of theirs ({@link #chain} does). In [0, 1 day], the bounds of
   * the engine's {@code decisionMemory}: the engine's {@code build()} fails, naming the policy
   * and the value, when it is out of them, null, or throws. Default: zero.
   */
  default java.time.Duration memory() {
    return java.time.Duration.ZERO;
  }

  /**
   * Called by the engine when {@code workload} has been unregistered ({@link
   * AutoscalerEngine#unregister(WorkloadRef)}), so that a step that keeps state per workload
   * outside the {@link DecisionContext} (claims, overrides) drops it; a step that wraps or chains
   * others passes it on to every one of them, even when one of them throws ({@link #chain} does).
   * The engine calls it once per unregistration, after removing the workload, under its lock
   * (within a tick when a listener unregisters the workload there), so it must be cheap; a step
   * reached through several wrappers may hear it more than once, so it must be idempotent. An
   * exception is logged by the engine and the workload stays unregistered. Default: nothing.
   */
  default void unregistered(WorkloadRef workload) {}

  /**
   * The quantile of the load this policy plans for on {@code spec}'s workload. The engine asks
   * the forecaster for the interval whose upper bound is that quantile (level {@code 2q − 1}), so
   * a step that plans for a quantile other than the workload's {@link WorkloadSpec#riskQuantile()}
   * (say one per priority) returns it here, and its forecasts carry the interval it needs; a step
   * that wraps or chains others returns the highest of theirs ({@link #chain} does). It must be
   * in [{@value WorkloadSpec#MIN_RISK_QUANTILE}, {@value WorkloadSpec#MAX_RISK_QUANTILE}]; the
   * engine uses the workload's own otherwise. Default: the workload's {@code riskQuantile}.
   */
  default double riskQuantile(WorkloadSpec spec) {
    return spec.riskQuantile();
  }

  /**
   * The count an operator has pinned {@code workload} at, at {@code now}, if any (a manual
   * override's pin). The chain applies a pin itself when it runs; the engine asks this only when
   * it would hold the workload because its metrics are missing, stale or invalid (the chain does
   * not run then): a manual override wins over bad data, so the engine applies the pin instead
   * of holding, as long as it knows the current count and no apply of that workload is still
   * running, still clamped by the step limits and [min, max]. A step that wraps or chains others
   * answers with the pin of the last of them that has one ({@link #chain} does), as that step's
   * pin is the one the chain would apply. Called on the ticking thread, so it must be cheap; an
   * exception holds the workload. Default: none.
   */
  default Optional<Pin> pinned(WorkloadRef workload, Instant now) {
    return Optional.empty();
  }

  /** Runs {@code steps} in order, each on the previous one's proposal. */
  static DecisionPolicy chain(DecisionPolicy... steps) {
    return chain(List.of(steps));
  }

  /** Runs {@code steps} in order, each on the previous one's proposal. */
  static DecisionPolicy chain(List<? extends DecisionPolicy> steps) {
    List<DecisionPolicy> copy = List.copyOf(steps);
    copy.forEach(s -> Objects.requireNonNull(s, "policy step"));
    return new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        Proposal p = proposal;
        for (int i = 0; i < copy.size(); i++) { // no iterator, no message supplier per step
          DecisionPolicy step = copy.get(i);
          p = step.apply(context, p);
          if (p == null) {
            throw new NullPointerException("policy " + step.name() + " returned null");
          }
        }
        return p;
      }

      @Override
      public java.time.Duration memory() {
        java.time.Duration m = java.time.Duration.ZERO;
        for (DecisionPolicy step : copy) {
          if (step.memory().compareTo(m) > 0) {
            m = step.memory();
          }
        }
        return m;
      }

      @Override
      public double riskQuantile(WorkloadSpec spec) {
        double q = spec.riskQuantile();
        for (DecisionPolicy step : copy) {
          q = Math.max(q, step.riskQuantile(spec));
        }
        return q;
      }

      @Override
      public Optional<Pin> pinned(WorkloadRef workload, Instant now) {
        for (int i = copy.size() - 1; i >= 0; i--) {
          Optional<Pin> pin = copy.get(i).pinned(workload, now);
          if (pin.isPresent()) {
            return pin;
          }
        }
        return Optional.empty();
      }

      @Override
      public void unregistered(WorkloadRef workload) {
        Throwable failed = null; // every step hears it, whichever throws
        for (DecisionPolicy step : copy) {
          try {
            step.unregistered(workload);
          } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            Interrupts.keep(e);
            if (failed == null) {
              failed = e;
            } else {
              failed.addSuppressed(e);
            }
          }
        }
        if (failed instanceof RuntimeException e) {
          throw e;
        }
        if (failed instanceof Error e) {
          throw e;
        }
        if (failed != null) { // a checked exception thrown without being declared
          throw new IllegalStateException(failed.toString(), failed);
        }
      }

      @Override
      public String name() {
        StringBuilder b = new StringBuilder("chain(");
        for (int i = 0; i < copy.size(); i++) {
          b.append(i == 0 ? "" : ", ").append(copy.get(i).name());
        }
        return b.append(')').toString();
      }

      @Override
      public String toString() { // chain(a, b, ...), not DecisionPolicy$1@1b2c3d
        return name();
      }
    };
  }
}
