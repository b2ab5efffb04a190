package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What an embedder's review found the API accepting silently, each shown with a small program:
 * a reading filed under another metric's name, a restore after ticks, sequence numbers starting
 * over on a journal that holds records, and values out of their domain.
 */
class EmbedderReviewTest {
  TestClock clock = new TestClock(T0);
  FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 500);
  RecordingExecutor executor = new RecordingExecutor();
  InMemoryJournal journal = new InMemoryJournal();

  // The engine scaled 2 -> 4 on "cpu: utilization 5000%" from an rps reading filed as cpu.
  @Test
  void anObservationRefusesAReadingFiledUnderAnotherMetricsName() {
    MetricReading rps = MetricReading.of("rps", 5000, T0);
    assertThatThrownBy(() -> new Observation(T0, Map.of("cpu", rps), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("readings must be keyed by their metric's name, but the reading under "
            + "\"cpu\" is of metric \"rps\"");
    MetricReading none = MetricReading.unavailable("rps", "down");
    assertThatThrownBy(() -> new Observation(T0, Map.of("cpu", none), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSourceThatFilesAReadingUnderAnotherNameHoldsTheWorkload() {
    WorkloadSpec cpu = WorkloadSpec.builder(WEB).minReplicas(1).maxReplicas(20).mode(Mode.ACT)
        .metric(MetricTarget.utilization("cpu", 70)).build();
    source.custom(WEB, (s, now) -> new Observation(now,
        Map.of("cpu", MetricReading.of("rps", 5000, now)),
        Optional.of(ReplicaStatus.of(2, 2))));
    AutoscalerEngine engine = engine(clock, source, (ctx, p) -> p.to("cpu",
        (int) Math.ceil(ctx.load("cpu") / 0.7), "cpu"), executor, journal).workload(cpu).build();
    engine.tick();
    assertThat(journal.records()).singleElement().extracting(DecisionRecord::kind)
        .isEqualTo(Kind.HOLD);
    assertThat(executor.requests).isEmpty();
  }

  // The javadoc said "call before the first tick"; after ticks, a restore of later records made
  // the next tick hold "clock went backwards" and the sequence jump.
  @Test
  void restoreAfterATickIsRefused() {
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.tick();
    clock.advance(SYNC);
    engine.tick();
    DecisionRecord later = keep(40, T0.plusSeconds(600));
    assertThatThrownBy(() -> engine.restore(List.of(later)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("restore(...) must be called before the first tick");
    clock.advance(SYNC);
    engine.tick();
    assertThat(journal.records()).extracting(DecisionRecord::sequence)
        .containsExactly(0L, 1L, 2L);
    assertThat(journal.records().get(2).kind()).isNotEqualTo(Kind.HOLD);
  }

  @Test
  void restoreBeforeTheFirstTickMayBeCalledMoreThanOnce() {
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.restore(List.of(keep(7, T0.minusSeconds(60))));
    engine.restore(List.of(keep(3, T0.minusSeconds(30))));
    engine.tick();
    assertThat(journal.records()).extracting(DecisionRecord::sequence).containsExactly(8L);
  }

  // A restart that restored no records (the last two hours held none) numbered from 0 again in
  // the same journal, so follow-ups keyed by sequence and workload could collide.
  @Test
  void anEngineNumbersAfterTheHighestSequenceItsJournalHolds() {
    journal.append(keep(0, T0.minusSeconds(10_800)));
    journal.append(keep(1, T0.minusSeconds(10_785)));
    journal.append(keep(2, T0.minusSeconds(10_770)));
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.restore(List.of());
    engine.tick();
    clock.advance(SYNC);
    engine.tick();
    assertThat(journal.records()).extracting(DecisionRecord::sequence)
        .containsExactly(0L, 1L, 2L, 3L, 4L);
  }

  @Test
  void restoreKeepsTheHigherOfTheJournalsAndTheRecordsSequence() {
    journal.append(keep(9, T0.minusSeconds(10_800)));
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.restore(List.of(keep(4, T0.minusSeconds(30))));
    engine.tick();
    assertThat(journal.records()).extracting(DecisionRecord::sequence).containsExactly(9L, 10L);
  }

  @Test
  void aJournalThatCannotTellItsLastSequenceStartsTheEngineAtZero() {
    InMemoryJournal inner = new InMemoryJournal();
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, inner::append)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.tick();
    assertThat(inner.records()).extracting(DecisionRecord::sequence).containsExactly(0L);
  }

  @Test
  void theInMemoryJournalTellsTheHighestSequenceEverAppended() {
    InMemoryJournal small = new InMemoryJournal(2);
    assertThat(small.lastSequence()).isEmpty();
    small.append(keep(5, T0));
    small.append(keep(3, T0));
    small.append(keep(4, T0)); // drops 5: still the highest this journal has numbered
    assertThat(small.lastSequence()).hasValue(5);
    small.clear();
    assertThat(small.lastSequence()).hasValue(5);
  }

  // A review caught a rule that refused metricsDelay >= maxMetricAge as if every sample were
  // that old: staleness is the reading's own time against maxMetricAge, and a Prometheus
  // source stamps its readings with the query's time, so a long metricsDelay (a lead time) with
  // the default maxMetricAge is legitimate.
  @Test
  void aMetricsDelayLongerThanMaxMetricAgeIsALeadTimeNotAStaleness() {
    assertThat(valid().metricsDelay(Duration.ofMinutes(10)).build()).isNotNull();
  }

  @Test
  void callTimeout_finerThanAMillisecond() {
    assertThatThrownBy(() -> valid().callTimeout(Duration.ofNanos(1)).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid AutoscalerEngine:\n- callTimeout must be a whole number of "
            + "milliseconds, but was PT0.000000001S");
    assertThatThrownBy(() -> valid().callTimeout(Duration.ofMillis(1500).plusNanos(1)).build())
        .hasMessage("Invalid AutoscalerEngine:\n- callTimeout must be a whole number of "
            + "milliseconds, but was PT1.500000001S");
    assertThat(valid().callTimeout(Duration.ofMillis(1)).build()).isNotNull();
  }

  @Test
  void forecastHorizon_finerThanAMillisecond() {
    assertThatThrownBy(() -> WorkloadSpec.builder(WEB).maxReplicas(3)
        .metric(MetricTarget.averageValue("rps", 100))
        .forecastHorizon(Duration.ofMinutes(30).plusNanos(1)).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid WorkloadSpec for shop/web:\n- forecastHorizon must be a whole "
            + "number of milliseconds, but was PT30M0.000000001S");
  }

  @Test
  void anAppliedOutcomeNeedsACountOfAtLeastZero() {
    assertThatThrownBy(() -> ScaleOutcome.applied(-3, "set"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("replicas must be >= 0, but was -3");
    assertThat(ScaleOutcome.applied(0, "scaled to zero").isApplied()).isTrue();
  }

  @Test
  void anUnavailableReadingNeedsAReason() {
    assertThatThrownBy(() -> MetricReading.unavailable("rps", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reason of unavailable metric rps must not be blank, but was \"\"");
    assertThatThrownBy(() -> MetricReading.unavailable("rps", " \t"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // An executor answering APPLIED with 1000 for a request of 4 was journaled APPLIED with no
  // word of it. The engine still counts the count it asked for (the executor contract: an
  // applied outcome reports the requested count), and the record says what was reported.
  @Test
  void anAppliedOutcomeOfAnotherCountIsNotedInTheRecord() {
    executor.answer = r -> ScaleOutcome.applied(1000, "set");
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.tick();
    DecisionRecord r = journal.records().get(0);
    assertThat(r.action()).isEqualTo(Action.APPLIED);
    assertThat(r.desired()).isEqualTo(5);
    assertThat(r.actionMessage()).isEqualTo("set (the executor reported 1000 replicas applied, "
        + "not the 5 asked for; counted as 5)");
  }

  // Caught a scale-up a server cut short (a mutating webhook stored 3 of the 5 asked for from 2)
  // counted as the 5 asked for: the rate limits then took +3 as spent where +1 was, and held the
  // workload short under load; the startup tracker waited for 5 pods that were never asked for.
  @Test
  void anAppliedOutcomeShortOfTheAskCountsTheChangeMadeLiveAndRestored() {
    executor.answer = r -> ScaleOutcome.applied(r.from() + 1, "stored less");
    List<DecisionContext> seen = new java.util.ArrayList<>();
    DecisionPolicy capacity = (ctx, p) -> {
      seen.add(ctx);
      return CAPACITY.apply(ctx, p);
    };
    AutoscalerEngine engine = engine(clock, source, capacity, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.tick();
    DecisionRecord r = journal.records().get(0);
    assertThat(r.action()).isEqualTo(Action.APPLIED);
    assertThat(r.current()).isEqualTo(2);
    assertThat(r.desired()).isEqualTo(3);
    assertThat(r.reasons()).last().satisfies(reason -> {
      assertThat(reason.step()).isEqualTo("executor");
      assertThat(reason.from()).isEqualTo(5);
      assertThat(reason.to()).isEqualTo(3);
    });
    assertThat(r.actionMessage()).isEqualTo("stored less (the executor applied 3 replicas, not "
        + "the 5 asked for; counted as 3)");

    source.replicas(WEB, 3, 2);
    clock.advance(SYNC);
    engine.tick();
    assertThat(seen.get(1).recent()).singleElement().satisfies(d -> {
      assertThat(d.current()).isEqualTo(2);
      assertThat(d.desired()).isEqualTo(3);
      assertThat(d.applied()).isTrue();
    });

    AutoscalerEngine restored = engine(clock, source, capacity, executor,
        new InMemoryJournal()).workload(spec(WEB, 1, 20, Mode.ACT))
        .build();
    restored.restore(List.of(r));
    seen.clear();
    restored.tick();
    assertThat(seen.get(0).recent()).first().satisfies(d -> {
      assertThat(d.current()).isEqualTo(2);
      assertThat(d.desired()).isEqualTo(3);
      assertThat(d.applied()).isTrue();
    });
  }

  @Test
  void anAppliedOutcomeOfTheCountAskedForIsJournaledAsItCame() {
    AutoscalerEngine engine = engine(clock, source, CAPACITY, executor, journal)
        .workload(spec(WEB, 1, 20, Mode.ACT)).build();
    engine.tick();
    assertThat(journal.records().get(0).actionMessage()).isEqualTo("set to 5");
  }

  private AutoscalerEngine.Builder valid() {
    return AutoscalerEngine.builder().metricSource(source).policy(CAPACITY);
  }

  private static DecisionRecord keep(long seq, java.time.Instant time) {
    return new DecisionRecord(seq, time, WEB, Mode.ACT, Kind.KEEP, 2, 2, Map.of(), Map.of(),
        Map.of(), Map.of(), 2, 2, List.of(), Map.of(), Action.NONE, "", Optional.empty());
  }
}
