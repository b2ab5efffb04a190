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

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay,
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
    // An exception escaping the task would cancel scheduleAtFixedRate's later runs for good.
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
   * scheduleAtFixedRate then suppresses every later run. It is logged at ERROR, and the next run
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
}
