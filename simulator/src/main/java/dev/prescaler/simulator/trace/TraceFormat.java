package dev.prescaler.simulator.trace;

import dev.prescaler.forecast.trace.CsvTraceReader;
import java.io.BufferedReader;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The trace formats the simulator reads, each with its reader. A trace may be named
 * {@code format:path}; a plain path is {@link #NAB_CSV}.
 */
public enum TraceFormat {
  /**
   * {@code timestamp,value} CSV as in NAB and the shared traces, read by the forecast module's
   * {@link CsvTraceReader} (which {@code forecast-eval --trace} uses too): ISO-8601 timestamps
   * (with or without zone; no zone means UTC) or epoch seconds; an optional header; lines starting
   * with {@code #} are comments.
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
      case NAB_CSV -> new Csv(CsvTraceReader.of(file, in));
    };
  }

  /**
   * A reader of this format over the file {@code file}, decoded as {@link
   * CsvTraceReader#open(String)} says.
   *
   * @throws TraceException when the file is missing, not a regular file or cannot be opened
   */
  TraceReader open(String file) {
    return switch (this) {
      case NAB_CSV -> new Csv(CsvTraceReader.open(file));
    };
  }

  /** {@link CsvTraceReader}'s samples as {@link Sample}s. */
  private static final class Csv implements TraceReader {
    private final CsvTraceReader csv;

    Csv(CsvTraceReader csv) {
      this.csv = csv;
    }

    @Override
    public Optional<Sample> next() {
      return csv.next() ? Optional.of(new Sample(csv.time(), csv.value())) : Optional.empty();
    }

    @Override
    public void close() {
      csv.close();
    }
  }

  /**
   * The format of that id, in any case ({@code nab-csv}, {@code NAB-CSV}).
   *
   * @throws IllegalArgumentException naming the known formats when unknown
   */
  public static TraceFormat of(String id) {
    return find(id).orElseThrow(() -> new IllegalArgumentException(
        "trace format must be one of [nab-csv], but was " + id));
  }

  /** The format of that id, in any case; empty when none has it. */
  private static Optional<TraceFormat> find(String id) {
    for (TraceFormat f : values()) {
      if (f.id.equals(id.toLowerCase(Locale.ROOT))) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /**
   * The format of a trace named {@code spec}: that of its prefix when {@code spec} is {@code
   * format:path} and the prefix names a format (in any case, as {@link #of} reads it), else
   * {@link #NAB_CSV}. A prefix that names no format is part of the path.
   */
  public static TraceFormat ofSpec(String spec) {
    return prefix(spec).orElse(NAB_CSV);
  }

  /**
   * The path of a trace named {@code spec}, without the format prefix {@link #ofSpec} reads: the
   * file as the user named it, which error messages name.
   */
  public static String pathOf(String spec) {
    return prefix(spec).isPresent() ? spec.substring(spec.indexOf(':') + 1) : spec;
  }

  private static Optional<TraceFormat> prefix(String spec) {
    int colon = spec.indexOf(':');
    return colon > 0 ? find(spec.substring(0, colon)) : Optional.empty();
  }
}
