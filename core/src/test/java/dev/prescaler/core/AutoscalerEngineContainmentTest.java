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

import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A plug-in that throws holds its workload only; a listener or journal that throws is logged. */
class AutoscalerEngineContainmentTest {
  /** WEB's load: a plug-in can recognise WEB's data by it. */
  static final double WEB_RPS = 777;

  TestClock clock;
  FakeSource source;
  RecordingExecutor executor;
  InMemoryJournal journal;
  RecordingListener listener;

  @BeforeEach
  void setUp() {
    clock = new TestClock(T0);
    source = new FakeSource().set(WEB, 2, 2, "rps", WEB_RPS).set(API, 2, 2, "rps", 500);
    executor = new RecordingExecutor();
    journal = new InMemoryJournal();
    listener = new RecordingListener();
  }

  private AutoscalerEngine.Builder builder(DecisionPolicy policy) {
    return engine(clock, source, policy, executor, journal)
        .listener(listener)
        .workload(spec(WEB, 1, 20, Mode.ACT))
        .workload(spec(API, 1, 20, Mode.ACT));
  }

  /** WEB held with {@code reason}, a failure event of {@code stage}; API scaled to 5. */
  private void assertWebHeldApiScaled(String stage, String reason) {
    DecisionRecord web = last(journal, WEB);
    assertThat(web.kind()).isEqualTo(Kind.HOLD);
    assertThat(web.desired()).isEqualTo(web.current());
    assertThat(web.reasons()).extracting(Reason::message).anyMatch(m -> m.startsWith(reason));
    assertThat(executor.requestsFor(WEB)).isEmpty();
    assertThat(listener.of(FailureEvent.class)).singleElement().satisfies(f -> {
      assertThat(f.stage()).isEqualTo(stage);
      assertThat(f.workload()).isEqualTo(WEB);
    });
    assertApiScaled();
  }

  private void assertApiScaled() {
    DecisionRecord api = last(journal, API);
    assertThat(api.kind()).isEqualTo(Kind.SCALE);
    assertThat(api.action()).isEqualTo(Action.APPLIED);
    assertThat(executor.requestsFor(API)).extracting(ScaleRequest::to).containsExactly(5);
  }

  @Test
  void aThrowingSourceHoldsThatWorkloadOnly() {
    source.custom(WEB, (spec, now) -> {
      throw new IllegalStateException("connection refused");
    });
    builder(CAPACITY).build().tick();
    assertWebHeldApiScaled("source",
        "metric source failed: java.lang.IllegalStateException: connection refused");
    assertThat(last(journal, WEB).current()).isEqualTo(-1);
  }

  @Test
  void aSourceReturningNullHoldsThatWorkloadOnly() {
    source.custom(WEB, (spec, now) -> null);
    builder(CAPACITY).build().tick();
    assertThat(last(journal, WEB).reasons()).extracting(Reason::message)
        .containsExactly("metric source returned no observation");
    assertApiScaled();
  }

  @Test
  void aThrowingForecasterHoldsThatWorkloadOnly() {
    Forecaster failsOnWeb = (history, horizon, level) -> {
      if (Arrays.stream(history.toArray()).anyMatch(v -> v == WEB_RPS)) {
        throw new IllegalStateException("singular matrix");
      }
      return Forecast.flat("flat", history.end(), history.step(),
          Forecaster.steps(horizon, history.step()), history.value(history.size() - 1));
    };
    AutoscalerEngine engine = builder(CAPACITY).forecaster(failsOnWeb).build();
    engine.tick(); // opens the first history step: nothing to forecast yet
    clock.advance(SYNC);
    executor.requests.clear();
    journal.clear();
    source.replicas(API, 2, 2);
    engine.tick(); // closes it: the forecaster runs
    assertWebHeldApiScaled("forecaster",
        "forecaster " + failsOnWeb.name() + " failed on rps: java.lang.IllegalStateException: "
            + "singular matrix");
    assertThat(engine.forecast(API, "rps")).isPresent();
  }

  @Test
  void aForecasterReturningNullHoldsThatWorkload() {
    AutoscalerEngine engine = builder(CAPACITY).forecaster((h, horizon, level) -> null).build();
    engine.tick();
    clock.advance(SYNC);
    engine.tick();
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.HOLD);
    assertThat(last(journal, WEB).reasons()).extracting(Reason::message)
        .anyMatch(m -> m.endsWith("java.lang.IllegalStateException: forecaster returned null"));
  }

  @Test
  void aThrowingPolicyHoldsThatWorkloadOnly() {
    DecisionPolicy failsOnWeb = (ctx, p) -> {
      if (ctx.workload().equals(WEB)) {
        throw new ArithmeticException("/ by zero");
      }
      return CAPACITY.apply(ctx, p);
    };
    builder(failsOnWeb).build().tick();
    assertWebHeldApiScaled("policy", "policy failed: java.lang.ArithmeticException: / by zero");
    assertThat(last(journal, WEB).current()).isEqualTo(2);
  }

  @Test
  void aPolicyReturningNullHoldsThatWorkload() {
    DecisionPolicy nullOnWeb = (ctx, p) -> ctx.workload().equals(WEB) ? null
        : CAPACITY.apply(ctx, p);
    builder(nullOnWeb).build().tick();
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.HOLD);
    assertThat(last(journal, WEB).reasons()).extracting(Reason::message)
        .anyMatch(m -> m.startsWith("policy failed: java.lang.IllegalStateException: policy")
            && m.endsWith("returned null"));
    assertApiScaled();
  }

  @Test
  void aThrowingExecutorLeavesThatWorkloadUnchanged() {
    executor.answer = r -> {
      if (r.workload().equals(WEB)) {
        throw new IllegalStateException("HTTP 500");
      }
      return ScaleOutcome.applied(r.to(), "ok");
    };
    builder(CAPACITY).build().tick();
    DecisionRecord web = last(journal, WEB);
    assertThat(web.action()).isEqualTo(Action.FAILED);
    assertThat(web.changedReplicas()).isFalse();
    assertThat(web.actionMessage())
        .isEqualTo("executor threw: java.lang.IllegalStateException: HTTP 500");
    assertThat(executor.applied).doesNotContainKey(WEB);
    assertThat(listener.of(FailureEvent.class)).extracting(FailureEvent::stage)
        .containsExactly("executor");
    assertApiScaled();
  }

  @Test
  void anExecutorReturningNullCountsAsFailed() {
    executor.answer = r -> r.workload().equals(WEB) ? null : ScaleOutcome.applied(r.to(), "ok");
    builder(CAPACITY).build().tick();
    assertThat(last(journal, WEB).action()).isEqualTo(Action.FAILED);
    assertThat(last(journal, WEB).actionMessage()).isEqualTo("executor returned no outcome");
    assertApiScaled();
  }

  @Test
  void aThrowingListenerIsIgnored() {
    EngineListener broken = new EngineListener() {
      @Override
      public void onDecision(DecisionEvent event) {
        throw new IllegalStateException("listener bug");
      }
    };
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .listener(broken)
        .listener(listener)
        .workload(spec(WEB, 1, 20, Mode.ACT))
        .workload(spec(API, 1, 20, Mode.ACT))
        .build();
    engine.tick();
    assertThat(journal.records()).hasSize(2);
    assertThat(executor.requests).hasSize(2);
    assertThat(listener.of(DecisionEvent.class)).hasSize(2);
  }

  @Test
  void aThrowingJournalIsReportedAndTheTickGoesOn() {
    DecisionJournal failsOnWeb = record -> {
      if (record.workload().equals(WEB)) {
        throw new IllegalStateException("disk full");
      }
      journal.append(record);
    };
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, failsOnWeb)
        .listener(listener)
        .workload(spec(WEB, 1, 20, Mode.ACT))
        .workload(spec(API, 1, 20, Mode.ACT))
        .build();
    engine.tick();
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(6, 5);
    assertThat(journal.records()).extracting(DecisionRecord::workload).containsExactly(API);
    assertThat(listener.of(FailureEvent.class)).singleElement().satisfies(f -> {
      assertThat(f.stage()).isEqualTo("journal");
      assertThat(f.error()).hasMessage("disk full");
    });
    // Listeners still hear of the decision the journal lost.
    assertThat(listener.of(DecisionEvent.class)).extracting(DecisionEvent::workload)
        .containsExactly(WEB, API);
  }

  @Test
  void aPolicyThrowingAnErrorHoldsThatWorkloadOnly() {
    DecisionPolicy assertsOnWeb = (ctx, p) -> {
      if (ctx.workload().equals(WEB)) {
        throw new AssertionError("invariant broken in a custom policy");
      }
      return CAPACITY.apply(ctx, p);
    };
    builder(assertsOnWeb).build().tick();
    DecisionRecord web = last(journal, WEB);
    assertThat(web.kind()).isEqualTo(Kind.HOLD);
    assertThat(web.reasons()).extracting(Reason::message).containsExactly(
        "policy failed: java.lang.AssertionError: invariant broken in a custom policy");
    assertThat(executor.requestsFor(WEB)).isEmpty();
    assertThat(journal.records()).hasSize(2);
    assertApiScaled();
  }

  @Test
  void aListenerThrowingAnErrorAfterTheRecordDoesNotAddASecondRecord() {
    EngineListener broken = new EngineListener() {
      @Override
      public void onDecision(DecisionEvent event) {
        if (event.workload().equals(WEB)) {
          throw new NoClassDefFoundError("com/example/Missing");
        }
      }
    };
    engine(clock, source, CAPACITY, executor, journal)
        .listener(broken)
        .workload(spec(WEB, 1, 20, Mode.ACT))
        .workload(spec(API, 1, 20, Mode.ACT))
        .build()
        .tick();
    assertThat(journal.records()).extracting(DecisionRecord::workload).containsExactly(WEB, API);
    assertApiScaled();
  }

  @Test
  void aFailedWorkloadRecoversOnTheNextTick() {
    boolean[] fail = {true};
    source.custom(WEB, (spec, now) -> {
      if (fail[0]) {
        throw new IllegalStateException("flaky");
      }
      return Observation.of(now, ReplicaStatus.of(2, 2), MetricReading.of("rps", WEB_RPS, now));
    });
    AutoscalerEngine engine = builder(CAPACITY).build();
    engine.tick();
    fail[0] = false;
    clock.advance(Duration.ofSeconds(15));
    engine.tick();
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.SCALE);
    assertThat(executor.requestsFor(WEB)).extracting(ScaleRequest::to).containsExactly(6);
  }
}
