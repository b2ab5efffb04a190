package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.EngineListener;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.k8s.LeaseElector;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class PromotionControllerTest {
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");
  private static final AgentConfig.Promotion GATES = new AgentConfig.Promotion(true,
      Duration.ofHours(2), 30, 0.9, 0.0, 1.2, Duration.ofMinutes(10));

  /** Demand with a one-hour cycle, in requests per second. */
  private static double demand(Instant t) {
    double s = Duration.between(T0, t).toSeconds();
    return 500 + 300 * Math.sin(2 * Math.PI * s / 3600);
  }

  /** A forecaster that knows the demand function: a perfect model, for testing the gates. */
  private static final Forecaster KNOWS_THE_FUTURE = (history, horizon, level) -> {
    int n = Forecaster.steps(horizon, history.step());
    double[] p = new double[n];
    for (int i = 0; i < n; i++) {
      Instant mid = history.end().plus(history.step().multipliedBy(i))
          .plus(history.step().dividedBy(2));
      p[i] = demand(mid);
    }
    double[] lo = p.clone();
    double[] hi = p.clone();
    for (int i = 0; i < n; i++) {
      lo[i] = Math.max(0, p[i] - 60);
      hi[i] = p[i] + 60;
    }
    return new Forecast("oracle", history.end(), history.step(), p, lo, hi, level);
  };

  /** A forecaster that forecasts {@code value} at every step, its interval that same value. */
  private static Forecaster constant(double value) {
    return (history, horizon, level) -> {
      double[] p = new double[Forecaster.steps(horizon, history.step())];
      java.util.Arrays.fill(p, value);
      return new Forecast("constant", history.end(), history.step(), p, p.clone(), p.clone(),
          level);
    };
  }

  private final ManualClock clock = new ManualClock(T0);
  /** The load the source reports, and the forecaster: the cycle and a perfect model by default. */
  private java.util.function.ToDoubleFunction<Instant> load = PromotionControllerTest::demand;
  private Forecaster forecaster = KNOWS_THE_FUTURE;
  private boolean metricsUp = true;
  private int replicas = 16;
  /** Whether the source reports the replica count of one tick before (a scrape that lags). */
  private boolean lag;
  private int lagged = 16;
  /** The executor behind the engine; applies every request unless a test swaps it. */
  private ScaleExecutor executor = r -> ScaleOutcome.applied(r.to(), "applied");
  private final List<ModeChangedEvent> modeChanges = new ArrayList<>();

  private AutoscalerEngine engine(PromotionController promotion, DoubleUnaryOperator policy) {
    WorkloadSpec spec = WorkloadSpec.builder(WEB).maxReplicas(50)
        .metric(MetricTarget.averageValue("rps", 50)).build();
    AutoscalerEngine engine = AutoscalerEngine.builder()
        .clock(clock)
        .metricSource((s, now) -> metricsUp
            ? Observation.of(now, ReplicaStatus.of(seen(), seen()),
                MetricReading.of("rps", load.applyAsDouble(now), now))
            : new Observation(now, Map.of("rps", MetricReading.unavailable("rps", "scrape down")),
                java.util.Optional.of(ReplicaStatus.of(replicas, replicas))))
        .forecaster((history, horizon, level) -> forecaster.forecast(history, horizon, level))
        .policy((ctx, p) -> p.to("test", (int) policy.applyAsDouble(ctx.load("rps")), "test"))
        .metricsDelay(Duration.ZERO)
        .journal(new InMemoryJournal(100))
        .executor(r -> executor.apply(r))
        .listener(promotion)
        .listener(new EngineListener() {
          @Override
          public void onModeChanged(ModeChangedEvent event) {
            modeChanges.add(event);
          }
        })
        .workload(spec)
        .build();
    promotion.bind(engine);
    return engine;
  }

  private int seen() {
    return lag ? lagged : replicas;
  }

  private void run(AutoscalerEngine engine, PromotionController promotion, Duration d) {
    Instant end = clock.instant().plus(d);
    while (clock.instant().isBefore(end)) {
      int before = replicas;
      engine.tick();
      promotion.evaluate();
      lagged = before;
      clock.advance(Duration.ofSeconds(15));
    }
  }

  @Test
  void promotesOnceObservedLongEnoughWithAccurateForecastsAndNoExtraShortfall() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    run(engine, promotion, Duration.ofMinutes(90));
    assertThat(engine.spec(WEB).orElseThrow().mode())
        .as("not before minObservation").isEqualTo(Mode.OBSERVE_ONLY);
    run(engine, promotion, Duration.ofMinutes(40));
    assertThat(engine.spec(WEB).orElseThrow().mode()).isEqualTo(Mode.ACT);
    assertThat(engine.accuracy(WEB)).singleElement()
        .satisfies(a -> assertThat(a.relativeMae()).isLessThan(0.9));
  }

  /**
   * Catches a forecast error that never demoted while the load did not change: the naive
   * forecast's error was 0, the relative MAE NaN, and NaN exceeds nothing. An acting workload
   * whose load sat at 200 while its model forecast 500 acted on that forecast for good.
   */
  @Test
  void aForecastWrongWhileTheLoadDoesNotChangeIsDemoted() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
    load = t -> 200;
    forecaster = constant(500);
    AutoscalerEngine engine = engine(promotion, l -> Math.ceil(l / 50));
    engine.mode(WEB, Mode.ACT, "promoted by hand");
    run(engine, promotion, Duration.ofHours(3));
    assertThat(engine.accuracy(WEB)).singleElement().satisfies(a -> {
      assertThat(a.naiveMae()).isZero();
      assertThat(a.mae()).isCloseTo(300, org.assertj.core.data.Offset.offset(1e-6));
    });
    assertThat(mode(engine)).isEqualTo(Mode.OBSERVE_ONLY);
    assertThat(modeChanges).last().satisfies(e -> assertThat(e.reason())
        .startsWith("demoted: rps forecast MAE 300.0 where the naive forecast's is 0"));
  }

  /**
   * Catches float noise taken for a forecast error: on a load that does not change, a forecast
   * off by its rounding (here 1.5e-4 on 5000.3, what the auto forecaster's float state gives)
   * against a naive error of 0 was "infinitely worse", and against a naive error of 1e-13 (two
   * spellings of one number, 0.1 * 3 and 0.3) millions of times worse: both demoted a workload
   * whose forecast was exact to a millionth of a replica.
   */
  @Test
  void floatNoiseOnAFlatLoadDoesNotDemote() {
    for (boolean twoSpellings : new boolean[] {false, true}) {
      PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
      // One spelling a minute, the other the next: the history's step is a minute.
      load = t -> twoSpellings && (t.getEpochSecond() / 60) % 2 == 0 ? 1000 * (0.1 * 3)
          : 1000 * 0.3;
      forecaster = constant(300 + 1.5e-4);
      AutoscalerEngine engine = engine(promotion, l -> Math.ceil(l / 50));
      engine.mode(WEB, Mode.ACT, "promoted by hand");
      run(engine, promotion, Duration.ofHours(3));
      assertThat(engine.accuracy(WEB)).singleElement().satisfies(a -> {
        assertThat(a.samples()).isGreaterThanOrEqualTo(GATES.minSamples());
        assertThat(a.mae()).isPositive().isLessThan(1e-3);
        assertThat(a.naiveMae()).as("two spellings: %s", twoSpellings).isLessThan(1e-9);
        if (twoSpellings) {
          assertThat(a.naiveMae()).as("the naive forecast errs by the spellings").isPositive();
        }
      });
      assertThat(mode(engine)).as("two spellings: %s", twoSpellings).isEqualTo(Mode.ACT);
    }
  }

  @Test
  void theCounterfactualGateBlocksAPolicyThatWouldHaveBeenShort() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
    // Would set half of what the load needs, while the actual count (16) always covers it.
    AutoscalerEngine engine = engine(promotion, load -> Math.max(1, Math.ceil(load / 100)));
    run(engine, promotion, Duration.ofHours(3));
    assertThat(engine.spec(WEB).orElseThrow().mode()).isEqualTo(Mode.OBSERVE_ONLY);
  }

  @Test
  void manualModeNeverPromotesByItself() {
    AgentConfig.Promotion manual = new AgentConfig.Promotion(false, Duration.ZERO, 1, 0.9, 0.0,
        1.2, Duration.ofMinutes(10));
    PromotionController promotion = new PromotionController(manual, Map.of(WEB, Mode.ACT));
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    run(engine, promotion, Duration.ofHours(3));
    assertThat(engine.spec(WEB).orElseThrow().mode()).isEqualTo(Mode.OBSERVE_ONLY);
  }

  @Test
  void demotesWhenMetricsFailLongerThanAllowedAndJournalsIt() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.HPA_FLOOR));
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    run(engine, promotion, Duration.ofMinutes(130));
    assertThat(engine.spec(WEB).orElseThrow().mode()).isEqualTo(Mode.HPA_FLOOR);
    metricsUp = false;
    run(engine, promotion, Duration.ofMinutes(9));
    assertThat(engine.spec(WEB).orElseThrow().mode()).as("within the allowance")
        .isEqualTo(Mode.HPA_FLOOR);
    run(engine, promotion, Duration.ofMinutes(3));
    assertThat(engine.spec(WEB).orElseThrow().mode()).isEqualTo(Mode.OBSERVE_ONLY);
    List<dev.prescaler.core.journal.DecisionRecord> records =
        ((InMemoryJournal) engine.journal()).records(WEB);
    assertThat(records.get(records.size() - 1).mode()).isEqualTo(Mode.OBSERVE_ONLY);
  }

  @Test
  void anActingWorkloadWithoutAnyHealthyDecisionSinceStartIsDemotedToo() {
    // A mode resumed from the journal (or promoted: true) while Prometheus is down: no decision
    // with metrics is ever seen, and the floor must not stay raised for the whole outage.
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.HPA_FLOOR));
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    metricsUp = false;
    engine.mode(WEB, Mode.HPA_FLOOR, "resumed after restart");
    run(engine, promotion, Duration.ofMinutes(9));
    assertThat(engine.spec(WEB).orElseThrow().mode()).as("within the allowance")
        .isEqualTo(Mode.HPA_FLOOR);
    run(engine, promotion, Duration.ofMinutes(3));
    assertThat(engine.spec(WEB).orElseThrow().mode()).isEqualTo(Mode.OBSERVE_ONLY);
  }

  @Test
  void aWorkloadWhoseModeIsObserveOnlyIsNeverPromoted() {
    PromotionController promotion =
        new PromotionController(GATES, Map.of(WEB, Mode.OBSERVE_ONLY));
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    run(engine, promotion, Duration.ofHours(3));
    assertThat(engine.spec(WEB).orElseThrow().mode()).isEqualTo(Mode.OBSERVE_ONLY);
    assertThat(((InMemoryJournal) engine.journal()).records(WEB))
        .allSatisfy(r -> assertThat(r.mode()).isEqualTo(Mode.OBSERVE_ONLY));
  }

  @Test
  void restartedTracksCountObservationAndHealthAfresh() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    run(engine, promotion, Duration.ofMinutes(90));
    // This replica stops leading, another one leads for a day, then this one takes over again:
    // what it saw before is not a record of that day.
    clock.advance(Duration.ofDays(1));
    promotion.restartTracks();
    run(engine, promotion, Duration.ofMinutes(40));
    assertThat(engine.spec(WEB).orElseThrow().mode()).as("observed 40 min, not 130")
        .isEqualTo(Mode.OBSERVE_ONLY);
    run(engine, promotion, Duration.ofMinutes(90));
    assertThat(engine.spec(WEB).orElseThrow().mode()).isEqualTo(Mode.ACT);
  }

  @Test
  void aWorkloadScaledToZeroByHandIsHeldButNotDemotedForFailingMetrics() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.HPA_FLOOR));
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    run(engine, promotion, Duration.ofMinutes(130));
    assertThat(engine.spec(WEB).orElseThrow().mode()).isEqualTo(Mode.HPA_FLOOR);
    replicas = 0; // maintenance
    run(engine, promotion, Duration.ofMinutes(15));
    assertThat(((InMemoryJournal) engine.journal()).records(WEB).get(
        ((InMemoryJournal) engine.journal()).records(WEB).size() - 1).kind())
        .isEqualTo(dev.prescaler.core.journal.DecisionRecord.Kind.HOLD);
    assertThat(engine.spec(WEB).orElseThrow().mode()).as("held on purpose, metrics are fine")
        .isEqualTo(Mode.HPA_FLOOR);
  }

  /** What a {@code mode: act} Deployment that an HPA targets gets from ScaleSubresourceExecutor. */
  private static final ScaleExecutor HPA_TARGETS_IT = r -> ScaleOutcome.refused(
      "HorizontalPodAutoscaler shop/web-hpa targets Deployment shop/web: not scaled, the HPA "
          + "would undo it (use mode hpa-floor)");

  private Mode mode(AutoscalerEngine engine) {
    return engine.spec(WEB).orElseThrow().mode();
  }

  /**
   * An engine whose workload was set to ACT by hand, behind an executor that refuses every
   * request (an HPA targets it), with more replicas than the load needs: every tick asks.
   */
  private AutoscalerEngine actingByHandBehindAnHpa(PromotionController promotion) {
    replicas = 20;
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    engine.mode(WEB, Mode.ACT, "promoted by hand");
    executor = HPA_TARGETS_IT;
    return engine;
  }

  /**
   * An engine whose workload {@code promotion} promoted to ACT on its own gates, from now on
   * behind an executor that refuses every request (an HPA targets it).
   */
  private AutoscalerEngine promotedThenRefusedByAnHpa(PromotionController promotion) {
    replicas = 20; // above the load's need: every tick asks to scale down
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    run(engine, promotion, Duration.ofMinutes(130));
    assertThat(mode(engine)).isEqualTo(Mode.ACT);
    executor = HPA_TARGETS_IT;
    return engine;
  }

  @Test
  void demotesAnActingWorkloadWhoseEveryScaleRequestIsRefusedLongerThanAllowed() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
    AutoscalerEngine engine = promotedThenRefusedByAnHpa(promotion);
    run(engine, promotion, Duration.ofMinutes(10));
    assertThat(mode(engine)).as("within the allowance").isEqualTo(Mode.ACT);
    run(engine, promotion, Duration.ofMinutes(1));
    assertThat(mode(engine)).isEqualTo(Mode.OBSERVE_ONLY);
    ModeChangedEvent demotion = modeChanges.get(modeChanges.size() - 1);
    assertThat(demotion.to()).isEqualTo(Mode.OBSERVE_ONLY);
    assertThat(demotion.reason())
        .startsWith("demoted: every scale request refused or failed for 10 min 15 s (")
        .contains("requests since ", ", none applied; longer than PT10M); last: REFUSED "
            + "HorizontalPodAutoscaler shop/web-hpa targets Deployment shop/web");
  }

  @Test
  void failedRequestsCountAsRefusalsAndDemoteAnHpaFloorToo() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.HPA_FLOOR));
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    engine.mode(WEB, Mode.HPA_FLOOR, "promoted by hand");
    executor = r -> ScaleOutcome.failed(
        "HTTP 403 Forbidden: cannot patch horizontalpodautoscalers");
    run(engine, promotion, Duration.ofMinutes(11));
    assertThat(mode(engine)).isEqualTo(Mode.OBSERVE_ONLY);
    assertThat(modeChanges.get(modeChanges.size() - 1).reason())
        .contains("last: FAILED HTTP 403 Forbidden");
  }

  @Test
  void anAppliedRequestStartsTheCountOfRefusalsAgain() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
    AutoscalerEngine engine = actingByHandBehindAnHpa(promotion);
    run(engine, promotion, Duration.ofMinutes(8));
    executor = r -> ScaleOutcome.applied(r.to(), "applied");
    run(engine, promotion, Duration.ofSeconds(15));
    executor = HPA_TARGETS_IT;
    run(engine, promotion, Duration.ofMinutes(8));
    assertThat(mode(engine)).as("8 min of refusals since the last applied").isEqualTo(Mode.ACT);
    run(engine, promotion, Duration.ofMinutes(3));
    assertThat(mode(engine)).isEqualTo(Mode.OBSERVE_ONLY);
  }

  /**
   * An engine acting by hand behind an executor answering 429: refused for {@code first}, an
   * hour with nothing to change (no request), then refused once more.
   */
  private AutoscalerEngine refusedThenQuietForAnHourThenRefused(PromotionController promotion,
      Duration first) {
    int[] wanted = {17};
    AutoscalerEngine engine = engine(promotion, load -> wanted[0]);
    engine.mode(WEB, Mode.ACT, "promoted by hand");
    executor = r -> ScaleOutcome.refused("API server rate limit (HTTP 429)");
    run(engine, promotion, first);
    wanted[0] = replicas; // nothing to change for an hour: no request
    run(engine, promotion, Duration.ofHours(1));
    wanted[0] = 17;
    run(engine, promotion, Duration.ofSeconds(15));
    return engine;
  }

  @Test
  void twoRefusalsFarApartDoNotDemote() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
    AutoscalerEngine engine = refusedThenQuietForAnHourThenRefused(promotion,
        Duration.ofSeconds(15));
    assertThat(mode(engine)).as("two refusals an hour apart").isEqualTo(Mode.ACT);
  }

  @Test
  void aRunOfRefusalsEndsAtAStretchWithNothingToRequest() {
    // Catches refusals counted as one run across a quiet hour: three 429s in 45 s, an hour with
    // nothing to change, then one more refusal demoted at once ("refused for 60 min 45 s").
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
    AutoscalerEngine engine = refusedThenQuietForAnHourThenRefused(promotion,
        Duration.ofSeconds(45));
    assertThat(mode(engine)).isEqualTo(Mode.ACT);
    // ...while refusals that go on for longer than the allowance still demote
    run(engine, promotion, Duration.ofMinutes(11));
    assertThat(mode(engine)).isEqualTo(Mode.OBSERVE_ONLY);
  }

  @Test
  void failuresThatMayHaveBeenAppliedDoNotDemote() {
    // Catches a timed-out patch that lands counted as a refusal: every change took effect, yet
    // the workload was demoted with "none applied".
    assertThat(modeAfterPatchesThatTimeOutButLand()).isEqualTo(Mode.ACT);
  }

  @Test
  void aChangeThatLandedEndsTheRunAlsoWhenTheCountIsSeenLate() {
    // Catches the count that an uncertain failure asked for forgotten at the next refusal: with
    // counts read a tick late, every patch that timed out but landed was asked for again and
    // refused ("changed by someone else"), and the workload was demoted though each change took.
    lag = true;
    assertThat(modeAfterPatchesThatTimeOutButLand()).isEqualTo(Mode.ACT);
  }

  /**
   * The mode after 40 min acting by hand behind an executor whose every patch times out but
   * lands, and which refuses a request from a count it no longer holds.
   */
  private Mode modeAfterPatchesThatTimeOutButLand() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    engine.mode(WEB, Mode.ACT, "promoted by hand");
    executor = r -> {
      if (r.from() != replicas) {
        return ScaleOutcome.refused("changed by someone else: spec.replicas is " + replicas);
      }
      replicas = r.to();
      return ScaleOutcome.failed("PATCH timed out: the change may have been applied: re-read "
          + "next tick");
    };
    run(engine, promotion, Duration.ofMinutes(40));
    assertThat(replicas).isNotEqualTo(16); // the load moved it: requests were made
    return mode(engine);
  }

  @Test
  void failuresThatMayHaveBeenAppliedButNeverLandDemote() {
    // Catches every uncertain failure ignored: an API server answering 500 to every patch (a
    // broken admission webhook) changed nothing for 40 min, and the workload stayed acting.
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    engine.mode(WEB, Mode.ACT, "promoted by hand");
    executor = r -> ScaleOutcome.failed("HTTP 500 Internal Server Error (after 3 tries); a try "
        + "met a server error, so the change may have been applied: re-read next tick");
    run(engine, promotion, Duration.ofMinutes(40));
    assertThat(mode(engine)).isEqualTo(Mode.OBSERVE_ONLY);
  }

  @Test
  void refusalsBecauseThisReplicaDoesNotLeadAreNotCounted() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT),
        LeaseElector::refusedForNotLeading);
    replicas = 20;
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    engine.mode(WEB, Mode.ACT, "promoted by hand");
    // The agent's own guard, on a Lease this replica never acquired: it refuses every request
    // without calling the API server.
    LeaseElector elector = LeaseElector.builder(new ApiClient(), "prescaler", "prescaler-agent",
        "agent-a").clock(clock).build();
    ScaleExecutor guarded = elector.guard(r -> ScaleOutcome.applied(r.to(), "applied"));
    executor = guarded;
    run(engine, promotion, Duration.ofMinutes(30));
    assertThat(((InMemoryJournal) engine.journal()).records(WEB))
        .anySatisfy(r -> assertThat(r.actionMessage()).startsWith("not the leader"));
    assertThat(mode(engine)).isEqualTo(Mode.ACT);
    // Nor do they interrupt a run of refusals that are the workload's.
    executor = HPA_TARGETS_IT;
    run(engine, promotion, Duration.ofMinutes(6));
    executor = guarded;
    run(engine, promotion, Duration.ofMinutes(2));
    executor = HPA_TARGETS_IT;
    run(engine, promotion, Duration.ofMinutes(3));
    assertThat(mode(engine)).isEqualTo(Mode.OBSERVE_ONLY);
  }

  @Test
  void aNewLeadershipTermStartsTheCountOfRefusalsAgain() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
    AutoscalerEngine engine = actingByHandBehindAnHpa(promotion);
    run(engine, promotion, Duration.ofMinutes(8));
    promotion.restartTracks();
    run(engine, promotion, Duration.ofMinutes(8));
    assertThat(mode(engine)).as("8 min of refusals in this term").isEqualTo(Mode.ACT);
    run(engine, promotion, Duration.ofMinutes(3));
    assertThat(mode(engine)).isEqualTo(Mode.OBSERVE_ONLY);
  }

  @Test
  void aWorkloadDemotedForRefusalsIsPromotedAgainOnlyOnceTheObservationGatesPassAfresh() {
    PromotionController promotion = new PromotionController(GATES, Map.of(WEB, Mode.ACT));
    AutoscalerEngine engine = promotedThenRefusedByAnHpa(promotion);
    run(engine, promotion, Duration.ofMinutes(11));
    assertThat(mode(engine)).isEqualTo(Mode.OBSERVE_ONLY);
    int changes = modeChanges.size();
    run(engine, promotion, Duration.ofMinutes(115));
    assertThat(modeChanges).as("observed 115 min since the demotion, minObservation 2 h")
        .hasSize(changes);
    // Over a day the HPA keeps refusing: one promotion and one demotion per 2 h 10 min at most,
    // never a change every tick.
    run(engine, promotion, Duration.ofHours(24));
    assertThat(modeChanges.size() - changes).isBetween(2, 2 * 24 * 60 / 130 + 2);
    assertThat(modeChanges.subList(changes, modeChanges.size()))
        .filteredOn(e -> e.to() == Mode.OBSERVE_ONLY)
        .allSatisfy(e -> assertThat(e.reason()).contains("refused"));
  }

  @Test
  void aWorkloadPromotedByHandAndDemotedForRefusalsStaysObserveOnly() {
    // promoted: true is applied when the agent starts (Agent), never by the controller: the
    // demotion holds until the next start, with no promote-demote loop in between.
    AgentConfig.Promotion manual = new AgentConfig.Promotion(false, Duration.ZERO, 1, 0.9, 0.0,
        1.2, Duration.ofMinutes(10), Duration.ofMinutes(10));
    PromotionController promotion = new PromotionController(manual, Map.of(WEB, Mode.ACT));
    replicas = 20;
    AutoscalerEngine engine = engine(promotion, load -> Math.ceil(load / 50));
    engine.mode(WEB, Mode.ACT, Agent.PROMOTED_IN_CONFIGURATION);
    executor = HPA_TARGETS_IT;
    run(engine, promotion, Duration.ofHours(6));
    assertThat(mode(engine)).isEqualTo(Mode.OBSERVE_ONLY);
    assertThat(modeChanges).extracting(ModeChangedEvent::to)
        .containsExactly(Mode.ACT, Mode.OBSERVE_ONLY);
  }
}
