package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.API;
import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.last;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.InMemoryJournal;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A plug-in written in Kotlin, or with Lombok's {@code @SneakyThrows}, can throw a checked
 * exception that no Java signature declares. It is contained like a runtime one. Each test
 * caught a tick that ended at the first such throw (the other workloads were never decided),
 * or an asynchronous listener whose thread died.
 */
class UndeclaredCheckedExceptionTest {
  TestClock clock;
  FakeSource source;
  RecordingExecutor executor;
  InMemoryJournal journal;

  @BeforeEach
  void setUp() {
    clock = new TestClock(T0);
    source = new FakeSource().set(WEB, 2, 2, "rps", 777).set(API, 2, 2, "rps", 500);
    executor = new RecordingExecutor();
    journal = new InMemoryJournal();
  }

  /** Throws {@code t} from a method that declares no checked exception. */
  @SuppressWarnings("unchecked")
  static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
    throw (E) t;
  }

  private AutoscalerEngine.Builder builder(DecisionPolicy policy) {
    return engine(clock, source, policy, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT))
        .workload(spec(API, 1, 20, Mode.ACT));
  }

  @Test
  void aPolicyHoldsItsWorkloadOnly() {
    DecisionPolicy failsOnWeb = (ctx, p) -> {
      if (ctx.workload().equals(WEB)) {
        throw sneaky(new IOException("model file gone"));
      }
      return CAPACITY.apply(ctx, p);
    };
    builder(failsOnWeb).build().tick();
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.HOLD);
    assertThat(last(journal, WEB).reasons()).extracting(Reason::message)
        .containsExactly("policy failed: java.io.IOException: model file gone");
    assertThat(last(journal, API).kind()).isEqualTo(Kind.SCALE);
    assertThat(executor.requestsFor(API)).extracting(ScaleRequest::to).containsExactly(5);
  }

  @Test
  void aForecasterHoldsItsWorkloadOnly() {
    Forecaster failsOnWeb = (history, horizon, level) -> {
      if (history.value(history.size() - 1) == 777) {
        throw sneaky(new IOException("model server down"));
      }
      return Forecast.flat("flat", history.end(), history.step(),
          Forecaster.steps(horizon, history.step()), history.value(history.size() - 1));
    };
    AutoscalerEngine engine = builder(CAPACITY).forecaster(failsOnWeb).build();
    engine.tick(); // opens the first history step: nothing to forecast yet
    clock.advance(SYNC);
    source.replicas(API, 5, 5).replicas(WEB, 6, 6);
    engine.tick();
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.HOLD);
    assertThat(last(journal, WEB).reasons()).extracting(Reason::message)
        .anyMatch(m -> m.contains("java.io.IOException: model server down"));
    assertThat(last(journal, API).kind()).isNotEqualTo(Kind.HOLD);
    assertThat(engine.forecast(API, "rps")).isPresent();
  }

  @Test
  void aListenerAndAJournalAreLoggedAndTheTickGoesOn() {
    EngineListener failsOnWeb = new EngineListener() {
      @Override
      public void onDecision(DecisionEvent event) {
        if (event.workload().equals(WEB)) {
          throw sneaky(new IOException("socket closed"));
        }
      }
    };
    List<WorkloadRef> written = new ArrayList<>();
    DecisionJournal journalFailsOnWeb = record -> {
      if (record.workload().equals(WEB)) {
        throw sneaky(new IOException("disk full"));
      }
      written.add(record.workload());
      journal.append(record);
    };
    engine(clock, source, CAPACITY, executor, journalFailsOnWeb).listener(failsOnWeb)
        .workload(spec(WEB, 1, 20, Mode.ACT)).workload(spec(API, 1, 20, Mode.ACT))
        .build().tick();
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(6, 5);
    assertThat(written).containsExactly(API);
  }

  @Test
  void aPolicyStepThatThrowsOnUnregisterIsLoggedAndTheWorkloadIsGone() {
    DecisionPolicy broken = new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return CAPACITY.apply(context, proposal);
      }

      @Override
      public void unregistered(WorkloadRef workload) {
        throw sneaky(new IOException("state store unreachable"));
      }
    };
    // The composed stack rethrows what a step threw once every step has heard the news: a
    // checked exception was swallowed there, so the engine never logged it.
    DecisionPolicy stack = DecisionPolicy.chain(List.of(broken, CAPACITY));
    assertThatThrownBy(() -> stack.unregistered(WEB))
        .isInstanceOf(IllegalStateException.class)
        .hasCauseInstanceOf(IOException.class)
        .hasMessage("java.io.IOException: state store unreachable");
    try (AutoscalerEngine engine = builder(stack).build()) {
      engine.tick();
      String log = Fixtures.stderrOf(() -> assertThat(engine.unregister(WEB)).isTrue());
      assertThat(log).contains("WARN").contains("state store unreachable");
      assertThat(engine.workloads()).extracting(WorkloadSpec::workload).containsExactly(API);
    }
  }

  // Caught an interrupt lost: a plug-in that met one and rethrew the InterruptedException
  // (which clears the thread's flag) was contained, and the host's loop never learned that its
  // thread had been interrupted; the same for a journal's close() within engine.close().
  @Test
  void anInterruptRethrownByAPlugInIsContainedAndKept() {
    DecisionPolicy interruptedOnWeb = (ctx, p) -> {
      if (ctx.workload().equals(WEB)) {
        throw sneaky(new InterruptedException("sleep interrupted"));
      }
      return CAPACITY.apply(ctx, p);
    };
    try {
      builder(interruptedOnWeb).build().tick();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(last(journal, WEB).reasons()).extracting(Reason::message)
        .containsExactly("policy failed: java.lang.InterruptedException: sleep interrupted");
    assertThat(last(journal, API).kind()).isEqualTo(Kind.SCALE);

    DecisionJournal interruptedOnClose = new DecisionJournal() {
      @Override
      public void append(DecisionRecord record) {}

      @Override
      public void close() {
        throw sneaky(new InterruptedException("flush interrupted"));
      }
    };
    try {
      engine(clock, source, CAPACITY, executor, interruptedOnClose).build().close();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void anAsyncListenerGoesOnDelivering() throws InterruptedException {
    List<String> heard = new ArrayList<>();
    EngineListener failsOnce = new EngineListener() {
      @Override
      public void onModeChanged(ModeChangedEvent event) {
        if (event.reason().equals("throw")) {
          throw sneaky(new IOException("socket closed"));
        }
        synchronized (heard) {
          heard.add(event.reason());
        }
      }
    };
    AsyncListener async = AsyncListener.of(failsOnce, "sneaky");
    try {
      for (String r : List.of("a", "throw", "b")) {
        async.onModeChanged(new ModeChangedEvent(WEB, T0, Mode.OBSERVE_ONLY, Mode.ACT, r));
      }
      assertThat(async.awaitDelivered(Duration.ofSeconds(30))).isTrue();
      synchronized (heard) {
        assertThat(heard).containsExactly("a", "b");
      }
      assertThat(async.pending()).isZero();
    } finally {
      async.close(Duration.ZERO);
    }
  }
}
