/**
 * Events the engine publishes to {@link dev.prescaler.core.EngineListener}s: one per decision, per
 * executor call, per hold, per contained failure and per mode change. Immutable records.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.core.event;
