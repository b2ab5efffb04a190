package dev.prescaler.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.InvalidConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimulationConfigTest {
  @Test
  void defaultsAreTheModelOfTheDesign() {
    SimulationConfig c = SimulationConfig.ofDefaults();
    assertThat(c.syncPeriod()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.peakReplicas()).isEqualTo(20);
    assertThat(c.metricsDelay()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.startupDelay()).isEqualTo(Duration.ofSeconds(120));
    assertThat(c.targetUtilization()).isEqualTo(0.7);
    assertThat(c.slo()).isEqualTo(0.1);
    assertThat(c.riskQuantile()).isEqualTo(0.95);
    assertThat(c.capacity()).isEmpty();
    assertThat(c.minReplicas()).isEqualTo(1);
    assertThat(c.maxReplicas()).isEmpty();
    assertThat(c.givenOptions()).isEmpty();
    assertThat(c.toBuilder().build()).isEqualTo(c);
    SimulationConfig bounded = c.toBuilder().minReplicas(2).maxReplicas(30).build();
    assertThat(bounded.toBuilder().build()).isEqualTo(bounded);
    assertThat(bounded.givenOptions()).contains("minReplicas 2, maxReplicas 30");
    assertThat(c.toBuilder().maxReplicas(30).build().givenOptions()).contains("maxReplicas 30");
    SimulationConfig fourier = c.toBuilder().forecaster("fourier").build();
    assertThat(fourier.toBuilder().build()).isEqualTo(fourier);
    assertThat(fourier.givenOptions()).contains("forecaster fourier");
    assertThat(c.forecaster()).isEqualTo("auto");
  }

  @Test
  void targetUtilization_aboveOne() {
    assertThatThrownBy(() -> SimulationConfig.builder().targetUtilization(1.5).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("targetUtilization must be in (0, 1], but was 1.5");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> SimulationConfig.builder().capacity(-1).peakReplicas(0)
        .startupDelay(Duration.ZERO).slo(101).riskQuantile(0.3).threads(0).minReplicas(0)
        .maxReplicas(2_000_000).forecaster("arima").build())
        .hasMessageContaining("capacity must be > 0 and finite, but was -1.0")
        .hasMessageContaining("peakReplicas must be >= 1, but was 0")
        .hasMessageContaining("startupDelay must be in (0, 1h], but was PT0S")
        .hasMessageContaining("slo must be in [0, 100] percent, but was 101.0")
        .hasMessageContaining("riskQuantile must be in [0.5, 0.999], but was 0.3")
        .hasMessageContaining("threads must be in [1, 64], but was 0")
        .hasMessageContaining("minReplicas must be in [1, 1000000], but was 0")
        .hasMessageContaining("maxReplicas must be in [minReplicas (0), 1000000], but was 2000000")
        .hasMessageContaining("forecaster must be one of [linear-trend, seasonal-naive, "
            + "holt-winters, fourier, auto], but was \"arima\"");
  }

  @Test
  void policies_repeated() {
    // Catches "--policies hpa,hpa" running (and reporting) hpa twice.
    assertThatThrownBy(() -> SimulationConfig.builder()
        .policies(java.util.List.of("hpa", "predictive", "hpa")).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("policies must not repeat a name, but named \"hpa\" more than once");
  }

  @Test
  void capacity_belowTheSmallestNormalDouble() {
    assertThatThrownBy(() -> SimulationConfig.builder().capacity(1e-310).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("capacity must be at least 2.2250738585072014E-308 (the smallest "
            + "normal double: give the trace in a smaller unit), but was 1.0E-310");
    assertThat(SimulationConfig.builder().capacity(Double.MIN_NORMAL).build().capacity())
        .hasValue(Double.MIN_NORMAL);
  }

  /**
   * Catches durations finer than a millisecond accepted: the grid and the engines count in
   * milliseconds, so they were reported as given and simulated truncated.
   */
  @Test
  void durations_finerThanAMillisecond() {
    assertThatThrownBy(() -> SimulationConfig.builder()
        .syncPeriod(Duration.ofNanos(15_000_000_100L)).metricsDelay(Duration.ofNanos(1))
        .startupDelay(Duration.ofNanos(900_000)).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("syncPeriod must be a whole number of milliseconds, but was "
            + "PT15.0000001S")
        .hasMessageContaining("metricsDelay must be a whole number of milliseconds, but was "
            + "PT0.000000001S")
        .hasMessageContaining("startupDelay must be a whole number of milliseconds, but was "
            + "PT0.0009S");
    assertThat(SimulationConfig.builder().startupDelay(Duration.ofMillis(1500)).build()
        .startupDelay()).isEqualTo(Duration.ofMillis(1500));
  }
}
