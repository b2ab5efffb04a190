/**
 * Reports of a {@link dev.prescaler.simulator.SimulationResult}: a text table, JSON, markdown and
 * a self-contained HTML page with inline SVG charts. Every report is deterministic: numbers are
 * formatted with {@link java.util.Locale#ROOT} and rows keep the registry's order.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.simulator.report;
