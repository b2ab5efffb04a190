package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.last;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.DecisionPolicy.Pin;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.event.HeldEvent;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An operator's pin ({@link DecisionPolicy#pinned}) wins over bad metrics: the engine applies it
 * instead of holding, through the step limits and bounds, and only when bad metrics are the sole
 * reason to hold.
 */
class AutoscalerEnginePinTest {
  TestClock clock;
  FakeSource source;
  RecordingExecutor executor;
  InMemoryJournal journal;
  RecordingListener listener;
  PinningPolicy policy;
  AutoscalerEngine engine;

  /** The capacity formula, reporting the pins the test sets as a manual override would. */
  static final class PinningPolicy implements DecisionPolicy {
    final Map<WorkloadRef, Pin> pins = new HashMap<>();
    RuntimeException failure;
    int applied;

    @Override
    public Proposal apply(DecisionContext context, Proposal proposal) {
      applied++;
      return CAPACITY.apply(context, proposal);
    }

    @Override
    public Optional<Pin> pinned(WorkloadRef workload, Instant now) {
      if (failure != null) {
        throw failure;
      }
      return Optional.ofNullable(pins.get(workload));
    }
  }

  @BeforeEach
  void setUp() {
    clock = new TestClock(T0);
    source = new FakeSource().set(WEB, 2, 2, "rps", 300); // capacity wants 3
    executor = new RecordingExecutor();
    journal = new InMemoryJournal();
    listener = new RecordingListener();
    policy = new PinningPolicy();
    engine = engine(clock, source, policy, executor, journal).listener(listener)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
  }

  /** Makes WEB's metric stale from now on: 6 minutes old, beyond maxMetricAge (5 min). */
  private String staleFromNow() {
    source.lag = Duration.ofMinutes(6);
    return "metric rps: stale: measured at " + clock.instant().minus(Duration.ofMinutes(6))
        + ", older than maxMetricAge PT5M";
  }

  @Test
  void aLongOutageUnderAPinKeepsOnlyTheDecisionMemory() {
    policy.pins.put(WEB, new Pin(2, "pinned at 2"));
    for (int i = 0; i < 120; i++) { // 30 minutes of stale metrics, the pin applied every tick
      staleFromNow();
      engine.tick();
      clock.advance(SYNC);
    }
    assertThat(last(journal, WEB).reasons().get(0).toString()).startsWith("pin: kept 2");
    // The default decision memory is 10 minutes: 41 ticks at most, not one per tick forever.
    assertThat(engine.pastDecisionsKept(WEB)).isBetween(1, 41);
  }

  @Test
  void aPinIsAppliedWhileTheMetricsAreStaleWithinTheStepLimits() {
    String stale = staleFromNow();
    policy.pins.put(WEB, new Pin(9, "pinned at 9 (incident 42)"));
    engine.tick();

    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.SCALE);
    assertThat(r.action()).isEqualTo(Action.APPLIED);
    assertThat(r.proposed()).isEqualTo(9);
    assertThat(r.desired()).isEqualTo(6); // default step limits: at most +4 or +100 % from 2
    assertThat(r.unavailable()).containsKey("rps");
    assertThat(r.reasons()).extracting(Reason::toString).containsExactly(
        "pin: 2 -> 9 (metrics unavailable (" + stale + "), so the policy chain did not run; "
            + "the operator's pin applies: pinned at 9 (incident 42))",
        "step-limit: 9 -> 6 (at most +4 from 2 per decision (upPods 4, upPercent 100.0))");
    assertThat(policy.applied).as("the chain does not run on bad data").isZero();
    assertThat(listener.of(HeldEvent.class)).isEmpty();

    source.replicas(WEB, 6, 6);
    clock.advance(SYNC);
    staleFromNow();
    engine.tick();
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(6, 9);
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.SCALE);

    source.replicas(WEB, 9, 9);
    clock.advance(SYNC);
    staleFromNow();
    engine.tick();
    DecisionRecord kept = last(journal, WEB);
    assertThat(kept.kind()).isEqualTo(Kind.KEEP);
    assertThat(kept.reasons()).extracting(Reason::step).containsExactly("pin");
    assertThat(executor.requests).hasSize(2);
  }

  @Test
  void withoutAPinBadMetricsStillHold() {
    String stale = staleFromNow();
    engine.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.reasons()).extracting(Reason::message).containsExactly(stale);
    assertThat(executor.requests).isEmpty();
  }

  /**
   * A workload scaled to 0 for maintenance stays at 0: scaling it to 0 is an operator's act too,
   * and the engine leaves such a scale alone, as the Kubernetes HPA does.
   */
  @Test
  void aPinDoesNotScaleAWorkloadScaledToZero() {
    source.replicas(WEB, 0, 0);
    staleFromNow();
    policy.pins.put(WEB, new Pin(9, "pinned at 9"));
    engine.tick();
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.HOLD);
    assertThat(last(journal, WEB).reasons()).extracting(Reason::message)
        .anyMatch(m -> m.startsWith("current replicas is 0 with minReplicas 1"));
    assertThat(executor.requests).isEmpty();
  }

  @Test
  void aPinDoesNotScaleAWorkloadWhoseCountIsUnknown() {
    source.custom(WEB, (spec, now) -> new Observation(now, Map.of("rps",
        MetricReading.of("rps", 300, now.minus(Duration.ofMinutes(6)))), Optional.empty()));
    policy.pins.put(WEB, new Pin(9, "pinned at 9"));
    engine.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.current()).isEqualTo(-1);
    assertThat(executor.requests).isEmpty();
  }

  @Test
  void aPinDoesNotScaleWhileTheClockIsBehindTheLastTick() {
    engine.tick();
    executor.requests.clear();
    clock.set(T0.minusSeconds(30));
    staleFromNow();
    policy.pins.put(WEB, new Pin(9, "pinned at 9"));
    engine.tick();
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.HOLD);
    assertThat(last(journal, WEB).actionMessage()).contains("clock went backwards");
    assertThat(executor.requests).isEmpty();
  }

  @Test
  void aPolicyThatFailsToReportAPinHoldsItsWorkload() {
    String stale = staleFromNow();
    policy.failure = new IllegalStateException("pin store unreachable");
    engine.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.reasons()).extracting(Reason::message).containsExactly(stale,
        "policy failed to report a pin: java.lang.IllegalStateException: pin store unreachable");
    assertThat(listener.of(FailureEvent.class)).singleElement()
        .satisfies(e -> assertThat(e.stage()).isEqualTo("policy"));
    assertThat(executor.requests).isEmpty();
  }

  @Test
  void anObserveOnlyWorkloadRecordsThePinItWouldApply() {
    AutoscalerEngine observing = engine(clock, source, policy, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.OBSERVE_ONLY)).build();
    staleFromNow();
    policy.pins.put(WEB, new Pin(4, "pinned at 4"));
    observing.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.SCALE);
    assertThat(r.action()).isEqualTo(Action.OBSERVED);
    assertThat(r.desired()).isEqualTo(4);
    assertThat(executor.requests).isEmpty();
  }

  /** A chain answers with the pin of its last step that has one: that step's pin wins there. */
  @Test
  void aChainReportsThePinOfItsLastPinningStep() {
    PinningPolicy first = new PinningPolicy();
    PinningPolicy second = new PinningPolicy();
    DecisionPolicy chain = DecisionPolicy.chain(first, CAPACITY, second);
    assertThat(chain.pinned(WEB, T0)).isEmpty();
    first.pins.put(WEB, new Pin(3, "first"));
    assertThat(chain.pinned(WEB, T0)).contains(new Pin(3, "first"));
    second.pins.put(WEB, new Pin(5, "second"));
    assertThat(chain.pinned(WEB, T0)).contains(new Pin(5, "second"));
  }
}
