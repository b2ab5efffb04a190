/**
 * The decision journal: one record per workload per tick, with its inputs, forecast, proposal,
 * reasons, action and — filled in later — what followed. The engine's restore (recent
 * decisions, startup delays, forecast accuracy) and the simulator's self-check read the records;
 * the follow-ups are for people and tools: nothing in Prescaler learns from them. {@link
 * dev.prescaler.core.journal.InMemoryJournal} is bounded; a JSON-lines file journal lives in the
 * {@code prescaler-journal} module.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.core.journal;
