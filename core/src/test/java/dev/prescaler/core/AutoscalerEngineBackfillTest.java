package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.CAPACITY;
import static dev.prescaler.core.Fixtures.SYNC;
import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.engine;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A new workload's history is read from the source, so it forecasts at once. */
class AutoscalerEngineBackfillTest {
  TestClock clock = new TestClock(T0);
  InMemoryJournal journal = new InMemoryJournal();
  List<String> asked = new ArrayList<>();
  List<DecisionContext> contexts = new ArrayList<>();
  DecisionPolicy recording = (ctx, p) -> {
    contexts.add(ctx);
    return CAPACITY.apply(ctx, p);
  };
  Forecaster lastValue = (h, horizon, level) -> {
    double last = 0;
    for (int i = 0; i < h.size(); i++) {
      if (!Double.isNaN(h.value(i))) {
        last = h.value(i);
      }
    }
    return Forecast.flat("last", h.end(), h.step(), Forecaster.steps(horizon, h.step()), last);
  };

  /** Serves 2, 4, 6, ... on the grid asked for, with one NaN and one negative value. */
  final class HistorySource implements MetricSource {
    final FakeSource live = new FakeSource().set(WEB, 2, 2, "rps", 500);
    boolean fail;

    @Override
    public Observation read(WorkloadSpec spec, Instant now) {
      return live.read(spec, now);
    }

    @Override
    public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric, Instant from,
        Instant to, Duration step) {
      asked.add(metric.name() + " " + step);
      if (fail) {
        throw new IllegalStateException("history unavailable");
      }
      Instant start = to.minus(step.multipliedBy(5));
      return Optional.of(MetricSeries.of(start, step, 2, Double.NaN, -1, 8, 10));
    }
  }

  @Test
  void backfillsTheHistoryOfANewWorkloadAndForecastsAtOnce() {
    HistorySource source = new HistorySource();
    AutoscalerEngine engine = engine(clock, source, recording, new RecordingExecutor(), journal)
        .backfill(true).forecaster(lastValue).workload(spec(WEB, 1, 10, Mode.ACT)).build();
    assertThat(asked).containsExactly("rps " + SYNC);
    engine.tick();
    DecisionContext ctx = contexts.get(0);
    double[] history = ctx.histories().get("rps").toArray();
    // The invalid (negative) and missing values were not taken in.
    assertThat(history).contains(2.0, 8.0).doesNotContain(-1.0);
    assertThat(ctx.forecast("rps")).isPresent();
    assertThat(journal.records().get(0).forecasts()).containsKey("rps");
  }

  @Test
  void aFailingBackfillStartsWithoutHistory() {
    HistorySource source = new HistorySource();
    source.fail = true;
    AutoscalerEngine engine = engine(clock, source, recording, new RecordingExecutor(), journal)
        .backfill(true).workload(spec(WEB, 1, 10, Mode.ACT)).build();
    engine.tick();
    assertThat(asked).hasSize(1);
    assertThat(contexts.get(0).histories().get("rps").size()).isZero();
    assertThat(journal.records().get(0).kind()).isEqualTo(Kind.SCALE);
  }

  @Test
  void noBackfillWhenTurnedOff() {
    HistorySource source = new HistorySource();
    engine(clock, source, recording, new RecordingExecutor(), journal)
        .backfill(false).workload(spec(WEB, 1, 10, Mode.ACT)).build();
    assertThat(asked).isEmpty();
  }

  @Test
  void replacingASpecKeepsTheHistoryOfMetricsThatStay() {
    FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 100);
    AutoscalerEngine engine = engine(clock, source, recording, new RecordingExecutor(), journal)
        .workload(spec(WEB, 1, 10, Mode.ACT)).build();
    for (int i = 0; i < 4; i++) {
      engine.tick();
      clock.advance(SYNC);
    }
    engine.register(spec(WEB, 1, 30, Mode.ACT));
    engine.tick();
    DecisionContext ctx = contexts.get(contexts.size() - 1);
    assertThat(ctx.spec().maxReplicas()).isEqualTo(30);
    assertThat(ctx.histories().get("rps").size()).isEqualTo(4);
  }

  // Catches backfilled points stamped in the future (a source clock ahead of the engine's): they
  // drove the forecast (a predictive policy scaled 2 -> 20 on a load of 150), and they put the
  // history's open step ahead of the clock, so every live sample, older than it, was ignored.
  @Test
  void backfilledPointsOutsideTheHistoryWindowAreDroppedAndCounted() {
    FakeSource live = new FakeSource().set(WEB, 2, 2, "rps", 150);
    int capacity = (int) (Duration.ofHours(6).toMillis() / SYNC.toMillis()); // Fixtures' ring
    MetricSource source = new MetricSource() {
      @Override
      public Observation read(WorkloadSpec spec, Instant now) {
        return live.read(spec, now);
      }

      @Override
      public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget m, Instant from,
          Instant to, Duration step) {
        // Two points before `from`, the window's steps at 150, and three from `to` on.
        double[] v = new double[2 + capacity + 1 + 3];
        Arrays.fill(v, 150);
        v[0] = v[1] = v[v.length - 3] = v[v.length - 2] = v[v.length - 1] = 2000;
        return Optional.of(MetricSeries.of(from.minus(step.multipliedBy(2)), step, v));
      }
    };
    List<Instant> ends = new ArrayList<>(); // the history is the engine's live ring: copy
    List<double[]> values = new ArrayList<>();
    DecisionPolicy predictive = (ctx, p) -> {
      ends.add(ctx.histories().get("rps").end());
      values.add(ctx.histories().get("rps").toArray());
      double load = ctx.load("rps");
      Forecast f = ctx.forecast("rps").orElseThrow();
      for (int i = 0; i < f.steps(); i++) {
        load = Math.max(load, f.upper(i));
      }
      return p.to("predictive", (int) Math.ceil(load / 100), "load " + load);
    };
    RecordingExecutor executor = new RecordingExecutor();
    String log = Fixtures.stderrOf(() -> {
      AutoscalerEngine engine = engine(clock, source, predictive, executor, journal)
          .backfill(true).forecaster(lastValue).workload(spec(WEB, 1, 50, Mode.ACT)).build();
      for (int i = 0; i < 8; i++) {
        engine.tick();
        clock.advance(SYNC);
      }
    });
    assertThat(log).containsOnlyOnce("backfill of rps dropped 5 of " + (capacity + 6)
        + " points outside");
    assertThat(executor.requests).isEmpty();
    assertThat(ends).hasSize(8);
    assertThat(values.get(0)).containsOnly(150.0);
    assertThat(ends.get(0)).isBeforeOrEqualTo(T0);
    // The live samples extend the history: one closed step per tick.
    assertThat(ends.get(7)).isEqualTo(ends.get(0).plus(SYNC.multipliedBy(7)));
  }
}
