/**
 * What an embedder touches: {@link dev.prescaler.core.AutoscalerEngine} and its builder, the four
 * stages of the loop ({@link dev.prescaler.core.MetricSource}, {@link
 * dev.prescaler.core.Forecaster},
 * {@link dev.prescaler.core.DecisionPolicy}, {@link dev.prescaler.core.ScaleExecutor}) and the
 * immutable values that travel between them.
 *
 * <p>Nullness: no {@code null} crosses this API. Absence is an {@link java.util.Optional}, and
 * collections are empty, never null.
 */
package dev.prescaler.core;
