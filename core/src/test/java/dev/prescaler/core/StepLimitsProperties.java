package dev.prescaler.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * {@link StepLimits} never turns a limit into its opposite: whatever valid limits, the highest
 * count allowed is never below the current one and the lowest never above it nor below zero,
 * however large the percentages (up to {@code Double.MAX_VALUE}) or the pods.
 */
class StepLimitsProperties {

  /** A percentage that is small most of the time, and anything finite up to MAX_VALUE else. */
  private static Gen<Double> upPercents() {
    return integers().between(0, 3).zip(doubles().between(0, 1000),
        doubles().positive().map(d -> Double.isFinite(d) ? d : Double.MAX_VALUE),
        (pick, small, huge) -> pick == 0 ? huge : pick == 1 ? 0.0 : small);
  }

  private static Gen<Integer> pods() {
    return integers().between(0, 3).zip(integers().between(0, 10),
        integers().between(0, Integer.MAX_VALUE), (pick, small, any) -> pick == 0 ? any : small);
  }

  /** Valid limits: upPods or upPercent above zero, downPercent in [0, 100]. */
  private static Gen<StepLimits> limits() {
    return pods().zip(upPercents(), pods(), doubles().between(0, 100),
        (up, upPct, down, downPct) -> new StepLimits(up == 0 && upPct == 0 ? 1 : up, upPct, down,
            downPct));
  }

  /**
   * For any valid limits and any current count in [0, 1e6], {@code maxUp(c) >= c} and {@code 0 <=
   * maxDown(c) <= c}.
   */
  @Test
  void theLimitsNeverCrossTheCurrentCount() {
    qt().withExamples(2000).forAll(limits(), integers().between(0, 1_000_000))
        .checkAssert((limits, current) -> {
          assertThat(limits.maxUp(current)).as("%s.maxUp(%d)", limits, current)
              .isGreaterThanOrEqualTo(current);
          assertThat(limits.maxDown(current)).as("%s.maxDown(%d)", limits, current)
              .isBetween(0, current);
        });
  }

  /**
   * For any valid limits, {@code maxUp(0) >= 1}: a workload with minReplicas 0 can always leave 0.
   * Catches percent-only limits (upPods 0), whose percentage of 0 replicas is 0, keeping a
   * workload at 0 however much load came.
   */
  @Test
  void anyValidLimitsLetAWorkloadLeaveZero() {
    qt().withExamples(500).forAll(limits())
        .checkAssert(limits -> assertThat(limits.maxUp(0)).as("%s.maxUp(0)", limits)
            .isGreaterThanOrEqualTo(1));
    assertThat(new StepLimits(0, 100, 0, 100).maxUp(0)).isEqualTo(1);
    assertThat(new StepLimits(0, 100, 0, 100).maxUp(1)).isEqualTo(2);
  }

  /** The reviewer's examples: a huge percentage saturates at Integer.MAX_VALUE, never wraps. */
  @Test
  void aHugeUpPercentSaturatesInsteadOfWrapping() {
    assertThat(new StepLimits(4, 1e20, 0, 100).maxUp(10)).isEqualTo(Integer.MAX_VALUE);
    assertThat(new StepLimits(4, Double.MAX_VALUE, 0, 100).maxUp(100))
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(new StepLimits(Integer.MAX_VALUE, 0, 0, 100).maxUp(1_000_000))
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(new StepLimits(4, 100, Integer.MAX_VALUE, 100).maxDown(1_000_000)).isZero();
    assertThat(StepLimits.DEFAULT.maxUp(10)).isEqualTo(20);
    assertThat(StepLimits.DEFAULT.maxUp(0)).isEqualTo(4);
  }
}
