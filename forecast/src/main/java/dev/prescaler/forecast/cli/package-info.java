/**
 * The {@code forecast-eval} command: M4 Hourly accuracy (sMAPE, MASE, OWA) and rolling-origin
 * accuracy and interval coverage on {@code timestamp,value} traces.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.forecast.cli;
