/**
 * Trace files: {@link dev.prescaler.forecast.trace.CsvTraceReader} reads a {@code timestamp,value}
 * CSV trace, the one reader behind {@code simulate --trace} and {@code forecast-eval --trace}, and
 * {@link dev.prescaler.forecast.trace.TraceException} reports a file it cannot read as one line,
 * {@code <file>:<line>: <problem>}.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.forecast.trace;
