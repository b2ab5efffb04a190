package dev.prescaler.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one spelling of each mode, shared by the agent's configuration, mode store and metrics. */
class ModeTest {

  @Test
  void eachModeIsReadBackFromItsText() {
    assertThat(Mode.OBSERVE_ONLY.text()).isEqualTo("observe-only");
    assertThat(Mode.ACT.text()).isEqualTo("act");
    assertThat(Mode.HPA_FLOOR.text()).isEqualTo("hpa-floor");
    for (Mode m : Mode.values()) {
      assertThat(Mode.ofText(m.text())).contains(m);
    }
    assertThat(Mode.ofText("HPA_FLOOR")).isEmpty();
    assertThat(Mode.ofText("hpa_floor")).isEmpty();
    assertThat(Mode.ofText("")).isEmpty();
  }
}
