package dev.prescaler.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.agent.Agent;
import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.journal.JsonLinesJournal;
import dev.prescaler.k8s.HpaFloorExecutor;
import dev.prescaler.k8s.LeaseElector;
import dev.prescaler.k8s.ModeStore;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log levels the command line ships ({@code src/main/resources/simplelogger.properties}, the
 * only one on this module's classpath), read through slf4j-simple as the agent's process reads
 * them.
 */
class ShippedLoggingTest {
  /**
   * Catches the lines the README tells operators to watch hidden by the shipped levels: with the
   * default at warn and only {@code dev.prescaler.agent} at info, the HPA releases at stop
   * (Uninstall, step 1), the mode-store prune, leadership changes, mode changes and scale actions
   * never appeared.
   */
  @Test
  void theAgentsLifeCycleLinesAreLoggedAtInfo() {
    assertThat(LoggerFactory.getILoggerFactory().getClass().getName())
        .as("slf4j-simple reads the file").contains("Simple");
    for (Class<?> c : List.of(Agent.class, HpaFloorExecutor.class, ModeStore.class,
        LeaseElector.class, AutoscalerEngine.class, JsonLinesJournal.class)) {
      assertThat(LoggerFactory.getLogger(c).isInfoEnabled()).as(c.getName()).isTrue();
    }
    Logger engine = LoggerFactory.getLogger(AutoscalerEngine.class);
    assertThat(engine.isDebugEnabled()).as("per-tick detail stays off").isFalse();
  }

  /** Catches third-party libraries (the Kubernetes client, okhttp) flooding the agent's log. */
  @Test
  void thirdPartyLibrariesLogWarningsOnly() {
    for (String name : List.of("io.kubernetes.client.util.ClientBuilder", "okhttp3.OkHttpClient",
        "io.prometheus.metrics", "org.yaml.snakeyaml")) {
      Logger log = LoggerFactory.getLogger(name);
      assertThat(log.isInfoEnabled()).as(name).isFalse();
      assertThat(log.isWarnEnabled()).as(name).isTrue();
    }
  }

  /**
   * The other commands keep Prescaler's own loggers at WARN, as before the agent's life cycle
   * was logged: the simulator would log every simulated scale action and mode change.
   */
  @Test
  void onlyTheAgentLogsPrescalersInfoLines() {
    for (String command : List.of("simulate", "forecast-eval", "export", "summarize")) {
      Properties system = new Properties();
      Prescaler.quietUnlessAgent(new String[] {command, "--help"}, system);
      assertThat(system.getProperty(Prescaler.OWN_LOG_LEVEL)).as(command).isEqualTo("warn");
    }
    Properties system = new Properties();
    Prescaler.quietUnlessAgent(new String[] {"agent", "--config", "a.yaml"}, system);
    assertThat(system.getProperty(Prescaler.OWN_LOG_LEVEL)).as("the file's INFO").isNull();
    Properties chosen = new Properties();
    chosen.setProperty(Prescaler.OWN_LOG_LEVEL, "debug");
    Prescaler.quietUnlessAgent(new String[] {"simulate"}, chosen);
    assertThat(chosen.getProperty(Prescaler.OWN_LOG_LEVEL)).as("a level set wins")
        .isEqualTo("debug");
  }
}
