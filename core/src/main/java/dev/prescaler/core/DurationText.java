package dev.prescaler.core;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them on a command line or in a configuration file: {@code 90}
 * (seconds), {@code 90s}, {@code 1.5m}, {@code 500ms}, {@code 2h}, {@code 7d}, or ISO-8601
 * ({@code PT2M}, {@code P1D}). One reading for every input of the project, so that a duration
 * accepted by one command is accepted by all of them.
 *
 * <p>Only the form is checked here; each caller checks the range it needs and names its own field
 * in the message.
 */
public final class DurationText {
  private static final Pattern SHORT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)?");

  private DurationText() {}

  /**
   * The duration {@code text} writes, to the millisecond; empty when it is not a duration (a
   * blank, a sign, a space inside, an unknown unit, or more than about 292 million years).
   */
  public static Optional<Duration> parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(t);
    if (m.matches()) {
      double millis = Double.parseDouble(m.group(1)) * unitMillis(m.group(2));
      return millis < Long.MAX_VALUE ? Optional.of(Duration.ofMillis(Math.round(millis)))
          : Optional.empty();
    }
    if (!t.startsWith("p")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Duration.parse(t));
    } catch (DateTimeParseException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  /**
   * The seconds {@code text} writes, exactly as written: {@code 0.5ms} is 0.0005, where {@link
   * #parse} rounds it to 1 ms. Empty where {@code parse} is empty. For a caller that refuses what
   * {@code parse} would round (a setting that must be whole milliseconds).
   */
  public static Optional<BigDecimal> exactSeconds(String text) {
    Optional<Duration> d = parse(text);
    if (d.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = SHORT.matcher(text.strip().toLowerCase(Locale.ROOT));
    return Optional.of(m.matches()
        ? new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitMillis(m.group(2))))
            .movePointLeft(3)
        : BigDecimal.valueOf(d.get().getSeconds()).add(BigDecimal.valueOf(d.get().getNano(), 9)));
  }

  /** Milliseconds in one {@code unit} of the short form (seconds when there is none). */
  private static long unitMillis(String unit) {
    return switch (unit == null ? "s" : unit) {
      case "ms" -> 1;
      case "m" -> 60_000;
      case "h" -> 3_600_000;
      case "d" -> 86_400_000;
      default -> 1000;
    };
  }
}
