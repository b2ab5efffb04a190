package dev.prescaler.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * With a call timeout, a hanging plug-in delays a tick by at most its own timeout, once: the only
 * tests of the module that measure wall time. In the property, each example picks, for each of
 * the four workloads, whether its source hangs, its executor hangs, its executor hangs while
 * reporting replicas, or it is healthy; every hang blocks on a latch that the test opens
 * afterwards, and each example also picks whether the hangs end when the engine interrupts them
 * or ignore the interrupt (a blocking socket read). A second tick follows with the latch still
 * closed.
 */
class CallTimeoutProperties {
  /** Generated examples: each costs up to four timeouts of wall time. */
  static final int EXAMPLES = 12;
  static final Duration TIMEOUT = Duration.ofMillis(200);
  /**
   * Allowance for scheduling on a loaded 2-core machine, on top of the hanging calls' timeouts.
   * A healthy tick of four workloads takes well under 50 ms; a regression that waits for a hung
   * call (forever) or serializes healthy calls behind it blows far past this.
   */
  static final Duration MARGIN = Duration.ofSeconds(3);

  /**
   * A tick ends within (number of hanging calls) × timeout + margin; each hanging workload is held
   * or recorded as failed with "timed out", and each healthy workload is decided normally. In the
   * next tick, a hung call that ignored the interrupt is still running: its workload is held,
   * naming the stage and when the call started, the stage is not called again, and the tick waits
   * for none of them (it ends within the margin). A hung call that ended on the interrupt is
   * either still finishing (held the same way) or called again (and times out again). The healthy
   * workloads are decided normally.
   */
  @Test
  void aHangingPluginDelaysTheTickByAtMostItsOwnTimeout() {
    qt().withExamples(EXAMPLES).withShrinkCycles(5)
        .forAll(lists().of(integers().between(0, 3)).ofSize(FaultHarness.SPECS.size()),
            booleans().all())
        .checkAssert(CallTimeoutProperties::check);
  }

  /** The timeout of {@link #aHangingCallIsWaitedForItsOwnTimeoutNotAMultipleOfIt}. */
  static final Duration LONG_TIMEOUT = Duration.ofMillis(500);
  /**
   * Allowance for JVM and scheduling noise there, fixed whatever the timeout: a healthy tick of
   * four workloads takes well under 50 ms, so 2 s leaves room for a loaded 2-core machine (a GC
   * pause, a slow thread start), and is still less than what a wait of 4 × the timeout adds over
   * three hanging calls (4.5 s; 3 × adds 3 s, also caught).
   */
  static final Duration FIXED_MARGIN = Duration.ofSeconds(2);

  /**
   * Catches a wait longer than the call timeout (say 4 × the timeout, which the property above
   * lets through, its margin being 15 of its timeouts): a tick with a hanging source, a hanging
   * executor and a hanging replica lookup, on three workloads, takes at least one timeout and at
   * most three timeouts plus a fixed margin, and the healthy workload is decided. Wall time:
   * about 1.5 s.
   */
  @Test
  void aHangingCallIsWaitedForItsOwnTimeoutNotAMultipleOfIt() {
    CountDownLatch release = new CountDownLatch(1);
    try (FaultHarness h = new FaultHarness(LONG_TIMEOUT, FaultHarness.SPECS)) {
      for (WorkloadSpec s : FaultHarness.SPECS) {
        h.source.demand(s.workload(), 1000);
      }
      WorkloadRef source = FaultHarness.WEB.workload();
      WorkloadRef apply = FaultHarness.WORKER.workload();
      WorkloadRef replicas = FaultHarness.FLOORED.workload();
      h.source.hang(source, release);
      h.executor.hang(apply, release);
      h.source.fault(replicas, SourceFault.NO_REPLICAS);
      h.executor.hangReplicas(replicas, release);

      long start = System.nanoTime();
      List<DecisionRecord> records = h.tick();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(took).as("tick with 3 calls hanging, each given %s", LONG_TIMEOUT)
          .isBetween(LONG_TIMEOUT, LONG_TIMEOUT.multipliedBy(3).plus(FIXED_MARGIN));
      String timedOut = "timed out after " + LONG_TIMEOUT;
      assertThat(FaultHarness.recordOf(records, source).actionMessage()).contains(timedOut);
      assertThat(FaultHarness.recordOf(records, replicas).actionMessage()).contains(timedOut);
      DecisionRecord applied = FaultHarness.recordOf(records, apply);
      assertThat(applied.action()).as(applied.toString()).isEqualTo(Action.FAILED);
      assertThat(applied.actionMessage()).contains(timedOut);
      DecisionRecord healthy = FaultHarness.recordOf(records,
          FaultHarness.SHADOW.workload());
      assertThat(healthy.kind()).as(healthy.toString()).isNotEqualTo(Kind.HOLD);
    } finally {
      release.countDown();
    }
  }

  private static void check(List<Integer> hangs, boolean deaf) {
    CountDownLatch release = new CountDownLatch(1);
    List<WorkloadSpec> specs = FaultHarness.SPECS;
    try (FaultHarness h = new FaultHarness(TIMEOUT, specs)) {
      h.source.ignoreInterrupts(deaf);
      h.executor.ignoreInterrupts(deaf);
      int hanging = 0;
      List<WorkloadRef> healthy = new ArrayList<>();
      for (int i = 0; i < specs.size(); i++) {
        WorkloadRef w = specs.get(i).workload();
        h.source.demand(w, 1000);
        switch (hangs.get(i)) {
          case 1 -> h.source.hang(w, release);
          case 2 -> h.executor.hang(w, release);
          case 3 -> {
            h.source.fault(w, SourceFault.NO_REPLICAS);
            h.executor.hangReplicas(w, release);
          }
          default -> healthy.add(w);
        }
        // An executor hang only costs time when the executor is called.
        boolean called = hangs.get(i) == 2 && specs.get(i).mode() != Mode.OBSERVE_ONLY;
        if (hangs.get(i) == 1 || hangs.get(i) == 3 || called) {
          hanging++;
        }
      }
      Instant first = h.clock.instant();
      long start = System.nanoTime();
      List<DecisionRecord> records = h.tick();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(took).as("tick with %d hanging calls (%s)", hanging, hangs)
          .isLessThanOrEqualTo(TIMEOUT.multipliedBy(hanging).plus(MARGIN));
      assertThat(records).hasSize(specs.size());
      for (int i = 0; i < specs.size(); i++) {
        DecisionRecord r = FaultHarness.recordOf(records, specs.get(i).workload());
        switch (hangs.get(i)) {
          case 1, 3 -> {
            assertThat(r.kind()).as(r.toString()).isEqualTo(Kind.HOLD);
            assertThat(r.actionMessage()).contains("timed out after " + TIMEOUT);
          }
          case 2 -> {
            if (r.action() != Action.NONE && r.action() != Action.OBSERVED) {
              assertThat(r.action()).as(r.toString()).isEqualTo(Action.FAILED);
              assertThat(r.actionMessage()).contains("timed out after " + TIMEOUT);
            }
          }
          default -> assertThat(r.kind()).as("healthy: " + r).isNotEqualTo(Kind.HOLD);
        }
      }

      h.clock.advance(Duration.ofSeconds(15));
      start = System.nanoTime();
      records = h.tick();
      took = Duration.ofNanos(System.nanoTime() - start);

      String what = "second tick, " + (deaf ? "deaf" : "interruptible") + " hangs " + hangs;
      Duration bound = deaf ? MARGIN : TIMEOUT.multipliedBy(hanging).plus(MARGIN);
      assertThat(took).as(what).isLessThanOrEqualTo(bound);
      assertThat(records).hasSize(specs.size());
      for (int i = 0; i < specs.size(); i++) {
        WorkloadRef w = specs.get(i).workload();
        DecisionRecord r = FaultHarness.recordOf(records, w);
        boolean applyCalled = hangs.get(i) == 2 && specs.get(i).mode() != Mode.OBSERVE_ONLY;
        String stage = switch (hangs.get(i)) {
          case 1 -> "metric source";
          case 2 -> applyCalled ? "executor" : null;
          case 3 -> "executor replicas";
          default -> null;
        };
        if (stage == null) {
          assertThat(r.kind()).as("healthy: " + r).isNotEqualTo(Kind.HOLD);
          continue;
        }
        String running = "previous " + stage + " call still running since " + first;
        int calls = switch (hangs.get(i)) {
          case 1 -> h.source.reads(w);
          case 2 -> h.executor.requests(w).size();
          default -> h.executor.replicaCalls(w);
        };
        if (deaf || r.actionMessage().contains(running)) {
          assertThat(r.kind()).as(what + ": " + r).isEqualTo(Kind.HOLD);
          assertThat(r.actionMessage()).as(what).contains(running);
          assertThat(calls).as(what + ": calls of " + stage).isEqualTo(1);
        } else {
          assertThat(r.actionMessage()).as(what + ": " + r).contains("timed out after " + TIMEOUT);
          assertThat(calls).as(what + ": calls of " + stage).isEqualTo(2);
        }
      }
    } finally {
      release.countDown();
    }
  }
}
