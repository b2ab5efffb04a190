package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.prescaler.k8s.KubeBackend;
import dev.prescaler.testkit.ManualClock;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The agent's scheduled round: {@link Agent#guarded}, and how {@link Agent#start} schedules it. */
class AgentLoopTest {
  /**
   * Catches an error escaping a scheduled round (an {@code OutOfMemoryError} when no thread can
   * be started): the schedule then cancels every later round without a word, and the agent stops
   * deciding until {@code /healthz} reports it stalled.
   */
  @Test
  void nothingEscapesARoundAndEachCallRunsIt() {
    AtomicInteger runs = new AtomicInteger();
    Runnable round = Agent.guarded(() -> {
      if (runs.incrementAndGet() == 1) {
        throw new OutOfMemoryError("unable to create native thread");
      }
      throw new IllegalStateException("second round fails too");
    });
    assertThatCode(round::run).doesNotThrowAnyException();
    assertThatCode(round::run).doesNotThrowAnyException();
    assertThat(runs).hasValue(2);
  }

  /** Records the rounds scheduled with a fixed delay and runs none of them. */
  private static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
    int fixedRate;
    long fixedDelayPeriod = -1;

    RecordingScheduler() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay,
        long period, TimeUnit unit) {
      fixedRate++;
      return super.schedule(() -> { }, 1, TimeUnit.DAYS);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay,
        long delay, TimeUnit unit) {
      fixedDelayPeriod = unit.toMillis(delay);
      return super.schedule(() -> { }, 1, TimeUnit.DAYS);
    }
  }

  /**
   * Catches the tick loop scheduled at a fixed rate: after a slow round (a source or the API
   * server stalled, a long GC pause) the rounds it missed ran back to back, milliseconds apart,
   * each a step of the step limits (2 → 6 → 12 → 24 → 48 → 64 within 1 ms after a 6 s stall at a
   * 1 s sync period). The loop runs a sync period after each round ends.
   */
  @Test
  void theTickLoopRunsASyncPeriodAfterEachRoundEnds() {
    KubeBackend kube = KubeBackend.mock();
    RecordingScheduler scheduler = new RecordingScheduler();
    try (kube; Agent agent = Agent.create(AgentConfigParser.parse("""
        kubernetes:
          leaderElection: false
          identity: agent-loop
        server:
          port: 0
          address: 127.0.0.1
        engine:
          syncPeriod: 5s
        promotion:
          automatic: false
        workloads:
        """ + TestConfigs.cpuWorkload(kube.namespace(), "web", "observe-only", ""), "loop.yaml"),
        kube.adapter(), new ManualClock(Instant.parse("2026-03-02T00:00:00Z")))) {
      agent.start(scheduler);
      assertThat(scheduler.fixedRate).as("rounds at a fixed rate").isZero();
      assertThat(scheduler.fixedDelayPeriod).isEqualTo(5_000);
    } finally {
      scheduler.shutdownNow();
    }
  }
}
