package dev.prescaler.forecast.trace;

/**
 * A trace that cannot be read: the file, the line (0 when the problem is the whole file) and the
 * problem. Its message is one line: {@code <file>:<line>: <problem>}.
 */
public final class TraceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long line;
  private final String problem;

  /**
   * A problem at one line of a file.
   *
   * @param file the file as the user named it
   * @param line the 1-based line number, or 0 for the whole file
   * @param problem what is wrong, naming the bad value
   */
  public TraceException(String file, long line, String problem) {
    super(line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem);
    this.file = file;
    this.line = line;
    this.problem = problem;
  }

  /** The file as the user named it. */
  public String file() {
    return file;
  }

  /** The 1-based line number; 0 when the problem concerns the whole file. */
  public long line() {
    return line;
  }

  /** What is wrong. */
  public String problem() {
    return problem;
  }
}
