package dev.prescaler.simulator.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * One inline SVG line chart with axes, grid and legend. Coordinates are rounded to 0.1 px and
 * always finite: the axes are clamped to the finite doubles, a value beyond an axis is drawn at
 * its end (a forecast interval that overflowed to Infinity at the top), and a NaN value is left
 * out, so that no path holds {@code NaN} (values near the largest double gave some).
 */
final class Chart {
  static final int WIDTH = 1100;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 28;
  private static final int BOTTOM = 34;
  private static final DateTimeFormatter DAY = utc("MM-dd");
  private static final DateTimeFormatter HOUR = utc("MM-dd HH:mm");
  private static final DateTimeFormatter YEAR_DAY = utc("yyyy-MM-dd");
  private static final DateTimeFormatter YEAR_HOUR = utc("yyyy-MM-dd HH:mm");
  private static final DateTimeFormatter MONTH = utc("yyyy-MM");
  private static final DateTimeFormatter YEAR = utc("yyyy");

  /** A formatter of {@code pattern} in UTC, with the root locale's symbols. */
  private static DateTimeFormatter utc(String pattern) {
    return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
  }

  private final String title;
  private final int height;
  private final double x0;
  private final double x1;
  private final double y0;
  private final double y1;
  private final boolean timeAxis;
  private final StringBuilder body = new StringBuilder();
  private final List<String[]> legend = new ArrayList<>();
  private final List<Label> labels = new ArrayList<>();
  private final List<double[]> obstacles = new ArrayList<>();
  private DoubleFunction<String> xLabel;
  private double[] xTicks;

  Chart(String title, int height, double x0, double x1, double y0, double y1, boolean timeAxis) {
    this.title = title;
    this.height = height;
    this.x0 = finite(x0);
    this.x1 = finite(x1) > this.x0 ? finite(x1) : this.x0 + 1;
    this.y0 = finite(y0);
    this.y1 = finite(y1) > this.y0 ? finite(y1) : this.y0 + 1;
    this.timeAxis = timeAxis;
  }

  /** Custom x ticks and labels (for non-time axes). */
  Chart xTicks(double[] ticks, DoubleFunction<String> label) {
    this.xTicks = ticks;
    this.xLabel = label;
    return this;
  }

  /** {@code v} clamped to the finite doubles (NaN stays NaN). */
  private static double finite(double v) {
    return Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, v));
  }

  double px(double x) {
    double c = Math.max(x0, Math.min(x1, x));
    return LEFT + share(c, x0, x1) * (WIDTH - LEFT - RIGHT);
  }

  double py(double y) {
    double c = Math.max(y0, Math.min(y1, y));
    return height - BOTTOM - share(c, y0, y1) * (height - TOP - BOTTOM);
  }

  /**
   * Where {@code c} lies in [lo, hi], from 0 to 1. Halved first, so that an axis spanning more
   * than the largest double does not overflow; for normal values halving is exact, so the share
   * is the one of the plain formula.
   */
  private static double share(double c, double lo, double hi) {
    return (c / 2 - lo / 2) / (hi / 2 - lo / 2);
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  Chart line(double[] xs, double[] ys, String color, double width, boolean step, String label) {
    StringBuilder d = new StringBuilder();
    boolean pen = false;
    double prevY = 0;
    for (int i = 0; i < xs.length; i++) {
      if (Double.isNaN(ys[i]) || Double.isNaN(xs[i])) {
        pen = false;
        continue;
      }
      double x = px(xs[i]);
      double y = py(ys[i]);
      if (!pen) {
        d.append(d.length() == 0 ? "M" : " M").append(f(x)).append(',').append(f(y));
        pen = true;
      } else {
        if (step) {
          d.append(" L").append(f(x)).append(',').append(f(prevY));
        }
        d.append(" L").append(f(x)).append(',').append(f(y));
      }
      prevY = y;
    }
    body.append("<path d=\"").append(d).append("\" fill=\"none\" stroke=\"").append(color)
        .append("\" stroke-width=\"").append(width).append("\"/>\n");
    if (label != null) {
      legend.add(new String[] {label, color, "line"});
    }
    return this;
  }

  /**
   * A filled interval between {@code lo} and {@code hi}: one polygon per run of points, a NaN in
   * {@code hi} or {@code lo} ending one (so that a gap in the data stays a gap).
   */
  Chart band(double[] xs, double[] lo, double[] hi, String color, String label) {
    StringBuilder d = new StringBuilder();
    int i = 0;
    while (i < xs.length) {
      if (Double.isNaN(xs[i]) || Double.isNaN(lo[i]) || Double.isNaN(hi[i])) {
        i++;
        continue;
      }
      int end = i;
      while (end < xs.length && !Double.isNaN(xs[end]) && !Double.isNaN(lo[end])
          && !Double.isNaN(hi[end])) {
        end++;
      }
      for (int k = i; k < end; k++) {
        d.append(k == i ? (d.length() == 0 ? "M" : " M") : " L").append(f(px(xs[k])))
            .append(',').append(f(py(hi[k])));
      }
      for (int k = end - 1; k >= i; k--) {
        d.append(" L").append(f(px(xs[k]))).append(',').append(f(py(lo[k])));
      }
      d.append(" Z");
      i = end;
    }
    if (d.length() > 0) {
      body.append("<path d=\"").append(d).append("\" fill=\"").append(color)
          .append("\" fill-opacity=\"0.25\" stroke=\"none\"/>\n");
    }
    if (label != null) {
      legend.add(new String[] {label, color, "band"});
    }
    return this;
  }

  /** The colour of the spans without trace samples. */
  static final String NO_SAMPLES_COLOR = "#999";

  /**
   * Shades the spans [from, to] of the x axis (epoch ms) that {@link #shaded} keeps, over the
   * plot's height, with the legend entry {@code label} when any is drawn and the legend then
   * clears the title (a capacity chart's long title and four entries met; the page says what the
   * shade means). Drawn before the lines that follow, which stay on top.
   */
  Chart spans(List<double[]> spans, String label) {
    List<double[]> shaded = shaded(spans, x0, x1);
    for (double[] span : shaded) {
      double from = px(span[0]);
      body.append("<rect x=\"").append(f(from)).append("\" y=\"").append(TOP)
          .append("\" width=\"").append(f(px(span[1]) - from)).append("\" height=\"")
          .append(height - TOP - BOTTOM).append("\" fill=\"").append(NO_SAMPLES_COLOR)
          .append("\" fill-opacity=\"0.3\"/>\n");
    }
    if (!shaded.isEmpty() && label != null) {
      legend.add(new String[] {label, NO_SAMPLES_COLOR, "band", "optional"});
    }
    return this;
  }

  /** The plot's width, in px. */
  static final int PLOT_WIDTH = WIDTH - LEFT - RIGHT;

  /*
   * Which spans without samples a chart shades. The data is drawn in buckets of at least a pixel
   * (800 in the plot's 1010 px), so a span narrower than a pixel cannot be seen in it, and a
   * trace whose spacing merely varies (exponential, of mean 21 s: one spacing in nine passes the
   * outage threshold of 45 s) gave 11179 spans 2 px wide each, one rect each, a solid grey chart.
   * A span is kept when at least a pixel of it lies on the axis; each is drawn at least 2 px wide,
   * and one that starts less than a pixel after the one before it ends is joined to it, so that
   * the rects keep a pixel apart and a chart has at most a third as many as pixels, fewer than
   * its buckets. A pixel, not a bucket: the bucket (1.26 px) would drop the shared traces' real
   * outages (bitbrains' 3000 s in buckets of 3240 s, 2566 s a pixel).
   */

  /**
   * The spans [from, to] (epoch ms) that a chart over [x0, x1] shades: of {@code spans}, clipped
   * to the axis, those at least a pixel wide, widened to 2 px, joined where less than a pixel
   * apart. In the order of their start.
   */
  static List<double[]> shaded(List<double[]> spans, double x0, double x1) {
    double pixel = (x1 / 2 - x0 / 2) / PLOT_WIDTH * 2; // halved: as share() does
    List<double[]> sorted = new ArrayList<>(spans);
    sorted.sort((a, b) -> Double.compare(a[0], b[0]));
    List<double[]> out = new ArrayList<>();
    for (double[] span : sorted) {
      double from = Math.max(x0, span[0]);
      double to = Math.min(x1, span[1]);
      if (!(to - from >= pixel)) {
        continue;
      }
      to = Math.min(x1, Math.max(to, from + 2 * pixel));
      double[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && from - last[1] < pixel) {
        last[1] = Math.max(last[1], to);
      } else {
        out.add(new double[] {from, to});
      }
    }
    return out;
  }

  Chart marks(double[] xs, boolean[] on, String color, String label) {
    double y = height - BOTTOM - 4;
    for (int i = 0; i < xs.length; i++) {
      if (on[i]) {
        body.append("<rect x=\"").append(f(px(xs[i]) - 1)).append("\" y=\"").append(f(y))
            .append("\" width=\"2\" height=\"4\" fill=\"").append(color).append("\"/>\n");
      }
    }
    if (label != null) {
      legend.add(new String[] {label, color, "band"});
    }
    return this;
  }

  /**
   * A point, with an optional label placed at render time beside it where it overlaps no other
   * label, point or text of the chart and stays inside the plot; a label with no such place is
   * left out.
   */
  Chart point(double x, double y, String color, String text) {
    return point(x, y, color, text, false);
  }

  /**
   * A point as {@link #point(double, double, String, String)} does, whose label, when {@code
   * always}, is bold, placed before the others and drawn in any case: at the first place inside
   * the plot when every place overlaps something.
   */
  Chart point(double x, double y, String color, String text, boolean always) {
    double cx = px(x);
    double cy = py(y);
    body.append("<circle cx=\"").append(f(cx)).append("\" cy=\"").append(f(cy))
        .append("\" r=\"3\" fill=\"").append(color).append("\"/>\n");
    obstacles.add(new double[] {cx - 3, cy - 3, cx + 3, cy + 3});
    if (text != null) {
      labels.add(new Label(cx, cy, color, text, always));
    }
    return this;
  }

  /**
   * A point beyond the top ({@code up}) or the bottom of the y axis at {@code x}: a triangle on
   * that edge of the plot, pointing away from it.
   */
  Chart offScale(double x, boolean up, String color) {
    double cx = px(x);
    double edge = up ? TOP : height - BOTTOM;
    double tip = up ? edge + 1 : edge - 1;
    double base = up ? edge + 8 : edge - 8;
    body.append("<path d=\"M").append(f(cx - 4)).append(',').append(f(base)).append(" L")
        .append(f(cx)).append(',').append(f(tip)).append(" L").append(f(cx + 4)).append(',')
        .append(f(base)).append(" Z\" fill=\"").append(color).append("\"/>\n");
    obstacles.add(new double[] {cx - 4, Math.min(tip, base), cx + 4, Math.max(tip, base)});
    return this;
  }

  /**
   * A dashed vertical line at {@code x} with its text at the top, right of the line, or left of
   * it where the right would pass the plot's right edge (an SLO of 100 % was cut off there).
   */
  Chart vline(double x, String color, String text) {
    body.append("<line x1=\"").append(f(px(x))).append("\" x2=\"").append(f(px(x)))
        .append("\" y1=\"").append(TOP).append("\" y2=\"").append(height - BOTTOM)
        .append("\" stroke=\"").append(color).append("\" stroke-dasharray=\"4 3\"/>\n");
    boolean left = px(x) + 4 + textWidth(text, 10) > WIDTH - RIGHT;
    double tx = left ? px(x) - 4 : px(x) + 4;
    body.append("<text x=\"").append(f(tx)).append("\" y=\"").append(TOP + 10)
        .append("\" font-size=\"10\"").append(left ? " text-anchor=\"end\"" : "")
        .append(" fill=\"").append(color).append("\">").append(Numbers.html(text))
        .append("</text>\n");
    obstacles.add(box(tx, TOP + 10, left ? "end" : "start", text, 10));
    return this;
  }

  /** A point's label, placed when the chart is rendered; {@code always}: drawn in any case. */
  private record Label(double x, double y, String color, String text, boolean always) {}

  /** Font size of point labels. */
  static final int LABEL_SIZE = 9;

  /**
   * The width a text takes, in px, at least: sans-serif digits are 0.56 to 0.64 em wide, a
   * point about 0.3 em; 0.65 em per character bounds them all, and most letters.
   */
  static double textWidth(String text, double size) {
    return 0.65 * size * text.length();
  }

  /**
   * The box [left, top, right, bottom] of a text drawn at (x, baseline y) with the given
   * anchor: from one size above the baseline (capitals and digits reach about 0.73) to 0.25
   * below (descenders).
   */
  static double[] box(double x, double y, String anchor, String text, double size) {
    double w = textWidth(text, size);
    double left = "end".equals(anchor) ? x - w : "middle".equals(anchor) ? x - w / 2 : x;
    return new double[] {left, y - size, left + w, y + 0.25 * size};
  }

  private static boolean overlaps(double[] a, double[] b) {
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  }

  /**
   * Places the labels, those drawn in any case first, then in the order they were given: each
   * at the first of a few places around its point (right above, right below, left above, left
   * below, then further up and down) that lies inside the plot and overlaps no label placed
   * before it, no point and no other text of the chart. A label with no such place is left out,
   * unless it is drawn in any case: then it takes the first of those places inside the plot.
   */
  private void placeLabels(StringBuilder s) {
    List<double[]> taken = new ArrayList<>(obstacles);
    double size = LABEL_SIZE;
    double[][] offsets = {{4, -4}, {4, 4 + size}, {-4, -4}, {-4, 4 + size}, {4, 0.35 * size},
        {-4, 0.35 * size}, {4, -5 - size}, {4, 5 + 2 * size}, {-4, -5 - size},
        {-4, 5 + 2 * size}, {4, -6 - 2 * size}, {4, 6 + 3 * size}, {-4, -6 - 2 * size},
        {-4, 6 + 3 * size}};
    List<Label> ordered = new ArrayList<>();
    labels.stream().filter(Label::always).forEach(ordered::add);
    labels.stream().filter(l -> !l.always()).forEach(ordered::add);
    for (Label l : ordered) {
      double[] place = null;
      double[] inside = null;
      for (double[] o : offsets) {
        double[] b = box(l.x() + o[0], l.y() + o[1], o[0] < 0 ? "end" : "start", l.text(), size);
        if (b[0] < LEFT || b[2] > WIDTH - RIGHT || b[1] < TOP || b[3] > height - BOTTOM) {
          continue;
        }
        inside = inside == null ? o : inside;
        if (taken.stream().noneMatch(t -> overlaps(t, b))) {
          place = o;
          break;
        }
      }
      place = place == null && l.always() ? inside : place;
      if (place == null) {
        continue;
      }
      String anchor = place[0] < 0 ? "end" : "start";
      double x = l.x() + place[0];
      double y = l.y() + place[1];
      taken.add(box(x, y, anchor, l.text(), size));
      s.append("<text x=\"").append(f(x)).append("\" y=\"").append(f(y))
          .append("\" font-size=\"").append(LABEL_SIZE).append('"')
          .append(l.always() ? " font-weight=\"bold\"" : "")
          .append("end".equals(anchor) ? " text-anchor=\"end\"" : "")
          .append(" fill=\"").append(l.color()).append("\">")
          .append(Numbers.html(l.text())).append("</text>\n");
    }
  }

  String render() {
    StringBuilder s = new StringBuilder();
    s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
        .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH)
        .append(' ').append(height).append("\" font-family=\"sans-serif\">\n");
    s.append("<text x=\"").append(LEFT).append("\" y=\"16\" font-size=\"13\" font-weight=\"bold\">")
        .append(Numbers.html(title)).append("</text>\n");
    // y grid
    double yStep = niceStep(finite(y1 - y0) / 5);
    // Finite y only: near the largest double the top (y1 plus the tolerance) is Infinity, and
    // the next step too, which Infinity + yStep never leaves.
    double top = y1 + yStep * 1e-6;
    List<Double> grid = new ArrayList<>();
    for (double y = Math.ceil(y0 / yStep) * yStep; y <= top && Double.isFinite(y); y += yStep) {
      grid.add(y);
    }
    String[] yLabels = labels(grid.stream().mapToDouble(Double::doubleValue).toArray(), yStep);
    for (int i = 0; i < grid.size(); i++) {
      double y = grid.get(i);
      String py = f(py(y));
      s.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
          .append("\" y1=\"").append(py).append("\" y2=\"").append(py)
          .append("\" stroke=\"#ddd\"/>\n");
      s.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(f(py(y) + 4))
          .append("\" font-size=\"10\" text-anchor=\"end\">").append(yLabels[i])
          .append("</text>\n");
    }
    // x grid
    double[] ticks = xTicks != null ? xTicks : timeTicks();
    for (int i = 0; i < ticks.length; i++) {
      double x = ticks[i];
      if (x < x0 || x > x1) {
        continue;
      }
      String px = f(px(x));
      s.append("<line x1=\"").append(px).append("\" x2=\"").append(px).append("\" y1=\"")
          .append(TOP).append("\" y2=\"").append(height - BOTTOM)
          .append("\" stroke=\"#eee\"/>\n");
      String label = xLabel != null ? xLabel.apply(x) : tickLabels[i];
      s.append("<text x=\"").append(px).append("\" y=\"").append(height - BOTTOM + 14)
          .append("\" font-size=\"10\" text-anchor=\"").append(xAnchor(x, label)).append("\">")
          .append(Numbers.html(label)).append("</text>\n");
    }
    s.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
        .append(WIDTH - LEFT - RIGHT).append("\" height=\"").append(height - TOP - BOTTOM)
        .append("\" fill=\"none\" stroke=\"#999\"/>\n");
    s.append(body);
    placeLabels(s);
    // legend, top right; without its optional entries when it would reach the title
    double width = 0;
    for (String[] l : legend) {
      width += legendWidth(l);
    }
    boolean optional = WIDTH - RIGHT - 8 - width >= LEFT + textWidth(title, 13) + 10;
    double lx = WIDTH - RIGHT - 8;
    for (int i = legend.size() - 1; i >= 0; i--) {
      String[] l = legend.get(i);
      if (l.length > 3 && !optional) {
        continue;
      }
      double w = legendWidth(l);
      lx -= w;
      s.append("band".equals(l[2])
          ? "<rect x=\"" + f(lx) + "\" y=\"8\" width=\"16\" height=\"8\" fill=\"" + l[1]
              + "\" fill-opacity=\"0.5\"/>\n"
          : "<line x1=\"" + f(lx) + "\" x2=\"" + f(lx + 16) + "\" y1=\"12\" y2=\"12\" stroke=\""
              + l[1] + "\" stroke-width=\"2\"/>\n");
      s.append("<text x=\"").append(f(lx + 20)).append("\" y=\"16\" font-size=\"11\">")
          .append(Numbers.html(l[0])).append("</text>\n");
    }
    return s.append("</svg>\n").toString();
  }

  /** The width of a legend entry {label, colour, kind[, "optional"]}: its mark and its text. */
  private static double legendWidth(String[] entry) {
    return 7 * entry[0].length() + 26;
  }

  /** The largest number of intervals between time ticks. */
  private static final int MAX_TIME_INTERVALS = 14;

  /** The least space between two time labels, in px. */
  private static final double LABEL_GAP = 6;

  private static final long MINUTE_MS = 60_000;
  private static final long HOUR_MS = 60 * MINUTE_MS;
  private static final long DAY_MS = 24 * HOUR_MS;

  /** The tick steps of a fixed length, in ms: 1 min to 2 weeks. */
  private static final long[] FIXED_STEPS = {MINUTE_MS, 2 * MINUTE_MS, 5 * MINUTE_MS,
      10 * MINUTE_MS, 15 * MINUTE_MS, 30 * MINUTE_MS, HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS,
      6 * HOUR_MS, 12 * HOUR_MS, DAY_MS, 2 * DAY_MS, 7 * DAY_MS, 14 * DAY_MS};

  /** The calendar steps, in months: a month, a quarter, half a year, 1 to 1000 years. */
  private static final int[] MONTH_STEPS = {1, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400,
      6000, 12000};

  /*
   * Time ticks: the finest step, from 1 minute to 1000 years, that gives at most 14 intervals
   * over the axis and labels that keep 6 px apart. Steps up to 2 weeks are multiples of their
   * length since the epoch; months, quarters, half years and years start on the first of a month
   * (UTC) whose number since year 0 is a multiple of the step, so that they fall on the
   * calendar. Labels are "MM-dd HH:mm" below a day, "MM-dd" for days and weeks, "yyyy-MM" for
   * months and "yyyy" for years; when the axis spans a change of year, the first label and each
   * whose year differs from the one before it carry the year ("yyyy-MM-dd", "yyyy-MM-dd HH:mm"),
   * so that no date is read in the wrong year.
   */
  private double[] timeTicks() {
    if (!timeAxis) {
      return new double[0];
    }
    double span = x1 - x0;
    for (long step : FIXED_STEPS) {
      if (span / step <= MAX_TIME_INTERVALS && fits(fixedTicks(step), step)) {
        return tickTimes;
      }
    }
    for (int months : MONTH_STEPS) {
      long step = months * 31 * DAY_MS;
      if (span / (months * 30.4 * DAY_MS) <= MAX_TIME_INTERVALS
          && fits(calendarTicks(months), step)) {
        return tickTimes;
      }
    }
    tickLabels = new String[0];
    return new double[0];
  }

  private double[] tickTimes = new double[0];
  private String[] tickLabels = new String[0];

  /** The ticks every {@code step} ms since the epoch over the axis. */
  private double[] fixedTicks(long step) {
    List<Double> out = new ArrayList<>();
    for (double x = Math.ceil(x0 / step) * step; x <= x1; x += step) {
      out.add(x);
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The ticks on the first of every {@code months}-th month (counted from year 0) on the axis. */
  private double[] calendarTicks(long months) {
    ZonedDateTime t = Instant.ofEpochMilli((long) Math.floor(x0)).atZone(ZoneOffset.UTC)
        .withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS);
    long index = 12L * t.getYear() + t.getMonthValue() - 1;
    t = t.plusMonths(Math.floorMod(-index, months));
    List<Double> out = new ArrayList<>();
    for (; t.toInstant().toEpochMilli() <= x1; t = t.plusMonths(months)) {
      if (t.toInstant().toEpochMilli() >= x0) {
        out.add((double) t.toInstant().toEpochMilli());
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * Labels {@code ticks}, {@code step} ms apart (about, for calendar steps), keeps them as the
   * axis's ticks and says whether their labels keep {@link #LABEL_GAP} px apart.
   */
  private boolean fits(double[] ticks, long step) {
    boolean years = Instant.ofEpochMilli((long) Math.floor(x0)).atZone(ZoneOffset.UTC)
        .getYear() != Instant.ofEpochMilli((long) Math.floor(x1)).atZone(ZoneOffset.UTC)
        .getYear();
    String[] labels = new String[ticks.length];
    int year = Integer.MIN_VALUE;
    double right = -Double.MAX_VALUE;
    boolean fits = true;
    for (int i = 0; i < ticks.length; i++) {
      Instant t = Instant.ofEpochMilli((long) ticks[i]);
      int y = t.atZone(ZoneOffset.UTC).getYear();
      boolean withYear = years && y != year;
      year = y;
      labels[i] = step >= 365L * DAY_MS ? YEAR.format(t)
          : step >= 28 * DAY_MS ? MONTH.format(t)
          : step >= DAY_MS ? (withYear ? YEAR_DAY : DAY).format(t)
          : (withYear ? YEAR_HOUR : HOUR).format(t);
      double[] b = box(px(ticks[i]), 0, xAnchor(ticks[i], labels[i]), labels[i], 10);
      fits &= b[0] >= right + LABEL_GAP;
      right = b[2];
    }
    tickTimes = ticks;
    tickLabels = labels;
    return fits;
  }

  /**
   * The anchor of an x label: centred on its tick, unless that puts it past an end of the plot
   * (a tick at the right end was cut off by the edge of the image); then it ends, or starts, at
   * its tick.
   */
  private String xAnchor(double x, String label) {
    double half = textWidth(label, 10) / 2;
    return px(x) + half > WIDTH - RIGHT ? "end" : px(x) - half < LEFT ? "start" : "middle";
  }

  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    double m = raw / p;
    double nice = m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10;
    return nice * p;
  }

  /** The most characters of a y label that fit left of the plot (10 digits: about 56 px). */
  static final int LABEL_CHARS = 10;

  /**
   * The labels of the y grid lines at {@code grid}, {@code step} apart: all in one format,
   * with the places that write the step exactly, so that no label is rounded to another value
   * than its line's (steps of 2.5 were labelled 0, 3, 5, 8, 10, and 4325000 as 4.33e+06).
   * Fixed, with the step's decimals (2.5: one, 0.25: two, 250: none; 0.0, 2.5, 5.0). When the
   * longest label would then pass {@link #LABEL_CHARS} characters and scientific notation
   * writes it shorter: scientific, with the significant digits that the step needs at the
   * axis's largest power of ten (steps of 2.5e11 up to 1e12: 0, 2.50e+11 ... 1.00e+12).
   */
  static String[] labels(double[] grid, double step) {
    // A line that the sum of the steps put a rounding error off 0 (-0.3 + 3 × 0.1) is 0.
    double[] values = new double[grid.length];
    for (int i = 0; i < grid.length; i++) {
      values[i] = Math.abs(grid[i]) < step * 1e-6 ? 0 : grid[i];
    }
    int last = lastDigit(step);
    int top = last;
    for (double v : values) {
      if (v != 0 && Double.isFinite(v)) {
        top = Math.max(top, (int) Math.floor(Math.log10(Math.abs(v)) + 1e-9));
      }
    }
    String[] fixed = format(values, "%." + Math.max(0, -last) + "f", false);
    String[] sci = format(values, "%." + Math.max(0, top - last) + "e", true);
    int fixedChars = longest(fixed);
    return fixedChars > LABEL_CHARS && longest(sci) < fixedChars ? sci : fixed;
  }

  /**
   * The power of ten of the last significant digit of {@code step}, a positive nice step (1, 2,
   * 2.5 or 5 times a power of ten): 3 for 25000, -2 for 0.25.
   */
  static int lastDigit(double step) {
    int p = (int) Math.floor(Math.log10(step));
    for (int k = p; k > p - 17; k--) {
      double m = step / Math.pow(10, k);
      if (Math.abs(m - Math.rint(m)) <= 1e-9 * Math.max(1, m)) {
        return k;
      }
    }
    return p - 17;
  }

  /** {@code values} in {@code format}; zero (and -0.0) as 0 when {@code plainZero}. */
  private static String[] format(double[] values, String format, boolean plainZero) {
    String[] out = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      double v = values[i] == 0 ? 0.0 : values[i];
      out[i] = v == 0 && plainZero ? "0" : String.format(Locale.ROOT, format, v);
    }
    return out;
  }

  private static int longest(String[] labels) {
    int n = 0;
    for (String l : labels) {
      n = Math.max(n, l.length());
    }
    return n;
  }
}
