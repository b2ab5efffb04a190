package dev.prescaler.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NumbersTest {
  @Test
  void aMeasureKeepsItsDigitsWhateverItsUnit() {
    // Catches a capacity printed as 0 (fixed decimals on a trace in large units) and one
    // printed with hundreds of zeros (plain notation of an absurd --capacity).
    assertThat(Numbers.measure(28.928571428571, 6)).isEqualTo("28.928571"); // NASA, unchanged
    assertThat(Numbers.measure(0.357142857142, 9)).isEqualTo("0.357142857");
    assertThat(Numbers.measure(2.142857142857e-10, 6)).isEqualTo("0.000000000214286");
    assertThat(Numbers.measure(2.142857142857e-10, 9)).isEqualTo("0.000000000214286");
    assertThat(Numbers.measure(1e-300, 9)).isEqualTo("1E-300");
    assertThat(Numbers.measure(1.0714285714e-13, 9)).isEqualTo("1.07143E-13");
    assertThat(Numbers.measure(1.5e15, 6)).isEqualTo("1500000000000000");
    assertThat(Numbers.measure(0, 6)).isEqualTo("0");
    assertThat(Numbers.measure(Double.NaN, 6)).isEqualTo("null");
    assertThat(Double.parseDouble(Numbers.measure(1e-300, 9))).isEqualTo(1e-300);
  }

  /**
   * Catches a score that is not 0 shown as 0 by its places (a policy short for one step of a
   * year read as never short), and a score the places hold changed from its fixed form.
   */
  @Test
  void fixedNeverShowsAValueThatIsNotZeroAsZero() {
    assertThat(Numbers.fixed(100.0 / 2_102_400, 3)).isEqualTo("0.0000476");
    assertThat(Numbers.fixed(0.0004, 3)).isEqualTo("0.0004");
    assertThat(Numbers.fixed(1e-300, 3)).isEqualTo("1E-300");
    assertThat(Numbers.fixed(0.0005, 3)).isEqualTo("0.001");
    assertThat(Numbers.fixed(0.023, 3)).isEqualTo("0.023");
    assertThat(Numbers.fixed(2291.94, 1)).isEqualTo("2291.9");
    assertThat(Numbers.fixed(0, 3)).isEqualTo("0.000");
    assertThat(Numbers.fixed(Double.NaN, 3)).isEqualTo("-");
  }

  /**
   * Catches a setting written rounded to a fixed number of decimals (a target utilization of
   * 1e-9 written as 0), and an exact form that differs from the rounded one where both hold it.
   */
  @Test
  void exactJsonKeepsEveryDigitOfASetting() {
    assertThat(Numbers.exactJson(1e-9)).isEqualTo("0.000000001");
    assertThat(Numbers.exactJson(0.1234567891234)).isEqualTo("0.1234567891234");
    assertThat(Numbers.exactJson(1e-300)).isEqualTo("1E-300");
    assertThat(Numbers.exactJson(Double.NaN)).isEqualTo("null");
    for (double v : new double[] {0.7, 0.1, 0.95, 1, 0, 100, 0.5, 0.999, 0.000001, 70}) {
      assertThat(Numbers.exactJson(v)).as("%s", v).isEqualTo(Numbers.json(v, 6));
    }
  }
}
