package dev.prescaler.simulator.cluster;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.Observation;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.simulator.trace.Trace;
import dev.prescaler.testkit.InMemoryCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A {@link MetricSource} replaying a trace: at {@code now} it reports the demand at
 * {@code now − metricsDelay} (linear interpolation between samples) as the workload's total, for
 * every metric of the spec (they are {@code AVERAGE_VALUE} metrics), with the replica counts of
 * the workload in the {@link InMemoryCluster}. Before the trace starts or after it ends the
 * reading is unavailable, so the engine holds. Thread-safe.
 */
public final class TraceMetricSource implements MetricSource {
  private final Trace trace;
  private final Duration metricsDelay;
  private final InMemoryCluster cluster;
  private final double unit;

  /**
   * A source over {@code trace}, in the trace's unit.
   *
   * @param trace the demand
   * @param metricsDelay how late the engine sees the demand, &ge; 0
   * @param cluster the cluster whose replica counts are reported; it must hold the workload
   */
  public TraceMetricSource(Trace trace, Duration metricsDelay, InMemoryCluster cluster) {
    this(trace, metricsDelay, cluster, 1);
  }

  /**
   * A source over {@code trace} that reports the demand × {@code unit}.
   *
   * @param trace the demand
   * @param metricsDelay how late the engine sees the demand, &ge; 0
   * @param cluster the cluster whose replica counts are reported; it must hold the workload
   * @param unit what one unit of the trace is in the reported unit, &gt; 0 and finite
   */
  public TraceMetricSource(Trace trace, Duration metricsDelay, InMemoryCluster cluster,
      double unit) {
    this.trace = Objects.requireNonNull(trace, "trace");
    this.metricsDelay = Objects.requireNonNull(metricsDelay, "metricsDelay");
    if (metricsDelay.isNegative()) {
      throw new IllegalArgumentException("metricsDelay must be >= 0, but was " + metricsDelay);
    }
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    if (!(unit > 0) || !Double.isFinite(unit)) {
      throw new IllegalArgumentException("unit must be > 0 and finite, but was " + unit);
    }
    this.unit = unit;
  }

  @Override
  public Observation read(WorkloadSpec spec, Instant now) {
    Instant measured = now.minus(metricsDelay);
    MetricReading[] readings = new MetricReading[spec.metrics().size()];
    for (int i = 0; i < readings.length; i++) {
      String name = spec.metrics().get(i).name();
      if (measured.isBefore(trace.start())) {
        readings[i] = MetricReading.unavailable(name, "no data yet: the trace starts at "
            + trace.start());
      } else if (measured.isAfter(trace.end())) {
        readings[i] = MetricReading.unavailable(name, "no data: the trace ended at " + trace.end());
      } else {
        readings[i] = MetricReading.of(name, trace.valueAt(measured.toEpochMilli()) * unit,
            measured);
      }
    }
    return Observation.of(now, cluster.status(spec.workload()), readings);
  }
}
