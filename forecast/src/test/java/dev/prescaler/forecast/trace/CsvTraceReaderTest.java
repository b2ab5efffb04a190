package dev.prescaler.forecast.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trace rules shared by {@code simulate --trace} and {@code forecast-eval --trace}: what is
 * read, and the one-line error for what is not.
 */
class CsvTraceReaderTest {
  @TempDir Path dir;

  private String write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p.toString();
  }

  /** A sample as read, with its line. */
  private record Row(Instant time, double value, long line) {}

  /** Every sample of the file {@code file}. */
  private static List<Row> read(String file) {
    try (CsvTraceReader r = CsvTraceReader.open(file)) {
      List<Row> rows = new ArrayList<>();
      while (r.next()) {
        rows.add(new Row(r.time(), r.value(), r.line()));
      }
      return rows;
    }
  }

  @Test
  void readsIsoTimestampsWithHeaderAndComments() throws IOException {
    String f = write("a.csv", "# provenance\ntimestamp,value\n2014-04-10T00:04:00Z,94\n"
        + "2014-04-10T00:09:00Z,3.5\n\n");
    List<Row> t = read(f);
    assertThat(t).containsExactly(new Row(Instant.parse("2014-04-10T00:04:00Z"), 94, 3),
        new Row(Instant.parse("2014-04-10T00:09:00Z"), 3.5, 4));
  }

  /**
   * Catches epoch seconds rounded to the nearest millisecond where ISO times are truncated:
   * {@code .0004} and {@code .0006} were read as two milliseconds, {@code .0009} and {@code .0011}
   * as one, a duplicate. Both forms now keep the millisecond the time falls in.
   */
  @Test
  void epochSecondsFractionsAreKeptToTheMillisecondTheyFallIn() throws IOException {
    String same = write("same.csv", "1700000000.0004,1\n1700000000.0006,2\n");
    assertThatThrownBy(() -> read(same)).isInstanceOf(TraceException.class)
        .hasMessage(same + ":2: duplicate timestamp 2023-11-14T22:13:20Z (also at line 1; times "
            + "are kept to the millisecond, to which \"1700000000.0006\" rounds down)");
    List<Row> two = read(write("two.csv", "1700000000.0009,1\n1700000000.0011,2\n"));
    assertThat(two).extracting(Row::time).containsExactly(
        Instant.parse("2023-11-14T22:13:20.000Z"), Instant.parse("2023-11-14T22:13:20.001Z"));
    // As the ISO form: the same instants, the same millisecond, before 1970 too (rounded down).
    List<Row> iso = read(write("iso.csv", "2023-11-14T22:13:20.0009Z,1\n"
        + "2023-11-14T22:13:20.0011Z,2\n"));
    assertThat(iso).extracting(Row::time).isEqualTo(two.stream().map(Row::time).toList());
    assertThat(read(write("neg.csv", "-0.0011,1\n-0.0004,2\n0.0009999,3\n0.001,4\n1.5e3,5\n")))
        .extracting(Row::time).containsExactly(Instant.ofEpochMilli(-2), Instant.ofEpochMilli(-1),
            Instant.EPOCH, Instant.ofEpochMilli(1), Instant.ofEpochSecond(1500));
    // Exponents far beyond a millisecond, and a million digits, are read at once, exactly.
    String zeros = "0".repeat(1_000_000);
    String far = write("far.csv", "-1e-999999999,1\n0e999999999,2\n0.001999" + zeros + "1,3\n"
        + "60,4\n");
    String below = write("below.csv", "-0." + zeros + "1,1\n60,2\n");
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertThat(read(far)).extracting(Row::time).containsExactly(Instant.ofEpochMilli(-1),
          Instant.EPOCH, Instant.ofEpochMilli(1), Instant.ofEpochSecond(60));
      assertThat(read(below).get(0).time()).isEqualTo(Instant.ofEpochMilli(-1));
    });
  }

  @Test
  void readsEpochSecondsWithoutHeader() throws IOException {
    List<Row> t = read(write("b.csv", "60,1\n120,2\n"));
    assertThat(t.get(1).time()).isEqualTo(Instant.ofEpochSecond(120));
  }

  @Test
  void readsZonelessAndSpaceSeparatedTimestampsAsUtc() throws IOException {
    List<Row> t = read(write("c.csv", "2014-04-10 00:04:00,1\n2014-04-10T00:09:00,2\n"
        + "2014-04-10T00:14:00+01:00,3\n".replace("00:14:00+01:00", "01:14:00+01:00")));
    assertThat(t.get(0).time()).isEqualTo(Instant.parse("2014-04-10T00:04:00Z"));
    assertThat(t.get(2).time()).isEqualTo(Instant.parse("2014-04-10T00:14:00Z"));
  }

  @Test
  void readsOffsetsWithoutAColonAndDatesAlone() throws IOException {
    List<Row> t = read(write("e.csv", "2014-04-10T01:00:00+0100,1\n"
        + "2014-04-10 00:05:00+0000,2\n2014-04-09T19:10:00-05,3\n2014-04-11,4\n"));
    assertThat(t.get(0).time()).isEqualTo(Instant.parse("2014-04-10T00:00:00Z"));
    assertThat(t.get(1).time()).isEqualTo(Instant.parse("2014-04-10T00:05:00Z"));
    assertThat(t.get(2).time()).isEqualTo(Instant.parse("2014-04-10T00:10:00Z"));
    assertThat(t.get(3).time()).isEqualTo(Instant.parse("2014-04-11T00:00:00Z"));
  }

  private void assertBad(String text, String expected) throws IOException {
    String f = write("bad.csv", text);
    assertThatThrownBy(() -> read(f))
        .isInstanceOf(TraceException.class)
        .hasMessage(f + expected)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void nonNumericValue_namesFileLineAndValue() throws IOException {
    assertBad("timestamp,value\n60,1\n120,abc\n", ":3: value must be a number, but was \"abc\"");
  }

  @Test
  void nanValue_isRejected() throws IOException {
    assertBad("60,NaN\n", ":1: value must be a finite number, but was \"NaN\"");
  }

  @Test
  void negativeValue_isRejected() throws IOException {
    assertBad("60,1\n120,-2\n", ":2: value must be >= 0, but was -2");
  }

  @Test
  void unorderedTimestamps_areRejected() throws IOException {
    assertBad("120,1\n60,2\n", ":2: timestamps must increase, but 1970-01-01T00:01:00Z follows "
        + "1970-01-01T00:02:00Z (line 1)");
  }

  @Test
  void duplicateTimestamps_areRejected() throws IOException {
    assertBad("# c\n60,1\n60,2\n", ":3: duplicate timestamp 1970-01-01T00:01:00Z (also at line 2)");
  }

  @Test
  void timestampsInTheSameMillisecond_areDuplicates() throws IOException {
    // Catches nanosecond timestamps compared as such but kept to the millisecond: Trace.of then
    // threw an IllegalArgumentException naming no file or line.
    assertBad("timestamp,value\n2020-01-01T00:00:00.0001Z,1\n2020-01-01T00:00:00.0002Z,2\n",
        ":3: duplicate timestamp 2020-01-01T00:00:00Z (also at line 2; times are kept to the "
            + "millisecond, to which \"2020-01-01T00:00:00.0002Z\" rounds down)");
    List<Row> t = read(write("ms.csv", "2020-01-01T00:00:00.0004Z,1\n"
        + "2020-01-01T00:00:00.0011Z,2\n"));
    assertThat(t.get(0).time()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
    assertThat(t.get(1).time()).isEqualTo(Instant.parse("2020-01-01T00:00:00.001Z"));
  }

  @Test
  void aLatin1HeaderIsHarmlessAndALatin1ValueNamesItsLine() throws IOException {
    // Catches a strict decoder that failed the whole file on one byte, naming no line
    // ("cannot be read: Input length = 1").
    Path header = dir.resolve("latin1-header.csv");
    Files.write(header, "# caf\u00e9\ntemp\u00e9rature,valeur\n60,1\n120,2\n"
        .getBytes(StandardCharsets.ISO_8859_1));
    List<Row> t = read(header.toString());
    assertThat(t).hasSize(2);
    assertThat(t.get(1).value()).isEqualTo(2);
    Path value = dir.resolve("latin1-value.csv");
    Files.write(value, "timestamp,value\n60,1\n120,2\u00b5\n"
        .getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> read(value.toString()))
        .isInstanceOf(TraceException.class)
        .hasMessage(value + ":3: value must be a number, but was \"2\uFFFD\" (the line is not "
            + "valid UTF-8: save the file as UTF-8)");
  }

  @Test
  void badTimestamp_isRejected() throws IOException {
    assertBad("60,1\nyesterday,2\n",
        ":2: timestamp must be ISO-8601 or epoch seconds, but was \"yesterday\"");
  }

  @Test
  void missingColumn_isRejected() throws IOException {
    assertBad("60\n", ":1: expected timestamp,value, but was \"60\"");
  }

  @Test
  void aDecimalCommaIsRejectedNotReadAsTheWholePart() throws IOException {
    assertBad("2020-01-01 00:00:00,1,5\n2020-01-01 00:05:00,2,5\n",
        ":1: expected timestamp,value, but was \"2020-01-01 00:00:00,1,5\" (3 fields; a decimal "
            + "comma? Extra columns are left out only under a header line naming them)");
  }

  @Test
  void extraColumnsNamedByTheHeaderAreLeftOut() throws IOException {
    Path f = dir.resolve("labelled.csv");
    Files.writeString(f, "timestamp,value,label\n60,1.5,0\n120,2,1\n");
    List<Row> t = read(f.toString());
    assertThat(t).hasSize(2);
    assertThat(t.get(0).value()).isEqualTo(1.5);
  }

  @Test
  void aHeaderNameWithDigitsAndATrailingCommaAreRead() throws IOException {
    List<Row> t = read(write("f.csv", "Time (UTC+1),Requests\n60,1,\n120,2, \n"));
    assertThat(t).hasSize(2);
    assertThat(t.get(1).value()).isEqualTo(2);
  }

  @Test
  void aBadFirstLineIsReportedNotTakenForAHeader() throws IOException {
    assertBad("2020-02-30T00:00:00Z,n/a\n2020-03-01T00:00:00Z,5\n",
        ":1: timestamp must be ISO-8601 or epoch seconds, but was \"2020-02-30T00:00:00Z\"");
  }

  /**
   * Pins the header rule as the README states it: the not-a-number values are {@code nan},
   * {@code inf} and {@code infinity} in any case with an optional sign, so {@code time,inf} is a
   * bad row; any other word ({@code infinite}, {@code n/a}) makes a header. The README said
   * "NaN or Infinity", which reads as if {@code time,inf} were a header.
   */
  @Test
  void theNotANumberValuesOfTheHeaderRuleAreExactlyNanInfAndInfinity() throws IOException {
    for (String value : List.of("inf", "INF", "+Inf", "-inf", "nan", "-NaN", "+nAn", "infinity",
        "-INFINITY", "\"+Infinity\"")) {
      assertBad("time," + value + "\n60,5\n",
          ":1: timestamp must be ISO-8601 or epoch seconds, but was \"time\"");
    }
    for (String value : List.of("infinite", "n/a", "nan%", "++inf", "value")) {
      assertThat(read(write("h.csv", "time," + value + "\n60,5\n")))
          .containsExactly(new Row(Instant.ofEpochSecond(60), 5, 2));
    }
  }

  /**
   * Catches a first line whose value is not-a-number being taken for a header: "garbage,NaN"
   * was skipped silently, and a row with a bad timestamp went unreported.
   */
  @Test
  void aFirstLineWhoseValueIsNotANumberIsARowNotAHeader() throws IOException {
    assertBad("garbage,NaN\n60,5\n120,6\n",
        ":1: timestamp must be ISO-8601 or epoch seconds, but was \"garbage\"");
    assertBad("Time,-Infinity\n60,5\n",
        ":1: timestamp must be ISO-8601 or epoch seconds, but was \"Time\"");
  }

  /** Catches a binary file's control bytes printed raw to the terminal in the error line. */
  @Test
  void controlCharactersInAnErrorAreEscaped() throws IOException {
    assertBad("60,\u001b[31mred\u0007\n",
        ":1: value must be a number, but was \"\\x1b[31mred\\x07\"");
  }

  /**
   * Catches format and separator characters printed raw where only control characters were
   * escaped: U+202E (right-to-left override) turned the rest of forecast-eval's line around.
   */
  @Test
  void formatAndSeparatorCharactersInAnErrorAreEscaped() throws IOException {
    assertBad("60,1\u202e2\u2028\u00ad3\n",
        ":1: value must be a number, but was \"1\\u202e2\\u2028\\xad3\"");
  }

  /** The escaper shared with simulate: what it escapes, and how. */
  @Test
  void escapeUnprintableEscapesWhatATerminalWouldNotPrintAsItself() {
    assertThat(CsvTraceReader.escapeUnprintable("a\u202eb\tc\u0085d\u2029e\uDB40\uDC01f"))
        .isEqualTo("a\\u202eb\\x09c\\x85d\\u2029e\\udb40\\udc01f");
    assertThat(CsvTraceReader.escapeUnprintable("\uD800x")).isEqualTo("\\ud800x");
    assertThat(CsvTraceReader.escapeUnprintable("température \"q\" \\ 名 \uD83D\uDE00"))
        .isEqualTo("température \"q\" \\ 名 \uD83D\uDE00");
  }

  @Test
  void aValueOfManyDigitsAndABadCharacterIsRejectedPromptly() {
    // Catches the number pattern backtracking: quadratic in the digits, minutes for this line.
    String value = "1".repeat(200_000) + "x";
    assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertBad("60," + value + "\n", ":1: value must be a number, but was \""
            + value.substring(0, 60).replace("\"", "\\\"") + "...\""));
  }

  @Test
  void emptyFile_isRejected() throws IOException {
    assertBad("", ": the file is empty");
  }

  @Test
  void headerOnly_isRejected() throws IOException {
    assertBad("timestamp,value\n", ": no samples: the file holds no timestamp,value line");
  }

  @Test
  void missingFile_isRejected() {
    String f = dir.resolve("nope.csv").toString();
    assertThatThrownBy(() -> read(f)).isInstanceOf(TraceException.class)
        .hasMessage(f + ": file not found");
  }

  @Test
  void notARegularFile_isRejected() {
    assertThatThrownBy(() -> read(dir.toString())).isInstanceOf(TraceException.class)
        .hasMessage(dir + ": not a regular file");
  }

  @Test
  void quotedFieldsAndAByteOrderMarkAreRead() throws IOException {
    List<Row> t = read(write("q.csv", "\uFEFF\"time\",\"value\"\n\"2014-04-10 00:04:00\",\"94\"\n"
        + "\" 2014-04-10T00:09:00Z \",3.5\n"));
    assertThat(t).containsExactly(new Row(Instant.parse("2014-04-10T00:04:00Z"), 94, 2),
        new Row(Instant.parse("2014-04-10T00:09:00Z"), 3.5, 3));
    // Without a header the mark must not turn the first row into one.
    assertThat(read(write("r.csv", "\uFEFF100,1\n400,2\n"))).hasSize(2);
  }

  /**
   * Catches a quoted field split at its comma: a note {@code "deploy, v2"} under a header naming
   * it made four fields, refused as a decimal comma, though quoted fields are promised.
   */
  @Test
  void aCommaInsideQuotesIsPartOfTheField() throws IOException {
    List<Row> t = read(write("q.csv", "timestamp,value,note\n2015-02-26T21:42:00Z,5,ok\n"
        + "2015-02-26T21:47:00Z,7,\"deploy, v2\"\n2015-02-26T21:52:00Z,7,x\n"
        + "2015-02-26T21:57:00Z,\"8\" , \"say \"\"hi, there\"\"\"\n"
        + "\"2015-02-26 22:02:00\",9,\"\"\n"));
    assertThat(t).extracting(Row::value).containsExactly(5.0, 7.0, 7.0, 8.0, 9.0);
    assertThat(t).extracting(Row::line).containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(t.get(4).time()).isEqualTo(Instant.parse("2015-02-26T22:02:00Z"));
  }

  /**
   * Pins the refusals that splitting quotes must keep: a decimal comma in quotes is one value
   * that is no number (not 1, nor 1234), unquoted it is still two fields, and a quote that is
   * not closed is read as written.
   */
  @Test
  void aQuotedDecimalCommaIsRefusedAsNoNumber() throws IOException {
    assertBad("60,\"1,234\"\n", ":1: value must be a number, but was \"1,234\"");
    assertBad("time,value,note\n60,\"1,234\",x\n",
        ":2: value must be a number, but was \"1,234\"");
    assertBad("60,1,234\n", ":1: expected timestamp,value, but was \"60,1,234\" (3 fields; a "
        + "decimal comma? Extra columns are left out only under a header line naming them)");
    assertBad("time,value\n60,\"5\n", ":2: value must be a number, but was \"\\\"5\"");
    assertBad("time,value\n60,\"5\"x\n", ":2: value must be a number, but was \"\\\"5\\\"x\"");
  }

  /**
   * Catches a leap second read silently as the second before it: {@code 23:59:60} after a row at
   * {@code 23:59:59} was refused as a duplicate of a time the line does not show. Alone, it is
   * read as {@code 23:59:59}, in any form that names UTC's last second of the day.
   */
  @Test
  void aLeapSecondIsReadAsTheSecondBeforeAndADuplicateSaysSo() throws IOException {
    assertBad("timestamp,value\n2016-12-31T23:59:59Z,1\n2016-12-31T23:59:60Z,2\n"
        + "2017-01-01T00:00:00Z,3\n", ":3: duplicate timestamp 2016-12-31T23:59:59Z (also at line "
        + "2): a leap second (23:59:60) is read as 23:59:59, since times here have no leap "
        + "seconds; line 3 holds one: leave out one of the two rows");
    assertBad("2016-12-31T23:59:60Z,2\n2016-12-31T23:59:59Z,1\n", ":2: duplicate timestamp "
        + "2016-12-31T23:59:59Z (also at line 1): a leap second (23:59:60) is read as 23:59:59, "
        + "since times here have no leap seconds; line 1 holds one: leave out one of the two rows");
    for (String leap : List.of("2016-12-31T23:59:60Z", "2016-12-31 23:59:60", "2016-12-31T23:59:60",
        "2017-01-01T00:59:60+01:00", "2017-01-01T00:59:60+0100")) {
      assertThat(read(write("leap.csv", "2016-12-31T23:59:58Z,1\n" + leap + ",2\n"
          + "2017-01-01T00:00:00Z,3\n"))).extracting(Row::time).as(leap).containsExactly(
              Instant.parse("2016-12-31T23:59:58Z"), Instant.parse("2016-12-31T23:59:59Z"),
              Instant.parse("2017-01-01T00:00:00Z"));
    }
    assertThat(read(write("frac.csv", "2016-12-31T23:59:60.5Z,2\n"))).extracting(Row::time)
        .containsExactly(Instant.parse("2016-12-31T23:59:59.500Z"));
    // Either case of T, a point without digits, before 1970: read as the parsers read them.
    for (String leap : List.of("2016-12-31t23:59:60z", "2016-12-31T23:59:60.Z",
        "1969-12-31T23:59:60Z")) {
      assertThat(read(write("case.csv", leap + ",2\n"))).extracting(Row::time).as(leap)
          .containsExactly(Instant.parse(leap.toUpperCase().replace(":60.", ":59")
              .replace(":60", ":59")));
    }
    assertBad("60,1\n2016-12-31t23:59:60-05:00,2\n", ":2: timestamp must be ISO-8601 or epoch "
        + "seconds, but was \"2016-12-31t23:59:60-05:00\"");
    // Rows in other seconds are out of order whatever the reading: no leap second's note.
    assertBad("2016-12-31T23:59:60Z,2\n2016-12-31T10:00:00Z,1\n", ":2: timestamps must "
        + "increase, but 2016-12-31T10:00:00Z follows 2016-12-31T23:59:59Z (line 1)");
    assertBad("2017-01-01T00:00:05Z,1\n2016-12-31T23:59:60Z,2\n", ":2: timestamps must "
        + "increase, but 2016-12-31T23:59:59Z follows 2017-01-01T00:00:05Z (line 1)");
    // Not the last second of a day in UTC: no leap second.
    assertBad("60,1\n2016-12-31T23:59:60+01:00,2\n", ":2: timestamp must be ISO-8601 or epoch "
        + "seconds, but was \"2016-12-31T23:59:60+01:00\"");
    assertBad("60,1\n2016-12-31T12:00:60Z,2\n", ":2: timestamp must be ISO-8601 or epoch "
        + "seconds, but was \"2016-12-31T12:00:60Z\"");
  }

  /**
   * Catches epoch milliseconds refused with a year of 47126 and no hint of why: the 13 digits
   * that Java and JavaScript write are read as seconds.
   */
  @Test
  void epochMillisecondsAreRefusedWithAHintToGiveSeconds() throws IOException {
    assertBad("1424986920000,5\n", ":1: timestamp must be from 1900 to 2199, but was "
        + "+47126-01-15T04:00:00Z; epoch milliseconds? Give seconds: 1424986920 is "
        + "2015-02-26T21:42:00Z");
    assertBad("60,1\n-2208988799500,5\n", ":2: timestamp must be from 1900 to 2199, but was "
        + "-68031-12-07T00:08:20Z; epoch milliseconds? Give seconds: -2208988799.5 is "
        + "1900-01-01T00:00:00.500Z");
    // Seconds just outside the range, or a year past 5000 in fewer than 12 digits: no hint.
    assertBad("7258118400,5\n", ":1: timestamp must be from 1900 to 2199, but was "
        + "2200-01-01T00:00:00Z");
    assertBad("-2208988801,5\n", ":1: timestamp must be from 1900 to 2199, but was "
        + "1899-12-31T23:59:59Z");
    assertBad("99999999999,5\n", ":1: timestamp must be from 1900 to 2199, but was "
        + "5138-11-16T09:46:39Z");
    // Out of range as milliseconds too: no hint.
    assertBad("9e12,5\n", ":1: timestamp must be from 1900 to 2199, but was "
        + "+287168-08-24T16:00:00Z");
    assertBad("2200-01-01T00:00:00Z,5\n", ":1: timestamp must be from 1900 to 2199, but was "
        + "2200-01-01T00:00:00Z");
  }

  @Test
  void readsFromAnyReaderNamingTheGivenFile() {
    try (CsvTraceReader r = CsvTraceReader.of("mem.csv",
        new BufferedReader(new StringReader("60,1\n60,2\n")))) {
      assertThat(r.next()).isTrue();
      assertThatThrownBy(r::next).isInstanceOf(TraceException.class)
          .hasMessage("mem.csv:2: duplicate timestamp 1970-01-01T00:01:00Z (also at line 1)");
    }
  }

  @Test
  void askingForASampleBeforeNext_isRejected() {
    try (CsvTraceReader r = CsvTraceReader.of("mem.csv",
        new BufferedReader(new StringReader("60,1\n")))) {
      assertThatThrownBy(r::value).isInstanceOf(IllegalStateException.class)
          .hasMessage("no sample yet: call next() first");
      assertThat(r.next()).isTrue();
      assertThat(r.next()).isFalse();
      assertThat(r.value()).isEqualTo(1); // the last sample stays readable
    }
  }
}
