package dev.prescaler.journal;

/** A journal file line that cannot be read; the message names the file, the line and why. */
public final class JournalFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public JournalFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
