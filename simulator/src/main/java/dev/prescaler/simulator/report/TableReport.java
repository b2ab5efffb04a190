package dev.prescaler.simulator.report;

import dev.prescaler.forecast.trace.CsvTraceReader;
import dev.prescaler.simulator.PolicyResult;
import dev.prescaler.simulator.SimulationConfig;
import dev.prescaler.simulator.SimulationResult;
import dev.prescaler.simulator.score.AgainstHpa;
import dev.prescaler.simulator.score.AtSlo;
import dev.prescaler.simulator.score.Scorecard;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scorecard as a fixed-width text table, for a terminal. The trace's name is escaped as the
 * error lines escape it ({@link CsvTraceReader#escapeName}): a file name may hold an ESC
 * sequence or a right-to-left override.
 */
public final class TableReport {
  private TableReport() {}

  /** The table, ending with a newline. */
  public static String render(SimulationResult result) {
    SimulationConfig c = result.config();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "trace %s: %d samples, %s .. %s, %d steps of %s s\n",
        CsvTraceReader.escapeName(result.traceName()),
        result.demand().trace().size(), result.demand().trace().start(),
        result.demand().trace().end(), result.demand().size(), Numbers.seconds(c.syncPeriod())));
    b.append(String.format(Locale.ROOT,
        "model: capacity %s per replica%s, target utilization %s, metrics delay %s s, "
            + "startup %s s, SLO %s %% under-provisioned time, risk quantile %s%s\n",
        Numbers.measure(result.capacity(), 6),
        c.capacity().isPresent() ? "" : " (peak = " + c.peakReplicas() + " replicas at 70 %)",
        Numbers.exactJson(c.targetUtilization()), Numbers.seconds(c.metricsDelay()),
        Numbers.seconds(c.startupDelay()), Numbers.exactJson(c.slo()),
        Numbers.exactJson(c.riskQuantile()), c.givenOptions().map(r -> ", " + r).orElse("")));
    c.hpa().ifPresent(h -> b.append("hpa, and the predictive stack's floor: ").append(h)
        .append('\n'));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"policy", "under-prov %", "unserved %", "replica-h", "vs oracle-100",
        "actions", "SLO target", "SLO replica-h", "SLO under %"});
    for (PolicyResult p : result.policies()) {
      Scorecard s = p.scorecard();
      AtSlo a = s.atSlo().orElse(null);
      rows.add(new String[] {s.policy(), Numbers.fixed(s.underProvisionedPct(), 3),
          Numbers.fixed(s.unservedPct(), 4), Numbers.fixed(s.replicaHours(), 1),
          Numbers.fixed(s.costVsOracle(), 3), Long.toString(s.scalingActions()),
          a == null ? (c.sweep() ? "none" : "-") : Numbers.fixed(a.targetUtilization(), 2),
          a == null ? "-" : Numbers.fixed(a.replicaHours(), 1),
          a == null ? "-" : Numbers.fixed(a.underProvisionedPct(), 3)});
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        String cell = r[i];
        String pad = " ".repeat(width[i] - cell.length());
        line.append(i == 0 ? cell + pad : "  " + pad + cell);
      }
      b.append(line.toString().stripTrailing()).append("\n");
    }
    if (c.sweep()) {
      b.append(String.format(Locale.ROOT, "SLO columns: the cheapest target utilization in "
          + "0.40..0.95 whose under-provisioned time is <= %s %% (none: no setting meets it)\n",
          Numbers.exactJson(c.slo())));
    }
    for (AgainstHpa a : result.againstHpa()) {
      b.append(AgainstHpaText.heading(a)).append(":\n");
      for (String line : AgainstHpaText.lines(a, c.sweep())) {
        b.append("  ").append(line).append('\n');
      }
    }
    return b.toString();
  }
}
