package dev.prescaler.decision;

import static dev.prescaler.decision.Fixtures.NOW;
import static dev.prescaler.decision.Fixtures.ctx;
import static dev.prescaler.decision.Fixtures.rps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.Proposal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpikeFilterTest {
  /** A 60 s history ending at NOW with these values. */
  static MetricSeries history(double... values) {
    Instant start = NOW.minusSeconds(60L * values.length);
    return new MetricSeries() {
      @Override
      public Instant start() {
        return start;
      }

      @Override
      public Duration step() {
        return Duration.ofSeconds(60);
      }

      @Override
      public int size() {
        return values.length;
      }

      @Override
      public double value(int i) {
        return values[i];
      }
    };
  }

  private static final MetricSeries STEADY = history(100, 102, 98, 101, 99, 100, 103, 97);

  @Test
  void replacesASpikeByTheMedian() {
    DecisionContext c = ctx(rps(10, 1, 100), 10, "rps", 400).history("rps", STEADY).build();
    List<String> notes = new ArrayList<>();
    DecisionContext f = SpikeFilter.ofDefaults().filter(c, notes);
    assertThat(f.load("rps")).isEqualTo(100);
    assertThat(notes).singleElement().asString().contains("spike");
  }

  @Test
  void keepsOrdinaryValues() {
    DecisionContext c = ctx(rps(10, 1, 100), 10, "rps", 104).history("rps", STEADY).build();
    assertThat(SpikeFilter.ofDefaults().filter(c, new ArrayList<>())).isSameAs(c);
  }

  @Test
  void directionLimitsWhatIsFiltered() {
    SpikeFilter dips = SpikeFilter.builder().direction(SpikeFilter.Direction.DOWN).build();
    DecisionContext up = ctx(rps(10, 1, 100), 10, "rps", 400).history("rps", STEADY).build();
    DecisionContext down = ctx(rps(10, 1, 100), 10, "rps", 5).history("rps", STEADY).build();
    assertThat(dips.filter(up, new ArrayList<>()).load("rps")).isEqualTo(400);
    assertThat(dips.filter(down, new ArrayList<>()).load("rps")).isEqualTo(100);
  }

  @Test
  void needsEnoughHistory() {
    DecisionContext c = ctx(rps(10, 1, 100), 10, "rps", 400)
        .history("rps", history(100, 100, 100)).build();
    assertThat(SpikeFilter.ofDefaults().filter(c, new ArrayList<>()).load("rps")).isEqualTo(400);
  }

  @Test
  void guardRunsTheInnerPolicyOnFilteredInput() {
    DecisionContext c = Fixtures.synced(ctx(rps(10, 1, 100), 10, "rps", 5), 10)
        .history("rps", STEADY).build();
    Proposal p = SpikeFilter.ofDefaults().guard(HpaPolicy.ofDefaults())
        .apply(c, Proposal.keep(10));
    assertThat(p.replicas()).isEqualTo(10); // a dip to 5 rps does not scale down
    assertThat(p.explain()).contains("spike-filter");
    assertThat(HpaPolicy.ofDefaults().apply(c, Proposal.keep(10)).replicas()).isEqualTo(1);
  }

  @Test
  void builderValidates() {
    assertThatThrownBy(() -> SpikeFilter.builder().threshold(0.5))
        .hasMessage("threshold must be in [1.0, 100.0], but was 0.5");
    assertThatThrownBy(() -> SpikeFilter.builder().minPoints(2))
        .hasMessage("minPoints must be in [3, 10000], but was 2");
  }
}
