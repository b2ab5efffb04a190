package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.testkit.InMemoryCluster;
import dev.prescaler.testkit.InMemoryMetricSource;
import dev.prescaler.testkit.ManualClock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The agent's self-metrics across a change of leader. */
class AgentMetricsTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AgentMetrics metrics = new AgentMetrics(registry);

  /**
   * The data points of the metric {@code name} (its name without {@code _total}); fails when the
   * registry holds no such metric, so that a renamed one cannot pass for one without points.
   */
  private int points(String name) {
    List<String> names = new ArrayList<>();
    for (MetricSnapshot s : registry.scrape()) {
      if (s.getMetadata().getPrometheusName().equals(name)) {
        return s.getDataPoints().size();
      }
      names.add(s.getMetadata().getPrometheusName());
    }
    return fail("no metric " + name + " in the registry, which holds " + names);
  }

  /** The value of {@code prescaler_mode} for shop/web and {@code mode}. */
  private double modeValue(String mode) {
    for (MetricSnapshot s : registry.scrape()) {
      if (s instanceof GaugeSnapshot g && s.getMetadata().getPrometheusName()
          .equals("prescaler_mode")) {
        return g.getDataPoints().stream()
            .filter(d -> d.getLabels().get("namespace").equals("shop")
                && d.getLabels().get("name").equals("web")
                && d.getLabels().get("mode").equals(mode))
            .findFirst().orElseThrow().getValue();
      }
    }
    return fail("no gauge prescaler_mode");
  }

  private static DecisionEvent decision() {
    return decision(WorkloadRef.deployment("shop", "web"), DecisionRecord.Kind.SCALE, 3, 5);
  }

  /** A decision for {@code w} from {@code current} (all ready) to {@code desired}. */
  private static DecisionEvent decision(WorkloadRef w, DecisionRecord.Kind kind, int current,
      int desired) {
    return new DecisionEvent(new DecisionRecord(1, Instant.parse("2026-01-01T00:00:00Z"),
        w, Mode.ACT, kind, current, current, Map.of("rps", 250.0), Map.of(),
        Map.of("rps", 250.0), Map.of(), desired, desired, List.of(), Map.of(),
        DecisionRecord.Action.APPLIED, "scaled", Optional.empty()));
  }

  /** Every data point of every metric, as {@code name{label=value,...} value}, labels sorted. */
  private List<String> series() {
    List<String> out = new ArrayList<>();
    for (MetricSnapshot s : registry.scrape()) {
      for (DataPointSnapshot d : s.getDataPoints()) {
        StringBuilder b = new StringBuilder(s.getMetadata().getPrometheusName()).append('{');
        d.getLabels().forEach(l -> b.append(l.getName()).append('=').append(l.getValue())
            .append(','));
        b.setLength(b.length() - (d.getLabels().isEmpty() ? 0 : 1));
        b.append('}');
        if (d instanceof GaugeDataPointSnapshot g) {
          b.append(' ').append(g.getValue());
        } else if (d instanceof CounterDataPointSnapshot c) {
          b.append(' ').append(c.getValue());
        }
        out.add(b.toString());
      }
    }
    return out;
  }

  @Test
  void aReplicaThatStopsLeadingDropsItsPerWorkloadGaugesAndKeepsItsCounters() {
    // Catches a standby exposing the decisions of its term as if current: the new leader's
    // make them stale, and a query over all replicas would mix them in.
    metrics.leader(true);
    metrics.onDecision(decision());
    assertThat(points("prescaler_replicas")).isEqualTo(3); // current, ready, desired
    assertThat(points("prescaler_load")).isEqualTo(1);
    assertThat(points("prescaler_decisions")).isEqualTo(1);

    metrics.leader(false);
    assertThat(points("prescaler_replicas")).isZero();
    assertThat(points("prescaler_load")).isZero();
    assertThat(points("prescaler_decisions")).as("a counter stays").isEqualTo(1);

    metrics.leader(true);
    metrics.onDecision(decision());
    assertThat(points("prescaler_replicas")).isEqualTo(3);
  }

  @Test
  void aReplicaThatNeverLedExposesNoModes() {
    // Its constructor resumed modes from its journal before its first round as a standby.
    metrics.onModeChanged(new ModeChangedEvent(WorkloadRef.deployment("shop", "web"),
        Instant.parse("2026-01-01T00:00:00Z"), Mode.OBSERVE_ONLY, Mode.HPA_FLOOR, "resumed"));
    metrics.leader(false);
    assertThat(points("prescaler_mode")).isZero();
    metrics.onModeChanged(new ModeChangedEvent(WorkloadRef.deployment("shop", "web"),
        Instant.parse("2026-01-01T00:01:00Z"), Mode.HPA_FLOOR, Mode.ACT, "the leader's word"));
    assertThat(points("prescaler_mode")).isZero();

    // Leading, its first mode change exposes one point per mode, 1 for the mode it is in.
    metrics.leader(true);
    metrics.onModeChanged(new ModeChangedEvent(WorkloadRef.deployment("shop", "web"),
        Instant.parse("2026-01-01T00:02:00Z"), Mode.OBSERVE_ONLY, Mode.ACT, "promoted"));
    assertThat(points("prescaler_mode")).isEqualTo(3);
    assertThat(modeValue("act")).isEqualTo(1);
    assertThat(modeValue("observe-only")).isZero();
    assertThat(modeValue("hpa-floor")).isZero();
  }

  /**
   * Catches the mode label written as the enum's name ({@code observe_only}, {@code hpa_floor})
   * while a workload's {@code mode} and the README write {@code observe-only} and {@code
   * hpa-floor}: an alert on {@code prescaler_mode{mode="hpa-floor"}} never fired. Each label is
   * the text that, as a workload's {@code mode}, gives the mode it is 1 for.
   */
  @Test
  void theModeLabelIsTheModeAsTheConfigurationSpellsIt() {
    metrics.leader(true);
    List<String> labels = new ArrayList<>();
    for (Mode to : Mode.values()) {
      metrics.onModeChanged(new ModeChangedEvent(WorkloadRef.deployment("shop", "web"), T,
          Mode.OBSERVE_ONLY, to, "changed"));
      List<String> on = series().stream()
          .filter(l -> l.startsWith("prescaler_mode{") && l.endsWith("} 1.0"))
          .map(l -> l.replaceAll("^prescaler_mode\\{mode=([^,]*),.*", "$1")).toList();
      assertThat(on).as("modes at 1 after the change to " + to).hasSize(1);
      AgentConfig c = AgentConfigParser.parse("workloads:\n"
          + TestConfigs.cpuWorkload("shop", "web", on.get(0), ""), "mode.yaml");
      assertThat(c.workloads().get(0).spec().mode()).as(on.get(0)).isEqualTo(to);
      labels.add(on.get(0));
    }
    assertThat(labels).containsExactly("observe-only", "act", "hpa-floor");
  }

  /**
   * Catches the series of a Deployment and a StatefulSet of one namespace and name written over
   * each other (the parser accepts both): the StatefulSet observing showed as the mode of the
   * Deployment that acts, and their decisions were counted as one.
   */
  @Test
  void workloadsOfOneNameButDifferentKindsHaveSeriesOfTheirOwn() {
    WorkloadRef deployment = WorkloadRef.deployment("shop", "web");
    WorkloadRef statefulSet = WorkloadRef.statefulSet("shop", "web");
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    metrics.leader(true);
    metrics.onModeChanged(new ModeChangedEvent(deployment, t, Mode.OBSERVE_ONLY, Mode.ACT, "p"));
    metrics.onModeChanged(new ModeChangedEvent(statefulSet, t, Mode.ACT, Mode.OBSERVE_ONLY, "d"));
    metrics.onDecision(decision(deployment, DecisionRecord.Kind.SCALE, 3, 5));
    metrics.onDecision(decision(statefulSet, DecisionRecord.Kind.KEEP, 2, 2));
    metrics.onScaled(new ScaledEvent(deployment, t, Mode.ACT, 3, 5, List.of(),
        ScaleOutcome.applied(5, "scaled")));
    metrics.onFailure(new FailureEvent(statefulSet, t, "forecast", new IllegalStateException()));

    assertThat(series()).contains(
        "prescaler_mode{mode=act,name=web,namespace=shop,workload_kind=Deployment} 1.0",
        "prescaler_mode{mode=observe-only,name=web,namespace=shop,workload_kind=Deployment} 0.0",
        "prescaler_mode{mode=act,name=web,namespace=shop,workload_kind=StatefulSet} 0.0",
        "prescaler_mode{mode=observe-only,name=web,namespace=shop,workload_kind=StatefulSet} 1.0",
        "prescaler_replicas{kind=desired,name=web,namespace=shop,workload_kind=Deployment} 5.0",
        "prescaler_replicas{kind=desired,name=web,namespace=shop,workload_kind=StatefulSet} 2.0",
        "prescaler_decisions{kind=scale,name=web,namespace=shop,reason=none,"
            + "workload_kind=Deployment} 1.0",
        "prescaler_decisions{kind=keep,name=web,namespace=shop,reason=none,"
            + "workload_kind=StatefulSet} 1.0",
        "prescaler_actions{name=web,namespace=shop,outcome=applied,workload_kind=Deployment} 1.0",
        "prescaler_failures{name=web,namespace=shop,stage=forecast,workload_kind=StatefulSet} 1.0");
    // Every per-workload series says which workload it is, its kind included.
    assertThat(series()).filteredOn(l -> l.contains("namespace="))
        .hasSizeGreaterThanOrEqualTo(16)
        .allSatisfy(l -> assertThat(l).containsPattern("workload_kind=(Deployment|StatefulSet)"));
  }

  /**
   * Catches a count the engine could not read exported as {@code desired -1} (and the current
   * count of the last tick that read one kept as if it held): the workload was deleted, RBAC
   * forbids its scale, or the API server is down.
   */
  @Test
  void aCountThatIsNotKnownIsNoSeries() {
    WorkloadRef web = WorkloadRef.deployment("shop", "web");
    metrics.leader(true);
    metrics.onDecision(decision(web, DecisionRecord.Kind.SCALE, 3, 5));
    assertThat(series()).filteredOn(l -> l.startsWith("prescaler_replicas{"))
        .extracting(l -> l.replaceAll("\\{kind=([a-z]+)[^}]*\\}", "{$1}"))
        .containsExactlyInAnyOrder("prescaler_replicas{current} 3.0",
            "prescaler_replicas{ready} 3.0", "prescaler_replicas{desired} 5.0");

    metrics.onDecision(decision(web, DecisionRecord.Kind.HOLD, -1, -1)); // a hold, count unknown
    assertThat(points("prescaler_replicas")).isZero();
    assertThat(points("prescaler_decisions")).isEqualTo(2); // the hold is counted

    metrics.onDecision(decision(web, DecisionRecord.Kind.KEEP, 4, 4));
    assertThat(series()).filteredOn(l -> l.startsWith("prescaler_replicas{"))
        .hasSize(3).allSatisfy(l -> assertThat(l).endsWith(" 4.0"));
  }

  /**
   * Catches the load of a workload that can no longer be read (its Deployment deleted) kept at
   * its last value for good, while its counts went away: a dashboard showed a load nobody read.
   */
  @Test
  void theLoadOfAWorkloadThatCannotBeReadIsNoSeries() {
    WorkloadRef web = WorkloadRef.deployment("shop", "web");
    metrics.leader(true);
    metrics.onDecision(decision(web, DecisionRecord.Kind.SCALE, 3, 5));
    assertThat(series()).contains(
        "prescaler_load{metric=rps,name=web,namespace=shop,workload_kind=Deployment} 250.0");

    // A hold whose count is unknown reads no load (the engine reads none without a count).
    metrics.onDecision(new DecisionEvent(new DecisionRecord(2, T.plusSeconds(15), web, Mode.ACT,
        DecisionRecord.Kind.HOLD, -1, -1, Map.of(), Map.of(), Map.of(), Map.of(), -1, -1,
        List.of(), Map.of(), DecisionRecord.Action.NONE, "held", Optional.empty())));
    assertThat(points("prescaler_load")).isZero();

    metrics.onDecision(decision(web, DecisionRecord.Kind.KEEP, 4, 4));
    assertThat(points("prescaler_load")).as("back with the next load read").isEqualTo(1);
  }

  /** The naive forecast, with an interval of ±1: its relative MAE is 1 on any ramp. */
  private static final Forecaster LAST_VALUE = (h, horizon, level) -> {
    double last = h.value(h.size() - 1);
    int n = Forecaster.steps(horizon, h.step());
    double[] p = new double[n];
    double[] lo = new double[n];
    double[] hi = new double[n];
    Arrays.fill(p, last);
    Arrays.fill(lo, last - 1);
    Arrays.fill(hi, last + 1);
    return new Forecast("last", h.end(), h.step(), p, lo, hi, level);
  };

  /**
   * A real engine on {@code source} (20 ready replicas of {@code web}, rps at 100 a replica)
   * whose decisions these metrics show, as the leader's: it measures the forecast error.
   */
  private AutoscalerEngine measuring(WorkloadRef web, ManualClock clock,
      InMemoryMetricSource source) {
    source.replicas(web, ReplicaStatus.of(20, 20));
    AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).metricSource(source)
        .forecaster(LAST_VALUE).policy((ctx, p) -> p).executor(new InMemoryCluster(clock,
            Duration.ZERO).add(web, 20))
        .syncPeriod(Duration.ofSeconds(15)).metricsDelay(Duration.ZERO).backfill(false)
        .workload(WorkloadSpec.builder(web).maxReplicas(40).startupDelay(Duration.ofSeconds(30))
            .metric(MetricTarget.averageValue("rps", 100)).build())
        .listener(metrics).build();
    metrics.bind(engine);
    metrics.leader(true);
    return engine;
  }

  /**
   * Catches the forecast error of a metric that can no longer be read frozen at its last value,
   * with the load: both go while the metric is not read and come back with the next reading.
   * A real engine measures the accuracy.
   */
  @Test
  void theLoadAndForecastErrorOfAMetricThatCannotBeReadAreNoSeries() {
    WorkloadRef web = WorkloadRef.deployment("shop", "web");
    ManualClock clock = new ManualClock(T);
    InMemoryMetricSource source = new InMemoryMetricSource();
    AutoscalerEngine engine = measuring(web, clock, source);
    for (int i = 0; i < 40; i++) {
      source.set(web, "rps", 1000 + 10 * i);
      engine.tick();
      clock.advance(Duration.ofSeconds(15));
    }
    assertThat(points("prescaler_forecast_relative_mae")).isEqualTo(1);
    assertThat(points("prescaler_load")).isEqualTo(1);

    source.unavailable(web, "rps", "no series");
    engine.tick();
    assertThat(points("prescaler_forecast_relative_mae")).isZero();
    assertThat(points("prescaler_load")).isZero();

    clock.advance(Duration.ofSeconds(15));
    source.set(web, "rps", 1500);
    engine.tick();
    assertThat(points("prescaler_forecast_relative_mae")).isEqualTo(1);
    assertThat(points("prescaler_load")).isEqualTo(1);
  }

  // Caught the load and forecast-error series going away on every other tick of a 30 s scrape
  // under 15 s ticks (the tick without a new sample holds, as normal operation), so the absent()
  // alert the README recommends fired on a healthy agent, as did the hold counter.
  @Test
  void aTickWithoutANewSampleKeepsTheLoadSeriesAndCountsApart() {
    WorkloadRef web = WorkloadRef.deployment("shop", "web");
    ManualClock clock = new ManualClock(T);
    InMemoryMetricSource source = new InMemoryMetricSource();
    AutoscalerEngine engine = measuring(web, clock, source);
    StringBuilder seen = new StringBuilder();
    for (int i = 0; i < 80; i++) {
      if (i % 2 == 0) {
        source.set(web, "rps", 1000 + 10 * i, clock.instant());
      }
      engine.tick();
      if (i >= 60) {
        seen.append(points("prescaler_load")).append(points("prescaler_forecast_relative_mae"))
            .append(' ');
      }
      clock.advance(Duration.ofSeconds(15));
    }
    assertThat(seen.toString().trim().split(" ")).containsOnly("11");
    assertThat(series()).anyMatch(l -> l.startsWith("prescaler_decisions{")
        && l.contains("reason=no-new-sample")).noneMatch(l -> l.contains("reason=hold"));
  }

  // Caught a note on an apply that landed, which a record carries ahead of its hold reasons,
  // counted as a cause: such a hold went to reason="hold", the README's alert.
  @Test
  void aHoldOnlyForANewSampleWithANoteOnALandedApplyIsStillNoNewSample() {
    WorkloadRef web = WorkloadRef.deployment("shop", "web");
    DecisionRecord hold = new DecisionRecord(1, T, web, Mode.ACT, DecisionRecord.Kind.HOLD, 30,
        30, Map.of(), Map.of("rps", AutoscalerEngine.NO_NEW_SAMPLE + T), Map.of(), Map.of(), 30,
        30, List.of(new Reason("landed", 30, 30, "the change 20 -> 30 has landed"),
            new Reason("hold", 30, 30, "metric rps: " + AutoscalerEngine.NO_NEW_SAMPLE + T)),
        Map.of(), DecisionRecord.Action.NONE, "held", Optional.empty());
    metrics.onDecision(new DecisionEvent(hold));
    assertThat(series()).anyMatch(l -> l.startsWith("prescaler_decisions{")
        && l.contains("reason=no-new-sample")).noneMatch(l -> l.contains("reason=hold"));
  }

  // Caught a workload scaled to 0 by hand, held on purpose on every tick, raising the counter
  // the README tells SREs to alert on (reason="hold"); then, a review: still so for a metric
  // unreadable at 0 pods beside it (a CPU utilization of no ready pod), the usual case.
  @Test
  void aHoldOfAWorkloadScaledToZeroCountsApartUnlessSomethingElseHoldsItToo() {
    WorkloadRef web = WorkloadRef.deployment("shop", "web");
    ManualClock clock = new ManualClock(T);
    InMemoryMetricSource source = new InMemoryMetricSource();
    source.replicas(web, ReplicaStatus.of(0, 0));
    try (AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).metricSource(source)
        .policy((ctx, p) -> p).executor(new InMemoryCluster(clock, Duration.ZERO).add(web, 0))
        .backfill(false).workload(WorkloadSpec.builder(web).minReplicas(2).maxReplicas(40)
            .metric(MetricTarget.utilization("cpu", 70)).build())
        .listener(metrics).build()) {
      for (int i = 0; i < 4; i++) {
        source.set(web, "cpu", 0, clock.instant());
        engine.tick();
        clock.advance(Duration.ofSeconds(15));
      }
    }
    String zero = AutoscalerEngine.SCALED_TO_ZERO + "2: autoscaling is disabled";
    hold(web, Map.of("rps", AutoscalerEngine.NO_NEW_SAMPLE + T), zero,
        "metric rps: " + AutoscalerEngine.NO_NEW_SAMPLE + T);
    hold(web, Map.of(), zero, "clock went backwards from T to T - 1 s");
    assertThat(series()).filteredOn(l -> l.startsWith("prescaler_decisions{")).containsExactly(
        "prescaler_decisions{kind=hold,name=web,namespace=shop,reason=hold,"
            + "workload_kind=Deployment} 1.0",
        "prescaler_decisions{kind=hold,name=web,namespace=shop,reason=scaled-to-zero,"
            + "workload_kind=Deployment} 5.0");
  }

  /** Publishes a hold of {@code web} at 0 replicas for {@code causes}. */
  private void hold(WorkloadRef web, Map<String, String> unavailable, String... causes) {
    metrics.onDecision(new DecisionEvent(new DecisionRecord(1, T, web, Mode.ACT,
        DecisionRecord.Kind.HOLD, 0, 0, Map.of(), unavailable, Map.of(), Map.of(), 0, 0,
        Arrays.stream(causes).map(c -> new Reason("hold", 0, 0, c)).toList(), Map.of(),
        DecisionRecord.Action.NONE, "held", Optional.empty())));
  }

  @Test
  void anUnknownMetricNameFailsInsteadOfCountingNoPoints() {
    assertThatThrownBy(() -> points("prescaler_modes")).isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("no metric prescaler_modes in the registry, which holds [")
        .hasMessageContaining("prescaler_replicas");
  }
}
