package dev.prescaler.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DurationTextTest {
  @Test
  void everyFormTheCommandsAndTheAgentAccept() {
    assertThat(DurationText.parse("90")).contains(Duration.ofSeconds(90));
    assertThat(DurationText.parse("90s")).contains(Duration.ofSeconds(90));
    assertThat(DurationText.parse("1.5m")).contains(Duration.ofSeconds(90));
    assertThat(DurationText.parse("500ms")).contains(Duration.ofMillis(500));
    assertThat(DurationText.parse("2h")).contains(Duration.ofHours(2));
    assertThat(DurationText.parse("7d")).contains(Duration.ofDays(7));
    assertThat(DurationText.parse(" 15M ")).contains(Duration.ofMinutes(15));
    assertThat(DurationText.parse("PT2M")).contains(Duration.ofMinutes(2));
    assertThat(DurationText.parse("p1d")).contains(Duration.ofDays(1));
    assertThat(DurationText.parse("0s")).contains(Duration.ZERO); // the callers' range decides
  }

  /** What parse rounds, exactSeconds reads as written; where parse is empty, so is it. */
  @Test
  void exactSecondsReadTheDigitsAsWritten() {
    assertThat(DurationText.exactSeconds("0.5ms")).hasValueSatisfying(
        v -> assertThat(v).isEqualByComparingTo("0.0005"));
    assertThat(DurationText.exactSeconds("60.0004s")).hasValueSatisfying(
        v -> assertThat(v).isEqualByComparingTo("60.0004"));
    assertThat(DurationText.exactSeconds("1.5m")).hasValueSatisfying(
        v -> assertThat(v).isEqualByComparingTo("90"));
    assertThat(DurationText.exactSeconds("0.0000001h")).hasValueSatisfying(
        v -> assertThat(v).isEqualByComparingTo("0.00036"));
    assertThat(DurationText.exactSeconds("PT0.0009S")).hasValueSatisfying(
        v -> assertThat(v).isEqualByComparingTo("0.0009"));
    assertThat(DurationText.exactSeconds(" 90 ")).hasValueSatisfying(
        v -> assertThat(v).isEqualByComparingTo("90"));
    for (String bad : new String[] {"", "fast", "-5m", "9223372036854775807d"}) {
      assertThat(DurationText.exactSeconds(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void anythingElseIsEmptyRatherThanAnException() {
    // Catches a NumberFormatException or DateTimeParseException escaping to a command, which
    // would print a stack trace instead of one line naming the option.
    for (String bad : new String[] {"", " ", "fast", "5 m", "-5m", "+5m", "5x", "m", "1e3s",
        "5.m", ".5m", "PT", "P1Y", "P", "99999999999999999999999d", "9223372036854775807d",
        "PT99999999999999999999H", "5m5s"}) {
      assertThat(DurationText.parse(bad)).as(bad).isEmpty();
    }
  }

  // Caught: the ISO form let a sign through (PT-5S read as -5 s, exactSeconds -5.000000000)
  // where the short form's "-5s" is empty, as the javadoc says of a sign.
  @Test
  void anIsoDurationWithASignIsEmpty() {
    for (String signed : new String[] {"PT-5S", "-PT5S", "P-1D", "P1DT-1S", "PT+5S", "+PT5S",
        "pt-0.5s", "PT-0S"}) {
      assertThat(DurationText.parse(signed)).as(signed).isEmpty();
      assertThat(DurationText.exactSeconds(signed)).as(signed).isEmpty();
    }
  }

  // Caught: PT0.0005S came back unrounded, where 0.0005s gives 1 ms, and a tie the short form
  // computed in doubles (1.0025 s as 1002.4999... ms) was rounded down.
  @Test
  void everyFormIsRoundedHalfUpToTheMillisecond() {
    assertThat(DurationText.parse("PT0.0005S")).contains(Duration.ofMillis(1));
    assertThat(DurationText.parse("0.0005s")).contains(Duration.ofMillis(1));
    assertThat(DurationText.parse("PT0.0004999S")).contains(Duration.ZERO);
    assertThat(DurationText.parse("PT1.0025S")).contains(Duration.ofMillis(1003));
    assertThat(DurationText.parse("1.0025s")).contains(Duration.ofMillis(1003));
    assertThat(DurationText.parse("PT15.0005S")).contains(Duration.ofMillis(15_001));
    // exactSeconds still reads the digits as written, for the callers that refuse a rounding.
    assertThat(DurationText.exactSeconds("PT15.0005S")).hasValueSatisfying(
        v -> assertThat(v).isEqualByComparingTo("15.0005"));
  }

  /**
   * Caught: the ISO form took up to Long.MAX_VALUE seconds (P200000000000D, 548 million years),
   * past the millisecond range the javadoc promises. P100000000000D (274 million years, 8.64e18
   * ms) is within it, in both forms.
   */
  @Test
  void moreThanTheMillisecondRangeIsEmptyInEveryForm() {
    for (String far : new String[] {"P200000000000D", "200000000000d", "PT2562047788016H",
        "PT9223372036854775.8075S", "9223372036854775.8075s", "P106751991168D"}) {
      assertThat(DurationText.parse(far)).as(far).isEmpty();
      assertThat(DurationText.exactSeconds(far)).as(far).isEmpty();
    }
    Duration days = Duration.ofDays(100_000_000_000L);
    assertThat(DurationText.parse("P100000000000D")).contains(days);
    assertThat(DurationText.parse("100000000000d")).contains(days);
    Duration longest = Duration.ofMillis(Long.MAX_VALUE);
    assertThat(DurationText.parse("PT9223372036854775.807S")).contains(longest);
    assertThat(DurationText.parse("PT9223372036854775.8074S")).contains(longest);
    assertThat(DurationText.parse("9223372036854775807ms")).contains(longest);
  }

  /** Both forms of the same seconds, with up to 9 decimals, read as the same duration. */
  @Test
  void theIsoAndShortFormsOfTheSameSecondsAgree() {
    qt().forAll(longs().between(0, 10_000_000L), longs().between(0, 999_999_999L))
        .checkAssert((seconds, nanos) -> {
          String digits = BigDecimal.valueOf(seconds).add(BigDecimal.valueOf(nanos, 9))
              .toPlainString();
          long millis = BigDecimal.valueOf(seconds).add(BigDecimal.valueOf(nanos, 9))
              .movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
          assertThat(DurationText.parse("PT" + digits + "S")).as(digits)
              .contains(Duration.ofMillis(millis));
          assertThat(DurationText.parse(digits + "s")).as(digits)
              .contains(Duration.ofMillis(millis));
        });
  }

  @Test
  void aWholeNumberOfAnyUnitReadsBackExactly() {
    qt().forAll(longs().between(0, 100_000_000L)).checkAssert(n -> {
      assertThat(DurationText.parse(n + "ms")).contains(Duration.ofMillis(n));
      assertThat(DurationText.parse(n + "s")).contains(Duration.ofSeconds(n));
      assertThat(DurationText.parse(Long.toString(n))).contains(Duration.ofSeconds(n));
      assertThat(DurationText.parse(n + "m")).contains(Duration.ofMinutes(n));
      assertThat(DurationText.parse("PT" + n + "S")).isEqualTo(Optional.of(Duration.ofSeconds(n)));
    });
  }
}
