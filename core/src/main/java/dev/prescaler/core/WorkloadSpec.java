package dev.prescaler.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How one workload is to be scaled: its bounds, the metrics and targets it scales on, the engine
 * mode, its priority and cost weight, and what is known of its pods' startup.
 *
 * <p>Build with {@link #builder(WorkloadRef)}; {@link Builder#build()} reports every problem of
 * the builder's settings at once, in one {@link InvalidConfigurationException} naming the
 * workload, each problem naming the field and the bad value. A {@link MetricTarget} is not one of
 * them: it is validated when it is made, before the builder sees it, so an invalid name or target
 * is reported by its factory, in an {@code InvalidConfigurationException} of its own that names
 * the metric but not the workload, and the spec's other problems are reported only once it is
 * fixed. Two metrics of one name are the builder's problem, and the message shows both.
 */
public final class WorkloadSpec {
  /** Default minimum replicas: 1. */
  public static final int DEFAULT_MIN_REPLICAS = 1;
  /** Default pod startup delay until measured: 120 s. */
  public static final Duration DEFAULT_STARTUP_DELAY = Duration.ofSeconds(120);
  /** Default risk quantile of the forecast the predictive policy plans for: 0.95. */
  public static final double DEFAULT_RISK_QUANTILE = 0.95;
  /** Lowest risk quantile a workload may ask for: 0.5, the point forecast. */
  public static final double MIN_RISK_QUANTILE = 0.5;
  /** Highest risk quantile a workload may ask for: 0.999. */
  public static final double MAX_RISK_QUANTILE = 0.999;

  /**
   * Whether {@code q} is a risk quantile a workload may ask for: in
   * [{@value #MIN_RISK_QUANTILE}, {@value #MAX_RISK_QUANTILE}]; NaN is not.
   */
  public static boolean isValidRiskQuantile(double q) {
    return q >= MIN_RISK_QUANTILE && q <= MAX_RISK_QUANTILE;
  }
  /** Default forecast horizon: 30 minutes. */
  public static final Duration DEFAULT_FORECAST_HORIZON = Duration.ofMinutes(30);
  /** Default priority: 0. Higher wins when a shared budget is short. */
  public static final int DEFAULT_PRIORITY = 0;

  private final WorkloadRef workload;
  private final int minReplicas;
  private final int maxReplicas;
  private final List<MetricTarget> metrics;
  private final Mode mode;
  private final int priority;
  private final double costWeight;
  private final Duration startupDelay;
  private final double riskQuantile;
  private final Duration forecastHorizon;
  private final StepLimits stepLimits;

  private WorkloadSpec(Builder b) {
    this.workload = b.workload;
    this.minReplicas = b.minReplicas;
    this.maxReplicas = b.maxReplicas;
    this.metrics = List.copyOf(b.metrics);
    this.mode = b.mode;
    this.priority = b.priority;
    this.costWeight = b.costWeight;
    this.startupDelay = b.startupDelay;
    this.riskQuantile = b.riskQuantile;
    this.forecastHorizon = b.forecastHorizon;
    this.stepLimits = b.stepLimits;
  }

  /** A builder for the given workload; {@code maxReplicas} and one metric are required. */
  public static Builder builder(WorkloadRef workload) {
    return new Builder(workload);
  }

  /** A builder holding this spec's values. */
  public Builder toBuilder() {
    Builder b = new Builder(workload);
    b.minReplicas = minReplicas;
    b.maxReplicas = maxReplicas;
    b.maxReplicasSet = true;
    b.metrics.addAll(metrics);
    b.mode = mode;
    b.priority = priority;
    b.costWeight = costWeight;
    b.startupDelay = startupDelay;
    b.riskQuantile = riskQuantile;
    b.forecastHorizon = forecastHorizon;
    b.stepLimits = stepLimits;
    return b;
  }

  /** The workload. */
  public WorkloadRef workload() {
    return workload;
  }

  /** The lowest replica count the engine may ask for. */
  public int minReplicas() {
    return minReplicas;
  }

  /** The highest replica count the engine may ask for. */
  public int maxReplicas() {
    return maxReplicas;
  }

  /** The metrics scaled on, with their per-replica targets; never empty. */
  public List<MetricTarget> metrics() {
    return metrics;
  }

  /** The metric of that name. */
  public Optional<MetricTarget> metric(String name) {
    return metrics.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  /** How decisions are applied; {@link Mode#OBSERVE_ONLY} by default. */
  public Mode mode() {
    return mode;
  }

  /** The priority when a shared budget is short; higher wins. Default 0. */
  public int priority() {
    return priority;
  }

  /** The price of one replica-hour relative to other workloads; default 1. */
  public double costWeight() {
    return costWeight;
  }

  /** The pod startup delay assumed until the engine has measured it; default 120 s. */
  public Duration startupDelay() {
    return startupDelay;
  }

  /** The forecast quantile the predictive policy plans for, in [0.5, 0.999]; default 0.95. */
  public double riskQuantile() {
    return riskQuantile;
  }

  /** How far ahead to forecast; default 30 minutes. */
  public Duration forecastHorizon() {
    return forecastHorizon;
  }

  /** The per-decision step limits the engine enforces; default {@link StepLimits#DEFAULT}. */
  public StepLimits stepLimits() {
    return stepLimits;
  }

  /** The same spec in another mode. */
  public WorkloadSpec withMode(Mode newMode) {
    return toBuilder().mode(newMode).build();
  }

  /** The count nearest to {@code replicas} inside [min, max]. */
  public int clamp(int replicas) {
    return Math.max(minReplicas, Math.min(maxReplicas, replicas));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof WorkloadSpec)) {
      return false;
    }
    WorkloadSpec s = (WorkloadSpec) o;
    return workload.equals(s.workload)
        && minReplicas == s.minReplicas
        && maxReplicas == s.maxReplicas
        && metrics.equals(s.metrics)
        && mode == s.mode
        && priority == s.priority
        && Double.compare(costWeight, s.costWeight) == 0
        && startupDelay.equals(s.startupDelay)
        && Double.compare(riskQuantile, s.riskQuantile) == 0
        && forecastHorizon.equals(s.forecastHorizon)
        && stepLimits.equals(s.stepLimits);
  }

  @Override
  public int hashCode() {
    return Objects.hash(workload, minReplicas, maxReplicas, metrics, mode, priority);
  }

  @Override
  public String toString() {
    return "WorkloadSpec{" + workload + ", replicas=[" + minReplicas + ", " + maxReplicas
        + "], metrics=" + metrics + ", mode=" + mode + ", priority=" + priority + "}";
  }

  /** Builds a {@link WorkloadSpec}; last write wins, {@link #build()} validates everything. */
  public static final class Builder {
    private final WorkloadRef workload;
    private int minReplicas = DEFAULT_MIN_REPLICAS;
    private int maxReplicas;
    private boolean maxReplicasSet;
    private final List<MetricTarget> metrics = new ArrayList<>();
    private Mode mode = Mode.OBSERVE_ONLY;
    private int priority = DEFAULT_PRIORITY;
    private double costWeight = 1.0;
    private Duration startupDelay = DEFAULT_STARTUP_DELAY;
    private double riskQuantile = DEFAULT_RISK_QUANTILE;
    private Duration forecastHorizon = DEFAULT_FORECAST_HORIZON;
    private StepLimits stepLimits = StepLimits.DEFAULT;

    private Builder(WorkloadRef workload) {
      this.workload = Objects.requireNonNull(workload, "workload");
    }

    /** Lowest replica count, &ge; 0; default 1. */
    public Builder minReplicas(int minReplicas) {
      this.minReplicas = minReplicas;
      return this;
    }

    /** Highest replica count, &ge; max(1, minReplicas); required. */
    public Builder maxReplicas(int maxReplicas) {
      this.maxReplicas = maxReplicas;
      this.maxReplicasSet = true;
      return this;
    }

    /** Adds a metric; names must be unique. */
    public Builder metric(MetricTarget metric) {
      metrics.add(Objects.requireNonNull(metric, "metric"));
      return this;
    }

    /** Replaces the metrics; a null list or element changes nothing and throws. */
    public Builder metrics(List<MetricTarget> newMetrics) {
      List<MetricTarget> copy = List.copyOf(Objects.requireNonNull(newMetrics, "metrics"));
      metrics.clear();
      metrics.addAll(copy);
      return this;
    }

    /** How decisions are applied; default {@link Mode#OBSERVE_ONLY}. */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Priority under a shared budget; higher wins; default 0. */
    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    /** Price of one replica-hour relative to other workloads, &gt; 0; default 1. */
    public Builder costWeight(double costWeight) {
      this.costWeight = costWeight;
      return this;
    }

    /** Pod startup delay until measured, &gt; 0 and &le; 1 h; default 120 s. */
    public Builder startupDelay(Duration startupDelay) {
      this.startupDelay = Objects.requireNonNull(startupDelay, "startupDelay");
      return this;
    }

    /** Forecast quantile to plan for, in [0.5, 0.999]; default 0.95. */
    public Builder riskQuantile(double riskQuantile) {
      this.riskQuantile = riskQuantile;
      return this;
    }

    /** How far ahead to forecast, in (0, 7 days], whole milliseconds; default 30 minutes. */
    public Builder forecastHorizon(Duration forecastHorizon) {
      this.forecastHorizon = Objects.requireNonNull(forecastHorizon, "forecastHorizon");
      return this;
    }

    /** The step limits the engine enforces after every policy. */
    public Builder stepLimits(StepLimits stepLimits) {
      this.stepLimits = Objects.requireNonNull(stepLimits, "stepLimits");
      return this;
    }

    /**
     * Builds the spec.
     *
     * @throws InvalidConfigurationException listing every invalid field and its value
     */
    public WorkloadSpec build() {
      Values.Problems p = new Values.Problems();
      p.check(minReplicas >= 0, "minReplicas must be >= 0, but was " + minReplicas);
      // A flag, not a sentinel value: an explicit maxReplicas(-1) must be named with its value.
      if (!maxReplicasSet) {
        p.add("maxReplicas must be set: call maxReplicas(...)");
      } else if (minReplicas > 1) { // one problem for maxReplicas, against the bound that binds
        p.check(maxReplicas >= minReplicas,
            "maxReplicas must be >= minReplicas (" + minReplicas + "), but was " + maxReplicas);
      } else {
        p.check(maxReplicas >= 1, "maxReplicas must be >= 1, but was " + maxReplicas);
      }
      p.check(!metrics.isEmpty(), "metrics must hold at least one metric: call metric(...)");
      Map<String, List<MetricTarget>> byName = new LinkedHashMap<>();
      for (MetricTarget m : metrics) {
        byName.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(m);
      }
      byName.forEach((name, same) -> p.check(same.size() == 1, "metrics must have unique names, "
          + "but " + Values.quote(name) + " appears " + times(same.size()) + ": " + same.stream()
              .map(MetricTarget::toString).collect(Collectors.joining(" and "))));
      p.check(costWeight > 0 && Double.isFinite(costWeight),
          "costWeight must be > 0 and finite, but was " + costWeight);
      p.check(!startupDelay.isNegative() && !startupDelay.isZero()
              && startupDelay.compareTo(Duration.ofHours(1)) <= 0,
          "startupDelay must be in (0, 1h], but was " + startupDelay);
      p.check(isValidRiskQuantile(riskQuantile),
          "riskQuantile must be in [" + MIN_RISK_QUANTILE + ", " + MAX_RISK_QUANTILE
              + "], but was " + riskQuantile);
      p.check(!forecastHorizon.isNegative() && !forecastHorizon.isZero()
              && forecastHorizon.compareTo(Duration.ofDays(7)) <= 0,
          "forecastHorizon must be in (0, 7d], but was " + forecastHorizon);
      // Forecasts are cut into history steps in milliseconds: a finer part would be dropped.
      p.check(forecastHorizon.getNano() % 1_000_000 == 0,
          "forecastHorizon must be a whole number of milliseconds, but was " + forecastHorizon);
      p.throwIfAny("WorkloadSpec for " + workload);
      return new WorkloadSpec(this);
    }

    private static String times(int n) {
      return n == 2 ? "twice" : n + " times";
    }
  }
}
