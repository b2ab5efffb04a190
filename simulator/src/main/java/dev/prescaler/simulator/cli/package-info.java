/**
 * The {@code simulate} command: {@link dev.prescaler.simulator.cli.SimulateCommand}, called by
 * {@code bin/prescaler simulate}.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.simulator.cli;
