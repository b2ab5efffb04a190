package dev.prescaler.agent;

import dev.prescaler.core.AsyncListener;
import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.EngineListener;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.ForecastAccuracy;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;
import dev.prescaler.core.journal.DecisionRecord;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's self-metrics in Prometheus format: per workload the current, desired and predicted
 * replicas, the load and its forecast, the forecast error, the mode; decisions and actions by
 * reason; tick latency; contained failures. Fed as an {@link EngineListener}. Thread-safe.
 *
 * <p>Every per-workload series carries {@code namespace}, {@code workload_kind} (the workload's
 * kind: {@code Deployment}, {@code StatefulSet}, ...) and {@code name}, so that two workloads of
 * one namespace and name but different kinds have series of their own. ({@code kind} is
 * {@code prescaler_replicas}' own label: which count it is.)
 *
 * <table>
 *   <caption>Metrics</caption>
 *   <tr><td>prescaler_replicas{namespace,workload_kind,name,kind}</td><td>kind = current, ready,
 *   desired, predicted (what the upper forecast over the lead time needs); current, ready and
 *   desired are absent while the count is unknown (the workload or its scale cannot be read)
 *   </td></tr>
 *   <tr><td>prescaler_load{namespace,workload_kind,name,metric}</td><td>the load the last
 *   decision read; absent while it cannot be read (the metric unavailable, or the workload's
 *   count unknown, which reads no load), as current, ready and desired are; kept through a tick
 *   that finds no new sample (a source slower than the sync period)</td></tr>
 *   <tr><td>prescaler_forecast_load{namespace,workload_kind,name,metric}</td><td>highest point
 *   forecast over the lead time</td></tr>
 *   <tr><td>prescaler_forecast_relative_mae{namespace,workload_kind,name,metric}</td><td>forecast
 *   MAE ÷ naive MAE at the lead time; absent while the load cannot be read, as the load is (it
 *   is not measured then, and would show its last value for good)</td></tr>
 *   <tr><td>prescaler_mode{namespace,workload_kind,name,mode}</td><td>1 for the workload's mode,
 *   0 for the others: mode = observe-only, act, hpa-floor, as the configuration spells them
 *   </td></tr>
 *   <tr><td>prescaler_decisions_total{namespace,workload_kind,name,kind,reason}</td><td>decisions
 *   by kind and the step that set the count; a hold's reason is {@code hold}, or, when its only
 *   causes are normal operation, {@code no-new-sample} (a sample the engine already used) or
 *   {@code scaled-to-zero} (someone scaled the workload to 0; its metrics are moot then)</td></tr>
 *   <tr><td>prescaler_actions_total{namespace,workload_kind,name,outcome}</td><td>executor calls
 *   by outcome (an HPA floor sent again while its maxReplicas still holds it down, answered word
 *   for word as the last time, changed nothing and is not counted)</td></tr>
 *   <tr><td>prescaler_failures_total{namespace,workload_kind,name,stage}</td><td>contained
 *   plug-in failures</td></tr>
 *   <tr><td>prescaler_tick_seconds</td><td>tick latency histogram</td></tr>
 *   <tr><td>prescaler_leader</td><td>1 while this replica leads</td></tr>
 *   <tr><td>prescaler_listener_events_dropped_total{listener}</td><td>events a listener that
 *   runs off the tick ({@link AsyncListener}) dropped because its queue was full</td></tr>
 * </table>
 */
public final class AgentMetrics implements EngineListener {
  /** The labels that identify a workload, first in every per-workload series. */
  static final String NAMESPACE = "namespace";
  static final String WORKLOAD_KIND = "workload_kind";
  static final String NAME = "name";

  private final PrometheusRegistry registry;
  private final Gauge replicas;
  private final Gauge load;
  private final Gauge forecastLoad;
  private final Gauge relativeMae;
  private final Gauge mode;
  private final Counter decisions;
  private final Counter actions;
  private final Counter failures;
  private final Histogram tickSeconds;
  private final Gauge leader;
  private AutoscalerEngine engine;
  private Boolean leading; // guarded by this; null until the first round says
  /** The metrics each workload has a load series of (guarded by this). */
  private final Map<WorkloadRef, Set<String>> loaded = new HashMap<>();

  /** Registers the metrics in {@code registry}. */
  public AgentMetrics(PrometheusRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    replicas = Gauge.builder().name("prescaler_replicas")
        .help("Replica counts per workload: current, ready, desired, predicted")
        .labelNames(NAMESPACE, WORKLOAD_KIND, NAME, "kind").register(registry);
    load = Gauge.builder().name("prescaler_load").help("Load per workload and metric, as read")
        .labelNames(NAMESPACE, WORKLOAD_KIND, NAME, "metric").register(registry);
    forecastLoad = Gauge.builder().name("prescaler_forecast_load")
        .help("Highest point forecast of the load over the lead time")
        .labelNames(NAMESPACE, WORKLOAD_KIND, NAME, "metric").register(registry);
    relativeMae = Gauge.builder().name("prescaler_forecast_relative_mae")
        .help("Forecast MAE divided by the naive forecast's MAE at the lead time")
        .labelNames(NAMESPACE, WORKLOAD_KIND, NAME, "metric").register(registry);
    mode = Gauge.builder().name("prescaler_mode").help("1 for the mode each workload is in")
        .labelNames(NAMESPACE, WORKLOAD_KIND, NAME, "mode").register(registry);
    decisions = Counter.builder().name("prescaler_decisions_total")
        .help("Decisions by kind (hold, keep, scale) and the step that set the count")
        .labelNames(NAMESPACE, WORKLOAD_KIND, NAME, "kind", "reason").register(registry);
    actions = Counter.builder().name("prescaler_actions_total")
        .help("Executor calls by outcome (applied, refused, failed)")
        .labelNames(NAMESPACE, WORKLOAD_KIND, NAME, "outcome").register(registry);
    failures = Counter.builder().name("prescaler_failures_total")
        .help("Contained plug-in failures by stage")
        .labelNames(NAMESPACE, WORKLOAD_KIND, NAME, "stage").register(registry);
    tickSeconds = Histogram.builder().name("prescaler_tick_seconds")
        .help("Duration of one engine tick over all workloads").classicOnly()
        .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15).register(registry);
    leader = Gauge.builder().name("prescaler_leader")
        .help("1 while this agent replica is the leader").register(registry);
  }

  /** The registry the metrics live in. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** Binds the engine whose specs, forecasts and accuracy are read. */
  public synchronized void bind(AutoscalerEngine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /** Records one tick's duration. */
  public void tick(Duration took) {
    tickSeconds.observe(took.toNanos() / 1e9);
  }

  /** Exposes how many events {@code listener} dropped, labelled {@code name}. */
  public void listener(String name, AsyncListener listener) {
    Objects.requireNonNull(listener, "listener");
    CounterWithCallback.builder().name("prescaler_listener_events_dropped_total")
        .help("Events an off-tick listener dropped because its queue was full")
        .labelNames("listener").callback(cb -> cb.call(listener.dropped(), name))
        .register(registry);
  }

  /**
   * Records whether this replica leads. A replica that stops leading drops its per-workload
   * gauges (replicas, load, forecast, accuracy, mode): the new leader's decisions make them stale,
   * and a query over all replicas would mix them in. Counters stay.
   */
  public synchronized void leader(boolean leading) {
    if (!leading && !Boolean.FALSE.equals(this.leading)) {
      // Also on the first round of a replica that never led: its constructor resumed modes.
      replicas.clear();
      load.clear();
      forecastLoad.clear();
      relativeMae.clear();
      mode.clear();
      loaded.clear();
    }
    this.leading = leading;
    leader.set(leading ? 1 : 0);
  }

  /** The label values of {@code w} and then {@code more}, in the order of the label names. */
  private static String[] labels(WorkloadRef w, String... more) {
    String[] out = new String[3 + more.length];
    out[0] = w.namespace();
    out[1] = w.kind();
    out[2] = w.name();
    System.arraycopy(more, 0, out, 3, more.length);
    return out;
  }

  /** The replica count {@code kind} of {@code w}: {@code value} when {@code known}, else none. */
  private void count(WorkloadRef w, String kind, boolean known, int value) {
    if (known) {
      replicas.labelValues(labels(w, kind)).set(value);
    } else {
      replicas.remove(labels(w, kind));
    }
  }

  /**
   * 1 for {@code current}, 0 for the other modes of {@code w}, each labelled as the configuration
   * spells it ({@code observe-only}, {@code act}, {@code hpa-floor}), so that an alert written
   * from a workload's {@code mode} matches.
   */
  private void showMode(WorkloadRef w, Mode current) {
    for (Mode m : Mode.values()) {
      mode.labelValues(labels(w, m.text())).set(current == m ? 1 : 0);
    }
  }

  @Override
  public void onDecision(DecisionEvent event) {
    DecisionRecord r = event.record();
    WorkloadRef w = r.workload();
    // A count the engine could not read (-1: the workload is gone, RBAC forbids its scale, the
    // API server is down) is no count: its series go away rather than show -1 or a stale value.
    count(w, "current", r.current() >= 0, r.current());
    count(w, "ready", r.current() >= 0 && r.ready() >= 0, r.ready());
    count(w, "desired", r.desired() >= 0, r.desired());
    Set<String> waiting = waitingForASample(r);
    showLoads(w, r.loads(), waiting);
    String reason = r.kind() != DecisionRecord.Kind.HOLD ? lastChange(r) : holdReason(r, waiting);
    decisions.labelValues(labels(w, r.kind().name().toLowerCase(Locale.ROOT), reason)).inc();
    AutoscalerEngine e;
    synchronized (this) {
      e = engine;
    }
    if (e == null) {
      return;
    }
    Optional<WorkloadSpec> spec = e.spec(w);
    if (spec.isPresent()) {
      showMode(w, spec.get().mode());
      Duration lead = e.leadTime(w).orElseThrow();
      int predicted = -1;
      for (MetricTarget m : spec.get().metrics()) {
        Forecast f = r.forecasts().get(m.name());
        if (f != null) {
          double upper = f.maxUpper(r.time(), r.time().plus(lead));
          double point = f.maxPoint(r.time(), r.time().plus(lead));
          if (!Double.isNaN(point)) {
            forecastLoad.labelValues(labels(w, m.name())).set(point);
          }
          if (!Double.isNaN(upper)) {
            predicted = Math.max(predicted,
                (int) Math.ceil(upper / m.perReplicaTarget() - 1e-9));
          }
        }
      }
      if (predicted >= 0) {
        replicas.labelValues(labels(w, "predicted")).set(predicted);
      }
    }
    for (ForecastAccuracy a : e.accuracy(w)) {
      if (waiting.contains(a.metric())) {
        continue; // read, but no new sample yet: its last value stands
      } else if (!r.loads().containsKey(a.metric())) {
        // Not measured while the load is not read: its last value would stay for good.
        relativeMae.remove(labels(w, a.metric()));
      } else if (a.samples() > 0 && Double.isFinite(a.relativeMae())) {
        relativeMae.labelValues(labels(w, a.metric())).set(a.relativeMae());
      }
    }
  }

  /**
   * What held {@code r}, for the decisions counter, when only normal operation did: {@code
   * scaled-to-zero} when someone scaled the workload to 0 and nothing but its metrics held it
   * besides (they are moot then: a utilization of no ready pod, a source with no pod to read),
   * {@code no-new-sample} when only samples the engine already used did; else {@code hold}. The
   * causes are its reasons of step "hold": a note on an apply that landed comes with them and is
   * none; a metric's cause is {@code "metric <name>: ..."}, one per unavailable metric.
   */
  private static String holdReason(DecisionRecord r, Set<String> waiting) {
    long causes = 0;
    long zero = 0;
    long metrics = 0;
    for (Reason x : r.reasons()) {
      if (x.step().equals("hold")) {
        causes++;
        if (x.message().startsWith(AutoscalerEngine.SCALED_TO_ZERO)) {
          zero++;
        } else if (r.unavailable().keySet().stream()
            .anyMatch(m -> x.message().startsWith("metric " + m + ": "))) {
          metrics++;
        }
      }
    }
    if (zero > 0) {
      return causes == zero + metrics ? "scaled-to-zero" : "hold";
    }
    return causes > 0 && causes == waiting.size() ? "no-new-sample" : "hold";
  }

  /**
   * The metrics of {@code r} whose sample was one the engine already used ({@link
   * AutoscalerEngine#NO_NEW_SAMPLE}): a source slower than the sync period, read as usual.
   */
  private static Set<String> waitingForASample(DecisionRecord r) {
    Set<String> waiting = new HashSet<>();
    r.unavailable().forEach((metric, why) -> {
      if (why.startsWith(AutoscalerEngine.NO_NEW_SAMPLE)) {
        waiting.add(metric);
      }
    });
    return waiting;
  }

  /**
   * Sets the load series of {@code w} to {@code loads} and removes those of its metrics not read
   * in this decision, those {@code waiting} for a new sample aside (a 30 s scrape under 15 s
   * ticks has none every other tick): a workload whose Deployment was deleted would otherwise
   * show its last load for good, while its counts went away.
   */
  private synchronized void showLoads(WorkloadRef w, Map<String, Double> loads,
      Set<String> waiting) {
    Set<String> shown = new HashSet<>();
    for (String metric : loaded.getOrDefault(w, Set.of())) {
      if (waiting.contains(metric)) {
        shown.add(metric);
      } else if (!loads.containsKey(metric)) {
        load.remove(labels(w, metric));
      }
    }
    for (Map.Entry<String, Double> e : loads.entrySet()) {
      load.labelValues(labels(w, e.getKey())).set(e.getValue());
      shown.add(e.getKey());
    }
    if (shown.isEmpty()) {
      loaded.remove(w);
    } else {
      loaded.put(w, Set.copyOf(shown));
    }
  }

  private static String lastChange(DecisionRecord r) {
    String step = "none";
    for (Reason reason : r.reasons()) {
      if (reason.from() != reason.to()) {
        step = reason.step();
      }
    }
    return step;
  }

  @Override
  public void onScaled(ScaledEvent event) {
    actions.labelValues(labels(event.workload(),
        event.outcome().status().name().toLowerCase(Locale.ROOT))).inc();
  }

  @Override
  public void onFailure(FailureEvent event) {
    failures.labelValues(labels(event.workload(), event.stage())).inc();
  }

  @Override
  public synchronized void onModeChanged(ModeChangedEvent event) {
    if (Boolean.FALSE.equals(leading)) {
      return; // a standby's modes follow the leader's word; its own are not exposed
    }
    showMode(event.workload(), event.to());
  }
}
