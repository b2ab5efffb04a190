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

  /**
   * One comparison: what is compared, the ratio ("-" where it has no meaning) and the figures it
   * comes from or why there is no ratio.
   */
  record Row(String label, String ratio, String detail) {
    /** The row on one line, single-spaced: {@code cost at the SLO 0.677 (2574.2 ...)}. */
    @Override
    public String toString() {
      return label + " " + ratio + " (" + detail + ")";
    }
  }

  /** The heading, e.g. {@code predictive against hpa (ratio predictive / hpa)}. */
  static String heading(AgainstHpa a) {
    String p = a.policy().policy();
    return p + " against " + AgainstHpa.HPA + " (ratio " + p + " / " + AgainstHpa.HPA + ")";
  }

  /** One row per comparison; without a sweep there is no cost at the SLO. */
  static List<Row> rows(AgainstHpa a, boolean swept) {
    String target = Numbers.exactJson(a.policy().targetUtilization());
    List<Row> rows = new ArrayList<>(4);
    if (swept) {
      rows.add(cost(a));
    }
    rows.add(under(a, "under-provisioned time at " + target));
    rows.add(new Row("replica-hours at " + target, ratio(a.replicaHoursRatio()),
        String.format(Locale.ROOT, "%.1f against %.1f", a.policy().replicaHours(),
            a.hpa().replicaHours())));
    rows.add(actions(a, "scaling actions at " + target));
    return rows;
  }

  /**
   * The rows as aligned lines, labels and ratios padded to one width, e.g. {@code cost at the SLO
   * 0.677  (2574.2 replica-h at target 0.80 against 3802.2 at 0.40)}.
   */
  static List<String> lines(AgainstHpa a, boolean swept) {
    List<Row> rows = rows(a, swept);
    int label = 0;
    int ratio = 0;
    for (Row r : rows) {
      label = Math.max(label, r.label().length());
      ratio = Math.max(ratio, r.ratio().length());
    }
    List<String> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(pad(r.label(), label) + "  " + pad(r.ratio(), ratio) + "  (" + r.detail() + ")");
    }
    return out;
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length());
  }

  private static String ratio(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static Row cost(AgainstHpa a) {
    String label = "cost at the SLO";
    AtSlo mine = a.policy().atSlo().orElse(null);
    AtSlo hpa = a.hpa().atSlo().orElse(null);
    if (mine != null && hpa != null) {
      return new Row(label, ratio(a.costAtSloRatio()), String.format(Locale.ROOT,
          "%.1f replica-h at target %.2f against %.1f at %.2f", mine.replicaHours(),
          mine.targetUtilization(), hpa.replicaHours(), hpa.targetUtilization()));
    }
    if (mine == null && hpa == null) {
      return new Row(label, "-", "neither meets it at any swept target");
    }
    AtSlo only = mine != null ? mine : hpa;
    return new Row(label, "-", String.format(Locale.ROOT,
        "only %s meets it: %.1f replica-h at target %.2f",
        (mine != null ? a.policy() : a.hpa()).policy(), only.replicaHours(),
        only.targetUtilization()));
  }

  private static Row under(AgainstHpa a, String label) {
    Scorecard p = a.policy();
    Scorecard h = a.hpa();
    // Numbers.fixed: a policy short for one step of a year is not 0.000 % of the time.
    if (h.underProvisionedPct() > 0) {
      return new Row(label, Numbers.fixed(a.underProvisionedRatio(), 3),
          Numbers.fixed(p.underProvisionedPct(), 3) + " % of the time against "
              + Numbers.fixed(h.underProvisionedPct(), 3) + " %");
    }
    if (p.underProvisionedPct() > 0) {
      return new Row(label, "-", h.policy() + " is never short, " + p.policy() + " "
          + Numbers.fixed(p.underProvisionedPct(), 3) + " % of the time");
    }
    return new Row(label, ratio(1), "neither is ever short");
  }

  private static Row actions(AgainstHpa a, String label) {
    Scorecard p = a.policy();
    Scorecard h = a.hpa();
    if (h.scalingActions() > 0) {
      return new Row(label, ratio(a.actionsRatio()), String.format(Locale.ROOT,
          "%d against %d", p.scalingActions(), h.scalingActions()));
    }
    return p.scalingActions() > 0
        ? new Row(label, "-", String.format(Locale.ROOT, "%s made none, %s %d", h.policy(),
            p.policy(), p.scalingActions()))
        : new Row(label, ratio(1), "neither scaled");
  }
}
