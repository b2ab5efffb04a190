package dev.prescaler.simulator.report;

import dev.prescaler.forecast.trace.CsvTraceReader;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;

/** Deterministic number formatting shared by the reports. */
final class Numbers {
  private Numbers() {}

  /** {@code v} rounded to {@code decimals} places, trailing zeros dropped; "null" when NaN. */
  static String json(double v, int decimals) {
    if (!Double.isFinite(v)) {
      return "null";
    }
    BigDecimal d = BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_EVEN)
        .stripTrailingZeros();
    if (d.signum() == 0) {
      return "0";
    }
    return d.toPlainString();
  }

  /**
   * {@code v} rounded to {@code decimals} places, or to six significant digits when that keeps
   * more of a small value: a capacity of 1.07e-10 (a trace in large units) is not printed as 0.
   * Below 1e-12 it is written in scientific notation, which JSON reads too.
   */
  static String measure(double v, int decimals) {
    if (!Double.isFinite(v) || v == 0) {
      return json(v, decimals);
    }
    if (Math.abs(v) < 1e-12) { // more zeros than digits: 1.07143E-300
      return BigDecimal.valueOf(v).round(new MathContext(6)).stripTrailingZeros().toString();
    }
    int significant = 5 - (int) Math.floor(Math.log10(Math.abs(v)));
    return json(v, Math.max(decimals, significant));
  }

  /** {@code v} in plain decimal notation with the digits that read back as exactly {@code v}. */
  static String exact(double v) {
    return Double.isFinite(v) ? BigDecimal.valueOf(v).toPlainString() : "NaN";
  }

  /**
   * {@code v} with the shortest digits that read back as exactly {@code v}, trailing zeros
   * dropped ({@code 0.7}, {@code 1}, {@code 0.000000001}), in plain decimal notation except below
   * 1e-12, as {@link #measure} ({@code 1E-300}); "null" when NaN. It is what {@link #json(double,
   * int)} writes whenever {@code decimals} places hold {@code v}: a setting as it was given,
   * never rounded to 0.
   */
  static String exactJson(double v) {
    if (!Double.isFinite(v)) {
      return "null";
    }
    BigDecimal d = BigDecimal.valueOf(v).stripTrailingZeros();
    if (d.signum() == 0) {
      return "0";
    }
    return Math.abs(v) < 1e-12 ? d.toString() : d.toPlainString();
  }

  /**
   * {@code d} in seconds, exactly: {@code 15}, {@code 0.5} for 500 ms; fractional only when not
   * whole.
   */
  static String seconds(Duration d) {
    BigDecimal s = BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9));
    return s.signum() == 0 ? "0" : s.stripTrailingZeros().toPlainString();
  }

  /** {@code v} with exactly {@code decimals} places; "-" when NaN. */
  static String fixed(double v, int decimals) {
    if (!Double.isFinite(v)) {
      return "-";
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /**
   * A JSON string literal. What a terminal would not print as itself ({@link
   * CsvTraceReader#isUnprintableInName}: C1 controls, U+202E, unpaired surrogates) is escaped as
   * <code>&#92;uNNNN</code> too, so that a trace's name printed with the JSON is harmless; the
   * string reads back the same.
   */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    s.codePoints().forEach(c -> {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (CsvTraceReader.isUnprintableInName(c)) {
            for (char u : Character.toChars(c)) {
              b.append(String.format(Locale.ROOT, "\\u%04x", (int) u));
            }
          } else {
            b.appendCodePoint(c);
          }
        }
      }
    });
    return b.append('"').toString();
  }

  /** Text safe inside HTML. */
  static String html(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
