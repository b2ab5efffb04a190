package dev.prescaler.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.StepLimits;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Every invalid builder value a user can give is rejected with {@code <field> must be ..., but was
 * <value>}, all problems at once, and nothing is half-applied: a failed build leaves the builder
 * as it was, starts nothing and registers nothing.
 */
class BuilderValidationTest {
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");

  private static WorkloadSpec.Builder valid() {
    return WorkloadSpec.builder(WEB).maxReplicas(10).metric(MetricTarget.averageValue("rps", 50));
  }

  private static String problemOf(UnaryOperator<WorkloadSpec.Builder> change) {
    InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
        () -> change.apply(valid()).build());
    assertThat(e).as("must be rejected").isNotNull();
    assertThat(e.problems()).hasSize(1);
    return e.problems().get(0);
  }

  @Test
  void workloadSpec_eachInvalidFieldNamesItselfAndItsValue() {
    assertThat(problemOf(b -> b.minReplicas(-1))).isEqualTo("minReplicas must be >= 0, but was -1");
    assertThat(problemOf(b -> b.minReplicas(0).maxReplicas(0)))
        .isEqualTo("maxReplicas must be >= 1, but was 0");
    assertThat(problemOf(b -> b.minReplicas(0).maxReplicas(-1)))
        .isEqualTo("maxReplicas must be >= 1, but was -1");
    assertThat(problemOf(b -> b.minReplicas(5).maxReplicas(3)))
        .isEqualTo("maxReplicas must be >= minReplicas (5), but was 3");
    assertThat(problemOf(b -> b.costWeight(0)))
        .isEqualTo("costWeight must be > 0 and finite, but was 0.0");
    assertThat(problemOf(b -> b.costWeight(Double.NaN)))
        .isEqualTo("costWeight must be > 0 and finite, but was NaN");
    assertThat(problemOf(b -> b.costWeight(Double.POSITIVE_INFINITY)))
        .isEqualTo("costWeight must be > 0 and finite, but was Infinity");
    assertThat(problemOf(b -> b.startupDelay(Duration.ZERO)))
        .isEqualTo("startupDelay must be in (0, 1h], but was PT0S");
    assertThat(problemOf(b -> b.startupDelay(Duration.ofHours(2))))
        .isEqualTo("startupDelay must be in (0, 1h], but was PT2H");
    assertThat(problemOf(b -> b.riskQuantile(0.4)))
        .isEqualTo("riskQuantile must be in [0.5, 0.999], but was 0.4");
    assertThat(problemOf(b -> b.riskQuantile(Double.NaN)))
        .isEqualTo("riskQuantile must be in [0.5, 0.999], but was NaN");
    assertThat(problemOf(b -> b.forecastHorizon(Duration.ofSeconds(-1))))
        .isEqualTo("forecastHorizon must be in (0, 7d], but was PT-1S");
    assertThat(problemOf(b -> b.forecastHorizon(Duration.ofDays(8))))
        .isEqualTo("forecastHorizon must be in (0, 7d], but was PT192H");
    assertThat(problemOf(b -> b.metrics(List.of())))
        .isEqualTo("metrics must hold at least one metric: call metric(...)");
    assertThat(problemOf(b -> b.metric(MetricTarget.utilization("rps", 70))))
        .isEqualTo("metrics must have unique names, but \"rps\" appears twice: "
            + "MetricTarget[name=rps, type=AVERAGE_VALUE, target=50.0] and "
            + "MetricTarget[name=rps, type=UTILIZATION, target=70.0]");
    assertThat(problemOf(b -> WorkloadSpec.builder(WEB).metric(MetricTarget.averageValue("rps",
        1)))).isEqualTo("maxReplicas must be set: call maxReplicas(...)");
  }

  @Test
  void workloadSpec_reportsEveryProblemAtOnceInOneMessage() {
    InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
        () -> valid().minReplicas(-2).riskQuantile(2).costWeight(-1).build());
    assertThat(e.problems()).containsExactly(
        "minReplicas must be >= 0, but was -2",
        "costWeight must be > 0 and finite, but was -1.0",
        "riskQuantile must be in [0.5, 0.999], but was 2.0");
    assertThat(e).hasMessage("Invalid WorkloadSpec for shop/web:\n"
        + "- minReplicas must be >= 0, but was -2\n"
        + "- costWeight must be > 0 and finite, but was -1.0\n"
        + "- riskQuantile must be in [0.5, 0.999], but was 2.0");
  }

  // Catches maxReplicas reported twice (">= 1" and ">= minReplicas (-1)") for one bad value.
  @Test
  void workloadSpec_reportsEachProblemOnce() {
    assertThat(catchThrowableOfType(InvalidConfigurationException.class,
        () -> valid().minReplicas(-1).maxReplicas(-3).build()).problems()).containsExactly(
            "minReplicas must be >= 0, but was -1",
            "maxReplicas must be >= 1, but was -3");
    assertThat(problemOf(b -> b.minReplicas(5).maxReplicas(0)))
        .isEqualTo("maxReplicas must be >= minReplicas (5), but was 0");
  }

  // Catches a plain IllegalArgumentException at the first problem: a NaN target and a bad name
  // were reported one at a time, neither as the InvalidConfigurationException WorkloadSpec uses.
  @Test
  void metricTarget_reportsItsProblemsAtOnceAsAnInvalidConfiguration() {
    InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
        () -> MetricTarget.utilization("cpu usage", Double.NaN));
    assertThat(e).as("must be an InvalidConfigurationException").isNotNull();
    assertThat(e.problems()).containsExactly(
        "name must match [A-Za-z_][A-Za-z0-9_.:-]*, but was \"cpu usage\"",
        "target must be > 0 and finite, but was NaN");
    assertThat(e).hasMessage("Invalid MetricTarget \"cpu usage\":\n"
        + "- name must match [A-Za-z_][A-Za-z0-9_.:-]*, but was \"cpu usage\"\n"
        + "- target must be > 0 and finite, but was NaN");
    assertThat(catchThrowableOfType(InvalidConfigurationException.class,
        () -> new MetricTarget("rps", MetricTarget.Type.AVERAGE_VALUE, -1)).problems())
        .containsExactly("target must be > 0 and finite, but was -1.0");
  }

  @Test
  void workloadSpec_failedBuildLeavesTheBuilderUsable() {
    WorkloadSpec.Builder b = valid().minReplicas(2).maxReplicas(1).mode(Mode.ACT).priority(3);
    assertThatThrownBy(b::build).isInstanceOf(InvalidConfigurationException.class);
    WorkloadSpec spec = b.maxReplicas(4).build();
    assertThat(spec.minReplicas()).isEqualTo(2);
    assertThat(spec.maxReplicas()).isEqualTo(4);
    assertThat(spec.mode()).isEqualTo(Mode.ACT);
    assertThat(spec.priority()).isEqualTo(3);
  }

  @Test
  void workloadSpec_nullCollaboratorsNameTheField() {
    assertThatThrownBy(() -> valid().startupDelay(null)).hasMessage("startupDelay");
    assertThatThrownBy(() -> valid().mode(null)).hasMessage("mode");
    assertThatThrownBy(() -> valid().stepLimits(null)).hasMessage("stepLimits");
    assertThatThrownBy(() -> WorkloadSpec.builder(null)).hasMessage("workload");
  }

  @Test
  void valueRecords_nameTheFieldAndTheValue() {
    assertThatThrownBy(() -> new StepLimits(-1, 10, 0, 10))
        .hasMessage("stepLimits.upPods must be >= 0, but was -1");
    assertThatThrownBy(() -> new StepLimits(1, Double.NaN, 0, 10))
        .hasMessage("stepLimits.upPercent must be >= 0 and finite, but was NaN");
    assertThatThrownBy(() -> new StepLimits(1, 10, -2, 10))
        .hasMessage("stepLimits.downPods must be >= 0, but was -2");
    assertThatThrownBy(() -> new StepLimits(1, 10, 0, 101))
        .hasMessage("stepLimits.downPercent must be in [0, 100], but was 101.0");
    assertThatThrownBy(() -> new StepLimits(0, 0, 0, 10))
        .hasMessage("stepLimits must allow some scale-up (upPods or upPercent > 0), but both "
            + "were 0");
    assertThatThrownBy(() -> MetricTarget.averageValue("rps", 0))
        .hasMessage("Invalid MetricTarget \"rps\":\n- target must be > 0 and finite, but was 0.0");
    assertThatThrownBy(() -> MetricTarget.utilization("1cpu", 70))
        .hasMessage("Invalid MetricTarget \"1cpu\":\n"
            + "- name must match [A-Za-z_][A-Za-z0-9_.:-]*, but was \"1cpu\"");
    assertThatThrownBy(() -> WorkloadRef.deployment("Shop", "web"))
        .hasMessage("namespace must be a DNS-1123 label, but was \"Shop\"");
    assertThatThrownBy(() -> WorkloadRef.deployment("shop", "web\n"))
        .hasMessage("name must be a DNS-1123 subdomain, but was \"web\\u000a\"");
    assertThatThrownBy(() -> new WorkloadRef("shop", "deployment", "web"))
        .hasMessage("kind must be a Kubernetes kind such as Deployment, but was \"deployment\"");
    assertThatThrownBy(() -> new ReplicaStatus(-1, 0, 0))
        .hasMessage("current replicas must be >= 0, but was -1");
    assertThatThrownBy(() -> new ReplicaStatus(3, 2, 3))
        .hasMessage("warming replicas must be in [0, ready (2)], but was 3");
  }

  // -----------------------------------------------------------------------------------------
  // Engine builder.

  private static AutoscalerEngine.Builder engine() {
    return AutoscalerEngine.builder()
        .metricSource((spec, now) -> null)
        .policy((ctx, p) -> p);
  }

  private static List<String> engineProblems(UnaryOperator<AutoscalerEngine.Builder> change) {
    InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
        () -> change.apply(engine()).build());
    assertThat(e).as("must be rejected").isNotNull();
    assertThat(e.getMessage()).startsWith("Invalid AutoscalerEngine:\n- ");
    return e.problems();
  }

  @Test
  void engineBuilder_eachInvalidFieldNamesItselfAndItsValue() {
    assertThat(engineProblems(b -> b.syncPeriod(Duration.ZERO)))
        .containsExactly("syncPeriod must be in [PT1S, PT1H], but was PT0S");
    assertThat(engineProblems(b -> b.metricsDelay(Duration.ofSeconds(-5))))
        .containsExactly("metricsDelay must be in [PT0S, PT1H], but was PT-5S");
    assertThat(engineProblems(b -> b.historyStep(Duration.ofHours(2))))
        .containsExactly("historyStep must be in [PT1S, PT1H], but was PT2H");
    assertThat(engineProblems(b -> b.maxMetricAge(Duration.ZERO)))
        .containsExactly("maxMetricAge must be in [PT1S, PT24H], but was PT0S");
    assertThat(engineProblems(b -> b.decisionMemory(Duration.ofDays(2))))
        .containsExactly("decisionMemory must be in [PT0S, PT24H], but was PT48H");
    assertThat(engineProblems(b -> b.followUpAfter(Duration.ZERO)))
        .containsExactly("followUpAfter must be in [PT1S, PT24H], but was PT0S");
    assertThat(engineProblems(b -> b.callTimeout(Duration.ofMinutes(11))))
        .containsExactly("callTimeout must be in [PT0S, PT10M], but was PT11M");
    assertThat(engineProblems(b -> b.historyLength(Duration.ofSeconds(30))))
        .containsExactly("historyLength must be 1 to 100000 historySteps (PT1M), but was PT30S");
  }

  @Test
  void engineBuilder_missingCollaboratorsSayWhatToCall() {
    InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
        () -> AutoscalerEngine.builder().build());
    assertThat(e.problems()).containsExactly("no MetricSource: call metricSource(...)",
        "no DecisionPolicy: call policy(...)");
    assertThatThrownBy(() -> engine().clock(null)).hasMessage("clock");
    assertThatThrownBy(() -> engine().journal(null)).hasMessage("journal");
    assertThatThrownBy(() -> engine().listener(null)).hasMessage("listener");
  }

  @Test
  void engineBuilder_duplicateWorkloadAndAllProblemsAtOnce() {
    WorkloadSpec spec = valid().build();
    assertThat(engineProblems(b -> b.workload(spec).workload(spec)
        .syncPeriod(Duration.ofHours(3)).callTimeout(Duration.ofSeconds(-1))))
        .containsExactly("workloads must be unique, but shop/web was given twice",
            "syncPeriod must be in [PT1S, PT1H], but was PT3H",
            "callTimeout must be in [PT0S, PT10M], but was PT-1S");
  }

  /** A failed build starts no call threads and leaves the builder usable. */
  @Test
  void engineBuilder_failedBuildStartsNothingAndCanBeFixed() {
    AutoscalerEngine.Builder b = engine().callTimeout(Duration.ofSeconds(1))
        .syncPeriod(Duration.ZERO).workload(valid().build());
    long before = callThreads();
    assertThatThrownBy(b::build).isInstanceOf(InvalidConfigurationException.class);
    assertThat(callThreads()).isEqualTo(before);
    try (AutoscalerEngine built = b.syncPeriod(Duration.ofSeconds(30)).build()) {
      assertThat(built.syncPeriod()).isEqualTo(Duration.ofSeconds(30));
      assertThat(built.workloads()).extracting(WorkloadSpec::workload).containsExactly(WEB);
    }
  }

  @Test
  void engine_modeOfAnUnknownWorkloadChangesNothing() {
    try (AutoscalerEngine e = engine().workload(valid().build()).build()) {
      WorkloadRef other = WorkloadRef.deployment("shop", "other");
      assertThatThrownBy(() -> e.mode(other, Mode.ACT, "promote"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("workload shop/other is not registered");
      assertThat(e.workloads()).singleElement()
          .satisfies(s -> assertThat(s.mode()).isEqualTo(Mode.OBSERVE_ONLY));
    }
  }

  private static long callThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("prescaler-call-")).count();
  }
}
