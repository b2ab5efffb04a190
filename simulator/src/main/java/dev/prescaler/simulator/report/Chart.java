package dev.prescaler.simulator.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

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
    double cx = px(x);
    double cy = py(y);
    body.append("<circle cx=\"").append(f(cx)).append("\" cy=\"").append(f(cy))
        .append("\" r=\"3\" fill=\"").append(color).append("\"/>\n");
    obstacles.add(new double[] {cx - 3, cy - 3, cx + 3, cy + 3});
    if (text != null) {
      labels.add(new Label(cx, cy, color, text));
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

  Chart vline(double x, String color, String text) {
    body.append("<line x1=\"").append(f(px(x))).append("\" x2=\"").append(f(px(x)))
        .append("\" y1=\"").append(TOP).append("\" y2=\"").append(height - BOTTOM)
        .append("\" stroke=\"").append(color).append("\" stroke-dasharray=\"4 3\"/>\n");
    body.append("<text x=\"").append(f(px(x) + 4)).append("\" y=\"").append(TOP + 10)
        .append("\" font-size=\"10\" fill=\"").append(color).append("\">")
        .append(Numbers.html(text)).append("</text>\n");
    obstacles.add(box(px(x) + 4, TOP + 10, "start", text, 10));
    return this;
  }

  /** A point's label, placed when the chart is rendered. */
  private record Label(double x, double y, String color, String text) {}

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
   * Places the labels in the order they were given: each at the first of a few places around
   * its point (right above, right below, left above, left below, then further up and down) that
   * lies inside the plot and overlaps no label placed before it, no point and no other text
   * of the chart.
   */
  private void placeLabels(StringBuilder s) {
    List<double[]> taken = new ArrayList<>(obstacles);
    double size = LABEL_SIZE;
    double[][] offsets = {{4, -4}, {4, 4 + size}, {-4, -4}, {-4, 4 + size}, {4, 0.35 * size},
        {-4, 0.35 * size}, {4, -5 - size}, {4, 5 + 2 * size}, {-4, -5 - size},
        {-4, 5 + 2 * size}, {4, -6 - 2 * size}, {4, 6 + 3 * size}, {-4, -6 - 2 * size},
        {-4, 6 + 3 * size}};
    for (Label l : labels) {
      for (double[] o : offsets) {
        String anchor = o[0] < 0 ? "end" : "start";
        double x = l.x() + o[0];
        double y = l.y() + o[1];
        double[] b = box(x, y, anchor, l.text(), size);
        if (b[0] < LEFT || b[2] > WIDTH - RIGHT || b[1] < TOP || b[3] > height - BOTTOM
            || taken.stream().anyMatch(t -> overlaps(t, b))) {
          continue;
        }
        taken.add(b);
        s.append("<text x=\"").append(f(x)).append("\" y=\"").append(f(y))
            .append("\" font-size=\"").append(LABEL_SIZE).append('"')
            .append("end".equals(anchor) ? " text-anchor=\"end\"" : "")
            .append(" fill=\"").append(l.color()).append("\">")
            .append(Numbers.html(l.text())).append("</text>\n");
        break;
      }
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
    for (double y = Math.ceil(y0 / yStep) * yStep; y <= top && Double.isFinite(y); y += yStep) {
      String py = f(py(y));
      s.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
          .append("\" y1=\"").append(py).append("\" y2=\"").append(py)
          .append("\" stroke=\"#ddd\"/>\n");
      s.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(f(py(y) + 4))
          .append("\" font-size=\"10\" text-anchor=\"end\">").append(number(y, yStep))
          .append("</text>\n");
    }
    // x grid
    double[] ticks = xTicks != null ? xTicks : timeTicks();
    for (double x : ticks) {
      if (x < x0 || x > x1) {
        continue;
      }
      String px = f(px(x));
      s.append("<line x1=\"").append(px).append("\" x2=\"").append(px).append("\" y1=\"")
          .append(TOP).append("\" y2=\"").append(height - BOTTOM)
          .append("\" stroke=\"#eee\"/>\n");
      String label = xLabel != null ? xLabel.apply(x) : timeLabel(x);
      // Centred on its tick, unless that puts it past an end of the plot (a tick at the right
      // end was cut off by the edge of the image): then it ends, or starts, at its tick.
      double half = textWidth(label, 10) / 2;
      String anchor = px(x) + half > WIDTH - RIGHT ? "end"
          : px(x) - half < LEFT ? "start" : "middle";
      s.append("<text x=\"").append(px).append("\" y=\"").append(height - BOTTOM + 14)
          .append("\" font-size=\"10\" text-anchor=\"").append(anchor).append("\">")
          .append(Numbers.html(label)).append("</text>\n");
    }
    s.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
        .append(WIDTH - LEFT - RIGHT).append("\" height=\"").append(height - TOP - BOTTOM)
        .append("\" fill=\"none\" stroke=\"#999\"/>\n");
    s.append(body);
    placeLabels(s);
    // legend, top right
    double lx = WIDTH - RIGHT - 8;
    for (int i = legend.size() - 1; i >= 0; i--) {
      String[] l = legend.get(i);
      double w = 7 * l[0].length() + 26;
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

  private double[] timeTicks() {
    if (!timeAxis) {
      return new double[0];
    }
    double span = x1 - x0;
    double hour = 3_600_000;
    double[] choices = {hour, 2 * hour, 3 * hour, 6 * hour, 12 * hour, 24 * hour, 48 * hour,
        7 * 24 * hour, 14 * 24 * hour, 28 * 24 * hour};
    double step = choices[choices.length - 1];
    for (double c : choices) {
      if (span / c <= 14) {
        step = c;
        break;
      }
    }
    List<Double> out = new ArrayList<>();
    for (double x = Math.ceil(x0 / step) * step; x <= x1; x += step) {
      out.add(x);
    }
    double[] a = new double[out.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = out.get(i);
    }
    this.timeStep = step;
    return a;
  }

  private double timeStep;

  private String timeLabel(double x) {
    Instant t = Instant.ofEpochMilli((long) x);
    return timeStep >= 24 * 3_600_000 ? DAY.format(t) : HOUR.format(t);
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

  private static String number(double v, double step) {
    if (Math.abs(v) >= 1e6 || step < 1e-4) {
      return v == 0 ? "0" : String.format(Locale.ROOT, "%.3g", v);
    }
    int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
    return String.format(Locale.ROOT, "%." + Math.min(6, decimals) + "f", v);
  }
}
