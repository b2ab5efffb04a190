package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AsyncListener}: the engine never waits for a slow listener, events arrive in order, a
 * full queue drops rather than blocks. Waits are on latches with a timeout, never sleeps.
 */
class AsyncListenerTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Records mode changes on its own thread; blocks on {@code gate} until it is opened. */
  private static final class SlowModes implements EngineListener {
    final CountDownLatch gate;
    final CountDownLatch entered = new CountDownLatch(1);
    final List<String> reasons = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    SlowModes(boolean open) {
      this.gate = new CountDownLatch(open ? 0 : 1);
    }

    @Override
    public void onModeChanged(ModeChangedEvent event) {
      entered.countDown();
      try {
        if (!gate.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (event.reason().equals("throw")) {
        throw new IllegalStateException("listener failed on purpose");
      }
      reasons.add(event.reason());
      threads.add(Thread.currentThread().getName());
    }
  }

  private AsyncListener async;

  @AfterEach
  void close() {
    if (async != null) {
      async.close(Duration.ZERO);
    }
  }

  private static ModeChangedEvent mode(String reason) {
    return new ModeChangedEvent(WEB, T0, Mode.OBSERVE_ONLY, Mode.ACT, reason);
  }

  @Test
  void deliversInOrderOnItsOwnThreadAndGoesOnAfterAFailure() throws InterruptedException {
    SlowModes slow = new SlowModes(true);
    async = AsyncListener.of(slow, "test");
    for (String r : List.of("a", "b", "throw", "c")) {
      async.onModeChanged(mode(r));
    }
    assertThat(async.awaitDelivered(WAIT)).isTrue();
    assertThat(slow.reasons).containsExactly("a", "b", "c");
    assertThat(slow.threads).containsOnly("prescaler-listener-test");
    assertThat(async.pending()).isZero();
  }

  // Caught an ArithmeticException (long overflow) from a wait of Duration.ofSeconds(MAX), thrown
  // by close() after it had marked itself closed: a second close() then returned at once,
  // without waiting or draining.
  @Test
  void aWaitTooLongForNanosecondsWaitsUntilDelivered() throws Exception {
    Duration huge = Duration.ofSeconds(Long.MAX_VALUE);
    SlowModes slow = new SlowModes(false);
    async = AsyncListener.of(slow, "test");
    async.onModeChanged(mode("a"));
    assertThat(slow.entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    boolean[] closed = new boolean[1];
    Throwable[] failed = new Throwable[1];
    Thread closer = new Thread(() -> {
      try {
        closed[0] = async.close(huge);
      } catch (RuntimeException e) {
        failed[0] = e;
      }
    });
    closer.start();
    slow.gate.countDown();
    closer.join(WAIT.toMillis());
    assertThat(closer.isAlive()).isFalse();
    assertThat(failed[0]).isNull();
    assertThat(closed[0]).isTrue();
    assertThat(slow.reasons).containsExactly("a");
    assertThat(async.awaitDelivered(huge)).isTrue();
  }

  // Caught pending() stuck at 1 after close: a delegate that rethrew the interrupt close() sends
  // (as an InterruptedException no signature declares) stopped the thread without counting the
  // event it was delivering.
  @Test
  void aDelegateRethrowingCloseInterruptLeavesNothingPending() throws InterruptedException {
    CountDownLatch entered = new CountDownLatch(1);
    EngineListener stuck = new EngineListener() {
      @Override
      public void onModeChanged(ModeChangedEvent event) {
        entered.countDown();
        try {
          new CountDownLatch(1).await();
        } catch (InterruptedException e) {
          throw UndeclaredCheckedExceptionTest.sneaky(e);
        }
      }
    };
    async = AsyncListener.of(stuck, "test");
    async.onModeChanged(mode("stuck"));
    async.onModeChanged(mode("queued"));
    assertThat(entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(async.close(Duration.ZERO)).isFalse();
    assertThat(async.awaitDelivered(WAIT)).isTrue();
    assertThat(async.pending()).isZero();
    assertThat(async.dropped()).isEqualTo(1);
  }

  @Test
  void aBlockedListenerDoesNotBlockTheEngine() throws InterruptedException {
    SlowModes slow = new SlowModes(false);
    async = AsyncListener.of(slow, "test");
    TestClock clock = new TestClock(T0);
    FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 500);
    RecordingExecutor executor = new RecordingExecutor();
    DecisionPolicy policy = (ctx, p) -> p.to("test", 4, "wanted 4");
    try (AutoscalerEngine engine = Fixtures.engine(clock, source, policy, executor,
        new InMemoryJournal()).listener(async).workload(spec(WEB, 1, 20, Mode.OBSERVE_ONLY))
        .build()) {
      engine.mode(WEB, Mode.ACT, "promoted");
      assertThat(slow.entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      // The listener is stuck in the promotion's event; the engine goes on deciding and acting.
      engine.tick();
      clock.advance(Fixtures.SYNC);
      engine.mode(WEB, Mode.OBSERVE_ONLY, "demoted");
      assertThat(executor.requests).hasSize(1);
      assertThat(slow.reasons).isEmpty();
      assertThat(async.pending()).isEqualTo(2);
    }
    slow.gate.countDown();
    assertThat(async.awaitDelivered(WAIT)).isTrue();
    assertThat(slow.reasons).containsExactly("promoted", "demoted");
  }

  @Test
  void aFullQueueDropsNewEventsAndCountsThem() throws InterruptedException {
    SlowModes slow = new SlowModes(false);
    async = AsyncListener.of(slow, "test", 2);
    async.onModeChanged(mode("in delivery"));
    assertThat(slow.entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    for (String r : List.of("queued 1", "queued 2", "dropped 1", "dropped 2")) {
      async.onModeChanged(mode(r));
    }
    assertThat(async.dropped()).isEqualTo(2);
    slow.gate.countDown();
    assertThat(async.awaitDelivered(WAIT)).isTrue();
    async.onModeChanged(mode("after"));
    assertThat(async.awaitDelivered(WAIT)).isTrue();
    assertThat(slow.reasons).containsExactly("in delivery", "queued 1", "queued 2", "after");
  }

  @Test
  void eventsTheListenerDoesNotHandleAreNotQueued() {
    SlowModes slow = new SlowModes(false);
    async = AsyncListener.of(slow, "test", 1);
    for (int i = 0; i < 100; i++) {
      async.onDecision((DecisionEvent) null);
      async.onScaled((ScaledEvent) null);
    }
    assertThat(async.pending()).isZero();
    assertThat(async.dropped()).isZero();
  }

  @Test
  void closeDeliversWhatIsQueuedThenDropsWhatComesAfter() {
    SlowModes slow = new SlowModes(true);
    async = AsyncListener.of(slow, "test");
    async.onModeChanged(mode("a"));
    async.onModeChanged(mode("b"));
    assertThat(async.close(WAIT)).isTrue();
    async.onModeChanged(mode("after close"));
    assertThat(slow.reasons).containsExactly("a", "b");
    assertThat(async.dropped()).isEqualTo(1);
  }

  @Test
  void closeGivesUpOnAStuckListenerAfterItsTimeout() throws InterruptedException {
    SlowModes slow = new SlowModes(false);
    async = AsyncListener.of(slow, "test");
    async.onModeChanged(mode("stuck"));
    assertThat(slow.entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    async.onModeChanged(mode("never"));
    assertThat(async.close(Duration.ofMillis(50))).isFalse();
    assertThat(slow.reasons).isEmpty();
  }

  @Test
  void anErrorFromTheListenerIsContainedAndTheNextEventDelivered() throws InterruptedException {
    List<String> seen = new CopyOnWriteArrayList<>();
    EngineListener delegate = new EngineListener() {
      @Override
      public void onModeChanged(ModeChangedEvent event) {
        seen.add(event.reason());
        if (event.reason().equals("first")) {
          throw new NoClassDefFoundError("io/kubernetes/client/openapi/models/EventsV1Event");
        }
      }
    };
    async = AsyncListener.of(delegate, "test");
    async.onModeChanged(mode("first"));
    async.onModeChanged(mode("second"));
    assertThat(async.awaitDelivered(WAIT)).isTrue();
    assertThat(seen).containsExactly("first", "second");
  }

  // Caught the delivery thread dead after one OutOfMemoryError from the delegate: nothing was
  // delivered again, pending() never fell, later events were dropped as "queue full" once it
  // filled, and close() waited out its whole timeout.
  @Test
  void anyErrorFromTheListenerIsContainedAndTheNextEventsDelivered()
      throws InterruptedException {
    List<String> seen = new CopyOnWriteArrayList<>();
    EngineListener delegate = new EngineListener() {
      @Override
      public void onModeChanged(ModeChangedEvent event) {
        seen.add(event.reason());
        if (event.reason().equals("first")) {
          throw new OutOfMemoryError("Java heap space");
        }
      }
    };
    async = AsyncListener.of(delegate, "oom", 4);
    async.onModeChanged(mode("first"));
    assertThat(async.awaitDelivered(WAIT)).as("the failed event counted as done").isTrue();
    for (String r : List.of("a", "b", "c", "d")) { // as many as the queue holds
      async.onModeChanged(mode(r));
    }
    assertThat(async.awaitDelivered(WAIT)).isTrue();
    assertThat(seen).containsExactly("first", "a", "b", "c", "d");
    assertThat(async.dropped()).isZero();
    async.onModeChanged(mode("last"));
    assertThat(async.close(WAIT)).isTrue();
    assertThat(seen).endsWith("last");
  }

  /**
   * Catches a listener that set its thread's interrupt flag again (it caught an interrupt) and
   * threw, or returned: the next take() ended the delivery thread without a word, so nothing was
   * delivered again and close() waited out its timeout.
   */
  @Test
  void aListenerThatLeavesItsThreadInterruptedStopsNoDelivery() throws InterruptedException {
    List<String> seen = new CopyOnWriteArrayList<>();
    EngineListener delegate = new EngineListener() {
      @Override
      public void onModeChanged(ModeChangedEvent event) {
        seen.add(event.reason());
        if (event.reason().startsWith("interrupt")) {
          Thread.currentThread().interrupt();
          if (event.reason().endsWith("throw")) {
            throw new IllegalStateException("interrupted while posting");
          }
        }
      }
    };
    async = AsyncListener.of(delegate, "interrupted");
    for (String r : List.of("a", "interrupt+throw", "b", "interrupt", "c")) {
      async.onModeChanged(mode(r));
    }
    assertThat(async.awaitDelivered(WAIT)).isTrue();
    assertThat(seen).containsExactly("a", "interrupt+throw", "b", "interrupt", "c");
    async.onModeChanged(mode("last"));
    assertThat(async.close(WAIT)).isTrue();
    assertThat(seen).endsWith("last");
  }

  // A ThreadDeath (Thread.stop) still ends the thread, but no longer leaves its event pending
  // for good: awaitDelivered() and close() do not wait out their timeouts for it.
  @Test
  void aThreadDeathStopsTheThreadWithNothingLeftPending() throws InterruptedException {
    EngineListener delegate = new EngineListener() {
      @Override
      public void onModeChanged(ModeChangedEvent event) {
        throw new ThreadDeath();
      }
    };
    async = AsyncListener.of(delegate, "stopped");
    async.onModeChanged(mode("stop"));
    assertThat(async.awaitDelivered(WAIT)).isTrue();
    assertThat(async.pending()).isZero();
    assertThat(async.close(WAIT)).isTrue();
  }

  @Test
  void whatIsStillQueuedWhenCloseGivesUpIsDroppedNotDeliveredLater()
      throws InterruptedException {
    SlowModes slow = new SlowModes(false);
    async = AsyncListener.of(slow, "test");
    async.onModeChanged(mode("stuck"));
    assertThat(slow.entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    async.onModeChanged(mode("queued 1"));
    async.onModeChanged(mode("queued 2"));
    assertThat(async.close(Duration.ofMillis(50))).isFalse();
    assertThat(async.dropped()).isEqualTo(2);
  }

  @Test
  void capacityBelowOneIsRefusedWithItsValue() {
    assertThatThrownBy(() -> AsyncListener.of(EngineListener.NOOP, "test", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be >= 1, but was 0");
  }
}
