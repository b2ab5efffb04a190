package dev.prescaler.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.decision.Policies;
import dev.prescaler.forecast.Forecasters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark fixture is what the benchmarks claim: full rings, a refresh every 4th tick. */
class EngineFixtureTest {

  /** Records the history each forecast call saw; forecasts flat at the last value. */
  static final class RecordingForecaster implements Forecaster {
    final List<Integer> sizes = new ArrayList<>();
    final List<Integer> present = new ArrayList<>();

    @Override
    public Forecast forecast(MetricSeries history, Duration horizon, double level) {
      sizes.add(history.size());
      present.add(history.countPresent());
      return Forecast.flat("recording", history.end(), history.step(),
          Forecaster.steps(horizon, history.step()), history.value(history.size() - 1));
    }
  }

  @Test
  void backfillFillsTheRingAndEveryFourthTickRefreshesTheForecast() {
    RecordingForecaster f = new RecordingForecaster();
    EngineFixture fixture = EngineFixture.build(3, f, Policies.predictive());
    fixture.tick();
    // The first tick forecasts at once, each workload on a full week of 1-minute steps, no gap.
    assertThat(f.sizes).containsExactly(10_080, 10_080, 10_080);
    assertThat(f.present).containsExactly(10_080, 10_080, 10_080);
    fixture.tick();
    fixture.tick();
    assertThat(f.sizes).hasSize(3);
    fixture.tick();
    // The 4th tick (clock + 60 s) closes the next step: one refresh per workload.
    assertThat(f.sizes).hasSize(6).containsOnly(10_080);
    for (int i = 0; i < 4; i++) {
      fixture.tick();
    }
    assertThat(f.sizes).hasSize(9);
  }

  @Test
  void everyTickDecidesEveryWorkloadWithoutHolding() {
    EngineFixture fixture = EngineFixture.build(5, Forecasters.linearTrend(),
        Policies.predictive());
    for (int i = 0; i < 8; i++) {
      fixture.tick();
    }
    List<DecisionRecord> records = ((InMemoryJournal) fixture.engine().journal()).records();
    assertThat(records).hasSize(40);
    assertThat(records).allSatisfy(r -> {
      assertThat(r.kind()).isNotEqualTo(DecisionRecord.Kind.HOLD);
      assertThat(r.action()).isIn(DecisionRecord.Action.NONE, DecisionRecord.Action.OBSERVED);
    });
    assertThat(records.get(39).forecasts()).containsKey(SyntheticLoadSource.METRIC);
  }

  @Test
  void theReactiveFixtureHasNoForecasts() {
    EngineFixture fixture = EngineFixture.build(2, Policies.hpa());
    fixture.tick();
    List<DecisionRecord> records = ((InMemoryJournal) fixture.engine().journal()).records();
    assertThat(records).hasSize(2).allSatisfy(r -> assertThat(r.forecasts()).isEmpty());
  }

  @Test
  void workloads_belowOne() {
    assertThatThrownBy(() -> EngineFixture.build(0, Policies.hpa()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workloads must be >= 1, but was 0");
  }
}
