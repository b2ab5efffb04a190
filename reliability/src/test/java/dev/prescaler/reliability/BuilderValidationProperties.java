package dev.prescaler.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.StepLimits;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Generated values for every builder field and value record a user fills in: each is either
 * accepted, or rejected with exactly the documented one-line {@code <field> must be ..., but was
 * <value>} — never another exception, never a message without the value.
 */
class BuilderValidationProperties {
  /** Generated inputs per property. */
  static final int EXAMPLES = 1000;

  private static WorkloadSpec.Builder valid() {
    return WorkloadSpec.builder(WorkloadRef.deployment("shop", "web")).maxReplicas(10)
        .metric(MetricTarget.averageValue("rps", 50));
  }

  /** Random min/max/cost/quantile: accepted exactly when in range, else each bad one named. */
  @Test
  void workloadSpecNumbersAreAcceptedOrNamed() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(-5, 40), integers().between(-5, 40),
            doubles().any(), doubles().between(-1, 2))
        .checkAssert((min, max, cost, quantile) -> {
          Throwable t = catchThrowable(() -> valid().minReplicas(min).maxReplicas(max)
              .costWeight(cost).riskQuantile(quantile).build());
          boolean ok = min >= 0 && max >= 1 && max >= min && cost > 0 && Double.isFinite(cost)
              && quantile >= 0.5 && quantile <= 0.999;
          if (ok) {
            assertThat(t).isNull();
            return;
          }
          assertThat(t).isInstanceOf(InvalidConfigurationException.class);
          var problems = ((InvalidConfigurationException) t).problems();
          if (min < 0) {
            assertThat(problems).contains("minReplicas must be >= 0, but was " + min);
          }
          if (!(cost > 0 && Double.isFinite(cost))) {
            assertThat(problems).contains("costWeight must be > 0 and finite, but was " + cost);
          }
          if (!(quantile >= 0.5 && quantile <= 0.999)) {
            assertThat(problems)
                .contains("riskQuantile must be in [0.5, 0.999], but was " + quantile);
          }
          assertThat(problems).allSatisfy(p -> assertThat(p).contains(" must ")
              .contains(", but ").doesNotContain("\n"));
        });
  }

  /** Random engine durations: accepted when in range, else the field and value are named. */
  @Test
  void engineDurationsAreAcceptedOrNamed() {
    qt().withExamples(EXAMPLES)
        .forAll(longs().between(-10_000, 200_000), longs().between(-10_000, 10_000))
        .checkAssert((syncMillis, timeoutMillis) -> {
          Duration sync = Duration.ofMillis(syncMillis);
          Duration timeout = Duration.ofMillis(timeoutMillis);
          Throwable t = catchThrowable(() -> AutoscalerEngine.builder()
              .metricSource((spec, now) -> null).policy((c, p) -> p)
              .syncPeriod(sync).callTimeout(timeout).build().close());
          boolean syncOk = syncMillis >= 1000 && syncMillis <= 3_600_000;
          boolean timeoutOk = timeoutMillis >= 0;
          if (syncOk && timeoutOk) {
            assertThat(t).isNull();
            return;
          }
          assertThat(t).isInstanceOf(InvalidConfigurationException.class);
          var problems = ((InvalidConfigurationException) t).problems();
          if (!syncOk) {
            assertThat(problems).contains("syncPeriod must be in [PT1S, PT1H], but was " + sync);
          }
          if (!timeoutOk) {
            assertThat(problems)
                .contains("callTimeout must be in [PT0S, PT10M], but was " + timeout);
          }
        });
  }

  /** Random step limits: valid ones build; invalid ones name the field and value on one line. */
  @Test
  void stepLimitsAreAcceptedOrNamed() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(-3, 10), doubles().between(-50, 300),
            integers().between(-3, 10), doubles().between(-50, 150))
        .checkAssert((upPods, upPct, downPods, downPct) -> {
          Throwable t = catchThrowable(() -> new StepLimits(upPods, upPct, downPods, downPct));
          if (t == null) {
            return;
          }
          assertThat(t).isInstanceOf(IllegalArgumentException.class);
          assertThat(t.getMessage()).startsWith("stepLimits").contains(" must ")
              .contains(", but ").doesNotContain("\n");
        });
  }

  /**
   * Random strings as namespace, kind, name and metric name: accepted, or rejected naming the
   * field with the value quoted and escaped so that the message stays on one line.
   */
  @Test
  void namesAreAcceptedOrNamedOnOneLine() {
    qt().withExamples(EXAMPLES)
        .forAll(strings().allPossible().ofLengthBetween(0, 70),
            strings().basicLatinAlphabet().ofLengthBetween(0, 70))
        .checkAssert((anything, latin) -> {
          for (String s : new String[] {anything, latin, latin.toLowerCase()}) {
            check(() -> WorkloadRef.deployment(s, "web"), "namespace");
            check(() -> WorkloadRef.deployment("shop", s), "name");
            check(() -> new WorkloadRef("shop", s, "web"), "kind");
            check(() -> MetricTarget.averageValue(s, 1), "name");
          }
        });
  }

  /**
   * Accepted, or rejected naming the field on one line: the message, or for an {@link
   * InvalidConfigurationException} (one line per problem after its heading) its one problem.
   */
  private static void check(Runnable r, String field) {
    Throwable t = catchThrowable(r::run);
    if (t == null) {
      return;
    }
    assertThat(t).isInstanceOf(IllegalArgumentException.class);
    String problem = t.getMessage();
    if (t instanceof InvalidConfigurationException e) {
      assertThat(e.problems()).hasSize(1);
      problem = e.problems().get(0);
    }
    assertThat(problem).startsWith(field + " must ").contains(", but was \"")
        .doesNotContain("\n").doesNotContain("\r");
  }
}
