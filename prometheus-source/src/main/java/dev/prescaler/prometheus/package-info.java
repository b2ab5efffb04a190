/**
 * A {@link dev.prescaler.core.MetricSource} over the Prometheus HTTP API: per-metric PromQL
 * templates with escaped label values, instant reads each tick, chunked range reads for backfill,
 * authenticated and retrying transport, and strict data hygiene (NaN, infinity, stale, empty or
 * ambiguous results become {@link dev.prescaler.core.MetricReading#unavailable unavailable}).
 *
 * <p>Nullness: no {@code null} crosses this API, with two exceptions: {@link
 * PrometheusMetricSource#baseUriFormProblem} returns {@code null} when the URI's form is accepted,
 * and {@link PromQl#isLabelName} and {@link PromQl#isMetricName} take a {@code null} name (which
 * is none: false). Absence is an {@link java.util.Optional} ({@link
 * PrometheusMetricSource#query}, {@link PrometheusMetricSource#history}, {@link
 * ReplicaQueries#existing}), and collections are empty, never null.
 */
package dev.prescaler.prometheus;
