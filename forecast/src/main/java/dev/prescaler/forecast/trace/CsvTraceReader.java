package dev.prescaler.forecast.trace;

import static java.util.Objects.requireNonNull;

import dev.prescaler.core.cli.Printable;
import dev.prescaler.core.cli.TraceTimes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reader of a {@code timestamp,value} CSV trace, one sample at a time: the one reader behind
 * {@code simulate --trace} and {@code forecast-eval --trace}, so that both accept the same files
 * and report a bad one the same way.
 *
 * <p>What it reads:
 *
 * <ul>
 *   <li>Timestamps in ISO-8601 with an offset ({@code 2014-04-10T00:04:00Z}, {@code +01:00},
 *       {@code +0100}, {@code +01}) or without one (UTC), with a space in place of the {@code T},
 *       a date alone (its midnight, UTC), or epoch seconds (a fraction allowed). Times are kept to
 *       the millisecond, from 1900 to 2199, and must increase strictly. A leap second ({@code
 *       23:59:60} UTC) is read as {@code 23:59:59}, as {@link Instant} has no leap seconds: alone
 *       it is read so, and after a row at {@code 23:59:59} it is a duplicate whose message says
 *       why. Epoch milliseconds are refused as out of range, with a hint to give seconds.
 *   <li>Values: finite numbers &ge; 0 ({@code 12}, {@code 3.5}, {@code 1e3}).
 *   <li>An optional header: a first line whose value is no number, nor a not-a-number or infinite
 *       value ({@code nan}, {@code inf} or {@code infinity} in any case, with an optional sign),
 *       and whose first field does not start with a digit or a sign ({@code timestamp,value},
 *       {@code Time (UTC+1),Requests}). A first line that starts like a timestamp, or whose value
 *       is a number or one of those, is a bad row instead, reported as such ({@code garbage,NaN}
 *       and {@code time,-Inf} are rows whose timestamp is bad).
 *   <li>Fields in double quotes, split as RFC 4180 does: a comma inside the quotes is part of
 *       the field and {@code ""} is a quote in it (a quoted field ends on its line; one whose
 *       quotes are not closed is read as written, quotes and all, up to the next comma). Empty
 *       fields after the value (a trailing comma); more columns only under a header that names
 *       them, since {@code 1,5} is more often a decimal comma. A quoted {@code "1,234"} is one
 *       field, and refused as a value that is no number.
 *   <li>Blank lines and lines starting with {@code #} (comments) are skipped, and so is a UTF-8
 *       byte order mark.
 * </ul>
 *
 * <p>A bad line, a file without any sample, or a file that cannot be opened is a {@link
 * TraceException} whose one-line message is {@code <file>:<line>: <problem>} (or {@code <file>:
 * <problem>} for the whole file). Not thread-safe.
 */
public final class CsvTraceReader implements AutoCloseable {
  private static final Pattern NUMBER =
      // Possessive: a long run of digits before a bad character fails in linear time.
      Pattern.compile("[+-]?(\\d++(\\.\\d*+)?|\\.\\d++)([eE][+-]?\\d++)?");
  private static final Pattern NON_FINITE =
      Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
  /**
   * A date and time whose second is 60, a leap second: before it, the second's fraction, after
   * it. Either case of {@code T}, and a point without digits, as the ISO parsers read them.
   */
  private static final Pattern LEAP_SECOND =
      Pattern.compile("(\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:)60(\\.\\d*+)?([^.\\d].*)?",
          Pattern.CASE_INSENSITIVE);

  private final String file;
  private final BufferedReader in;
  private long lineNumber;
  private String line = "";
  private boolean seenData;
  private int headerFields; // the header line's fields, 0 without one
  private boolean seenSample;
  private Instant previous;
  private long previousLine;
  /** The previous row's timestamp as written: read again only when a row clashes with it. */
  private String previousText;
  private double value;

  private CsvTraceReader(String file, BufferedReader in) {
    this.file = file;
    this.in = in;
  }

  /**
   * A reader over {@code in}, which it closes on {@link #close()}.
   *
   * @param file the file as the user named it, for error messages
   * @param in the text of the trace
   */
  public static CsvTraceReader of(String file, BufferedReader in) {
    return new CsvTraceReader(requireNonNull(file, "file"), requireNonNull(in, "in"));
  }

  /**
   * A reader of the file {@code file}. The file is UTF-8; a byte that is not is read as U+FFFD,
   * so that a header or a comment in Latin-1 is harmless and a timestamp or value holding one is
   * refused naming its line.
   *
   * @param file the path as the user named it; error messages name it so
   * @throws TraceException when the file is missing, not a regular file or cannot be opened
   */
  public static CsvTraceReader open(String file) {
    Path path = Path.of(file);
    if (!Files.isRegularFile(path)) {
      throw new TraceException(file, 0, Files.exists(path) ? "not a regular file"
          : "file not found");
    }
    // Decoded leniently: a byte that is not UTF-8 becomes U+FFFD, harmless in a header or a
    // comment (a Latin-1 "température"), and in a timestamp or a value an error naming the line,
    // where a strict decoder failed the whole file naming no line ("Input length = 1").
    BufferedReader in;
    try {
      in = new BufferedReader(new InputStreamReader(Files.newInputStream(path),
          StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new TraceException(file, 0, "file not found");
    } catch (IOException e) {
      throw new TraceException(file, 0, "cannot be read: " + e.getMessage());
    }
    return new CsvTraceReader(file, in);
  }

  /**
   * Reads the next sample; {@link #time()}, {@link #value()} and {@link #line()} then give it.
   *
   * @return true when there was one, false at the end of the trace
   * @throws TraceException when the next line is invalid, or at the end when the file held no
   *     sample at all
   * @throws UncheckedIOException when the text cannot be read
   */
  public boolean next() {
    while ((line = readLine()) != null) {
      lineNumber++;
      String trimmed = line.strip();
      if (lineNumber == 1 && trimmed.startsWith("\uFEFF")) {
        trimmed = trimmed.substring(1).strip();
      }
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      List<String> fields = fields(trimmed);
      if (fields.size() < 2) {
        throw problem("expected timestamp,value, but was \"" + clip(trimmed) + "\"");
      }
      String ts = fields.get(0);
      String val = fields.get(1);
      Instant parsed = parseTime(ts);
      boolean firstData = !seenData;
      seenData = true;
      if (parsed == null && firstData && !NUMBER.matcher(val).matches()
          && !NON_FINITE.matcher(val).matches() && !looksLikeData(ts)) {
        headerFields = fields.size(); // a header line such as "timestamp,value"
        continue;
      }
      if (fields.size() > 2 && fields.size() != headerFields && !emptyAfterValue(fields)) {
        // Without a header naming them, more columns are more likely a decimal comma ("1,5")
        // than data to leave out.
        throw problem("expected timestamp,value, but was \"" + clip(trimmed) + "\" ("
            + fields.size() + " fields; a decimal comma? Extra columns are left out only under a "
            + "header line naming them)");
      }
      if (parsed == null) {
        throw problem("timestamp must be ISO-8601 or epoch seconds, but was \"" + clip(ts) + "\"");
      }
      if (!TraceTimes.contains(parsed)) { // nothing real is outside; the grid math overflows
        throw problem("timestamp must be from 1900 to 2199, but was " + parsed
            + millisecondsHint(ts));
      }
      // Times are kept to the millisecond: compare what the caller will hold, or two rows in one
      // millisecond pass here and fail there, naming no line.
      Instant time = Instant.ofEpochMilli(parsed.toEpochMilli());
      double v = parseValue(val);
      if (previous != null && !time.isAfter(previous)) {
        // A leap second read as 23:59:59 clashes so with a row in that second only: one in
        // another second is out of order whatever the reading (the file needs sorting).
        boolean leap = LEAP_SECOND.matcher(ts).matches();
        boolean leapClash = (leap || LEAP_SECOND.matcher(previousText).matches())
            && time.getEpochSecond() == previous.getEpochSecond();
        throw problem((time.equals(previous)
            ? "duplicate timestamp " + time + " (also at line " + previousLine
                + (parsed.equals(time) ? ")" : "; times are kept to the millisecond, to which \""
                    + clip(ts) + "\" rounds down)")
            : "timestamps must increase, but " + time + " follows " + previous + " (line "
                + previousLine + ")")
            + (leapClash ? ": a leap second (23:59:60) is read as 23:59:59, since "
                + "times here have no leap seconds; line " + (leap ? lineNumber : previousLine)
                + " holds one: leave out one of the two rows" : ""));
      }
      previous = time;
      previousLine = lineNumber;
      previousText = ts;
      value = v;
      seenSample = true;
      return true;
    }
    if (!seenSample) {
      throw new TraceException(file, 0, lineNumber == 0 ? "the file is empty"
          : "no samples: the file holds no timestamp,value line");
    }
    return false;
  }

  /**
   * The time of the sample read last, to the millisecond.
   *
   * @throws IllegalStateException before the first sample
   */
  public Instant time() {
    requireSample();
    return previous;
  }

  /**
   * The value of the sample read last: finite and &ge; 0, never negative zero.
   *
   * @throws IllegalStateException before the first sample
   */
  public double value() {
    requireSample();
    return value;
  }

  /**
   * The 1-based line of the sample read last.
   *
   * @throws IllegalStateException before the first sample
   */
  public long line() {
    requireSample();
    return previousLine;
  }

  private void requireSample() {
    if (!seenSample) {
      throw new IllegalStateException("no sample yet: call next() first");
    }
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

  private static Instant parseTime(String ts) {
    if (ts.isEmpty()) {
      return null;
    }
    if (NUMBER.matcher(ts).matches()) {
      double seconds = Double.parseDouble(ts);
      if (!Double.isFinite(seconds) || Math.abs(seconds) > 1e13) {
        return null;
      }
      return epochSeconds(ts);
    }
    String iso = ts.length() > 10 && ts.charAt(10) == ' '
        ? ts.substring(0, 10) + 'T' + ts.substring(11) : ts;
    Matcher leap = LEAP_SECOND.matcher(iso);
    if (leap.matches()) {
      // Read as the second before, in whatever form it is written (with or without an offset),
      // but only where a leap second can be: in the last second of a day in UTC.
      Instant t = parseIso(leap.group(1) + "59" + (leap.group(2) == null ? "" : leap.group(2))
          + (leap.group(3) == null ? "" : leap.group(3)));
      return t != null && Math.floorMod(t.getEpochSecond(), 86_400) == 86_399 ? t : null;
    }
    return parseIso(iso);
  }

  /** The instant an ISO-8601 form names, or null when it is none of those read. */
  private static Instant parseIso(String iso) {
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

  /**
   * The instant {@code ts} epoch seconds (a number of at most 1e13 in magnitude) name, read
   * exactly and rounded down to the nanosecond, as an ISO-8601 time is read: the caller then keeps
   * the millisecond it falls in, so that {@code 1700000000.0004} and {@code .0006} are one
   * millisecond, a duplicate, where rounding the double to the nearest millisecond made them two
   * and {@code .0009} and {@code .0011} one. Null when the exponent is beyond an int.
   */
  private static Instant epochSeconds(String ts) {
    BigDecimal seconds;
    try {
      seconds = new BigDecimal(toNanos(ts));
    } catch (NumberFormatException e) {
      return null;
    }
    if (seconds.signum() == 0) {
      return Instant.EPOCH; // before moving the point: "0e999999999" would be scaled to 0 digits
    }
    BigDecimal nanos = seconds.movePointRight(9);
    // |nanos| < 10^(precision - scale): below 1 when the scale is at least the precision, where
    // the exact floor would divide by a power of ten as large as the exponent ("1e-999999999").
    // At most 1e22 otherwise, so a negative scale is small, and a positive one below the
    // precision, the digits written.
    if (nanos.scale() >= nanos.precision()) {
      return Instant.EPOCH.minusNanos(nanos.signum() < 0 ? 1 : 0);
    }
    BigInteger[] split = nanos.setScale(0, RoundingMode.FLOOR).toBigIntegerExact()
        .divideAndRemainder(BILLION);
    return Instant.ofEpochSecond(split[0].longValueExact(), split[1].longValueExact());
  }

  private static final BigInteger BILLION = BigInteger.valueOf(1_000_000_000);

  /**
   * A hint for an epoch number outside 1900-2199 that is inside as milliseconds (13 digits, as
   * Java and JavaScript write times), or the empty string. Only for 12 digits or more before the
   * point (a year past 5000 as seconds, March 1973 or later as milliseconds): a number of seconds
   * just past 2199, or before 1900, is no count of milliseconds.
   */
  private static String millisecondsHint(String ts) {
    if (!NUMBER.matcher(ts).matches()) {
      return "";
    }
    BigDecimal number = new BigDecimal(ts);
    if (number.abs().compareTo(BigDecimal.valueOf(100_000_000_000L)) < 0) {
      return "";
    }
    String seconds = number.movePointLeft(3).stripTrailingZeros().toPlainString();
    Instant asMillis = epochSeconds(seconds);
    return asMillis == null || !TraceTimes.contains(asMillis) ? ""
        : "; epoch milliseconds? Give seconds: " + seconds + " is "
            + Instant.ofEpochMilli(asMillis.toEpochMilli());
  }

  /**
   * {@code ts} with a fraction of more than 9 digits, when it has no exponent, cut to 9 digits
   * and a final 1 when a digit cut was not 0: the same instant to the nanosecond, rounded down,
   * for either sign, and a number BigDecimal reads at once (it reads a million digits in about
   * 20 s, quadratic in their count).
   */
  private static String toNanos(String ts) {
    int dot = ts.indexOf('.');
    if (dot < 0 || ts.length() - dot - 1 <= 10 || ts.indexOf('e') >= 0 || ts.indexOf('E') >= 0) {
      return ts;
    }
    boolean rest = false;
    for (int i = dot + 10; i < ts.length() && !rest; i++) {
      rest = ts.charAt(i) != '0';
    }
    return ts.substring(0, dot + 10) + (rest ? "1" : "");
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
  private static boolean looksLikeData(String ts) {
    return !ts.isEmpty() && (Character.isDigit(ts.charAt(0)) || ts.charAt(0) == '+'
        || ts.charAt(0) == '-');
  }

  /** Whether the fields after the value are all empty (a trailing comma, not a decimal one). */
  private static boolean emptyAfterValue(List<String> fields) {
    for (int i = 2; i < fields.size(); i++) {
      if (!fields.get(i).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The fields of {@code line}, each stripped, split at commas as RFC 4180 does: a field whose
   * first character (after spaces) is a double quote runs to the next quote followed by a comma
   * or the end of the line (spaces between allowed), with {@code ""} a quote inside it, and is
   * given without its quotes, stripped. A field that starts with a quote but is not such a field
   * (the quote not closed on the line, or text after the closing one) is read as written, up to
   * the next comma: a value {@code "5} is then refused naming it, as before quotes were split.
   */
  private static List<String> fields(String line) {
    List<String> fields = new ArrayList<>();
    int start = 0;
    while (true) {
      int i = start;
      while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      int end = -1; // the index after the quoted field and its spaces, at a comma or the end
      StringBuilder quoted = null;
      if (i < line.length() && line.charAt(i) == '"') {
        quoted = new StringBuilder();
        int j = i + 1;
        while (j < line.length()) {
          char c = line.charAt(j);
          if (c != '"') {
            quoted.append(c);
            j++;
          } else if (j + 1 < line.length() && line.charAt(j + 1) == '"') {
            quoted.append('"');
            j += 2;
          } else {
            int k = j + 1;
            while (k < line.length() && Character.isWhitespace(line.charAt(k))) {
              k++;
            }
            end = k == line.length() || line.charAt(k) == ',' ? k : -1;
            break;
          }
        }
      }
      if (end < 0) { // unquoted, or not a well-formed quoted field: as written
        int comma = line.indexOf(',', start);
        end = comma < 0 ? line.length() : comma;
        fields.add(line.substring(start, end).strip());
      } else {
        fields.add(quoted.toString().strip());
      }
      if (end == line.length()) {
        return fields;
      }
      start = end + 1;
    }
  }

  /**
   * The text of a field or line for a message: at most 60 characters, quotes escaped, and every
   * character a terminal would not print as itself escaped ({@link #escapeUnprintable}), so that
   * a binary file prints no raw bytes to the terminal.
   */
  private static String clip(String s) {
    int end = s.length() > 60 && Character.isHighSurrogate(s.charAt(59)) ? 59 : 60;
    String t = s.length() > 60 ? s.substring(0, end) + "..." : s;
    return escapeUnprintable(t).replace("\"", "\\\"");
  }

  /**
   * {@code s} with every character a terminal would not print as itself escaped, as {@link
   * Printable#escape} escapes it: the one escaper of the messages that quote a user's input,
   * these of the trace's lines and the command line's.
   */
  public static String escapeUnprintable(String s) {
    return Printable.escape(s);
  }

  /** A file name as the reports print it: see {@link Printable#escapeName}. */
  public static String escapeName(String s) {
    return Printable.escapeName(s);
  }

  /** Whether {@link #escapeName} escapes the code point {@code c}. */
  public static boolean isUnprintableInName(int c) {
    return Printable.isUnprintableInName(c);
  }

  /** Whether {@link #escapeUnprintable} escapes the code point {@code c}. */
  public static boolean isUnprintable(int c) {
    return Printable.isUnprintable(c);
  }

  /**
   * A problem with the current line. The file is decoded leniently (a byte that is not UTF-8 is
   * read as U+FFFD, which no timestamp or value accepts), so a line holding one says so.
   */
  private TraceException problem(String message) {
    return new TraceException(file, lineNumber, line != null && line.indexOf('\uFFFD') >= 0
        ? message + " (the line is not valid UTF-8: save the file as UTF-8)" : message);
  }

  /**
   * Closes the underlying text.
   *
   * @throws UncheckedIOException when closing fails
   */
  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
