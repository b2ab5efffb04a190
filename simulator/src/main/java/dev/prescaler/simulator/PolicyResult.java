package dev.prescaler.simulator;

import dev.prescaler.simulator.score.Scorecard;
import java.util.List;
import java.util.Objects;

/**
 * Everything one policy produced in a simulation.
 *
 * @param scorecard its scorecard row
 * @param main the run at the configured target (series kept for the report)
 * @param sweep the runs of the target sweep, by increasing target (empty without a sweep)
 */
public record PolicyResult(Scorecard scorecard, RunResult main, List<RunResult> sweep) {
  /** Validates and copies. */
  public PolicyResult {
    Objects.requireNonNull(scorecard, "scorecard");
    Objects.requireNonNull(main, "main");
    sweep = List.copyOf(sweep);
  }
}
