/**
 * A durable {@link dev.prescaler.core.journal.DecisionJournal}: append-only JSON lines, one record
 * per line, flushed per record, written and read with Jackson.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.journal;
