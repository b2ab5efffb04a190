package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.DecisionPolicy.Pin;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoliciesTest {
  private static final WorkloadRef API = WorkloadRef.deployment("default", "api");
  private static final WorkloadRef BATCH = WorkloadRef.deployment("default", "batch");
  private static final WorkloadRef WEB = Fixtures.WEB;

  private static DecisionPolicy fixed(String name, int replicas, Duration memory) {
    return new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return proposal.to(name, replicas, "fixed");
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public Duration memory() {
        return memory;
      }
    };
  }

  /** A step that keeps the proposal, records the workloads it hears of, and throws for one. */
  private static DecisionPolicy hearing(List<WorkloadRef> heard, WorkloadRef failOn) {
    return new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return proposal;
      }

      @Override
      public void unregistered(WorkloadRef workload) {
        heard.add(workload);
        if (workload.equals(failOn)) {
          throw new IllegalStateException("cannot forget " + workload);
        }
      }
    };
  }

  @Test
  void byWorkloadPassesUnregisteredToTheFallbackAndEveryWorkloadsPolicy() {
    List<WorkloadRef> fallback = new ArrayList<>();
    List<WorkloadRef> api = new ArrayList<>();
    List<WorkloadRef> batch = new ArrayList<>();
    DecisionPolicy p = Policies.byWorkload(hearing(fallback, null),
        Map.of(API, hearing(api, null), BATCH, hearing(batch, WEB)));

    p.unregistered(API);
    assertThat(List.of(fallback, api, batch)).allSatisfy(h -> assertThat(h).containsExactly(API));

    // BATCH's policy throws on WEB: the others hear it all the same, and the failure surfaces.
    assertThatThrownBy(() -> p.unregistered(WEB)).isInstanceOf(IllegalStateException.class)
        .hasMessage("cannot forget " + WEB);
    assertThat(List.of(fallback, api, batch))
        .allSatisfy(h -> assertThat(h).containsExactly(API, WEB));
  }

  @Test
  void everyWrapperAndStackOfTheModulePassesUnregisteredOn() {
    List<WorkloadRef> guarded = new ArrayList<>();
    SpikeFilter.ofDefaults().guard(hearing(guarded, null)).unregistered(WEB);
    assertThat(guarded).containsExactly(WEB);

    List<WorkloadRef> extra = new ArrayList<>();
    ManualOverrides overrides = new ManualOverrides();
    overrides.floor(WEB, 12, Fixtures.NOW.plusSeconds(3600), "launch");
    overrides.floor(API, 12, Fixtures.NOW.plusSeconds(3600), "launch");
    DecisionPolicy stack = Policies.stack().step(hearing(extra, null)).overrides(overrides)
        .build();
    stack.unregistered(WEB);
    assertThat(extra).containsExactly(WEB);
    assertThat(overrides.active(WEB, Fixtures.NOW)).isEmpty();
    assertThat(overrides.active(API, Fixtures.NOW)).isPresent();

    Policies.predictive(overrides).unregistered(API); // the default stack reaches the overrides
    assertThat(overrides.active(API, Fixtures.NOW)).isEmpty();
  }

  /**
   * The engine asks the whole policy for a pin when it would hold a workload on bad metrics:
   * every wrapper and stack of the module must find the overrides' pin.
   */
  @Test
  void everyWrapperAndStackOfTheModuleReportsTheOverridesPin() {
    ManualOverrides overrides = new ManualOverrides();
    overrides.pin(API, 7, Fixtures.NOW.plusSeconds(3600), "incident 42");
    overrides.floor(WEB, 12, Fixtures.NOW.plusSeconds(3600), "launch");
    Pin pin = new Pin(7, "pinned at 7 until " + Fixtures.NOW.plusSeconds(3600) + " (incident 42)");
    assertThat(overrides.pinned(API, Fixtures.NOW)).contains(pin);
    assertThat(overrides.pinned(API, Fixtures.NOW.plusSeconds(3600))).isEmpty();
    assertThat(overrides.pinned(WEB, Fixtures.NOW)).as("a floor is no pin").isEmpty();
    assertThat(Policies.predictive(overrides).pinned(API, Fixtures.NOW)).contains(pin);
    assertThat(SpikeFilter.ofDefaults().guard(overrides).pinned(API, Fixtures.NOW))
        .contains(pin);
    DecisionPolicy byWorkload = Policies.byWorkload(Policies.predictive(),
        Map.of(API, Policies.predictive(overrides)));
    assertThat(byWorkload.pinned(API, Fixtures.NOW)).contains(pin);
  }

  /** An arbiter blind to the stack's pins would grant their capacity to others for a tick. */
  @Test
  void stack_arbiterWithoutTheStacksOverrides() {
    ManualOverrides overrides = new ManualOverrides();
    ClusterCapacityArbiter.Builder arbiter = ClusterCapacityArbiter.builder()
        .budget(ClusterCapacityArbiter.CapacityBudget.fixed(20));
    assertThatThrownBy(() -> Policies.stack().arbiter(arbiter.build()).overrides(overrides)
        .build()).isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid Policies.stack():\n- arbiter must count the pins of the stack's "
            + "overrides: build it with ClusterCapacityArbiter.builder().overrides(overrides), "
            + "but it has none");
    assertThatThrownBy(() -> Policies.stack()
        .arbiter(arbiter.overrides(new ManualOverrides()).build()).overrides(overrides).build())
        .hasMessageEndingWith("but it has other overrides");
    assertThat(Policies.stack().arbiter(arbiter.overrides(overrides).build())
        .overrides(overrides).build().name()).contains("capacity-arbiter", "override");
  }

  @Test
  void byWorkloadRunsEachWorkloadsOwnPolicyAndTheFallbackForTheRest() {
    DecisionPolicy p = Policies.byWorkload(fixed("stack", 3, Duration.ofMinutes(5)),
        Map.of(API, fixed("api-stack", 7, Duration.ofMinutes(10))));
    WorkloadSpec web = Fixtures.rps(10, 1, 20);
    WorkloadSpec api = WorkloadSpec.builder(API).maxReplicas(20)
        .metric(dev.prescaler.core.MetricTarget.averageValue("rps", 10)).build();

    DecisionContext webCtx = Fixtures.ctx(web, 2, "rps", 15).build();
    DecisionContext apiCtx = Fixtures.ctx(api, 2, "rps", 15).build();

    assertThat(p.apply(webCtx, Proposal.keep(2)).replicas()).isEqualTo(3);
    assertThat(p.apply(apiCtx, Proposal.keep(2)).replicas()).isEqualTo(7);
    assertThat(p.name()).isEqualTo("stack");
    assertThat(p.memory()).isEqualTo(Duration.ofMinutes(10));
  }

  // Catches the chain's toString() of Object (DecisionPolicy$1@1b2c3d) while its name was good.
  @Test
  void aBuiltStackPrintsAsItsName() {
    DecisionPolicy stack = Policies.stack().cooldown(Cooldown.ofDefaults()).build();
    assertThat(stack.toString()).isEqualTo(stack.name()).startsWith("chain(")
        .contains(Cooldown.ofDefaults().name());
    assertThat(Policies.predictive()).hasToString(Policies.predictive().name());
  }

  @Test
  void stackTakesNullForNoneOnEveryOptionalStepAndRefusesItForThePredictivePolicyAndSteps() {
    DecisionPolicy none = Policies.stack().spikeFilter(null).sustainedScaleUp(null).cooldown(null)
        .gradualScaleDown(null).timeOfDay(null).arbiter(null).overrides(null).build();
    DecisionPolicy bare = Policies.stack().spikeFilter(null).build();
    assertThat(none.name()).isEqualTo(bare.name())
        .isEqualTo("chain(" + PredictivePolicy.ofDefaults().name() + ", " + Bounds.INSTANCE.name()
            + ")");
    DecisionPolicy undone = Policies.stack().cooldown(Cooldown.ofDefaults()).cooldown(null)
        .build();
    assertThat(undone.name()).isEqualTo(Policies.predictive().name());
    assertThatThrownBy(() -> Policies.stack().predictive(null))
        .isInstanceOf(NullPointerException.class).hasMessage("predictive");
    assertThatThrownBy(() -> Policies.stack().step(null))
        .isInstanceOf(NullPointerException.class).hasMessage("step");
  }

  /**
   * Catches a null policy in byWorkload's map failing with a bare NullPointerException whose
   * message was "null" (from Map.copyOf), naming neither the map nor the workload.
   */
  @Test
  void byWorkloadNamesTheWorkloadWhosePolicyIsNull() {
    Map<WorkloadRef, DecisionPolicy> m = new java.util.HashMap<>();
    m.put(WEB, null);
    assertThatThrownBy(() -> Policies.byWorkload(Policies.hpa(), m))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("byWorkload's policy of " + WEB + " is null");
    assertThatThrownBy(() -> Policies.byWorkload(Policies.hpa(), null))
        .isInstanceOf(NullPointerException.class).hasMessage("byWorkload");
  }
}
