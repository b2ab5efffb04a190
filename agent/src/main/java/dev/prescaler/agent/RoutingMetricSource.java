package dev.prescaler.agent;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads each metric of a workload from the source configured for it (Prometheus or the Metrics
 * Server) and merges the readings into one observation. Replica counts come from the first source
 * that reports them. A source that throws makes its metrics unavailable, with the reason; it
 * never makes up a number.
 */
final class RoutingMetricSource implements MetricSource {
  private final Map<WorkloadRef, Map<String, MetricSource>> routes;

  /** Routes: per workload, per metric name, the source to read it from. */
  RoutingMetricSource(Map<WorkloadRef, Map<String, MetricSource>> routes) {
    this.routes = Map.copyOf(routes);
  }

  @Override
  public Observation read(WorkloadSpec spec, Instant now) {
    Map<String, MetricSource> byMetric = routes(spec);
    Map<MetricSource, List<MetricTarget>> groups = new LinkedHashMap<>();
    for (MetricTarget m : spec.metrics()) {
      MetricSource s = byMetric.get(m.name());
      if (s != null) {
        groups.computeIfAbsent(s, k -> new ArrayList<>()).add(m);
      }
    }
    Map<String, MetricReading> readings = new LinkedHashMap<>();
    Optional<ReplicaStatus> replicas = Optional.empty();
    for (Map.Entry<MetricSource, List<MetricTarget>> g : groups.entrySet()) {
      WorkloadSpec part = spec.toBuilder().metrics(g.getValue()).build();
      try {
        Observation o = g.getKey().read(part, now);
        for (MetricTarget m : g.getValue()) {
          readings.put(m.name(), o.reading(m.name()));
        }
        if (replicas.isEmpty()) {
          replicas = o.replicas();
        }
      } catch (RuntimeException e) {
        for (MetricTarget m : g.getValue()) {
          readings.put(m.name(), MetricReading.unavailable(m.name(), "source failed: " + e));
        }
      }
    }
    return new Observation(now, readings, replicas);
  }

  @Override
  public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric, Instant from,
      Instant to, Duration step) {
    MetricSource s = routes(spec).get(metric.name());
    return s == null ? Optional.empty() : s.history(spec, metric, from, to, step);
  }

  private Map<String, MetricSource> routes(WorkloadSpec spec) {
    Map<String, MetricSource> r = routes.get(spec.workload());
    return Objects.requireNonNullElse(r, Map.of());
  }
}
