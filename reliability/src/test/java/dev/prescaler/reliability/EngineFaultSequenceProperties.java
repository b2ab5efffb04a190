package dev.prescaler.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.reliability.ScriptedPolicy.Behaviour;
import dev.prescaler.testkit.DecisionInvariants;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Randomized fault sequences against the real engine, with the invariants checked after every
 * tick. A sequence is a list of generated actions over four workloads (two acting, one
 * observe-only, one steering an HPA floor): tick; move the clock forward (0 s to a day) or back;
 * give one workload's source a {@link SourceFault} or heal it; give its executor an
 * {@link ExecutorFault}; make its policy propose something wild or fail; change its demand;
 * scale it behind the engine's back; make the listener throw; fill the journal's disk.
 *
 * <p>Two engines run each sequence in lockstep: the subject, which also suffers the listener and
 * journal faults, and a twin that does not. After every tick:
 *
 * <ol>
 *   <li>every workload has exactly one journal record (append attempted) for the tick;
 *   <li>every record satisfies {@link DecisionInvariants} (bounds, step limits, clamp, kind,
 *       observe-only never calls the executor, holds call nothing and give a reason);
 *   <li>bad or missing data, a clock that went backwards (except on the second tick in a row
 *       more than maxMetricAge behind, when the engine takes the clock as corrected), a failed
 *       policy, or a workload scaled to 0 behind our back while its minReplicas is above 0
 *       gives a HOLD whose message names the cause; good data never gives a HOLD otherwise;
 *   <li>the executor is called only for non-hold decisions of acting workloads, once, with the
 *       decided count; the journal's action is the executor's answer; the cluster changes only
 *       when the answer was "applied";
 *   <li>throwing listeners and a full disk change no decision: the subject's records equal the
 *       twin's.
 * </ol>
 */
class EngineFaultSequenceProperties {
  /** Generated fault sequences per run; each has 1 to 80 actions over four workloads. */
  static final int SEQUENCES = Integer.getInteger("reliability.sequences", 300);

  /** Shrink attempts after a failure: enough for a short trail, cheap on a loaded machine. */
  private static final int SHRINK_CYCLES = 60;

  private static final Duration[] FORWARD = {
    Duration.ZERO, Duration.ofSeconds(15), Duration.ofSeconds(15), Duration.ofMinutes(1),
    Duration.ofMinutes(10), Duration.ofDays(1)
  };
  private static final Duration[] BACKWARD = {
    Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofHours(1)
  };

  /**
   * Invariants 1–5 of the class comment hold after every tick of every generated fault sequence.
   */
  @Test
  void invariantsHoldAfterEveryStepOfRandomFaultSequences() {
    qt().withExamples(SEQUENCES).withShrinkCycles(SHRINK_CYCLES)
        .forAll(lists().of(integers().between(0, 1 << 20)).ofSizeBetween(1, 80))
        .checkAssert(EngineFaultSequenceProperties::run);
  }

  private static void run(List<Integer> actions) {
    try (FaultHarness subject = new FaultHarness(); FaultHarness twin = new FaultHarness()) {
      Sequence seq = new Sequence(subject, twin);
      for (int a : actions) {
        seq.step(a);
      }
      seq.tick();
      assertThat(DecisionInvariants.checkTicks(subject.journal.attempts(),
          FaultHarness.SPECS.stream().map(WorkloadSpec::workload).toList(), subject.tickTimes))
          .as("one record per workload per tick").isEmpty();
    }
  }

  /** Applies decoded actions to both engines and checks every tick. */
  private static final class Sequence {
    private final FaultHarness subject;
    private final FaultHarness twin;
    private final List<String> log = new ArrayList<>();
    private final Map<WorkloadRef, Integer> lastFloor = new HashMap<>();
    private Instant latestTick;
    /** The tick that found the clock more than maxMetricAge behind latestTick, if the last did. */
    private Instant farBehindSince;

    Sequence(FaultHarness subject, FaultHarness twin) {
      this.subject = subject;
      this.twin = twin;
    }

    void step(int a) {
      int kind = a % 16;
      int p = a / 16;
      List<WorkloadSpec> specs = FaultHarness.SPECS;
      WorkloadSpec spec = specs.get(p % specs.size());
      WorkloadRef w = spec.workload();
      int q = p / specs.size();
      switch (kind) {
        case 5 -> {
          Duration d = FORWARD[p % FORWARD.length];
          both(h -> h.clock.advance(d), "advance " + d);
        }
        case 6 -> {
          Duration d = BACKWARD[p % BACKWARD.length];
          both(h -> h.clock.advance(d.negated()), "back " + d);
        }
        case 7 -> {
          SourceFault f = SourceFault.values()[q % SourceFault.values().length];
          both(h -> h.source.fault(w, f), w + " source " + f);
        }
        case 8 -> both(h -> h.source.fault(w, SourceFault.NONE), w + " source heals");
        case 9 -> {
          ExecutorFault f = ExecutorFault.values()[q % ExecutorFault.values().length];
          both(h -> h.executor.fault(w, f), w + " executor " + f);
        }
        case 10 -> {
          Behaviour b = Behaviour.values()[q % Behaviour.values().length];
          int fixed = (q / Behaviour.values().length) % (spec.maxReplicas() * 3 + 1);
          both(h -> h.policy.behave(w, b, fixed), w + " policy " + b + " " + fixed);
        }
        case 11 -> {
          double demand = q % 5000;
          both(h -> h.source.demand(w, demand), w + " demand " + demand);
        }
        case 12 -> {
          boolean armed = q % 2 == 0;
          subject.listener.armed(armed);
          log.add("listener armed " + armed);
        }
        case 13 -> {
          boolean full = q % 2 == 0;
          subject.journal.diskFull(full);
          log.add("disk full " + full);
        }
        case 14 -> {
          int n = q % (spec.maxReplicas() + 6);
          both(h -> h.cluster.set(w, n), w + " scaled behind our back to " + n);
        }
        default -> tick();
      }
    }

    private void both(Consumer<FaultHarness> change, String what) {
      change.accept(subject);
      change.accept(twin);
      log.add(what);
    }

    void tick() {
      Instant now = subject.clock.instant();
      boolean backwards = latestTick != null && now.isBefore(latestTick);
      boolean far = backwards
          && Duration.between(now, latestTick).compareTo(FaultHarness.MAX_METRIC_AGE) > 0;
      if (far && farBehindSince != null && !now.isBefore(farBehindSince)) {
        // Far behind on two ticks in a row: the engine takes the clock as corrected, and forgets
        // the samples it accepted after it.
        backwards = false;
        subject.source.forgetAcceptedAfter(now);
        twin.source.forgetAcceptedAfter(now);
        log.add("clock taken as corrected at " + now);
      }
      farBehindSince = backwards && far ? now : null;
      if (!backwards) {
        latestTick = now;
      }
      Map<WorkloadRef, Optional<String>> expectedHold = new HashMap<>();
      Map<WorkloadRef, Integer> before = new HashMap<>();
      Map<WorkloadRef, Integer> requestsBefore = new HashMap<>();
      for (WorkloadSpec s : FaultHarness.SPECS) {
        WorkloadRef w = s.workload();
        expectedHold.put(w, subject.source.expectedHold(w, now));
        before.put(w, subject.cluster.get(w));
        requestsBefore.put(w, subject.executor.requests(w).size());
      }
      int failuresBefore = subject.listener.failures().size();
      log.add("tick at " + now);
      List<DecisionRecord> records = subject.tick();
      List<DecisionRecord> twinRecords = twin.tick();
      String trail = "after " + log;

      assertThat(records).as("records of one tick %s", trail)
          .hasSize(FaultHarness.SPECS.size())
          .allSatisfy(r -> assertThat(r.time()).isEqualTo(now));
      assertThat(records).as("throwing listeners and a full disk change nothing %s", trail)
          .isEqualTo(twinRecords);
      long journalFailures = subject.listener.failures().subList(failuresBefore,
          subject.listener.failures().size()).stream()
          .filter(f -> f.stage().equals("journal")).count();
      // Every failed append is reported to listeners, and only those.
      assertThat(journalFailures).as("journal failures reported %s", trail)
          .isEqualTo(subject.journal.isFull() ? records.size() : 0);

      for (WorkloadSpec s : FaultHarness.SPECS) {
        WorkloadRef w = s.workload();
        DecisionRecord r = FaultHarness.recordOf(records, w);
        String where = w + " " + trail + " record " + r;
        assertThat(DecisionInvariants.checkRecord(r, s)).as(where).isEmpty();

        List<String> causes = new ArrayList<>();
        if (backwards) {
          // The source's own fault may read differently against a clock gone back (an old
          // sample can look like a future one); the clock's reason is the one that must appear.
          causes.add("clock went backwards");
        } else {
          expectedHold.get(w).ifPresent(causes::add);
        }
        if (r.current() == 0 && s.minReplicas() > 0) {
          // Scaled to 0 behind our back: held there, as the Kubernetes HPA does, before the
          // samples are looked at (so none is taken: the same sample is new at the next tick).
          causes.clear();
          causes.add("current replicas is 0 with minReplicas " + s.minReplicas());
        }
        boolean dataGood = causes.isEmpty();
        Behaviour b = subject.policy.behaviour(w);
        if (causes.isEmpty() && (b == Behaviour.THROWS || b == Behaviour.NULL)) {
          causes.add("policy failed");
        }
        if (causes.isEmpty()) {
          assertThat(r.kind()).as("good data never holds: " + where).isNotEqualTo(Kind.HOLD);
        } else {
          assertThat(r.kind()).as("bad data holds: " + where).isEqualTo(Kind.HOLD);
          for (String c : causes) {
            assertThat(r.actionMessage()).as("hold names its cause: " + where).contains(c);
          }
        }
        if (dataGood) {
          subject.source.accepted(w, now);
          twin.source.accepted(w, now);
        }

        List<ScaleRequest> all = subject.executor.requests(w);
        List<ScaleRequest> calls = all.subList(requestsBefore.get(w), all.size());
        boolean expectCall = r.kind() != Kind.HOLD
            && ((s.mode() == Mode.ACT && r.kind() == Kind.SCALE)
                || (s.mode() == Mode.HPA_FLOOR
                    && r.desired() != lastFloor.getOrDefault(w, -1)));
        if (expectCall) {
          assertThat(calls).as("one executor call: " + where).singleElement().satisfies(c -> {
            assertThat(c.from()).isEqualTo(r.current());
            assertThat(c.to()).isEqualTo(r.desired());
          });
          ExecutorFault f = subject.executor.fault(w);
          assertThat(r.action()).as("journal shows the executor's answer: " + where)
              .isEqualTo(f.action());
          if (s.mode() == Mode.HPA_FLOOR) {
            // A floor not applied (failed, or refused) leaves the HPA's unknown: sent again.
            lastFloor.put(w, f == ExecutorFault.NONE ? r.desired() : -1);
          }
        } else {
          assertThat(calls).as("no executor call: " + where).isEmpty();
        }
        int after = subject.cluster.get(w);
        if (r.action() == Action.APPLIED) {
          assertThat(after).as("applied: " + where).isEqualTo(r.desired());
        } else {
          assertThat(after).as("nothing applied, nothing changed: " + where)
              .isEqualTo(before.get(w));
        }
        if (r.kind() != Kind.HOLD || r.current() >= 0) {
          assertThat(r.current()).as("current is the cluster's count: " + where)
              .isEqualTo(before.get(w));
        }
      }
    }
  }
}
