package dev.prescaler.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.simulator.PolicyResult;
import dev.prescaler.simulator.RunResult;
import dev.prescaler.simulator.SimulationConfig;
import dev.prescaler.simulator.SimulationResult;
import dev.prescaler.simulator.cluster.DemandCurve;
import dev.prescaler.simulator.score.AtSlo;
import dev.prescaler.simulator.score.Scorecard;
import dev.prescaler.simulator.trace.Sample;
import dev.prescaler.simulator.trace.Trace;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Catches a score that is not 0 printed as 0: over a year of 15 s steps, one short step is
 * 0.0000476 % of the time, which the JSON's 4 places wrote {@code "underProvisionedPct":0} and
 * the table's 3 places {@code 0.000}, so that a policy that was short read as never short, and
 * {@code summarize}'s ratios were computed from that 0. The HPA's scores, which the places do not
 * round to 0, are checked to keep their format.
 */
class ShortScoresTest {
  /** One step in 15 s steps over a year (2,102,400 steps): 100 / 2102400 percent. */
  static final double ONE_STEP_OF_A_YEAR = 100.0 / 2_102_400;

  static SimulationResult yearWithOneShortStep() {
    Instant start = Instant.parse("2023-01-01T00:00:00Z");
    Trace trace = Trace.of("year.csv", List.of(new Sample(start, 100),
        new Sample(start.plus(Duration.ofDays(365)), 100)));
    SimulationConfig config = SimulationConfig.builder().capacity(10).sweep(true).build();
    DemandCurve curve = new DemandCurve(trace, config.syncPeriod());
    return new SimulationResult(config, curve, 10, List.of(
        result(new Scorecard("hpa", 0.7, 0.5, 0.0123, 87_600.25, Double.NaN, 120,
            Optional.of(new AtSlo(0.4, 150_000.5, 0.05)))),
        result(new Scorecard("predictive", 0.7, ONE_STEP_OF_A_YEAR, 2.1e-7, 87_000.5,
            Double.NaN, 100, Optional.of(new AtSlo(0.95, 70_000.25, ONE_STEP_OF_A_YEAR))))));
  }

  private static PolicyResult result(Scorecard s) {
    return new PolicyResult(s, new RunResult(s.policy(), s.targetUtilization(),
        s.underProvisionedPct(), s.unservedPct(), s.replicaHours(), s.scalingActions(), 0,
        new int[0], new int[0], List.of()), List.of());
  }

  @Test
  void theJsonNeverWritesAScoreThatIsNotZeroAsZero() {
    String json = JsonReport.render(yearWithOneShortStep());
    assertThat(json).contains("{\"name\":\"predictive\",\"underProvisionedPct\":0.0000476,"
        + "\"unservedPct\":0.00000021,\"replicaHours\":87000.5,\"costVsOracle\":null,"
        + "\"scalingActions\":100,\"atSlo\":{\"targetUtilization\":0.95,"
        + "\"replicaHours\":70000.25,\"underProvisionedPct\":0.0000476}}");
    assertThat(json).contains("{\"name\":\"hpa\",\"underProvisionedPct\":0.5,"
        + "\"unservedPct\":0.0123,\"replicaHours\":87600.25,\"costVsOracle\":null,"
        + "\"scalingActions\":120,\"atSlo\":{\"targetUtilization\":0.4,"
        + "\"replicaHours\":150000.5,\"underProvisionedPct\":0.05}}");
  }

  @Test
  void theTableAndTheMarkdownNeverShowAScoreThatIsNotZeroAsZero() {
    SimulationResult r = yearWithOneShortStep();
    String table = TableReport.render(r);
    assertThat(table).containsPattern("\nhpa +0\\.500 +0\\.0123 +87600\\.3 +- +120 +0\\.40 "
        + "+150000\\.5 +0\\.050\n");
    assertThat(table).containsPattern("\npredictive +0\\.0000476 +0\\.00000021 +87000\\.5 +- "
        + "+100 +0\\.95 +70000\\.3 +0\\.0000476\n");
    assertThat(table).contains("under-provisioned time at 0.7  0.0000951  (0.0000476 % of the "
        + "time against 0.500 %)");
    assertThat(MarkdownReport.render(r)).contains("| predictive | 0.0000476 | 0.00000021 "
        + "| 87000.5 | - | 100 | 70000.3 | 0.95 | 0.0000476 |");
  }
}
