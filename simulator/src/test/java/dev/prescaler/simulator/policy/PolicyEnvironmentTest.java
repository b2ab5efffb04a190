package dev.prescaler.simulator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PolicyEnvironmentTest {
  @Test
  void needRoundsUpWithItsSlackAndIsAtLeastOne() {
    assertThat(PolicyEnvironment.need(150, 10)).isEqualTo(15);
    assertThat(PolicyEnvironment.need(150.0000000001, 10)).isEqualTo(15);
    assertThat(PolicyEnvironment.need(151, 10)).isEqualTo(16);
    assertThat(PolicyEnvironment.need(0, 10)).isEqualTo(1);
  }

  /**
   * Catches an overflowing quotient read as a count: 150 ÷ 1e-307 is Infinity, Infinity less its
   * slack is NaN, and {@code (int) Math.max(1, NaN)} is 0 replicas; 1e300 ÷ 1 was cut to
   * Integer.MAX_VALUE.
   */
  @Test
  void need_overflowingQuotient() {
    assertThatThrownBy(() -> PolicyEnvironment.need(150, 1e-307))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the demand 150.0 ÷ 1.0E-307 per replica is Infinity: not a replica count "
            + "an int holds");
    assertThatThrownBy(() -> PolicyEnvironment.need(1e300, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the demand 1.0E300 ÷ 1.0 per replica is 1.0E300: not a replica count an "
            + "int holds");
  }
}
