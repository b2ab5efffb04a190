package dev.prescaler.simulator.report;

import dev.prescaler.simulator.score.AgainstHpa;
import dev.prescaler.simulator.score.AtSlo;
import dev.prescaler.simulator.score.Scorecard;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@link AgainstHpa} in words, the same in every report (plain ASCII, for any terminal). */
final class AgainstHpaText {
  private AgainstHpaText() {}

  /** The heading, e.g. {@code predictive against hpa (ratio predictive / hpa)}. */
  static String heading(AgainstHpa a) {
    String p = a.policy().policy();
    return p + " against " + AgainstHpa.HPA + " (ratio " + p + " / " + AgainstHpa.HPA + ")";
  }

  /**
   * One line per comparison, labels padded to one width, e.g. {@code cost at the SLO  0.677
   * (2574.2 replica-h at 0.80 against 3802.2 at 0.40)}; without a sweep there is no cost at the
   * SLO.
   */
  static List<String> lines(AgainstHpa a, boolean swept) {
    String target = Numbers.json(a.policy().targetUtilization(), 4);
    String[][] rows = {
        swept ? new String[] {"cost at the SLO", cost(a)} : null,
        {"under-provisioned time at " + target, under(a)},
        {"replica-hours at " + target, String.format(Locale.ROOT, "%.3f  (%.1f against %.1f)",
            a.replicaHoursRatio(), a.policy().replicaHours(), a.hpa().replicaHours())},
        {"scaling actions at " + target, actions(a)}};
    int width = 0;
    for (String[] r : rows) {
      width = r == null ? width : Math.max(width, r[0].length());
    }
    List<String> out = new ArrayList<>(rows.length);
    for (String[] r : rows) {
      if (r != null) {
        out.add(r[0] + " ".repeat(width - r[0].length()) + "  " + r[1]);
      }
    }
    return out;
  }

  private static String cost(AgainstHpa a) {
    AtSlo mine = a.policy().atSlo().orElse(null);
    AtSlo hpa = a.hpa().atSlo().orElse(null);
    if (mine != null && hpa != null) {
      return String.format(Locale.ROOT,
          "%.3f  (%.1f replica-h at target %.2f against %.1f at %.2f)", a.costAtSloRatio(),
          mine.replicaHours(), mine.targetUtilization(), hpa.replicaHours(),
          hpa.targetUtilization());
    }
    if (mine == null && hpa == null) {
      return "-      (neither meets it at any swept target)";
    }
    AtSlo only = mine != null ? mine : hpa;
    return String.format(Locale.ROOT, "-      (only %s meets it: %.1f replica-h at target %.2f)",
        (mine != null ? a.policy() : a.hpa()).policy(), only.replicaHours(),
        only.targetUtilization());
  }

  private static String under(AgainstHpa a) {
    Scorecard p = a.policy();
    Scorecard h = a.hpa();
    if (h.underProvisionedPct() > 0) {
      return String.format(Locale.ROOT, "%.3f  (%.3f %% of the time against %.3f %%)",
          a.underProvisionedRatio(), p.underProvisionedPct(), h.underProvisionedPct());
    }
    if (p.underProvisionedPct() > 0) {
      return String.format(Locale.ROOT, "-      (%s is never short, %s %.3f %% of the time)",
          h.policy(), p.policy(), p.underProvisionedPct());
    }
    return "1.000  (neither is ever short)";
  }

  private static String actions(AgainstHpa a) {
    Scorecard p = a.policy();
    Scorecard h = a.hpa();
    if (h.scalingActions() > 0) {
      return String.format(Locale.ROOT, "%.3f  (%d against %d)", a.actionsRatio(),
          p.scalingActions(), h.scalingActions());
    }
    return p.scalingActions() > 0
        ? String.format(Locale.ROOT, "-      (%s made none, %s %d)", h.policy(), p.policy(),
            p.scalingActions())
        : "1.000  (neither scaled)";
  }
}
