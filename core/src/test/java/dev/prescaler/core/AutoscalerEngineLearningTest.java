package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The engine measures pod startup delays and forecast accuracy from what it observes. */
class AutoscalerEngineLearningTest {
  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 500);
  RecordingExecutor executor = new RecordingExecutor();
  InMemoryJournal journal = new InMemoryJournal();
  List<DecisionContext> contexts = new ArrayList<>();

  DecisionPolicy recordingCapacity = (ctx, p) -> {
    contexts.add(ctx);
    return Fixtures.CAPACITY.apply(ctx, p);
  };

  private static WorkloadSpec spec(Duration startupDelay) {
    return WorkloadSpec.builder(WEB).maxReplicas(20).mode(Mode.ACT).startupDelay(startupDelay)
        .metric(MetricTarget.averageValue("rps", 100)).build();
  }

  /** Raises the count by 2 (the load asks for it); the new pods are ready {@code ticks} later. */
  private int scaleUpReadyAfter(AutoscalerEngine engine, int replicas, int ticks) {
    source.set(WEB, replicas, replicas, "rps", (replicas + 2) * 100);
    engine.tick(); // raise by 2
    source.replicas(WEB, replicas + 2, replicas);
    for (int i = 0; i < ticks; i++) {
      clock.advance(SYNC);
      if (i == ticks - 1) {
        source.replicas(WEB, replicas + 2, replicas + 2);
      }
      engine.tick();
    }
    clock.advance(SYNC);
    return replicas + 2;
  }

  @Test
  void measuresTheStartupDelayFromOurOwnScaleUp() {
    AutoscalerEngine engine = engine(clock, source, recordingCapacity, executor, journal)
        .workload(spec(Duration.ofSeconds(120))).build();
    engine.tick(); // 2 -> 5 at T0
    source.replicas(WEB, 5, 2);
    for (int i = 0; i < 3; i++) { // not ready yet at T0 + 15, 30, 45 s
      clock.advance(SYNC);
      engine.tick();
    }
    assertThat(engine.startupDelaySamples(WEB)).isEmpty();
    source.replicas(WEB, 5, 5);
    clock.advance(SYNC);
    engine.tick(); // ready at T0 + 60 s
    assertThat(engine.startupDelaySamples(WEB)).containsExactly(Duration.ofSeconds(60));
  }

  @Test
  void theConfiguredDelayHoldsUntilThreeScaleUpsWereMeasured() {
    AutoscalerEngine engine = engine(clock, source, recordingCapacity, executor, journal)
        .workload(spec(Duration.ofSeconds(120))).build();
    int replicas = scaleUpReadyAfter(engine, 2, 4); // 60 s
    replicas = scaleUpReadyAfter(engine, replicas, 4);
    assertThat(engine.startupDelaySamples(WEB)).hasSize(2);
    assertThat(engine.measuredStartupDelay(WEB)).isEmpty();
    assertThat(engine.leadTime(WEB)).contains(Duration.ofSeconds(120).plus(SYNC));
    engine.tick();
    DecisionContext ctx = contexts.get(contexts.size() - 1);
    assertThat(ctx.startupDelay()).isEqualTo(Duration.ofSeconds(120));
    assertThat(ctx.startupDelayMeasured()).isFalse();

    scaleUpReadyAfter(engine, replicas, 4);
    assertThat(engine.measuredStartupDelay(WEB)).contains(Duration.ofSeconds(60));
    engine.tick();
    ctx = contexts.get(contexts.size() - 1);
    assertThat(ctx.startupDelay()).isEqualTo(Duration.ofSeconds(60));
    assertThat(ctx.startupDelayMeasured()).isTrue();
    assertThat(ctx.leadTime()).isEqualTo(Duration.ofSeconds(60).plus(SYNC));
  }

  @Test
  void measuresTheStartupDelayOfARaiseBySomeoneElse() {
    source.set(WEB, 5, 5, "rps", 500);
    AutoscalerEngine engine = engine(clock, source, recordingCapacity, executor, journal)
        .workload(spec(Duration.ofSeconds(120))).build();
    engine.tick(); // 5 replicas, keep
    source.replicas(WEB, 8, 5); // the HPA raised it
    clock.advance(SYNC);
    engine.tick();
    source.replicas(WEB, 8, 8);
    clock.advance(SYNC.multipliedBy(2));
    engine.tick();
    assertThat(engine.startupDelaySamples(WEB)).containsExactly(Duration.ofSeconds(30));
  }

  @Test
  void theMeasuredDelayIsTheMedianOfRecentScaleUps() {
    AutoscalerEngine engine = engine(clock, source, recordingCapacity, executor, journal)
        .workload(spec(Duration.ofSeconds(120))).build();
    int replicas = 2;
    for (int n : new int[] {2, 6, 3}) {
      replicas = scaleUpReadyAfter(engine, replicas, n);
    }
    // 30 s, 90 s, 45 s: the median is 45 s.
    assertThat(engine.measuredStartupDelay(WEB)).contains(Duration.ofSeconds(45));
  }

  @Test
  void aScaleDownBeforeReadinessCancelsTheMeasurement() {
    AutoscalerEngine engine = engine(clock, source, recordingCapacity, executor, journal)
        .workload(spec(Duration.ofSeconds(120))).build();
    engine.tick(); // 2 -> 5
    source.set(WEB, 3, 2, "rps", 300); // someone scaled down before the pods were ready
    clock.advance(SYNC);
    engine.tick();
    source.replicas(WEB, 3, 3);
    clock.advance(SYNC);
    engine.tick();
    assertThat(engine.measuredStartupDelay(WEB)).isEmpty();
  }

  private AutoscalerEngine actEngine() {
    return engine(clock, source, Fixtures.CAPACITY, executor, journal)
        .workload(spec(Duration.ofSeconds(120))).build();
  }

  /**
   * An engine whose policy keeps whatever runs (the raises the tests make come from elsewhere, as
   * an HPA's would), ticked once at 5 replicas, all ready.
   */
  private AutoscalerEngine scaledByOthersAtFiveReady() {
    source.set(WEB, 5, 5, "rps", 500);
    AutoscalerEngine engine = engine(clock, source, (ctx, p) -> p, executor, journal)
        .workload(spec(Duration.ofSeconds(120))).build();
    engine.tick();
    return engine;
  }

  private void tick(AutoscalerEngine engine, int times) {
    for (int i = 0; i < times; i++) {
      clock.advance(SYNC);
      engine.tick();
    }
  }

  private void metricsDown() {
    // Neither loads nor replica counts (the executor does not report them either).
    source.custom(WEB, (s, now) -> new Observation(now,
        Map.of("rps", MetricReading.unavailable("rps", "prometheus down")), Optional.empty()));
  }

  private void metricsUp() {
    source.custom.remove(WEB);
  }

  @Test
  void aMetricsOutageDuringAScaleUpTeachesNoStartupDelay() {
    AutoscalerEngine engine = actEngine();
    engine.tick(); // 2 -> 5 at T0
    source.replicas(WEB, 5, 2);
    tick(engine, 1);
    metricsDown();
    tick(engine, 120); // 30 min without replica counts; the pods were ready meanwhile
    metricsUp();
    source.replicas(WEB, 5, 5);
    tick(engine, 1);
    assertThat(engine.startupDelaySamples(WEB)).isEmpty();
    assertThat(engine.leadTime(WEB)).contains(Duration.ofSeconds(120).plus(SYNC));
  }

  @Test
  void oneTickWithoutReplicaCountsStillMeasuresTheStartupDelay() {
    AutoscalerEngine engine = actEngine();
    engine.tick(); // 2 -> 5 at T0
    source.replicas(WEB, 5, 2);
    tick(engine, 2);
    metricsDown();
    tick(engine, 1);
    metricsUp();
    source.replicas(WEB, 5, 5);
    tick(engine, 1); // ready seen at T0 + 60 s, 30 s after the previous count
    assertThat(engine.startupDelaySamples(WEB)).containsExactly(Duration.ofSeconds(60));
  }

  @Test
  void podsStillStartingAfterAnOutageAreMeasuredFromTheScaleUp() {
    AutoscalerEngine engine = actEngine();
    engine.tick(); // 2 -> 5 at T0
    source.replicas(WEB, 5, 2);
    metricsDown();
    tick(engine, 20); // 5 min without counts
    metricsUp();
    tick(engine, 1); // still 2 of 5 ready at T0 + 5m15s
    source.replicas(WEB, 5, 5);
    tick(engine, 1);
    assertThat(engine.startupDelaySamples(WEB)).containsExactly(Duration.ofSeconds(330));
  }

  @Test
  void anEngineRestartedDuringAScaleUpTeachesNoStartupDelay() {
    AutoscalerEngine engine = actEngine();
    engine.tick(); // 2 -> 5 at T0
    source.replicas(WEB, 5, 2);
    tick(engine, 1);
    engine.close();
    clock.advance(Duration.ofMinutes(20)); // the agent is down; the pods get ready meanwhile
    source.replicas(WEB, 5, 5);
    AutoscalerEngine restarted = engine(clock, source, Fixtures.CAPACITY, executor,
        new InMemoryJournal()).workload(spec(Duration.ofSeconds(120))).build();
    restarted.restore(journal.records());
    restarted.tick();
    assertThat(restarted.startupDelaySamples(WEB)).isEmpty();
  }

  @Test
  void aClockSteppedForwardDuringAScaleUpTeachesNoStartupDelay() {
    AutoscalerEngine engine = actEngine();
    engine.tick(); // 2 -> 5 at T0
    source.replicas(WEB, 5, 2);
    tick(engine, 1);
    clock.advance(Duration.ofHours(3)); // NTP steps the clock forward
    source.replicas(WEB, 5, 5);
    engine.tick();
    assertThat(engine.startupDelaySamples(WEB)).isEmpty();
  }

  @Test
  void aScaleUpStartedBeforeTheClockSteppedBackTeachesNoStartupDelay() {
    // Catches a measurement kept across a clock stepped back: begun at T0, its pods ready 90 s
    // later read T0 + 30 s on the stepped clock, and 30 s was learned.
    AutoscalerEngine engine = actEngine();
    engine.tick(); // 2 -> 5 at T0
    source.replicas(WEB, 5, 2);
    clock.set(T0.minusSeconds(60)); // NTP steps the clock back before the next tick
    tick(engine, 5); // T0 - 45 s .. T0 + 15 s: held until the clock passes T0 again
    source.replicas(WEB, 5, 5);
    tick(engine, 1); // T0 + 30 s on the clock, 90 s after the scale-up
    assertThat(engine.startupDelaySamples(WEB)).isEmpty();
    // ...nor does a restart that replays those records
    engine.close();
    clock.advance(SYNC);
    AutoscalerEngine restarted = engine(clock, source, Fixtures.CAPACITY, executor,
        new InMemoryJournal()).workload(spec(Duration.ofSeconds(120))).build();
    restarted.restore(journal.records());
    assertThat(restarted.startupDelaySamples(WEB)).isEmpty();
  }

  @Test
  void aScaleUpStampedByAClockGlitchTeachesNoStartupDelay() {
    // Catches a measurement moved to the corrected clock: a scale-up stamped a day ahead, the
    // clock taken as corrected 45 s later, the pods ready 15 s after that: 15 s was learned.
    source.set(WEB, 2, 2, "rps", 150);
    AutoscalerEngine engine = actEngine();
    engine.tick(); // T0: 2 are enough
    clock.set(T0.plus(Duration.ofDays(1)));
    source.set(WEB, 2, 2, "rps", 500);
    engine.tick(); // 2 -> 5, stamped a day ahead
    source.replicas(WEB, 5, 2);
    clock.set(T0.plusSeconds(30));
    engine.tick(); // far behind: held
    clock.set(T0.plusSeconds(45));
    engine.tick(); // far behind again: the clock is taken as corrected
    source.replicas(WEB, 5, 5);
    clock.set(T0.plusSeconds(60));
    engine.tick();
    assertThat(engine.startupDelaySamples(WEB)).isEmpty();
  }

  @Test
  void gapsAreMeasuredFromWhenTheCountsWereRead() {
    // Catches gaps taken between the ticks' starts: a tick that reaches the workload 50 s late
    // (slow calls for others) saw its pods ready 65 s after the scale-up, and 15 s was learned.
    boolean[] slow = {false};
    MetricSource slowSource = (spec, now) -> {
      if (slow[0]) {
        clock.advance(Duration.ofSeconds(50));
      }
      return source.read(spec, now);
    };
    AutoscalerEngine engine = engine(clock, slowSource, Fixtures.CAPACITY, executor, journal)
        .workload(spec(Duration.ofSeconds(120))).build();
    engine.tick(); // 2 -> 5 at T0
    source.replicas(WEB, 5, 5);
    slow[0] = true;
    tick(engine, 1); // starts at T0 + 15 s, reads the counts at T0 + 65 s
    assertThat(engine.startupDelaySamples(WEB)).isEmpty();
  }

  @Test
  void aStartupLongerThanAnHourIsNotLearned() {
    AutoscalerEngine engine = actEngine();
    engine.tick(); // 2 -> 5 at T0
    source.replicas(WEB, 5, 2);
    tick(engine, 4 * 61); // pending pods, seen on every tick, for 61 min
    source.replicas(WEB, 5, 5);
    tick(engine, 1);
    assertThat(engine.startupDelaySamples(WEB)).isEmpty();
  }

  @Test
  void aRaiseFirstSeenReadyAfterAnOutageTeachesNoStartupDelay() {
    AutoscalerEngine engine = scaledByOthersAtFiveReady();
    metricsDown();
    tick(engine, 40); // 10 min without counts; meanwhile the HPA scaled 5 -> 8, all ready
    metricsUp();
    source.replicas(WEB, 8, 8);
    tick(engine, 1);
    assertThat(engine.startupDelaySamples(WEB)).isEmpty();
  }

  @Test
  void aRaiseFirstSeenStartingAfterAnOutageTeachesNoStartupDelay() {
    AutoscalerEngine engine = scaledByOthersAtFiveReady();
    metricsDown();
    tick(engine, 40); // 10 min without counts; the HPA raised to 8 at some point
    metricsUp();
    source.replicas(WEB, 8, 5);
    tick(engine, 1);
    source.replicas(WEB, 8, 8);
    tick(engine, 1);
    assertThat(engine.startupDelaySamples(WEB)).isEmpty();
  }

  @Test
  void aRaiseSeenAlreadyReadyOneTickLaterIsMeasuredAsOneSyncPeriod() {
    AutoscalerEngine engine = scaledByOthersAtFiveReady();
    source.replicas(WEB, 8, 8); // raised and ready between two ticks
    tick(engine, 1);
    assertThat(engine.startupDelaySamples(WEB)).containsExactly(SYNC);
  }

  /**
   * A workload's pods as a cluster runs them: each pod ready {@code startup} after it was asked
   * for; a scale-down removes the newest pods first. {@link #readLate} serves the counts one sync
   * period old (kube-state-metrics through Prometheus: a scrape behind).
   */
  private final class Pods {
    final Duration startup;
    final List<java.time.Instant> asked = new ArrayList<>();
    ReplicaStatus lastRead;

    Pods(int ready, Duration startup) {
      this.startup = startup;
      for (int i = 0; i < ready; i++) {
        asked.add(T0.minus(startup));
      }
    }

    void scaleTo(int n) {
      while (asked.size() < n) {
        asked.add(clock.instant());
      }
      while (asked.size() > n) {
        asked.remove(asked.size() - 1);
      }
    }

    ReplicaStatus now() {
      java.time.Instant readyBy = clock.instant().minus(startup);
      int ready = (int) asked.stream().filter(t -> !t.isAfter(readyBy)).count();
      return ReplicaStatus.of(asked.size(), ready);
    }

    /** The counts as the previous read saw them (the first read: as they are). */
    ReplicaStatus readLate() {
      ReplicaStatus late = lastRead == null ? now() : lastRead;
      lastRead = now();
      return late;
    }

    ScaleExecutor executor() {
      return request -> {
        scaleTo(request.to());
        return ScaleOutcome.applied(request.to(), "set to " + request.to());
      };
    }
  }

  /** The capacity policy's count when it is higher than the current one; else the count kept. */
  private static final DecisionPolicy UP_ONLY = (ctx, p) -> {
    Proposal want = Fixtures.CAPACITY.apply(ctx, p);
    return want.replicas() > ctx.replicas().current() ? want : p;
  };

  private static WorkloadSpec spec50(Mode mode) {
    return WorkloadSpec.builder(WEB).maxReplicas(50).mode(mode)
        .startupDelay(Duration.ofSeconds(120)).metric(MetricTarget.averageValue("rps", 100))
        .build();
  }

  // Caught a count the engine only assumed after its own scale-down taken as the one seen
  // before: the counts, a scrape late, still read 10 of 10 after 10 -> 8, which looked like a
  // raise seen already ready, and each step down taught a startup of one tick (15 s): the
  // samples read [1m, 15s, 15s, 15s, 1m, ...] and the measured delay was 15 s.
  @Test
  void countsReadAScrapeLateAfterOurScaleDownTeachNoStartupDelay() {
    Pods pods = new Pods(5, Duration.ofSeconds(60));
    double[] load = {500};
    MetricSource late = (spec, now) -> Observation.of(now, pods.readLate(),
        MetricReading.of("rps", load[0], now));
    DecisionPolicy stepDownBy2 = (ctx, p) -> {
      Proposal want = Fixtures.CAPACITY.apply(ctx, p);
      int floor = ctx.replicas().current() - 2;
      return want.replicas() < floor ? p.to("step", floor, "down by 2 at most") : want;
    };
    AutoscalerEngine engine = engine(clock, late, stepDownBy2, pods.executor(), journal)
        .workload(spec50(Mode.ACT)).build();
    for (int i = 0; i < 4 * 60; i++) { // 1 h: the load 500 and 1000 in turn, 5 min each
      load[0] = (i / 20) % 2 == 0 ? 1000 : 500;
      engine.tick();
      clock.advance(SYNC);
    }
    assertThat(journal.records(WEB)).filteredOn(r -> r.desired() == 8 && r.current() == 10)
        .hasSizeGreaterThan(6); // the engine did step down, and was read the old count after
    assertThat(engine.startupDelaySamples(WEB)).isNotEmpty()
        .allSatisfy(d -> assertThat(d).isEqualTo(Duration.ofSeconds(60)));
    assertThat(engine.measuredStartupDelay(WEB)).contains(Duration.ofSeconds(60));
  }

  // Caught our own scale-up read back above what it asked taken for a new raise: with pods
  // ready 60 s after they are asked for and a cluster that rounds each scale-up 2 above the ask
  // (a webhook, a batching operator), the measurement restarted at the first read, a tick after
  // the apply, and every sample read 45 s: the lead time a sync period short.
  @Test
  void ourScaleUpLandingAboveTheAskIsTimedFromTheApply() {
    Pods pods = new Pods(5, Duration.ofSeconds(60));
    double[] load = {800};
    MetricSource counts = (spec, now) -> Observation.of(now, pods.now(),
        MetricReading.of("rps", load[0], now));
    ScaleExecutor roundsUp = request -> {
      pods.scaleTo(request.to() + 2);
      return ScaleOutcome.applied(request.to(), "set to " + request.to());
    };
    AutoscalerEngine engine = engine(clock, counts, UP_ONLY, roundsUp, journal)
        .workload(spec50(Mode.ACT)).build();
    for (int i = 0; i < 4 * 30; i++) { // 30 min: 800, 1100, then 1400 rps, 10 min each
      load[0] = 800 + 300 * (i / 40);
      engine.tick();
      clock.advance(SYNC);
    }
    assertThat(engine.startupDelaySamples(WEB)).hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(d -> assertThat(d).isEqualTo(Duration.ofSeconds(60)));
  }

  // Caught a raise first seen after a gap timed from our own apply before it: the engine asked
  // 5 -> 10, did not tick for 19 minutes (a replica that lost the Lease), and someone raised the
  // count to 12 meanwhile; the read of 12 was taken for our scale-up landing long, a sample of
  // 20 minutes. A raise first seen after a gap teaches nothing.
  @Test
  void aRaiseFirstSeenAfterAGapIsNotTimedFromOurEarlierApply() {
    Pods pods = new Pods(5, Duration.ofSeconds(60));
    MetricSource counts = (spec, now) -> Observation.of(now, pods.now(),
        MetricReading.of("rps", 1000, now));
    AutoscalerEngine engine = engine(clock, counts, UP_ONLY, pods.executor(), journal)
        .workload(spec50(Mode.ACT)).build();
    engine.tick(); // 5 -> 10
    assertThat(journal.records(WEB)).last().satisfies(r -> assertThat(r.desired()).isEqualTo(10));
    clock.advance(Duration.ofMinutes(19));
    pods.scaleTo(12);
    clock.advance(Duration.ofSeconds(30)); // first read 45 s after that raise, its pods starting
    tick(engine, 12);
    assertThat(engine.startupDelaySamples(WEB)).isEmpty();
  }

  // Caught the count asked for taken as the one seen: an executor that keeps at least 6 and
  // answers applied 6 to 10 -> 5 was read 6 of 6 after each ask of 5, a raise seen already
  // ready, and every tick taught a startup of 15 s.
  @Test
  void anExecutorThatAppliesMoreThanAskedTeachesNoStartupDelay() {
    source.set(WEB, 10, 10, "rps", 500);
    ScaleExecutor keepsSix = request -> {
      int kept = Math.max(6, request.to());
      source.replicas(WEB, kept, kept);
      return ScaleOutcome.applied(kept, "set to " + kept);
    };
    AutoscalerEngine engine = engine(clock, source, Fixtures.CAPACITY, keepsSix, journal)
        .workload(spec50(Mode.ACT)).build();
    engine.tick(); // 10 -> 5, applied as 6
    tick(engine, 8); // 6 -> 5 on each, applied as 6
    assertThat(journal.records(WEB)).last().satisfies(r -> {
      assertThat(r.current()).isEqualTo(6);
      assertThat(r.desired()).isEqualTo(5);
    });
    assertThat(engine.startupDelaySamples(WEB)).isEmpty();
  }

  // Caught raises seen while earlier ones were starting measured from the first: 5 of 5 raised
  // by 1 on each of 8 ticks by the HPA, each pod ready 60 s after its raise, taught 2m45s (the
  // first raise to the last one's pods ready) where the same raises by the engine taught 1m.
  @Test
  void raisesInARowAreMeasuredFromTheLatestAsOurOwnScaleUpsAre() {
    for (Mode mode : new Mode[] {Mode.OBSERVE_ONLY, Mode.HPA_FLOOR, Mode.ACT}) {
      clock.set(T0);
      Pods pods = new Pods(5, Duration.ofSeconds(60));
      int[] raises = {0};
      MetricSource counts = (spec, now) -> Observation.of(now, pods.now(),
          MetricReading.of("rps", 500, now));
      // In ACT the engine raises the count by 1 on each of 8 ticks; in the other modes the
      // HPA does (between the ticks), and the policy keeps what runs.
      DecisionPolicy policy = mode == Mode.ACT
          ? (ctx, p) -> raises[0] < 8 ? p.to("up", ctx.replicas().current() + 1, "+1") : p
          : (ctx, p) -> p;
      ScaleExecutor executor = mode == Mode.ACT ? request -> {
        raises[0]++;
        return pods.executor().apply(request);
      } : request -> ScaleOutcome.applied(request.to(), "floor " + request.to());
      AutoscalerEngine engine = engine(clock, counts, policy, executor, new InMemoryJournal())
          .workload(spec50(mode)).build();
      engine.tick();
      for (int i = 0; i < 16; i++) {
        clock.advance(SYNC);
        if (mode != Mode.ACT && raises[0] < 8) {
          raises[0]++;
          pods.scaleTo(5 + raises[0]);
        }
        engine.tick();
      }
      assertThat(pods.now()).as(mode.name()).isEqualTo(ReplicaStatus.of(13, 13));
      assertThat(engine.startupDelaySamples(WEB)).as(mode.name())
          .containsExactly(Duration.ofSeconds(60));
    }
  }

  /** Repeats the last value (the naive forecast), with an interval of ±1. */
  private static final Forecaster LAST_VALUE = (h, horizon, level) -> {
    double last = h.value(h.size() - 1);
    int n = Forecaster.steps(horizon, h.step());
    double[] p = new double[n];
    double[] lo = new double[n];
    double[] hi = new double[n];
    java.util.Arrays.fill(p, last);
    java.util.Arrays.fill(lo, last - 1);
    java.util.Arrays.fill(hi, last + 1);
    return new Forecast("last", h.end(), h.step(), p, lo, hi, level);
  };

  @Test
  void tracksForecastAccuracyAtTheLeadTime() {
    // Load ramps +10 per 15 s step; the forecaster repeats the last value (= naive). With a lead
    // time of 30 s + 0 + 15 s = 3 steps, every evaluated forecast is off by exactly 30.
    Forecaster lastValue = LAST_VALUE;
    AutoscalerEngine engine = engine(clock, source, (ctx, p) -> p, executor, journal)
        .forecaster(lastValue).workload(spec(Duration.ofSeconds(30))).build();
    assertThat(engine.accuracy(WEB)).singleElement()
        .satisfies(a -> assertThat(a.relativeMae()).isNaN());
    for (int i = 0; i < 40; i++) {
      source.value(WEB, "rps", 1000 + 10 * i);
      engine.tick();
      clock.advance(SYNC);
    }
    ForecastAccuracy a = engine.accuracy(WEB).get(0);
    assertThat(a.metric()).isEqualTo("rps");
    assertThat(a.samples()).isBetween(30L, 39L);
    assertThat(a.mae()).isCloseTo(30, within(1e-9));
    assertThat(a.naiveMae()).isCloseTo(30, within(1e-9));
    assertThat(a.coverage()).isZero();
    assertThat(a.relativeMae()).isCloseTo(1, within(1e-9));

    // A restarted engine measures the same accuracy again from the journal alone.
    AutoscalerEngine restarted = engine(clock, source, (ctx, p) -> p, executor,
        new InMemoryJournal()).forecaster(lastValue).workload(spec(Duration.ofSeconds(30)))
        .build();
    restarted.restore(journal.records());
    ForecastAccuracy again = restarted.accuracy(WEB).get(0);
    assertThat(again.samples()).isBetween(30L, 39L);
    assertThat(again.mae()).isCloseTo(30, within(1e-9));
    assertThat(again.naiveMae()).isCloseTo(30, within(1e-9));
  }

  // Caught a restore that timed the startups at the ticks' instants while the live engine timed
  // them when the apply returned and when the counts were read: with applies that take 5 s, the
  // live engine learned 90 s (from the apply's return) and the restored one 95 s.
  @Test
  void aRestoreTimesTheStartupsAsTheLiveEngineDidWhenCallsTakeTime() {
    ScaleExecutor slowApply = request -> {
      clock.advance(Duration.ofSeconds(5));
      return executor.apply(request);
    };
    AutoscalerEngine engine = engine(clock, source, Fixtures.CAPACITY, slowApply, journal)
        .workload(spec(Duration.ofSeconds(120))).build();
    int replicas = 2;
    for (int i = 0; i < 3; i++) {
      replicas = scaleUpReadyAfter(engine, replicas, 6);
    }
    assertThat(engine.measuredStartupDelay(WEB)).contains(Duration.ofSeconds(90));

    AutoscalerEngine restarted = engine(clock, source, Fixtures.CAPACITY, slowApply,
        new InMemoryJournal()).workload(spec(Duration.ofSeconds(120))).build();
    restarted.restore(journal.records());
    assertThat(restarted.startupDelaySamples(WEB)).isEqualTo(engine.startupDelaySamples(WEB));
    assertThat(restarted.leadTime(WEB)).isEqualTo(engine.leadTime(WEB));
  }

  // Caught a restored engine that decided on a sample the live engine had already used: the
  // sample times were not journaled, so "no new sample since" could not hold after a restore.
  @Test
  void aRestoredEngineHoldsOnASampleTheLiveEngineAlreadyUsed() {
    MetricSource stuck = (spec, now) -> Observation.of(now, ReplicaStatus.of(2, 2),
        MetricReading.of("rps", 500, T0.minusSeconds(30)));
    AutoscalerEngine engine = engine(clock, stuck, Fixtures.CAPACITY, executor, journal)
        .workload(spec(Duration.ofSeconds(120))).build();
    engine.tick(); // decides on the sample of T0 - 30 s
    List<dev.prescaler.core.journal.DecisionRecord> before = journal.records();

    InMemoryJournal restartedJournal = new InMemoryJournal();
    AutoscalerEngine restarted = engine(clock, stuck, Fixtures.CAPACITY, executor,
        restartedJournal).workload(spec(Duration.ofSeconds(120))).build();
    restarted.restore(before);
    clock.advance(SYNC);
    engine.tick();
    restarted.tick();
    String held = "held: metric rps: no new sample since " + T0.minusSeconds(30);
    assertThat(journal.records()).last().extracting(r -> r.actionMessage()).isEqualTo(held);
    assertThat(restartedJournal.records(WEB)).singleElement()
        .extracting(r -> r.actionMessage()).isEqualTo(held);
  }

  // Caught a restore that dropped, as a corrupt record's, the sample time of a tick held after
  // the clock stepped back 30 s: that record is dated before the sample the live engine keeps,
  // and the restored engine then decided on a sample it had already used.
  @Test
  void aRestoreKeepsTheSampleTimeOfATickHeldAfterTheClockSteppedBack() {
    java.time.Instant[] sampled = {T0};
    MetricSource source = (spec, now) -> Observation.of(now, ReplicaStatus.of(2, 2),
        MetricReading.of("rps", 500, sampled[0]));
    AutoscalerEngine engine = engine(clock, source, Fixtures.CAPACITY, executor, journal)
        .workload(spec(Duration.ofSeconds(120))).build();
    engine.tick();
    clock.advance(SYNC);
    sampled[0] = T0.plus(SYNC);
    engine.tick();
    clock.set(T0.minusSeconds(30));
    engine.tick(); // held: the clock went backwards
    List<dev.prescaler.core.journal.DecisionRecord> before = journal.records();

    InMemoryJournal restartedJournal = new InMemoryJournal();
    AutoscalerEngine restarted = engine(clock, source, Fixtures.CAPACITY, executor,
        restartedJournal).workload(spec(Duration.ofSeconds(120))).build();
    restarted.restore(before);
    clock.set(T0.plusSeconds(30));
    engine.tick();
    restarted.tick();
    String held = "held: metric rps: no new sample since " + T0.plus(SYNC);
    assertThat(journal.records()).last().extracting(r -> r.actionMessage()).isEqualTo(held);
    assertThat(restartedJournal.records(WEB)).singleElement()
        .extracting(r -> r.actionMessage()).isEqualTo(held);
  }

  // Caught a restore that set each metric's last sample time by name alone: a metric whose type
  // changed (a config change across a restart), or one removed and added again, held "no new
  // sample since" after the restore where the live engine, which starts such a metric afresh,
  // decided.
  @Test
  void aRestoreStartsAfreshAMetricWhoseTypeChangedOrThatWasRemovedAndAddedAgain() {
    MetricSource stuck = (spec, now) -> Observation.of(now, ReplicaStatus.of(2, 2),
        MetricReading.of("rps", 500, T0.minusSeconds(10)),
        MetricReading.of("qps", 300, T0.minusSeconds(10)));
    WorkloadSpec both = spec(Duration.ofSeconds(120)).toBuilder()
        .metric(MetricTarget.averageValue("qps", 100)).build();
    WorkloadSpec rpsOnly = spec(Duration.ofSeconds(120));
    WorkloadSpec rpsAsUtilization = both.toBuilder().metrics(List.of(
        MetricTarget.utilization("rps", 50), MetricTarget.averageValue("qps", 100))).build();
    for (WorkloadSpec[] specs : List.of(new WorkloadSpec[] {both, both, rpsAsUtilization},
        new WorkloadSpec[] {both, rpsOnly, both})) {
      InMemoryJournal live = new InMemoryJournal();
      clock.set(T0);
      AutoscalerEngine engine = engine(clock, stuck, Fixtures.CAPACITY, executor, live)
          .workload(specs[0]).build();
      engine.tick();
      clock.advance(SYNC);
      engine.register(specs[1]);
      engine.tick();
      List<dev.prescaler.core.journal.DecisionRecord> saved = live.records();

      clock.advance(SYNC);
      engine.register(specs[2]);
      engine.tick();
      InMemoryJournal again = new InMemoryJournal();
      AutoscalerEngine restarted = engine(clock, stuck, Fixtures.CAPACITY, executor, again)
          .workload(specs[2]).build();
      restarted.restore(saved);
      restarted.tick();
      // Live, the changed or re-added metric starts afresh; rps or qps, unchanged, still holds.
      dev.prescaler.core.journal.DecisionRecord expected =
          live.records().get(live.records().size() - 1);
      assertThat(expected.actionMessage()).containsOnlyOnce("no new sample since");
      assertThat(again.records(WEB)).singleElement().satisfies(r -> {
        assertThat(r.actionMessage()).isEqualTo(expected.actionMessage());
        assertThat(r.kind()).isEqualTo(expected.kind());
      });
    }
  }

  @Test
  void aRestartedEngineKeepsTheStartupDelayMeasuredBeforeFromTheJournal() {
    AutoscalerEngine engine = engine(clock, source, Fixtures.CAPACITY, executor, journal)
        .workload(spec(Duration.ofSeconds(120))).build();
    int replicas = 2;
    for (int i = 0; i < 3; i++) {
      replicas = scaleUpReadyAfter(engine, replicas, 6); // ready 90 s after the scale-up
    }
    assertThat(engine.measuredStartupDelay(WEB)).contains(Duration.ofSeconds(90));

    AutoscalerEngine restarted = engine(clock, source, Fixtures.CAPACITY, executor,
        new InMemoryJournal()).workload(spec(Duration.ofSeconds(120))).build();
    assertThat(restarted.measuredStartupDelay(WEB)).isEmpty();
    restarted.restore(journal.records());
    assertThat(restarted.measuredStartupDelay(WEB)).contains(Duration.ofSeconds(90));
  }

  @Test
  void aPerfectForecastScoresZeroErrorAndFullCoverage() {
    // Constant load: the last value is exact.
    Forecaster lastValue = (h, horizon, level) -> Forecast.flat("last", h.end(), h.step(),
        Forecaster.steps(horizon, h.step()), h.value(h.size() - 1));
    AutoscalerEngine engine = engine(clock, source, (ctx, p) -> p, executor, journal)
        .forecaster(lastValue).workload(spec(Duration.ofSeconds(30))).build();
    for (int i = 0; i < 20; i++) {
      engine.tick();
      clock.advance(SYNC);
    }
    ForecastAccuracy a = engine.accuracy(WEB).get(0);
    assertThat(a.samples()).isPositive();
    assertThat(a.mae()).isZero();
    assertThat(a.coverage()).isEqualTo(1.0);
    assertThat(a.relativeMae()).isZero();
  }

  @Test
  void policiesSeeTheHistoryAndTheLatestForecast() {
    Forecaster lastValue = (h, horizon, level) -> Forecast.flat("last", h.end(), h.step(),
        Forecaster.steps(horizon, h.step()), h.value(h.size() - 1));
    AutoscalerEngine engine = engine(clock, source, recordingCapacity, executor, journal)
        .forecaster(lastValue).workload(spec(Duration.ofSeconds(30))).build();
    for (int i = 0; i < 5; i++) {
      source.set(WEB, 5, 5, "rps", 100 * (i + 1));
      engine.tick();
      clock.advance(SYNC);
    }
    DecisionContext ctx = contexts.get(4);
    assertThat(ctx.histories().get("rps").toArray()).containsExactly(100, 200, 300, 400);
    assertThat(ctx.forecast("rps")).get().satisfies(f -> {
      assertThat(f.start()).isEqualTo(T0.plus(SYNC.multipliedBy(4)));
      assertThat(f.point(0)).isEqualTo(400);
      // The horizon is the spec's 30 minutes: 120 steps of 15 s.
      assertThat(f.steps()).isEqualTo(120);
    });
  }

  // Caught a registration that changed only a metric's target value (100 to 120 rps per replica)
  // and threw away the metric's forecaster and its accuracy record: samples back to 0, which
  // restarts the agent's promotion gates, although the loads are in the same units.
  @Test
  void aNewTargetOfTheSameTypeKeepsTheForecasterAndTheAccuracy() {
    java.util.concurrent.atomic.AtomicInteger instances =
        new java.util.concurrent.atomic.AtomicInteger();
    Forecaster counted = new Forecaster() {
      @Override
      public Forecast forecast(MetricSeries h, Duration horizon, double level) {
        return LAST_VALUE.forecast(h, horizon, level);
      }

      @Override
      public Forecaster forSeries() {
        instances.incrementAndGet();
        return this;
      }
    };
    AutoscalerEngine engine = engine(clock, source, (ctx, p) -> p, executor, journal)
        .forecaster(counted).workload(spec(Duration.ofSeconds(30))).build();
    for (int i = 0; i < 40; i++) {
      source.value(WEB, "rps", 1000 + 10 * i);
      engine.tick();
      clock.advance(SYNC);
    }
    ForecastAccuracy before = engine.accuracy(WEB).get(0);
    assertThat(before.samples()).isPositive();
    assertThat(instances).hasValue(1);

    engine.register(WorkloadSpec.builder(WEB).maxReplicas(20).mode(Mode.ACT)
        .startupDelay(Duration.ofSeconds(30)).metric(MetricTarget.averageValue("rps", 120))
        .build());
    assertThat(engine.accuracy(WEB).get(0)).isEqualTo(before);
    assertThat(engine.forecast(WEB, "rps")).isPresent();
    assertThat(instances).hasValue(1);
    source.value(WEB, "rps", 1400);
    engine.tick();
    assertThat(engine.accuracy(WEB).get(0).samples()).isGreaterThan(before.samples());

    // A new type is in other units: that metric starts afresh.
    engine.register(WorkloadSpec.builder(WEB).maxReplicas(20).mode(Mode.ACT)
        .startupDelay(Duration.ofSeconds(30)).metric(MetricTarget.utilization("rps", 70))
        .build());
    assertThat(engine.accuracy(WEB).get(0).samples()).isZero();
    assertThat(instances).hasValue(2);
  }
}
