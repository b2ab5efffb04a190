package dev.prescaler.core;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link MetricSource} saw of one workload at one instant.
 *
 * @param time when the observation was made
 * @param readings the readings by metric name, each under its own metric's name; a metric of the
 *     spec that is absent counts as unavailable
 * @param replicas the replica counts, when the source knows them; otherwise the engine asks the
 *     {@link ScaleExecutor}
 */
public record Observation(Instant time, Map<String, MetricReading> readings,
    Optional<ReplicaStatus> replicas) {

  /**
   * Copies the map.
   *
   * @throws IllegalArgumentException when a reading is filed under a name other than its metric's:
   *     the engine would take it for the other metric's value
   */
  public Observation {
    Objects.requireNonNull(time, "time");
    readings = Map.copyOf(readings);
    Objects.requireNonNull(replicas, "replicas");
    readings.forEach((name, reading) -> {
      if (!name.equals(reading.metric())) {
        throw new IllegalArgumentException("readings must be keyed by their metric's name, but "
            + "the reading under " + Values.quote(name) + " is of metric "
            + Values.quote(reading.metric()));
      }
    });
  }

  /** An observation with replica counts. */
  public static Observation of(Instant time, ReplicaStatus replicas, MetricReading... readings) {
    Map<String, MetricReading> map = new LinkedHashMap<>();
    for (MetricReading r : readings) {
      map.put(r.metric(), r);
    }
    return new Observation(time, map, Optional.of(replicas));
  }

  /** The reading of a metric, unavailable when absent. */
  public MetricReading reading(String metric) {
    MetricReading r = readings.get(metric);
    return r != null ? r : MetricReading.unavailable(metric, "not reported by the metric source");
  }
}
