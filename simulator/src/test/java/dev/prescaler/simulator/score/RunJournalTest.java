package dev.prescaler.simulator.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.journal.DecisionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The self-check's replay of readiness from the journal's changes alone. */
class RunJournalTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration SYNC = Duration.ofSeconds(15);
  private static final Duration STARTUP = Duration.ofSeconds(120);

  private static RunJournal journal() {
    return new RunJournal("load", STARTUP, Duration.ofMinutes(1), false, STARTUP, 2, r -> {});
  }

  /** The record of tick {@code i}: {@code current} replicas, {@code ready} ready, to {@code to}. */
  private static DecisionRecord tick(int i, int current, int ready, int to) {
    return new DecisionRecord(i, T0.plus(SYNC.multipliedBy(i)), WorkloadRef.deployment("s", "w"),
        Mode.ACT, to == current ? DecisionRecord.Kind.HOLD : DecisionRecord.Kind.SCALE, current,
        ready, Map.of(), Map.of(), Map.of(), Map.of(), to, to, List.of(), Map.of(),
        to == current ? DecisionRecord.Action.NONE : DecisionRecord.Action.APPLIED, "",
        Optional.empty());
  }

  @Test
  void countsWhatTheModelGivesAsNoMismatch() {
    RunJournal j = journal();
    j.append(tick(0, 2, 2, 5)); // 3 asked for at 0 s: ready at 120 s, tick 8
    j.append(tick(1, 5, 2, 5));
    j.append(tick(7, 5, 2, 4)); // one pending removed, the newest
    j.append(tick(8, 4, 4, 1)); // the two started ones are ready; removals take ready ones
    j.append(tick(9, 1, 1, 1));
    assertThat(j.readinessMismatches()).isZero();
    assertThat(j.firstReadinessMismatch()).isEmpty();
  }

  @Test
  void catchesReplicasReadyLaterThanTheStartup() {
    // Catches a cluster whose replicas become ready late (or early): the scorecard's
    // under-provisioned time and unserved demand are counted from its ready replicas, and
    // comparing the cluster with the journal's counts alone agrees whatever it does.
    RunJournal j = journal();
    j.append(tick(0, 2, 2, 5));
    j.append(tick(8, 5, 2, 5)); // should be 5 ready by now
    j.append(tick(9, 5, 5, 5));
    assertThat(j.readinessMismatches()).isEqualTo(1);
    assertThat(j.firstReadinessMismatch()).hasValue("record 8 at 2026-01-01T00:02:00Z: 5 "
        + "replicas, 2 ready; the changes before it give 5, 5 ready");
  }

  @Test
  void catchesARemovalThatTookReadyReplicasBeforePendingOnes() {
    RunJournal j = journal();
    j.append(tick(0, 2, 2, 4));
    j.append(tick(1, 4, 2, 3));
    j.append(tick(2, 3, 1, 3)); // a ready one went, not the pending one
    assertThat(j.readinessMismatches()).isEqualTo(1);
  }
}
