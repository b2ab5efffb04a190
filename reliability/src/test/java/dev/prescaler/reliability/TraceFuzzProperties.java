package dev.prescaler.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.prescaler.forecast.trace.TraceException;
import dev.prescaler.simulator.trace.Trace;
import dev.prescaler.simulator.trace.TraceFormat;
import dev.prescaler.simulator.trace.TraceReader;
import java.io.BufferedReader;
import java.io.StringReader;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the simulator's trace reader ({@code nab-csv}: {@code timestamp,value}) with generated
 * files: mostly valid lines (ISO-8601 and epoch-second timestamps, headers, comments, quotes, a
 * byte-order mark, blank lines) mixed with corrupt ones (non-numbers, NaN, infinities, negative
 * values, huge exponents, out-of-range dates, repeated or decreasing times, missing fields, random
 * characters). The documented outcome: a {@link Trace} of finite, non-negative values at strictly
 * increasing times, or a {@link TraceException} whose one-line message is
 * {@code file:line: problem}, the line one of the file's ({@code file: problem} only for a
 * problem of the whole file: empty, or no sample at all).
 */
class TraceFuzzProperties {
  /** Generated trace files per run. */
  static final int EXAMPLES = 1000;

  // Instants beyond the epoch-millisecond range ended in ArithmeticException before the reader
  // bounded them (see timestampsBeyondTheMillisecondRangeAreATraceError).
  private static final String[] BAD_TIMES = {
    "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "1800-01-01T00:00:00Z",
    "", "yesterday", "2026-02-30T00:00:00Z", "+10000-01-01T00:00:00Z", "1e13", "1e300", "-1e13",
    "NaN", "0x10", "2026-01-01 25:00:00",
    "\"2026-01-01T00:00:00Z", "2026-01-01T00:00:00+19:00", "9".repeat(40)
  };
  private static final String[] BAD_VALUES = {
    "", "abc", "NaN", "nan", "+Inf", "-inf", "Infinity", "-1", "-0.0", "1e400", "1e-400", "1,5",
    "0x1p3", "1_000", "\"12\"", "1e", ".", "+", "١٢"
  };

  @Test
  void generatedTraceFilesGiveATraceOrTheDocumentedError() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      String text = traceText(new Random(seed));
      Throwable t = catchThrowable(() -> {
        Trace trace = TraceReader.readAll("fuzz.csv",
            TraceFormat.NAB_CSV.reader("fuzz.csv", new BufferedReader(new StringReader(text))));
        for (int i = 0; i < trace.size(); i++) {
          assertThat(trace.value(i)).isFinite().isGreaterThanOrEqualTo(0);
          if (i > 0) {
            assertThat(trace.timeMillis(i)).isGreaterThan(trace.timeMillis(i - 1));
          }
        }
      });
      if (t != null) {
        assertThat(t).as("input:\n%s", text).isInstanceOf(TraceException.class);
        assertDocumentedForm((TraceException) t, text);
      }
    });
  }

  /**
   * The documented form of the error: one line, {@code fuzz.csv:<line>: <problem>}, the line
   * being one of the file's, except for the problems of the whole file (empty, or no sample at
   * all), which are {@code fuzz.csv: <problem>}.
   */
  private static void assertDocumentedForm(TraceException e, String text) {
    String what = "message of " + e.problem() + " for input:\n" + text;
    assertThat(e.getMessage()).as(what).doesNotContain("\n").doesNotContain("\r");
    assertThat(e.problem()).as(what).isNotBlank();
    boolean wholeFile = e.problem().equals("the file is empty")
        || e.problem().startsWith("no samples: ");
    if (wholeFile) {
      assertThat(e.line()).as(what).isZero();
      assertThat(e.getMessage()).as(what).isEqualTo("fuzz.csv: " + e.problem());
    } else {
      long lines = new BufferedReader(new StringReader(text)).lines().count();
      assertThat(e.line()).as(what).isBetween(1L, lines);
      assertThat(e.getMessage()).as(what)
          .isEqualTo("fuzz.csv:" + e.line() + ": " + e.problem())
          .matches("fuzz\\.csv:[1-9][0-9]*: .+");
    }
  }

  /**
   * Found by this fuzz: an ISO date beyond the range of epoch
   * milliseconds, as the last sample, reaches {@code Trace.of} and fails there with
   * {@code ArithmeticException: long overflow} instead of a {@link TraceException}.
   */
  @Test
  void timestampsBeyondTheMillisecondRangeAreATraceError() {
    String[] texts = {
        "2026-01-01T00:00:00Z,1\n+999999999-12-31T23:59:59Z,2\n",
        "-999999999-01-01T00:00:00Z,1\n2026-01-01T00:00:00Z,2\n"};
    int[] badLine = {2, 1};
    for (int i = 0; i < texts.length; i++) {
      String text = texts[i];
      Throwable t = catchThrowable(() -> TraceReader.readAll("fuzz.csv",
          TraceFormat.NAB_CSV.reader("fuzz.csv", new BufferedReader(new StringReader(text)))));
      assertThat(t).isInstanceOf(TraceException.class);
      assertThat(t.getMessage()).startsWith("fuzz.csv:" + badLine[i] + ": ");
      assertDocumentedForm((TraceException) t, text);
    }
  }

  static String traceText(Random random) {
    StringBuilder b = new StringBuilder();
    if (random.nextInt(10) == 0) {
      b.append('\uFEFF');
    }
    if (random.nextBoolean()) {
      b.append(random.nextBoolean() ? "timestamp,value\n" : "\"timestamp\",\"value\"\n");
    }
    long t = 1_700_000_000L + random.nextInt(1_000_000);
    int n = random.nextInt(40);
    for (int i = 0; i < n; i++) {
      t += random.nextInt(10) == 0 ? -random.nextInt(100) : 1 + random.nextInt(600);
      String time = random.nextBoolean() ? Long.toString(t)
          : java.time.Instant.ofEpochSecond(t).toString();
      String value = Double.toString(random.nextDouble() * 1000);
      switch (random.nextInt(12)) {
        case 0 -> time = BAD_TIMES[random.nextInt(BAD_TIMES.length)];
        case 1 -> value = BAD_VALUES[random.nextInt(BAD_VALUES.length)];
        case 2 -> b.append("# comment ").append(i).append('\n');
        case 3 -> b.append('\n');
        case 4 -> value = value + "," + random.nextInt(5);
        case 5 -> {
          b.append(randomText(random)).append('\n');
          continue;
        }
        case 6 -> time = "\"" + time + "\"";
        default -> { }
      }
      b.append(time).append(random.nextInt(8) == 0 ? "" : ",").append(value)
          .append(random.nextInt(10) == 0 ? "\r\n" : "\n");
    }
    return b.toString();
  }

  private static String randomText(Random random) {
    StringBuilder b = new StringBuilder();
    int n = random.nextInt(30);
    for (int i = 0; i < n; i++) {
      b.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0x3000)));
    }
    return b.toString().replace("\n", " ").replace("\r", " ");
  }
}
