package dev.prescaler.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Collects the metrics of a workload: the first stage of the loop. Implementations exist for
 * Prometheus, the Kubernetes Metrics Server and in-memory traces.
 *
 * <p>Contract: never return a number that was not measured. NaN, infinity, stale data, empty
 * results or ambiguous series are {@link MetricReading#unavailable(String, String)} with the
 * reason. Throwing is allowed (the engine contains it and holds the workload) but an unavailable
 * reading is preferred. Implementations must be thread-safe. The engine calls them on the tick
 * while it holds its lock, so they must not call back into the engine ({@code spec},
 * {@code workloads}, ...): with a call timeout the call would wait for the lock until it times
 * out, and the workload would be held on every tick.
 */
@FunctionalInterface
public interface MetricSource {

  /**
   * Reads the current value of every metric of {@code spec}.
   *
   * @param spec the workload and the metrics wanted
   * @param now the engine's clock
   */
  Observation read(WorkloadSpec spec, Instant now);

  /**
   * The past load of one metric on a regular grid, to backfill a new or restarted engine so that it
   * forecasts at once. Values are in load units (see {@link MetricTarget}); missing steps are NaN.
   * Default: no history. Throwing is allowed (the engine starts that metric without history, with
   * a WARN giving the exception), but an empty result is preferred.
   *
   * @param spec the workload
   * @param metric the metric
   * @param from first instant wanted (inclusive)
   * @param to last instant wanted (exclusive)
   * @param step grid step
   */
  default Optional<MetricSeries> history(
      WorkloadSpec spec, MetricTarget metric, Instant from, Instant to, Duration step) {
    return Optional.empty();
  }
}
