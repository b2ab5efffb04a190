package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ScaleExecutorContractTest {

  /** An in-memory cluster: workloads exist once created; requests for others fail. */
  static class Cluster implements ScaleExecutor {
    final Map<WorkloadRef, Integer> replicas = new ConcurrentHashMap<>();
    int next;
    /** The count each workload starts at. */
    int start = 2;

    Supplier<WorkloadSpec> workloads() {
      return () -> {
        WorkloadRef ref = WorkloadRef.deployment("ns", "w" + next++);
        replicas.put(ref, start);
        return WorkloadSpec.builder(ref).minReplicas(1).maxReplicas(8).mode(Mode.ACT)
            .metric(MetricTarget.utilization("cpu", 70)).build();
      };
    }

    @Override
    public ScaleOutcome apply(ScaleRequest request) {
      if (!replicas.containsKey(request.workload())) {
        return ScaleOutcome.failed("404: " + request.workload() + " not found");
      }
      replicas.put(request.workload(), request.to());
      return ScaleOutcome.applied(request.to(), "patched");
    }

    @Override
    public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
      Integer r = replicas.get(workload);
      return r == null ? Optional.empty() : Optional.of(ReplicaStatus.of(r, r));
    }
  }

  static final WorkloadSpec MISSING = WorkloadSpec.builder(WorkloadRef.deployment("ns", "gone"))
      .maxReplicas(3).metric(MetricTarget.utilization("cpu", 70)).build();

  /**
   * Workloads named {@code prefix} 0, 1, …, each added to {@code c} at {@code count} replicas
   * when supplied, in [{@code min}, 8], in {@code mode}.
   */
  private static Supplier<WorkloadSpec> added(InMemoryCluster c, String prefix, int count,
      int min, Mode mode) {
    int[] n = {0};
    return () -> {
      WorkloadRef ref = WorkloadRef.deployment("ns", prefix + n[0]++);
      c.add(ref, count);
      return WorkloadSpec.builder(ref).minReplicas(min).maxReplicas(8).mode(mode)
          .metric(MetricTarget.utilization("cpu", 70)).build();
    };
  }

  /** {@code c}'s requests and counts, but a release that gives nothing back. */
  private static ScaleExecutor sticky(InMemoryCluster c) {
    return new ScaleExecutor() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        return c.apply(request);
      }

      @Override
      public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
        return c.replicas(workload);
      }
    };
  }

  /** Records each request in {@code asked} and answers it FAILED; counts read from {@code c}. */
  private static ScaleExecutor unavailable(InMemoryCluster c, List<ScaleRequest> asked) {
    return new ScaleExecutor() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        asked.add(request);
        return ScaleOutcome.failed("503: the API server is unavailable");
      }

      @Override
      public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
        return c.replicas(workload);
      }
    };
  }

  /**
   * Catches the check asking from the clamped count, which the engine never does: a workload at
   * 0 replicas under a minimum of 2 was asked "2 -> n", which an executor that checks the count
   * it changes from (as InMemoryCluster does) refused as stale every time, so nothing was
   * exercised and the check passed. It now asks from the count observed, as the engine does.
   */
  @Test
  void aWorkloadOutsideItsBoundsIsAskedFromTheCountItHas() {
    InMemoryCluster c = new InMemoryCluster(ManualClock.ofDefault(), Duration.ZERO);
    Supplier<WorkloadSpec> below = added(c, "low", 0, 2, Mode.ACT);
    assertThat(ScaleExecutorContract.check(c, below, 3, 5)).isEmpty();
    assertThat(c.actions()).as("requests applied").isPositive();
    // Each example's first request, from 0; the no-op after it is from the count applied.
    assertThat(c.requests()).filteredOn(r -> r.from() == 0).hasSize(5);
  }

  /**
   * Catches a real change reported as a failed no-op: a workload at 0 under a minimum of 2 whose
   * first request failed was then asked 0 -> 2 (the clamp) as "the count already set", and the
   * executor's FAILED answer, which the contract allows for a change, was a violation.
   */
  @Test
  void aWorkloadLeftOutsideItsBoundsIsNotAskedAChangeAsANoOp() {
    InMemoryCluster c = new InMemoryCluster(ManualClock.ofDefault(), Duration.ZERO);
    Supplier<WorkloadSpec> below = added(c, "down", 0, 2, Mode.ACT);
    List<ScaleRequest> asked = new ArrayList<>();
    assertThat(ScaleExecutorContract.check(unavailable(c, asked), below,
        ref -> OptionalInt.of(c.current(ref)), 17, 5)).isEmpty();
    assertThat(asked).hasSize(5).allMatch(r -> r.from() == 0 && r.to() > 2);
  }

  /**
   * Catches a real change reported as a failed no-op in HPA_FLOOR: with no floor before the first
   * request and that request failed, "min -> min" was sent as "the count already set", though it
   * writes a floor, and the executor's FAILED answer was a violation.
   */
  @Test
  void anHpaFloorWorkloadWithNoFloorIsNotAskedAFloorAsANoOp() {
    InMemoryCluster c = new InMemoryCluster(ManualClock.ofDefault(), Duration.ZERO);
    Supplier<WorkloadSpec> unfloored = added(c, "nf", 2, 1, Mode.HPA_FLOOR);
    List<ScaleRequest> asked = new ArrayList<>();
    assertThat(ScaleExecutorContract.check(unavailable(c, asked), unfloored, c::floor, 16, 2))
        .isEmpty();
    assertThat(asked).hasSize(2).allMatch(r -> r.from() == 1 && r.to() > 1);
    // With a floor written by the first request, the no-op is still sent.
    assertThat(ScaleExecutorContract.check(c, unfloored, c::floor, 16, 2)).isEmpty();
    assertThat(c.requests()).hasSize(4).filteredOn(r -> r.from() == r.to()).hasSize(2);
  }

  @Test
  void aCorrectExecutorHasNoViolations() {
    Cluster c = new Cluster();
    assertThat(ScaleExecutorContract.check(c, c.workloads(), 1, 20)).isEmpty();
    assertThat(ScaleExecutorContract.check(c, c.workloads(),
        ref -> OptionalInt.of(c.replicas.get(ref)), 2, 20)).isEmpty();
    assertThat(ScaleExecutorContract.checkMissingWorkload(c, MISSING)).isEmpty();
  }

  @Test
  void findsAnAppliedOutcomeWithAnotherCount() {
    Cluster c = new Cluster() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        super.apply(request);
        return ScaleOutcome.applied(request.from(), "reported the old count");
      }
    };
    assertThat(ScaleExecutorContract.check(c, c.workloads(), 3, 5))
        .anyMatch(s -> s.contains("an applied outcome must report the requested count"));
  }

  // Caught the contract failing an executor whose server stored less than asked (a mutating
  // webhook) and that said so, which the engine counts as the change made.
  @Test
  void anAppliedCountShortOfTheAskPassesWhenTheSystemHoldsIt() {
    Cluster webhook = new Cluster() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        int stored = Math.abs(request.to() - request.from()) > 1
            ? request.from() + Integer.signum(request.to() - request.from()) : request.to();
        replicas.put(request.workload(), stored);
        return ScaleOutcome.applied(stored, "the server stored " + stored);
      }
    };
    assertThat(ScaleExecutorContract.check(webhook, webhook.workloads(),
        ref -> OptionalInt.of(webhook.replicas.get(ref)), 2, 20)).isEmpty();
    // Reporting such a count while the system holds the ask is still a violation.
    Cluster liar = new Cluster() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        super.apply(request);
        int shown = Math.abs(request.to() - request.from()) > 1
            ? request.from() + Integer.signum(request.to() - request.from()) : request.to();
        return ScaleOutcome.applied(shown, "patched");
      }
    };
    assertThat(ScaleExecutorContract.check(liar, liar.workloads(),
        ref -> OptionalInt.of(liar.replicas.get(ref)), 2, 20))
        .anyMatch(s -> s.contains("the observed value must be"));
  }

  /**
   * An ACT executor that answers as k8s-adapter's ScaleSubresourceExecutor.written() does, over
   * a server whose mutating webhook stores {@code webhook(sent)} instead of the count sent:
   * Applied with the count stored when it moved from the request's count towards the ask (short
   * of it or past it), Refused, naming the count, when it stayed or moved the other way.
   */
  static class Webhooked extends Cluster {
    final IntUnaryOperator webhook;

    Webhooked(int start, IntUnaryOperator webhook) {
      this.start = start;
      this.webhook = webhook;
    }

    @Override
    public ScaleOutcome apply(ScaleRequest r) {
      if (!replicas.containsKey(r.workload())) {
        return ScaleOutcome.failed("404: " + r.workload() + " not found");
      }
      int from = r.from();
      int to = r.to();
      int kept = webhook.applyAsInt(to);
      replicas.put(r.workload(), kept);
      String sent = "PATCH " + r.workload() + " spec.replicas " + from + " -> " + to;
      if (kept == to) {
        return ScaleOutcome.applied(to, sent);
      }
      if (kept != from && (kept > from) == (to > from)) {
        return ScaleOutcome.applied(kept, sent + ": the server stored " + kept + ", not the "
            + to + " asked for (a mutating admission webhook or policy changed it)");
      }
      return ScaleOutcome.refused(sent + ": the server " + (kept == from ? "kept " : "stored ")
          + kept + ", not the " + to + " asked for (a mutating admission webhook or policy "
          + (kept == from ? "set it back): nothing changed" : "changed it): not the change "
          + "decided, not counted as one") + "; re-read and decide again next tick");
    }
  }

  private static Function<WorkloadRef, OptionalInt> observed(Cluster c) {
    return ref -> OptionalInt.of(c.replicas.get(ref));
  }

  /**
   * Catches the contract failing what ScaleOutcome's javadoc allows and k8s-adapter's executor
   * does behind a mutating webhook: an Applied count past the ask (5 -> 4 stored 3; 4 -> 5
   * stored 8), and a Refused whose server moved the count the other way (5 -> 7 stored 3). Each
   * was a violation, and the checks after it cascaded from the count the contract assumed.
   */
  @Test
  void acceptsWhatAMutatingWebhookLeavesAsScaleOutcomeDocumentsIt() {
    Webhooked atMostThree = new Webhooked(5, to -> Math.min(to, 3));
    assertThat(ScaleExecutorContract.check(atMostThree, atMostThree.workloads(),
        observed(atMostThree), 21, 20)).isEmpty();
    Webhooked roundUp = new Webhooked(4, to -> (to + 3) / 4 * 4);
    assertThat(ScaleExecutorContract.check(roundUp, roundUp.workloads(), observed(roundUp), 22,
        20)).isEmpty();
    assertThat(ScaleExecutorContract.check(roundUp, roundUp.workloads(), 22, 20)).isEmpty();
  }

  /**
   * Catches the contract failing a write that timed out and landed: FAILED with "the change may
   * have been applied" (as the Kubernetes executors say when a try timed out) and the count at
   * the ask is what ScaleOutcome documents.
   */
  @Test
  void acceptsAFailureThatSaysTheChangeMayHaveBeenAppliedAndWas() {
    Cluster timedOut = new Cluster() {
      final Set<WorkloadRef> tried = ConcurrentHashMap.newKeySet();

      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        ScaleOutcome written = super.apply(request);
        return tried.add(request.workload()) ? ScaleOutcome.failed("PATCH " + request.workload()
            + " timed out (after 3 tries); the change may have been applied") : written;
      }
    };
    assertThat(ScaleExecutorContract.check(timedOut, timedOut.workloads(), observed(timedOut),
        23, 20)).isEmpty();
  }

  /**
   * Catches a correct executor failed by the contract: its first try got through and a webhook
   * cut it to one step (2 -> 5 stored 3), then its retries timed out, so it answered FAILED "may
   * have been applied" with the count on the way to the ask, which the engine counts as the
   * change made.
   */
  @Test
  void acceptsAFailureThatMayHaveBeenAppliedAndWasCutShort() {
    Cluster cut = new Cluster() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        int from = request.from();
        if (request.to() == from) {
          return super.apply(request);
        }
        replicas.put(request.workload(), request.to() > from ? from + 1 : from - 1);
        return ScaleOutcome.failed("HTTP 504 (after 3 tries); a try timed out or met a server "
            + "error, so the change may have been applied: re-read next tick");
      }
    };
    assertThat(ScaleExecutorContract.check(cut, cut.workloads(), observed(cut), 7, 20)).isEmpty();
  }

  /** Still caught: outcomes that say another thing than the system under test shows. */
  @Test
  void findsOutcomesThatLieAboutWhatTheServerStored() {
    // Refused, but the count moved towards the ask.
    Cluster refusedButApplied = new Cluster() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        super.apply(request);
        return ScaleOutcome.refused("conflict");
      }
    };
    assertThat(ScaleExecutorContract.check(refusedButApplied, refusedButApplied.workloads(),
        observed(refusedButApplied), 24, 5)).anyMatch(s -> s.contains("after a REFUSED request "
            + "the observed value must stay 2 (never half-applied), but was"));
    // Refused, moved the other way, without a word of it.
    Webhooked silent = new Webhooked(5, to -> Math.min(to, 3)) {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        ScaleOutcome o = super.apply(request);
        return o.isApplied() ? o : ScaleOutcome.refused("not the change decided");
      }
    };
    assertThat(ScaleExecutorContract.check(silent, silent.workloads(), observed(silent), 21, 20))
        .anyMatch(s -> s.matches("example \\d+ \\(ns/w\\d+, ACT\\): a REFUSED request that "
            + "moved the observed value from 5 the other way than the [6-8] asked for \\(a "
            + "server that rewrote it\\) must say so, naming the count 3, but its message was: "
            + "not the change decided"));
    // Refused, moved the other way, and a number in its message that is no count: "apps/v1".
    Webhooked quoted = new Webhooked(5, to -> Math.min(to, 1)) {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        ScaleOutcome o = super.apply(request);
        return o.isApplied() ? o : ScaleOutcome.refused("409 Conflict on /apis/apps/v1/namespaces"
            + "/ns/deployments/w/scale: the object has been modified");
      }
    };
    assertThat(ScaleExecutorContract.check(quoted, quoted.workloads(), observed(quoted), 21, 20))
        .anyMatch(s -> s.contains("must say so, naming the count 1, but its message was: 409"));
    // Failed, may have been applied, but the count is neither the one before nor the ask.
    Cluster elsewhere = new Cluster() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        replicas.put(request.workload(), request.to() + 1);
        return ScaleOutcome.failed("timed out; the change may have been applied");
      }
    };
    assertThat(ScaleExecutorContract.check(elsewhere, elsewhere.workloads(), observed(elsewhere),
        25, 5)).anyMatch(s -> s.contains("after a FAILED request whose message says the change "
            + "may have been applied, the observed value must stay 2 or be the"));
    // Applied, with a count moved the other way.
    Webhooked wrongWay = new Webhooked(5, to -> Math.min(to, 3)) {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        ScaleOutcome o = super.apply(request);
        return o.isApplied() ? o : ScaleOutcome.applied(3, "stored 3");
      }
    };
    assertThat(ScaleExecutorContract.check(wrongWay, wrongWay.workloads(), observed(wrongWay), 21,
        20)).anyMatch(s -> s.contains("an applied outcome must report the requested count"));
  }

  @Test
  void findsAHalfAppliedFailure() {
    Cluster c = new Cluster() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        replicas.put(request.workload(), request.to());
        return ScaleOutcome.failed("timeout after the patch was sent");
      }
    };
    assertThat(ScaleExecutorContract.check(c, c.workloads(), 4, 5))
        .anyMatch(s -> s.contains("request the observed value must stay 2 (never half-applied)"));
  }

  @Test
  void findsAnAppliedRequestThatDidNotChangeAnything() {
    Cluster c = new Cluster() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        return ScaleOutcome.applied(request.to(), "claims success");
      }
    };
    assertThat(ScaleExecutorContract.check(c, c.workloads(), 5, 5))
        .anyMatch(s -> s.contains("the observed value must be"));
  }

  @Test
  void findsExceptionsThatEscape() {
    Cluster c = new Cluster() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        throw new IllegalStateException("HTTP 500");
      }

      @Override
      public void release(WorkloadRef workload) {
        throw new IllegalStateException("release failed");
      }
    };
    assertThat(ScaleExecutorContract.check(c, c.workloads(), 6, 1))
        .anyMatch(s -> s.contains("apply must report failures as ScaleOutcome.failed, not throw, "
            + "but threw java.lang.IllegalStateException: HTTP 500"))
        .anyMatch(s -> s.contains("release must not throw"));
    assertThat(ScaleExecutorContract.checkMissingWorkload(c, MISSING))
        .anyMatch(s -> s.contains("not throw"));
  }

  @Test
  void findsAMissingWorkloadThatIsApplied() {
    ScaleExecutor anything = r -> ScaleOutcome.applied(r.to(), "ok");
    assertThat(ScaleExecutorContract.checkMissingWorkload(anything, MISSING)).containsExactly(
        "missing workload ns/gone: a request for a workload that does not exist must be refused "
            + "or failed, but was applied: ok");
  }

  @Test
  void findsABlankFailureMessage() {
    Cluster c = new Cluster() {
      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        return ScaleOutcome.refused("");
      }
    };
    assertThat(ScaleExecutorContract.check(c, c.workloads(), 7, 2))
        .anyMatch(s -> s.contains("a REFUSED outcome must say why"));
  }

  @Test
  void findsReplicasThatLagBehindAnAppliedRequestWhenTheValueIsObservedElsewhere() {
    // The executor really scales, but its replicas() reports the count before the last apply.
    Cluster c = new Cluster() {
      final Map<WorkloadRef, Integer> previous = new ConcurrentHashMap<>();

      @Override
      public ScaleOutcome apply(ScaleRequest request) {
        previous.put(request.workload(), replicas.get(request.workload()));
        return super.apply(request);
      }

      @Override
      public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
        Integer r = previous.getOrDefault(workload, replicas.get(workload));
        return Optional.of(ReplicaStatus.of(r, r));
      }
    };
    assertThat(ScaleExecutorContract.check(c, c.workloads(),
        ref -> OptionalInt.of(c.replicas.get(ref)), 8, 5))
        .hasSize(5)
        .allMatch(s -> s.matches("example \\d \\(ns/w\\d, ACT\\): after an applied request for "
            + "\\d replicas must report \\d current replicas, but reported 2"), "the stale count");
  }

  @Test
  void findsReplicasThatThrowsAfterARequestWhenTheValueIsObservedElsewhere() {
    Cluster c = new Cluster() {
      @Override
      public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
        throw new IllegalStateException("informer not synced");
      }
    };
    assertThat(ScaleExecutorContract.check(c, c.workloads(),
        ref -> OptionalInt.of(c.replicas.get(ref)), 9, 2)).hasSize(4)
        .allMatch(s -> s.endsWith("replicas must not throw, but threw "
            + "java.lang.IllegalStateException: informer not synced"));
  }

  @Test
  void findsReplicasThatReturnsNullAfterARequestWhenTheValueIsObservedElsewhere() {
    Cluster c = new Cluster() {
      @Override
      public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
        return null;
      }
    };
    assertThat(ScaleExecutorContract.check(c, c.workloads(),
        ref -> OptionalInt.of(c.replicas.get(ref)), 10, 1)).containsExactly(
        "example 0 (ns/w0, ACT): replicas must return an Optional, but returned null",
        "example 0 (ns/w0, ACT), no-op request: replicas must return an Optional, but returned "
            + "null");
  }

  /**
   * Catches a release that does not give control back: an HPA-floor executor that leaves its
   * floor in place after release, observed through the system under test.
   */
  @Test
  void findsAReleaseThatLeavesTheFloorInPlace() {
    InMemoryCluster c = new InMemoryCluster(ManualClock.ofDefault(), Duration.ZERO);
    Supplier<WorkloadSpec> floors = added(c, "f", 2, 1, Mode.HPA_FLOOR);
    Function<WorkloadRef, OptionalInt> floorOrCount = ref -> {
      OptionalInt f = c.floor(ref);
      return f.isPresent() ? f : OptionalInt.of(c.current(ref));
    };
    assertThat(ScaleExecutorContract.check(c, floors, floorOrCount, 11, 5)).isEmpty();
    ScaleExecutor sticky = sticky(c);
    assertThat(ScaleExecutorContract.check(sticky, floors, floorOrCount, 11, 3)).hasSize(3)
        .allMatch(s -> s.matches("example \\d \\(ns/f\\d, HPA_FLOOR\\): after release the "
            + "observed value must be back at 2, as before the first request \\(the HPA "
            + "restored\\), but was [13-8]"));
    // Without a reading of the system under test, the release is checked for not throwing only.
    assertThat(ScaleExecutorContract.check(sticky, floors, 11, 3)).isEmpty();
  }

  /**
   * A release that removes the floor gives control back, as the contract allows ("or gone"):
   * catches the check reading the value after the release before knowing there was one, which
   * threw NoSuchElementException for a workload that had a floor of 3 before the first request.
   */
  @Test
  void aReleaseThatRemovesAnExistingFloorPasses() {
    InMemoryCluster c = new InMemoryCluster(ManualClock.ofDefault(), Duration.ZERO);
    int[] n = {0};
    Supplier<WorkloadSpec> floored = () -> {
      WorkloadRef ref = WorkloadRef.deployment("ns", "g" + n[0]++);
      c.add(ref, 2);
      WorkloadSpec spec = WorkloadSpec.builder(ref).minReplicas(1).maxReplicas(8)
          .mode(Mode.HPA_FLOOR).metric(MetricTarget.utilization("cpu", 70)).build();
      assertThat(c.apply(new ScaleRequest(spec, Mode.HPA_FLOOR, 2, 3, List.of(), Instant.EPOCH))
          .isApplied()).isTrue();
      return spec;
    };
    assertThat(ScaleExecutorContract.check(c, floored, c::floor, 15, 5)).isEmpty();
    assertThat(c.released()).hasSize(10);
    assertThat(c.floor(WorkloadRef.deployment("ns", "g0"))).isEmpty();
  }

  /**
   * In HPA_FLOOR, "no floor" is a reading: catches a release that leaves a floor where there was
   * none before the first request, which passed because the check skipped the release whenever
   * {@code observed} read nothing before the first request.
   */
  @Test
  void findsAReleaseThatLeavesAFloorWhereThereWasNone() {
    InMemoryCluster c = new InMemoryCluster(ManualClock.ofDefault(), Duration.ZERO);
    Supplier<WorkloadSpec> unfloored = added(c, "u", 2, 1, Mode.HPA_FLOOR);
    assertThat(ScaleExecutorContract.check(c, unfloored, c::floor, 16, 5)).isEmpty();
    assertThat(ScaleExecutorContract.check(sticky(c), unfloored, c::floor, 16, 3)).hasSize(3)
        .allMatch(s -> s.matches("example \\d \\(ns/u\\d, HPA_FLOOR\\): after release there "
            + "must be no floor, as before the first request, but the observed value was "
            + "[2-8]"));
  }

  /**
   * An HPA-floor executor may report the floor it wrote under the one asked (the HPA's
   * maxReplicas held it down), and the observed floor is then that one; catches a floor reported
   * above the request, and a floor reported held while another was written.
   */
  @Test
  void anHpaFloorHeldDownByMaxReplicasIsReportedAsWritten() {
    Map<WorkloadRef, Integer> floors = new ConcurrentHashMap<>();
    int[] n = {0};
    Supplier<WorkloadSpec> specs = () -> {
      WorkloadRef ref = WorkloadRef.deployment("ns", "h" + n[0]++);
      floors.put(ref, 2);
      return WorkloadSpec.builder(ref).minReplicas(1).maxReplicas(8).mode(Mode.HPA_FLOOR)
          .metric(MetricTarget.utilization("cpu", 70)).build();
    };
    int hpaMax = 4;
    class Held implements ScaleExecutor {
      int written(ScaleRequest r) {
        return Math.min(r.to(), hpaMax);
      }

      @Override
      public ScaleOutcome apply(ScaleRequest r) {
        floors.put(r.workload(), written(r));
        return ScaleOutcome.applied(written(r), "floor " + written(r));
      }

      @Override
      public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
        return Optional.of(ReplicaStatus.of(2, 2));
      }

      @Override
      public void release(WorkloadRef workload) {
        floors.put(workload, 2);
      }
    }
    Function<WorkloadRef, OptionalInt> observed = ref -> OptionalInt.of(floors.get(ref));
    assertThat(ScaleExecutorContract.check(new Held(), specs, observed, 14, 20)).isEmpty();
    Held above = new Held() {
      @Override
      public ScaleOutcome apply(ScaleRequest r) {
        super.apply(r);
        return ScaleOutcome.applied(r.to() + 1, "reported above the request");
      }
    };
    assertThat(ScaleExecutorContract.check(above, specs, observed, 14, 20)).anyMatch(s -> s
        .contains("an applied HPA-floor outcome must report the floor written, at most the "
            + "requested"));
    Held wrongFloor = new Held() {
      @Override
      int written(ScaleRequest r) {
        return Math.min(r.to(), hpaMax + 1);
      }

      @Override
      public ScaleOutcome apply(ScaleRequest r) {
        super.apply(r);
        return ScaleOutcome.applied(Math.min(r.to(), hpaMax), "reported another floor");
      }
    };
    assertThat(ScaleExecutorContract.check(wrongFloor, specs, observed, 14, 20)).anyMatch(s -> s
        .matches("example \\d+ \\(ns/h\\d+, HPA_FLOOR\\): after an applied request for 4 the "
            + "observed value must be 4, but was 5"));
  }

  /** Catches a release that scales an ACT workload, and a second release that throws. */
  @Test
  void findsAReleaseThatScalesOrThrowsTheSecondTime() {
    Cluster scaling = new Cluster() {
      @Override
      public void release(WorkloadRef workload) {
        replicas.put(workload, 1);
      }
    };
    assertThat(ScaleExecutorContract.check(scaling, scaling.workloads(),
        ref -> OptionalInt.of(scaling.replicas.get(ref)), 12, 4))
        .isNotEmpty().allMatch(s -> s.matches("example \\d \\(ns/w\\d, ACT\\): release must not "
            + "change the observed value in ACT \\(it was [2-8]\\), but it became 1"));
    Cluster once = new Cluster() {
      final Set<WorkloadRef> released = ConcurrentHashMap.newKeySet();

      @Override
      public void release(WorkloadRef workload) {
        if (!released.add(workload)) {
          throw new IllegalStateException("no saved HPA spec for " + workload);
        }
      }
    };
    assertThat(ScaleExecutorContract.check(once, once.workloads(), 13, 1)).containsExactly(
        "example 0 (ns/w0, ACT): a second release must not throw, but threw "
            + "java.lang.IllegalStateException: no saved HPA spec for ns/w0");
  }
}
