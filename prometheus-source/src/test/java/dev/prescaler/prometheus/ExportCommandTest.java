package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.cli.Printable;
import dev.prescaler.prometheus.cli.ExportCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code prescaler export} against a loopback stub that answers every range query with one value
 * per point (t mod 1000, NaN where t is a multiple of 7); the real server is in {@code
 * PrometheusMetricSourceIT}.
 */
class ExportCommandTest {
  private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir Path dir;
  private StubPrometheus stub;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @AfterEach
  void close() {
    if (stub != null) {
      stub.close();
    }
  }

  private void answerPerPoint(int seriesCount) throws IOException {
    stub = new StubPrometheus();
    stub.answer(stub.range(seriesCount, (q, t) -> t % 7 == 0 ? "NaN" : (t % 1000) + ".25"));
  }

  private int run(String... args) {
    return ExportCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), CLOCK);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void readsABackendThatAlignsRangeQueriesToTheStep() throws IOException {
    // --from off the minute; the backend moves the start down to a whole minute.
    stub = new StubPrometheus();
    stub.answer(stub.aligningRange((q, t) -> "" + (t % 1000)));
    Path file = dir.resolve("web.csv");

    int code = run("--prometheus", stub.uri().toString(), "--query", "q", "--from",
        "2026-11-29T06:59:30.5Z", "--to", "2026-11-29T10:00:00Z", "--out", file.toString());

    assertThat(code).as(err()).isZero();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2 + 180);
    // The provenance line names the first row's time and says why it is not --from.
    assertThat(lines.get(0)).contains(", from 2026-11-29T07:00:00Z (--from "
        + "2026-11-29T06:59:30.500Z rounded up to a whole step) to 2026-11-29T10:00:00Z,");
    long t0 = NOW.minusSeconds(3 * 3600).getEpochSecond();
    for (int i = 0; i < 180; i++) {
      long t = t0 + 60L * i;
      assertThat(lines.get(2 + i)).isEqualTo(Instant.ofEpochSecond(t) + "," + (t % 1000));
    }
  }

  @Test
  void aSpanHoldingNoWholeStepIsRefusedSayingSo() throws IOException {
    stub = new StubPrometheus();
    stub.answer(stub.aligningRange((q, t) -> "1"));

    int code = run("--prometheus", stub.uri().toString(), "--query", "q", "--from",
        "2026-11-29T06:59:30Z", "--to", "2026-11-29T06:59:50Z");

    assertThat(code).isEqualTo(2);
    assertThat(err()).isEqualTo("export: --from 2026-11-29T06:59:30Z --to 2026-11-29T06:59:50Z: "
        + "no whole step of 60s (counted from 1970-01-01T00:00:00Z, as the rows are) falls in the "
        + "span; widen it\n");
  }

  @Test
  void writesOneRowPerStepWithAValueUnderAProvenanceLine() throws IOException {
    answerPerPoint(1);
    Path file = dir.resolve("web.csv");

    int code = run("--prometheus", stub.uri().toString(), "--query", "sum(rate(x[5m]))",
        "--last", "3h", "--step", "1m", "--out", file.toString());

    assertThat(code).as(err()).isZero();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0)).startsWith("# exported from Prometheus http://127.0.0.1:")
        .endsWith("by prescaler export: query sum(rate(x[5m])), from 2026-11-29T07:00:00Z to "
            + "2026-11-29T10:00:00Z, step 60s, 155 of 180 steps with a value");
    assertThat(lines.get(1)).isEqualTo("timestamp,value");
    assertThat(lines).hasSize(2 + 155);
    long t0 = NOW.minusSeconds(3 * 3600).getEpochSecond();
    int row = 2;
    for (long t = t0; t < NOW.getEpochSecond(); t += 60) {
      if (t % 7 != 0) { // a NaN step is left out, not written as NaN or 0
        assertThat(lines.get(row++)).isEqualTo(Instant.ofEpochSecond(t) + "," + (t % 1000)
            + ".25");
      }
    }
    assertThat(err()).isEqualTo("export: wrote 155 rows to " + file
        + " (25 steps without a value left out)\n");
    assertThat(out.size()).isZero();
  }

  @Test
  void aTraceThatCannotBeWrittenToStdoutExitsOneSayingSo() throws IOException {
    answerPerPoint(1);
    OutputStream full = new OutputStream() {
      private int written;

      @Override
      public void write(int b) throws IOException {
        if (++written > 4096) {
          throw new IOException("No space left on device");
        }
      }
    };

    int code = ExportCommand.run(new String[] {"--prometheus", stub.uri().toString(), "--query",
        "q", "--last", "1d"}, new PrintStream(full, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), CLOCK);

    assertThat(code).isEqualTo(1);
    assertThat(err()).isEqualTo("export: cannot write stdout (a closed pipe or a full disk?): "
        + "the trace written there is incomplete\n");
  }

  @Test
  void longSpansAreReadInChunksUnderTheServersPointLimit() throws IOException {
    answerPerPoint(1);

    int code = run("--prometheus", stub.uri().toString(), "--query", "q", "--from",
        "2026-11-01T00:00:00Z", "--to", "1795946400", "--step", "15s");

    assertThat(code).as(err()).isZero();
    // 28 days and 10 hours at 15 s: 163,680 steps, 17 requests of at most 10,000 points.
    assertThat(stub.requests()).hasSize(17);
    long nan = 0;
    for (long t = 1793491200L; t < 1795946400L; t += 15) {
      nan += t % 7 == 0 ? 1 : 0;
    }
    assertThat(nan).isEqualTo(23_383);
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(2 + 163_680 - 23_383);
  }

  @Test
  void aSpanOfThousandsOfYearsIsCountedWithoutOverflow() throws IOException {
    // 99,999,999,999 s is more nanoseconds than a long holds, but only 318 steps of 3650 days.
    // No value after 2199, where simulate reads no trace, and export writes none.
    long until = Instant.parse("2200-01-01T00:00:00Z").getEpochSecond();
    stub = new StubPrometheus();
    stub.answer(stub.range(1, (q, t) -> t % 7 == 0 || t >= until ? "NaN" : (t % 1000) + ".25"));

    int code = run("--prometheus", stub.uri().toString(), "--query", "q", "--from", "0", "--to",
        "99999999999", "--step", "3650d");

    assertThat(code).as(err()).isZero();
    assertThat(stub.requests()).hasSize(1);
    assertThat(stub.requests().get(0).form()).containsEntry("start", "0.000")
        .containsEntry("end", "99969120000.000").containsEntry("step", "3650d");
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0)).endsWith("from 1970-01-01T00:00:00Z to 5138-11-16T09:46:39Z, step "
        + "315360000s, 20 of 318 steps with a value");
    assertThat(lines).hasSize(2 + 20).endsWith("2199-11-06T00:00:00Z,0.25");
  }

  @Test
  void credentialsInTheUrlAreRefusedWithoutBeingEchoed() throws IOException {
    // They would not be sent (the JDK client ignores user info) and would show in messages.
    answerPerPoint(1);
    String url = stub.uri().toString().replace("http://", "http://admin:hunter2@");

    int code = run("--prometheus", url, "--query", "q", "--last", "1h");

    assertThat(code).isEqualTo(2);
    assertThat(err()).isEqualTo("export: --prometheus must not hold credentials (user info): use "
        + "--basic-auth-file or --bearer-token-file, which keep them off the command line, but "
        + "was \"" + stub.uri().toString().replace("http://", "http://***@") + "\"\n");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(stub.requests()).isEmpty();
  }

  /** A header's value may be a credential (an API key): messages name the header, never it. */
  @Test
  void headerValuesAreNeverEchoed() {
    String[][] cases = {{"X-Api-Key: s3cr3t\u0001"}, {"X-Api-Key: s3cr3t\nX-Other: 1"},
        {"X-Api-Key=s3cr3t"}, {"Host: s3cr3t"}};
    String[] expected = {
        "export: --header \"X-Api-Key: (value not shown)\" must have a value of visible "
            + "characters, spaces and tabs (no control character, none above U+00FF), but its "
            + "character 7 is U+0001",
        "export: --header \"X-Api-Key: (value not shown)\" must have a value of visible "
            + "characters, spaces and tabs (no control character, none above U+00FF), but its "
            + "character 7 is U+000A",
        "export: --header must be NAME: VALUE, such as 'X-Scope-OrgID: tenant-1', but it has no "
            + "colon (not shown: it may hold a credential)",
        "export: --header \"Host: (value not shown)\" must not be set (the HTTP client sets "
            + "Connection, Content-Length, Expect, Host and Upgrade itself)",
    };
    for (int i = 0; i < cases.length; i++) {
      err.reset();
      assertThat(run("--prometheus", "http://127.0.0.1:9/", "--query", "q", "--header",
          cases[i][0])).as("case %d", i).isEqualTo(2);
      assertThat(err()).as("case %d", i).isEqualTo(expected[i] + "\n")
          .doesNotContain("s3cr3t");
    }
  }

  /**
   * Catches a header the builder refuses reported in the builder's words ({@code header X-Org
   * must ...}, {@code header Host must not be set ...}) where every other bad option names
   * itself, and a header without a valid name reported without saying what is wrong with it.
   * Each is one line naming {@code --header} and, where it has one, the header's name; never
   * its value, which may be a credential. What is refused is the builder's rule, unchanged:
   * the last cases are still sent.
   */
  @Test
  void everyHeaderErrorNamesTheOptionAndTheHeaderNeverItsValue() throws IOException {
    String[] cases = {"X-Org", "s3cr3t", ": s3cr3t", "X Org: s3cr3t", "X\u0001Org: s3cr3t",
        "X\u00e9: s3cr3t", "X-Org: s3cr3t\r\nX-Other: 1", "X-Org: s3cr3t\u20ac",
        "Accept: s3cr3t", "transfer-encoding: s3cr3t", "Content-Length: 3", "Upgrade: s3cr3t",
        "AUTHORIZATION: Bearer s3cr3t"};
    String notShown = " (not shown: it may hold a credential)";
    String tokenRule = ", which a header name cannot (letters, digits and !#$%&'*+-.^_`|~ only)";
    String form = "export: --header must be NAME: VALUE, such as 'X-Scope-OrgID: tenant-1', but ";
    String value = " must have a value of visible characters, spaces and tabs (no control "
        + "character, none above U+00FF), but its character ";
    String[] expected = {
        form + "it has no colon" + notShown,
        form + "it has no colon" + notShown,
        form + "it has no name before its colon" + notShown,
        form + "its name, before the colon, holds U+0020 at character 2" + tokenRule + notShown,
        form + "its name, before the colon, holds U+0001 at character 2" + tokenRule + notShown,
        form + "its name, before the colon, holds U+00E9 at character 2" + tokenRule + notShown,
        "export: --header \"X-Org: (value not shown)\"" + value + "7 is U+000D",
        "export: --header \"X-Org: (value not shown)\"" + value + "7 is U+20AC",
        "export: --header \"Accept: (value not shown)\" must not be set (the source sets Accept, "
            + "Accept-Encoding and Content-Type itself, and the body's framing is the client's)",
        "export: --header \"transfer-encoding: (value not shown)\" must not be set (the source "
            + "sets Accept, Accept-Encoding and Content-Type itself, and the body's framing is "
            + "the client's)",
        "export: --header \"Content-Length: (value not shown)\" must not be set (the HTTP client "
            + "sets Connection, Content-Length, Expect, Host and Upgrade itself)",
        "export: --header \"Upgrade: (value not shown)\" must not be set (the HTTP client sets "
            + "Connection, Content-Length, Expect, Host and Upgrade itself)",
        "export: --header \"AUTHORIZATION: (value not shown)\" cannot set Authorization: use "
            + "--bearer-token-file or --basic-auth-file, which keep it off the command line",
    };
    answerPerPoint(1);
    String url = stub.uri().toString();
    for (int i = 0; i < cases.length; i++) {
      err.reset();
      assertThat(run("--prometheus", url, "--query", "q", "--last", "1h", "--header",
          "X-Scope-OrgID: tenant-1", "--header", cases[i])).as(cases[i]).isEqualTo(2);
      assertThat(err()).as(cases[i]).isEqualTo(expected[i] + "\n").doesNotContain("s3cr3t");
    }
    assertThat(stub.requests()).isEmpty();
    assertThat(out.size()).isZero();
    // Still sent, as the builder takes them: an empty value, a tab, Latin-1, a symbol in a name.
    for (String ok : List.of("X-Empty:", "X-Tab: a\tb", "X-Latin: caf\u00e9", "X.Org~1: v")) {
      err.reset();
      assertThat(run("--prometheus", url, "--query", "q", "--last", "1h", "--header", ok))
          .as(ok + ": " + err()).isZero();
    }
  }

  /**
   * Catches {@code --last} and {@code --timeout} rounding a part of a millisecond where {@code
   * --step} refuses it: {@code --timeout 30.0000001s} ran with 30 s, {@code 0.5ms} with 1 ms,
   * {@code --last 1.0000001h} read 1 h, {@code --last PT1H0.0000001S} started the span at a
   * part of a millisecond. Refused now in every form, by the check {@code --step} uses, before
   * any request; zero, negative or rounding to zero were and are refused by the range.
   */
  @Test
  void lastAndTimeoutOfPartMillisecondsAreRefusedInEveryForm() throws IOException {
    answerPerPoint(1);
    String url = stub.uri().toString();
    for (String option : List.of("--last", "--timeout")) {
      // Within each option's range: a --timeout over 10m is refused by its range first.
      String hour = option.equals("--timeout") ? "0.1000001h" : "1.0000001h";
      for (String d : List.of("30.0000001s", "0.5ms", "1.5ms", hour, "PT30.0000001S",
          "30.0004")) {
        err.reset();
        assertThat(run("--prometheus", url, "--query", "q", option, d))
            .as(option + " " + d).isEqualTo(2);
        assertThat(err()).as(option + " " + d).isEqualTo("export: " + option + " must be a "
            + "whole number of milliseconds, but was \"" + d + "\"\n");
      }
      for (String d : List.of("0.0004s", "0", "0ms", "PT0.0004S", "P-1D", "-1s")) {
        err.reset();
        assertThat(run("--prometheus", url, "--query", "q", option, d))
            .as(option + " " + d).isEqualTo(2);
        assertThat(err()).as(option + " " + d).isEqualTo("export: " + option + " must be a "
            + "duration from 1ms to " + (option.equals("--timeout") ? "10m such as 30s, 2m or "
            + "PT30S" : "3650d such as 60s, 15m, 7d or PT15M") + ", but was \"" + d + "\"\n");
      }
    }
    assertThat(stub.requests()).isEmpty();
    assertThat(out.size()).isZero();
    for (String[] ok : new String[][] {{"--last", "1.000h"}, {"--last", "PT1H"},
        {"--timeout", "30000ms"}, {"--timeout", "1.5"}}) {
      out.reset();
      err.reset();
      assertThat(run("--prometheus", url, "--query", "q", ok[0], ok[1]))
          .as(ok[0] + " " + ok[1] + ": " + err()).isZero();
    }
  }

  /** A password holding '/', '?' or '#' ends the authority early: still found, never shown. */
  @Test
  void credentialsWithSlashQuestionMarkOrHashAreNotEchoed() {
    for (String url : List.of("http://admin:pa/ss@prom:9090", "http://admin:pa?ss@prom:9090",
        "http://admin:pa#ss@prom:9090", "http://admin:12#34@prom:9090/",
        "http://admin:12/34@prom:9090/")) {
      err.reset();
      assertThat(run("--prometheus", url, "--query", "q", "--ca-cert", "ca.pem"))
          .as(url).isEqualTo(2);
      assertThat(err()).as(url).contains("***@prom:9090").doesNotContain("admin")
          .doesNotContain("ss@").doesNotContain("34@");
    }
  }

  @Test
  void credentialsInAnInvalidUrlAreNotEchoedEither() {
    int code = run("--prometheus", "http://admin:hunter2@prom_1:9090/?x", "--query", "q");

    assertThat(code).isEqualTo(2);
    assertThat(err()).startsWith("export: --prometheus must not hold credentials (user info)")
        .contains("http://***@prom_1:9090/?x").doesNotContain("hunter2").doesNotContain("admin");
  }

  @Test
  void headersAndBasicAuthenticationAreSent() throws IOException {
    answerPerPoint(1);
    Path auth = dir.resolve("auth");
    Files.writeString(auth, "reader:s3cr:et\n");

    int code = run("--prometheus", stub.uri().toString(), "--query", "q", "--last", "1h",
        "--header", "X-Scope-OrgID: tenant-1", "--header=X-Team:shop",
        "--basic-auth-file", auth.toString());

    assertThat(code).as(err()).isZero();
    StubPrometheus.Request req = stub.requests().get(0);
    assertThat(req.header("X-Scope-OrgID")).isEqualTo("tenant-1");
    assertThat(req.header("X-Team")).isEqualTo("shop");
    assertThat(req.header("Authorization")).isEqualTo("Basic " + java.util.Base64.getEncoder()
        .encodeToString("reader:s3cr:et".getBytes(StandardCharsets.UTF_8)));
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("s3cr")
        .doesNotContain("tenant-1");
  }

  @Test
  void severalSeriesAreRefusedAndNothingIsWritten() throws IOException {
    answerPerPoint(2);
    Path file = dir.resolve("web.csv");
    Files.writeString(file, "an older trace\n");

    int code = run("--prometheus", stub.uri().toString(), "--query", "rate(x[5m])", "--last",
        "1h", "--out", file.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err()).startsWith("export: ambiguous history: the query returned 2 series where "
        + "one was expected").endsWith("(query: rate(x[5m]))\n");
    assertThat(Files.readString(file)).isEqualTo("an older trace\n");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no temporary file left behind
    }
  }

  @Test
  void aQueryWithNoValueIsAFailureNotAnEmptyTrace() throws IOException {
    stub = new StubPrometheus();
    stub.answer(StubPrometheus.json(200, "{\"status\":\"success\",\"data\":{\"resultType\":"
        + "\"matrix\",\"result\":[]}}"));
    Path file = dir.resolve("web.csv");

    int code = run("--prometheus", stub.uri().toString(), "--query", "absent_metric",
        "--last", "1h", "--out", file.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err()).isEqualTo("export: the query returned no value from 2026-11-29T09:00:00Z "
        + "to 2026-11-29T10:00:00Z (query: absent_metric)\n");
    assertThat(file).doesNotExist();

    // A query over several lines, with an ESC sequence, is quoted on one harmless line.
    err.reset();
    assertThat(run("--prometheus", stub.uri().toString(), "--query",
        "sum(rate(x[5m]))\n  / 2 \u001b[31mRED", "--last", "1h", "--out", file.toString()))
        .isEqualTo(1);
    assertThat(err()).endsWith("(query: sum(rate(x[5m])) / 2 \\x1b[31mRED)\n");
  }

  @Test
  void anApiErrorIsReportedOnOneLine() throws IOException {
    stub = new StubPrometheus();
    stub.answer(StubPrometheus.json(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
        + "\"error\":\"parse error at char 4: unclosed left parenthesis\"}"));

    int code = run("--prometheus", stub.uri().toString(), "--query", "sum(", "--last", "1h");

    assertThat(code).isEqualTo(1);
    assertThat(err()).startsWith("export: ").contains("unclosed left parenthesis")
        .hasLineCount(1);
  }

  /**
   * Catches an error from Prometheus printed raw, over several lines and with what a terminal
   * acts on: it quotes the query, written over several lines as the README's examples are, and
   * the server's error text. It is one line now, escaped as the other errors are.
   */
  @Test
  void anErrorQuotingAQueryOverSeveralLinesIsOneEscapedLine() throws IOException {
    String query = "sum(\n  rate(x[5m])\n) \u001b[31m";
    stub = new StubPrometheus();
    stub.answer(StubPrometheus.json(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
        + "\"error\":\"parse error\\nat char 4\\u202e\"}"));

    assertThat(run("--prometheus", stub.uri().toString(), "--query", query, "--last", "1h"))
        .isEqualTo(1);
    assertThat(err()).isEqualTo("export: Prometheus answered HTTP 400 bad_data: parse error at "
        + "char 4\\u202e (query: sum( rate(x[5m]) ) \\x1b[31m)\n");
  }

  /**
   * Catches the query written raw into the trace's provenance line, where the errors escape it:
   * an ESC sequence in it landed in the file and reached the terminal of whoever printed the
   * trace, a U+2028 or U+0085 in it broke the line for an editor, a U+202E turned it around. The
   * base URL's path, decoded, was written raw too. Both are escaped as the errors escape them,
   * and the line stays one comment line before the header, which simulate --trace skips.
   */
  @Test
  void theProvenanceLineEscapesTheQueryAndTheUrl() throws IOException {
    answerPerPoint(1);
    Path file = dir.resolve("web.csv");
    String base = "http://127.0.0.1:" + stub.uri().getPort() + "/a%E2%80%AEb/";

    int code = run("--prometheus", base, "--query",
        "sum(x)\t/\n 2 \u001b[2J\u0085\u2028\u202eend\r", "--last", "1h", "--out",
        file.toString());

    assertThat(code).as(err()).isZero();
    String text = Files.readString(file, StandardCharsets.UTF_8);
    List<String> lines = List.of(text.split("\n", -1));
    assertThat(lines.get(0)).isEqualTo("# exported from Prometheus http://127.0.0.1:"
        + stub.uri().getPort() + "/a\\u202eb/ by prescaler export: query sum(x) / 2 "
        + "\\x1b[2J\\x85\\u2028\\u202eend, from 2026-11-29T09:00:00Z to "
        + "2026-11-29T10:00:00Z, step 60s, 52 of 60 steps with a value");
    assertThat(lines.get(1)).isEqualTo("timestamp,value");
    assertThat(lines).hasSize(2 + 52 + 1); // the last is empty: the file ends with a newline
    assertThat(text.codePoints().filter(c -> c != '\n' && Printable.isUnprintable(c)))
        .isEmpty();
  }

  /**
   * Catches the label values of an ambiguous history printed raw: they are whatever was scraped,
   * and a newline in one split the one-line error, an ESC sequence in one reached the terminal.
   */
  @Test
  void anAmbiguousHistoryIsOneEscapedLineWhateverItsLabelsHold() throws IOException {
    String query = "sum(\n  rate(x[5m])\n) \u001b[31m";
    stub = new StubPrometheus();
    stub.answer(StubPrometheus.json(200, "{\"status\":\"success\",\"data\":{\"resultType\":"
        + "\"matrix\",\"result\":[{\"metric\":{\"pod\":\"new\\nline\\u001b[2J\"},\"values\":[]},"
        + "{\"metric\":{\"pod\":\"b\"},\"values\":[]}]}}"));

    assertThat(run("--prometheus", stub.uri().toString(), "--query", query, "--last", "1h"))
        .isEqualTo(1);
    assertThat(err()).isEqualTo("export: ambiguous history: the query returned 2 series where "
        + "one was expected: {pod=new\\x0aline\\x1b[2J}, {pod=b} (query: sum( rate(x[5m]) ) "
        + "\\x1b[31m)\n");
  }

  /**
   * Catches the file name on the success line printed raw: an ESC sequence in it reached the
   * terminal.
   */
  @Test
  void theFileNameOnTheSuccessLineIsEscaped() throws IOException {
    answerPerPoint(1);
    Path file = dir.resolve("web\u001b[31m.csv");
    assertThat(run("--prometheus", stub.uri().toString(), "--query", "q", "--last", "1h",
        "--out", file.toString())).as(err()).isZero();
    assertThat(err()).isEqualTo("export: wrote 52 rows to " + dir + "/web\\x1b[31m.csv (8 steps "
        + "without a value left out)\n");
  }

  /**
   * Catches export writing, and exiting 0 on, a trace that {@code simulate --trace} then
   * refuses: its reader takes values of at least 0 at times from 1900 to 2199 only. Such a
   * history is refused before anything is written, naming the first row it would refuse: the
   * file given keeps what it held, no temporary file is left beside it, nothing goes to stdout.
   */
  @Test
  void aHistorySimulateCannotReadIsRefusedAndNothingIsWritten() throws IOException {
    long bad = NOW.minusSeconds(1800).getEpochSecond();
    stub = new StubPrometheus();
    stub.answer(stub.aligningRange((q, t) -> t == bad ? "-2.5" : t > bad ? "-1" : "3"));
    Path file = dir.resolve("web.csv");
    Files.writeString(file, "an older trace\n");
    String url = stub.uri().toString();
    String why = ", which simulate --trace cannot read: a trace's ";

    assertThat(run("--prometheus", url, "--query", "q", "--last", "1h", "--out",
        file.toString())).isEqualTo(1);
    assertThat(err()).isEqualTo("export: the query returned -2.5 at 2026-11-29T09:30:00Z" + why
        + "values must be >= 0 (a load is never negative: check the query, or wrap it in "
        + "clamp_min(..., 0) to read such steps as 0); nothing was written\n");
    assertThat(Files.readString(file)).isEqualTo("an older trace\n");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no temporary file left behind
    }
    err.reset();
    assertThat(run("--prometheus", url, "--query", "q", "--last", "1h")).isEqualTo(1);
    assertThat(err()).startsWith("export: the query returned -2.5 at 2026-11-29T09:30:00Z");
    assertThat(out.size()).isZero();

    stub.close();
    stub = new StubPrometheus();
    stub.answer(stub.aligningRange((q, t) -> "1"));
    url = stub.uri().toString();
    String[][] spans = {{"1899-12-31T23:58:00Z", "1900-01-01T00:02:00Z", "1899-12-31T23:58:00Z"},
        {"2199-12-31T23:58:00Z", "2200-01-01T00:02:00Z", "2200-01-01T00:00:00Z"}};
    for (String[] span : spans) {
      err.reset();
      assertThat(run("--prometheus", url, "--query", "q", "--from", span[0], "--to", span[1],
          "--out", file.toString())).as(span[0]).isEqualTo(1);
      assertThat(err()).as(span[0]).isEqualTo("export: the query returned 1 at " + span[2] + why
          + "times must be from 1900 to 2199 (narrow the span); nothing was written\n");
      assertThat(Files.readString(file)).isEqualTo("an older trace\n");
    }
    assertThat(out.size()).isZero();

    // The edges simulate reads are written: 1900 and 2199, a value of 0 (and -0, written as 0).
    stub.close();
    stub = new StubPrometheus();
    stub.answer(stub.aligningRange((q, t) -> t % 120 == 0 ? "0" : "-0"));
    url = stub.uri().toString();
    for (String[] span : new String[][] {{"1900-01-01T00:00:00Z", "1900-01-01T00:03:00Z"},
        {"2199-12-31T23:57:00Z", "2200-01-01T00:00:00Z"}}) {
      err.reset();
      assertThat(run("--prometheus", url, "--query", "q", "--from", span[0], "--to", span[1],
          "--out", file.toString())).as(span[0] + ": " + err()).isZero();
      List<String> rows = Files.readAllLines(file);
      assertThat(rows.subList(2, rows.size())).as(span[0]).hasSize(3)
          .allMatch(row -> row.endsWith(",0"));
      assertThat(rows.get(2)).startsWith(span[0] + ",");
    }
  }

  @Test
  void badArgumentsGiveExitCodeTwoAndOneLineNamingTheOption() {
    String[][] cases = {
        {"--query", "q"},
        {"--prometheus", "http://127.0.0.1:9/"},
        {"--prometheus", "ftp://127.0.0.1:9/", "--query", "q"},
        {"--prometheus", "http://127.0.0.1:9/?x=1", "--query", "q"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", " "},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--step", "0s"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--step", "fast"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--step", "PT0.0015S"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--last", "7d", "--from", "0"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--to", "2026-01-01T00:00:00Z"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--from", "yesterday"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--from",
            "2026-11-30T00:00:00Z"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--last", "3650d", "--step",
            "1s"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--timeout", "1h"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--ca-cert", "ca.pem"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--header", "X-Scope-OrgID"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--header", "authorization: x"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--header",
            "Host: prometheus.internal"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--header", "X-Tenant: a\u0001b"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--basic-auth-file", "a",
            "--bearer-token-file", "t"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--basic-auth-file",
            "no-such-file"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--verbose"},
        {"--prometheus", "http://127.0.0.1:9/", "--query"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "extra"},
    };
    String[] expected = {
        "export: --prometheus is required (see --help)",
        "export: --query is required (see --help)",
        "export: --prometheus must be an http or https URL with a host and no query, such as "
            + "http://prometheus:9090, but was \"ftp://127.0.0.1:9/\"",
        "export: --prometheus must be an http or https URL with a host and no query, such as "
            + "http://prometheus:9090, but was \"http://127.0.0.1:9/?x=1\"",
        "export: --query must be a PromQL expression, but was blank",
        "export: --step must be a duration from 1ms to 3650d such as 60s, 15m, 7d or PT15M, "
            + "but was \"0s\"",
        "export: --step must be a duration from 1ms to 3650d such as 60s, 15m, 7d or PT15M, "
            + "but was \"fast\"",
        "export: --step must be a whole number of milliseconds, but was \"PT0.0015S\"",
        "export: --last cannot be combined with --from or --to",
        "export: --to needs --from",
        "export: --from must be an ISO-8601 instant such as 2026-11-29T10:00:00Z or epoch "
            + "seconds, but was \"yesterday\"",
        "export: --from must be before --to (2026-11-29T10:00:00Z), but was "
            + "2026-11-30T00:00:00Z",
        "export: the span of --last must hold at most 10,000,000 steps of --step, but "
            + "2016-12-01T10:00:00Z to 2026-11-29T10:00:00Z by 1s holds 315360000",
        "export: --timeout must be a duration from 1ms to 10m such as 30s, 2m or PT30S, but "
            + "was \"1h\"",
        "export: --ca-cert needs an https --prometheus URL, but it was \"http://127.0.0.1:9/\"",
        "export: --header must be NAME: VALUE, such as 'X-Scope-OrgID: tenant-1', but it has "
            + "no colon (not shown: it may hold a credential)",
        "export: --header \"authorization: (value not shown)\" cannot set Authorization: use "
            + "--bearer-token-file or --basic-auth-file, which keep it off the command line",
        "export: --header \"Host: (value not shown)\" must not be set (the HTTP client sets "
            + "Connection, Content-Length, Expect, Host and Upgrade itself)",
        "export: --header \"X-Tenant: (value not shown)\" must have a value of visible "
            + "characters, spaces and tabs (no control character, none above U+00FF), but its "
            + "character 2 is U+0001",
        "export: --bearer-token-file and --basic-auth-file cannot both be given",
        "export: --basic-auth-file no-such-file cannot be read (NoSuchFileException)",
        "export: unknown option --verbose (see --help)",
        "export: option --query needs a value (see --help)",
        "export: unexpected argument \"extra\" (see --help)",
    };
    for (int i = 0; i < cases.length; i++) {
      err.reset();
      assertThat(run(cases[i])).as("case %d", i).isEqualTo(2);
      assertThat(err()).as("case %d", i).isEqualTo(expected[i] + "\n");
    }
    assertThat(out.size()).isZero();
  }

  @Test
  void aTokenFileAndAnOutputDirectoryAreCheckedBeforeAnyRequest() throws IOException {
    answerPerPoint(1);
    Path empty = Files.writeString(dir.resolve("empty-token"), " \n");
    String url = stub.uri().toString();
    String[][] cases = {
        {"--bearer-token-file", dir.resolve("no-such-token").toString()},
        {"--bearer-token-file", empty.toString()},
        {"--out", dir.resolve("no/such/trace.csv").toString()},
        {"--out", dir.toString()},
    };
    String[] expected = {
        "export: --bearer-token-file " + dir.resolve("no-such-token") + " cannot be read "
            + "(NoSuchFileException)",
        "export: --bearer-token-file " + empty + " is empty",
        "export: --out must be in an existing directory that can be written, but was \""
            + dir.resolve("no/such/trace.csv") + "\"",
        "export: --out must name a file, not a directory, but was \"" + dir + "\"",
    };
    for (int i = 0; i < cases.length; i++) {
      err.reset();
      int code = run("--prometheus", url, "--query", "q", "--last", "1h", cases[i][0],
          cases[i][1]);

      assertThat(code).as("case %d", i).isEqualTo(2);
      assertThat(err()).as("case %d", i).isEqualTo(expected[i] + "\n");
    }
    assertThat(stub.requests()).isEmpty();
    assertThat(out.size()).isZero();
  }

  @Test
  void anOptionGivenTwiceIsRefusedNamingItAndBothValues() {
    int query = run("--prometheus", "http://127.0.0.1:9/", "--query", "sum(x)", "--last", "1h",
        "--query", "sum(y)");
    String queryErr = err();
    err.reset();
    int last = run("--prometheus", "http://127.0.0.1:9/", "--query", "q", "--last=1h",
        "--last=2h");

    assertThat(query).isEqualTo(2);
    assertThat(queryErr).isEqualTo("export: --query must be given once, but was given twice: "
        + "\"sum(x)\" and \"sum(y)\" (only --header repeats)\n");
    assertThat(last).isEqualTo(2);
    assertThat(err()).isEqualTo("export: --last must be given once, but was given twice: "
        + "\"1h\" and \"2h\" (only --header repeats)\n");
  }

  /**
   * A header name given twice, in any case, would send one value silently (the source keeps the
   * last): refused as other repeated options are, naming the header, never its values.
   */
  @Test
  void aHeaderNameGivenTwiceInAnyCaseIsRefusedNamingItNeverItsValues() throws IOException {
    answerPerPoint(1);
    String url = stub.uri().toString();

    int cased = run("--prometheus", url, "--query", "q", "--last", "1h", "--header",
        "X-Scope-OrgID: s3cr3t-a", "--header=X-Team: shop", "--header", "x-scope-orgid:s3cr3t-b");
    String casedErr = err();
    err.reset();
    int same = run("--prometheus", url, "--query", "q", "--last", "1h", "--header=X-Team: a1",
        "--header", "X-Team: b2");

    assertThat(cased).isEqualTo(2);
    assertThat(casedErr).isEqualTo("export: --header X-Scope-OrgID must be given once, but was "
        + "given twice (as X-Scope-OrgID and x-scope-orgid: header names are case-insensitive); "
        + "values not shown: they may hold a credential\n").doesNotContain("s3cr3t");
    assertThat(same).isEqualTo(2);
    assertThat(err()).isEqualTo("export: --header X-Team must be given once, but was given "
        + "twice; values not shown: they may hold a credential\n").doesNotContain("a1")
        .doesNotContain("b2");
    assertThat(stub.requests()).isEmpty();
    assertThat(out.size()).isZero();
  }

  @Test
  void theQueryIsSentAsItIsNeverReadAsATemplate() throws IOException {
    answerPerPoint(1);
    String relabelled = "label_replace(sum(x), \"a\", \"{job}\", \"\", \"\")";
    String placeholder = "sum(rate(x[{rate_window}]))";

    int first = run("--prometheus", stub.uri().toString(), "--query", relabelled, "--last", "1h");
    int second = run("--prometheus", stub.uri().toString(), "--query", placeholder, "--last",
        "1h");

    assertThat(first).as(err()).isZero();
    assertThat(second).as(err()).isZero();
    assertThat(stub.requests()).extracting(r -> r.form().get("query"))
        .containsExactly(relabelled, placeholder);
  }

  @Test
  void spansAndInstantsBeyondMillisecondsAreBadArgumentsNotCrashes() {
    // In milliseconds, neither this span nor these instants fit a long.
    String[][] cases = {
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--from",
            "-292000000-01-01T00:00:00Z", "--to", "+292000000-01-01T00:00:00Z", "--step", "1ms"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--from",
            "-300000000-01-01T00:00:00Z", "--step", "3650d"},
        {"--prometheus", "http://127.0.0.1:9/", "--query", "q", "--last", "P999999999999D"},
    };
    String[] expected = {
        "export: the span from --from to --to must hold at most 10,000,000 steps of --step, but "
            + "-292000000-01-01T00:00:00Z to +292000000-01-01T00:00:00Z by 1ms holds "
            + "more than 9223372036854775807",
        "export: --from must be within about 292 million years of 1970 (Prometheus counts time "
            + "in 64-bit milliseconds), but was \"-300000000-01-01T00:00:00Z\"",
        "export: --last must be a duration from 1ms to 3650d such as 60s, 15m, 7d or PT15M, but "
            + "was \"P999999999999D\"",
    };
    for (int i = 0; i < cases.length; i++) {
      err.reset();
      assertThat(run(cases[i])).as("case %d", i).isEqualTo(2);
      assertThat(err()).as("case %d", i).isEqualTo(expected[i] + "\n");
    }
    assertThat(out.size()).isZero();
  }

  /**
   * Catches a step rounded to the millisecond silently: {@code 60.0004s} was read as 60 s and
   * {@code 0.5ms} as 1 ms, where the ISO form of such a step was refused.
   */
  @Test
  void aStepThatIsNotWholeMillisecondsIsRefusedInEveryForm() {
    for (String step : List.of("60.0004s", "0.5ms", "1.0005", "0.00001m", "PT0.0015S")) {
      err.reset();
      assertThat(run("--prometheus", "http://127.0.0.1:9/", "--query", "q", "--step", step))
          .as(step).isEqualTo(2);
      assertThat(err()).as(step).isEqualTo("export: --step must be a whole number of "
          + "milliseconds, but was \"" + step + "\"\n");
    }
    // Written with more digits than it needs, a whole step is one.
    assertThat(run("--prometheus", "http://127.0.0.1:9/", "--query", "q", "--step", "1.500s",
        "--last", "P3650D")).isEqualTo(2);
    assertThat(err()).contains("by 1500ms holds");
    assertThat(out.size()).isZero();
  }

  /** Catches the builder's field name, caCertificate, in the message of a bad --ca-cert. */
  @Test
  void aCaCertificateThatIsNotAPemFileIsNamedByItsOption() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty.pem"));
    assertThat(run("--prometheus", "https://127.0.0.1:9/", "--query", "q", "--ca-cert",
        dir.toString())).isEqualTo(2);
    assertThat(err()).startsWith("export: --ca-cert must be a readable PEM file of X.509 "
        + "certificates, but " + dir + " gave: ").hasLineCount(1);
    err.reset();
    assertThat(run("--prometheus", "https://127.0.0.1:9/", "--query", "q", "--ca-cert",
        empty.toString())).isEqualTo(2);
    assertThat(err()).isEqualTo("export: --ca-cert must hold at least one certificate, but "
        + empty + " held none\n");
  }

  /**
   * Catches {@code --bearer-token-file tok --out tok} overwriting the credential with the trace.
   * Now an {@code --out} that names one of the files read, as given, through a link or as
   * {@code ./x}, is a bad argument naming both options, before any request; nothing is written.
   */
  @Test
  void anOutputThatIsACredentialOrCertificateFileIsRefused() throws IOException {
    answerPerPoint(1);
    Path token = Files.writeString(dir.resolve("tok"), "secret-token\n");
    Path auth = Files.writeString(dir.resolve("auth"), "user:password\n");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "not read: refused first\n");
    Path link = Files.createSymbolicLink(dir.resolve("auth-link"), auth.getFileName());
    String http = stub.uri().toString();
    String[][] cases = {
        {http, "--bearer-token-file", token.toString(), token.toString()},
        {http, "--basic-auth-file", auth.toString(), link.toString()},
        {"https://127.0.0.1:9/", "--ca-cert", ca.toString(),
            dir.resolve(".").resolve("ca.pem").toString()},
    };
    for (String[] c : cases) {
      err.reset();
      int code = run("--prometheus", c[0], "--query", "q", "--last", "1h", c[1], c[2],
          "--out", c[3]);

      assertThat(code).as(c[1]).isEqualTo(2);
      assertThat(err()).isEqualTo("export: --out must name another file than " + c[1]
          + ", but both name \"" + c[3] + "\"\n");
    }
    assertThat(Files.readString(token)).isEqualTo("secret-token\n");
    assertThat(Files.readString(auth)).isEqualTo("user:password\n");
    assertThat(Files.readString(ca)).isEqualTo("not read: refused first\n");
    assertThat(stub.requests()).isEmpty();
    assertThat(out.size()).isZero();
  }

  /**
   * Catches a link replaced by a file of its own: the file made beside it was moved over the
   * link, and the file it named kept its old trace. Now the target is replaced, the link kept.
   */
  @Test
  void anOutputNamedThroughALinkIsWrittenWhereTheLinkLeads() throws IOException {
    answerPerPoint(1);
    Path real = Files.writeString(dir.resolve("real.csv"), "an older trace\n");
    Path link = Files.createSymbolicLink(dir.resolve("link.csv"), real.getFileName());

    int code = run("--prometheus", stub.uri().toString(), "--query", "q", "--last", "1h",
        "--out", link.toString());

    assertThat(code).as(err()).isZero();
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readAllLines(real)).hasSize(2 + 52).first().asString()
        .startsWith("# exported from Prometheus");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted())
          .containsExactly("link.csv", "real.csv");
    }
  }

  /**
   * Catches a FIFO replaced by a regular file: its reader got nothing, and the pipe was gone.
   * Now the trace is written into it, in place. The reader is a thread of the test.
   */
  @Test
  void aFifoIsWrittenInPlace() throws Exception {
    answerPerPoint(1);
    Path fifo = dir.resolve("trace.fifo");
    Assumptions.assumeTrue(make("mkfifo", fifo.toString()), "mkfifo makes a FIFO here");
    FutureTask<String> reader = new FutureTask<>(() -> Files.readString(fifo));
    Thread thread = new Thread(reader, "fifo-reader");
    thread.setDaemon(true); // blocked for ever in open() if nothing ever opens the FIFO
    thread.start();

    int code = run("--prometheus", stub.uri().toString(), "--query", "q", "--last", "1h",
        "--out", fifo.toString());

    assertThat(code).as(err()).isZero();
    assertThat(read(reader).lines()).hasSize(2 + 52).first().asString()
        .startsWith("# exported from Prometheus");
    assertThat(kind(fifo).isOther()).as("still a FIFO").isTrue();
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(fifo);
    }
  }

  /**
   * Catches a device replaced by a regular file: run as root, {@code --out /dev/null} replaced
   * the machine's /dev/null. A device of its own (1, 3: null) is made with mknod, which needs
   * root, and opened, which a file system mounted {@code nodev} refuses even to root; elsewhere
   * the test is skipped.
   */
  @Test
  void aDeviceIsWrittenInPlace() throws IOException {
    answerPerPoint(1);
    Path device = Files.createDirectory(dir.resolve("fakedev")).resolve("null");
    Assumptions.assumeTrue(make("mknod", device.toString(), "c", "1", "3"),
        "mknod makes a device here (root)");
    Assumptions.assumeTrue(opensForWriting(device),
        "the device opens for writing here (its file system is not mounted nodev)");

    int code = run("--prometheus", stub.uri().toString(), "--query", "q", "--last", "1h",
        "--out", device.toString());

    assertThat(code).as(err()).isZero();
    assertThat(err()).isEqualTo("export: wrote 52 rows to " + device + " (8 steps without a "
        + "value left out)\n");
    assertThat(kind(device).isOther()).as("still a device").isTrue();
    try (var files = Files.list(device.getParent())) {
      assertThat(files).containsExactly(device);
    }
  }

  /**
   * Catches the mode of a temporary file (private to its owner) given to the trace: a new one
   * was unreadable to the group and others, and a replaced one lost its mode. Now a new file
   * gets the mode any new file gets in that directory, and a replaced one keeps its own.
   */
  @Test
  void aNewFileGetsTheModeOfANewFileAndAReplacedOneKeepsItsOwn() throws IOException {
    answerPerPoint(1);
    Path reference = Files.createFile(dir.resolve("reference"));
    Path fresh = dir.resolve("new.csv");
    Path replaced = Files.writeString(dir.resolve("old.csv"), "an older trace\n");
    Files.setPosixFilePermissions(replaced, PosixFilePermissions.fromString("rw-r-----"));

    for (Path file : List.of(fresh, replaced)) {
      assertThat(run("--prometheus", stub.uri().toString(), "--query", "q", "--last", "1h",
          "--out", file.toString())).as(err()).isZero();
    }

    assertThat(Files.getPosixFilePermissions(fresh))
        .isEqualTo(Files.getPosixFilePermissions(reference));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(replaced)))
        .isEqualTo("rw-r-----");
    assertThat(Files.readString(replaced)).startsWith("# exported from Prometheus");
  }

  /**
   * Catches a read-only trace replaced all the same (its directory could be written): it is
   * refused before the query, as simulate refuses its outputs. Root writes any file: skipped.
   */
  @Test
  void aFileThatCannotBeWrittenIsRefusedBeforeAnyRequest() throws IOException {
    answerPerPoint(1);
    Path file = Files.writeString(dir.resolve("web.csv"), "an older trace\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    Assumptions.assumeFalse(Files.isWritable(file), "root writes any file");

    int code = run("--prometheus", stub.uri().toString(), "--query", "q", "--last", "1h",
        "--out", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err()).isEqualTo("export: --out must be a file that can be written, but was \""
        + file + "\"\n");
    assertThat(Files.readString(file)).isEqualTo("an older trace\n");
    assertThat(stub.requests()).isEmpty();
  }

  /** Whether {@code command} ran and succeeded (it makes a FIFO or a device). */
  private static boolean make(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether {@code device} opens for writing (a {@code nodev} mount refuses it: EACCES). */
  private static boolean opensForWriting(Path device) {
    try (OutputStream s = Files.newOutputStream(device, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** What the reader read; a bound, not a pause: it fails the test if the FIFO was never fed. */
  private static String read(FutureTask<String> reader)
      throws InterruptedException, ExecutionException {
    try {
      return reader.get(1, TimeUnit.MINUTES);
    } catch (TimeoutException e) {
      throw new AssertionError("nothing was written into the FIFO", e);
    }
  }

  private static BasicFileAttributes kind(Path file) throws IOException {
    return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void helpGoesToStdout() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: prescaler export");
  }

  /**
   * Catches a bad value printed raw: an ESC sequence reached the terminal and a newline made the
   * one-line error two lines, where simulate and forecast-eval escape the same input.
   */
  @Test
  void aBadValueIsQuotedOnOneHarmlessLine() {
    assertThat(run("--prometheus", "http://127.0.0.1:9/", "--query", "q", "--last",
        "\u001b[31mRED\nline2")).isEqualTo(2);
    assertThat(err()).startsWith("export: --last must be").endsWith(
        "but was \"\\x1b[31mRED line2\"\n");
  }

  /**
   * Catches the command line read otherwise than the other commands read theirs: the help lost
   * to an earlier problem ({@code --verbose --help} exited 2), {@code --help=yes} called an
   * unknown option.
   */
  @Test
  void theHelpWinsWhereverItIsGivenAndTakesNoValue() {
    assertThat(run("--help")).isZero();
    String help = out.toString(StandardCharsets.UTF_8);
    SoftAssertions.assertSoftly(soft -> {
      for (String[] args : List.of(new String[] {"--verbose", "--help"},
          new String[] {"--query", "a", "--query", "b", "-h"}, new String[] {"extra", "-h"},
          new String[] {"--prometheus", "ftp://x", "--query", "q", "--help"})) {
        out.reset();
        err.reset();
        soft.assertThat(run(args)).as(String.join(" ", args)).isZero();
        soft.assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(help);
        soft.assertThat(err()).isEmpty();
      }
      out.reset();
      err.reset();
      soft.assertThat(run("--help=yes")).isEqualTo(2);
      soft.assertThat(err()).isEqualTo("export: --help takes no value, but was given \"yes\"\n");
      soft.assertThat(out.size()).isZero();
    });
  }

  /**
   * Catches {@code --timeout 0} refused as "a duration from 1ms to 3650d" when the range is 1 ms
   * to 10 minutes, and the help giving 3650d as every duration's limit: the message named a range
   * that {@code --timeout 11m} is inside and still refused. The message and the help name 10m.
   */
  @Test
  void aTimeoutOutsideItsRangeIsRefusedNamingItsOwnRange() {
    for (String t : List.of("0", "11m", "3650d", "PT10M0.001S")) {
      err.reset();
      assertThat(run("--prometheus", "http://127.0.0.1:9/", "--query", "q", "--timeout", t))
          .as(t).isEqualTo(2);
      assertThat(err()).as(t).isEqualTo("export: --timeout must be a duration from 1ms to 10m "
          + "such as 30s, 2m or PT30S, but was \"" + t + "\"\n");
    }
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("  --timeout D              timeout of one range request, at most 10m [30s]\n")
        .contains("from 1ms to 3650d\n(--timeout to 10m), in whole milliseconds");
  }

  /**
   * The epoch seconds of {@code --from} and {@code --to} are read as every command reads an
   * integer: ASCII digits, never an Arabic-Indic or fullwidth one.
   */
  @Test
  void epochSecondsInTheDigitsOfOtherScriptsAreRefused() {
    for (String t : List.of("\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",
        "\uFF11")) {
      err.reset();
      assertThat(run("--prometheus", "http://127.0.0.1:9/", "--query", "q", "--from", t))
          .as(t).isEqualTo(2);
      assertThat(err()).as(t).isEqualTo("export: --from must be an ISO-8601 instant such as "
          + "2026-11-29T10:00:00Z or epoch seconds, but was \"" + t + "\"\n");
    }
  }
}
