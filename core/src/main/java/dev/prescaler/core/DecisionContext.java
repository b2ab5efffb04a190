package dev.prescaler.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything a {@link DecisionPolicy} may look at for one workload at one tick, built by the
 * engine from the observation and its per-workload state.
 *
 * <p>Only valid data reaches a policy: when a metric is missing or invalid the engine holds the
 * workload before the chain runs, so {@link #readings()} and {@link #loads()} hold every metric
 * of the spec and no other, each finite and non-negative. The constructor refuses any other
 * context, so a policy never needs to check. One thing it does not refuse: the engine holds a
 * workload with a utilization metric and no ready replica (a mean over no ready pod measures
 * nothing, as the HPA fails on no sampled pod), but a context built by hand may hold one, its
 * load 0; a policy that reads utilization should treat it as a metric it cannot compute, as
 * {@code HpaPolicy} does.
 *
 * @param spec the workload's spec
 * @param now the engine clock's instant
 * @param replicas current, ready and warming replicas
 * @param readings the raw reading of each metric (percent for utilization)
 * @param loads the load of each metric (see {@link MetricTarget})
 * @param sampleTime the oldest measurement time among the readings
 * @param histories the load history of each metric on the engine's history grid
 * @param forecasts the latest forecast of each metric's load; empty when there is none
 * @param recent the decisions of the last ticks, oldest first (see the engine's decision memory)
 * @param lastScaleUp when the count was last raised, if known
 * @param lastScaleDown when the count was last lowered, if known
 * @param startupDelay the pod startup delay, positive: the median measured over past scale-ups
 *     once three were measured, else the spec's
 * @param startupDelayMeasured whether {@code startupDelay} was measured
 * @param metricsDelay how late the metrics arrive, as configured on the engine; &ge; 0
 * @param syncPeriod the engine's tick period, positive
 */
public record DecisionContext(
    WorkloadSpec spec,
    Instant now,
    ReplicaStatus replicas,
    Map<String, Double> readings,
    Map<String, Double> loads,
    Instant sampleTime,
    Map<String, MetricSeries> histories,
    Map<String, Forecast> forecasts,
    List<PastDecision> recent,
    Optional<Instant> lastScaleUp,
    Optional<Instant> lastScaleDown,
    Duration startupDelay,
    boolean startupDelayMeasured,
    Duration metricsDelay,
    Duration syncPeriod) {

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException when {@code readings} or {@code loads} do not hold exactly
   *     the spec's metrics, a value of theirs is not finite or is negative, {@code startupDelay}
   *     or {@code syncPeriod} is not positive, or {@code metricsDelay} is negative
   */
  public DecisionContext {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(replicas, "replicas");
    readings = metricValues("readings", Map.copyOf(readings), spec);
    loads = metricValues("loads", Map.copyOf(loads), spec);
    Objects.requireNonNull(sampleTime, "sampleTime");
    histories = Map.copyOf(histories);
    forecasts = Map.copyOf(forecasts);
    recent = List.copyOf(recent);
    Objects.requireNonNull(lastScaleUp, "lastScaleUp");
    Objects.requireNonNull(lastScaleDown, "lastScaleDown");
    Objects.requireNonNull(startupDelay, "startupDelay");
    Objects.requireNonNull(metricsDelay, "metricsDelay");
    Objects.requireNonNull(syncPeriod, "syncPeriod");
    if (startupDelay.isNegative() || startupDelay.isZero()) {
      throw new IllegalArgumentException("startupDelay must be positive, but was " + startupDelay);
    }
    if (metricsDelay.isNegative()) {
      throw new IllegalArgumentException("metricsDelay must be >= 0, but was " + metricsDelay);
    }
    if (syncPeriod.isNegative() || syncPeriod.isZero()) {
      throw new IllegalArgumentException("syncPeriod must be positive, but was " + syncPeriod);
    }
  }

  /**
   * {@code values} (readings or loads, named {@code field}) when it holds every metric of {@code
   * spec} and no other, each finite and non-negative, as the engine hands them to the policies.
   */
  private static Map<String, Double> metricValues(String field, Map<String, Double> values,
      WorkloadSpec spec) {
    List<String> names = spec.metrics().stream().map(MetricTarget::name).toList();
    if (values.size() != names.size() || !values.keySet().containsAll(names)) {
      throw new IllegalArgumentException(field + " must hold exactly the spec's metrics "
          + names + ", but was " + new TreeMap<>(values));
    }
    for (String name : names) {
      double v = values.get(name);
      if (!Double.isFinite(v) || v < 0) {
        throw new IllegalArgumentException(field + "[" + name + "] must be finite and >= 0, "
            + "but was " + v);
      }
    }
    return values;
  }

  /** A builder, for tests and tools that assemble contexts by hand. */
  public static Builder builder(WorkloadSpec spec, Instant now, ReplicaStatus replicas) {
    return new Builder(spec, now, replicas);
  }

  /** The workload. */
  public WorkloadRef workload() {
    return spec.workload();
  }

  /** The load of one metric. */
  public double load(String metric) {
    Double v = loads.get(metric);
    if (v == null) {
      throw new IllegalArgumentException("no load for metric " + metric + " of " + workload());
    }
    return v;
  }

  /** The latest forecast of one metric. */
  public Optional<Forecast> forecast(String metric) {
    return Optional.ofNullable(forecasts.get(metric));
  }

  /**
   * How far ahead a replica asked for now becomes useful: startup delay + metrics delay + one
   * sync period.
   */
  public Duration leadTime() {
    return startupDelay.plus(metricsDelay).plus(syncPeriod);
  }

  /**
   * The values a step recorded under {@code mark} in the decisions within {@code window} before
   * now, oldest first, with their times.
   */
  public List<Map.Entry<Instant, Integer>> marks(String mark, Duration window) {
    Instant from = now.minus(window);
    List<Map.Entry<Instant, Integer>> out = new ArrayList<>();
    for (PastDecision d : recent) {
      Integer v = d.marks().get(mark);
      if (v != null && d.time().isAfter(from)) {
        out.add(Map.entry(d.time(), v));
      }
    }
    return out;
  }

  /** Builds a {@link DecisionContext} with sensible empty defaults. */
  public static final class Builder {
    private final WorkloadSpec spec;
    private final Instant now;
    private final ReplicaStatus replicas;
    private final Map<String, Double> readings = new LinkedHashMap<>();
    private final Map<String, Double> loads = new LinkedHashMap<>();
    private Instant sampleTime;
    private final Map<String, MetricSeries> histories = new LinkedHashMap<>();
    private final Map<String, Forecast> forecasts = new LinkedHashMap<>();
    private final List<PastDecision> recent = new ArrayList<>();
    private Optional<Instant> lastScaleUp = Optional.empty();
    private Optional<Instant> lastScaleDown = Optional.empty();
    private Duration startupDelay;
    private boolean startupDelayMeasured;
    private Duration metricsDelay = Duration.ZERO;
    private Duration syncPeriod = Duration.ofSeconds(15);

    private Builder(WorkloadSpec spec, Instant now, ReplicaStatus replicas) {
      this.spec = spec;
      this.now = now;
      this.replicas = replicas;
      this.sampleTime = now;
      this.startupDelay = spec.startupDelay();
    }

    /**
     * Sets a metric's raw reading; its load is derived from the spec's target. Every metric of
     * the spec needs one before {@link #build()}.
     *
     * @throws IllegalArgumentException when the metric is not in the spec, or the value is not
     *     finite or is negative
     */
    public Builder reading(String metric, double value) {
      MetricTarget t = spec.metric(metric).orElseThrow(
          () -> new IllegalArgumentException("metric " + metric + " is not in the spec"));
      if (!Double.isFinite(value) || value < 0) {
        throw new IllegalArgumentException("reading of " + metric + " must be finite and >= 0, "
            + "but was " + value);
      }
      readings.put(metric, value);
      loads.put(metric, t.load(value, replicas.ready()));
      return this;
    }

    /** When the readings were measured. */
    public Builder sampleTime(Instant time) {
      this.sampleTime = time;
      return this;
    }

    /** A metric's history. */
    public Builder history(String metric, MetricSeries series) {
      histories.put(metric, series);
      return this;
    }

    /** A metric's forecast. */
    public Builder forecast(String metric, Forecast forecast) {
      forecasts.put(metric, forecast);
      return this;
    }

    /** Appends a past decision (oldest first). */
    public Builder past(PastDecision decision) {
      recent.add(decision);
      return this;
    }

    /** When the count was last raised. */
    public Builder lastScaleUp(Instant time) {
      this.lastScaleUp = Optional.of(time);
      return this;
    }

    /** When the count was last lowered. */
    public Builder lastScaleDown(Instant time) {
      this.lastScaleDown = Optional.of(time);
      return this;
    }

    /** A measured startup delay. */
    public Builder measuredStartupDelay(Duration delay) {
      this.startupDelay = delay;
      this.startupDelayMeasured = true;
      return this;
    }

    /** The metrics delay. */
    public Builder metricsDelay(Duration delay) {
      this.metricsDelay = delay;
      return this;
    }

    /** The sync period. */
    public Builder syncPeriod(Duration period) {
      this.syncPeriod = period;
      return this;
    }

    /**
     * Builds the context.
     *
     * @throws IllegalArgumentException when a metric of the spec has no {@link #reading}, a
     *     load is not finite (a huge utilization over many ready replicas), or a duration is out
     *     of range (see the record's constructor)
     */
    public DecisionContext build() {
      return new DecisionContext(spec, now, replicas, readings, loads, sampleTime, histories,
          forecasts, recent, lastScaleUp, lastScaleDown, startupDelay, startupDelayMeasured,
          metricsDelay, syncPeriod);
    }
  }
}
