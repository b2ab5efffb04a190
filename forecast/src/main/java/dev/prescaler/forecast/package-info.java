/**
 * Forecasters behind the core {@link dev.prescaler.core.Forecaster} SPI: least-squares linear
 * trend, Holt-Winters, seasonal naive, multi-seasonal Fourier regression and an automatic
 * selector, with prediction intervals calibrated from the out-of-sample errors of the forecast they
 * give, plus the M4 accuracy measures. Start at {@link dev.prescaler.forecast.Forecasters}.
 *
 * <p>Nullness: no {@code null} crosses this API. Absence is an {@link java.util.Optional}, and
 * collections are empty, never null.
 */
package dev.prescaler.forecast;
