package dev.prescaler.core;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A metric source driven by the test: per workload its replica counts and metric values, fresh at
 * every read (timestamp = now − lag), or a custom function.
 */
final class FakeSource implements MetricSource {
  final Map<WorkloadRef, ReplicaStatus> replicas = new HashMap<>();
  final Map<WorkloadRef, Map<String, Double>> values = new HashMap<>();
  final Map<WorkloadRef, BiFunction<WorkloadSpec, Instant, Observation>> custom = new HashMap<>();
  Duration lag = Duration.ZERO;
  int reads;

  FakeSource set(WorkloadRef w, int current, int ready, String metric, double value) {
    replicas.put(w, ReplicaStatus.of(current, ready));
    values.computeIfAbsent(w, k -> new LinkedHashMap<>()).put(metric, value);
    return this;
  }

  FakeSource replicas(WorkloadRef w, int current, int ready) {
    replicas.put(w, ReplicaStatus.of(current, ready));
    return this;
  }

  FakeSource value(WorkloadRef w, String metric, double value) {
    values.computeIfAbsent(w, k -> new LinkedHashMap<>()).put(metric, value);
    return this;
  }

  FakeSource custom(WorkloadRef w, BiFunction<WorkloadSpec, Instant, Observation> f) {
    custom.put(w, f);
    return this;
  }

  @Override
  public Observation read(WorkloadSpec spec, Instant now) {
    reads++;
    BiFunction<WorkloadSpec, Instant, Observation> f = custom.get(spec.workload());
    if (f != null) {
      return f.apply(spec, now);
    }
    Map<String, MetricReading> readings = new LinkedHashMap<>();
    values.getOrDefault(spec.workload(), Map.of()).forEach(
        (m, v) -> readings.put(m, MetricReading.of(m, v, now.minus(lag))));
    return new Observation(now, readings,
        Optional.ofNullable(replicas.get(spec.workload())));
  }
}
