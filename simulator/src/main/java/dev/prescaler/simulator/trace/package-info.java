/**
 * Trace input: {@link dev.prescaler.simulator.trace.TraceReader} streams the samples of one trace
 * file, {@link dev.prescaler.simulator.trace.Trace} holds a whole trace in memory, and
 * {@link dev.prescaler.simulator.trace.TraceFormat} names the formats read.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.simulator.trace;
