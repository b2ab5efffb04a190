/**
 * A durable {@link dev.prescaler.core.journal.DecisionJournal}: append-only JSON lines, one record
 * per line, written to the file per record, rotated at a size limit (the file and one rotated
 * file, so disk use is bounded), written with Jackson and read back as a stream, skipping lines
 * that cannot be read.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.journal;
