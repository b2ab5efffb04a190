package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.k8s.KubeBackend;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prescaler agent} in a process of its own, stopped by SIGTERM as the kubelet stops it. */
class AgentSignalTest {
  @TempDir Path dir;

  /**
   * Catches a clean stop on SIGTERM exiting 143 (the JVM's status for the signal), which the
   * command documents as no exit code and Kubernetes shows as {@code Error}: {@code main}'s
   * {@code System.exit(0)} blocked while the shutdown hook stopped the agent, and the JVM then
   * exited with the signal's status.
   */
  @Test
  void aCleanStopOnSigtermExitsZero() throws Exception {
    try (KubeBackend kube = KubeBackend.mock()) {
      kube.deployment("web", 3);
      Path kubeconfig = dir.resolve("kubeconfig");
      Files.writeString(kubeconfig, kubeconfig(kube));
      Path config = dir.resolve("agent.yaml");
      Files.writeString(config, config(kubeconfig)
          + TestConfigs.cpuWorkload(kube.namespace(), "web", "observe-only", ""));
      Path err = dir.resolve("stderr.txt");
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-cp", System.getProperty("java.class.path"), AgentMain.class.getName(),
          "--config", config.toString()).redirectError(err.toFile()).start();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line = out.readLine(); // the agent is running once it says so
        assertThat(line).as(() -> readQuietly(err))
            .startsWith("prescaler agent running: 1 workloads");
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
      } finally {
        p.destroyForcibly();
      }
      assertThat(p.exitValue()).as(() -> readQuietly(err)).isZero();
      assertThat(readQuietly(err)).contains("agent stopped");
    }
  }

  /**
   * Catches an Error at start leaving the shutdown hook registered: the command's exit with 1
   * ran the hook, which stops the agent and halts with 0 after a clean stop, so an
   * OutOfMemoryError at start ended as a success. The start now stops the agent itself (its
   * scheduler shut down, the hook removed) and the Error goes on to the caller.
   */
  @Test
  void anErrorAtStartStopsTheAgentBeforeItGoesOn() throws Exception {
    try (KubeBackend kube = KubeBackend.mock()) {
      kube.deployment("web", 3);
      Path kubeconfig = dir.resolve("kubeconfig");
      Files.writeString(kubeconfig, kubeconfig(kube));
      AgentConfig config = AgentConfigParser.parse(config(kubeconfig)
          + TestConfigs.cpuWorkload(kube.namespace(), "web", "observe-only", ""), "agent.yaml");
      ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1) {
        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay,
            long delay, TimeUnit unit) {
          throw new OutOfMemoryError("no room for the round's thread");
        }
      };
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      assertThatThrownBy(() -> Agent.runUntilStopped(config,
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8), () -> scheduler))
          .isInstanceOf(OutOfMemoryError.class);
      assertThat(scheduler.isShutdown()).as("stopped before the Error went on").isTrue();
    }
  }

  private String kubeconfig(KubeBackend kube) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
          - name: mock
            cluster: {server: "%s"}
        contexts:
          - name: mock
            context: {cluster: mock, user: mock}
        current-context: mock
        users:
          - name: mock
            user: {token: test}
        """.formatted(kube.adapter().getBasePath());
  }

  private String config(Path kubeconfig) {
    return """
        engine:
          syncPeriod: 1h
          journal: %s
        kubernetes:
          kubeconfig: %s
          leaderElection: false
          identity: agent-signal
          modeStore: none
        server:
          port: 0
          address: 127.0.0.1
        promotion:
          automatic: false
        workloads:
        """.formatted(dir.resolve("journal.jsonl"), kubeconfig);
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return "(stderr unreadable: " + e + ")";
    }
  }
}
