/**
 * The simulated world around an engine: {@link dev.prescaler.simulator.cluster.DemandCurve} (the
 * trace on the sync grid), {@link dev.prescaler.simulator.cluster.TraceMetricSource} (the demand,
 * late by the metrics delay) and {@link dev.prescaler.simulator.cluster.SimulatedCluster} (replicas
 * ready a startup delay after they are asked for, removed at once).
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.simulator.cluster;
