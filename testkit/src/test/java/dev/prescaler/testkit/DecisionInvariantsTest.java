package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.StepLimits;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DecisionInvariantsTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  static final WorkloadRef API = WorkloadRef.deployment("shop", "api");
  /** [2, 10], up at most +2 (or +50 %), down at most -1 (or -10 %). */
  static final WorkloadSpec SPEC = WorkloadSpec.builder(WEB).minReplicas(2).maxReplicas(10)
      .mode(Mode.ACT).stepLimits(new StepLimits(2, 50, 1, 10))
      .metric(MetricTarget.utilization("cpu", 70)).build();

  static DecisionRecord record(long seq, Mode mode, Kind kind, int current, int proposed,
      int desired, Action action, String... reasons) {
    List<Reason> r = java.util.Arrays.stream(reasons)
        .map(m -> new Reason("test", current, desired, m)).toList();
    return new DecisionRecord(seq, T0.plusSeconds(15 * seq), WEB, mode, kind, current, current,
        Map.of("cpu", 50.0), Map.of(), Map.of("cpu", 1.0), Map.of(), proposed, desired, r,
        Map.of(), action, "", Optional.empty());
  }

  @Test
  void validRecordsHaveNoViolations() {
    List<DecisionRecord> ok = List.of(
        record(0, Mode.ACT, Kind.HOLD, 4, 4, 4, Action.NONE, "metric cpu: stale"),
        record(1, Mode.ACT, Kind.HOLD, -1, -1, -1, Action.NONE, "metric source failed"),
        record(2, Mode.ACT, Kind.KEEP, 4, 4, 4, Action.NONE),
        record(3, Mode.ACT, Kind.SCALE, 4, 100, 6, Action.APPLIED, "hpa", "step-limit"),
        record(4, Mode.ACT, Kind.SCALE, 6, 0, 5, Action.FAILED, "hpa", "step-limit"),
        record(5, Mode.OBSERVE_ONLY, Kind.SCALE, 4, 5, 5, Action.OBSERVED, "hpa"),
        // Below min with step limits that cannot reach it: the nearest bound.
        record(6, Mode.ACT, Kind.SCALE, 0, 1, 2, Action.APPLIED, "hpa", "bounds"),
        // Above max, a step limit of -1 would stop at 19: the bound wins.
        record(7, Mode.ACT, Kind.SCALE, 20, 20, 10, Action.REFUSED, "bounds"),
        record(8, Mode.HPA_FLOOR, Kind.KEEP, 4, 4, 4, Action.APPLIED));
    assertThat(DecisionInvariants.check(ok, SPEC)).isEmpty();
  }

  @Test
  void findsADesiredCountOutsideTheBounds() {
    assertThat(DecisionInvariants.check(List.of(
        record(0, Mode.ACT, Kind.SCALE, 10, 11, 11, Action.APPLIED, "bad")), SPEC))
        .contains("record 0 (shop/web at " + T0 + ", ACT SCALE): desired must be in [2, 10], but "
            + "was 11");
  }

  @Test
  void findsAStepBeyondTheLimits() {
    assertThat(DecisionInvariants.check(List.of(
        record(0, Mode.ACT, Kind.SCALE, 4, 9, 9, Action.APPLIED, "bad")), SPEC))
        .contains("record 0 (shop/web at " + T0 + ", ACT SCALE): desired must be within the step "
            + "limits of current 4 inside the bounds, [3, 6], but was 9")
        .contains("record 0 (shop/web at " + T0 + ", ACT SCALE): desired must be the clamp of "
            + "proposed 9 from current 4, 6 (or, in ACT, a count an executor applied short of it, "
            + "after an executor reason), but was 9");
  }

  // Caught the engine's own record of an apply a server cut short (4 -> 5 of a 4 -> 6, after an
  // executor reason) reported as a violation.
  @Test
  void anApplyTheServerCutShortIsValidOnlyAsTheEngineRecordsIt() {
    List<Reason> reasons = List.of(new Reason("hpa", 4, 6, "wants 6"),
        new Reason("executor", 6, 5, "applied 5 of the 6 asked for"));
    assertThat(DecisionInvariants.check(List.of(cut(reasons, Action.APPLIED)), SPEC)).isEmpty();
    assertThat(DecisionInvariants.check(List.of(cut(reasons, Action.REFUSED)), SPEC))
        .anyMatch(v -> v.contains("desired must be the clamp of proposed 6"));
    assertThat(DecisionInvariants.check(List.of(cut(reasons.subList(0, 1), Action.APPLIED)),
        SPEC)).anyMatch(v -> v.contains("desired must be the clamp of proposed 6"));
    // A step that merely calls itself "executor", or whose counts are not the cut, is no cut.
    for (List<Reason> named : List.of(List.of(new Reason("executor", 4, 6, "a policy step")),
        List.of(new Reason("hpa", 4, 6, "wants 6"), new Reason("executor", 6, 6, "kept")))) {
      assertThat(DecisionInvariants.check(List.of(cut(named, Action.APPLIED)), SPEC))
          .anyMatch(v -> v.contains("desired must be the clamp of proposed 6"));
    }
  }

  private static DecisionRecord cut(List<Reason> reasons, Action action) {
    return new DecisionRecord(0, T0, WEB, Mode.ACT, Kind.SCALE, 4, 4, Map.of("cpu", 50.0),
        Map.of(), Map.of("cpu", 1.0), Map.of(), 6, 5, reasons, Map.of(), action, "",
        Optional.empty());
  }

  @Test
  void findsAHoldThatChangesOrActs() {
    assertThat(DecisionInvariants.check(List.of(
        record(0, Mode.ACT, Kind.HOLD, 4, 5, 5, Action.APPLIED)), SPEC))
        .containsExactly(
            "record 0 (shop/web at " + T0 + ", ACT HOLD): a HOLD must keep the count, but desired "
                + "was 5 with current 4",
            "record 0 (shop/web at " + T0 + ", ACT HOLD): a HOLD must not call the executor or "
                + "observe a change, but its action was APPLIED",
            "record 0 (shop/web at " + T0 + ", ACT HOLD): a HOLD must give its reason, but had "
                + "none");
  }

  @Test
  void findsAnExecutorCallInObserveOnlyMode() {
    assertThat(DecisionInvariants.check(List.of(
        record(0, Mode.OBSERVE_ONLY, Kind.SCALE, 4, 5, 5, Action.APPLIED, "hpa")), SPEC))
        .containsExactly("record 0 (shop/web at " + T0 + ", OBSERVE_ONLY SCALE): OBSERVE_ONLY must "
            + "never call the executor, but the action was APPLIED");
  }

  @Test
  void findsActModeThatDoesNotCallTheExecutorAndObservedOutsideObserveOnly() {
    assertThat(DecisionInvariants.check(List.of(
        record(0, Mode.ACT, Kind.SCALE, 4, 5, 5, Action.OBSERVED, "hpa")), SPEC))
        .containsExactly(
            "record 0 (shop/web at " + T0 + ", ACT SCALE): OBSERVED is for OBSERVE_ONLY, but the "
                + "mode was ACT",
            "record 0 (shop/web at " + T0 + ", ACT SCALE): ACT must call the executor exactly when "
                + "the count changes, but 4 -> 5 had action OBSERVED");
  }

  @Test
  void findsAWrongKindAndAChangeWithoutReasons() {
    assertThat(DecisionInvariants.check(List.of(
        record(0, Mode.ACT, Kind.KEEP, 4, 5, 5, Action.APPLIED)), SPEC))
        .containsExactly(
            "record 0 (shop/web at " + T0 + ", ACT KEEP): kind must be SCALE for 4 -> 5, but was "
                + "KEEP",
            "record 0 (shop/web at " + T0 + ", ACT KEEP): a change 4 -> 5 must give its reasons, "
                + "but had none");
  }

  @Test
  void findsDecreasingSequencesAndUnknownWorkloads() {
    DecisionRecord other = new DecisionRecord(5, T0, API, Mode.ACT, Kind.KEEP, 1, 1, Map.of(),
        Map.of(), Map.of(), Map.of(), 1, 1, List.of(), Map.of(), Action.NONE, "",
        Optional.empty());
    assertThat(DecisionInvariants.check(List.of(
        record(7, Mode.ACT, Kind.KEEP, 4, 4, 4, Action.NONE), other), SPEC))
        .containsExactly(
            "record 5 (shop/api at " + T0 + ", ACT KEEP): sequence numbers must increase in "
                + "journal order, but 5 follows 7",
            "record 5 (shop/api at " + T0 + ", ACT KEEP): workload must be one of [shop/web], but "
                + "was shop/api");
  }

  @Test
  void checksOneRecordPerWorkloadPerTick() {
    Instant t1 = T0.plusSeconds(15);
    DecisionRecord a = record(0, Mode.ACT, Kind.KEEP, 4, 4, 4, Action.NONE); // at T0
    DecisionRecord b = record(1, Mode.ACT, Kind.KEEP, 4, 4, 4, Action.NONE); // at t1
    assertThat(DecisionInvariants.checkTicks(List.of(a, b), List.of(WEB), List.of(T0, t1)))
        .isEmpty();
    assertThat(DecisionInvariants.checkTicks(List.of(a), List.of(WEB, API), List.of(T0, t1)))
        .containsExactly(
            "shop/web at " + t1 + ": every tick must have exactly one record (1 ticks), but there "
                + "were 0",
            "shop/api at " + T0 + ": every tick must have exactly one record (1 ticks), but there "
                + "were 0",
            "shop/api at " + t1 + ": every tick must have exactly one record (1 ticks), but there "
                + "were 0");
    assertThat(DecisionInvariants.checkTicks(List.of(a, a, b), List.of(WEB), List.of(T0)))
        .containsExactly(
            "shop/web at " + T0 + ": every tick must have exactly one record (1 ticks), but there "
                + "were 2",
            "shop/web: records must belong to ticks, but some were at [" + t1 + "]");
  }

  @Test
  void clampAppliesStepLimitsThenBounds() {
    assertThat(DecisionInvariants.clamp(SPEC, 4, 100)).isEqualTo(6);
    assertThat(DecisionInvariants.clamp(SPEC, 4, 0)).isEqualTo(3);
    assertThat(DecisionInvariants.clamp(SPEC, 0, 1)).isEqualTo(2);
    assertThat(DecisionInvariants.clamp(SPEC, 30, 30)).isEqualTo(10);
  }
}
