package dev.prescaler.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

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
