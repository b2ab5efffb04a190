package dev.prescaler.simulator;

import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.decision.HpaPolicy;
import dev.prescaler.forecast.Forecasters;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The settings of one simulation (the model of the README's "The model"). Build
 * with {@link #builder()}; {@link #ofDefaults()} is always valid.
 *
 * @param syncPeriod the engine's tick and the grid the trace is resampled on; default 15 s;
 *     this and the other durations are whole milliseconds
 * @param capacity what one ready replica serves, in the trace's unit; empty (the default) derives
 *     it from {@code peakReplicas}
 * @param peakReplicas when no capacity is given: capacity = max(demand) ÷ (0.7 × peakReplicas);
 *     default 20
 * @param metricsDelay how late the engine sees the demand; default 60 s
 * @param startupDelay from asking for a replica to its being ready; default 120 s
 * @param targetUtilization the share of capacity each replica is aimed at; default 0.7
 * @param slo the under-provisioned time allowed for "cost at SLO", in percent; default 0.1
 * @param riskQuantile the workload's forecast quantile ({@code WorkloadSpec.riskQuantile}), which
 *     the predictive stack plans for; default 0.95
 * @param policies the policies to run, in report order, each at most once; empty (the default)
 *     runs all registered
 * @param threads runs executed in parallel (each run is single-threaded); default 2
 * @param sweep whether to sweep the target utilization for the cost at SLO; default true
 * @param hpa the HPA of the {@code hpa} policy and of the predictive stack's floor, e.g. a team's
 *     own behavior ({@code HpaBehavior}); empty (the default): Kubernetes' defaults
 * @param minReplicas the workload's {@code minReplicas}, which every policy keeps; default 1
 * @param maxReplicas the workload's {@code maxReplicas}, which no policy exceeds; empty (the
 *     default): ten times what the peak needs at the target, which no policy reaches
 * @param forecaster the predictive stack's forecaster, one of {@link Forecasters#NAMES}; default
 *     {@code auto}
 */
public record SimulationConfig(Duration syncPeriod, OptionalDouble capacity, int peakReplicas,
    Duration metricsDelay, Duration startupDelay, double targetUtilization, double slo,
    double riskQuantile, List<String> policies, int threads, boolean sweep,
    Optional<HpaPolicy> hpa, int minReplicas, OptionalInt maxReplicas, String forecaster) {

  /** Default sync period: 15 s. */
  public static final Duration DEFAULT_SYNC_PERIOD = Duration.ofSeconds(15);
  /** Default replicas the peak needs at 70 %, which sets the capacity: 20. */
  public static final int DEFAULT_PEAK_REPLICAS = 20;
  /** Utilization at which {@code peakReplicas} serve the peak: 0.7 (fixed by the model). */
  public static final double PEAK_UTILIZATION = 0.7;
  /** Default metrics delay: 60 s. */
  public static final Duration DEFAULT_METRICS_DELAY = Duration.ofSeconds(60);
  /** Default startup delay: 120 s. */
  public static final Duration DEFAULT_STARTUP_DELAY = Duration.ofSeconds(120);
  /** Default target utilization: 0.7. */
  public static final double DEFAULT_TARGET_UTILIZATION = 0.7;
  /** Default SLO on under-provisioned time: 0.1 %. */
  public static final double DEFAULT_SLO = 0.1;
  /** Default forecast quantile of the simulated workload: {@code WorkloadSpec}'s, 0.95. */
  public static final double DEFAULT_RISK_QUANTILE = WorkloadSpec.DEFAULT_RISK_QUANTILE;
  /** Most replicas a simulated workload may have: 1,000,000. */
  public static final int MAX_REPLICAS = 1_000_000;
  /** Default forecaster of the predictive stack: {@code auto}. */
  public static final String DEFAULT_FORECASTER = "auto";
  /** Default parallel runs: 2. */
  public static final int DEFAULT_THREADS = 2;
  /**
   * The smallest capacity, given or derived: the smallest normal double, about 2.2e-308. Below
   * it no power of ten brings the capacity to the engines' unit ({@code Simulator.metricUnit}),
   * and a subnormal double has lost most of its digits.
   */
  public static final double MIN_CAPACITY = Double.MIN_NORMAL;

  /** Validates every field, reporting all problems at once. */
  public SimulationConfig {
    Objects.requireNonNull(syncPeriod, "syncPeriod");
    Objects.requireNonNull(capacity, "capacity");
    Objects.requireNonNull(metricsDelay, "metricsDelay");
    Objects.requireNonNull(hpa, "hpa");
    Objects.requireNonNull(startupDelay, "startupDelay");
    Objects.requireNonNull(maxReplicas, "maxReplicas");
    Objects.requireNonNull(forecaster, "forecaster");
    policies = List.copyOf(policies);
    List<String> p = new ArrayList<>();
    if (syncPeriod.compareTo(Duration.ofSeconds(1)) < 0
        || syncPeriod.compareTo(Duration.ofHours(1)) > 0) {
      p.add("syncPeriod must be in [1s, 1h], but was " + syncPeriod);
    }
    // The grid and the engines count in milliseconds: a finer duration would be reported as
    // given and simulated truncated.
    Map<String, Duration> durations = new LinkedHashMap<>();
    durations.put("syncPeriod", syncPeriod);
    durations.put("metricsDelay", metricsDelay);
    durations.put("startupDelay", startupDelay);
    durations.forEach((name, d) -> notWholeMillis(name, BigDecimal.valueOf(d.getSeconds())
        .add(BigDecimal.valueOf(d.getNano(), 9)), d.toString()).ifPresent(p::add));
    if (capacity.isPresent()
        && (!(capacity.getAsDouble() > 0) || !Double.isFinite(capacity.getAsDouble()))) {
      p.add("capacity must be > 0 and finite, but was " + capacity.getAsDouble());
    } else if (capacity.isPresent() && capacity.getAsDouble() < MIN_CAPACITY) {
      p.add("capacity must be at least " + MIN_CAPACITY + " (the smallest normal double: give "
          + "the trace in a smaller unit), but was " + capacity.getAsDouble());
    }
    if (peakReplicas < 1) {
      p.add("peakReplicas must be >= 1, but was " + peakReplicas);
    }
    if (metricsDelay.isNegative() || metricsDelay.compareTo(Duration.ofHours(1)) > 0) {
      p.add("metricsDelay must be in [0, 1h], but was " + metricsDelay);
    }
    if (startupDelay.isNegative() || startupDelay.isZero()
        || startupDelay.compareTo(Duration.ofHours(1)) > 0) {
      p.add("startupDelay must be in (0, 1h], but was " + startupDelay);
    }
    if (!(targetUtilization > 0 && targetUtilization <= 1)) {
      p.add("targetUtilization must be in (0, 1], but was " + targetUtilization);
    }
    if (!(slo >= 0 && slo <= 100)) {
      p.add("slo must be in [0, 100] percent, but was " + slo);
    }
    if (!WorkloadSpec.isValidRiskQuantile(riskQuantile)) {
      p.add("riskQuantile must be in [" + WorkloadSpec.MIN_RISK_QUANTILE + ", "
          + WorkloadSpec.MAX_RISK_QUANTILE + "], but was " + riskQuantile);
    }
    if (minReplicas < 1 || minReplicas > MAX_REPLICAS) {
      p.add("minReplicas must be in [1, " + MAX_REPLICAS + "], but was " + minReplicas);
    }
    if (maxReplicas.isPresent() && (maxReplicas.getAsInt() < Math.max(1, minReplicas)
        || maxReplicas.getAsInt() > MAX_REPLICAS)) {
      p.add("maxReplicas must be in [minReplicas (" + minReplicas + "), " + MAX_REPLICAS
          + "], but was " + maxReplicas.getAsInt());
    }
    if (!Forecasters.NAMES.contains(forecaster)) {
      p.add("forecaster must be one of " + Forecasters.NAMES + ", but was \"" + forecaster + "\"");
    }
    Set<String> seen = new HashSet<>();
    for (String name : policies) {
      if (!seen.add(name)) {
        p.add("policies must not repeat a name, but named \"" + name
            + "\" more than once");
        break;
      }
    }
    if (threads < 1 || threads > 64) {
      p.add("threads must be in [1, 64], but was " + threads);
    }
    if (!p.isEmpty()) {
      throw new InvalidConfigurationException("SimulationConfig", p);
    }
  }

  /**
   * The problem of a duration of exactly {@code seconds} for the setting {@code name}, shown as
   * {@code shown}, when it is not a whole number of milliseconds; empty when it is. The grid and
   * the engines count in milliseconds, so a finer duration would be reported as given and
   * simulated truncated. The one rule of the durations: the builder checks its durations with it,
   * and {@code prescaler simulate} the digits given, read exactly ({@code 0.5ms}, which {@code
   * DurationText} rounds to 1 ms).
   */
  public static Optional<String> notWholeMillis(String name, BigDecimal seconds, String shown) {
    return seconds.movePointRight(3).stripTrailingZeros().scale() <= 0 ? Optional.empty()
        : Optional.of(name + " must be a whole number of milliseconds, but was " + shown);
  }

  /** The default configuration. */
  public static SimulationConfig ofDefaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.syncPeriod = syncPeriod;
    b.capacity = capacity;
    b.peakReplicas = peakReplicas;
    b.metricsDelay = metricsDelay;
    b.startupDelay = startupDelay;
    b.targetUtilization = targetUtilization;
    b.slo = slo;
    b.riskQuantile = riskQuantile;
    b.policies = new ArrayList<>(policies);
    b.threads = threads;
    b.sweep = sweep;
    b.hpa = hpa;
    b.minReplicas = minReplicas;
    b.maxReplicas = maxReplicas;
    b.forecaster = forecaster;
    return b;
  }

  /**
   * The workload's replica bounds and the predictive stack's forecaster, only those that differ
   * from the defaults, by their JSON names ({@code minReplicas} 3, {@code forecaster}
   * "holt-winters"), in that order: what the reports add to the model they describe.
   */
  public Map<String, Object> givenOptionValues() {
    Map<String, Object> given = new LinkedHashMap<>();
    if (minReplicas != 1) {
      given.put("minReplicas", minReplicas);
    }
    maxReplicas.ifPresent(m -> given.put("maxReplicas", m));
    if (!forecaster.equals(DEFAULT_FORECASTER)) {
      given.put("forecaster", forecaster);
    }
    return Collections.unmodifiableMap(given);
  }

  /**
   * {@link #givenOptionValues()} as the text reports print them ({@code "minReplicas 3,
   * maxReplicas 40, forecaster holt-winters"}); empty with the defaults.
   */
  public Optional<String> givenOptions() {
    List<String> given = new ArrayList<>();
    givenOptionValues().forEach((k, v) -> given.add(k + " " + v));
    return given.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", given));
  }

  /** The configuration as {@code key=value} pairs, for logs. */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "SimulationConfig{syncPeriod=%s, capacity=%s, "
            + "peakReplicas=%d, metricsDelay=%s, startupDelay=%s, targetUtilization=%s, slo=%s, "
            + "riskQuantile=%s, policies=%s, threads=%d, sweep=%s, hpa=%s, minReplicas=%d, "
            + "maxReplicas=%s, forecaster=%s}", syncPeriod,
        capacity.isPresent() ? capacity.getAsDouble() : "derived", peakReplicas, metricsDelay,
        startupDelay, targetUtilization, slo, riskQuantile, policies, threads, sweep,
        hpa.map(HpaPolicy::toString).orElse("defaults"), minReplicas,
        maxReplicas.isPresent() ? maxReplicas.getAsInt() : "derived", forecaster);
  }

  /** Builds a {@link SimulationConfig}; last write wins, {@link #build()} validates. */
  public static final class Builder {
    private Duration syncPeriod = DEFAULT_SYNC_PERIOD;
    private OptionalDouble capacity = OptionalDouble.empty();
    private int peakReplicas = DEFAULT_PEAK_REPLICAS;
    private Duration metricsDelay = DEFAULT_METRICS_DELAY;
    private Duration startupDelay = DEFAULT_STARTUP_DELAY;
    private double targetUtilization = DEFAULT_TARGET_UTILIZATION;
    private double slo = DEFAULT_SLO;
    private double riskQuantile = DEFAULT_RISK_QUANTILE;
    private List<String> policies = new ArrayList<>();
    private int threads = DEFAULT_THREADS;
    private boolean sweep = true;
    private Optional<HpaPolicy> hpa = Optional.empty();
    private int minReplicas = 1;
    private OptionalInt maxReplicas = OptionalInt.empty();
    private String forecaster = DEFAULT_FORECASTER;

    private Builder() {}

    /** Tick period and resampling grid, in [1 s, 1 h], whole milliseconds; default 15 s. */
    public Builder syncPeriod(Duration syncPeriod) {
      this.syncPeriod = Objects.requireNonNull(syncPeriod, "syncPeriod");
      return this;
    }

    /**
     * Capacity of one ready replica in demand units, finite and at least {@link #MIN_CAPACITY}
     * (about 2.2e-308); default derived from peakReplicas.
     */
    public Builder capacity(double capacity) {
      this.capacity = OptionalDouble.of(capacity);
      return this;
    }

    /** Replicas that serve the peak at 70 %, &ge; 1, used when no capacity is given; default 20. */
    public Builder peakReplicas(int peakReplicas) {
      this.peakReplicas = peakReplicas;
      return this;
    }

    /** How late the engine sees the demand, in [0, 1 h], whole milliseconds; default 60 s. */
    public Builder metricsDelay(Duration metricsDelay) {
      this.metricsDelay = Objects.requireNonNull(metricsDelay, "metricsDelay");
      return this;
    }

    /**
     * From asking for a replica to its being ready, in (0, 1 h], whole milliseconds; default
     * 120 s.
     */
    public Builder startupDelay(Duration startupDelay) {
      this.startupDelay = Objects.requireNonNull(startupDelay, "startupDelay");
      return this;
    }

    /**
     * Share of capacity each replica is aimed at, in (0, 1]; default 0.7. {@link Simulator#run}
     * refuses one, or a capacity, with which the trace's peak needs more than {@link
     * #MAX_REPLICAS} replicas, or more than a tenth of it with a derived maxReplicas.
     */
    public Builder targetUtilization(double targetUtilization) {
      this.targetUtilization = targetUtilization;
      return this;
    }

    /** Under-provisioned time allowed for the cost at SLO, percent in [0, 100]; default 0.1. */
    public Builder slo(double slo) {
      this.slo = slo;
      return this;
    }

    /**
     * The simulated workload's forecast quantile, in [0.5, 0.999]: the predictive stack plans for
     * the upper bound at this quantile ({@code WorkloadSpec.riskQuantile}); default 0.95.
     */
    public Builder riskQuantile(double riskQuantile) {
      this.riskQuantile = riskQuantile;
      return this;
    }

    /** The policies to run, by registered name, each once, in report order; default all. */
    public Builder policies(List<String> policies) {
      this.policies = new ArrayList<>(Objects.requireNonNull(policies, "policies"));
      return this;
    }

    /** Runs executed in parallel, in [1, 64]; default 2. */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /** Whether to sweep the target utilization for the cost at SLO; default true. */
    public Builder sweep(boolean sweep) {
      this.sweep = sweep;
      return this;
    }

    /**
     * The HPA of the {@code hpa} policy and of the predictive stack's floor, instead of
     * Kubernetes' defaults: a team's own behavior, to compare against the HPA it runs.
     */
    public Builder hpa(HpaPolicy hpa) {
      this.hpa = Optional.of(Objects.requireNonNull(hpa, "hpa"));
      return this;
    }

    /**
     * The workload's {@code minReplicas}, in [1, 1,000,000], which every policy keeps (the
     * engine clamps to it, and a run starts with at least this many); default 1.
     */
    public Builder minReplicas(int minReplicas) {
      this.minReplicas = minReplicas;
      return this;
    }

    /**
     * The workload's {@code maxReplicas}, in [minReplicas, 1,000,000], which no policy exceeds;
     * default ten times what the peak needs at the target, which {@link Simulator#run} refuses
     * beyond 1,000,000 rather than cut. Below what the peak needs, every policy is short at the
     * peak, as it would be in the cluster.
     */
    public Builder maxReplicas(int maxReplicas) {
      this.maxReplicas = OptionalInt.of(maxReplicas);
      return this;
    }

    /**
     * The predictive stack's forecaster by name, one of {@link Forecasters#NAMES}; default
     * {@code auto}, which picks per series. A single model shows what it would cost to force it.
     */
    public Builder forecaster(String forecaster) {
      this.forecaster = Objects.requireNonNull(forecaster, "forecaster");
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws InvalidConfigurationException listing every invalid field and its value
     */
    public SimulationConfig build() {
      return new SimulationConfig(syncPeriod, capacity, peakReplicas, metricsDelay, startupDelay,
          targetUtilization, slo, riskQuantile, policies, threads, sweep, hpa, minReplicas,
          maxReplicas, forecaster);
    }
  }
}
