package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DecisionPolicyContractTest {

  /** Demand over the per-replica target, max over the metrics: a well-behaved policy. */
  static final DecisionPolicy CAPACITY = (DecisionContext ctx, Proposal p) -> {
    int want = 0;
    for (MetricTarget m : ctx.spec().metrics()) {
      want = Math.max(want, (int) Math.ceil(ctx.load(m.name()) / m.perReplicaTarget()));
    }
    return p.to("capacity", want, "load " + ctx.loads());
  };

  @Test
  void aCorrectPolicyHasNoViolations() {
    assertThat(DecisionPolicyContract.check(CAPACITY, 1, 500)).isEmpty();
  }

  @Test
  void aPolicyThatKeepsTheProposalHasNoViolations() {
    assertThat(DecisionPolicyContract.check((ctx, p) -> p, 2, 200)).isEmpty();
  }

  @Test
  void aPolicyThatReliesOnWhatTheEnginePromisesHasNoViolations() {
    // The engine holds a workload scaled to 0 by hand (min > 0) and a utilization over no ready
    // pod before any policy runs, so a policy may take both for granted.
    DecisionPolicy trusting = (ctx, p) -> {
      if (ctx.replicas().current() == 0 && ctx.spec().minReplicas() > 0) {
        throw new IllegalStateException("the engine holds a workload scaled to 0 by hand");
      }
      for (MetricTarget m : ctx.spec().metrics()) {
        if (m.type() == MetricTarget.Type.UTILIZATION && ctx.replicas().ready() == 0) {
          throw new IllegalStateException("the engine holds a utilization of 0 ready pods");
        }
      }
      return CAPACITY.apply(ctx, p);
    };
    assertThat(DecisionPolicyContract.check(trusting, 9, 1000)).isEmpty();
  }

  /**
   * Catches generated contexts that left a metric's history out, which the engine never does: a
   * policy reading each metric's history had about a hundred NullPointerException violations.
   */
  @Test
  void aPolicyThatReadsEveryMetricsHistoryHasNoViolations() {
    DecisionPolicy historyReader = (ctx, p) -> {
      int present = 0;
      for (MetricTarget m : ctx.spec().metrics()) {
        present += ctx.histories().get(m.name()).countPresent();
      }
      return p.note("history-reader", present + " present steps");
    };
    assertThat(DecisionPolicyContract.check(historyReader, 1, 200)).isEmpty();
  }

  // Catches a blank name going unnoticed: the journal then reads ": 3 -> 4 (plus one)".
  @Test
  void findsABlankOrNullNameAndAcceptsTheDefaultOfAnAnonymousClass() {
    DecisionPolicy anonymous = new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return proposal;
      }
    };
    assertThat(DecisionPolicyContract.check(anonymous, 3, 20)).isEmpty();
    assertThat(DecisionPolicyContract.check(named(""), 3, 20)).containsExactly("policy name() "
        + "must not be blank (it names the policy in reasons and messages), but was \"\"");
    assertThat(DecisionPolicyContract.check(named(null), 3, 20)).singleElement().asString()
        .endsWith("but was null");
  }

  /** A policy that keeps the proposal, named {@code name}. */
  private static DecisionPolicy named(String name) {
    return new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return proposal;
      }

      @Override
      public String name() {
        return name;
      }
    };
  }

  @Test
  void findsAPolicyThatThrows() {
    DecisionPolicy throwsWithoutForecast = (ctx, p) -> {
      if (ctx.forecasts().isEmpty()) {
        throw new IllegalStateException("no forecast");
      }
      return p;
    };
    assertThat(DecisionPolicyContract.check(throwsWithoutForecast, 3, 50))
        .anyMatch(s -> s.contains("apply must not throw on a valid context, but threw "
            + "java.lang.IllegalStateException: no forecast"));
  }

  @Test
  void findsANonDeterministicPolicy() {
    AtomicInteger calls = new AtomicInteger();
    DecisionPolicy counting = (ctx, p) -> p.to("counter", calls.incrementAndGet() % 7, "call");
    assertThat(DecisionPolicyContract.check(counting, 4, 20))
        .anyMatch(s -> s.contains("apply must be deterministic"));
  }

  /** Never proposes less than the highest count it has proposed for the workload: a ratchet. */
  static final class Ratchet implements DecisionPolicy {
    private final Map<WorkloadRef, Integer> highest = new HashMap<>();

    @Override
    public Proposal apply(DecisionContext ctx, Proposal p) {
      int h = highest.merge(ctx.workload(), p.replicas(), Math::max);
      return h == p.replicas() ? p : p.to("ratchet", h, "the highest proposed so far");
    }
  }

  /** Never proposes less than the largest current count it has seen, of any workload. */
  static final class GlobalMax implements DecisionPolicy {
    private int largest;

    @Override
    public Proposal apply(DecisionContext ctx, Proposal p) {
      largest = Math.max(largest, ctx.replicas().current());
      return p.replicas() >= largest ? p
          : p.to("global-max", largest, "the largest count of any workload");
    }
  }

  /**
   * Catches policies that keep state outside the DecisionContext, which DecisionPolicy's javadoc
   * rules out (policies are pure): determinism was checked by two calls in a row on one
   * context, which a policy that remembers what it saw passes. Each example is now replayed
   * after a call for another context of its workload, and once the later examples have run.
   */
  @Test
  void findsAPolicyThatKeepsStateOutsideTheContext() {
    for (DecisionPolicy p : List.of(new Ratchet(), new GlobalMax())) {
      assertThat(DecisionPolicyContract.check(p, 1, 200)).as(p.name())
          .anyMatch(s -> s.contains(": apply must be deterministic whatever it was called with "
              + "before (policies are pure: what they remember reaches them in the "
              + "DecisionContext), but gave "));
    }
    assertThat(DecisionPolicyContract.check(new Ratchet(), 1, 200))
        .anyMatch(s -> s.contains("after a call for another context of the same workload"));
    assertThat(DecisionPolicyContract.check(new GlobalMax(), 1, 200))
        .anyMatch(s -> s.contains("when replayed after the 199 other examples"));
  }

  /**
   * A step that keeps state outside the context on purpose is checked on a new instance per
   * example, and a second new instance must give the same proposal.
   */
  @Test
  void checksAStepThatKeepsStateOnPurposeOnFreshInstances() {
    assertThat(DecisionPolicyContract.checkFreshInstances(Ratchet::new, 1, 200)).isEmpty();
    assertThat(DecisionPolicyContract.checkFreshInstances(GlobalMax::new, 1, 200)).isEmpty();
    AtomicInteger instances = new AtomicInteger();
    assertThat(DecisionPolicyContract.checkFreshInstances(() -> {
      int n = instances.incrementAndGet();
      return (ctx, p) -> p.to("instance", n % 5, "numbered");
    }, 1, 20)).anyMatch(s -> s.contains("and then, on a new instance, "));
  }

  @Test
  void findsAPolicyThatReturnsNull() {
    assertThat(DecisionPolicyContract.check((ctx, p) -> null, 5, 3))
        .hasSize(3)
        .allMatch(s -> s.endsWith("apply must return a proposal, but returned null"));
  }

  @Test
  void findsAPolicyThatDropsEarlierReasons() {
    DecisionPolicy fresh = (ctx, p) -> Proposal.keep(p.replicas()).note("fresh", "forgot");
    assertThat(DecisionPolicyContract.check(fresh, 6, 50))
        .anyMatch(s -> s.contains("the reasons of earlier steps must be kept"));
  }

  @Test
  void findsAChangeWithoutAReason() {
    DecisionPolicy silent = (ctx, p) -> new Proposal(p.replicas() + 1, p.reasons(), p.marks());
    assertThat(DecisionPolicyContract.check(silent, 7, 10))
        .allMatch(s -> s.contains("a change of the count must carry a reason"))
        .hasSize(10);
  }

  @Test
  void findsAPolicyThatDropsEarlierMarks() {
    DecisionPolicy forgetful = (ctx, p) -> new Proposal(p.replicas(), p.reasons(), Map.of());
    List<String> violations = DecisionPolicyContract.check(forgetful, 10, 200);
    assertThat(violations).isNotEmpty().allMatch(s -> s.contains("): the marks of earlier steps "
        + "must be kept (a step may only re-mark a key, with mark(key, value)), but [earlier] of "
        + "{earlier=") && s.endsWith("} were dropped, leaving {}"));
    // Exactly the examples whose incoming proposal had a mark: about a quarter of them.
    assertThat(violations.size()).isBetween(25, 75);
  }

  @Test
  void findsAPolicyThatDropsAMarkWhileAddingItsOwn() {
    DecisionPolicy replacing = (ctx, p) -> new Proposal(p.replicas(), p.reasons(),
        Map.of("mine", 1));
    assertThat(DecisionPolicyContract.check(replacing, 11, 100))
        .isNotEmpty().allMatch(s -> s.contains("[earlier] of {earlier=")
            && s.endsWith("were dropped, leaving {mine=1}"));
  }

  @Test
  void aPolicyThatReMarksOrAddsMarksOrCopiesThemHasNoViolations() {
    DecisionPolicy remarking = (ctx, p) -> p.mark("earlier", p.replicas() + 1).mark("mine", 3)
        .note("remarking", "re-marked earlier");
    assertThat(DecisionPolicyContract.check(remarking, 12, 200)).isEmpty();
    DecisionPolicy copying = (ctx, p) -> new Proposal(p.replicas(), p.reasons(),
        new java.util.HashMap<>(p.marks()));
    assertThat(DecisionPolicyContract.check(copying, 13, 200)).isEmpty();
  }

  @Test
  void findsANullMark() {
    Map<String, Integer> withNull = new java.util.HashMap<>();
    withNull.put("raw", null);
    DecisionPolicy nulls = (ctx, p) -> new Proposal(p.replicas(), p.reasons(), withNull);
    assertThat(DecisionPolicyContract.check(nulls, 14, 5)).hasSize(5)
        .allMatch(s -> s.contains("apply must not throw on a valid context, but threw")
            && s.contains("marks must have names and values, but held raw=null"));
  }

  @Test
  void usesTheGivenSpecs() {
    List<String> names = new java.util.ArrayList<>();
    DecisionPolicy recording = (ctx, p) -> {
      names.add(ctx.spec().metrics().get(0).name());
      return p;
    };
    DecisionPolicyContract.check(recording, 8, 5, r -> Generators.workloadSpecs(r).toBuilder()
        .metrics(List.of(MetricTarget.averageValue("orders", 20))).build());
    // Twice per example, once for another context of its workload, then a replay after it and
    // one after the other examples.
    assertThat(names).hasSize(25).containsOnly("orders");
  }

  /** {@link #CAPACITY} with the given memory() and riskQuantile(spec). */
  static DecisionPolicy answering(Supplier<Duration> memory, double riskQuantile) {
    return new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return CAPACITY.apply(context, proposal);
      }

      @Override
      public Duration memory() {
        return memory.get();
      }

      @Override
      public double riskQuantile(WorkloadSpec spec) {
        return riskQuantile;
      }
    };
  }

  private static final String MEMORY_RULE = "policy memory() must be in [PT0S, PT24H] (the "
      + "engine's build() fails otherwise), but ";

  /** Catches a memory() that makes the engine's build() fail, as it does. */
  @Test
  void findsAMemoryOutOfTheEnginesBoundsAsItsBuildDoes() {
    assertThat(DecisionPolicyContract.check(answering(() -> Duration.ofDays(30), 0.95), 1, 20))
        .containsExactly(MEMORY_RULE + "was PT720H");
    assertThat(DecisionPolicyContract.check(answering(() -> Duration.ofSeconds(-1), 0.95), 1, 5))
        .containsExactly(MEMORY_RULE + "was PT-1S");
    assertThat(DecisionPolicyContract.check(answering(() -> null, 0.95), 1, 5))
        .containsExactly(MEMORY_RULE + "was null");
    assertThat(DecisionPolicyContract.check(answering(() -> {
      throw new IllegalStateException("no window configured");
    }, 0.95), 1, 5)).containsExactly(MEMORY_RULE
        + "threw java.lang.IllegalStateException: no window configured");
    for (Duration m : List.of(Duration.ZERO, Duration.ofDays(1), Duration.ofDays(1).plusMillis(1),
        Duration.ofMinutes(-1), Duration.ofDays(30))) {
      DecisionPolicy p = answering(() -> m, 0.95);
      boolean reported = !DecisionPolicyContract.check(p, 1, 1).isEmpty();
      boolean buildFails;
      try (AutoscalerEngine e = AutoscalerEngine.builder().metricSource((spec, now) -> null)
          .policy(p).build()) {
        buildFails = false;
      } catch (InvalidConfigurationException e) {
        buildFails = true;
      }
      assertThat(reported).as(m.toString()).isEqualTo(buildFails);
    }
  }

  /** Catches a riskQuantile(spec) the engine refuses, falling back to the workload's own. */
  @Test
  void findsARiskQuantileOutOfItsBounds() {
    for (double q : new double[] {7.0, 0.4999, Double.NaN}) {
      assertThat(DecisionPolicyContract.check(answering(() -> Duration.ZERO, q), 2, 10))
          .hasSize(10).allMatch(s -> s.matches("example \\d of seed 2 \\(.*\\): "
              + "riskQuantile\\(spec\\) must be in \\[0\\.5, 0\\.999\\] \\(the engine plans "
              + "for the workload's own 0\\.\\d+ otherwise\\), but was " + q), "q " + q);
    }
    for (double q : new double[] {0.5, 0.999}) {
      assertThat(DecisionPolicyContract.check(answering(() -> Duration.ofDays(1), q), 2, 50))
          .isEmpty();
    }
    DecisionPolicy throwing = new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return proposal;
      }

      @Override
      public double riskQuantile(WorkloadSpec spec) {
        throw new IllegalStateException("no priority class");
      }
    };
    assertThat(DecisionPolicyContract.check(throwing, 3, 4)).hasSize(4)
        .allMatch(s -> s.endsWith(" otherwise), but threw java.lang.IllegalStateException: "
            + "no priority class"));
  }

  /** Catches a pinned() that throws or returns null: the engine holds the workload then. */
  @Test
  void findsAPinnedThatThrowsOrReturnsNull() {
    DecisionPolicy throwing = new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return proposal;
      }

      @Override
      public Optional<Pin> pinned(WorkloadRef workload, Instant now) {
        throw new IllegalStateException("override store down");
      }
    };
    assertThat(DecisionPolicyContract.check(throwing, 4, 6)).hasSize(6)
        .allMatch(s -> s.matches("example \\d of seed 4 \\(.*\\): pinned\\([^,]+, [^)]+\\) must "
            + "return an Optional and not throw \\(the engine holds the workload otherwise\\), "
            + "but threw java\\.lang\\.IllegalStateException: override store down"));
    DecisionPolicy nulls = new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return proposal;
      }

      @Override
      public Optional<Pin> pinned(WorkloadRef workload, Instant now) {
        return null;
      }
    };
    assertThat(DecisionPolicyContract.check(nulls, 5, 3)).hasSize(3)
        .allMatch(s -> s.endsWith("(the engine holds the workload otherwise), but returned null"));
    DecisionPolicy pinning = new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return proposal;
      }

      @Override
      public Optional<Pin> pinned(WorkloadRef workload, Instant now) {
        return Optional.of(new Pin(3, "pinned by ops until Monday"));
      }
    };
    assertThat(DecisionPolicyContract.check(pinning, 6, 50)).isEmpty();
  }
}
