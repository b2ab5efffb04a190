package dev.prescaler.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;

class IntegerTextTest {
  /** The zero digit of each script {@link Integer#parseInt} reads besides ASCII. */
  private static final int[] OTHER_ZEROS = {0x0660, 0x06F0, 0x0966, 0x09E6, 0xFF10, 0x1D7CE};

  @Test
  void readsAsciiDigitsWithAnOptionalSign() {
    assertThat(IntegerText.parseInt("12")).hasValue(12);
    assertThat(IntegerText.parseInt("+12")).hasValue(12);
    assertThat(IntegerText.parseInt("-1")).hasValue(-1);
    assertThat(IntegerText.parseInt("007")).hasValue(7);
    assertThat(IntegerText.parseInt("2147483647")).hasValue(Integer.MAX_VALUE);
    assertThat(IntegerText.parseLong("-9223372036854775808")).hasValue(Long.MIN_VALUE);
  }

  /**
   * Catches the digits of other scripts read as numbers: {@code simulate --threads ٥} (an
   * Arabic-Indic five) ran with 5 threads, as {@link Integer#parseInt} reads it, while {@code
   * --capacity ٥} was refused.
   */
  @Test
  void refusesTheDigitsOfOtherScripts() {
    assertThat(Integer.parseInt("\u0665")).isEqualTo(5); // what the commands used to read
    for (String bad : new String[] {"\u0665", "\u06F5", "\u0969", "\uFF15", "1\u0660",
        "\uD835\uDFD3", "-\u0661"}) {
      assertThat(IntegerText.parseInt(bad)).as(bad).isEmpty();
      assertThat(IntegerText.parseLong(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void anythingElseIsEmptyRatherThanAnException() {
    for (String bad : new String[] {"", " ", " 5", "5 ", "+", "-", "+-5", "5.0", "5e1", "0x10",
        "5L", "five", "\u00B2", "2147483648", "-2147483649"}) {
      assertThat(IntegerText.parseInt(bad)).as(bad).isEmpty();
    }
    assertThat(IntegerText.parseLong("2147483648")).hasValue(2147483648L);
    assertThat(IntegerText.parseLong("9223372036854775808")).isEmpty();
  }

  /** Every long reads back from its decimal form, and every int as an int. */
  @Test
  void everyNumberReadsBackFromItsDecimalForm() {
    qt().forAll(longs().all()).checkAssert(n ->
        assertThat(IntegerText.parseLong(Long.toString(n))).hasValue(n));
    qt().forAll(integers().all()).checkAssert(n ->
        assertThat(IntegerText.parseInt(Integer.toString(n))).hasValue(n));
  }

  /** A number written in another script's digits is never read, whatever its digits. */
  @Test
  void aNumberInAnotherScriptsDigitsIsNeverRead() {
    qt().forAll(integers().allPositive(), integers().between(0, OTHER_ZEROS.length - 1))
        .checkAssert((n, script) -> {
          StringBuilder b = new StringBuilder();
          Integer.toString(n).chars().forEach(c -> b.appendCodePoint(OTHER_ZEROS[script]
              + c - '0'));
          assertThat(IntegerText.parseInt(b.toString())).as(b.toString()).isEmpty();
        });
  }
}
