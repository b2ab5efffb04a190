package dev.prescaler.reliability;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A metric source replaying one demand series per workload, {@code delay} late, as a monitoring
 * system would: {@link #read} returns the sample of {@code now - delay}, and {@link #history}
 * returns every sample measured by then on the requested grid (NaN before the series starts and
 * for what is not measured yet). Replica counts come from a {@link SimCluster}. At the instants
 * listed as blind the monitoring system had an outage: the observation has neither a replica
 * count nor the sample, and the history lacks that sample too.
 */
final class TraceSource implements MetricSource {
  private final Map<WorkloadRef, MetricSeries> series;
  private final SimCluster cluster;
  private final Duration delay;
  private final Set<Instant> blind;

  TraceSource(Map<WorkloadRef, MetricSeries> series, SimCluster cluster, Duration delay,
      Set<Instant> blind) {
    this.series = Map.copyOf(series);
    this.cluster = cluster;
    this.delay = delay;
    this.blind = Set.copyOf(blind);
  }

  /** The value of {@code w}'s series at {@code t}, NaN outside it or off its grid. */
  double valueAt(WorkloadRef w, Instant t) {
    MetricSeries s = series.get(w);
    long offset = Duration.between(s.start(), t).toMillis();
    long step = s.step().toMillis();
    if (offset < 0 || offset % step != 0 || offset / step >= s.size()) {
      return Double.NaN;
    }
    return s.value((int) (offset / step));
  }

  @Override
  public Observation read(WorkloadSpec spec, Instant now) {
    WorkloadRef w = spec.workload();
    Instant t = now.minus(delay);
    if (blind.contains(now)) {
      MetricReading none = MetricReading.unavailable(ScriptedSource.METRIC, "scrape outage");
      return new Observation(now, Map.of(none.metric(), none), Optional.empty());
    }
    double v = valueAt(w, t);
    MetricReading r = Double.isNaN(v)
        ? MetricReading.unavailable(ScriptedSource.METRIC, "no sample at " + t)
        : MetricReading.of(ScriptedSource.METRIC, v, t);
    return new Observation(now, Map.of(r.metric(), r), Optional.of(cluster.status(w)));
  }

  @Override
  public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric, Instant from,
      Instant to, Duration step) {
    int n = (int) (Duration.between(from, to).toMillis() / step.toMillis());
    double[] v = new double[n];
    Instant measured = to.minus(delay);
    for (int i = 0; i < n; i++) {
      Instant t = from.plus(step.multipliedBy(i));
      v[i] = t.isAfter(measured) || blind.contains(t.plus(delay)) ? Double.NaN
          : valueAt(spec.workload(), t);
    }
    return Optional.of(MetricSeries.of(from, step, v));
  }
}
