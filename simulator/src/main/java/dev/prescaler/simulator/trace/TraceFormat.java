package dev.prescaler.simulator.trace;

import java.io.BufferedReader;
import java.util.Locale;

/**
 * The trace formats the simulator reads, each with its reader. A trace may be named
 * {@code format:path}; a plain path is {@link #NAB_CSV}.
 */
public enum TraceFormat {
  /**
   * {@code timestamp,value} CSV as in NAB and the shared traces: ISO-8601 timestamps (with or
   * without zone; no zone means UTC) or epoch seconds; an optional header; lines starting with
   * {@code #} are comments.
   */
  NAB_CSV("nab-csv");

  private final String id;

  TraceFormat(String id) {
    this.id = id;
  }

  /** The name used in {@code format:path}. */
  public String id() {
    return id;
  }

  /** A reader of this format over {@code in}; {@code file} names it in error messages. */
  public TraceReader reader(String file, BufferedReader in) {
    return switch (this) {
      case NAB_CSV -> new CsvTraceReader(file, in);
    };
  }

  /**
   * The format of that id.
   *
   * @throws IllegalArgumentException naming the known formats when unknown
   */
  public static TraceFormat of(String id) {
    for (TraceFormat f : values()) {
      if (f.id.equals(id.toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    throw new IllegalArgumentException("trace format must be one of [nab-csv], but was " + id);
  }
}
