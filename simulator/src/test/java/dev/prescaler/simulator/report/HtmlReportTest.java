package dev.prescaler.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.simulator.PolicyResult;
import dev.prescaler.simulator.RunResult;
import dev.prescaler.simulator.SimulationConfig;
import dev.prescaler.simulator.SimulationResult;
import dev.prescaler.simulator.cluster.DemandCurve;
import dev.prescaler.simulator.score.AtSlo;
import dev.prescaler.simulator.score.RunJournal.ForecastPoint;
import dev.prescaler.simulator.score.Scorecard;
import dev.prescaler.simulator.trace.Sample;
import dev.prescaler.simulator.trace.Trace;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The structure of the HTML report's SVG charts: the forecast line on a short trace, the x-axis
 * labels at the ends of a chart, and the cost–risk curve's scale and labels.
 */
class HtmlReportTest {
  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
  private static final Pattern TEXT = Pattern.compile(
      "<text x=\"([-0-9.]+)\" y=\"([-0-9.]+)\" font-size=\"([0-9]+)\"([^>]*)>([^<]*)</text>");
  private static final Pattern CIRCLE =
      Pattern.compile("<circle cx=\"([-0-9.]+)\" cy=\"([-0-9.]+)\" r=\"3\" fill=\"([^\"]+)\"");

  /** A sine of period 3 h around 100, sampled every minute for {@code hours}. */
  private static Trace sine(int hours) {
    List<Sample> samples = new ArrayList<>();
    for (int m = 0; m <= hours * 60; m++) {
      samples.add(new Sample(START.plusSeconds(60L * m),
          100 + 80 * Math.sin(2 * Math.PI * m / 180)));
    }
    return Trace.of("sine.csv", samples);
  }

  /** The run of {@code policy} on the curve, 10 replicas throughout, with these forecasts. */
  private static RunResult run(String policy, DemandCurve d, List<ForecastPoint> forecasts) {
    int[] ten = new int[d.size()];
    Arrays.fill(ten, 10);
    return new RunResult(policy, 0.7, 0, 0, 10, 1, 0, ten, ten, forecasts);
  }

  private static Scorecard card(String policy) {
    return new Scorecard(policy, 0.7, 0, 0, 10, Double.NaN, 1, Optional.empty());
  }

  /** A forecast every minute of the curve after its first two, except in [gapFrom, gapTo). */
  private static List<ForecastPoint> everyMinute(DemandCurve d, int gapFrom, int gapTo) {
    List<ForecastPoint> out = new ArrayList<>();
    long minutes = Duration.between(d.start(), d.time(d.size() - 1)).toMinutes();
    for (int m = 2; m <= minutes; m++) {
      if (m < gapFrom || m >= gapTo) {
        double v = 100 + 80 * Math.sin(2 * Math.PI * m / 180);
        out.add(new ForecastPoint(START.plusSeconds(60L * m), v, v - 5, v + 5));
      }
    }
    return out;
  }

  /** The report of one predictive run on {@code hours} of sine with these forecasts. */
  private static String forecastReport(int hours, int gapFrom, int gapTo) {
    SimulationConfig config = SimulationConfig.builder().capacity(10).sweep(false).build();
    DemandCurve d = new DemandCurve(sine(hours), config.syncPeriod());
    RunResult main = run("predictive", d, everyMinute(d, gapFrom, gapTo));
    return HtmlReport.render(new SimulationResult(config, d, 10,
        List.of(new PolicyResult(card("predictive"), main, List.of()))));
  }

  /** The first SVG of the page whose title contains {@code title}. */
  private static String svg(String page, String title) {
    for (String part : page.split("<svg")) {
      if (part.contains(title)) {
        return part.substring(0, part.indexOf("</svg>"));
      }
    }
    throw new AssertionError("no chart titled " + title);
  }

  private static int count(String s, String what) {
    return s.split(what, -1).length - 1;
  }

  /** The forecast chart's paths: the interval's (filled) and the forecast line's. */
  private static String[] forecastPaths(String page) {
    String chart = svg(page, ": forecast one lead time ahead");
    Matcher band = Pattern.compile("<path d=\"([^\"]*)\" fill=\"#[0-9a-f]+\" fill-opacity")
        .matcher(chart);
    Matcher line = Pattern.compile("<path d=\"([^\"]*)\" fill=\"none\" stroke=\"#[0-9a-f]+\" "
        + "stroke-width=\"1.4\"").matcher(chart);
    assertThat(band.find()).isTrue();
    assertThat(line.find()).isTrue();
    return new String[] {band.group(1), line.group(1)};
  }

  /**
   * Catches the forecast line lost on a short trace: 5 hours in 800 buckets make buckets of 22.5
   * s, finer than the forecasts' minute, so most held none and were NaN, and the line lifted the
   * pen at each: 297 move-tos and not one segment.
   */
  @Test
  void theForecastLineIsOnePieceOnATraceShorterThanTheForecastsSpacingTimesTheBuckets() {
    String[] paths = forecastPaths(forecastReport(5, -1, -1));
    assertThat(count(paths[1], "M")).isEqualTo(1);
    assertThat(count(paths[1], "L")).isEqualTo(299 - 1); // minutes 2 to 300
    assertThat(count(paths[0], "M")).isEqualTo(1);
  }

  /**
   * Catches an outage drawn over: where the forecasts stop (30 minutes here), the line and the
   * interval break, where the interval used to be one polygon across the gap.
   */
  @Test
  void theForecastLineAndIntervalBreakWhereTheForecastsStopped() {
    String[] paths = forecastPaths(forecastReport(5, 120, 150));
    assertThat(count(paths[1], "M")).isEqualTo(2);
    assertThat(count(paths[1], "L")).isEqualTo(299 - 30 - 2);
    assertThat(count(paths[0], "M")).isEqualTo(2);
    assertThat(count(paths[0], "Z")).isEqualTo(2);
  }

  /** The report of one predictive run on 5 hours of sine without the samples of [2 h, 3 h). */
  private static String outageReport() {
    List<Sample> samples = new ArrayList<>();
    Trace whole = sine(5);
    for (int i = 0; i < whole.size(); i++) {
      if (i < 120 || i >= 180) {
        samples.add(new Sample(whole.time(i), whole.value(i)));
      }
    }
    SimulationConfig config = SimulationConfig.builder().capacity(10).sweep(false).build();
    DemandCurve d = new DemandCurve(Trace.of("outage.csv", samples), config.syncPeriod());
    RunResult main = run("predictive", d, everyMinute(d, -1, -1));
    return HtmlReport.render(new SimulationResult(config, d, 10,
        List.of(new PolicyResult(card("predictive"), main, List.of()))));
  }

  private static final Pattern NO_SAMPLES = Pattern.compile("<rect x=\"([-0-9.]+)\" y=\"28\" "
      + "width=\"([-0-9.]+)\" height=\"[0-9]+\" fill=\"#999\" fill-opacity=\"0.3\"/>");

  /**
   * Catches an outage drawn as perfect accuracy: without samples for an hour the demand is the
   * model's straight ramp and the forecast sits on it. The span from the last sample before it
   * (minute 119) to the first after (minute 180) is shaded in every chart over time, and named
   * in the legend where the legend then clears the title (the capacity chart's title is too
   * long), and in the text above the charts; a trace without outage has none.
   */
  @Test
  void everyTimeChartShadesTheSpanWithoutSamples() {
    String page = outageReport();
    double plot = Chart.WIDTH - 70 - 20;
    for (String title : new String[] {"predictive (under-provisioned", "Replicas asked for",
        ": forecast one lead time ahead"}) {
      String chart = svg(page, title);
      Matcher m = NO_SAMPLES.matcher(chart);
      assertThat(m.find()).as(title).isTrue();
      assertThat(Double.parseDouble(m.group(1))).as(title)
          .isCloseTo(70 + plot * 119 / 300, within(0.2));
      assertThat(Double.parseDouble(m.group(2))).as(title)
          .isCloseTo(plot * 61 / 300, within(0.2));
      assertThat(m.find()).as(title + ": one span").isFalse();
      if (title.startsWith("predictive (")) {
        assertThat(chart).doesNotContain(">no samples</text>");
      } else {
        assertThat(chart).contains(">no samples</text>");
      }
    }
    assertThat(page).contains("the trace's spans without samples, 1 in every chart over time");
    assertThat(forecastReport(5, -1, -1)).doesNotContain("no samples");
  }

  /**
   * {@code count} times (drawn with {@code Random(seed)}) of exponential spacing of mean 21 s, an
   * irregular trace where one spacing in nine passes the outage threshold of 45 s, with a sample
   * at each but those from hour {@code holeFrom} for {@code holeHours} hours: its one outage.
   */
  private static Trace irregular(int count, long seed, int holeFrom, int holeHours) {
    java.util.Random random = new java.util.Random(seed);
    List<Sample> samples = new ArrayList<>();
    long ms = 0;
    for (int i = 0; i < count; i++) {
      ms += Math.round(-21_000 * Math.log(1 - random.nextDouble()));
      if (ms >= holeFrom * 3600_000L && ms < (holeFrom + holeHours) * 3600_000L) {
        continue;
      }
      samples.add(new Sample(START.plusMillis(ms), 100 + random.nextDouble()));
    }
    return Trace.of("irregular.csv", samples);
  }

  /** The report of one predictive run without forecasts on the trace. */
  private static String report(Trace trace) {
    SimulationConfig config = SimulationConfig.builder().capacity(10).sweep(false).build();
    DemandCurve d = new DemandCurve(trace, config.syncPeriod());
    return HtmlReport.render(new SimulationResult(config, d, 10,
        List.of(new PolicyResult(card("predictive"), run("predictive", d, List.of()),
            List.of()))));
  }

  /**
   * Catches an irregularly sampled trace drawn as a solid grey block: every spacing past three
   * times the median (45 s) was its own rect, at least 2 px wide, in every chart over time
   * (1800-odd here; 23,285 for 100,000 samples), and the page counted them all as spans without
   * samples. A span narrower than a pixel of the chart is not drawn: over 4 days (a pixel is
   * about 5 minutes) no spacing but the 3-hour hole is that long, so the hole is the one rect of
   * each chart of the whole trace, and the page counts what is drawn (the zoom's pixel, under 3
   * minutes, may show a long spacing or two).
   */
  @Test
  void anIrregularTraceIsShadedOnlyWhereASpanIsAtLeastAPixelWide() {
    Trace trace = irregular(16_000, 7, 30, 3);
    assertThat(HtmlReport.noSamples(trace, Duration.ofSeconds(15)).size()).isGreaterThan(1000);
    String page = report(trace);
    double plot = Chart.WIDTH - 70 - 20;
    double hours = Duration.between(trace.start(), trace.end()).toMillis() / 3600_000.0;
    for (String title : new String[] {"predictive (under-provisioned", "Replicas asked for"}) {
      String chart = svg(page, title);
      Matcher m = NO_SAMPLES.matcher(chart);
      assertThat(m.find()).as(title).isTrue();
      // From the last sample before hour 30 to the first after hour 33: 3 h and a few seconds.
      assertThat(Double.parseDouble(m.group(2))).as(title)
          .isCloseTo(plot * 3 / hours, within(0.3));
      assertThat(m.find()).as(title + ": one span").isFalse();
    }
    assertThat(page).containsPattern("the trace's spans without samples, 1 in the charts of "
        + "the whole trace and [0-9] in the 48-hour zoom");
    String zoom = page.substring(page.indexOf("Zoom: the 48 hours"));
    Matcher z = NO_SAMPLES.matcher(zoom);
    int shaded = 0;
    while (z.find()) {
      shaded++;
    }
    assertThat(page).contains("1 in the charts of the whole trace and " + shaded + " in the");
  }

  /**
   * The outages are the spans longer than three sync periods and three times the trace's median
   * spacing: a minute's sample missing from a trace of one a minute is none.
   */
  @Test
  void anOutageIsLongerThanThreeSyncPeriodsAndThreeUsualSpacings() {
    List<Sample> samples = new ArrayList<>();
    for (int m = 0; m <= 100; m++) {
      if (m != 10 && (m < 20 || m > 23) && (m < 50 || m > 53)) {
        samples.add(new Sample(START.plusSeconds(60L * m), 1));
      }
    }
    Trace t = Trace.of("t.csv", samples);
    // Gaps of 2 min (one sample missing), 5 min (minutes 19 to 24) and 5 min (49 to 54).
    assertThat(HtmlReport.noSamples(t, Duration.ofSeconds(15))).hasSize(2);
    assertThat(HtmlReport.noSamples(t, Duration.ofMinutes(2))).isEmpty();
    assertThat(HtmlReport.noSamples(Trace.of("one.csv", samples.subList(0, 1)),
        Duration.ofSeconds(15))).isEmpty();
  }

  /** The box [left, top, right, bottom] of a text at 0.6 em a character, at least its width. */
  private static double[] box(Matcher t) {
    double x = Double.parseDouble(t.group(1));
    double y = Double.parseDouble(t.group(2));
    double size = Double.parseDouble(t.group(3));
    double w = 0.6 * size * t.group(5).length();
    String attrs = t.group(4);
    double left = attrs.contains("text-anchor=\"end\"") ? x - w
        : attrs.contains("text-anchor=\"middle\"") ? x - w / 2 : x;
    return new double[] {left, y - 0.75 * size, left + w, y};
  }

  /**
   * Catches the last x-axis label cut off by the image's edge: a tick at the right end of the
   * plot (x = 1080 in 1100 px) had its label centred on it, and "01-01 05:00" read "01-01 05:0".
   */
  @Test
  void theTimeAxisLabelsLieInsideThePlotAtBothEnds() {
    int height = 200;
    Chart chart = new Chart("t", height, START.toEpochMilli(),
        START.plus(Duration.ofHours(5)).toEpochMilli(), 0, 1, true);
    Matcher t = TEXT.matcher(chart.render());
    List<String> labels = new ArrayList<>();
    List<String> outside = new ArrayList<>();
    while (t.find()) {
      if (Double.parseDouble(t.group(2)) == height - 34 + 14) { // the x axis
        labels.add(t.group(5));
        double[] b = box(t);
        if (b[0] < 70 || b[2] > Chart.WIDTH - 20) {
          outside.add(t.group(5) + " from x = " + b[0] + " to " + b[2]);
        }
      }
    }
    assertThat(labels).startsWith("01-01 00:00").endsWith("01-01 05:00").hasSize(6);
    assertThat(outside).as("labels past the plot, 70 to 1080").isEmpty();
  }

  /** A sweep of 12 runs, 0.40 … 0.95, at these under-provisioned times and replica-hours. */
  private static List<RunResult> sweep(String policy, double[] under, double[] hours) {
    List<RunResult> out = new ArrayList<>();
    for (int i = 0; i < under.length; i++) {
      double target = under.length == 1 ? 1.0 : 0.40 + 0.05 * i;
      out.add(new RunResult(policy, target, under[i], 0, hours[i], 1, 0, new int[0], new int[0],
          List.of()));
    }
    return out;
  }

  private static double[] line(double from, double to) {
    double[] a = new double[12];
    for (int i = 0; i < a.length; i++) {
      a[i] = from + (to - from) * i / 11;
    }
    return a;
  }

  /**
   * The cost–risk sweeps of the bundled iio trace as the review drew them: static-peak 8 to 18
   * times the others, hpa's and predictive's 0.95 at the same place, oracle's runs stacked at
   * four under-provisioned times with oracle-100 just below its last.
   */
  private static String costRiskPage() {
    return costRiskPage(SimulationConfig.DEFAULT_SLO, Optional.empty());
  }

  /** {@link #costRiskPage()} with this SLO, and hpa's scorecard giving this run at the SLO. */
  private static String costRiskPage(double slo, Optional<AtSlo> hpaAtSlo) {
    SimulationConfig config =
        SimulationConfig.builder().capacity(10).sweep(true).slo(slo).build();
    DemandCurve d = new DemandCurve(sine(1), config.syncPeriod());
    double[] oracleUnder = {0, 0, 0.017, 0.017, 0.017, 0.03, 0.03, 0.03, 0.03, 0.035, 0.035,
        0.035};
    List<PolicyResult> ps = List.of(
        new PolicyResult(card("static-peak"), run("static-peak", d, List.of()), sweep(
            "static-peak", oracleUnder, line(3630, 1550))),
        new PolicyResult(new Scorecard("hpa", 0.7, 0, 0, 10, Double.NaN, 1, hpaAtSlo),
            run("hpa", d, List.of()), sweep("hpa",
            new double[] {0.05, 0.06, 0.09, 0.12, 0.15, 0.2, 0.22, 0.3, 0.37, 0.45, 0.7, 0.7},
            line(320, 199))),
        new PolicyResult(card("predictive"), run("predictive", d, List.of()), sweep(
            "predictive", new double[] {0.035, 0.04, 0.06, 0.1, 0.12, 0.16, 0.17, 0.23, 0.29,
                0.4, 0.55, 0.7}, line(398, 198))),
        new PolicyResult(card("oracle"), run("oracle", d, List.of()), sweep("oracle",
            oracleUnder, line(328, 166))),
        new PolicyResult(card("oracle-100"), run("oracle-100", d, List.of()),
            sweep("oracle-100", new double[] {0.035}, new double[] {163})));
    return HtmlReport.render(new SimulationResult(config, d, 10, ps));
  }

  /**
   * Catches the cost–risk labels drawn on each other (hpa's and predictive's 0.95 on the iio
   * trace; oracle's 0.85 and 0.95 and oracle-100's 1.00 on NASA's): no two labels' boxes
   * overlap, each lies inside the plot, and each policy keeps the label of its first run.
   */
  @Test
  void theCostRiskLabelsOverlapNoOtherLabelAndStayInsideThePlot() {
    String chart = svg(costRiskPage(), "Replica-hours against");
    Matcher t = TEXT.matcher(chart);
    List<double[]> boxes = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    while (t.find()) {
      if (t.group(3).equals("9")) {
        boxes.add(box(t));
        labels.add(t.group(4).replaceAll(".*fill=\"([^\"]+)\".*", "$1") + " " + t.group(5));
      }
    }
    List<String> overlapping = new ArrayList<>();
    for (int i = 0; i < boxes.size(); i++) {
      for (int j = 0; j < i; j++) {
        double[] b = boxes.get(i);
        double[] o = boxes.get(j);
        if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) {
          overlapping.add(labels.get(i) + " on " + labels.get(j));
        }
      }
    }
    assertThat(overlapping).isEmpty();
    for (int i = 0; i < boxes.size(); i++) {
      double[] b = boxes.get(i);
      assertThat(b[0] >= 70 && b[2] <= Chart.WIDTH - 20 && b[1] >= 28 && b[3] <= 380 - 34)
          .as(labels.get(i) + " inside the plot").isTrue();
    }
    // hpa red, predictive blue, oracle green, oracle-100 purple: each keeps its first label.
    assertThat(labels).contains("#d62728 0.40", "#1f77b4 0.40", "#2ca02c 0.40",
        "#9467bd 1.00");
  }

  /**
   * Catches the curves one compares squeezed to the bottom of the chart: the axis ran up to
   * static-peak's cost, 9 times the others', so that hpa, predictive and oracle took the bottom
   * 15 % of the plot. Now they span it, and static-peak's runs above it are triangles on its top
   * edge, named in the text above the chart.
   */
  @Test
  void theCostRiskAxisSpansThePoliciesOtherThanStaticPeak() {
    String page = costRiskPage();
    String chart = svg(page, "Replica-hours against");
    Matcher c = CIRCLE.matcher(chart);
    double top = Double.MAX_VALUE;
    double bottom = 0;
    while (c.find()) {
      assertThat(c.group(3)).as("static-peak's points are off the scale").isNotEqualTo(
          "#7f7f7f");
      top = Math.min(top, Double.parseDouble(c.group(2)));
      bottom = Math.max(bottom, Double.parseDouble(c.group(2)));
    }
    double plot = 380 - 28 - 34;
    assertThat(bottom - top).isGreaterThan(0.8 * plot);
    assertThat(count(chart, "Z\" fill=\"#7f7f7f\"/>")).as("static-peak's triangles")
        .isEqualTo(12);
    assertThat(page).contains("beyond it, drawn as triangles on its edge: static-peak 1550.0 "
        + "to 3630.0 replica-hours.");
  }

  /** The labels of the cost–risk chart's points: colour, text and whether bold. */
  private static List<String> costRiskLabels(String page) {
    Matcher t = TEXT.matcher(svg(page, "Replica-hours against"));
    List<String> labels = new ArrayList<>();
    while (t.find()) {
      if (t.group(3).equals("9")) {
        labels.add(t.group(4).replaceAll(".*fill=\"([^\"]+)\".*", "$1") + " " + t.group(5)
            + (t.group(4).contains("font-weight=\"bold\"") ? " bold" : ""));
      }
    }
    return labels;
  }

  /**
   * Catches the run at the SLO left without its label: only the first, the last and every third
   * run were labelled, and hpa's at-SLO run (0.50, under-provisioned 0.09 % for an SLO of 0.1)
   * was none of them. It is labelled, in bold, and the others are as before.
   */
  @Test
  void theRunAtTheSloIsAlwaysLabelled() {
    double[] hours = line(320, 199);
    List<String> labels = costRiskLabels(costRiskPage(0.1,
        Optional.of(new AtSlo(0.50, hours[2], 0.09))));
    assertThat(labels).contains("#d62728 0.50 bold", "#d62728 0.40");
    assertThat(labels).filteredOn(l -> l.endsWith("bold")).hasSize(1);
    assertThat(costRiskLabels(costRiskPage())).doesNotContain("#d62728 0.50");
  }

  /** The SLO line's text in the cost–risk chart: its box [left, right] and the line's x. */
  private static double[] sloText(String page) {
    String chart = svg(page, "Replica-hours against");
    Matcher t = TEXT.matcher(chart);
    while (t.find()) {
      if (t.group(5).startsWith("SLO ")) {
        double[] b = box(t);
        Matcher line = Pattern.compile("<line x1=\"([-0-9.]+)\" x2=\"[-0-9.]+\" y1=\"28\" "
            + "y2=\"346\" stroke=\"#e00\" stroke-dasharray").matcher(chart);
        assertThat(line.find()).isTrue();
        return new double[] {b[0], b[2], Double.parseDouble(line.group(1))};
      }
    }
    throw new AssertionError("no SLO text");
  }

  /**
   * Catches the SLO's text cut off at the right: an SLO of 100 % wrote "SLO 100 %" from x = 1084
   * in 1100 px. The axis now ends a little beyond 100 %, and the text stays in the plot.
   */
  @Test
  void theSloTextStaysInsideThePlotAtAnSloOf100() {
    double[] full = sloText(costRiskPage(100, Optional.empty()));
    assertThat(full[0]).isGreaterThanOrEqualTo(70);
    assertThat(full[1]).isLessThanOrEqualTo(Chart.WIDTH - 20);
    assertThat(full[2]).isLessThan(Chart.WIDTH - 20 - 10);
  }

  /**
   * Catches the SLO line and the runs at 0 % drawn on the plot's left edge at an SLO of 0: the
   * axis now starts a little before 0 %.
   */
  @Test
  void theSloLineAndTheRunsAt0PercentLieInsideThePlotAtAnSloOf0() {
    String page = costRiskPage(0, Optional.empty());
    double[] zero = sloText(page);
    assertThat(zero[0]).isGreaterThanOrEqualTo(70);
    assertThat(zero[2]).isGreaterThan(70 + 10);
    Matcher c = CIRCLE.matcher(svg(page, "Replica-hours against"));
    while (c.find()) {
      assertThat(Double.parseDouble(c.group(1)) - 3).as("a run's point inside the frame")
          .isGreaterThan(70);
    }
  }
}
