package dev.prescaler.core;

import java.math.BigDecimal;
import java.math.RoundingMode;
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
  private static final BigDecimal MAX_MILLIS = BigDecimal.valueOf(Long.MAX_VALUE);

  private DurationText() {}

  /**
   * The duration {@code text} writes, to the millisecond (a finer one is rounded half up, in
   * every form: {@code 0.0005s} and {@code PT0.0005S} are 1 ms); empty when it is not a duration
   * (a blank, a sign, a space inside, an unknown unit, or more than about 292 million years).
   */
  public static Optional<Duration> parse(String text) {
    Optional<BigDecimal> seconds = exact(text);
    if (seconds.isEmpty()) {
      return Optional.empty();
    }
    BigDecimal millis = seconds.get().movePointRight(3).setScale(0, RoundingMode.HALF_UP);
    return millis.compareTo(MAX_MILLIS) <= 0
        ? Optional.of(Duration.ofMillis(millis.longValueExact())) : Optional.empty();
  }

  /**
   * The seconds {@code text} writes, exactly as written: {@code 0.5ms} is 0.0005, where {@link
   * #parse} rounds it to 1 ms. Empty where {@code parse} is empty. For a caller that refuses what
   * {@code parse} would round (a setting that must be whole milliseconds).
   */
  public static Optional<BigDecimal> exactSeconds(String text) {
    return parse(text).isEmpty() ? Optional.empty() : exact(text);
  }

  /**
   * The seconds {@code text} writes, exactly, in either form, whatever their size; empty when it
   * is not a duration. An ISO-8601 one with a sign anywhere ({@code PT-5S}, {@code P1DT-1S},
   * {@code PT+5S}) is not, as a short one with a sign is not.
   */
  private static Optional<BigDecimal> exact(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(t);
    if (m.matches()) {
      return Optional.of(new BigDecimal(m.group(1))
          .multiply(BigDecimal.valueOf(unitMillis(m.group(2)))).movePointLeft(3));
    }
    if (!t.startsWith("p") || t.indexOf('-') >= 0 || t.indexOf('+') >= 0) {
      return Optional.empty();
    }
    try {
      Duration d = Duration.parse(t);
      BigDecimal nanos = BigDecimal.valueOf(d.getNano(), 9);
      return Optional.of(BigDecimal.valueOf(d.getSeconds()).add(nanos));
    } catch (DateTimeParseException | ArithmeticException e) {
      return Optional.empty();
    }
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
