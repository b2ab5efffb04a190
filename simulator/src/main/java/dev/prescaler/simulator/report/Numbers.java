package dev.prescaler.simulator.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;

/**
 * Deterministic number formatting shared by the reports, and by {@code summarize}'s table
 * ({@link #fixed}).
 */
public final class Numbers {
  /**
   * The significant digits of a score that its places would round to 0: enough for {@code
   * summarize}'s ratios of two such numbers, few enough for a table's column.
   */
  private static final MathContext NOT_ZERO = new MathContext(3, RoundingMode.HALF_EVEN);

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
   * {@code v} as {@link #json(double, int)} writes it, except that a value that is not 0 is never
   * written 0: where {@code decimals} places would round it to 0 it gets three significant digits
   * instead (one short step of 15 s in a year is {@code 0.0000476} % of the time). A policy that
   * was short must not read as never short, and {@code summarize} computes its ratios from these
   * numbers. A value that the places do not round to 0 is written as {@code json} writes it.
   */
  static String jsonNonZero(double v, int decimals) {
    String s = json(v, decimals);
    return s.equals("0") && Double.isFinite(v) && v != 0 ? significant(v) : s;
  }

  /** {@code v} to three significant digits, trailing zeros dropped, plain down to 1e-12. */
  private static String significant(double v) {
    BigDecimal d = BigDecimal.valueOf(v).round(NOT_ZERO).stripTrailingZeros();
    return Math.abs(v) < 1e-12 ? d.toString() : d.toPlainString();
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

  /**
   * {@code v} with exactly {@code decimals} places; "-" when NaN. A value that is not 0 but that
   * the places would show as 0 ({@code 0.000}) gets three significant digits instead, as in
   * {@link #jsonNonZero}: a policy short for one step in a year does not read as never short.
   *
   * @param v the number
   * @param decimals the places, &ge; 0
   * @return the text, in {@link Locale#ROOT}
   */
  public static String fixed(double v, int decimals) {
    if (!Double.isFinite(v)) {
      return "-";
    }
    String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
    return v != 0 && Double.parseDouble(s) == 0 ? significant(v) : s;
  }

  /** Text safe inside HTML. */
  static String html(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
