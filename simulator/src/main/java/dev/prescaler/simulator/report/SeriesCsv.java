package dev.prescaler.simulator.report;

import dev.prescaler.forecast.trace.CsvTraceReader;
import dev.prescaler.simulator.PolicyResult;
import dev.prescaler.simulator.RunResult;
import dev.prescaler.simulator.SimulationResult;
import dev.prescaler.simulator.cluster.DemandCurve;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * Every step of a simulation as CSV, for analysis outside Prescaler: the time, the demand on the
 * sync grid and, per policy, its ready and desired replicas in the run at its main target (the
 * runs the scorecard's first columns describe).
 *
 * <p>The first line is a comment (no commas: one field for a reader that does not skip it)
 * with the trace (its name escaped as {@link CsvTraceReader#escapeName} escapes it, and a
 * comma in it as {@code \x2c}), the capacity per ready replica and each policy's target; the
 * second is the
 * header, {@code time,demand,<policy>.ready,<policy>.desired,...}. Desired replicas are what the
 * engine asked for (ready plus starting): their sum × the step is the replica-hours. Numbers are
 * written with the digits that read back as the same double, so {@code demand > ready ×
 * capacity} by more than a relative 1e-9 ({@code RunStats.isShort}) recounts the under-provisioned
 * steps exactly. Same input, same bytes.
 */
public final class SeriesCsv {
  private SeriesCsv() {}

  /**
   * Writes the series; does not close {@code out}.
   *
   * @throws IllegalArgumentException when a policy's main run kept no series
   * @throws IOException when writing fails
   */
  public static void write(SimulationResult result, Writer out) throws IOException {
    List<PolicyResult> policies = result.policies();
    StringBuilder line = new StringBuilder(256);
    // The name escaped as the error lines escape it (a newline in it split the comment), and
    // its commas as \x2c, so that the line stays one field.
    line.append("# prescaler simulate: trace ")
        .append(CsvTraceReader.escapeName(result.traceName()).replace(",", "\\x2c"))
        .append("; capacity ").append(Numbers.exact(result.capacity()))
        .append(" per ready replica; targets");
    for (PolicyResult p : policies) {
      if (!p.main().hasSeries()) {
        throw new IllegalArgumentException("policy " + p.scorecard().policy()
            + " kept no series of its main run");
      }
      line.append(' ').append(p.scorecard().policy()).append(' ')
          .append(Numbers.exactJson(p.main().targetUtilization()));
    }
    out.write(line.append('\n').toString());
    line.setLength(0);
    line.append("time,demand");
    for (PolicyResult p : policies) {
      String name = p.scorecard().policy();
      line.append(',').append(name).append(".ready,").append(name).append(".desired");
    }
    out.write(line.append('\n').toString());
    DemandCurve demand = result.demand();
    for (int i = 0; i < demand.size(); i++) {
      line.setLength(0);
      line.append(demand.time(i)).append(',').append(Numbers.exact(demand.demand(i)));
      for (PolicyResult p : policies) {
        RunResult r = p.main();
        line.append(',').append(r.readyAt(i)).append(',').append(r.desiredAt(i));
      }
      out.write(line.append('\n').toString());
    }
  }
}
