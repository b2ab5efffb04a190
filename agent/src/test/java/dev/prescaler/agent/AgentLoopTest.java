package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The agent's scheduled round: {@link Agent#guarded}. */
class AgentLoopTest {
  /**
   * Catches an error escaping a scheduled round (an {@code OutOfMemoryError} when no thread can
   * be started): {@code scheduleAtFixedRate} then cancels every later round without a word, and
   * the agent stops deciding until {@code /healthz} reports it stalled.
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
}
