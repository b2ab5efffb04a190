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

  Chart band(double[] xs, double[] lo, double[] hi, String color, String label) {
    StringBuilder d = new StringBuilder();
    for (int i = 0; i < xs.length; i++) {
      if (Double.isNaN(hi[i])) {
        continue;
      }
      d.append(d.length() == 0 ? "M" : " L").append(f(px(xs[i]))).append(',')
          .append(f(py(hi[i])));
    }
    for (int i = xs.length - 1; i >= 0; i--) {
      if (Double.isNaN(lo[i])) {
        continue;
      }
      d.append(" L").append(f(px(xs[i]))).append(',').append(f(py(lo[i])));
    }
    if (d.length() > 0) {
      body.append("<path d=\"").append(d).append(" Z\" fill=\"").append(color)
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

  Chart point(double x, double y, String color, String text) {
    body.append("<circle cx=\"").append(f(px(x))).append("\" cy=\"").append(f(py(y)))
        .append("\" r=\"3\" fill=\"").append(color).append("\"/>\n");
    if (text != null) {
      body.append("<text x=\"").append(f(px(x) + 4)).append("\" y=\"").append(f(py(y) - 4))
          .append("\" font-size=\"9\" fill=\"").append(color).append("\">")
          .append(Numbers.html(text)).append("</text>\n");
    }
    return this;
  }

  Chart vline(double x, String color, String text) {
    body.append("<line x1=\"").append(f(px(x))).append("\" x2=\"").append(f(px(x)))
        .append("\" y1=\"").append(TOP).append("\" y2=\"").append(height - BOTTOM)
        .append("\" stroke=\"").append(color).append("\" stroke-dasharray=\"4 3\"/>\n");
    body.append("<text x=\"").append(f(px(x) + 4)).append("\" y=\"").append(TOP + 10)
        .append("\" font-size=\"10\" fill=\"").append(color).append("\">")
        .append(Numbers.html(text)).append("</text>\n");
    return this;
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
      s.append("<text x=\"").append(px).append("\" y=\"").append(height - BOTTOM + 14)
          .append("\" font-size=\"10\" text-anchor=\"middle\">").append(Numbers.html(label))
          .append("</text>\n");
    }
    s.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
        .append(WIDTH - LEFT - RIGHT).append("\" height=\"").append(height - TOP - BOTTOM)
        .append("\" fill=\"none\" stroke=\"#999\"/>\n");
    s.append(body);
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
