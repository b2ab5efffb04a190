package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What a {@link DecisionContext} may hold: its javadoc promises a policy every metric of the spec,
 * each finite and non-negative, and a lead time made of non-negative parts. Each test caught a
 * context that broke the promise and was built all the same.
 */
class DecisionContextTest {
  /** A workload on rps (100 per replica) and cpu (70 % utilization). */
  static final WorkloadSpec TWO_METRICS = WorkloadSpec.builder(WEB).maxReplicas(10)
      .metric(MetricTarget.averageValue("rps", 100)).metric(MetricTarget.utilization("cpu", 70))
      .build();

  static DecisionContext.Builder builder() {
    return DecisionContext.builder(TWO_METRICS, T0, ReplicaStatus.of(3, 3));
  }

  /** A context of {@link #TWO_METRICS} with these readings and loads, built by the constructor. */
  static DecisionContext context(Map<String, Double> readings, Map<String, Double> loads) {
    return new DecisionContext(TWO_METRICS, T0, ReplicaStatus.of(3, 3), readings, loads, T0,
        Map.of(), Map.of(), List.of(), Optional.empty(), Optional.empty(),
        Duration.ofSeconds(30), false, Duration.ZERO, Duration.ofSeconds(15));
  }

  @Test
  void aValidContextHoldsEveryMetricAndItsLeadTime() {
    DecisionContext c = builder().reading("rps", 250).reading("cpu", 0)
        .metricsDelay(Duration.ofMinutes(1)).build();
    assertThat(c.readings()).isEqualTo(Map.of("rps", 250.0, "cpu", 0.0));
    assertThat(c.loads()).isEqualTo(Map.of("rps", 250.0, "cpu", 0.0));
    assertThat(c.leadTime()).isEqualTo(TWO_METRICS.startupDelay().plusMinutes(1).plusSeconds(15));
  }

  // Caught: build() succeeded with one metric of two (loads {rps=250.0}); only load("cpu") threw,
  // in the policy, later.
  @Test
  void readings_aMetricOfTheSpecMissing() {
    assertThatThrownBy(() -> builder().reading("rps", 250).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("readings must hold exactly the spec's metrics [rps, cpu], but was "
            + "{rps=250.0}");
    assertThatThrownBy(() -> builder().build())
        .hasMessage("readings must hold exactly the spec's metrics [rps, cpu], but was {}");
    assertThatThrownBy(() -> context(Map.of("rps", 1.0, "cpu", 1.0), Map.of("rps", 1.0)))
        .hasMessage("loads must hold exactly the spec's metrics [rps, cpu], but was {rps=1.0}");
  }

  @Test
  void readings_aMetricNotInTheSpec() {
    assertThatThrownBy(() -> context(Map.of("rps", 1.0, "cpu", 1.0, "queue", 1.0),
        Map.of("rps", 1.0, "cpu", 1.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("readings must hold exactly the spec's metrics [rps, cpu], but was "
            + "{cpu=1.0, queue=1.0, rps=1.0}");
  }

  // Caught: NaN and negative readings and loads were accepted and handed to the policies.
  @Test
  void readings_notFiniteOrNegative() {
    for (double bad : new double[] {Double.NaN, -1, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> builder().reading("rps", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("reading of rps must be finite and >= 0, but was " + bad);
      assertThatThrownBy(() -> context(Map.of("rps", bad, "cpu", 1.0),
          Map.of("rps", 1.0, "cpu", 1.0)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("readings[rps] must be finite and >= 0, but was " + bad);
      assertThatThrownBy(() -> context(Map.of("rps", 1.0, "cpu", 1.0),
          Map.of("rps", 1.0, "cpu", bad)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("loads[cpu] must be finite and >= 0, but was " + bad);
    }
  }

  /** A finite utilization whose load overflows, which the engine holds on (not finite). */
  @Test
  void loads_aFiniteReadingWhoseLoadIsNotFinite() {
    DecisionContext.Builder b = DecisionContext.builder(TWO_METRICS, T0,
        ReplicaStatus.of(300, 300)).reading("rps", 1).reading("cpu", Double.MAX_VALUE);
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("loads[cpu] must be finite and >= 0, but was Infinity");
  }

  // Caught: a negative sync period and metrics delay gave a lead time of PT-8M-15S.
  @Test
  void durations_negativeOrZero() {
    DecisionContext.Builder b = builder().reading("rps", 1).reading("cpu", 1);
    assertThatThrownBy(() -> b.syncPeriod(Duration.ofSeconds(-15)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("syncPeriod must be positive, but was PT-15S");
    assertThatThrownBy(() -> b.syncPeriod(Duration.ZERO).build())
        .hasMessage("syncPeriod must be positive, but was PT0S");
    b.syncPeriod(Duration.ofSeconds(15));
    assertThatThrownBy(() -> b.metricsDelay(Duration.ofMinutes(-8)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metricsDelay must be >= 0, but was PT-8M");
    b.metricsDelay(Duration.ZERO);
    assertThatThrownBy(() -> b.measuredStartupDelay(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("startupDelay must be positive, but was PT-1S");
    assertThat(b.measuredStartupDelay(Duration.ofSeconds(1)).build().leadTime())
        .isEqualTo(Duration.ofSeconds(16));
  }
}
