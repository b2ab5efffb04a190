package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The integration-test harness fails loudly, naming the install command, without the binary. */
class PrometheusServerTest {

  @Test
  void aMissingBinaryFailsTheTestNamingTheInstallCommand() {
    assertThatThrownBy(() -> PrometheusServer.binary("prometheus-not-installed-here"))
        .isInstanceOf(AssertionError.class)
        .hasMessage("prometheus-not-installed-here is not on the PATH: these integration tests "
            + "run the real Prometheus server. Install it with: "
            + "apt-get install -y --no-install-recommends prometheus");
  }

  @Test
  void anInstalledBinaryIsFound() {
    assertThat(PrometheusServer.binary("sh")).isExecutable();
  }
}
