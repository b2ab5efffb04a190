package dev.prescaler.decision;

import java.util.Locale;

/**
 * Fixed-point text for the reasons policies write on every decision: the same characters as
 * {@code String.format(Locale.ROOT, "%.3f", v)}, built in a {@link StringBuilder} without a
 * {@link java.util.Formatter}.
 */
final class Decimals {
  /*
   * String.format rounds the shortest decimal string of |v| (the digits Double.toString would
   * give) half-up to 3 decimals, then prefixes '-' when the sign bit is set (so -0.0 and -0.0001
   * give "-0.000"). The fast path rounds 1000|v| to the nearest integer instead. Both agree unless
   * 1000|v| lies within a few units in the last place of a half-integer: the product is rounded
   * by at most half an ulp of it, and the shortest decimal string differs from |v| by at most half
   * an ulp of |v|, which times 1000 is at most one ulp of the product (1000 >= 2^9). Inside that
   * margin (8 ulps around each half-integer: for loads of order 100, about one value in 10^10),
   * for |v| >= 1e12, and for NaN and infinities, this calls String.format itself, so the text is
   * always identical.
   */
  private static final double FAST_LIMIT = 1e12;
  private static final double MARGIN_ULPS = 4;

  private Decimals() {}

  /** {@code v} as {@code String.format(Locale.ROOT, "%.3f", v)} would write it. */
  static String fixed3(double v) {
    return appendFixed3(new StringBuilder(16), v).toString();
  }

  /** Appends {@code v} as {@code String.format(Locale.ROOT, "%.3f", v)} would write it. */
  static StringBuilder appendFixed3(StringBuilder b, double v) {
    double a = Math.abs(v);
    if (a < FAST_LIMIT) { // false for NaN and infinities
      double scaled = a * 1000.0;
      double floor = Math.floor(scaled);
      double frac = scaled - floor; // exact: scaled < 2^53
      if (Math.abs(frac - 0.5) > MARGIN_ULPS * Math.ulp(scaled)) {
        long n = (long) floor + (frac > 0.5 ? 1 : 0);
        if (Double.doubleToRawLongBits(v) < 0) {
          b.append('-');
        }
        b.append(n / 1000).append('.');
        int milli = (int) (n % 1000);
        if (milli < 100) {
          b.append(milli < 10 ? "00" : "0");
        }
        return b.append(milli);
      }
    }
    return b.append(String.format(Locale.ROOT, "%.3f", v));
  }
}
