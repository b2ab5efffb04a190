package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The default names of plug-ins: never empty, the same on every run. */
class PluginNamesTest {

  /** A named policy: its simple name. */
  static final class Doubling implements DecisionPolicy {
    @Override
    public Proposal apply(DecisionContext context, Proposal proposal) {
      return proposal.to(name(), proposal.replicas() * 2, "twice");
    }
  }

  private static Forecaster flat() {
    return (history, horizon, level) -> Forecast.flat("flat", history.end(), history.step(),
        Forecaster.steps(horizon, history.step()), 1);
  }

  // Catches the default of getClass().getSimpleName(): "" for an anonymous class, and for a
  // lambda a name with the JVM's per-run suffix (PluginNamesTest$$Lambda$129/0x00007ff3...).
  @Test
  void anonymousClassesAndLambdasGetAStableNonEmptyName() {
    DecisionPolicy anonymous = new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return proposal;
      }
    };
    DecisionPolicy lambda = (context, proposal) -> proposal;
    Forecaster anonymousForecaster = new Forecaster() {
      @Override
      public Forecast forecast(MetricSeries history, Duration horizon, double level) {
        return flat().forecast(history, horizon, level);
      }
    };
    assertThat(anonymous.name()).isEqualTo("PluginNamesTest$1");
    assertThat(lambda.name()).isEqualTo("PluginNamesTest$$Lambda");
    assertThat(anonymousForecaster.name()).isEqualTo("PluginNamesTest$2");
    assertThat(flat().name()).isEqualTo("PluginNamesTest$$Lambda");
    Supplier<DecisionPolicy> other = () -> (context, proposal) -> proposal;
    assertThat(other.get().name()).isEqualTo(lambda.name());
  }

  @Test
  void namedClassesKeepTheirSimpleName() {
    assertThat(new Doubling().name()).isEqualTo("Doubling");
  }

  @Test
  void theNameReachesTheJournalReasonsAndTheEngineMessages() {
    DecisionPolicy plusOne = new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext context, Proposal proposal) {
        return proposal.to(name(), proposal.replicas() + 1, "plus one");
      }
    };
    DecisionContext ctx = DecisionContext.builder(Fixtures.spec(WEB, 1, 10, Mode.ACT), T0,
        ReplicaStatus.of(3, 3)).reading("rps", 300).build();
    assertThat(plusOne.apply(ctx, Proposal.keep(3)).explain())
        .isEqualTo("PluginNamesTest$3: 3 -> 4 (plus one)");

    Forecaster failing = new Forecaster() {
      @Override
      public Forecast forecast(MetricSeries history, Duration horizon, double level) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Forecaster forSeries() {
        throw new IllegalStateException("no state");
      }
    };
    assertThatThrownBy(() -> AutoscalerEngine.builder().clock(new TestClock(T0))
        .metricSource(new FakeSource()).policy(Fixtures.CAPACITY).forecaster(failing)
        .workload(Fixtures.spec(WEB, 1, 10, Mode.ACT)).build())
        .hasMessageStartingWith("forecaster PluginNamesTest$4 failed in forSeries() ");
  }
}
