package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.journal.JsonLinesJournal;
import dev.prescaler.k8s.KubeBackend;
import dev.prescaler.testkit.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mode a workload earned survives a restart through the journal, also when the journal has
 * just been rotated, and {@code mode: observe-only} overrides what the journal says.
 */
class AgentRestartTest {
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

  @TempDir Path dir;
  private KubeBackend kube;

  @BeforeEach
  void start() {
    kube = KubeBackend.mock();
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  private AgentConfig config(Path journal, String mode, boolean promoted) {
    return AgentConfigParser.parse("""
        engine:
          journal: %s
        kubernetes:
          leaderElection: false
          identity: agent-restart
        server:
          port: 0
          address: 127.0.0.1
        promotion:
          automatic: false
        workloads:
        """.formatted(journal) + TestConfigs.cpuWorkload(kube.namespace(), "web", mode,
        "promoted: " + promoted), "restart.yaml");
  }

  private Mode modeAfterStart(Path journal, String mode, boolean promoted) {
    WorkloadRef web = WorkloadRef.deployment(kube.namespace(), "web");
    try (Agent agent = Agent.create(config(journal, mode, promoted), kube.adapter(),
        new ManualClock(T0))) {
      return agent.engine().spec(web).orElseThrow().mode();
    }
  }

  @Test
  void anEarnedModeIsResumedFromTheJournalEvenRightAfterARotation() throws IOException {
    Path journal = dir.resolve("journal.jsonl");
    assertThat(modeAfterStart(journal, "act", true)).isEqualTo(Mode.ACT);
    assertThat(modeAfterStart(journal, "act", false)).as("resumed from the journal")
        .isEqualTo(Mode.ACT);

    // A crash right after the rename of a rotation leaves only the rotated file.
    Files.move(journal, JsonLinesJournal.rotatedFileOf(journal));
    assertThat(modeAfterStart(journal, "act", false)).as("resumed from the rotated file")
        .isEqualTo(Mode.ACT);

    assertThat(modeAfterStart(journal, "observe-only", true)).as("the kill switch wins")
        .isEqualTo(Mode.OBSERVE_ONLY);
  }
}
