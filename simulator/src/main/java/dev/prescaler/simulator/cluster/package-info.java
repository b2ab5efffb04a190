/**
 * The simulated world around an engine: {@link dev.prescaler.simulator.cluster.DemandCurve} (the
 * trace on the sync grid), {@link dev.prescaler.simulator.cluster.TraceMetricSource} (the demand,
 * late by the metrics delay). The cluster itself is the testkit's {@link
 * dev.prescaler.testkit.InMemoryCluster} (replicas ready a startup delay after they are asked for,
 * removed at once), the same one users test their plug-ins against.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.simulator.cluster;
