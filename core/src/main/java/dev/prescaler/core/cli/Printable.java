package dev.prescaler.core.cli;

import java.util.Locale;
import java.util.function.IntPredicate;

/**
 * Text from a user (a line of their file, an argument, a file name) made safe to print in a
 * one-line message: every character a terminal would not print as itself is escaped, so that a
 * binary file or an argument holding a newline or an ESC sequence prints one harmless line.
 * The one escaper of the command line's messages.
 */
public final class Printable {
  private Printable() {}

  /**
   * {@code s} with every character a terminal would not print as itself escaped: control
   * characters, format characters ({@link Character#FORMAT}, such as U+202E RIGHT-TO-LEFT
   * OVERRIDE, which would turn the rest of the line around, or U+00AD), line and paragraph
   * separators (U+2028, U+2029) and unpaired surrogates. One below U+0100 is written
   * {@code \xNN} ({@code \x1b}, {@code \x00}, {@code \xad}); one above is written
   * <code>&#92;uNNNN</code> (U+202E as <code>&#92;u202e</code>), and one above U+FFFF as its two
   * UTF-16 units so. Everything else, backslashes and quotes included, is left as it is, so
   * escaping twice gives what escaping once does.
   */
  public static String escape(String s) {
    return escape(s, Printable::isUnprintable);
  }

  /**
   * A file name as the reports print it: escaped as {@link #escape} escapes, except for U+200C
   * ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER, with which Persian, the Indic scripts
   * and emoji sequences are written: such a name prints as itself, while an ESC sequence, a
   * newline or U+202E in one is still harmless.
   */
  public static String escapeName(String s) {
    return escape(s, Printable::isUnprintableInName);
  }

  /** Whether {@link #escapeName} escapes the code point {@code c}. */
  public static boolean isUnprintableInName(int c) {
    return c != 0x200C && c != 0x200D && isUnprintable(c);
  }

  /**
   * Whether {@link #escape} escapes the code point {@code c}: a control or format character, a
   * line or paragraph separator, or an unpaired surrogate.
   */
  public static boolean isUnprintable(int c) {
    int type = Character.getType(c);
    return Character.isISOControl(c) || type == Character.FORMAT || type == Character.SURROGATE
        || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }

  private static String escape(String s, IntPredicate unprintable) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    s.codePoints().forEach(c -> {
      if (unprintable.test(c)) {
        if (c < 0x100) {
          b.append(String.format(Locale.ROOT, "\\x%02x", c));
        } else {
          for (char u : Character.toChars(c)) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) u));
          }
        }
      } else {
        b.appendCodePoint(c);
      }
    });
    return b.toString();
  }
}
