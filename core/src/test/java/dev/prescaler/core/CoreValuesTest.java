package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.API;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.FollowUp;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The SPI's values and helpers: chain, proposals, forecasts, series, journal. */
class CoreValuesTest {
  static final Duration MIN = Duration.ofMinutes(1);

  @Test
  void chainRunsStepsInOrderAndNamesThem() {
    DecisionPolicy plusOne = new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext c, Proposal p) {
        return p.to("plus-one", p.replicas() + 1, "one more");
      }

      @Override
      public String name() {
        return "plus-one";
      }
    };
    DecisionPolicy doubled = (c, p) -> p.to("double", p.replicas() * 2, "twice");
    DecisionPolicy chain = DecisionPolicy.chain(plusOne, doubled);
    DecisionContext ctx = DecisionContext.builder(Fixtures.spec(WEB, 1, 10, Mode.ACT), T0,
        ReplicaStatus.of(3, 3)).reading("rps", 300).build();
    Proposal p = chain.apply(ctx, Proposal.keep(3));
    assertThat(p.replicas()).isEqualTo(8);
    assertThat(p.explain()).isEqualTo("plus-one: 3 -> 4 (one more); double: 4 -> 8 (twice)");
    assertThat(chain.name()).startsWith("chain(plus-one, ");
  }

  @Test
  void aForecastKeepsItsLevelRoundedTo12Decimals() {
    double[] one = {1};
    assertThat(new Forecast("m", T0, MIN, one, one, one, 2 * 0.95 - 1).level()).isEqualTo(0.9);
    assertThat(new Forecast("m", T0, MIN, one, one, one, 2 * 0.999 - 1).level())
        .isEqualTo(0.998);
    assertThat(new Forecast("m", T0, MIN, one, one, one, 0.123456789).level())
        .isEqualTo(0.123456789);
    // Rounding never makes a valid level 1.
    assertThat(new Forecast("m", T0, MIN, one, one, one, Math.nextDown(1.0)).level())
        .isLessThan(1);
  }

  // Catches an accuracy that does not say which interval its coverage is of: it is the 2q - 1
  // central interval (0.9 at q 0.95), not q.
  @Test
  void forecastAccuracyPrintsWhichIntervalItsCoverageIsOf() {
    ForecastAccuracy a = new ForecastAccuracy("rps", 10, 2, 4, 0.85);
    assertThat(a).hasToString("ForecastAccuracy[metric=rps, samples=10, mae=2.0, naiveMae=4.0, "
        + "relativeMae=0.5, coverage=0.85 of the central interval of level 2q - 1]");
  }

  @Test
  void chainRejectsAStepReturningNull() {
    DecisionPolicy chain = DecisionPolicy.chain((c, p) -> null);
    DecisionContext ctx = DecisionContext.builder(Fixtures.spec(WEB, 1, 10, Mode.ACT), T0,
        ReplicaStatus.of(3, 3)).reading("rps", 300).build();
    assertThatThrownBy(() -> chain.apply(ctx, Proposal.keep(3)))
        .isInstanceOf(NullPointerException.class).hasMessageEndingWith("returned null");
  }

  /** A step that records the workloads it hears of, and throws for {@code failOn}. */
  private static DecisionPolicy hearing(List<WorkloadRef> heard, WorkloadRef failOn) {
    return Fixtures.hearing(heard, failOn, w -> new IllegalStateException("cannot forget " + w));
  }

  @Test
  void chainPassesUnregisteredToEveryStepEvenWhenOneThrows() {
    List<WorkloadRef> first = new ArrayList<>();
    List<WorkloadRef> second = new ArrayList<>();
    List<WorkloadRef> third = new ArrayList<>();
    DecisionPolicy chain = DecisionPolicy.chain(hearing(first, null), hearing(second, API),
        DecisionPolicy.chain(hearing(third, API)));

    chain.unregistered(WEB);
    assertThat(List.of(first, second, third)).allSatisfy(h -> assertThat(h).containsExactly(WEB));

    // The second and the nested third step throw: every step still hears it, and the first
    // failure is rethrown with the other one suppressed.
    assertThatThrownBy(() -> chain.unregistered(API))
        .isInstanceOf(IllegalStateException.class).hasMessage("cannot forget shop/api")
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    assertThat(List.of(first, second, third))
        .allSatisfy(h -> assertThat(h).containsExactly(WEB, API));
  }

  @Test
  void proposalsAppendReasonsAndKeepMarks() {
    Proposal p = Proposal.keep(2).mark("raw", 5).to("hpa", 5, "ratio 2.5").note("cooldown", "ok");
    assertThat(p.replicas()).isEqualTo(5);
    assertThat(p.marks()).containsEntry("raw", 5);
    assertThat(p.reasons()).containsExactly(new Reason("hpa", 2, 5, "ratio 2.5"),
        new Reason("cooldown", 5, 5, "ok"));
    assertThat(p.reasons().get(1).toString()).isEqualTo("cooldown: kept 5 (ok)");
  }

  @Test
  void forecastsRejectAnIntervalThatMissesThePoint() {
    assertThatThrownBy(() -> new Forecast("m", T0, MIN, new double[] {11}, new double[] {12},
        new double[] {15}, 0.9))
        .hasMessage("forecast interval must contain the point, but step 0 was [12.0, 15.0] "
            + "around 11.0");
    assertThatThrownBy(() -> new Forecast("m", T0, MIN, new double[] {1}, new double[] {1},
        new double[] {1}, 1.0)).hasMessage("forecast level must be in [0, 1), but was 1.0");
    assertThatThrownBy(() -> new Forecast("m", T0, MIN, new double[0], new double[0],
        new double[0], 0.5)).hasMessageStartingWith("forecast arrays must be non-empty");
  }

  @Test
  void forecastsAreImmutableCopies() {
    double[] point = {1, 2, 3};
    Forecast f = new Forecast("m", T0, MIN, point, point, point, 0);
    point[0] = 99;
    assertThat(f.point(0)).isEqualTo(1);
    f.upper()[0] = -5; // a policy scribbling on what it was given
    assertThat(f.upper(0)).isEqualTo(1);
    assertThat(f.point()).containsExactly(1, 2, 3);
  }

  @Test
  void maxUpperCoversTheStepsOverlappingTheWindow() {
    Forecast f = new Forecast("m", T0, MIN, new double[] {1, 2, 3, 4},
        new double[] {0, 1, 2, 3}, new double[] {5, 9, 6, 20}, 0.8);
    assertThat(f.maxUpper(T0, T0.plusSeconds(90))).isEqualTo(9);
    assertThat(f.maxUpper(T0.plusSeconds(150), T0.plusSeconds(150))).isEqualTo(6);
    assertThat(f.maxPoint(T0, T0.plus(Duration.ofHours(1)))).isEqualTo(4);
    assertThat(f.maxUpper(T0.plus(Duration.ofHours(1)), T0.plus(Duration.ofHours(2)))).isNaN();
    assertThat(f.end()).isEqualTo(T0.plus(MIN.multipliedBy(4)));
  }

  @Test
  void forecasterStepsRoundUp() {
    assertThat(Forecaster.steps(Duration.ofMinutes(30), MIN)).isEqualTo(30);
    assertThat(Forecaster.steps(Duration.ofSeconds(61), MIN)).isEqualTo(2);
    assertThat(Forecaster.steps(Duration.ofSeconds(1), MIN)).isEqualTo(1);
  }

  /**
   * Catches the unchecked cast of the step count to int: 30 days of 1-ms steps became a negative
   * or empty forecast ("steps must not be empty"), naming neither horizon nor step.
   */
  @Test
  void forecasterStepsRejectsMoreThanAMillionNamingHorizonAndStep() {
    Duration ms = Duration.ofMillis(1);
    assertThat(Forecaster.steps(Duration.ofSeconds(1000), ms)).isEqualTo(1_000_000);
    assertThat(Forecaster.steps(Duration.ofDays(7), Duration.ofSeconds(1))).isEqualTo(604_800);
    assertThatThrownBy(() -> Forecaster.steps(Duration.ofDays(30), ms))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("horizon must be at most 1000000 steps, but was PT720H at a step of PT0.001S"
            + " (2592000000 steps)");
    assertThatThrownBy(() -> Forecaster.steps(Duration.ofMillis(1_000_001), ms))
        .hasMessage("horizon must be at most 1000000 steps, but was PT16M40.001S at a step of"
            + " PT0.001S (1000001 steps)");
    assertThatThrownBy(() -> Forecaster.steps(Duration.ofSeconds(Long.MAX_VALUE), ms))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("horizon and step must be under 2^63 ms, but were PT");
    assertThatThrownBy(() -> Forecaster.steps(MIN, Duration.ofNanos(500_000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step must be at least 1 ms, but was PT0.0005S");
  }

  @Test
  void seriesRejectInfinityAndCountGaps() {
    assertThatThrownBy(() -> MetricSeries.of(T0, MIN, 1, Double.POSITIVE_INFINITY))
        .hasMessage("values[1] must be finite or NaN, but was Infinity");
    assertThatThrownBy(() -> MetricSeries.of(T0, Duration.ZERO, 1))
        .hasMessage("step must be > 0, but was PT0S");
    MetricSeries s = MetricSeries.of(T0, MIN, 1, Double.NaN, 3);
    assertThat(s.countPresent()).isEqualTo(2);
    assertThat(s.end()).isEqualTo(T0.plus(MIN.multipliedBy(3)));
    assertThat(s.timeOf(1)).isEqualTo(T0.plus(MIN));
  }

  @Test
  void utilizationAndAverageValueTargetsGiveLoads() {
    MetricTarget cpu = MetricTarget.utilization("cpu", 70);
    assertThat(cpu.load(140, 5)).isEqualTo(7.0);
    assertThat(cpu.perReplicaTarget()).isEqualTo(0.7);
    MetricTarget rps = MetricTarget.averageValue("rps", 100);
    assertThat(rps.load(950, 5)).isEqualTo(950);
    assertThat(rps.perReplicaTarget()).isEqualTo(100);
  }

  @Test
  void observationsTreatAnAbsentMetricAsUnavailable() {
    Observation o = Observation.of(T0, ReplicaStatus.of(1, 1));
    MetricReading r = o.reading("rps");
    assertThat(r.isAvailable()).isFalse();
    assertThat(r.reason()).isEqualTo("not reported by the metric source");
    assertThatThrownBy(r::value).isInstanceOf(IllegalStateException.class)
        .hasMessage("metric rps is unavailable: not reported by the metric source");
  }

  @Test
  void scaleRequestsMustStayInBoundsAndAct() {
    WorkloadSpec spec = Fixtures.spec(WEB, 2, 4, Mode.ACT);
    assertThatThrownBy(() -> new ScaleRequest(spec, Mode.ACT, 3, 5, List.of(), T0))
        .hasMessage("to must be in [2, 4], but was 5");
    assertThatThrownBy(() -> new ScaleRequest(spec, Mode.OBSERVE_ONLY, 3, 4, List.of(), T0))
        .hasMessage("a scale request's mode must be ACT or HPA_FLOOR, but was OBSERVE_ONLY");
  }

  // Caught: new ScaleRequest(spec, ACT, -1, 3, ...) was accepted; the engine asks only from a
  // count it observed.
  @Test
  void scaleRequests_fromNegative() {
    WorkloadSpec spec = Fixtures.spec(WEB, 2, 4, Mode.ACT);
    assertThatThrownBy(() -> new ScaleRequest(spec, Mode.ACT, -1, 3, List.of(), T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("from must be >= 0, but was -1");
    assertThat(new ScaleRequest(spec, Mode.ACT, 0, 3, List.of(), T0).from()).isZero();
  }

  // Caught: new Reason("x", -5, -7, "m") printed "x: -5 -> -7 (m)". A count is >= 0, or -1 for
  // both: a hold at a count neither the source nor the executor reported.
  @Test
  void reasons_negativeCounts() {
    assertThatThrownBy(() -> new Reason("x", -5, -7, "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("from must be >= 0, or -1 for an unknown count, but was -5");
    assertThatThrownBy(() -> new Reason("x", 3, -7, "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("to must be >= 0, or -1 for an unknown count, but was -7");
    assertThatThrownBy(() -> new Reason("x", -1, 3, "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("from and to must both be >= 0, or both -1 (an unknown count), but were -1 "
            + "and 3");
    assertThatThrownBy(() -> new Reason("x", 3, -1, "m"))
        .hasMessage("from and to must both be >= 0, or both -1 (an unknown count), but were 3 "
            + "and -1");
    assertThat(new Reason("hold", -1, -1, "replica count unknown"))
        .hasToString("hold: kept -1 (replica count unknown)");
    assertThat(new Reason("x", 0, 0, "m")).hasToString("x: kept 0 (m)");
    // A proposal names its own count, not its reason's "to".
    assertThatThrownBy(() -> Proposal.keep(3).to("x", -1, "m"))
        .hasMessage("proposed replicas must be >= 0, but was -1");
  }

  // Caught: a past decision at -5 replicas was accepted; the engine remembers only known counts.
  @Test
  void pastDecisions_negativeCounts() {
    assertThatThrownBy(() -> new PastDecision(T0, -1, 2, false, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("current must be >= 0, but was -1");
    assertThatThrownBy(() -> new PastDecision(T0, 2, -5, false, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("desired must be >= 0, but was -5");
    assertThat(new PastDecision(T0, 0, 0, false, Map.of()).desired()).isZero();
  }

  // Caught: a null reason threw a bare NullPointerException from List.copyOf, naming nothing.
  @Test
  void reasons_nullElementIsNamed() {
    assertThatThrownBy(() -> new Proposal(1, Arrays.asList((Reason) null), Map.of()))
        .isInstanceOf(NullPointerException.class).hasMessage("reasons[0] must not be null");
    Reason ok = new Reason("x", 1, 1, "m");
    assertThatThrownBy(() -> new Proposal(1, Arrays.asList(ok, ok, null), Map.of()))
        .isInstanceOf(NullPointerException.class).hasMessage("reasons[2] must not be null");
    assertThatThrownBy(() -> new Proposal(1, null, Map.of()))
        .isInstanceOf(NullPointerException.class).hasMessage("reasons");
    WorkloadSpec spec = Fixtures.spec(WEB, 2, 4, Mode.ACT);
    assertThatThrownBy(() -> new ScaleRequest(spec, Mode.ACT, 2, 3, Arrays.asList(ok, null), T0))
        .isInstanceOf(NullPointerException.class).hasMessage("reasons[1] must not be null");
  }

  @Test
  void theInMemoryJournalAttachesFollowUpsInPlace() {
    InMemoryJournal j = new InMemoryJournal(10);
    for (long seq = 0; seq < 4; seq++) {
      j.append(record(seq));
    }
    FollowUp f = new FollowUp(T0.plusSeconds(300), 5, 4, Map.of("rps", 1.0));
    j.followUp(1, WEB, f);
    j.followUp(99, WEB, f); // unknown: ignored
    assertThat(j.records()).extracting(DecisionRecord::sequence).containsExactly(0L, 1L, 2L, 3L);
    assertThat(j.records().get(1).followUp()).contains(f);
    assertThat(j.records()).filteredOn(r -> r.followUp().isPresent()).hasSize(1);
    assertThatThrownBy(() -> new InMemoryJournal(0))
        .hasMessage("capacity must be >= 1, but was 0");
  }

  private static DecisionRecord record(long seq) {
    return new DecisionRecord(seq, T0.plusSeconds(15 * seq), WEB, Mode.ACT, Kind.KEEP, 2, 2,
        Map.of(), Map.of(), Map.of(), Map.of(), 2, 2, List.of(), Map.of(), Action.NONE, "",
        Optional.empty());
  }
}
