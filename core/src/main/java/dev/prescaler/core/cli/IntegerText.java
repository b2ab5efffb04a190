package dev.prescaler.core.cli;

import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Whole numbers as the command lines read them: ASCII digits {@code 0} to {@code 9} with an
 * optional sign ({@code 12}, {@code +12}, {@code -1}). {@link Integer#parseInt} also reads the
 * digits of every other script ({@code ٥}, an Arabic-Indic five, is 5; so are a fullwidth
 * {@code ５} and a Devanagari {@code ५}), which the decimal options ({@code CliText.decimal}),
 * the durations ({@code DurationText}) and the trace reader refuse: an option that took them
 * would read text that no other option takes, and that a terminal may not show as a digit. One
 * reading for every integer option of every command ({@code simulate}, {@code export}), so that
 * the commands cannot drift apart. Each caller checks the range it needs and names its option.
 */
public final class IntegerText {
  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

  private IntegerText() {}

  /**
   * {@code text} as a long, when it is an optional sign and ASCII digits only (no space, no
   * other script's digits, no point or exponent) and fits in a long.
   *
   * @param text the option's value as given
   * @return the number, or empty when it is not such a number
   */
  public static OptionalLong parseLong(String text) {
    if (!INTEGER.matcher(text).matches()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(text));
    } catch (NumberFormatException e) { // beyond a long
      return OptionalLong.empty();
    }
  }

  /**
   * {@code text} as an int, read as {@link #parseLong} reads it, when it fits in an int.
   *
   * @param text the option's value as given
   * @return the number, or empty when it is not such a number
   */
  public static OptionalInt parseInt(String text) {
    OptionalLong n = parseLong(text);
    return n.isPresent() && n.getAsLong() == (int) n.getAsLong()
        ? OptionalInt.of((int) n.getAsLong()) : OptionalInt.empty();
  }
}
