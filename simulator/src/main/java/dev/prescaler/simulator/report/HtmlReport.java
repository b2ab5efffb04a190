package dev.prescaler.simulator.report;

import dev.prescaler.forecast.trace.CsvTraceReader;
import dev.prescaler.simulator.PolicyResult;
import dev.prescaler.simulator.RunResult;
import dev.prescaler.simulator.SimulationConfig;
import dev.prescaler.simulator.SimulationResult;
import dev.prescaler.simulator.cluster.DemandCurve;
import dev.prescaler.simulator.score.AgainstHpa;
import dev.prescaler.simulator.score.AtSlo;
import dev.prescaler.simulator.score.RunJournal.ForecastPoint;
import dev.prescaler.simulator.score.RunStats;
import dev.prescaler.simulator.score.Scorecard;
import dev.prescaler.simulator.trace.Trace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The simulation as one self-contained HTML page (inline SVG, no scripts, no network): the
 * scorecard; demand against capacity per policy; replicas over time; forecast against actual
 * with its interval; on a trace spanning 72 hours or more (more than three times the grid steps
 * of 24 hours), a 48-hour zoom around the peak; and the cost–risk curve of the target sweep.
 * Long traces are downsampled to {@value #BUCKETS} buckets per chart: demand and replicas keep the
 * bucket's maximum, capacity its minimum, so a short shortfall stays visible. The charts over time
 * shade the trace's spans without samples, its outages, where they are at least a pixel wide.
 */
public final class HtmlReport {
  /** Buckets per chart. */
  public static final int BUCKETS = 800;

  private static final String[] PALETTE = {"#7f7f7f", "#d62728", "#1f77b4", "#2ca02c",
      "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22"};

  private HtmlReport() {}

  /** The page. */
  public static String render(SimulationResult r) {
    SimulationConfig c = r.config();
    DemandCurve d = r.demand();
    String name = CsvTraceReader.escapeName(r.traceName());
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(Numbers.html("Prescaler simulation: " + name)).append("</title>\n")
        .append("<style>body{font-family:sans-serif;margin:16px;color:#222;max-width:1120px}"
            + "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
            + "padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
            + "h2{font-size:17px;margin-top:26px}p{font-size:13px}</style>\n</head><body>\n");
    h.append("<h1 style=\"font-size:21px\">Prescaler simulation: ")
        .append(Numbers.html(name)).append("</h1>\n");
    h.append("<p>").append(d.trace().size()).append(" samples from ")
        .append(d.trace().start()).append(" to ").append(d.trace().end()).append(", replayed on ")
        .append(d.size()).append(" steps of ").append(Numbers.seconds(c.syncPeriod()))
        .append(" s. Capacity ").append(Numbers.measure(r.capacity(), 6))
        .append(" per ready replica")
        .append(c.capacity().isPresent() ? "" : " (the peak needs " + c.peakReplicas()
            + " replicas at 70 %)")
        .append("; target utilization ").append(Numbers.exactJson(c.targetUtilization()))
        .append("; metrics ").append(Numbers.seconds(c.metricsDelay()))
        .append(" s late; replicas ready ")
        .append(Numbers.seconds(c.startupDelay())).append(" s after being asked for; SLO ")
        .append(Numbers.exactJson(c.slo())).append(" % under-provisioned time; risk quantile ")
        .append(Numbers.exactJson(c.riskQuantile()))
        .append(c.givenOptions().map(b -> "; " + b).orElse("")).append(".</p>\n");
    c.hpa().ifPresent(hpa -> h.append("<p><code>hpa</code>, and the predictive stack's floor: ")
        .append(Numbers.html(hpa.toString())).append(".</p>\n"));
    scorecard(h, r);

    List<PolicyResult> ps = r.policies();
    int n = d.size();
    Buckets all = new Buckets(d, 0, n);
    // Zoom: 48 h around the peak, on a trace at least half as long again (72 h), so that the zoom
    // is at most two thirds of the whole.
    int peak = 0;
    for (int i = 1; i < n; i++) {
      if (d.demand(i) > d.demand(peak)) {
        peak = i;
      }
    }
    int half = (int) (24 * 3600_000L / c.syncPeriod().toMillis());
    Buckets zoom = null;
    if (n > 3 * half) {
      int from = Math.max(0, Math.min(n - 2 * half, peak - half));
      zoom = new Buckets(d, from, Math.min(n, from + 2 * half));
    }
    List<double[]> gaps = noSamples(d.trace(), c.syncPeriod());
    int shaded = Chart.shaded(gaps, all.x0(), all.x1()).size();
    int zoomShaded = zoom == null ? 0 : Chart.shaded(gaps, zoom.x0(), zoom.x1()).size();
    h.append("<h2>Demand against capacity (ready replicas × capacity)</h2>\n<p>Red ticks: "
        + "buckets with at least one under-provisioned step.");
    if (shaded + zoomShaded > 0) {
      h.append(" Grey bands: the trace's spans without samples, ").append(shaded)
          .append(zoom == null ? " in every chart over time" : " in the charts of the whole "
              + "trace and " + zoomShaded + " in the 48-hour zoom, whose pixels are shorter")
          .append(". A span is a spacing longer than three sync periods and three times the "
              + "trace's median spacing, drawn where it is at least a pixel wide on the chart's "
              + "time axis, and joined to the next where they are less than a pixel apart; there "
              + "the demand is the straight line between the samples around it, not a "
              + "measurement, and the forecast is compared with that line.");
    }
    h.append("</p>\n");
    for (int i = 0; i < ps.size(); i++) {
      h.append(capacityChart(all, r, ps.get(i), color(i), 180, gaps));
    }
    h.append("<h2>Replicas over time (ready and starting)</h2>\n");
    h.append(replicaChart(all, r, gaps));
    boolean anyForecast = false;
    for (int i = 0; i < ps.size(); i++) {
      if (!ps.get(i).main().forecasts().isEmpty()) {
        if (!anyForecast) {
          h.append("<h2>Forecast against actual</h2>\n<p>The forecast made one lead time "
              + "(startup + metrics delay + sync period) before each minute, with its "
              + "prediction interval.</p>\n");
          anyForecast = true;
        }
        h.append(forecastChart(all, ps.get(i), color(i), gaps));
      }
    }
    if (zoom != null) {
      h.append("<h2>Zoom: the 48 hours around the peak demand</h2>\n");
      for (int i = 0; i < ps.size(); i++) {
        h.append(capacityChart(zoom, r, ps.get(i), color(i), 160, gaps));
      }
      for (int i = 0; i < ps.size(); i++) {
        if (!ps.get(i).main().forecasts().isEmpty()) {
          h.append(forecastChart(zoom, ps.get(i), color(i), gaps));
        }
      }
    }
    if (c.sweep()) {
      h.append("<h2>Cost–risk curve of the target sweep (0.40 … 0.95)</h2>\n<p>Each point is "
          + "one run: its under-provisioned time (log scale) against its replica-hours. "
          + "Labels give the target utilization: in bold, always, that of each policy's run at "
          + "the SLO (its cheapest run that meets it); those of its first and last runs and "
          + "of every third from the first where they overlap nothing else.</p>\n");
      h.append(costRisk(r));
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  /** The legend of the spans without trace samples. */
  private static final String NO_SAMPLES = "no samples";

  /**
   * The spans [from, to] (epoch ms) between two consecutive samples of the trace that are longer
   * than three sync periods and three times the trace's median spacing: its outages. The model
   * fills one by linear interpolation, so the demand there is a straight ramp, and a forecast
   * that follows it looks exact where nothing was measured; the charts shade them. The median
   * spacing is the one the trace was recorded at: a trace of one sample a minute has a minute
   * between any two, which is no outage.
   */
  static List<double[]> noSamples(Trace trace, Duration syncPeriod) {
    int n = trace.size();
    if (n < 3) {
      return List.of();
    }
    long[] spacings = new long[n - 1];
    for (int i = 1; i < n; i++) {
      spacings[i - 1] = trace.timeMillis(i) - trace.timeMillis(i - 1);
    }
    long[] sorted = spacings.clone();
    Arrays.sort(sorted);
    long longest = 3 * Math.max(sorted[sorted.length / 2], syncPeriod.toMillis());
    List<double[]> out = new ArrayList<>();
    for (int i = 0; i < spacings.length; i++) {
      if (spacings[i] > longest) {
        out.add(new double[] {trace.timeMillis(i), trace.timeMillis(i + 1)});
      }
    }
    return out;
  }

  private static String color(int i) {
    return PALETTE[i % PALETTE.length];
  }

  private static void scorecard(StringBuilder h, SimulationResult r) {
    h.append("<h2>Scorecard</h2>\n<table>\n<tr><th>policy</th><th>under-provisioned %</th>"
        + "<th>unserved %</th><th>replica-hours</th><th>cost vs oracle-100</th>"
        + "<th>scaling actions</th><th>cost at SLO (replica-h)</th><th>at target</th>"
        + "<th>its under-provisioned %</th></tr>\n");
    for (PolicyResult p : r.policies()) {
      Scorecard s = p.scorecard();
      AtSlo a = s.atSlo().orElse(null);
      h.append("<tr><td>").append(Numbers.html(s.policy())).append("</td><td>")
          .append(Numbers.fixed(s.underProvisionedPct(), 3)).append("</td><td>")
          .append(Numbers.fixed(s.unservedPct(), 4)).append("</td><td>")
          .append(Numbers.fixed(s.replicaHours(), 1)).append("</td><td>")
          .append(Numbers.fixed(s.costVsOracle(), 3)).append("</td><td>")
          .append(s.scalingActions()).append("</td><td>")
          .append(a == null ? (r.config().sweep() ? "none meets it" : "-")
              : Numbers.fixed(a.replicaHours(), 1)).append("</td><td>")
          .append(a == null ? "-" : Numbers.fixed(a.targetUtilization(), 2)).append("</td><td>")
          .append(a == null ? "-" : Numbers.fixed(a.underProvisionedPct(), 3))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
    for (AgainstHpa a : r.againstHpa()) {
      h.append("<p>").append(Numbers.html(AgainstHpaText.heading(a))).append(":</p>\n<pre>");
      for (String line : AgainstHpaText.lines(a, r.config().sweep())) {
        h.append(Numbers.html(line)).append('\n');
      }
      h.append("</pre>\n");
    }
  }

  /** Grid indices [from, to) split into at most {@link #BUCKETS} buckets. */
  private static final class Buckets {
    final DemandCurve d;
    final int from;
    final int count;
    final int[] start;
    final double[] x;

    Buckets(DemandCurve d, int from, int to) {
      this.d = d;
      this.from = from;
      int len = to - from;
      this.count = Math.min(BUCKETS, len);
      this.start = new int[count + 1];
      this.x = new double[count];
      for (int k = 0; k <= count; k++) {
        start[k] = from + (int) ((long) k * len / count);
      }
      for (int k = 0; k < count; k++) {
        x[k] = d.time(start[k]).toEpochMilli();
      }
    }

    double x0() {
      return x[0];
    }

    double x1() {
      return d.time(start[count] - 1).toEpochMilli();
    }

    double[] demandMax() {
      double[] out = new double[count];
      for (int k = 0; k < count; k++) {
        double m = 0;
        for (int i = start[k]; i < start[k + 1]; i++) {
          m = Math.max(m, d.demand(i));
        }
        out[k] = m;
      }
      return out;
    }

    double[] demandMean() {
      double[] out = new double[count];
      for (int k = 0; k < count; k++) {
        double s = 0;
        for (int i = start[k]; i < start[k + 1]; i++) {
          s += d.demand(i);
        }
        out[k] = s / (start[k + 1] - start[k]);
      }
      return out;
    }
  }

  private static String capacityChart(Buckets b, SimulationResult r, PolicyResult p,
      String color, int height, List<double[]> gaps) {
    RunResult run = p.main();
    double cap = r.capacity();
    double[] demand = b.demandMax();
    double[] capacity = new double[b.count];
    boolean[] short_ = new boolean[b.count];
    double max = 0;
    for (int k = 0; k < b.count; k++) {
      double m = Double.MAX_VALUE;
      for (int i = b.start[k]; i < b.start[k + 1]; i++) {
        double c = run.readyAt(i) * cap;
        m = Math.min(m, c);
        if (RunStats.isShort(b.d.demand(i), c)) { // as the scorecard counts it
          short_[k] = true;
        }
      }
      capacity[k] = m;
      max = Math.max(max, Math.max(m, demand[k]));
    }
    Chart ch = new Chart(p.scorecard().policy() + " (under-provisioned "
        + Numbers.fixed(run.underProvisionedPct(), 3) + " % of the time, "
        + Numbers.fixed(run.replicaHours(), 1) + " replica-hours)", height, b.x0(), b.x1(), 0,
        max * 1.05, true);
    ch.spans(gaps, NO_SAMPLES);
    ch.line(b.x, demand, "#222", 1, false, "demand (max)");
    ch.line(b.x, capacity, color, 1.4, true, "capacity (min)");
    ch.marks(b.x, short_, "#e00", "under-provisioned");
    return ch.render();
  }

  private static String replicaChart(Buckets b, SimulationResult r, List<double[]> gaps) {
    List<PolicyResult> ps = r.policies();
    double[][] ys = new double[ps.size()][b.count];
    double max = 1;
    for (int j = 0; j < ps.size(); j++) {
      RunResult run = ps.get(j).main();
      for (int k = 0; k < b.count; k++) {
        int m = 0;
        for (int i = b.start[k]; i < b.start[k + 1]; i++) {
          m = Math.max(m, run.desiredAt(i));
        }
        ys[j][k] = m;
        max = Math.max(max, m);
      }
    }
    Chart ch = new Chart("Replicas asked for (max per bucket)", 260, b.x0(), b.x1(), 0,
        max * 1.05, true);
    ch.spans(gaps, NO_SAMPLES);
    for (int j = 0; j < ps.size(); j++) {
      ch.line(b.x, ys[j], color(j), 1.2, true, ps.get(j).scorecard().policy());
    }
    return ch.render();
  }

  /*
   * The forecast line. Forecasts come once per history step (a minute); on a trace shorter than
   * about 13 hours a bucket is finer than that, so most buckets hold none. The line joins the
   * buckets that hold one across those that merely fall between two forecasts, and breaks only
   * where the forecasts stopped for longer than twice their usual spacing (the median one) and
   * longer than a bucket: before, every empty bucket lifted the pen, and a 5-hour trace drew 297
   * single points and no line.
   */
  private static String forecastChart(Buckets b, PolicyResult p, String color,
      List<double[]> gaps) {
    List<ForecastPoint> fs = p.main().forecasts();
    double[] point = new double[b.count];
    double[] lower = new double[b.count];
    double[] upper = new double[b.count];
    int[] cnt = new int[b.count];
    double[] first = new double[b.count];
    double[] last = new double[b.count];
    List<Double> spacings = new ArrayList<>();
    double x0 = b.x0();
    double x1 = b.x1();
    double prev = Double.NaN;
    int k = 0;
    for (ForecastPoint f : fs) {
      double t = f.time().toEpochMilli();
      if (t < x0 || t > x1) {
        continue;
      }
      if (t > prev) {
        spacings.add(t - prev);
      }
      prev = t;
      while (k + 1 < b.count && b.x[k + 1] <= t) {
        k++;
      }
      point[k] += f.point();
      lower[k] += f.lower();
      upper[k] += f.upper();
      if (cnt[k]++ == 0) {
        first[k] = t;
      }
      last[k] = t;
    }
    double[] actual = b.demandMean();
    double max = 0;
    for (int i = 0; i < b.count; i++) {
      if (cnt[i] > 0) {
        point[i] /= cnt[i];
        lower[i] /= cnt[i];
        upper[i] /= cnt[i];
        // An interval that overflowed (values near the largest double) is drawn to the top.
        max = Double.isFinite(upper[i]) ? Math.max(max, upper[i]) : max;
      }
      max = Math.max(max, actual[i]);
    }
    spacings.sort(null);
    double spacing = spacings.isEmpty() ? 0 : spacings.get(spacings.size() / 2);
    double gap = Math.max(2 * spacing, (x1 - x0) / b.count);
    // The buckets that hold a forecast, a NaN between two of them where the forecasts stopped.
    int m = 0;
    double[] xs = new double[2 * b.count];
    double[][] ys = new double[3][2 * b.count];
    int before = -1;
    for (int i = 0; i < b.count; i++) {
      if (cnt[i] == 0) {
        continue;
      }
      if (before >= 0 && first[i] - last[before] > gap) {
        xs[m] = Double.NaN;
        ys[0][m] = ys[1][m] = ys[2][m] = Double.NaN;
        m++;
      }
      xs[m] = b.x[i];
      ys[0][m] = point[i];
      ys[1][m] = lower[i];
      ys[2][m] = upper[i];
      m++;
      before = i;
    }
    xs = Arrays.copyOf(xs, m);
    Chart ch = new Chart(p.scorecard().policy() + ": forecast one lead time ahead against "
        + "actual demand (bucket means)", 220, x0, x1, 0, max * 1.05, true);
    ch.spans(gaps, NO_SAMPLES);
    ch.band(xs, Arrays.copyOf(ys[1], m), Arrays.copyOf(ys[2], m), color,
        "interval");
    ch.line(xs, Arrays.copyOf(ys[0], m), color, 1.4, false, "forecast");
    ch.line(b.x, actual, "#222", 0.8, false, "actual");
    return ch.render();
  }

  /** The policy whose replica-hours the cost–risk curve's y axis leaves out. */
  private static final String STATIC_PEAK = "static-peak";

  /*
   * The cost–risk curve's y axis spans the replica-hours of the policies other than static-peak
   * when any other ran: static-peak costs 8 to 13 times what oracle-100 does on the NASA and iio
   * traces, and an axis up to its cost squeezed the curves one compares (hpa, predictive,
   * oracle) into the bottom tenth of the chart. A linear axis keeps their differences in
   * replica-hours readable as lengths, which a log axis over the same span would compress.
   * Static-peak's runs beyond the axis are triangles on its edge, and the text above the chart
   * gives their range.
   */
  private static String costRisk(SimulationResult r) {
    double minH = Double.MAX_VALUE;
    double maxH = 0;
    double maxU = 0;
    boolean others = r.policies().stream().anyMatch(p -> !p.sweep().isEmpty()
        && !STATIC_PEAK.equals(p.scorecard().policy()));
    for (PolicyResult p : r.policies()) {
      for (RunResult run : p.sweep()) {
        maxU = Math.max(maxU, run.underProvisionedPct());
        if (!others || !STATIC_PEAK.equals(p.scorecard().policy())) {
          minH = Math.min(minH, run.replicaHours());
          maxH = Math.max(maxH, run.replicaHours());
        }
      }
    }
    if (maxH == 0) {
      return "<p>No sweep ran.</p>\n";
    }
    double pad = Math.max(0.06 * (maxH - minH), 0.02 * maxH);
    double y0 = Math.max(0, minH - pad);
    double y1 = maxH + pad;
    // A tenth of a decade beyond 0 % and 100 %, so that the runs there and an SLO line at
    // either end are not drawn on the plot's frame.
    double xMax = Math.log10(Math.max(100, maxU) + 0.01) + 0.1;
    double xMin = Math.log10(0.01) - 0.1;
    List<Double> ticks = new ArrayList<>();
    for (double v : new double[] {0, 0.1, 1, 10, 100}) {
      ticks.add(Math.log10(v + 0.01));
    }
    double[] t = ticks.stream().mapToDouble(Double::doubleValue).toArray();
    Chart ch = new Chart("Replica-hours against under-provisioned time (%)", 380, xMin, xMax,
        y0, y1, false)
        .xTicks(t, x -> Numbers.json(Math.pow(10, x) - 0.01, 2) + " %");
    ch.vline(Math.log10(r.config().slo() + 0.01), "#e00",
        "SLO " + Numbers.exactJson(r.config().slo()) + " %");
    StringBuilder note = new StringBuilder();
    List<PolicyResult> ps = r.policies();
    for (int j = 0; j < ps.size(); j++) {
      List<RunResult> sweep = ps.get(j).sweep();
      double[] xs = new double[sweep.size()];
      double[] ys = new double[sweep.size()];
      double offLo = Double.MAX_VALUE;
      double offHi = -Double.MAX_VALUE;
      for (int i = 0; i < xs.length; i++) {
        xs[i] = Math.log10(sweep.get(i).underProvisionedPct() + 0.01);
        double h = sweep.get(i).replicaHours();
        // Only static-peak's runs can lie beyond the axis, which spans all the others.
        ys[i] = h > y1 || h < y0 ? Double.NaN : h;
        if (Double.isNaN(ys[i])) {
          offLo = Math.min(offLo, h);
          offHi = Math.max(offHi, h);
        }
      }
      String name = ps.get(j).scorecard().policy();
      ch.line(xs, ys, color(j), 1.2, false, name);
      double atSlo = ps.get(j).scorecard().atSlo().map(AtSlo::targetUtilization)
          .orElse(Double.NaN);
      for (int i = 0; i < xs.length; i++) {
        boolean always = sweep.get(i).targetUtilization() == atSlo;
        boolean label = always || i == 0 || i == xs.length - 1 || i % 3 == 0;
        if (Double.isNaN(ys[i])) {
          ch.offScale(xs[i], sweep.get(i).replicaHours() > y1, color(j));
        } else {
          ch.point(xs[i], ys[i], color(j), label
              ? Numbers.fixed(sweep.get(i).targetUtilization(), 2) : null, always);
        }
      }
      if (offLo <= offHi) {
        note.append(note.length() == 0 ? "" : "; ").append(Numbers.html(name)).append(' ')
            .append(Numbers.fixed(offLo, 1)).append(offLo < offHi ? " to "
                + Numbers.fixed(offHi, 1) : "").append(" replica-hours");
      }
    }
    return (note.length() == 0 ? "" : "<p>The replica-hours axis spans the policies other than "
        + STATIC_PEAK + "; beyond it, drawn as triangles on its edge: " + note + ".</p>\n")
        + ch.render();
  }
}
