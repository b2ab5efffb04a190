package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.last;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.event.HeldEvent;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Missing or invalid data holds the workload at its count, with the reason recorded. */
class AutoscalerEngineHoldTest {
  TestClock clock;
  FakeSource source;
  RecordingExecutor executor;
  InMemoryJournal journal;
  RecordingListener listener;
  AutoscalerEngine engine;

  @BeforeEach
  void setUp() {
    clock = new TestClock(T0);
    source = new FakeSource().set(WEB, 2, 2, "rps", 900); // capacity wants 9
    executor = new RecordingExecutor();
    journal = new InMemoryJournal();
    listener = new RecordingListener();
    engine = engine(clock, source, CAPACITY, executor, journal)
        .maxMetricAge(Duration.ofMinutes(5))
        .listener(listener)
        .workload(spec(WEB, 1, 20, Mode.ACT))
        .build();
  }

  /** Asserts the last record is a hold at 2 replicas whose reasons include {@code reason}. */
  private DecisionRecord assertHeld(String reason) {
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.action()).isEqualTo(Action.NONE);
    assertThat(r.current()).isEqualTo(2);
    assertThat(r.desired()).isEqualTo(2);
    assertThat(r.reasons()).extracting(Reason::message).contains(reason);
    assertThat(r.actionMessage()).contains(reason);
    assertThat(executor.requests).isEmpty();
    HeldEvent e = listener.of(HeldEvent.class).get(listener.of(HeldEvent.class).size() - 1);
    assertThat(e.reasons()).contains(reason);
    assertThat(e.current()).isEqualTo(2);
    return r;
  }

  @Test
  void scalesWhenTheDataIsValid() {
    engine.tick();
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.SCALE);
    assertThat(executor.requests).singleElement().extracting(ScaleRequest::to).isEqualTo(6);
  }

  @Test
  void holdsWhenAMetricIsUnavailable() {
    source.custom(WEB, (spec, now) -> Observation.of(now, ReplicaStatus.of(2, 2),
        MetricReading.unavailable("rps", "prometheus returned no series")));
    engine.tick();
    DecisionRecord r = assertHeld("metric rps: unavailable: prometheus returned no series");
    assertThat(r.unavailable()).containsEntry("rps", "unavailable: prometheus returned no series");
  }

  @Test
  void holdsWhenAMetricIsNotReported() {
    source.custom(WEB, (spec, now) -> Observation.of(now, ReplicaStatus.of(2, 2)));
    engine.tick();
    assertHeld("metric rps: unavailable: not reported by the metric source");
  }

  @Test
  void nonFiniteValuesCannotBeReported() {
    assertThatThrownBy(() -> MetricReading.of("rps", Double.NaN, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("value of metric rps must be finite, but was NaN; report "
            + "MetricReading.unavailable instead");
    assertThatThrownBy(() -> MetricReading.of("rps", Double.POSITIVE_INFINITY, T0))
        .hasMessageStartingWith("value of metric rps must be finite, but was Infinity");
  }

  @Test
  void holdsWhenAValueIsNegative() {
    source.value(WEB, "rps", -3);
    engine.tick();
    DecisionRecord r = assertHeld("metric rps: invalid negative value -3.0");
    assertThat(r.metrics()).doesNotContainKey("rps");
  }

  // Catches a finite reading turned into an infinite load (1e308 % of 300 pods): the policy was
  // given load Infinity and the history took it in.
  @Test
  void holdsWhenAFiniteReadingGivesALoadThatIsNotFinite() {
    WorkloadSpec cpu = WorkloadSpec.builder(WEB).minReplicas(1).maxReplicas(500).mode(Mode.ACT)
        .metric(MetricTarget.utilization("cpu", 50)).build();
    source.set(WEB, 300, 300, "cpu", 1e308);
    boolean[] asked = {false};
    AutoscalerEngine e = engine(clock, source, (ctx, p) -> {
      asked[0] = true;
      return p;
    }, executor, journal).listener(listener).workload(cpu).build();
    e.tick();
    DecisionRecord r = last(journal, WEB);
    String problem = "value 1.0E308 with 300 ready replicas gives a load that is not finite "
        + "(Infinity)";
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.reasons()).extracting(Reason::message).containsExactly("metric cpu: " + problem);
    assertThat(r.unavailable()).containsEntry("cpu", problem);
    assertThat(r.loads()).isEmpty();
    assertThat(asked[0]).isFalse();
  }

  @Test
  void holdsWhenASampleIsStale() {
    source.lag = Duration.ofMinutes(6);
    engine.tick();
    Instant measured = T0.minus(Duration.ofMinutes(6));
    assertHeld("metric rps: stale: measured at " + measured + ", older than maxMetricAge PT5M");
  }

  @Test
  void acceptsASampleJustInsideTheMaximumAge() {
    source.lag = Duration.ofMinutes(5);
    engine.tick();
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.SCALE);
  }

  @Test
  void holdsWhenASampleIsOutOfOrder() {
    engine.tick();
    executor.requests.clear();
    source.replicas(WEB, 6, 6);
    clock.advance(Duration.ofSeconds(15));
    source.lag = Duration.ofSeconds(30); // measured 15 s before the previous sample
    engine.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.current()).isEqualTo(6);
    assertThat(r.reasons()).extracting(Reason::message).containsExactly(
        "metric rps: out of order: measured at " + T0.minusSeconds(15)
            + ", before the previous sample at " + T0);
    assertThat(executor.requests).isEmpty();
  }

  @Test
  void holdsWhenNoNewSampleArrived() {
    engine.tick();
    executor.requests.clear();
    source.replicas(WEB, 6, 6);
    clock.advance(Duration.ofSeconds(15));
    source.lag = Duration.ofSeconds(15); // the same sample again
    engine.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.reasons()).extracting(Reason::message)
        .containsExactly("metric rps: no new sample since " + T0);
    assertThat(executor.requests).isEmpty();
  }

  @Test
  void holdsWhenASampleIsFromTheFuture() {
    source.lag = Duration.ofSeconds(-16); // beyond one sync period ahead
    engine.tick();
    assertHeld("metric rps: sample time " + T0.plusSeconds(16) + " is in the future (now " + T0
        + ")");
  }

  @Test
  void holdsWhenAUtilizationHasNoReadyReplicaToBeMeasuredOn() {
    // 5 pods asked for, none ready (crash-looping): a mean utilization of no pod is no load.
    WorkloadSpec cpu = WorkloadSpec.builder(WEB).minReplicas(1).maxReplicas(20).mode(Mode.ACT)
        .metric(MetricTarget.utilization("cpu", 70)).build();
    source.custom(WEB, (spec, now) -> Observation.of(now, ReplicaStatus.of(5, 0),
        MetricReading.of("cpu", 0, now)));
    AutoscalerEngine e = engine(clock, source, (ctx, p) -> p.to("hpa",
        (int) Math.ceil(ctx.load("cpu") / 0.7), "utilization"), executor, journal)
        .workload(cpu).build();
    e.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.current()).isEqualTo(5);
    assertThat(r.reasons()).extracting(Reason::message).containsExactly(
        "metric cpu: utilization of 0 ready replicas: the load is unknown");
    assertThat(executor.requests).isEmpty();
  }

  // Caught a source's impossible count taken as measured: 1000 ready of 8 pods made a load of
  // 140 % x 1000, and the forecasts from that history asked for maxReplicas for hours.
  @Test
  void holdsWhenAUtilizationIsReadOverMoreThanTwiceTheReplicasThatExist() {
    WorkloadSpec cpu = WorkloadSpec.builder(WEB).minReplicas(1).maxReplicas(20).mode(Mode.ACT)
        .metric(MetricTarget.utilization("cpu", 70)).build();
    int[] ready = {1000};
    source.custom(WEB, (spec, now) -> Observation.of(now, new ReplicaStatus(8, ready[0], 0, 8),
        MetricReading.of("cpu", 140, now)));
    AutoscalerEngine e = engine(clock, source, (ctx, p) -> p.to("hpa",
        (int) Math.ceil(ctx.load("cpu") / 0.7), "utilization"), executor, journal)
        .workload(cpu).build();
    e.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.reasons()).extracting(Reason::message).containsExactly("metric cpu: utilization"
        + " over 1000 ready replicas, more than twice as many as exist (8) or are asked for (8):"
        + " the load is unknown");
    assertThat(executor.requests).isEmpty();
    // A rollout's surge seen by a source that does not report the pods that exist (existing is
    // current): 10 ready while 8 are asked for is a count (a review caught it held), as is a
    // blue-green preview, twice as many (the load 1.4 x 16 pods needs 32 at 70 %, the step
    // limit allows 16)
    clock.advance(SYNC);
    source.custom(WEB, (spec, now) -> Observation.of(now, ReplicaStatus.of(8, 16),
        MetricReading.of("cpu", 140, now)));
    e.tick();
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.SCALE);
    assertThat(executor.requests).singleElement().extracting(ScaleRequest::to).isEqualTo(16);
  }

  @Test
  void holdsWhenTheReplicaCountIsUnknown() {
    source.custom(WEB, (spec, now) -> new Observation(now,
        Map.of("rps", MetricReading.of("rps", 900, now)), Optional.empty()));
    engine.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.current()).isEqualTo(-1);
    assertThat(r.desired()).isEqualTo(-1);
    assertThat(r.reasons()).extracting(Reason::message).containsExactly(
        "replica count unknown: neither the metric source nor the executor reported it");
    assertThat(executor.requests).isEmpty();
  }

  @Test
  void usesTheExecutorsReplicaCountWhenTheSourceHasNone() {
    source.custom(WEB, (spec, now) -> new Observation(now,
        Map.of("rps", MetricReading.of("rps", 900, now)), Optional.empty()));
    RecordingExecutor withReplicas = new RecordingExecutor() {
      @Override
      public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
        return Optional.of(ReplicaStatus.of(3, 3));
      }
    };
    AutoscalerEngine e = engine(clock, source, CAPACITY, withReplicas, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    e.tick();
    assertThat(last(journal, WEB).current()).isEqualTo(3);
    assertThat(withReplicas.requests).singleElement().extracting(ScaleRequest::to).isEqualTo(7);
  }

  @Test
  void holdsEveryWorkloadWhenTheClockGoesBackwards() {
    engine.tick();
    executor.requests.clear();
    clock.set(T0.minusSeconds(30));
    engine.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.HOLD);
    assertThat(r.time()).isEqualTo(T0.minusSeconds(30));
    assertThat(r.reasons()).extracting(Reason::message)
        .contains("clock went backwards from " + T0 + " to " + T0.minusSeconds(30));
    assertThat(executor.requests).isEmpty();
  }

  @Test
  void resumesOnceTheClockHasPassedTheLastTickAgain() {
    engine.tick();
    source.replicas(WEB, 6, 6);
    clock.set(T0.minusSeconds(30));
    engine.tick();
    clock.set(T0.plusSeconds(15));
    engine.tick();
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.SCALE);
    assertThat(r.desired()).isEqualTo(9);
  }

  // Catches a one-tick forward clock glitch (+30 days, then corrected) freezing autoscaling for
  // the glitch's whole size: every later tick held "clock went backwards" until real time passed
  // the glitched tick, and the samples stamped then kept the live ones out of the history.
  @Test
  void aCorrectedForwardClockGlitchCostsOneHeldTick() {
    engine.tick(); // T0: 2 -> 6 (9 wanted, +4 at most)
    source.replicas(WEB, 6, 6);
    Instant glitch = T0.plus(Duration.ofDays(30));
    clock.set(glitch);
    engine.tick(); // 6 -> 9, stamped 30 days ahead
    source.replicas(WEB, 9, 9).value(WEB, "rps", 1900);
    Instant corrected = T0.plusSeconds(15);
    clock.set(corrected);
    String log = Fixtures.stderrOf(() -> {
      engine.tick();
      DecisionRecord held = last(journal, WEB);
      assertThat(held.kind()).isEqualTo(Kind.HOLD);
      assertThat(held.reasons()).extracting(Reason::message).startsWith(
          "clock went backwards from " + glitch + " to " + corrected,
          "more than maxMetricAge PT5M back: the clock is taken as corrected if the next tick "
              + "agrees");
      clock.advance(SYNC);
      engine.tick();
    });
    assertThat(log).contains("taking the clock as corrected and resuming");
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.SCALE);
    assertThat(r.desired()).isEqualTo(18); // 19 wanted, +9 at most
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(6, 9, 18);
    // The live samples go into the history again: the next step closes with them.
    clock.advance(SYNC);
    engine.tick();
    clock.advance(SYNC);
    engine.tick();
    assertThat(last(journal, WEB).kind()).isNotEqualTo(Kind.HOLD);
  }

  // Catches a rewind that leaves the scale times or the past decisions a forward glitch stamped
  // 30 days ahead: a policy counting a cooldown from them blocks every scale-up for 30 days.
  @Test
  void aCorrectedForwardClockGlitchForgetsTheScaleAndDecisionTimesItStamped() {
    Duration cooldown = Duration.ofMinutes(3);
    List<DecisionContext> seen = new ArrayList<>();
    DecisionPolicy upCooldown = new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext ctx, Proposal p) {
        seen.add(ctx);
        Instant lastUp = ctx.lastScaleUp().orElse(null);
        for (PastDecision d : ctx.recent()) {
          boolean up = d.applied() && d.desired() > d.current();
          if (up && (lastUp == null || d.time().isAfter(lastUp))) {
            lastUp = d.time();
          }
        }
        int current = ctx.replicas().current();
        if (p.replicas() > current && lastUp != null
            && ctx.now().isBefore(lastUp.plus(cooldown))) {
          return p.to("cooldown", current, "scaled up at " + lastUp);
        }
        return p;
      }

      @Override
      public Duration memory() {
        return Duration.ofMinutes(30);
      }
    };
    AutoscalerEngine e = engine(clock, source, DecisionPolicy.chain(CAPACITY, upCooldown),
        executor, journal).maxMetricAge(Duration.ofMinutes(5))
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    e.tick(); // T0: 2 -> 6
    source.replicas(WEB, 6, 6);
    Instant glitch = T0.plus(Duration.ofDays(30));
    clock.set(glitch);
    e.tick(); // 6 -> 9, the scale-up and its past decision stamped 30 days ahead
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(6, 9);
    source.replicas(WEB, 9, 9).value(WEB, "rps", 1900);
    clock.set(T0.plusSeconds(15));
    Fixtures.stderrOf(e::tick); // held: far back
    clock.advance(SYNC);
    Instant corrected = clock.instant();
    Fixtures.stderrOf(e::tick); // taken as corrected: the cooldown counts from now
    DecisionContext resumed = seen.get(seen.size() - 1);
    assertThat(resumed.now()).isEqualTo(corrected);
    assertThat(resumed.lastScaleUp()).contains(corrected);
    assertThat(resumed.recent()).extracting(PastDecision::time)
        .allSatisfy(t -> assertThat(t).isBeforeOrEqualTo(corrected))
        .contains(corrected);
    assertThat(last(journal, WEB).desired()).isEqualTo(9);
    assertThat(last(journal, WEB).reasons()).extracting(Reason::step).contains("cooldown");
    while (clock.instant().isBefore(corrected.plus(cooldown))) {
      clock.advance(SYNC);
      e.tick();
    }
    DecisionRecord r = last(journal, WEB);
    assertThat(r.kind()).isEqualTo(Kind.SCALE);
    assertThat(r.desired()).isEqualTo(18); // 19 wanted, +9 at most
    assertThat(executor.requests).extracting(ScaleRequest::to).containsExactly(6, 9, 18);
  }

  @Test
  void aSingleTickFarInThePastHoldsAndRewindsNothing() {
    engine.tick();
    source.replicas(WEB, 6, 6);
    clock.set(T0.minus(Duration.ofDays(1)));
    String log = Fixtures.stderrOf(engine::tick);
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.HOLD);
    clock.set(T0.plusSeconds(15)); // the bogus reading is not repeated
    engine.tick();
    assertThat(log).doesNotContain("taken as corrected and resuming");
    assertThat(last(journal, WEB).kind()).isEqualTo(Kind.SCALE);
    assertThat(last(journal, WEB).desired()).isEqualTo(9);
  }
}
