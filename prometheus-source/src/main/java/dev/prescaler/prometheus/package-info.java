/**
 * A {@link dev.prescaler.core.MetricSource} over the Prometheus HTTP API: per-metric PromQL
 * templates with escaped label values, instant reads each tick, chunked range reads for backfill,
 * authenticated and retrying transport, and strict data hygiene (NaN, infinity, stale, empty or
 * ambiguous results become {@link dev.prescaler.core.MetricReading#unavailable unavailable}).
 */
package dev.prescaler.prometheus;
