package dev.prescaler.simulator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.prescaler.simulator.cluster.DemandCurve;
import dev.prescaler.simulator.trace.Sample;
import dev.prescaler.simulator.trace.Trace;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OraclePolicyProperties {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static DemandCurve curve(List<Integer> values) {
    List<Sample> s = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      s.add(new Sample(T0.plusSeconds(15L * i), values.get(i)));
    }
    return new DemandCurve(Trace.of("t", s), Duration.ofSeconds(15));
  }

  /**
   * The oracle's count at step i is exactly max over s in [i, i + startup/step] of
   * ceil(demand(s) / (target × capacity)), at least 1 (a brute-force restatement).
   */
  @Test
  void desiredIsTheWindowMaximumOfTheNeed() {
    qt().withExamples(200).forAll(lists().of(integers().between(0, 500)).ofSizeBetween(1, 80),
        integers().between(1, 12))
        .checkAssert((values, window) -> {
          DemandCurve d = curve(values);
          PolicyEnvironment env = new PolicyEnvironment(d, 10, 0.7,
              Duration.ofSeconds(15L * window), Duration.ZERO);
          OraclePolicy o = new OraclePolicy(env, "oracle");
          for (int i = 0; i < values.size(); i++) {
            int expected = 1;
            for (int s = i; s <= Math.min(values.size() - 1, i + window); s++) {
              expected = Math.max(expected, (int) Math.ceil(values.get(s) / 7.0 - 1e-9));
            }
            assertThat(o.desiredAt(i)).as("step %d", i).isEqualTo(expected);
          }
        });
  }

  /**
   * With any startup delay, a multiple of the step or not, the window reaches the grid step at
   * which a replica asked for now is first ready: ceil(startup / step) steps ahead, so the oracle
   * never asks too late for the demand of that step.
   */
  @Test
  void theWindowReachesTheStepAtWhichAReplicaAskedForNowIsReady() {
    qt().withExamples(200).forAll(lists().of(integers().between(0, 500)).ofSizeBetween(1, 80),
        integers().between(1, 180_000))
        .checkAssert((values, startupMillis) -> {
          DemandCurve d = curve(values);
          OraclePolicy o = new OraclePolicy(new PolicyEnvironment(d, 10, 0.7,
              Duration.ofMillis(startupMillis), Duration.ZERO), "oracle");
          int window = (startupMillis + 14_999) / 15_000;
          for (int i = 0; i < values.size(); i++) {
            int expected = 1;
            for (int s = i; s <= Math.min(values.size() - 1, i + window); s++) {
              expected = Math.max(expected, (int) Math.ceil(values.get(s) / 7.0 - 1e-9));
            }
            assertThat(o.desiredAt(i)).as("step %d, startup %d ms", i, startupMillis)
                .isEqualTo(expected);
          }
        });
  }

  /** Static peak serves the peak at the target exactly, without a rounding replica too many. */
  @Test
  void staticPeakNeedsNoExtraReplicaForRoundingNoise() {
    DemandCurve d = curve(List.of(10, 405, 20));
    double capacity = 405 / (0.7 * 20);
    StaticPeakPolicy p = new StaticPeakPolicy(new PolicyEnvironment(d, capacity, 0.7,
        Duration.ofSeconds(120), Duration.ZERO));
    assertThat(p.replicas()).isEqualTo(20);
  }

  @Test
  void registryRejectsUnknownAndDuplicateNames() {
    PolicyRegistry r = PolicyRegistry.standard();
    assertThat(r.names()).startsWith("static-peak").endsWith("oracle", "oracle-100");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.get("lru"))
        .hasMessageStartingWith("policy must be one of [static-peak")
        .hasMessageEndingWith("but was \"lru\"");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.register("oracle",
        env -> null, "x")).hasMessage("policy oracle is already registered");
  }
}
