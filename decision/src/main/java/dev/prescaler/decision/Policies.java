package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Static factories for the standard decision stacks.
 *
 * <ul>
 *   <li>{@link #hpa()}: the Kubernetes HPA with its defaults, the reactive baseline.
 *   <li>{@link #predictive()}: the default predictive stack: a spike filter on dips ({@link
 *       SpikeFilter}, {@link SpikeFilter.Direction#DOWN}) around the {@link PredictivePolicy}
 *       (whose floor is the default HPA, 300 s scale-down stabilization kept; a lower target
 *       must hold 600 s), then {@link Bounds}.
 *   <li>{@link #stack()}: the same, configurable: other steps, time-of-day bounds, a capacity
 *       arbiter and manual overrides (always last).
 * </ul>
 */
public final class Policies {
  private Policies() {}

  /** The faithful HPA with Kubernetes' defaults. */
  public static HpaPolicy hpa() {
    return HpaPolicy.ofDefaults();
  }

  /** An HPA configured by {@code builder} (from {@link HpaPolicy#builder()}). */
  public static HpaPolicy hpa(HpaPolicy.Builder builder) {
    return Objects.requireNonNull(builder, "builder").build();
  }

  /** The default predictive stack. */
  public static DecisionPolicy predictive() {
    return stack().build();
  }

  /** The default predictive stack, with manual overrides as the last step. */
  public static DecisionPolicy predictive(ManualOverrides overrides) {
    return stack().overrides(overrides).build();
  }

  /** The default predictive stack around another predictive policy. */
  public static DecisionPolicy predictive(PredictivePolicy policy) {
    return stack().predictive(policy).build();
  }

  /**
   * One engine, a policy per workload: {@code byWorkload}'s policy for the workloads it names,
   * {@code fallback} for the others (e.g. the predictive stack over each team's own HPA). Its
   * name is {@code fallback}'s; its memory the longest of all. It passes {@link
   * DecisionPolicy#unregistered(WorkloadRef)} on to {@code fallback} and to every workload's
   * policy, whichever throws, and answers {@link DecisionPolicy#pinned} with the pin of the
   * workload's policy.
   */
  public static DecisionPolicy byWorkload(DecisionPolicy fallback,
      Map<WorkloadRef, ? extends DecisionPolicy> byWorkload) {
    Objects.requireNonNull(fallback, "fallback");
    Objects.requireNonNull(byWorkload, "byWorkload");
    byWorkload.forEach((w, p) -> {
      Objects.requireNonNull(w, "byWorkload holds a null workload");
      Objects.requireNonNull(p, () -> "byWorkload's policy of " + w + " is null");
    });
    Map<WorkloadRef, DecisionPolicy> copy = Map.copyOf(byWorkload);
    Duration longest = copy.values().stream().map(DecisionPolicy::memory)
        .reduce(fallback.memory(), Durations::longest);
    List<DecisionPolicy> all = new ArrayList<>();
    all.add(fallback);
    all.addAll(copy.values());
    // Used for the unregistered hook only: a chain passes it to every step, whichever throws.
    DecisionPolicy everyone = DecisionPolicy.chain(all);
    return new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return copy.getOrDefault(context.spec().workload(), fallback).apply(context, proposal);
      }

      @Override
      public String name() {
        return fallback.name();
      }

      @Override
      public Duration memory() {
        return longest;
      }

      @Override
      public double riskQuantile(WorkloadSpec spec) {
        return copy.getOrDefault(spec.workload(), fallback).riskQuantile(spec);
      }

      @Override
      public void unregistered(WorkloadRef workload) {
        everyone.unregistered(workload);
      }

      @Override
      public Optional<Pin> pinned(WorkloadRef workload, Instant now) {
        return copy.getOrDefault(workload, fallback).pinned(workload, now);
      }

      @Override
      public String toString() {
        return "byWorkload{" + copy.keySet() + ", others " + fallback.name() + "}";
      }
    };
  }

  /** A builder of a predictive stack, holding the defaults of {@link #predictive()}. */
  public static Stack stack() {
    return new Stack();
  }

  /**
   * Builds a predictive stack, in this order: spike filter around the predictive policy, the
   * sustained scale-up guard (if set), cooldown (if set), gradual scale-down (if set), extra
   * steps, time of day bounds (if set), bounds, capacity arbiter (if set), manual overrides (if
   * set).
   *
   * <p>Null: every optional step (spike filter, sustained scale-up, cooldown, gradual scale-down,
   * time of day, arbiter, overrides) takes {@code null} for none, its default (the spike filter's
   * is dips only); {@link #predictive} and {@link #step} throw {@link NullPointerException} naming
   * the parameter. The chain built prints as its name, {@code chain(...)} of its steps' names.
   */
  public static final class Stack {
    private PredictivePolicy predictive = PredictivePolicy.ofDefaults();
    private SpikeFilter spikeFilter =
        SpikeFilter.builder().direction(SpikeFilter.Direction.DOWN).build();
    private SustainedScaleUp sustained;
    private Cooldown cooldown;
    private GradualScaleDown gradual;
    private final List<DecisionPolicy> extra = new ArrayList<>();
    private TimeOfDayBounds timeOfDay;
    private ClusterCapacityArbiter arbiter;
    private ManualOverrides overrides;

    private Stack() {}

    /** The predictive policy; default {@link PredictivePolicy#ofDefaults()}. */
    public Stack predictive(PredictivePolicy policy) {
      this.predictive = Objects.requireNonNull(policy, "predictive");
      return this;
    }

    /** The spike filter on the live input; default: dips only. {@code null} for none. */
    public Stack spikeFilter(SpikeFilter filter) {
      this.spikeFilter = filter;
      return this;
    }

    /** A minimum sustained duration before a scale-up counts; default none. */
    public Stack sustainedScaleUp(SustainedScaleUp guard) {
      this.sustained = guard;
      return this;
    }

    /** A cooldown after changes; default none. */
    public Stack cooldown(Cooldown cooldown) {
      this.cooldown = cooldown;
      return this;
    }

    /**
     * A gradual scale-down (e.g. {@link GradualScaleDown#ofDefaults()}, 10 % per 60 s); default
     * none: the predictive target's 600 s hold and the HPA floor's stabilization already pace
     * scale-downs, and small steps multiply scaling actions. {@code null} for none.
     */
    public Stack gradualScaleDown(GradualScaleDown gradual) {
      this.gradual = gradual;
      return this;
    }

    /** Adds a step after the gradual scale-down. */
    public Stack step(DecisionPolicy step) {
      extra.add(Objects.requireNonNull(step, "step"));
      return this;
    }

    /** Time-of-day bounds; default none. */
    public Stack timeOfDay(TimeOfDayBounds bounds) {
      this.timeOfDay = bounds;
      return this;
    }

    /**
     * A cluster capacity arbiter shared by the engine's workloads; default none. With {@link
     * #overrides(ManualOverrides)} too, it must be built with the same overrides ({@link
     * ClusterCapacityArbiter.Builder#overrides(ManualOverrides)}), so that it counts a pinned
     * workload at its pin.
     */
    public Stack arbiter(ClusterCapacityArbiter arbiter) {
      this.arbiter = arbiter;
      return this;
    }

    /** Manual overrides, always the last step; default none. */
    public Stack overrides(ManualOverrides overrides) {
      this.overrides = overrides;
      return this;
    }

    /**
     * The chain.
     *
     * @throws InvalidConfigurationException when the arbiter does not see the stack's overrides
     */
    public DecisionPolicy build() {
      if (arbiter != null && overrides != null && arbiter.overrides() != overrides) {
        throw new InvalidConfigurationException("Policies.stack()", List.of("arbiter must "
            + "count the pins of the stack's overrides: build it with "
            + "ClusterCapacityArbiter.builder().overrides(overrides), but it "
            + (arbiter.overrides() == null ? "has none" : "has other overrides")));
      }
      List<DecisionPolicy> steps = new ArrayList<>();
      steps.add(spikeFilter == null ? predictive : spikeFilter.guard(predictive));
      if (sustained != null) {
        steps.add(sustained);
      }
      if (cooldown != null) {
        steps.add(cooldown);
      }
      if (gradual != null) {
        steps.add(gradual);
      }
      steps.addAll(extra);
      if (timeOfDay != null) {
        steps.add(timeOfDay);
      }
      steps.add(Bounds.INSTANCE);
      if (arbiter != null) {
        steps.add(arbiter.step());
      }
      if (overrides != null) {
        steps.add(overrides);
      }
      return DecisionPolicy.chain(steps);
    }
  }
}
