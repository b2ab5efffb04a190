package dev.prescaler.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The axes of the report's charts: the y labels and the time ticks and their labels. */
class ChartTest {
  private static final Pattern TEXT = Pattern.compile(
      "<text x=\"([-0-9.]+)\" y=\"([-0-9.]+)\" font-size=\"([0-9]+)\"([^>]*)>([^<]*)</text>");
  private static final int HEIGHT = 200;
  /** The plot's width in px: the chart's less its 70 px left and 20 px right margins. */
  private static final int PLOT = Chart.WIDTH - 70 - 20;

  /** The labels of the y axis, bottom to top. */
  private static List<String> yLabels(Chart chart) {
    List<String> out = new ArrayList<>();
    Matcher t = TEXT.matcher(chart.render());
    while (t.find()) {
      if (t.group(1).equals("64") && t.group(4).contains("text-anchor=\"end\"")) {
        out.add(t.group(5));
      }
    }
    return out;
  }

  /**
   * Catches labels rounded off their grid lines: the step of 2.5 (replicas up to 10) was
   * labelled 0, 3, 5, 8, 10, and that of 0.25 as 0.0, 0.3, 0.5, 0.8, 1.0.
   */
  @Test
  void theYLabelsWriteTheValueOfTheirGridLine() {
    assertThat(yLabels(new Chart("t", HEIGHT, 0, 1, 0, 10.5, false)))
        .containsExactly("0.0", "2.5", "5.0", "7.5", "10.0");
    assertThat(yLabels(new Chart("t", HEIGHT, 0, 1, 0, 1.05, false)))
        .containsExactly("0.00", "0.25", "0.50", "0.75", "1.00");
    assertThat(yLabels(new Chart("t", HEIGHT, 0, 1, 0, 105, false)))
        .containsExactly("0", "25", "50", "75", "100");
    assertThat(yLabels(new Chart("t", HEIGHT, 0, 1, 0, 9, false)))
        .containsExactly("0", "2", "4", "6", "8");
  }

  /**
   * Catches labels rounded away from their grid line above 1e6 ({@code %.3g}): 4325000 read
   * 4.33e+06, six lines from 1e9 to 1e9 + 5 all read 1.00e+09, and one axis mixed 950000 with
   * 1.00e+06. An axis has one format and the places its step needs; scientific only where the
   * fixed labels would pass 10 characters, what fits left of the plot. A line at 0 reads 0, not
   * the rounding error of the sum of the steps before it, nor -0.0.
   */
  @Test
  void largeAndTinyYLabelsWriteTheValueOfTheirGridLineInOneFormat() {
    assertThat(yLabels(new Chart("t", HEIGHT, 0, 1, 4.30e6, 4.42e6, false)))
        .containsExactly("4300000", "4325000", "4350000", "4375000", "4400000");
    assertThat(yLabels(new Chart("t", HEIGHT, 0, 1, 1e9, 1e9 + 5, false)))
        .containsExactly("1000000000", "1000000001", "1000000002", "1000000003", "1000000004",
            "1000000005");
    assertThat(yLabels(new Chart("t", HEIGHT, 0, 1, 0.95e6, 1.2e6, false)))
        .containsExactly("950000", "1000000", "1050000", "1100000", "1150000", "1200000");
    assertThat(yLabels(new Chart("t", HEIGHT, 0, 1, 0, 1.2e12, false)))
        .containsExactly("0", "2.50e+11", "5.00e+11", "7.50e+11", "1.00e+12");
    assertThat(yLabels(new Chart("t", HEIGHT, 0, 1, 0, 1.05e-9, false)))
        .containsExactly("0", "2.50e-10", "5.00e-10", "7.50e-10", "1.00e-09");
    // -3e-10 + 3 × 1e-10 is 2.6e-26, not 0.
    assertThat(yLabels(new Chart("t", HEIGHT, 0, 1, -3e-10, 2e-10, false)))
        .containsExactly("-3e-10", "-2e-10", "-1e-10", "0", "1e-10", "2e-10");
    // The first line is at ceil(-0.2) × 1, -0.0.
    assertThat(yLabels(new Chart("t", HEIGHT, 0, 1, -0.2, 4.8, false)))
        .containsExactly("0", "1", "2", "3", "4");
  }

  /**
   * On any axis, from 1e-12 to 1e15 and offset from zero by up to 1e4 times its span, every y
   * label reads back as its grid line's value, and they are all fixed or all scientific.
   */
  @Test
  void everyYLabelReadsBackAsItsGridLine() {
    java.util.Random random = new java.util.Random(11);
    for (int i = 0; i < 300; i++) {
      double span = Math.pow(10, -12 + 27 * random.nextDouble());
      double y0 = random.nextBoolean() ? 0 : Math.floor(random.nextDouble() * 1e4) * span;
      double step = Chart.niceStep(span / 5);
      List<String> labels = yLabels(new Chart("t", HEIGHT, 0, 1, y0, y0 + span, false));
      assertThat(labels).as(y0 + " + " + span).isNotEmpty();
      double first = Math.ceil(y0 / step) * step;
      for (int k = 0; k < labels.size(); k++) {
        double grid = first + k * step;
        assertThat(Double.parseDouble(labels.get(k))).as(y0 + " + " + span + ": " + labels)
            .isCloseTo(grid, within(step * 1e-6));
      }
      assertThat(labels.stream().filter(l -> !l.equals("0")).map(l -> l.contains("e"))
          .distinct().count()).as(labels.toString()).isLessThanOrEqualTo(1);
    }
  }

  private static final Pattern SHADE = Pattern.compile(
      "<rect x=\"([-0-9.]+)\" y=\"28\" width=\"([-0-9.]+)\" height=\"[0-9]+\" fill=\"#999\"");

  /** The shaded spans [x, width] in px of a chart over [0, 1010] with these spans. */
  private static List<double[]> shades(List<double[]> spans) {
    Chart chart = new Chart("t", HEIGHT, 0, PLOT, 0, 1, true);
    Matcher m = SHADE.matcher(chart.spans(spans, "no samples").render());
    List<double[]> out = new ArrayList<>();
    while (m.find()) {
      out.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
    }
    return out;
  }

  /**
   * Catches thousands of rects for spans that no pixel shows: every span was drawn, at least 2
   * px wide. A span narrower than a pixel is not drawn; one at least a pixel wide is, at least
   * 2 px wide; one that starts less than a pixel after the one before it ends joins it.
   */
  @Test
  void spansNarrowerThanAPixelAreNotDrawnAndCloserOnesAreJoined() {
    List<double[]> thin = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      thin.add(new double[] {i, i + 0.9});
    }
    assertThat(shades(thin)).isEmpty();
    assertThat(new Chart("t", HEIGHT, 0, PLOT, 0, 1, true).spans(thin, "no samples")
        .render()).doesNotContain("no samples");

    List<double[]> close = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      close.add(new double[] {100 + 1.5 * i, 100 + 1.5 * i + 1});
    }
    assertThat(shades(close)).hasSize(1);
    assertThat(shades(close).get(0)).containsExactly(new double[] {170, 150.5}, within(0.05));

    List<double[]> apart = List.of(new double[] {500, 501}, new double[] {504, 510},
        new double[] {300, 302.5});
    List<double[]> drawn = shades(apart);
    assertThat(drawn).hasSize(3);
    assertThat(drawn.get(0)).containsExactly(new double[] {370, 2.5}, within(0.05));
    assertThat(drawn.get(1)).containsExactly(new double[] {570, 2}, within(0.05));
    assertThat(drawn.get(2)).containsExactly(new double[] {574, 6}, within(0.05));

    List<double[]> many = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      many.add(new double[] {0.2 * i, 0.2 * i + 1});
    }
    assertThat(shades(many)).as("one span over the joined ones").hasSize(1);
  }

  /** A time axis from {@code from} for {@code span}. */
  private static Chart timeChart(String from, Duration span) {
    Instant start = Instant.parse(from);
    return new Chart("t", HEIGHT, start.toEpochMilli(), start.plus(span).toEpochMilli(), 0, 1,
        true);
  }

  /** The box [left, right] of an x label at 0.6 em a character, at least its width. */
  private static double[] box(Matcher t) {
    double x = Double.parseDouble(t.group(1));
    double w = 0.6 * 10 * t.group(5).length();
    String attrs = t.group(4);
    double left = attrs.contains("text-anchor=\"end\"") ? x - w
        : attrs.contains("text-anchor=\"middle\"") ? x - w / 2 : x;
    return new double[] {left, left + w};
  }

  /** The labels of the x axis, left to right; asserts that they keep apart inside the plot. */
  private static List<String> xLabels(Chart chart) {
    List<String> out = new ArrayList<>();
    Matcher t = TEXT.matcher(chart.render());
    double right = 70 - 1; // the plot's left edge, where a label may start
    while (t.find()) {
      if (Double.parseDouble(t.group(2)) == HEIGHT - 34 + 14) {
        double[] b = box(t);
        assertThat(b[0]).as(t.group(5) + " after the label before it, or the plot's edge")
            .isGreaterThan(right);
        right = b[1];
        out.add(t.group(5));
      }
    }
    assertThat(right).as("the last label inside the plot").isLessThanOrEqualTo(Chart.WIDTH - 20);
    return out;
  }

  /**
   * Catches a trace shorter than about an hour drawn with no x labels and no vertical grid: the
   * finest step was an hour. A 10-minute trace gets a tick every 2 minutes and 2 hours one every
   * 15 (at the next finer step the first label, which starts at its tick, would touch the
   * second).
   */
  @Test
  void aTraceOfMinutesHasMinuteTicks() {
    assertThat(xLabels(timeChart("2024-01-01T00:00:00Z", Duration.ofMinutes(10))))
        .hasSize(6).startsWith("01-01 00:00", "01-01 00:02").endsWith("01-01 00:10");
    assertThat(xLabels(timeChart("1995-07-01T04:00:00Z", Duration.ofHours(2))))
        .hasSize(9).startsWith("07-01 04:00", "07-01 04:15").endsWith("07-01 06:00");
  }

  /**
   * Catches the 65 overprinted "MM-dd" labels of a 5-year trace (the largest step was 28 days):
   * it now has a tick every half year, labelled with its year and month.
   */
  @Test
  void aTraceOfYearsHasCalendarTicksWithTheYear() {
    assertThat(xLabels(timeChart("2019-01-01T00:00:00Z", Duration.ofDays(5 * 365 + 1))))
        .containsExactly("2019-01", "2019-07", "2020-01", "2020-07", "2021-01", "2021-07",
            "2022-01", "2022-07", "2023-01", "2023-07", "2024-01");
    assertThat(xLabels(timeChart("1900-01-01T00:00:00Z", Duration.ofDays(300 * 365))))
        .startsWith("1900", "1950").endsWith("2150");
  }

  /**
   * Catches dates without their year across a change of year: the 7-month NYC taxi trace
   * (July to January) read 07-01 ... 01-26. Months carry the year; days carry it on the first
   * label and where it changes.
   */
  @Test
  void labelsAcrossAChangeOfYearCarryTheYear() {
    assertThat(xLabels(timeChart("2014-07-01T00:00:00Z", Duration.ofDays(214))))
        .containsExactly("2014-07", "2014-08", "2014-09", "2014-10", "2014-11", "2014-12",
            "2015-01");
    assertThat(xLabels(timeChart("2014-12-20T00:00:00Z", Duration.ofDays(20))))
        .containsExactly("2014-12-20", "12-22", "12-24", "12-26", "12-28", "12-30",
            "2015-01-01", "01-03", "01-05", "01-07", "01-09");
    List<String> hours = xLabels(timeChart("2014-12-31T12:00:00Z", Duration.ofHours(24)));
    assertThat(hours).startsWith("2014-12-31 12:00").contains("2015-01-01 00:00");
    assertThat(xLabels(timeChart("2014-03-01T00:00:00Z", Duration.ofDays(20))))
        .startsWith("03-01", "03-03");
  }

  /** Every span from a minute to centuries gets 2 to 15 labels that keep apart in the plot. */
  @Test
  void everySpanHasLabelsThatKeepApart() {
    for (long minutes = 1; minutes < 200L * 366 * 24 * 60; minutes = minutes * 3 / 2 + 1) {
      List<String> labels =
          xLabels(timeChart("1999-12-31T23:59:00Z", Duration.ofMinutes(minutes)));
      assertThat(labels.size()).as(minutes + " minutes: " + labels).isBetween(2, 15);
    }
  }
}
