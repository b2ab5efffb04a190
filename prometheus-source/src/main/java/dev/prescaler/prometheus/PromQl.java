package dev.prescaler.prometheus;

import dev.prescaler.core.cli.Printable;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Escaping helpers for PromQL string literals, label matchers and durations. Everything a template
 * receives from outside (namespace, name, selector values) goes through here, so a value holding
 * quotes, backslashes or newlines stays one string literal and cannot change the query.
 *
 * <p>PromQL string literals follow Go's escape rules ({@code strconv.Unquote}); a raw newline ends
 * a literal with an error, and so does a raw U+FFFD REPLACEMENT CHARACTER: Prometheus's lexer
 * reads it as the mark of a byte that is not UTF-8 ("invalid UTF-8 rune", HTTP 400), though it is
 * valid UTF-8. These helpers escape the backslash, the enclosing quote character, every ISO
 * control character and U+FFFD (as {@code \\uXXXX}, which the lexer takes with exactly four hex
 * digits), and reject lone UTF-16 surrogates, which have no UTF-8 encoding (sent, they would
 * become {@code ?}) and no escape either (the lexer refuses {@code \\ud800}: "escape sequence is
 * an invalid Unicode code point"). Thread-safe: stateless.
 */
public final class PromQl {
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final String REGEX_META = "\\.+*?()|[]{}^$";

  private PromQl() {}

  /**
   * The content of a double-quoted PromQL string literal that evaluates to {@code value}, without
   * the enclosing quotes.
   *
   * @throws IllegalArgumentException when {@code value} holds a lone surrogate
   */
  public static String escape(String value) {
    return escape(value, '"');
  }

  /**
   * The content of a PromQL string literal enclosed by {@code quote} ({@code "} or {@code '}) that
   * evaluates to {@code value}, without the enclosing quotes.
   *
   * @throws IllegalArgumentException when {@code quote} is neither {@code "} nor {@code '}, or when
   *     {@code value} holds a lone surrogate
   */
  public static String escape(String value, char quote) {
    Objects.requireNonNull(value, "value");
    if (quote != '"' && quote != '\'') {
      throw new IllegalArgumentException("quote must be \" or ', but was " + quote);
    }
    StringBuilder b = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          b.append(c).append(value.charAt(++i));
          continue;
        }
        throw loneSurrogate(value, i);
      }
      if (Character.isLowSurrogate(c)) {
        throw loneSurrogate(value, i);
      }
      if (c == '\\' || c == quote) {
        b.append('\\').append(c);
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c == '\t') {
        b.append("\\t");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (Character.isISOControl(c) || c == '\uFFFD') {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static IllegalArgumentException loneSurrogate(String value, int index) {
    return new IllegalArgumentException("label value must be valid Unicode, but had a lone "
        + "surrogate at index " + index + " (length " + value.length() + ")");
  }

  /**
   * {@code query} as messages quote it: on one line, each run of white space (the line breaks of
   * a query written over several lines) one space, and every other character a terminal would
   * not print as itself escaped ({@link Printable#escape}: ESC as {@code \x1b}). The messages
   * reach logs, the journal and the command line. Applied twice, it gives what once does.
   */
  static String shown(String query) {
    return Printable.escape(String.valueOf(query).replaceAll("\\s+", " ").trim());
  }

  /** A complete double-quoted PromQL string literal that evaluates to {@code value}. */
  public static String quote(String value) {
    return '"' + escape(value) + '"';
  }

  /**
   * {@code value} with every RE2 metacharacter backslash-escaped, so that as a regular expression
   * it matches exactly {@code value} (Go's {@code regexp.QuoteMeta}). Combine with {@link
   * #escape(String)} to put it in a literal.
   */
  public static String quoteRegex(String value) {
    Objects.requireNonNull(value, "value");
    StringBuilder b = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (REGEX_META.indexOf(c) >= 0) {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  /** Whether {@code name} is a valid Prometheus label name ({@code [a-zA-Z_][a-zA-Z0-9_]*}). */
  public static boolean isLabelName(String name) {
    return name != null && LABEL_NAME.matcher(name).matches();
  }

  /** Whether {@code name} is a valid Prometheus metric name ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}). */
  public static boolean isMetricName(String name) {
    return name != null && METRIC_NAME.matcher(name).matches();
  }

  /**
   * A PromQL duration literal for {@code millis}, in the largest unit that divides it exactly
   * ({@code 5m}, {@code 90s}, {@code 1500ms}).
   *
   * @throws IllegalArgumentException when {@code millis} is not positive
   */
  public static String duration(long millis) {
    if (millis <= 0) {
      throw new IllegalArgumentException("duration must be > 0 ms, but was " + millis + " ms");
    }
    long[] sizes = {604_800_000L, 86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] units = {"w", "d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (millis % sizes[i] == 0) {
        return (millis / sizes[i]) + units[i];
      }
    }
    return millis + "ms";
  }
}
