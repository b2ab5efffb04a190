/**
 * Scoring: {@link dev.prescaler.simulator.score.RunStats} accumulates one run step by step,
 * {@link dev.prescaler.simulator.score.Scorecard} is one policy's row,
 * {@link dev.prescaler.simulator.score.AtSlo} its cost at the SLO, and
 * {@link dev.prescaler.simulator.score.RunJournal} is the journal the engine writes, which counts
 * the same things independently so that a run can cross-check itself.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.simulator.score;
