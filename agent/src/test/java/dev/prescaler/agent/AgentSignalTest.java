package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.k8s.KubeBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
      Files.writeString(kubeconfig, """
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
          """.formatted(kube.adapter().getBasePath()));
      Path config = dir.resolve("agent.yaml");
      Files.writeString(config, """
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
          """.formatted(dir.resolve("journal.jsonl"), kubeconfig)
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

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return "(stderr unreadable: " + e + ")";
    }
  }
}
