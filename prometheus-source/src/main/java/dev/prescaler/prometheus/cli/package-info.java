/**
 * The {@code export} command: a PromQL expression over a span of the past, written as a {@code
 * timestamp,value} trace for the simulator.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.prometheus.cli;
