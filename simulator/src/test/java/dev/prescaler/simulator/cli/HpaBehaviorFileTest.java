package dev.prescaler.simulator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HpaBehaviorFileTest {
  @TempDir Path dir;

  private String read(String behavior) throws IOException {
    Path file = Files.writeString(dir.resolve("hpa.yaml"), """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          behavior:
        """ + behavior.indent(4));
    return HpaBehaviorFile.read(file.toString()).toString();
  }

  /** go-yaml v2's reading of an unquoted scalar, as sigs.k8s.io/yaml (and kubectl) does it. */
  @Test
  void anUnquotedScalarIsReadAsGoYamlV2ReadsIt() {
    assertThat(HpaBehaviorFile.resolve("0123")).isEqualTo(83);
    assertThat(HpaBehaviorFile.resolve("0x10")).isEqualTo(16);
    assertThat(HpaBehaviorFile.resolve("-0x10")).isEqualTo(-16);
    assertThat(HpaBehaviorFile.resolve("1_000")).isEqualTo(1000);
    assertThat(HpaBehaviorFile.resolve("0o17")).isEqualTo(15);
    assertThat(HpaBehaviorFile.resolve("0b101")).isEqualTo(5);
    assertThat(HpaBehaviorFile.resolve("1:30")).isEqualTo("1:30"); // no base 60
    assertThat(HpaBehaviorFile.resolve("08")).isEqualTo(8.0); // no octal: a float
    assertThat(HpaBehaviorFile.resolve("60.0")).isEqualTo(60.0);
    assertThat(HpaBehaviorFile.resolve(".5")).isEqualTo(0.5);
    assertThat(HpaBehaviorFile.resolve("1e400")).isEqualTo("1e400"); // ParseFloat fails
    assertThat(HpaBehaviorFile.resolve("4294967296")).isEqualTo(4294967296L);
    assertThat(HpaBehaviorFile.resolve("18446744073709551615"))
        .isEqualTo(new BigInteger("18446744073709551615"));
    assertThat(HpaBehaviorFile.resolve("y")).isEqualTo(true);
    assertThat(HpaBehaviorFile.resolve("Off")).isEqualTo(false);
    assertThat(HpaBehaviorFile.resolve(".inf")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(HpaBehaviorFile.resolve("Max")).isEqualTo("Max");
    assertThat(HpaBehaviorFile.resolve("2024-01-01")).isEqualTo("2024-01-01");
  }

  /**
   * Catches {@code periodSeconds: 1:30} read as 90 (SnakeYAML's base 60), a manifest the API
   * server refuses (go-yaml reads the text "1:30", no integer): it is refused, naming the text.
   */
  @Test
  void aBase60NumberIsTextAsKubernetesReadsIt() {
    assertThatThrownBy(() -> read("""
        scaleUp:
          policies: [{type: Pods, value: 4, periodSeconds: 1:30}]
        """))
        .hasMessageEndingWith("spec.behavior.scaleUp.policies[0].periodSeconds must be an "
            + "integer in [1, 1800], but was \"1:30\"");
  }

  /** Catches a problem naming 4096 and true where the file says 0x1000 and yes. */
  @Test
  void aProblemShowsTheTextBesideWhatYamlRead() {
    assertThatThrownBy(() -> read("""
        scaleUp:
          selectPolicy: yes
          stabilizationWindowSeconds: 0x1000
        """))
        .hasMessageContaining("spec.behavior.scaleUp.stabilizationWindowSeconds must be an "
            + "integer in [0, 3600], but was 0x1000 (YAML read the number 4096)")
        .hasMessageContaining("spec.behavior.scaleUp.selectPolicy must be Max, Min or "
            + "Disabled, but was yes (YAML read the boolean true)");
  }

  /** What a manifest the API server takes means does not change; anchors and merges work. */
  @Test
  void aValidManifestMeansWhatKubernetesReads() throws IOException {
    assertThat(read("""
        scaleUp:
          stabilizationWindowSeconds: 0123
          policies:
            - &p {type: Pods, value: 0x10, periodSeconds: 1_000}
            - {<<: *p, type: Percent, value: 0o17}
        scaleDown:
          selectPolicy: "Min"
          tolerance: 5e-2
          policies: [{type: Percent, value: 10, periodSeconds: 60.0}]
        """)).isEqualTo("HpaPolicy{tolerance up 0.1 down 0.05, scaleUp: window 83s, Max of "
        + "[Pods 16 per 1000s, Percent 15 per 1000s]; scaleDown: window 300s, Min of [Percent "
        + "10 per 60s]}");
  }
}
