package dev.prescaler.simulator.report;

import dev.prescaler.forecast.trace.CsvTraceReader;
import dev.prescaler.simulator.PolicyResult;
import dev.prescaler.simulator.SimulationConfig;
import dev.prescaler.simulator.SimulationResult;
import dev.prescaler.simulator.score.AgainstHpa;
import dev.prescaler.simulator.score.AtSlo;
import dev.prescaler.simulator.score.Scorecard;

/**
 * The scorecard as a markdown section, for BENCHMARKS.md: a heading, the model it was scored on
 * (capacity, target, delays, SLO, whether the target was swept), and a table. Without a sweep the
 * cost at SLO reads "not swept", where "null" means no setting meets the SLO.
 */
public final class MarkdownReport {
  private MarkdownReport() {}

  /** The markdown text, ending with a newline. */
  public static String render(SimulationResult result) {
    SimulationConfig c = result.config();
    StringBuilder b = new StringBuilder();
    b.append("### ").append(heading(result.traceName())).append("\n\n");
    b.append(result.demand().trace().size()).append(" samples, ")
        .append(result.demand().size()).append(" steps of ").append(Numbers.seconds(c.syncPeriod()))
        .append(" s; capacity ").append(Numbers.measure(result.capacity(), 6))
        .append(" per replica")
        .append(c.capacity().isPresent() ? "" : " (peak = " + c.peakReplicas()
            + " replicas at 70 %)")
        .append("; target utilization ").append(Numbers.exactJson(c.targetUtilization()))
        .append(", metrics delay ").append(Numbers.seconds(c.metricsDelay()))
        .append(" s, startup ").append(Numbers.seconds(c.startupDelay()))
        .append(" s; SLO ").append(Numbers.exactJson(c.slo()))
        .append(" % under-provisioned time; risk quantile ")
        .append(Numbers.exactJson(c.riskQuantile()))
        .append(c.givenOptions().map(r -> "; " + r).orElse(""))
        .append(c.sweep() ? "; cost at SLO: the cheapest target utilization in 0.40..0.95 that "
            + "meets the SLO (null: none does)" : "; no target sweep (--no-sweep): no cost at SLO")
        .append(".\n\n");
    c.hpa().ifPresent(h -> b.append("`hpa`, and the predictive stack's floor: ").append(h)
        .append(".\n\n"));
    b.append("| policy | under-prov % | unserved % | replica-h | vs oracle-100 | actions "
        + "| cost at SLO (replica-h) | SLO target | SLO under-prov % |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (PolicyResult p : result.policies()) {
      Scorecard s = p.scorecard();
      AtSlo a = s.atSlo().orElse(null);
      b.append("| ").append(s.policy())
          .append(" | ").append(Numbers.fixed(s.underProvisionedPct(), 3))
          .append(" | ").append(Numbers.fixed(s.unservedPct(), 4))
          .append(" | ").append(Numbers.fixed(s.replicaHours(), 1))
          .append(" | ").append(Numbers.fixed(s.costVsOracle(), 3))
          .append(" | ").append(s.scalingActions())
          .append(" | ").append(a != null ? Numbers.fixed(a.replicaHours(), 1)
              : c.sweep() ? "null" : "not swept")
          .append(" | ").append(a == null ? "-" : Numbers.fixed(a.targetUtilization(), 2))
          .append(" | ").append(a == null ? "-" : Numbers.fixed(a.underProvisionedPct(), 3))
          .append(" |\n");
    }
    for (AgainstHpa a : result.againstHpa()) {
      b.append("\n").append(AgainstHpaText.heading(a)).append(":\n\n");
      for (AgainstHpaText.Row row : AgainstHpaText.rows(a, c.sweep())) {
        b.append("- ").append(row).append('\n');
      }
    }
    return b.append('\n').toString();
  }

  /**
   * {@code name} as a heading's text: escaped as the error lines escape it ({@link
   * CsvTraceReader#escapeName}: no raw ESC sequence, newline or right-to-left override),
   * then with a backslash before each character that markdown would read as markup ({@code \ `
   * * [ ] < > & #}, and {@code _} where it could open or close emphasis, not between two letters
   * or digits, so that {@code ec2_cpu_utilization.csv} reads as it did).
   */
  static String heading(String name) {
    String s = CsvTraceReader.escapeName(name);
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean intraword = c == '_' && i > 0 && i + 1 < s.length()
          && Character.isLetterOrDigit(s.charAt(i - 1))
          && Character.isLetterOrDigit(s.charAt(i + 1));
      if ("\\`*[]<>&#_".indexOf(c) >= 0 && !intraword) {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }
}
