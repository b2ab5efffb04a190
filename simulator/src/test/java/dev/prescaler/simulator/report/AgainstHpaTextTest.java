package dev.prescaler.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.simulator.score.AgainstHpa;
import dev.prescaler.simulator.score.AtSlo;
import dev.prescaler.simulator.score.Scorecard;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgainstHpaTextTest {
  static Scorecard card(String name, double under, double hours, long actions, AtSlo atSlo) {
    return new Scorecard(name, 0.7, under, 0, hours, Double.NaN, actions,
        Optional.ofNullable(atSlo));
  }

  @Test
  void bothMeetingTheSloGiveEveryRatioPolicyOverHpa() {
    // Catches a ratio turned upside down (hpa / policy) or taken from the wrong column.
    AgainstHpa a = new AgainstHpa(
        card("predictive", 0.023, 2888.3, 906, new AtSlo(0.8, 2574.2, 0.07)),
        card("hpa", 0.876, 2291.9, 4466, new AtSlo(0.4, 3802.2, 0.09)));
    assertThat(AgainstHpaText.heading(a))
        .isEqualTo("predictive against hpa (ratio predictive / hpa)");
    assertThat(AgainstHpaText.lines(a, true)).containsExactly(
        "cost at the SLO                0.677  (2574.2 replica-h at target 0.80 against 3802.2 "
            + "at 0.40)",
        "under-provisioned time at 0.7  0.026  (0.023 % of the time against 0.876 %)",
        "replica-hours at 0.7           1.260  (2888.3 against 2291.9)",
        "scaling actions at 0.7         0.203  (906 against 4466)");
  }

  @Test
  void withoutASweepThereIsNoCostAtTheSlo() {
    AgainstHpa a = new AgainstHpa(card("predictive", 0.5, 10, 3, null),
        card("hpa", 1.0, 8, 4, null));
    assertThat(AgainstHpaText.lines(a, false)).hasSize(3)
        .noneMatch(l -> l.startsWith("cost at the SLO"));
  }

  @Test
  void whereARatioIsUndefinedItSaysWhy() {
    // Catches a division by zero printed as Infinity or NaN, or a "neither" that names one side.
    AgainstHpa onlyPolicy = new AgainstHpa(card("predictive", 0.05, 10, 3, new AtSlo(0.6, 9, 0.05)),
        card("hpa", 0, 8, 0, null));
    assertThat(AgainstHpaText.lines(onlyPolicy, true)).containsExactly(
        "cost at the SLO                -      (only predictive meets it: 9.0 replica-h at target "
            + "0.60)",
        "under-provisioned time at 0.7  -      (hpa is never short, predictive 0.050 % of the "
            + "time)",
        "replica-hours at 0.7           1.250  (10.0 against 8.0)",
        "scaling actions at 0.7         -      (hpa made none, predictive 3)");
    AgainstHpa onlyHpa = new AgainstHpa(card("linear", 0, 10, 0, null),
        card("hpa", 0, 8, 0, new AtSlo(0.95, 7.5, 0)));
    assertThat(AgainstHpaText.lines(onlyHpa, true)).containsExactly(
        "cost at the SLO                -      (only hpa meets it: 7.5 replica-h at target 0.95)",
        "under-provisioned time at 0.7  1.000  (neither is ever short)",
        "replica-hours at 0.7           1.250  (10.0 against 8.0)",
        "scaling actions at 0.7         1.000  (neither scaled)");
    AgainstHpa neither = new AgainstHpa(card("predictive", 1, 10, 3, null),
        card("hpa", 2, 8, 4, null));
    assertThat(AgainstHpaText.lines(neither, true).get(0))
        .isEqualTo("cost at the SLO                -      (neither meets it at any swept target)");
    assertThat(onlyPolicy.costAtSloRatio()).isNaN();
    assertThat(onlyPolicy.underProvisionedRatio()).isNaN();
    assertThat(onlyHpa.underProvisionedRatio()).isEqualTo(1.0);
  }

  @Test
  void referencesAndTheHpaAreNotCompared() {
    assertThat(AgainstHpa.isCompared("predictive")).isTrue();
    assertThat(AgainstHpa.isCompared("linear")).isTrue();
    assertThat(AgainstHpa.isCompared("hpa")).isFalse();
    assertThat(AgainstHpa.isCompared("oracle")).isFalse();
    assertThat(AgainstHpa.isCompared("oracle-100")).isFalse();
    assertThat(AgainstHpa.isCompared("static-peak")).isFalse();
  }
}
