package dev.prescaler.benchmarks;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An in-memory {@link MetricSource} of synthetic request rates for many workloads, computed from a
 * formula rather than stored, so that the source itself holds almost no heap and every byte a heap
 * probe finds belongs to the engine.
 *
 * <p>Workload {@code i} carries, at epoch milliseconds {@code t}:
 *
 * <pre>
 *   load_i(t) = base_i × (1 + 0.4 sin(2π t / day + φ_i) + 0.1 sin(2π t / week + ψ_i))
 *                      × (1 + 0.05 u_i(⌊t / 1 min⌋))
 * </pre>
 *
 * where {@code base_i} is in [50, 500) requests per second, the phases depend on {@code i}, and
 * {@code u} is a deterministic hash-based uniform noise in [-1, 1]. Every value is finite and
 * positive. Readings arrive {@code delay} late; the replica count reported is fixed per workload
 * (the engines of the benchmarks only observe). {@link #history} serves any past window lazily, on
 * the grid asked for. Thread-safe (immutable after construction).
 */
public final class SyntheticLoadSource implements MetricSource {
  /** The one metric every workload scales on: requests per second, a workload total. */
  public static final String METRIC = "rps";
  /** Requests per second one replica should serve: 10. */
  public static final double TARGET_PER_REPLICA = 10;

  private static final double DAY_MILLIS = Duration.ofDays(1).toMillis();
  private static final double WEEK_MILLIS = Duration.ofDays(7).toMillis();
  private static final long MINUTE_MILLIS = 60_000L;

  private final Duration delay;
  private final Map<WorkloadRef, Integer> index;
  private final List<Optional<ReplicaStatus>> replicas;

  /**
   * A source for {@code workloads}, in order: workload {@code i} of the list follows formula
   * {@code i}.
   *
   * @param workloads the workloads served
   * @param delay how late readings arrive, &ge; 0 (the engine's default metrics delay is 60 s)
   * @throws IllegalArgumentException when a workload appears twice or the delay is negative
   */
  public SyntheticLoadSource(List<WorkloadRef> workloads, Duration delay) {
    Objects.requireNonNull(workloads, "workloads");
    this.delay = Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must be >= 0, but was " + delay);
    }
    Map<WorkloadRef, Integer> map = new HashMap<>(workloads.size() * 2);
    List<Optional<ReplicaStatus>> counts = new ArrayList<>(workloads.size());
    for (int i = 0; i < workloads.size(); i++) {
      if (map.put(workloads.get(i), i) != null) {
        throw new IllegalArgumentException(
            "workloads must be unique, but " + workloads.get(i) + " appears twice");
      }
      int n = (int) Math.ceil(base(i) / TARGET_PER_REPLICA);
      counts.add(Optional.of(ReplicaStatus.of(n, n)));
    }
    this.index = map;
    this.replicas = List.copyOf(counts);
  }

  /** The mean load of workload {@code i}, in requests per second, in [50, 500). */
  public static double base(int i) {
    return 50 + (i * 37L) % 450;
  }

  /**
   * The load of workload {@code i} at {@code epochMillis}, in requests per second; always
   * &gt; 0.
   */
  public static double load(int i, long epochMillis) {
    double phase = (i % 97) * (2 * Math.PI / 97);
    double weekPhase = (i % 13) * (2 * Math.PI / 13);
    double shape = 1 + 0.4 * Math.sin(2 * Math.PI * epochMillis / DAY_MILLIS + phase)
        + 0.1 * Math.sin(2 * Math.PI * epochMillis / WEEK_MILLIS + weekPhase);
    double noise = 1 + 0.05 * uniform(i, Math.floorDiv(epochMillis, MINUTE_MILLIS));
    return base(i) * shape * noise;
  }

  /** A deterministic uniform in [-1, 1] of (workload, minute): SplitMix64's finalizer. */
  private static double uniform(int i, long minute) {
    long z = minute * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (z >>> 11) * 0x1.0p-53 * 2 - 1;
  }

  private int indexOf(WorkloadSpec spec) {
    Integer i = index.get(spec.workload());
    if (i == null) {
      throw new IllegalArgumentException("workload " + spec.workload() + " is not served");
    }
    return i;
  }

  /**
   * The load {@code delay} before {@code now}, measured at that instant, with the workload's fixed
   * replica count.
   *
   * @throws IllegalArgumentException for a workload this source does not serve
   */
  @Override
  public Observation read(WorkloadSpec spec, Instant now) {
    int i = indexOf(spec);
    Instant measured = now.minus(delay);
    MetricReading r = MetricReading.of(METRIC, load(i, measured.toEpochMilli()), measured);
    return new Observation(now, Map.of(METRIC, r), replicas.get(i));
  }

  /** The load on the grid {@code [from, to)} of {@code step}, computed lazily. */
  @Override
  public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric, Instant from,
      Instant to, Duration step) {
    if (!METRIC.equals(metric.name())) {
      return Optional.empty();
    }
    int i = indexOf(spec);
    long n = Math.max(0, Duration.between(from, to).toMillis() / step.toMillis());
    return Optional.of(new Series(i, from, step, (int) n));
  }

  /** A read-only view of one workload's load on a grid. */
  private static final class Series extends GridSeries {
    private final int workload;

    Series(int workload, Instant start, Duration step, int size) {
      super(start, step, size);
      this.workload = workload;
    }

    @Override
    double at(int k) {
      return load(workload, start().toEpochMilli() + k * step().toMillis());
    }
  }
}
