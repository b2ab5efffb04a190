package dev.prescaler.testkit;

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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An in-memory {@link MetricSource} whose readings the test sets: for testing policies,
 * forecasters and whole engine stacks without a metrics backend.
 *
 * <pre>{@code
 * InMemoryMetricSource source = new InMemoryMetricSource().set(web, "rps", 420);
 * engine.tick();                      // reads 420 rps, measured at the engine's now
 * source.set(web, "rps", 900);        // the next tick reads 900
 * }</pre>
 *
 * <ul>
 *   <li>A value is reported as measured at the read's {@code now}, or at the instant given with
 *       it; a metric set {@link #unavailable} is reported so, with its reason; a metric of the
 *       spec that was never set is unavailable ("no value set"), so the engine holds.
 *   <li>Replica counts are reported only for a workload given them with {@link #replicas}; for the
 *       others the observation has none and the engine asks its executor (an {@link
 *       InMemoryCluster} knows them).
 *   <li>{@link #history} serves, for a workload's metric given {@linkplain #history(WorkloadRef,
 *       String, MetricSeries) a series of loads}, the grid the engine asks for when it backfills:
 *       each step takes the value of the series' step that holds its start, NaN outside the
 *       series. Without a series: no history, as the default {@link MetricSource#history}.
 * </ul>
 *
 * <p>Thread-safe: every method holds the source's lock.
 */
public final class InMemoryMetricSource implements MetricSource {
  private final Map<WorkloadRef, Map<String, Setting>> readings = new HashMap<>();
  private final Map<WorkloadRef, ReplicaStatus> replicas = new HashMap<>();
  private final Map<WorkloadRef, Map<String, MetricSeries>> histories = new HashMap<>();

  /** A reading as set; {@code atRead}: measured at each read's {@code now}, not its own time. */
  private record Setting(MetricReading reading, boolean atRead) {}

  /**
   * Reports {@code value} for the workload's metric from now on, measured at each read's {@code
   * now}.
   *
   * @param value the reading: percent for a utilization metric, the workload's total otherwise
   * @throws IllegalArgumentException when the value is not finite (set it {@link #unavailable})
   */
  public InMemoryMetricSource set(WorkloadRef workload, String metric, double value) {
    return put(workload, MetricReading.of(metric, value, Instant.EPOCH), true);
  }

  /**
   * Reports {@code value} for the workload's metric from now on, measured at {@code measuredAt}
   * (for stale or late samples).
   *
   * @throws IllegalArgumentException when the value is not finite (set it {@link #unavailable})
   */
  public InMemoryMetricSource set(WorkloadRef workload, String metric, double value,
      Instant measuredAt) {
    return put(workload, MetricReading.of(metric, value,
        Objects.requireNonNull(measuredAt, "measuredAt")), false);
  }

  /** Reports the workload's metric as unavailable, with {@code reason}, from now on. */
  public InMemoryMetricSource unavailable(WorkloadRef workload, String metric, String reason) {
    return put(workload, MetricReading.unavailable(metric, Objects.requireNonNull(reason,
        "reason")), false);
  }

  /** Reports {@code status} as the workload's replica counts with every reading from now on. */
  public synchronized InMemoryMetricSource replicas(WorkloadRef workload, ReplicaStatus status) {
    replicas.put(Objects.requireNonNull(workload, "workload"),
        Objects.requireNonNull(status, "status"));
    return this;
  }

  /**
   * Serves {@code loads} as the history of the workload's metric, for the engine's backfill.
   *
   * @param loads the past loads (load units, see {@link MetricTarget}); NaN where missing
   */
  public synchronized InMemoryMetricSource history(WorkloadRef workload, String metric,
      MetricSeries loads) {
    histories.computeIfAbsent(Objects.requireNonNull(workload, "workload"), w -> new HashMap<>())
        .put(Objects.requireNonNull(metric, "metric"), Objects.requireNonNull(loads, "loads"));
    return this;
  }

  private synchronized InMemoryMetricSource put(WorkloadRef workload, MetricReading reading,
      boolean atRead) {
    readings.computeIfAbsent(Objects.requireNonNull(workload, "workload"),
        w -> new HashMap<>()).put(reading.metric(), new Setting(reading, atRead));
    return this;
  }

  @Override
  public synchronized Observation read(WorkloadSpec spec, Instant now) {
    Map<String, Setting> set = readings.getOrDefault(spec.workload(), Map.of());
    Map<String, MetricReading> out = new LinkedHashMap<>();
    for (MetricTarget m : spec.metrics()) {
      Setting s = set.get(m.name());
      MetricReading r;
      if (s == null) {
        r = MetricReading.unavailable(m.name(), "no value set in the InMemoryMetricSource for "
            + spec.workload());
      } else {
        r = s.atRead() ? MetricReading.of(m.name(), s.reading().value(), now) : s.reading();
      }
      out.put(m.name(), r);
    }
    return new Observation(now, out, Optional.ofNullable(replicas.get(spec.workload())));
  }

  @Override
  public synchronized Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric,
      Instant from, Instant to, Duration step) {
    MetricSeries loads = histories.getOrDefault(spec.workload(), Map.of()).get(metric.name());
    if (loads == null) {
      return Optional.empty();
    }
    long stepMillis = step.toMillis();
    long span = to.toEpochMilli() - from.toEpochMilli();
    int n = (int) Math.max(0, (span + stepMillis - 1) / stepMillis);
    long start = loads.start().toEpochMilli();
    long loadStep = loads.step().toMillis();
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      long k = Math.floorDiv(from.toEpochMilli() + i * stepMillis - start, loadStep);
      values[i] = k >= 0 && k < loads.size() ? loads.value((int) k) : Double.NaN;
    }
    return Optional.of(MetricSeries.of(from, step, values));
  }
}
