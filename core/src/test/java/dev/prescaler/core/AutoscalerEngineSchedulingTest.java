package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** start() schedules tick() every sync period; close() stops it. Driven by hand, no waiting. */
class AutoscalerEngineSchedulingTest {

  /** Captures the periodic task instead of running it; the test runs it by hand. */
  static final class CapturingScheduler extends ScheduledThreadPoolExecutor {
    Runnable task;
    long initialDelay = -1;
    long period = -1;
    TimeUnit unit;
    ScheduledFuture<?> future;

    CapturingScheduler() {
      super(1);
    }

    /**
     * A fixed rate runs the periods a slow tick missed back to back once it ends: a burst of
     * ticks milliseconds apart, each a step of the step limits (2 → 6 → 12 → 24 → 48 → 64 within
     * 1 ms after a source stalled 6 s at a 1 s sync period). The engine must not ask for one.
     */
    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay,
        long period, TimeUnit unit) {
      throw new AssertionError("ticks at a fixed rate: a slow tick is followed by a burst");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay,
        long period, TimeUnit unit) {
      this.task = command;
      this.initialDelay = initialDelay;
      this.period = period;
      this.unit = unit;
      this.future = super.schedule(() -> { }, 1, TimeUnit.DAYS);
      return future;
    }
  }

  CapturingScheduler scheduler = new CapturingScheduler();
  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 500);
  InMemoryJournal journal = new InMemoryJournal();
  AutoscalerEngine engine = engine(clock, source, CAPACITY, new RecordingExecutor(), journal)
      .workload(spec(WEB, 1, 10, Mode.ACT)).build();

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
  }

  /** At once, then a sync period after each tick ends (the scheduler refuses a fixed rate). */
  @Test
  void startTicksEverySyncPeriodFromNow() {
    engine.start(scheduler);
    assertThat(scheduler.initialDelay).isZero();
    assertThat(scheduler.unit.toMillis(scheduler.period)).isEqualTo(15_000);
    scheduler.task.run();
    assertThat(journal.records()).hasSize(1);
  }

  @Test
  void startTwiceFails() {
    engine.start(scheduler);
    assertThatThrownBy(() -> engine.start(scheduler)).isInstanceOf(IllegalStateException.class)
        .hasMessage("engine is already started");
  }

  @Test
  void closeCancelsTheScheduleAndALateTickIsHarmless() {
    engine.start(scheduler);
    engine.close();
    assertThat(scheduler.future.isCancelled()).isTrue();
    assertThatCode(scheduler.task::run).doesNotThrowAnyException();
    assertThat(journal.records()).isEmpty();
    assertThatThrownBy(() -> engine.start(scheduler)).hasMessage("engine is closed");
  }

  @Test
  void anErrorInAScheduledTickDoesNotEscapeAndStopTheSchedule() {
    // An exception escaping the task would cancel the schedule's later runs for good.
    source.custom(WEB, (s, now) -> {
      throw new ExceptionInInitializerError("static init of a plug-in class failed");
    });
    engine.start(scheduler);
    assertThatCode(scheduler.task::run).doesNotThrowAnyException();
    assertThat(journal.records()).hasSize(1);
  }

  @Test
  void aFailingScheduledTickDoesNotStopTheSchedule() {
    source.custom(WEB, (s, now) -> {
      throw new IllegalStateException("down");
    });
    engine.start(scheduler);
    assertThatCode(scheduler.task::run).doesNotThrowAnyException();
    assertThat(journal.records()).singleElement()
        .satisfies(r -> assertThat(r.kind()).isEqualTo(
            dev.prescaler.core.journal.DecisionRecord.Kind.HOLD));
  }

  /**
   * Catches a schedule that stopped for good without a word: an Error the tick does not contain
   * per workload (an OutOfMemoryError from a plug-in run inline) escaped the scheduled task, and
   * the schedule then suppresses every later run. It is logged at ERROR, and the next run
   * ticks as usual.
   */
  @Test
  void anErrorEscapingATickIsLoggedAndTheNextScheduledTickRuns() {
    source.custom(WEB, (s, now) -> {
      source.custom.remove(WEB); // once
      throw new OutOfMemoryError("Java heap space");
    });
    engine.start(scheduler);
    String log = Fixtures.stderrOf(() -> assertThatCode(scheduler.task::run)
        .doesNotThrowAnyException());
    assertThat(log).contains("ERROR dev.prescaler.core.AutoscalerEngine - tick failed; the next "
        + "one runs as scheduled").contains("java.lang.OutOfMemoryError: Java heap space");
    assertThat(journal.records()).isEmpty();

    clock.advance(Fixtures.SYNC);
    scheduler.task.run();
    assertThat(journal.records()).singleElement().satisfies(r -> assertThat(r.kind())
        .isEqualTo(dev.prescaler.core.journal.DecisionRecord.Kind.SCALE));
  }

  /** The lines {@code log} wrote at ERROR, without their stack traces. */
  private static List<String> errors(String log) {
    return log.lines().filter(l -> l.contains(" ERROR ")).toList();
  }

  /**
   * Catches a persistent Error flooding the log: every scheduled tick logged its full stack trace
   * at ERROR, 240 an hour for an engine out of memory. It is logged at ERROR on the first failure
   * and every 20th, with the count, and at INFO once a tick runs again.
   */
  @Test
  void aTickFailingOnEveryRunIsLoggedAtErrorOnItsFirstFailureAndEvery20th() {
    source.custom(WEB, (s, now) -> {
      throw new OutOfMemoryError("Java heap space");
    });
    engine.start(scheduler);
    String log = Fixtures.stderrOf(() -> {
      for (int i = 0; i < 40; i++) {
        assertThatCode(scheduler.task::run).doesNotThrowAnyException();
        clock.advance(Fixtures.SYNC);
      }
      source.custom.remove(WEB);
      scheduler.task.run();
    });
    String logger = "[main] ERROR dev.prescaler.core.AutoscalerEngine - ";
    assertThat(errors(log)).containsExactly(
        logger + "tick failed; the next one runs as scheduled",
        logger + "tick failed (20 in a row); the next one runs as scheduled",
        logger + "tick failed (40 in a row); the next one runs as scheduled");
    assertThat(log).contains("INFO dev.prescaler.core.AutoscalerEngine - tick ran, after 40 "
        + "failed in a row");
    assertThat(journal.records()).singleElement();
  }

  /**
   * Catches an IllegalStateException escaping a tick logged at DEBUG, so not at all by default:
   * every one was taken for the engine closed meanwhile (a clock whose time source failed, say).
   * Only one thrown once the engine is closed is now.
   */
  @Test
  void anIllegalStateExceptionEscapingATickIsAnErrorUnlessTheEngineIsClosed() {
    boolean[] failing = {true};
    Clock failingClock = new Clock() {
      @Override
      public Instant instant() {
        if (failing[0]) {
          throw new IllegalStateException("time source not synchronized");
        }
        return clock.instant();
      }

      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }
    };
    AutoscalerEngine e = engine(clock, source, CAPACITY, new RecordingExecutor(), journal)
        .clock(failingClock).workload(spec(WEB, 1, 10, Mode.ACT)).build();
    e.start(scheduler);
    String log = Fixtures.stderrOf(() -> assertThatCode(scheduler.task::run)
        .doesNotThrowAnyException());
    assertThat(errors(log)).containsExactly("[main] ERROR dev.prescaler.core.AutoscalerEngine - "
        + "tick failed; the next one runs as scheduled");
    assertThat(log).contains("java.lang.IllegalStateException: time source not synchronized");

    failing[0] = false;
    e.close();
    log = Fixtures.stderrOf(() -> assertThatCode(scheduler.task::run)
        .doesNotThrowAnyException());
    assertThat(errors(log)).isEmpty();
  }
}
