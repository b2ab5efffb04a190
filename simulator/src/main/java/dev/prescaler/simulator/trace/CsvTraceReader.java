package dev.prescaler.simulator.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads {@code timestamp,value} CSV (see {@link TraceFormat#NAB_CSV}). */
final class CsvTraceReader implements TraceReader {
  private static final Pattern NUMBER =
      // Possessive: a long run of digits before a bad character fails in linear time.
      Pattern.compile("[+-]?(\\d++(\\.\\d*+)?|\\.\\d++)([eE][+-]?\\d++)?");
  private static final Pattern NON_FINITE =
      Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);

  private final String file;
  private final BufferedReader in;
  private long lineNumber;
  private String line = "";
  private boolean seenData;
  private int headerFields; // the header line's fields, 0 without one
  private boolean seenSample;
  private Instant previous;
  private long previousLine;

  CsvTraceReader(String file, BufferedReader in) {
    this.file = file;
    this.in = in;
  }

  @Override
  public Optional<Sample> next() {
    while ((line = readLine()) != null) {
      lineNumber++;
      String trimmed = line.strip();
      if (lineNumber == 1 && trimmed.startsWith("\uFEFF")) {
        trimmed = trimmed.substring(1).strip();
      }
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] fields = trimmed.split(",", -1);
      if (fields.length < 2) {
        throw problem("expected timestamp,value, but was \"" + clip(trimmed) + "\"");
      }
      String ts = unquote(fields[0]);
      String val = unquote(fields[1]);
      Instant parsed = parseTime(ts);
      boolean firstData = !seenData;
      seenData = true;
      if (parsed == null && firstData && !NUMBER.matcher(val).matches() && !looksLikeData(ts)) {
        headerFields = fields.length; // a header line such as "timestamp,value"
        continue;
      }
      if (fields.length > 2 && fields.length != headerFields && !emptyAfterValue(fields)) {
        // Without a header naming them, more columns are more likely a decimal comma ("1,5")
        // than data to leave out.
        throw problem("expected timestamp,value, but was \"" + clip(trimmed) + "\" ("
            + fields.length + " fields; a decimal comma? Extra columns are left out only under a "
            + "header line naming them)");
      }
      if (parsed == null) {
        throw problem("timestamp must be ISO-8601 or epoch seconds, but was \"" + clip(ts) + "\"");
      }
      if (parsed.isBefore(EARLIEST) || !parsed.isBefore(LATEST)) {
        throw problem("timestamp must be from 1900 to 2199, but was " + parsed);
      }
      // Trace keeps epoch milliseconds: compare what it will hold, or two rows in one
      // millisecond pass here and fail there, naming no line.
      Instant time = Instant.ofEpochMilli(parsed.toEpochMilli());
      double value = parseValue(val);
      if (previous != null && !time.isAfter(previous)) {
        throw problem(time.equals(previous)
            ? "duplicate timestamp " + time + " (also at line " + previousLine
                + (parsed.equals(time) ? ")" : "; times are kept to the millisecond, to which \""
                    + clip(ts) + "\" rounds down)")
            : "timestamps must increase, but " + time + " follows " + previous + " (line "
                + previousLine + ")");
      }
      previous = time;
      previousLine = lineNumber;
      seenSample = true;
      return Optional.of(new Sample(time, value));
    }
    if (!seenSample) {
      throw new TraceException(file, 0, lineNumber == 0 ? "the file is empty"
          : "no samples: the file holds no timestamp,value line");
    }
    return Optional.empty();
  }

  private String readLine() {
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private double parseValue(String val) {
    if (NON_FINITE.matcher(val).matches()) {
      throw problem("value must be a finite number, but was \"" + clip(val) + "\"");
    }
    if (!NUMBER.matcher(val).matches()) {
      throw problem("value must be a number, but was \"" + clip(val) + "\"");
    }
    double v = Double.parseDouble(val);
    if (!Double.isFinite(v)) {
      throw problem("value must be a finite number, but was \"" + clip(val) + "\"");
    }
    if (v < 0) {
      throw problem("value must be >= 0, but was " + clip(val));
    }
    return v == 0 ? 0.0 : v; // no negative zero
  }

  /** Timestamps outside [1900, 2200) are refused: nothing real is there, and the grid math overflows. */
  private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

  private static Instant parseTime(String ts) {
    if (ts.isEmpty()) {
      return null;
    }
    if (NUMBER.matcher(ts).matches()) {
      double seconds = Double.parseDouble(ts);
      if (!Double.isFinite(seconds) || Math.abs(seconds) > 1e13) {
        return null;
      }
      return Instant.ofEpochMilli(Math.round(seconds * 1000));
    }
    String iso = ts.length() > 10 && ts.charAt(10) == ' '
        ? ts.substring(0, 10) + 'T' + ts.substring(11) : ts;
    try {
      return Instant.parse(iso);
    } catch (DateTimeParseException e) {
      // try the forms below
    }
    try {
      return OffsetDateTime.parse(iso).toInstant();
    } catch (DateTimeParseException e) {
      // try the form below
    }
    try {
      return OffsetDateTime.parse(iso, BASIC_OFFSET).toInstant();
    } catch (DateTimeParseException e) {
      // try the forms below
    }
    try {
      return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // try the form below
    }
    try {
      return LocalDate.parse(iso).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A date and time with an offset without a colon ({@code +0000}, {@code -0530}, {@code +01}). */
  private static final DateTimeFormatter BASIC_OFFSET = new DateTimeFormatterBuilder()
      .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
      .appendOffset("+HHmm", "Z")
      .toFormatter(Locale.ROOT)
      .withResolverStyle(ResolverStyle.STRICT);

  /**
   * Whether a first field that is no timestamp is a bad one rather than a header's name: it
   * starts like a timestamp does, with a digit or a sign ("2020-02-30", not "Time (UTC+1)").
   */
  static boolean looksLikeData(String ts) {
    return !ts.isEmpty() && (Character.isDigit(ts.charAt(0)) || ts.charAt(0) == '+'
        || ts.charAt(0) == '-');
  }

  /** Whether the fields after the value are all empty (a trailing comma, not a decimal one). */
  private static boolean emptyAfterValue(String[] fields) {
    for (int i = 2; i < fields.length; i++) {
      if (!fields[i].isBlank()) {
        return false;
      }
    }
    return true;
  }

  private static String unquote(String s) {
    String t = s.strip();
    if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
      t = t.substring(1, t.length() - 1).strip();
    }
    return t;
  }

  private static String clip(String s) {
    String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
    return t.replace("\"", "\\\"");
  }

  /**
   * A problem with the current line. The file is decoded leniently (a byte that is not UTF-8 is
   * read as U+FFFD, which no timestamp or value accepts), so a line holding one says so.
   */
  private TraceException problem(String message) {
    return new TraceException(file, lineNumber, line != null && line.indexOf('\uFFFD') >= 0
        ? message + " (the line is not valid UTF-8: save the file as UTF-8)" : message);
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
