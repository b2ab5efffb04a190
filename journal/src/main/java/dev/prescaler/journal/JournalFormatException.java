package dev.prescaler.journal;

/**
 * A journal file line that cannot be read; the message names the file, the line and why.
 *
 * <p>The readers of {@link JsonLinesJournal} no longer throw it: they skip such a line with a
 * warning that names the file and the line, so that one bad line cannot stop a restart. The type
 * stays for callers that catch it.
 */
public final class JournalFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public JournalFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
