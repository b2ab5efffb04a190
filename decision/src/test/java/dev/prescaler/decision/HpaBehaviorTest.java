package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.InvalidConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HpaBehaviorTest {
  private static String applied(Map<?, ?> behavior) {
    return HpaBehavior.apply(behavior, HpaPolicy.builder(), "hpa.yaml: spec.behavior").build()
        .toString();
  }

  @Test
  void noBehaviorIsTheControllersOlderPathAndAnEmptyOneTheDefaultRules() {
    // defaults.go fills in the rules only when spec.behavior is set; horizontal.go runs
    // normalizeDesiredReplicas when it is nil.
    assertThat(applied(null)).isEqualTo(HpaPolicy.ofDefaults().toString())
        .isEqualTo("HpaPolicy{tolerance up 0.1 down 0.1, no behavior}");
    assertThat(applied(Map.of())).isEqualTo("HpaPolicy{tolerance up 0.1 down 0.1, scaleUp: "
        + "window 0s, Max of [Pods 4 per 15s, Percent 100 per 15s]; scaleDown: window 300s, Max "
        + "of [Percent 100 per 15s]}")
        .isEqualTo(HpaPolicy.builder().defaultBehavior().build().toString());
  }

  @Test
  void aDirectionThatIsPresentKeepsTheDefaultsOfItsAbsentFields() {
    // defaults.go: copyHPAScalingRules copies only the fields that are set.
    assertThat(applied(Map.of("scaleDown", Map.of("stabilizationWindowSeconds", 60))))
        .isEqualTo(HpaPolicy.builder().scaleDownStabilization(Duration.ofSeconds(60)).build()
            .toString());
    assertThat(applied(Map.of("scaleUp", Map.of("selectPolicy", "Min")))).isEqualTo(
        HpaPolicy.builder().scaleUp(ScalingRules.DEFAULT_UP.withSelect(ScalingRules.Select.MIN))
            .build().toString());
  }

  @Test
  void everyFieldIsRead() {
    Map<String, Object> behavior = Map.of(
        "scaleUp", Map.of("stabilizationWindowSeconds", 30, "selectPolicy", "Max",
            "tolerance", "50m",
            "policies", List.of(Map.of("type", "Pods", "value", 2, "periodSeconds", 60),
                Map.of("type", "Percent", "value", 50, "periodSeconds", 60))),
        "scaleDown", Map.of("stabilizationWindowSeconds", 600, "selectPolicy", "Disabled",
            "tolerance", 0.2,
            "policies", List.of(Map.of("type", "Percent", "value", 10, "periodSeconds", 120))));

    HpaPolicy expected = HpaPolicy.builder()
        .scaleUp(new ScalingRules(Duration.ofSeconds(30),
            List.of(ScalingPolicy.pods(2, Duration.ofMinutes(1)),
                ScalingPolicy.percent(50, Duration.ofMinutes(1))), ScalingRules.Select.MAX))
        .scaleDown(new ScalingRules(Duration.ofMinutes(10),
            List.of(ScalingPolicy.percent(10, Duration.ofMinutes(2))),
            ScalingRules.Select.DISABLED))
        .toleranceUp(0.05).toleranceDown(0.2).build();
    assertThat(applied(behavior)).isEqualTo(expected.toString())
        .isEqualTo("HpaPolicy{tolerance up 0.05 down 0.2, scaleUp: window 30s, Max of [Pods 2 "
            + "per 60s, Percent 50 per 60s]; scaleDown: window 600s, Disabled}");
  }

  @Test
  void everyProblemIsListedWithItsPathAndValueAndNothingIsApplied() {
    HpaPolicy.Builder builder = HpaPolicy.builder();
    Map<String, Object> behavior = Map.of(
        "scaleUp", Map.of("stabilizationWindowSeconds", -1, "selectPolicy", "max",
            "tolerance", "lots", "policies", List.of()),
        "scaleDown", Map.of("stabilizationWindowSecond", 60,
            "policies", List.of(Map.of("type", "Pods", "value", 0, "periodSeconds", 1801),
                "Percent")));

    assertThatThrownBy(() -> HpaBehavior.apply(behavior, builder, "b"))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e ->
            assertThat(e.problems()).containsExactly(
                "b.scaleUp.stabilizationWindowSeconds must be an integer in [0, 3600], but "
                    + "was -1",
                "b.scaleUp.selectPolicy must be Max, Min or Disabled, but was \"max\"",
                "b.scaleUp.policies must hold at least one policy, but was empty",
                "b.scaleUp.tolerance must be a quantity >= 0 such as 0.05, 50m or 500u, but "
                    + "was \"lots\"",
                "b.scaleDown has unknown field stabilizationWindowSecond; known: [policies, "
                    + "selectPolicy, stabilizationWindowSeconds, tolerance]",
                "b.scaleDown.policies[0].value must be an integer in [1, 2147483647], but "
                    + "was 0",
                "b.scaleDown.policies[0].periodSeconds must be an integer in [1, 1800], but "
                    + "was 1801",
                "b.scaleDown.policies[1] must be an object, but was \"Percent\""));
    assertThat(builder.build().toString()).isEqualTo(HpaPolicy.ofDefaults().toString());
  }

  @Test
  void aToleranceIsAnyQuantityTheApiServerAccepts() {
    // HPAScalingRules.tolerance: a resource.Quantity that must be >= 0, nothing more
    String[][] cases = {{"500u", "5.0E-4"}, {"50m", "0.05"}, {"0.05", "0.05"}, {"1.5", "1.5"},
        {"2", "2.0"}, {"1k", "1000.0"}, {"1Ki", "1024.0"}, {"5e-2", "0.05"}, {"1E1", "10.0"},
        {"250000n", "2.5E-4"}, {".5", "0.5"}, {"+0.1", "0.1"}};
    for (String[] c : cases) {
      assertThat(applied(Map.of("scaleDown", Map.of("tolerance", c[0]))))
          .as(c[0]).startsWith("HpaPolicy{tolerance up 0.1 down " + c[1] + ",");
    }
    assertThat(applied(Map.of("scaleUp", Map.of("tolerance", 3)))).startsWith(
        "HpaPolicy{tolerance up 3.0 down 0.1,");
    for (Object bad : new Object[] {"-0.1", "-1m", "1.5x", "m", "", "1e", -0.5, Double.NaN,
        Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> applied(Map.of("scaleUp", Map.of("tolerance", bad))))
          .as("%s", bad).hasMessageContaining("hpa.yaml: spec.behavior.scaleUp.tolerance must "
              + "be a quantity >= 0 such as 0.05, 50m or 500u, but was ");
    }
  }

  @Test
  void aNumberWhereAnIntegerIsExpectedIsRefused() {
    assertThatThrownBy(() -> applied(Map.of("scaleDown",
        Map.of("stabilizationWindowSeconds", 60.5))))
        .hasMessageContaining("hpa.yaml: spec.behavior.scaleDown.stabilizationWindowSeconds "
            + "must be an integer in [0, 3600], but was 60.5");
  }

  /**
   * Catches a problem showing only the value YAML read: {@code selectPolicy: yes} was "but was
   * true", {@code stabilizationWindowSeconds: 0x800} "but was 2048". A scalar given with its
   * text is shown as written, and what YAML read beside it where that prints otherwise.
   */
  @Test
  void aScalarGivenWithItsTextIsShownAsWrittenBesideWhatYamlRead() {
    Map<String, Object> behavior = Map.of("scaleUp", Map.of(
        "stabilizationWindowSeconds", new HpaBehavior.Scalar(4096, "0x1000"),
        "selectPolicy", new HpaBehavior.Scalar(true, "yes"),
        "tolerance", new HpaBehavior.Scalar(false, "off"),
        "policies", List.of(Map.of("type", new HpaBehavior.Scalar(1, "1"),
            "value", new HpaBehavior.Scalar(0, "0"),
            "periodSeconds", new HpaBehavior.Scalar(10000.0, "1e4")))));
    assertThatThrownBy(() -> HpaBehavior.apply(behavior, HpaPolicy.builder(), "b"))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e ->
            assertThat(e.problems()).containsExactlyInAnyOrder(
                "b.scaleUp.stabilizationWindowSeconds must be an integer in [0, 3600], but "
                    + "was 0x1000 (YAML read the number 4096)",
                "b.scaleUp.selectPolicy must be Max, Min or Disabled, but was yes (YAML read "
                    + "the boolean true)",
                "b.scaleUp.tolerance must be a quantity >= 0 such as 0.05, 50m or 500u, but "
                    + "was off (YAML read the boolean false)",
                "b.scaleUp.policies[0].type must be Pods or Percent, but was 1",
                "b.scaleUp.policies[0].value must be an integer in [1, 2147483647], but was 0",
                "b.scaleUp.policies[0].periodSeconds must be an integer in [1, 1800], but was "
                    + "1e4 (YAML read the number 10000.0)"));
    // A boolean is no policy, even where it would print as one.
    assertThatThrownBy(() -> applied(Map.of("scaleDown", Map.of("selectPolicy",
        new HpaBehavior.Scalar(Boolean.TRUE, "Max")))))
        .hasMessageContaining("selectPolicy must be Max, Min or Disabled, but was Max (YAML "
            + "read the boolean true)");
  }

  /** A scalar with its text reads as its value: a valid manifest means what it meant. */
  @Test
  void aScalarGivenWithItsTextReadsAsItsValue() {
    assertThat(applied(Map.of("scaleDown", Map.of(
        "stabilizationWindowSeconds", new HpaBehavior.Scalar(83, "0123"),
        "tolerance", new HpaBehavior.Scalar(0.25, "0.25"),
        "policies", List.of(Map.of("type", "Pods", "value", new HpaBehavior.Scalar(16, "0x10"),
            "periodSeconds", new HpaBehavior.Scalar(1000, "1_000")))))))
        .isEqualTo("HpaPolicy{tolerance up 0.1 down 0.25, scaleUp: window 0s, Max of [Pods 4 "
            + "per 15s, Percent 100 per 15s]; scaleDown: window 83s, Max of [Pods 16 per "
            + "1000s]}");
  }

  /**
   * kubectl sends the JSON of the float go-yaml read, and Go writes 60.0 as 60: the API server
   * reads an integer field given {@code 60.0} or {@code 6e1} as 60 (not 60.5).
   */
  @Test
  void aFloatWithAWholeValueIsTheIntegerTheApiServerReceives() {
    assertThat(applied(Map.of("scaleDown", Map.of("stabilizationWindowSeconds", 60.0,
        "policies", List.of(Map.of("type", "Percent", "value", 6e1, "periodSeconds",
            new HpaBehavior.Scalar(30.0, "30.0")))))))
        .endsWith("scaleDown: window 60s, Max of [Percent 60 per 30s]}");
  }
}
