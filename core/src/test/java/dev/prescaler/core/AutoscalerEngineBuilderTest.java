package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.T0;
import static dev.prescaler.core.Fixtures.WEB;
import static dev.prescaler.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The engine builder reports every problem at once, each naming the field and the value. */
class AutoscalerEngineBuilderTest {

  @Test
  void build_reportsEveryProblemAtOnce() {
    AutoscalerEngine.Builder b = AutoscalerEngine.builder()
        .workload(spec(WEB, 1, 5, Mode.ACT))
        .workload(spec(WEB, 1, 9, Mode.ACT))
        .syncPeriod(Duration.ofMillis(500))
        .metricsDelay(Duration.ofSeconds(-1))
        .historyStep(Duration.ofHours(2))
        .historyLength(Duration.ofHours(1))
        .maxMetricAge(Duration.ZERO)
        .decisionMemory(Duration.ofDays(2))
        .followUpAfter(Duration.ZERO);
    assertThatThrownBy(b::build)
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid AutoscalerEngine:\n"
            + "- no MetricSource: call metricSource(...)\n"
            + "- no DecisionPolicy: call policy(...)\n"
            + "- workloads must be unique, but shop/web was given twice\n"
            + "- syncPeriod must be in [PT1S, PT1H], but was PT0.5S\n"
            + "- metricsDelay must be in [PT0S, PT1H], but was PT-1S\n"
            + "- historyStep must be in [PT1S, PT1H], but was PT2H\n"
            + "- maxMetricAge must be in [PT1S, PT24H], but was PT0S\n"
            + "- decisionMemory must be in [PT0S, PT24H], but was PT48H\n"
            + "- followUpAfter must be in [PT1S, PT24H], but was PT0S\n"
            + "- historyLength must be 1 to 100000 historySteps (PT2H), but was PT1H")
        .extracting(e -> ((InvalidConfigurationException) e).problems())
        .asList().hasSize(10);
  }

  @Test
  void build_historyTooLong() {
    assertThatThrownBy(() -> AutoscalerEngine.builder()
        .metricSource((s, n) -> null).policy((c, p) -> p)
        .historyStep(Duration.ofSeconds(1)).historyLength(Duration.ofDays(7)).build())
        .hasMessage("Invalid AutoscalerEngine:\n"
            + "- historyLength must be 1 to 100000 historySteps (PT1S), but was PT168H");
  }

  // Caught a bare ArithmeticException ("long overflow") from build(), which named no field and
  // hid every other problem: the length was turned into milliseconds before it was checked.
  @Test
  void build_hugeDurationsAreProblemsNamedWithTheOthers() {
    Duration huge = Duration.ofSeconds(Long.MAX_VALUE);
    assertThatThrownBy(() -> AutoscalerEngine.builder()
        .metricSource((s, n) -> null).policy((c, p) -> p)
        .historyLength(huge).callTimeout(huge).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid AutoscalerEngine:\n"
            + "- callTimeout must be in [PT0S, PT10M], but was " + huge + "\n"
            + "- historyLength must be 1 to 100000 historySteps (PT1M), but was " + huge);
    assertThatThrownBy(() -> AutoscalerEngine.builder()
        .metricSource((s, n) -> null).policy((c, p) -> p).historyStep(huge).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid AutoscalerEngine:\n"
            + "- historyStep must be in [PT1S, PT1H], but was " + huge + "\n"
            + "- historyLength must be 1 to 100000 historySteps (" + huge + "), but was PT168H");
  }

  // Caught a history step of 1.0000005 s accepted: samples are binned on whole milliseconds
  // while the step's times are kept exactly, so the two grids drifted apart.
  @Test
  void build_gridsFinerThanAMillisecondAreRefused() {
    assertThatThrownBy(() -> AutoscalerEngine.builder()
        .metricSource((s, n) -> null).policy((c, p) -> p)
        .syncPeriod(Duration.ofSeconds(15, 1))
        .historyStep(Duration.ofSeconds(1, 500)).historyLength(Duration.ofHours(1)).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid AutoscalerEngine:\n"
            + "- syncPeriod must be a whole number of milliseconds, but was PT15.000000001S\n"
            + "- historyStep must be a whole number of milliseconds, but was PT1.0000005S");
  }

  // Caught a half-applied call: metrics(null), or a list holding a null, cleared the metrics
  // already set before it threw, and a caller that went on built a spec without them.
  @Test
  void specMetrics_aNullListOrElementChangesNothing() {
    WorkloadSpec.Builder b = WorkloadSpec.builder(WorkloadRef.deployment("shop", "web"))
        .maxReplicas(5).metric(MetricTarget.averageValue("rps", 50));
    assertThatThrownBy(() -> b.metrics(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.metrics(java.util.Arrays.asList(
        MetricTarget.averageValue("qps", 5), null))).isInstanceOf(NullPointerException.class);
    assertThat(b.build().metrics()).extracting(MetricTarget::name).containsExactly("rps");
    assertThat(b.metrics(List.of(MetricTarget.utilization("cpu", 60))).build().metrics())
        .extracting(MetricTarget::name).containsExactly("cpu");
  }

  @Test
  void build_defaultsAreValid() {
    AutoscalerEngine e = AutoscalerEngine.builder()
        .metricSource((s, n) -> null).policy((c, p) -> p).build();
    assertThat(e.syncPeriod()).isEqualTo(AutoscalerEngine.DEFAULT_SYNC_PERIOD);
    assertThat(e.journal()).isInstanceOf(dev.prescaler.core.journal.InMemoryJournal.class);
    assertThat(e.workloads()).isEmpty();
  }

  @Test
  void setters_rejectNullAtOnceNamingTheField() {
    AutoscalerEngine.Builder b = AutoscalerEngine.builder();
    assertThatThrownBy(() -> b.metricSource(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("metricSource");
    assertThatThrownBy(() -> b.clock(null)).hasMessage("clock");
    assertThatThrownBy(() -> b.policy(null)).hasMessage("policy");
    assertThatThrownBy(() -> b.executor(null)).hasMessage("executor");
    assertThatThrownBy(() -> b.syncPeriod(null)).hasMessage("syncPeriod");
  }

  @Test
  void workloadSpec_reportsEveryProblemAtOnce() {
    WorkloadSpec.Builder b = WorkloadSpec.builder(WEB)
        .minReplicas(-1)
        .costWeight(0)
        .startupDelay(Duration.ofHours(2))
        .riskQuantile(1.0)
        .forecastHorizon(Duration.ZERO);
    assertThatThrownBy(b::build)
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid WorkloadSpec for shop/web:\n"
            + "- minReplicas must be >= 0, but was -1\n"
            + "- maxReplicas must be set: call maxReplicas(...)\n"
            + "- metrics must hold at least one metric: call metric(...)\n"
            + "- costWeight must be > 0 and finite, but was 0.0\n"
            + "- startupDelay must be in (0, 1h], but was PT2H\n"
            + "- riskQuantile must be in [0.5, 0.999], but was 1.0\n"
            + "- forecastHorizon must be in (0, 7d], but was PT0S");
  }

  @Test
  void riskQuantile_boundsAreInclusiveAndNaNIsRefused() {
    assertThat(WorkloadSpec.isValidRiskQuantile(WorkloadSpec.MIN_RISK_QUANTILE)).isTrue();
    assertThat(WorkloadSpec.isValidRiskQuantile(WorkloadSpec.MAX_RISK_QUANTILE)).isTrue();
    assertThat(WorkloadSpec.isValidRiskQuantile(Math.nextDown(0.5))).isFalse();
    assertThat(WorkloadSpec.isValidRiskQuantile(Math.nextUp(0.999))).isFalse();
    assertThat(WorkloadSpec.isValidRiskQuantile(Double.NaN)).isFalse();
    assertThatThrownBy(() -> WorkloadSpec.builder(WEB).maxReplicas(3)
        .metric(MetricTarget.averageValue("rps", 1)).riskQuantile(Double.NaN).build())
        .hasMessageContaining("riskQuantile must be in [0.5, 0.999], but was NaN");
  }

  @Test
  void workloadSpec_maxBelowMinAndDuplicateMetrics() {
    assertThatThrownBy(() -> WorkloadSpec.builder(WEB).minReplicas(3).maxReplicas(2)
        .metric(MetricTarget.averageValue("rps", 1)).metric(MetricTarget.utilization("rps", 50))
        .build())
        .hasMessage("Invalid WorkloadSpec for shop/web:\n"
            + "- maxReplicas must be >= minReplicas (3), but was 2\n"
            + "- metrics must have unique names, but \"rps\" appears twice: "
            + "MetricTarget[name=rps, type=AVERAGE_VALUE, target=1.0] and "
            + "MetricTarget[name=rps, type=UTILIZATION, target=50.0]");
  }

  @Test
  void values_nameTheFieldAndTheValue() {
    assertThatThrownBy(() -> new StepLimits(-1, 0, 0, 0))
        .hasMessage("stepLimits.upPods must be >= 0, but was -1");
    assertThatThrownBy(() -> new StepLimits(0, 0, 0, 0))
        .hasMessage("stepLimits must allow some scale-up (upPods or upPercent > 0), but both "
            + "were 0");
    assertThatThrownBy(() -> new StepLimits(1, 0, 0, 101))
        .hasMessage("stepLimits.downPercent must be in [0, 100], but was 101.0");
    assertThatThrownBy(() -> MetricTarget.utilization("cpu", 0))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid MetricTarget \"cpu\":\n- target must be > 0 and finite, but was 0.0");
    // Caught 1e-322 % accepted: its per-replica share (÷ 100) is 0, and the predictive policy's
    // need for it came out NaN, which dropped the lead of every other metric of the workload.
    assertThatThrownBy(() -> MetricTarget.utilization("cpu", 1e-322))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid MetricTarget \"cpu\":\n"
            + "- target must be a percent whose hundredth is > 0, but was 1.0E-322");
    assertThat(MetricTarget.averageValue("rps", 1e-322).perReplicaTarget()).isPositive();
    assertThatThrownBy(() -> MetricTarget.averageValue("bad name", 1))
        .hasMessage("Invalid MetricTarget \"bad name\":\n"
            + "- name must match [A-Za-z_][A-Za-z0-9_.:-]*, but was \"bad name\"");
    assertThatThrownBy(() -> WorkloadRef.deployment("Shop", "web"))
        .hasMessage("namespace must be a DNS-1123 label, but was \"Shop\"");
    assertThatThrownBy(() -> new ReplicaStatus(2, 1, 2))
        .hasMessage("warming replicas must be in [0, ready (1)], but was 2");
    assertThatThrownBy(() -> ReplicaStatus.of(2, 1).withExisting(-1))
        .hasMessage("existing replicas must be >= 0, but was -1");
    assertThat(ReplicaStatus.of(8, 7).existing()).isEqualTo(8);
    assertThat(new ReplicaStatus(8, 7, 1).withExisting(10))
        .isEqualTo(new ReplicaStatus(8, 7, 1, 10));
    assertThatThrownBy(() -> new Proposal(-1, java.util.List.of(), java.util.Map.of()))
        .hasMessage("proposed replicas must be >= 0, but was -1");
  }

  @Test
  void stepLimits_computeTheHpaDefaultBehavior() {
    assertThat(StepLimits.DEFAULT.maxUp(1)).isEqualTo(5);
    assertThat(StepLimits.DEFAULT.maxUp(10)).isEqualTo(20);
    assertThat(StepLimits.DEFAULT.maxDown(10)).isZero();
    assertThat(new StepLimits(1, 10, 2, 10).maxDown(50)).isEqualTo(45);
    assertThat(new StepLimits(1, 10, 2, 10).maxDown(5)).isEqualTo(3);
    assertThat(StepLimits.DEFAULT.maxUp(Integer.MAX_VALUE - 1)).isEqualTo(Integer.MAX_VALUE);
  }

  /** A policy whose memory() is {@code memory}, or throws it when it is an exception. */
  private static DecisionPolicy remembering(Object memory, int[] asked) {
    return new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext ctx, Proposal p) {
        return p;
      }

      @Override
      public Duration memory() {
        asked[0]++;
        if (memory instanceof RuntimeException e) {
          throw e;
        }
        return (Duration) memory;
      }

      @Override
      public String name() {
        return "windows";
      }
    };
  }

  private static AutoscalerEngine.Builder withMemory(Object memory, int[] asked) {
    return AutoscalerEngine.builder().metricSource((s, n) -> null)
        .policy(remembering(memory, asked));
  }

  /**
   * Catches a policy memory() used unchecked: ChronoUnit.FOREVER made every tick throw on
   * {@code now − memory} before its records were written (nothing journaled) and restore() fail
   * half-way, and a null or throwing memory() escaped build() as a raw exception. build() now
   * reads it once and names the policy and the value, in the bounds of decisionMemory.
   */
  @Test
  void policyMemory_outOfRangeNullOrThrowing() {
    int[] asked = {0};
    Duration forever = ChronoUnit.FOREVER.getDuration();
    assertThatThrownBy(() -> withMemory(forever, asked).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid AutoscalerEngine:\n- memory() of policy windows must be in [PT0S, "
            + "PT24H], but was " + forever);
    assertThatThrownBy(() -> withMemory(Duration.ofSeconds(-1), asked).build())
        .hasMessage("Invalid AutoscalerEngine:\n- memory() of policy windows must be in [PT0S, "
            + "PT24H], but was PT-1S");
    assertThatThrownBy(() -> withMemory(null, asked).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid AutoscalerEngine:\n- memory() of policy windows must be in [PT0S, "
            + "PT24H], but was null");
    assertThatThrownBy(() -> withMemory(new IllegalStateException("no window yet"), asked)
        .build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid AutoscalerEngine:\n- memory() of policy windows must be in [PT0S, "
            + "PT24H], but threw java.lang.IllegalStateException: no window yet");

    asked[0] = 0;
    AutoscalerEngine engine = withMemory(Duration.ofDays(1), asked).build();
    engine.tick();
    assertThat(asked[0]).as("memory() calls").isEqualTo(1);
  }

  // Caught the agent, which sets no history step, keeping 60 s steps at a 5-minute sync: each
  // tick added one sample and left four steps missing, and the forecasts fitted on such a history
  // overshot (the simulator on a clean sine at a 15-minute sync: 978 replica-hours against 855).
  @Test
  void historyStep_followsALongerSyncPeriodUnlessSet() {
    assertThat(historyStepAsked(b -> b)).isEqualTo(Duration.ofSeconds(60));
    assertThat(historyStepAsked(b -> b.syncPeriod(Duration.ofSeconds(30))))
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(historyStepAsked(b -> b.syncPeriod(Duration.ofMinutes(5))))
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(historyStepAsked(b -> b.syncPeriod(Duration.ofHours(1))))
        .isEqualTo(Duration.ofHours(1));
    assertThat(historyStepAsked(b -> b.syncPeriod(Duration.ofMinutes(5))
        .historyStep(Duration.ofSeconds(60)))).isEqualTo(Duration.ofSeconds(60));
    assertThat(historyStepAsked(b -> b.historyStep(Duration.ofMinutes(2))
        .syncPeriod(Duration.ofMinutes(5)))).isEqualTo(Duration.ofMinutes(2));
  }

  // Caught the default step at a sync period that does not divide a day (7 or 11 minutes): the
  // step was the sync period, a day was no whole number of steps, and auto and fourier, whose
  // seasons are whole numbers of steps, had no daily season.
  @Test
  void historyStep_defaultIsTheSmallestStepAtLeastTheSyncPeriodThatDividesADay() {
    assertThat(historyStepAsked(b -> b.syncPeriod(Duration.ofMinutes(7))))
        .isEqualTo(Duration.ofMinutes(8));
    assertThat(historyStepAsked(b -> b.syncPeriod(Duration.ofMinutes(11))))
        .isEqualTo(Duration.ofMinutes(12));
    assertThat(historyStepAsked(b -> b.syncPeriod(Duration.ofMinutes(59))))
        .isEqualTo(Duration.ofHours(1));
    // Whole minutes, not the smallest divisor in seconds (64 s divides a day).
    assertThat(historyStepAsked(b -> b.syncPeriod(Duration.ofSeconds(61))))
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(historyStepAsked(b -> b.syncPeriod(Duration.ofMillis(420_001))))
        .isEqualTo(Duration.ofMinutes(8));
    // A sync period that divides a day is the step, as before, whole minutes or not.
    assertThat(historyStepAsked(b -> b.syncPeriod(Duration.ofSeconds(90))))
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(historyStepAsked(b -> b.syncPeriod(Duration.ofSeconds(15))))
        .isEqualTo(Duration.ofSeconds(60));
    long day = Duration.ofDays(1).toMillis();
    for (int ms = 1_000; ms <= 3_600_000; ms += 1_000) {
      Duration sync = Duration.ofMillis(ms);
      Duration step = AutoscalerEngine.defaultHistoryStep(sync);
      assertThat(day % step.toMillis()).as("step %s at sync %s", step, sync).isZero();
      assertThat(step).as("at sync %s", sync).isGreaterThanOrEqualTo(sync)
          .isGreaterThanOrEqualTo(Duration.ofSeconds(60));
      if (day % ms == 0 && ms >= 60_000) {
        assertThat(step).isEqualTo(sync);
      } else if (ms > 60_000) {
        assertThat(step.toMillis() % 60_000).as("at sync %s", sync).isZero();
        for (long m = (ms + 59_999) / 60_000; m < step.toMinutes(); m++) {
          assertThat(1440 % m).as("a smaller step at sync %s: %d min", sync, m).isNotZero();
        }
      }
    }
    // Beyond a day (the engine refuses a sync period over an hour; the simulator may not).
    assertThat(AutoscalerEngine.defaultHistoryStep(Duration.ofHours(25)))
        .isEqualTo(Duration.ofHours(25));
    assertThat(AutoscalerEngine.defaultHistoryStep(Duration.ofDays(2)))
        .isEqualTo(Duration.ofDays(2));
  }

  // A sync period out of range is refused as the sync period's, not also as a step never set.
  @Test
  void historyStep_notSet_invalidSyncPeriodIsItsOwnProblem() {
    for (Duration sync : List.of(Duration.ofHours(2), Duration.ofSeconds(90, 500))) {
      assertThatThrownBy(() -> AutoscalerEngine.builder()
          .metricSource((s, n) -> null).policy((c, p) -> p).syncPeriod(sync).build())
          .extracting(e -> ((InvalidConfigurationException) e).problems())
          .asList().singleElement().asString().startsWith("syncPeriod ");
    }
  }

  /** The step the engine asks its source's history in, for a workload given at build. */
  private static Duration historyStepAsked(UnaryOperator<AutoscalerEngine.Builder> settings) {
    List<Duration> steps = new ArrayList<>();
    MetricSource source = new MetricSource() {
      @Override
      public Observation read(WorkloadSpec spec, Instant now) {
        return null;
      }

      @Override
      public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric, Instant from,
          Instant to, Duration step) {
        steps.add(step);
        return Optional.empty();
      }
    };
    AutoscalerEngine.Builder b = AutoscalerEngine.builder().clock(new TestClock(T0))
        .metricSource(source).policy((c, p) -> p).workload(spec(WEB, 1, 5, Mode.ACT));
    try (AutoscalerEngine e = settings.apply(b).build()) {
      assertThat(steps).hasSize(1);
      return steps.get(0);
    }
  }
}
