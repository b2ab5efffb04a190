package dev.prescaler.forecast.cli;

import dev.prescaler.forecast.trace.CsvTraceReader;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * What the command lines read and write as text, the same in each: {@code forecast-eval} here, and
 * {@code simulate} and {@code summarize} in the simulator, which depends on this module (this one
 * cannot depend on the simulator). One copy, so that the commands cannot drift apart.
 */
public final class CliText {
  private CliText() {}

  /**
   * {@code text} as a number, when it is written in decimal digits with an optional sign, point
   * and exponent ({@code 0.95}, {@code 95e-2}) and is finite. {@link Double#parseDouble} also
   * reads a hexadecimal form ({@code 0x1p-1} is 0.5), a type suffix ({@code 0.5d}), spaces
   * around it, {@code NaN} and {@code Infinity}: an option that took those would mean something
   * no one wrote, so they are refused.
   *
   * @param text the option's value as given
   * @return the number, or empty when it is not such a number
   */
  public static OptionalDouble decimal(String text) {
    if (!text.matches("[0-9eE.+-]+")) {
      return OptionalDouble.empty();
    }
    try {
      double d = Double.parseDouble(text);
      return Double.isFinite(d) ? OptionalDouble.of(d) : OptionalDouble.empty();
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }

  /**
   * A JSON string literal of {@code s}. What a terminal would not print as itself ({@link
   * CsvTraceReader#isUnprintableInName}: C0 and C1 controls, U+202E, unpaired surrogates) is
   * escaped as <code>&#92;uNNNN</code> too, or as {@code \n}, {@code \r}, {@code \t}, so that a
   * file's name printed with the JSON is harmless and the JSON stays valid; the string reads back
   * the same.
   *
   * @param s the text
   * @return the literal, quotes included
   */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
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
}
