package dev.prescaler.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prescaler.core.journal.DecisionRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The package-private parts of {@link JsonLinesJournal} the journal fuzz needs (in this package
 * for that reason): a read that hands over each skipped line's message, the one it logs at WARN,
 * and a record's line as the journal writes it.
 */
public final class JournalReads {
  private JournalReads() {}

  /** As {@link JsonLinesJournal#read(Path)}, giving {@code skipped} each line it skips. */
  public static List<DecisionRecord> read(Path file, Consumer<String> skipped) {
    return JsonLinesJournal.read(file, null, skipped);
  }

  /** The record's line as the journal writes it. */
  public static ObjectNode toJson(DecisionRecord r) {
    return JsonLinesJournal.toJson(r);
  }
}
