/**
 * The trace-driven simulator: it replays a real demand trace through one real
 * {@link dev.prescaler.core.AutoscalerEngine} per policy (a manual clock, a metric source late by
 * the metrics delay, a cluster whose replicas start after a startup delay) and scores each
 * policy. Entry points: {@link dev.prescaler.simulator.Simulator} with a
 * {@link dev.prescaler.simulator.SimulationConfig}, and the {@code simulate} command in
 * {@code .cli}.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.simulator;
