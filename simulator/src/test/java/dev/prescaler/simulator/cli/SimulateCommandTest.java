package dev.prescaler.simulator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.prescaler.forecast.cli.ForecastEvalCommand;
import dev.prescaler.simulator.policy.PolicyRegistry;
import dev.prescaler.simulator.score.RunStats;
import dev.prescaler.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SimulateCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), ManualClock.ofDefault());
    return new Result(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  static String resource(String name) {
    try {
      return Path.of(SimulateCommandTest.class.getResource("/traces/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Catches the HTML report deciding "short" without the scorecard's 1e-9 relative slack: a peak
   * that 14 replicas serve exactly (14 × (max / 14) is 510.3299999999999) drew 117 red ticks
   * under a title and a scorecard of 0.000 %.
   */
  @Test
  void theReportsRedTicksAgreeWithTheScorecard() throws IOException {
    StringBuilder csv = new StringBuilder("t,v\n");
    for (int i = 0; i < 40; i++) {
      csv.append(1_700_000_000 + 60 * i).append(',').append(i < 10 ? "100" : "510.33")
          .append('\n');
    }
    Path f = Files.writeString(dir.resolve("peak.csv"), csv);
    Path html = dir.resolve("peak.html");
    Result r = run("--trace", f.toString(), "--no-sweep", "--policies", "oracle-100,static-peak",
        "--report", html.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("oracle-100 +0\\.000 ")
        .containsPattern("static-peak +0\\.000 ");
    assertThat(Files.readString(html)).contains("under-provisioned 0.000 % of the time")
        .doesNotContain("width=\"2\" height=\"4\" fill=\"#e00\"");
  }

  /** Catches --peak-replicas accepted and silently ignored when the capacity is given. */
  @Test
  void peakReplicasWithACapacityGivesExitCode2NamingBoth() throws IOException {
    String f = smallTrace("w.csv", 5).toString();
    Result r = run("--trace", f, "--no-sweep", "--capacity", "10", "--peak-replicas", "5");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: --peak-replicas cannot be combined with --capacity: "
        + "it only derives the capacity when none is given\n");
    assertThat(r.out()).isEmpty();
  }

  /**
   * Catches output files not compared with each other or with the trace: {@code --report x
   * --series x} exited 0 keeping only the series, and {@code --series} naming the trace
   * overwrote it. The same file under another name ({@code dir/./x}, a symbolic link) too.
   */
  @Test
  void anOutputFileThatIsTheTraceOrTheOtherOutputGivesExitCode2() throws IOException {
    Path trace = smallTrace("victim.csv", 5);
    String before = Files.readString(trace);
    String same = dir.resolve("same.out").toString();
    Result both = run("--trace", trace.toString(), "--no-sweep", "--policies", "oracle-100",
        "--report", same, "--series", same);
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).isEqualTo("simulate: --series must name another file than --report, "
        + "but both name \"" + same + "\"\n");
    assertThat(both.out()).isEmpty();
    String dotted = dir + "/./victim.csv";
    Result victim = run("--trace", "nab-csv:" + trace, "--no-sweep", "--policies", "oracle-100",
        "--series", dotted);
    assertThat(victim.code()).isEqualTo(2);
    assertThat(victim.err()).isEqualTo("simulate: --series must name another file than --trace, "
        + "but both name \"" + dotted + "\"\n");
    Path link;
    try {
      link = Files.createSymbolicLink(dir.resolve("link.csv"), trace);
    } catch (UnsupportedOperationException | IOException e) {
      link = null;
    }
    if (link != null) {
      Result viaLink = run("--trace", link.toString(), "--no-sweep", "--policies", "oracle-100",
          "--report", trace.toString());
      assertThat(viaLink.code()).isEqualTo(2);
      assertThat(viaLink.err()).startsWith("simulate: --report must name another file than "
          + "--trace").hasLineCount(1);
    }
    assertThat(Files.readString(trace)).isEqualTo(before);
  }

  /**
   * Catches the {@code --hpa-behavior} manifest left out of the comparison of files: {@code
   * --series hpa.yaml} exited 0 and the manifest then held the series CSV; {@code --report} the
   * same with the HTML page. Named another way ({@code dir/./hpa.yaml}) it is the same file.
   */
  @Test
  void anOutputFileThatIsTheHpaBehaviorFileGivesExitCode2() throws IOException {
    Path trace = smallTrace("ok.csv", 5);
    Path hpa = Files.writeString(dir.resolve("hpa.yaml"),
        "scaleDown:\n  stabilizationWindowSeconds: 600\n");
    String before = Files.readString(hpa);
    for (String option : List.of("--series", "--report")) {
      String named = dir + "/./hpa.yaml";
      Result r = run("--trace", trace.toString(), "--policies", "hpa", "--no-sweep",
          "--hpa-behavior", hpa.toString(), option, named);
      assertThat(r.code()).as(option).isEqualTo(2);
      assertThat(r.err()).isEqualTo("simulate: " + option + " must name another file than "
          + "--hpa-behavior, but both name \"" + named + "\"\n");
      assertThat(r.out()).isEmpty();
      assertThat(Files.readString(hpa)).isEqualTo(before);
    }
  }

  // Caught a '..' taken away before the links were followed: l/../x.html, with l a link to
  // other/sub, names other/x.html, and was refused as ./x.html's twin, while other/y.html and
  // l/../y.html, one file, were both written (the report lost). And /dev/null, which takes any
  // number of writers, was refused for both outputs.
  @Test
  void outputsAreComparedThroughTheirLinksAndADeviceTakesBoth() throws IOException {
    Path trace = smallTrace("t.csv", 5);
    Path sub = Files.createDirectories(dir.resolve("other/sub"));
    Path link;
    try {
      link = Files.createSymbolicLink(dir.resolve("l"), sub);
    } catch (UnsupportedOperationException | IOException e) {
      link = null;
    }
    if (link != null) {
      Result apart = run("--trace", trace.toString(), "--no-sweep", "--policies", "oracle-100",
          "--report", link + "/../x.html", "--series", dir.resolve("x.html").toString());
      assertThat(apart.err()).isEmpty();
      assertThat(apart.code()).isZero();
      assertThat(Files.readString(dir.resolve("other/x.html"))).startsWith("<!DOCTYPE html>");
      assertThat(Files.readString(dir.resolve("x.html"))).startsWith("#");
      Result one = run("--trace", trace.toString(), "--no-sweep", "--policies", "oracle-100",
          "--report", dir.resolve("other/y.html").toString(), "--series", link + "/../y.html");
      assertThat(one.code()).isEqualTo(2);
      assertThat(one.err()).startsWith("simulate: --series must name another file than "
          + "--report").hasLineCount(1);
      // A link to a file not made yet names that file: the report would have been overwritten.
      Path dangling = Files.createSymbolicLink(dir.resolve("dl"), dir.resolve("other/z.html"));
      Result viaDangling = run("--trace", trace.toString(), "--no-sweep", "--policies",
          "oracle-100", "--report", dangling.toString(), "--series",
          dir.resolve("other/z.html").toString());
      assertThat(viaDangling.code()).isEqualTo(2);
      assertThat(viaDangling.err()).startsWith("simulate: --series must name another file than "
          + "--report").hasLineCount(1);
    }
    if (Files.exists(Path.of("/dev/null"))) {
      Result sink = run("--trace", trace.toString(), "--no-sweep", "--policies", "oracle-100",
          "--report", "/dev/null", "--series", "/dev/null");
      assertThat(sink.err()).isEmpty();
      assertThat(sink.code()).isZero();
    }
  }

  // Caught a Persian name, written with U+200C ZERO WIDTH NON-JOINER inside its word, printed
  // as "نام\u200cفایل.csv" in the table: joiners are how such names are written.
  @Test
  void aNameWrittenWithAJoinerPrintsAsItself() throws IOException {
    String name = "نام\u200cفایل.csv";
    Path trace = smallTrace(name, 5);
    Result r = run("--trace", trace.toString(), "--no-sweep", "--policies", "oracle-100");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("trace " + name + ":");
    Result json = run("--trace", trace.toString(), "--no-sweep", "--policies", "oracle-100",
        "--format", "json");
    assertThat(json.out()).startsWith("{\"trace\":\"" + name + "\"");
    Result rtl = run("--trace", smallTrace("a\u202eb.csv", 5).toString(), "--no-sweep",
        "--policies", "oracle-100");
    assertThat(rtl.out()).startsWith("trace a\\u202eb.csv:"); // an override still is escaped
  }

  /** Catches a flag given twice accepted, where every option is given at most once. */
  @Test
  void noSweepGivenTwiceGivesExitCode2() throws IOException {
    Result r = run("--trace", smallTrace("w.csv", 5).toString(), "--no-sweep", "--no-sweep");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: --no-sweep must be given once, but was given "
        + "twice\n");
  }

  /**
   * Catches a valid, tiny capacity against a large demand: the engines' unit made the demand
   * Infinity, every reading was refused with a WARN line, and the run ended in a failed
   * self-check, exit 1, where an unusable capacity is bad input.
   */
  @Test
  void aCapacityTooSmallForThePeakGivesExitCode2() throws IOException {
    Path f = Files.writeString(dir.resolve("ov.csv"), "t,v\n1700000000,1e10\n1700000600,2e10\n");
    Result r = run("--trace", f.toString(), "--no-sweep", "--policies", "hpa,oracle-100",
        "--capacity", "3e-308");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: " + f + ": the capacity 3.0E-308 is too small for "
        + "the trace's peak 2.0E10: the peak in the engines' unit, or the demand in capacities "
        + "summed over the 41 steps, overflows a double (give a larger capacity, or the trace in "
        + "a smaller unit)\n");
    assertThat(r.out()).isEmpty();
    // The file's name as the other error lines give it: on one line (a newline a space),
    // escaped.
    Path odd = Files.copy(f, dir.resolve("o\nv\u001b[31m.csv"));
    Result named = run("--trace", odd.toString(), "--no-sweep", "--policies", "hpa",
        "--capacity", "3e-308");
    assertThat(named.code()).isEqualTo(2);
    assertThat(named.err()).startsWith("simulate: " + dir + "/o v\\x1b[31m.csv: the "
        + "capacity").hasLineCount(1);
  }

  /** 600 one-minute samples of 100, with a peak of exactly 150 every hour. */
  private Path peak150() throws IOException {
    StringBuilder csv = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < 600; i++) {
      csv.append(60 * i).append(',').append(i % 60 == 30 ? "150" : "100").append('\n');
    }
    return Files.writeString(dir.resolve("tr.csv"), csv);
  }

  /**
   * Catches a target utilization too small for the peak accepted with exit 0: the need, 150 ÷
   * (10.7 × 1e-308), was Infinity, which static-peak and the oracle read as 0 replicas (so 1,
   * short 100 % of the time), and the derived maxReplicas was 10 instead of 10 × the need.
   */
  @Test
  void aTargetUtilizationTooSmallForThePeakGivesExitCode2() throws IOException {
    String f = peak150().toString();
    Result r = run("--trace", f, "--no-sweep", "--target-utilization", "1e-308",
        "--policies", "static-peak,oracle,hpa");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: " + f + ": the capacity 10.714285714285714 (derived "
        + "from --peak-replicas 20) at the target utilization 1.0E-308 (--target-utilization) is "
        + "too small for the trace's peak 150.0: the replicas it needs, peak ÷ (capacity × "
        + "target), overflow a double, more than the simulator's limit of 1,000,000 (give a "
        + "larger capacity or target utilization)\n");
    assertThat(r.out()).isEmpty();
  }

  /**
   * Catches a capacity too small for the simulator's replica limit accepted with exit 0: with
   * {@code --capacity 1e-300} the derived maxReplicas was cut to 1,000,000 without a word, and
   * every policy was short 100 % of the time.
   */
  @Test
  void aCapacityTooSmallForTheReplicaLimitGivesExitCode2() throws IOException {
    String f = peak150().toString();
    Result r = run("--trace", f, "--no-sweep", "--capacity", "1e-300");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: " + f + ": the capacity 1.0E-300 (--capacity) at "
        + "the target utilization 0.7 (--target-utilization) is too small for the trace's peak "
        + "150.0: it needs 2.1428571428571427E302 replicas (peak ÷ (capacity × target)), more "
        + "than the simulator's limit of 1,000,000 (give a larger capacity or target "
        + "utilization)\n");
    // oracle-100 alone runs at its fixed target, which the line names.
    Result alone = run("--trace", f, "--no-sweep", "--capacity", "1e-4", "--policies",
        "oracle-100", "--max-replicas", "1000000");
    assertThat(alone.code()).isEqualTo(2);
    assertThat(alone.err()).isEqualTo("simulate: " + f + ": the capacity 1.0E-4 (--capacity) at "
        + "oracle-100's target utilization 1.0 is too small for the trace's peak 150.0: it needs "
        + "1,500,000 replicas (peak ÷ (capacity × target)), more than the simulator's limit of "
        + "1,000,000 (give a larger capacity or target utilization)\n");
  }

  /**
   * Catches a derived maxReplicas silently cut to the simulator's limit: 10 × the 150,000
   * replicas the peak needs was run as 1,000,000, where {@code --help} says "10 x what the peak
   * needs". The sweep's lowest target, 0.40, needs the most, so it counts too.
   */
  @Test
  void aDerivedMaxReplicasAboveTheLimitGivesExitCode2() throws IOException {
    String f = peak150().toString();
    Result r = run("--trace", f, "--no-sweep", "--capacity", "0.001", "--target-utilization",
        "1", "--policies", "oracle");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: " + f + ": the capacity 0.001 (--capacity) at the "
        + "target utilization 1.0 (--target-utilization) is too small for the trace's peak "
        + "150.0: it needs 150,000 replicas (peak ÷ (capacity × target)), and the maxReplicas "
        + "derived from that without --max-replicas, 10 × it, would be 1,500,000, more than the "
        + "simulator's limit of 1,000,000 (give --max-replicas, or a larger capacity or target "
        + "utilization)\n");
    Result given = run("--trace", f, "--no-sweep", "--capacity", "0.001", "--target-utilization",
        "1", "--policies", "oracle", "--max-replicas", "1000000");
    assertThat(given.code()).as(given.err()).isZero();
    assertThat(given.out()).containsPattern("oracle +0\\.000 ");
    // 0.0035 per replica: 61,225 replicas at 0.7, ten times that within the limit; 107,143 at
    // the sweep's 0.40, whose run has the limit as its maxReplicas, above its need: it runs (a
    // review caught --peak-replicas 60000 refused for the sweep's ten times alone).
    Result swept = run("--trace", f, "--capacity", "0.0035", "--policies", "oracle",
        "--format", "json");
    assertThat(swept.code()).as(swept.err()).isZero();
    assertThat(swept.out()).contains("\"underProvisionedPct\":0,");
    // 0.0003: 714,286 at 0.7 fits the limit, 1,250,000 at the sweep's 0.40 does not
    Result over = run("--trace", f, "--capacity", "0.0003", "--policies", "oracle",
        "--max-replicas", "1000000");
    assertThat(over.code()).isEqualTo(2);
    assertThat(over.err()).isEqualTo("simulate: " + f + ": the capacity 3.0E-4 (--capacity) at "
        + "the sweep's lowest target utilization, 0.4 (--no-sweep skips the sweep) is too small "
        + "for the trace's peak 150.0: it needs 1,250,000 replicas (peak ÷ (capacity × target)), "
        + "more than the simulator's limit of 1,000,000 (give a larger capacity or target "
        + "utilization)\n");
    Result unswept = run("--trace", f, "--capacity", "0.0003", "--policies", "oracle",
        "--no-sweep", "--format", "json", "--max-replicas", "1000000");
    assertThat(unswept.code()).as(unswept.err()).isZero();
  }

  /**
   * Catches a forecast interval overflowing to Infinity near the largest double: the forecast
   * chart's scale became Infinity and its paths held NaN coordinates.
   */
  @Test
  void valuesNearTheLargestDoubleGiveAReportWithFiniteCoordinates() throws IOException {
    Path f = Files.writeString(dir.resolve("huge.csv"), "t,v\n1700000000,1e308\n"
        + "1700000600,1.7e308\n1700001200,5e307\n");
    Path html = dir.resolve("huge.html");
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      Result r = run("--trace", f.toString(), "--no-sweep", "--report", html.toString());
      assertThat(r.code()).as(r.err()).isZero();
    });
    String page = Files.readString(html);
    assertThat(page).contains("Forecast against actual").doesNotContain("NaN", "Infinity");
  }

  /**
   * Catches a trace's name written raw: an ESC sequence in a file name reached the terminal
   * through the table, the markdown and the progress line, and a newline or a comma split the
   * series' comment line.
   */
  @Test
  void theTracesNameIsEscapedInEveryReport() throws IOException {
    String name = "we\u001b[31mird,\u202ex_*.csv";
    Path f;
    try {
      f = Files.writeString(dir.resolve(name), "t,v\n60,1\n120,2\n180,3\n");
    } catch (IOException | java.nio.file.InvalidPathException e) {
      Assumptions.abort("the file system refuses the name: " + e);
      return;
    }
    String escaped = "we\\x1b[31mird,\\u202ex_*.csv";
    Result table = run("--trace", f.toString(), "--no-sweep", "--policies", "oracle-100");
    assertThat(table.out()).startsWith("trace " + escaped + ": ").doesNotContain("\u001b",
        "\u202e");
    Result md = run("--trace", f.toString(), "--no-sweep", "--policies", "oracle-100",
        "--format", "markdown");
    assertThat(md.out()).startsWith("### we\\\\x1b\\[31mird,\\\\u202ex\\_\\*.csv\n")
        .doesNotContain("\u001b", "\u202e");
    Result json = run("--trace", f.toString(), "--no-sweep", "--policies", "oracle-100",
        "--format", "json");
    assertThat(json.out()).contains("\"trace\":\"we\\u001b[31mird,\\u202ex_*.csv\"")
        .doesNotContain("\u001b", "\u202e");
    Path series = dir.resolve("s.csv");
    Path nl = Files.writeString(dir.resolve("a\nb,c.csv"), "t,v\n60,1\n120,2\n180,3\n");
    run("--trace", nl.toString(), "--no-sweep", "--policies", "oracle-100", "--series",
        series.toString());
    List<String> lines = Files.readAllLines(series);
    assertThat(lines.get(0)).startsWith("# prescaler simulate: trace a\\x0ab\\x2cc.csv; ")
        .doesNotContain(",");
    assertThat(lines.get(1)).isEqualTo("time,demand,oracle-100.ready,oracle-100.desired");
    // The progress line, on a wall clock 5 s further at each reading.
    java.time.Clock ticking = new java.time.Clock() {
      private java.time.Instant t = java.time.Instant.EPOCH;

      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public java.time.Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public synchronized java.time.Instant instant() {
        t = t.plusSeconds(5);
        return t;
      }
    };
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SimulateCommand.run(new String[] {"--trace", f.toString(), "--no-sweep",
        "--policies", "oracle-100"}, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), ticking);
    assertThat(code).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("simulate: " + escaped + ": ")
        .doesNotContain("\u001b", "\u202e");
  }

  @Test
  void missingTraceGivesExitCode2AndOneLine() {
    Result r = run("--trace", dir.resolve("none.csv").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n").endsWith("none.csv: file not found");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void badLineGivesExitCode2NamingFileLineAndProblem() throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, "timestamp,value\n60,1\n120,NaN\n");
    Result r = run("--trace", f.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: " + f + ":3: value must be a finite number, "
        + "but was \"NaN\"\n");
  }

  @Test
  void forecastEvalReportsABadTraceWithTheSameLine() throws IOException {
    // One reader serves both commands: the same file, the same line after each command's prefix.
    String[] texts = {"timestamp,value\n60,1\n120,NaN\n", "2020-01-01 00:00:00,1,5\n",
        "60,1\n60,2\n", "", "# c\ntimestamp,value\n", "x\n", "yesterday,1\n"};
    for (int i = 0; i < texts.length; i++) {
      Path f = dir.resolve("bad" + i + ".csv");
      Files.writeString(f, texts[i]);
      Result sim = run("--trace", f.toString());
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = ForecastEvalCommand.run(new String[] {"--trace", f.toString()},
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      assertThat(sim.code()).isEqualTo(2);
      assertThat(code).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("forecast-eval: " + f);
      assertThat(sim.err()).startsWith("simulate: " + f).isEqualTo("simulate: "
          + err.toString(StandardCharsets.UTF_8).substring("forecast-eval: ".length()));
    }
  }

  /**
   * Catches one bad line escaped two ways: simulate escaped U+202E (right-to-left override), and
   * forecast-eval printed it raw, turning the rest of the terminal line around.
   */
  @Test
  void aFormatCharacterIsEscapedAlikeBySimulateAndForecastEval() throws IOException {
    Path f = dir.resolve("rlo.csv");
    Files.writeString(f, "60,1\n120,2\u202e1\u2029\u00ad\n");
    Result sim = run("--trace", f.toString());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ForecastEvalCommand.run(new String[] {"--trace", f.toString()},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    String line = f + ":2: value must be a number, but was \"2\\u202e1\\u2029\\xad\"\n";
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("forecast-eval: " + line);
    assertThat(sim.code()).isEqualTo(2);
    assertThat(sim.err()).isEqualTo("simulate: " + line);
  }

  /** Catches an all-zero trace named by its file name alone, where other errors give the path. */
  @Test
  void allZeroTraceGivesExitCode2NamingThePathAsGiven() throws IOException {
    Path f = dir.resolve("zero.csv");
    Files.writeString(f, "60,0\n120,0\n");
    Result r = run("--trace", "nab-csv:" + f, "--no-sweep");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("simulate: " + f + ": the trace's demand is 0 throughout")
        .doesNotContain("Exception").hasLineCount(1);
  }

  /**
   * Catches the command line's mistakes worded otherwise than every other command words them
   * ({@code dev.prescaler.core.cli.Arguments}): without "(see --help)", "--startup needs a value".
   */
  @Test
  void commandLineMistakesAreWordedAsInEveryCommand() {
    SoftAssertions.assertSoftly(soft -> {
      soft.assertThat(run("--frobnicate").err())
          .isEqualTo("simulate: unknown option --frobnicate (see --help)\n");
      soft.assertThat(run("--startup").err())
          .isEqualTo("simulate: option --startup needs a value (see --help)\n");
      soft.assertThat(run("--startup", "60", "extra").err())
          .isEqualTo("simulate: unexpected argument \"extra\" (see --help)\n");
    });
  }

  @Test
  void badOptionsGiveExitCode2() {
    assertThat(run("--startup", "soon").err())
        .startsWith("simulate: --startup must be a duration such as 120s, 2m or PT2M, "
            + "but was \"soon\"");
    assertThat(run("--frobnicate", "1").code()).isEqualTo(2);
    // Unknown, with or without a value; parse errors are one line too.
    // Out of range: one line naming the option, not the setting behind it.
    assertThat(run("--target-utilization", "1.5").err())
        .startsWith("simulate: --target-utilization must be in (0, 1], but was 1.5\n");
    assertThat(run("--risk-quantile", "1").err())
        .startsWith("simulate: --risk-quantile must be in [0.5, 0.999], but was 1.0\n");
    assertThat(run("--startup", "PT0S", "--sync-period", "0.5s").err())
        .startsWith("simulate: --sync-period must be in [1s, 1h], but was PT0.5S; "
            + "--startup must be in (0, 1h], but was PT0S\n");
    assertThat(run("--policies", "lru").err())
        .startsWith("simulate: --policies: policy must be one of [static-peak");
    assertThat(run("--format", "xml").code()).isEqualTo(2);
  }

  @Test
  void riskQuantileReachesThePredictiveStack() {
    // Catches a --risk-quantile that is parsed and printed but never given to the simulated
    // workload: a lower quantile plans for a lower upper bound, so fewer replica-hours.
    String trace = resource("nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv");
    Result low = run("--trace", trace, "--policies", "predictive", "--no-sweep", "--format",
        "json", "--risk-quantile", "0.5");
    Result dflt = run("--trace", trace, "--policies", "predictive", "--no-sweep", "--format",
        "json");
    assertThat(low.code()).isZero();
    assertThat(low.out()).contains("\"riskQuantile\":0.5,");
    assertThat(dflt.out()).contains("\"riskQuantile\":0.95,");
    assertThat(numbers(low.out(), "predictive")[1])
        .isLessThan(numbers(dflt.out(), "predictive")[1]);
  }

  @Test
  void hpaBehaviorReachesTheHpaAndThePredictiveFloor() throws IOException {
    // Catches a --hpa-behavior that is parsed and printed but never given to the engines: with
    // scale-downs held 15 minutes instead of 5, both the HPA and the predictive stack, whose floor
    // it is, keep more replicas.
    Path hpa = dir.resolve("hpa.yaml");
    Files.writeString(hpa, String.join("\n",
        "apiVersion: autoscaling/v2",
        "kind: HorizontalPodAutoscaler",
        "metadata: {name: web}",
        "spec:",
        "  behavior:",
        "    scaleUp:",
        "      policies: [{type: Pods, value: 1, periodSeconds: 15}]",
        "    scaleDown:",
        "      stabilizationWindowSeconds: 900",
        ""));
    String trace = resource("nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv");
    String[] args = {"--trace", trace, "--policies", "hpa,predictive", "--no-sweep", "--format",
        "json"};
    Result own = run(concat(args, "--hpa-behavior", hpa.toString()));
    Result dflt = run(args);

    assertThat(own.code()).as(own.err()).isZero();
    assertThat(own.out()).contains(",\"hpa\":\"HpaPolicy{tolerance up 0.1 down 0.1, scaleUp: "
        + "window 0s, Max of [Pods 1 per 15s]; scaleDown: window 900s, Max of [Percent 100 per "
        + "15s]}\"}");
    assertThat(dflt.out()).doesNotContain("\"hpa\":\"HpaPolicy");
    assertThat(numbers(own.out(), "hpa")[1]).isGreaterThan(numbers(dflt.out(), "hpa")[1]);
    assertThat(numbers(own.out(), "predictive")[1])
        .isGreaterThan(numbers(dflt.out(), "predictive")[1]);
    assertThat(run("--trace", trace, "--policies", "hpa,predictive", "--no-sweep",
        "--hpa-behavior", hpa.toString()).out())
        .contains("hpa, and the predictive stack's floor: HpaPolicy{");
  }

  @Test
  void aBadHpaBehaviorFileGivesExitCode2NamingTheFileAndTheField() throws IOException {
    Path v1 = dir.resolve("v1.yaml");
    Files.writeString(v1, "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\n");
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"scaleDown\": {\"stabilizationWindowSeconds\": 7200, "
        + "\"policies\": [{\"type\": \"pods\", \"value\": 2}]}}");
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "behavior: [unclosed\n");
    Path none = dir.resolve("deployment.yaml");
    Files.writeString(none, "apiVersion: apps/v1\nkind: Deployment\n");

    Result r = run("--hpa-behavior", v1.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("simulate: " + v1 + ": apiVersion must be autoscaling/v2 or "
        + "autoscaling/v2beta2 (autoscaling/v1 has no behavior), but was autoscaling/v1\n");
    assertThat(run("--hpa-behavior", bad.toString()).err()).startsWith("simulate: " + bad
        + ": behavior.scaleDown.stabilizationWindowSeconds must be an integer in [0, 3600], but "
        + "was 7200; " + bad + ": behavior.scaleDown.policies[0].type must be Pods or Percent, "
        + "but was \"pods\"; " + bad + ": behavior.scaleDown.policies[0].periodSeconds is "
        + "required\n");
    assertThat(run("--hpa-behavior", broken.toString()).err())
        .startsWith("simulate: " + broken + ": not YAML or JSON: ");
    assertThat(run("--hpa-behavior", none.toString()).err()).startsWith("simulate: " + none
        + ": must hold one HorizontalPodAutoscaler or one behavior object (scaleUp, scaleDown), "
        + "but held 0\n");
    assertThat(run("--hpa-behavior", dir.resolve("missing.yaml").toString()).err())
        .startsWith("simulate: " + dir.resolve("missing.yaml") + ": cannot read --hpa-behavior "
            + "file (NoSuchFileException: ");
  }

  /**
   * Catches {@code --hpa-behavior ''} read as the working directory and reported under an empty
   * name, {@code simulate: : cannot read --hpa-behavior file (IOException: Is a directory)},
   * where the other file options name themselves and the value ({@code --report must name a
   * file, not a directory, but was ""}). A directory and a path the system cannot take too.
   */
  @Test
  void anEmptyHpaBehaviorOrADirectoryIsRefusedNamingTheOptionAsTheOtherFileOptionsAre() {
    for (String option : List.of("--hpa-behavior", "--report")) {
      for (String value : List.of("", dir.toString())) {
        Result r = run(option, value);
        assertThat(r.code()).as(option + " " + value).isEqualTo(2);
        assertThat(r.err()).isEqualTo("simulate: " + option + " must name a file, not a "
            + "directory, but was \"" + value + "\"\n");
        assertThat(r.out()).isEmpty();
      }
    }
    Result nul = run("--hpa-behavior", "a\u0000b");
    assertThat(nul.code()).isEqualTo(2);
    assertThat(nul.err()).isEqualTo("simulate: --hpa-behavior must be a file path, but was "
        + "\"a\\x00b\" (Nul character not allowed)\n");
  }

  @Test
  void helpListsOptionsAndPolicies() {
    Result r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--peak-replicas N", "[120s]", "oracle-100", "static-peak");
  }

  /**
   * Catches a speed the help promised that nothing measured: {@code --no-sweep} was "12x
   * faster", where the bundled trace ran 2.5 times as fast on 2 threads. What it does is run
   * each policy once instead of at the sweep's 12 targets, and the help says that.
   */
  @Test
  void helpSaysWhatNoSweepSkipsWithoutASpeed() {
    String help = run("--help").out();
    assertThat(help).doesNotContainIgnoringCase("faster");
    assertThat(help).contains("--no-sweep                skip the target sweep: each policy "
        + "runs once, not at\n" + " ".repeat(28) + "12 targets");
  }

  /**
   * Catches an option's problem printed instead of the help asked for: {@code --report
   * missing/r.html --help} gave exit code 2 and the report's directory error.
   */
  @Test
  void helpWinsWhereverItIsGiven() {
    String help = run("--help").out();
    String missing = dir.resolve("missing/r.html").toString();
    for (String[] args : List.of(new String[] {"--report", missing, "--help"},
        new String[] {"--series", missing, "-h"}, new String[] {"--startup", "1", "--startup",
            "2", "--help"}, new String[] {"--bogus", "--help"}, new String[] {"--help", "x"},
        new String[] {"--startup", "PT0.0009S", "--format", "xml", "-h"})) {
      Result r = run(args);
      assertThat(r.code()).as(String.join(" ", args)).isZero();
      assertThat(r.out()).isEqualTo(help);
      assertThat(r.err()).isEmpty();
    }
  }

  @Test
  void jsonIsByteIdenticalAcrossRunsAndHasTheIssueSchema() {
    String[] args = {"--trace", resource("nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv"),
        "--policies", "static-peak,oracle-100", "--format", "json"};
    Result a = run(args);
    Result b = run(args);
    assertThat(a.code()).isZero();
    assertThat(a.out()).isEqualTo(b.out());
    assertThat(a.out()).startsWith("{\"trace\":\"nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv\","
        + "\"config\":{\"syncPeriodSeconds\":15,");
    assertThat(a.out()).contains("\"policies\":[{\"name\":\"static-peak\",\"underProvisionedPct\":")
        .contains("\"unservedPct\":", "\"replicaHours\":", "\"costVsOracle\":",
            "\"scalingActions\":", "\"atSlo\":{\"targetUtilization\":")
        .contains("{\"name\":\"oracle-100\"").endsWith("]}\n");
  }

  @Test
  void tableAndHtmlReport() throws IOException {
    Path html = dir.resolve("r.html");
    Result r = run("--trace", resource("nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv"),
        "--policies", "oracle,oracle-100", "--no-sweep", "--report", html.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("policy", "oracle-100", "vs oracle-100");
    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").contains("<svg", "Scorecard",
        "Demand against capacity", "Replicas over time")
        .doesNotContain("src=", "href=", "<script", "@import");
  }

  @Test
  void aTraceInLargeUnitsKeepsItsCapacityAndItsAxisReadable() throws IOException {
    // Catches a capacity rounded to 0 at a fixed number of decimals (a trace in gigabytes or
    // terabytes per sample), and chart labels that all read 0 or repeat past the top of the axis
    // because the grid's end was compared with an absolute 1e-9.
    Path f = dir.resolve("tiny.csv");
    StringBuilder csv = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < 40; i++) {
      csv.append(60 * i).append(',').append(i % 2 == 0 ? "1.5e-9" : "3e-9").append('\n');
    }
    Files.writeString(f, csv);
    Path html = dir.resolve("tiny.html");
    Result json = run("--trace", f.toString(), "--policies", "oracle-100", "--no-sweep",
        "--format", "json", "--report", html.toString());
    assertThat(json.code()).isZero();
    // 3e-9 / (0.7 * 20) = 2.142857142857e-10, to six significant digits
    assertThat(json.out()).contains("\"capacity\":0.000000000214286,");
    assertThat(run("--trace", f.toString(), "--policies", "oracle-100", "--no-sweep").out())
        .contains("capacity 0.000000000214286 per replica");
    Matcher label = Pattern.compile("<text x=\"64\" y=\"([0-9.]+)\" font-size=\"10\" "
        + "text-anchor=\"end\">([^<]+)</text>").matcher(Files.readString(html));
    List<String> texts = new java.util.ArrayList<>();
    List<String> heights = new java.util.ArrayList<>();
    while (label.find() && !(texts.size() > 1 && label.group(2).equals("0"))) {
      heights.add(label.group(1));
      texts.add(label.group(2));
    }
    assertThat(texts).hasSizeGreaterThan(2).doesNotHaveDuplicates()
        .allMatch(s -> s.equals("0") || Double.parseDouble(s) > 0)
        // the axis ends at 1.05 x the highest demand or capacity: 3e-9 plus one replica at most
        .allMatch(s -> Double.parseDouble(s) < 3.5e-9);
    assertThat(heights).doesNotHaveDuplicates();
  }

  @Test
  void theTableReadsEachPolicyAgainstTheHpaWithTheScorecardsNumbers() {
    // Catches a comparison computed from other runs than the scorecard's (another target, the
    // policies swapped) and one printed for the references, which know the future.
    String trace = resource("nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv");
    String[] args = {"--trace", trace, "--policies", "hpa,predictive,oracle", "--no-sweep"};
    Result table = run(args);
    Result json = run(concat(args, "--format", "json"));
    assertThat(table.code()).isZero();
    double[] hpa = numbers(json.out(), "hpa");
    double[] predictive = numbers(json.out(), "predictive");
    assertThat(hpa[0]).isPositive(); // the HPA is short on iio, so the ratio is printed
    assertThat(table.out()).contains("predictive against hpa (ratio predictive / hpa):\n"
        + String.format(Locale.ROOT, "  under-provisioned time at 0.7  %.3f  ",
            predictive[0] / hpa[0]))
        .contains(String.format(Locale.ROOT, "  replica-hours at 0.7           %.3f  ",
            predictive[1] / hpa[1]))
        .doesNotContain("oracle against", "cost at the SLO");
    assertThat(run("--trace", trace, "--policies", "predictive,oracle", "--no-sweep").out())
        .doesNotContain("against hpa");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A policy's under-provisioned % and replica-hours from the JSON output. */
  private static double[] numbers(String json, String policy) {
    Matcher m = Pattern.compile("\"name\":\"" + policy + "\",\"underProvisionedPct\":"
        + "([0-9.]+),\"unservedPct\":[0-9.]+,\"replicaHours\":([0-9.]+)").matcher(json);
    assertThat(m.find()).as(policy + " in " + json).isTrue();
    return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
  }

  @Test
  void seriesCsvRecountsTheScorecard() throws IOException {
    // Catches a series that is not the runs the scorecard scored (another target, a shifted or
    // truncated grid, ready and desired swapped, rounded numbers that move a step across the
    // capacity line): replica-hours and under-provisioned time are recounted from the rows.
    Path csv = dir.resolve("s.csv");
    String trace = resource("nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv");
    Result r = run("--trace", trace, "--policies", "hpa,oracle-100", "--no-sweep",
        "--format", "json", "--series", csv.toString());
    assertThat(r.code()).isZero();
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0)).startsWith("# prescaler simulate: trace "
        + "nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv; capacity ")
        .endsWith("per ready replica; targets hpa 0.7 oracle-100 1");
    assertThat(lines.get(1))
        .isEqualTo("time,demand,hpa.ready,hpa.desired,oracle-100.ready,oracle-100.desired");
    Matcher steps = Pattern.compile("\"steps\":(\\d+)").matcher(r.out());
    assertThat(steps.find()).isTrue();
    assertThat(lines).hasSize(2 + Integer.parseInt(steps.group(1)));
    assertThat(lines.get(2)).startsWith("2013-10-09T16:25:00Z,") // the trace's first sample
        .matches("[0-9TZ:-]+,[0-9.]+,\\d+,\\d+,\\d+,\\d+");
    double capacity =
        Double.parseDouble(lines.get(0).replaceAll(".*capacity (\\S+) per.*", "$1"));
    double[] desired = new double[2];
    long[] under = new long[2];
    for (String line : lines.subList(2, lines.size())) {
      String[] f = line.split(",");
      double demand = Double.parseDouble(f[1]);
      for (int p = 0; p < 2; p++) {
        int ready = Integer.parseInt(f[2 + 2 * p]);
        desired[p] += Integer.parseInt(f[3 + 2 * p]);
        under[p] += RunStats.isShort(demand, ready * capacity) ? 1 : 0;
      }
    }
    int n = lines.size() - 2;
    String[] names = {"hpa", "oracle-100"};
    for (int p = 0; p < 2; p++) {
      double[] scored = numbers(r.out(), names[p]);
      assertThat(desired[p] * 15 / 3600).as(names[p] + " replica-hours")
          .isCloseTo(scored[1], within(0.001));
      assertThat(100.0 * under[p] / n).as(names[p] + " under-provisioned %")
          .isCloseTo(scored[0], within(0.00005));
    }
    assertThat(under[0]).isPositive(); // the HPA is short somewhere on iio: the recount can fail
    // same input, same bytes
    Path again = dir.resolve("s2.csv");
    run("--trace", trace, "--policies", "hpa,oracle-100", "--no-sweep", "--series",
        again.toString());
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(csv));
  }

  @Test
  void replicaBoundsHoldForEveryPolicyAtEveryStep() throws IOException {
    // Catches bounds that reach the JSON but not the engines (the spec keeps 1 and 10x the
    // peak), a run that starts below minReplicas, and a reference policy that ignores them.
    String trace = resource("nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv");
    String[] policies = {"hpa", "predictive", "oracle-100"};
    Path csv = dir.resolve("bounded.csv");
    Result r = run("--trace", trace, "--policies", String.join(",", policies), "--no-sweep",
        "--min-replicas", "3", "--max-replicas", "9", "--format", "json", "--series",
        csv.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(",\"minReplicas\":3,\"maxReplicas\":9}");
    int[] lowest = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
    int[] highest = new int[3];
    for (String line : Files.readAllLines(csv).subList(2, Files.readAllLines(csv).size())) {
      String[] f = line.split(",");
      for (int p = 0; p < 3; p++) {
        for (int k : new int[] {2 + 2 * p, 3 + 2 * p}) {
          lowest[p] = Math.min(lowest[p], Integer.parseInt(f[k]));
          highest[p] = Math.max(highest[p], Integer.parseInt(f[k]));
        }
      }
    }
    for (int p = 0; p < 3; p++) {
      assertThat(lowest[p]).as(policies[p] + " lowest").isEqualTo(3);
      // iio's peak needs 20 replicas at the 0.7 target: every policy is held at 9
      assertThat(highest[p]).as(policies[p] + " highest").isEqualTo(9);
    }
    assertThat(numbers(r.out(), "oracle-100")[0]).isPositive(); // short at the capped peak
    Result unbounded = run("--trace", trace, "--policies", "oracle-100", "--no-sweep",
        "--format", "json");
    assertThat(unbounded.out()).doesNotContain("minReplicas", "maxReplicas");
    assertThat(numbers(unbounded.out(), "oracle-100")[1])
        .isLessThan(numbers(r.out(), "oracle-100")[1]); // 3 replicas at night cost more
    assertThat(run("--trace", trace, "--policies", "oracle-100", "--no-sweep",
        "--min-replicas", "3").out()).contains(", minReplicas 3\n");

    assertThat(run("--min-replicas", "0").err()).startsWith("simulate: ")
        .contains("--min-replicas must be in [1, 1000000], but was 0");
    assertThat(run("--min-replicas", "5", "--max-replicas", "4").err())
        .contains("--max-replicas must be in [minReplicas (5), 1000000], but was 4");
    assertThat(run("--max-replicas", "many").err())
        .startsWith("simulate: --max-replicas must be an integer, but was \"many\"");
  }

  @Test
  void theForecasterReachesThePredictiveStackOnly() {
    // Catches --forecaster read but not handed to the engines (predictive unchanged), or handed
    // to the HPA's run as well, and a forecaster named in no report.
    String trace = resource("nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv");
    String[] args = {"--trace", trace, "--policies", "hpa,predictive", "--no-sweep", "--format",
        "json"};
    Result auto = run(args);
    Result linear = run(concat(args, "--forecaster", "linear-trend"));
    assertThat(linear.code()).as(linear.err()).isZero();
    assertThat(auto.out()).doesNotContain("forecaster");
    assertThat(linear.out()).contains(",\"forecaster\":\"linear-trend\"}");
    assertThat(numbers(linear.out(), "hpa")).containsExactly(numbers(auto.out(), "hpa"));
    assertThat(numbers(linear.out(), "predictive"))
        .isNotEqualTo(numbers(auto.out(), "predictive"));
    assertThat(run("--trace", trace, "--policies", "predictive", "--no-sweep", "--forecaster",
        "holt-winters").out()).contains(", forecaster holt-winters\n");
    assertThat(run("--forecaster", "prophet").err()).startsWith("simulate: ")
        .contains("forecaster must be one of [linear-trend, seasonal-naive, holt-winters, "
            + "fourier, auto], but was \"prophet\"");
  }

  @Test
  void anUnwritableSeriesFileGivesExitCode2() {
    Result r = run("--trace", resource("nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv"),
        "--policies", "oracle-100", "--series", dir.resolve("no/such/dir/s.csv").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("simulate: --series must be in an existing directory")
        .doesNotContain("\tat ").hasLineCount(1);
  }

  /** A small trace of {@code n} one-minute samples, a slow wave. */
  Path smallTrace(String name, int n) throws IOException {
    StringBuilder csv = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < n; i++) {
      csv.append(60 * i).append(',').append(100 + 50 * Math.sin(i / 10.0)).append('\n');
    }
    return Files.writeString(dir.resolve(name), csv);
  }

  @Test
  void jsonNamesANoSweepRunAndOnlyThat() throws IOException {
    // Catches --no-sweep JSON whose "atSlo":null reads as "nothing meets the SLO".
    String f = smallTrace("w.csv", 120).toString();
    Result off = run("--trace", f, "--policies", "oracle-100", "--no-sweep", "--format", "json");
    Result on = run("--trace", f, "--policies", "oracle-100", "--format", "json");
    assertThat(off.code()).as(off.err()).isZero();
    assertThat(off.out()).contains(",\"steps\":477,\"sweep\":false},\"policies\":[");
    assertThat(on.out()).contains(",\"steps\":477},\"policies\":[").doesNotContain("sweep");
  }

  @Test
  void durationsAreReportedInExactSeconds() throws IOException {
    // Catches Duration.toSeconds(), which wrote a startup of 500 ms as 0.
    String f = smallTrace("s.csv", 20).toString();
    String[] args = {"--trace", f, "--policies", "oracle-100", "--no-sweep", "--sync-period",
        "1.5s", "--metrics-delay", "2.5s", "--startup", "500ms"};
    Result json = run(concat(args, "--format", "json"));
    assertThat(json.code()).as(json.err()).isZero();
    assertThat(json.out()).contains("\"syncPeriodSeconds\":1.5,")
        .contains("\"metricsDelaySeconds\":2.5,\"startupSeconds\":0.5,");
    assertThat(run(args).out()).contains(" steps of 1.5 s\n")
        .contains("metrics delay 2.5 s, startup 0.5 s,");
    assertThat(run(concat(args, "--format", "markdown")).out()).contains(" steps of 1.5 s;");
  }

  @Test
  void valuesNearTheLargestDoubleStillGiveEveryFigure() throws IOException {
    // Catches the demand sums overflowing to infinity: unserved demand was then NaN, null in JSON.
    Path huge = dir.resolve("huge.csv");
    Files.writeString(huge, "0,1e308\n60,1.7e308\n120,1e308\n");
    Result r = run("--trace", huge.toString(), "--policies", "hpa", "--no-sweep", "--format",
        "json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("\"unservedPct\":[0-9.]+,");
  }

  @Test
  void aPolicyNamedTwiceGivesExitCode2NamingIt() {
    Result r = run("--policies", "hpa,oracle,hpa");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("simulate: ")
        .contains("--policies must not repeat a name, but named \"hpa\" more than once")
        .hasLineCount(1);
  }

  @Test
  void aCapacityTooSmallForADoubleGivesExitCode2NamingIt() throws IOException {
    // Catches the unit search looping forever on a subnormal capacity, given or derived.
    Path tiny = dir.resolve("tiny.csv");
    Files.writeString(tiny, "60,1e-320\n120,2e-320\n");
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      Result given = run("--trace", smallTrace("w.csv", 5).toString(), "--no-sweep",
          "--capacity", "1e-310");
      assertThat(given.code()).isEqualTo(2);
      assertThat(given.err()).contains("but was 1.0E-310").hasLineCount(1);
      Result derived = run("--trace", tiny.toString(), "--no-sweep");
      assertThat(derived.code()).isEqualTo(2);
      assertThat(derived.err()).startsWith("simulate: " + tiny + ": the capacity derived from "
          + "the trace's peak 2.0E-320").hasLineCount(1);
    });
  }

  @Test
  void aTraceSpanningTooManyGridStepsGivesExitCode2NamingSpanPeriodAndCount() throws IOException {
    // Catches the step count cast to int (a negative array size: exit 1) or run for hours.
    Path f = dir.resolve("long.csv");
    Files.writeString(f, "60,1\n3000000060,2\n");
    Result r = run("--trace", f.toString(), "--sync-period", "1s", "--no-sweep");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: " + f + ": the trace spans 1970-01-01T00:01:00Z .. "
        + "2065-01-24T05:21:00Z (34722 days), 3,000,000,001 grid steps at a sync period of 1 s; "
        + "at most 20,000,000 are simulated: give a sync period of at least 151 s "
        + "(--sync-period)\n");
  }

  @Test
  void timestampsInOneMillisecondGiveExitCode2NamingFileAndLine() throws IOException {
    Path f = dir.resolve("ns.csv");
    Files.writeString(f, "2020-01-01T00:00:00.0001Z,1\n2020-01-01T00:00:00.0002Z,2\n");
    Result r = run("--trace", f.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("simulate: " + f + ":2: duplicate timestamp ")
        .hasLineCount(1);
  }

  @Test
  void aFailureInsideARunGivesExitCode1AsAnUnexpectedFailure() throws IOException {
    // Catches an IllegalArgumentException from inside a run reported as bad input (exit 2),
    // while bad input found before the runs keeps exit 2 (allZeroTraceGivesExitCode2).
    PolicyRegistry reg = PolicyRegistry.standard().register("broken", env -> {
      throw new IllegalArgumentException("boom");
    }, "throws");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SimulateCommand.run(new String[] {"--trace", smallTrace("w.csv", 5).toString(),
        "--policies", "broken", "--no-sweep"}, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        ManualClock.ofDefault(), reg);
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("simulate: unexpected failure "
        + "on w.csv: ").contains("broken at target 0.7", "boom").hasLineCount(1);
  }

  /** A run of {@link SimulateCommand} whose stdout fails every write, as /dev/full does. */
  static Result runToAFailingStdout(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SimulateCommand.run(args, new PrintStream(failing(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), ManualClock.ofDefault());
    return new Result(code, "", err.toString(StandardCharsets.UTF_8));
  }

  /** A stream every write to which fails. */
  static OutputStream failing() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("No space left on device");
      }
    };
  }

  /**
   * Catches a metrics delay longer than the trace accepted: on a 10-minute trace, {@code
   * --metrics-delay 30m} exited 0 with scores in which hpa and predictive never saw a reading
   * and held their first count. Refused as a trace shorter than one sync period is, also at the
   * trace's whole span (the first sample seen at the last step); a delay shorter than it runs,
   * and so do the references, which see the demand without delay.
   */
  @Test
  void aMetricsDelayNotShorterThanTheTraceGivesExitCode2NamingTheDelayAndTheSpan()
      throws IOException {
    Path f = smallTrace("ok.csv", 11); // 600 s: 41 steps of 15 s
    for (String delay : List.of("30m", "10m")) {
      Result r = run("--trace", f.toString(), "--policies", "oracle,hpa,predictive",
          "--no-sweep", "--metrics-delay", delay);
      assertThat(r.code()).as(delay).isEqualTo(2);
      assertThat(r.err()).isEqualTo("simulate: " + f + ": the metrics delay, "
          + (delay.equals("30m") ? "1800" : "600") + " s (--metrics-delay), must be shorter "
          + "than the trace's span on the 15 s sync grid, 600 s: hpa and predictive see the "
          + "demand that late, so would see none of it before the last step (give a shorter "
          + "--metrics-delay or a longer trace)\n");
      assertThat(r.out()).isEmpty();
    }
    Result shorter = run("--trace", f.toString(), "--policies", "hpa", "--no-sweep",
        "--metrics-delay", "9m");
    assertThat(shorter.code()).as(shorter.err()).isZero();
    assertThat(shorter.out()).contains("metrics delay 540 s");
    Result references = run("--trace", f.toString(), "--policies", "static-peak,oracle",
        "--no-sweep", "--metrics-delay", "30m");
    assertThat(references.code()).as(references.err()).isZero();
  }

  /**
   * Catches a trace shorter than one sync period scored as if it were one: 4 samples over 3 s
   * gave "1 steps of 15 s", a full scorecard of one decision and exit 0.
   */
  @Test
  void aTraceShorterThanOneSyncPeriodGivesExitCode2() throws IOException {
    Path f = Files.writeString(dir.resolve("short.csv"), "0,1\n1,2\n2,3\n3,4\n");
    Result r = run("--trace", f.toString(), "--policies", "oracle-100", "--no-sweep");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: " + f + ": the trace spans 3 s, less than the 15 s "
        + "sync period: it gives one grid step, and a run needs at least two (give a longer trace "
        + "or a shorter --sync-period)\n");
    assertThat(r.out()).isEmpty();
    // One sync period is two steps: simulated.
    Path two = Files.writeString(dir.resolve("two.csv"), "0,1\n15,2\n");
    assertThat(run("--trace", two.toString(), "--policies", "oracle-100", "--no-sweep").out())
        .contains(", 2 steps of 15 s\n");
  }

  /**
   * Catches durations finer than a millisecond taken and truncated: a startup of 0.9 ms became an
   * oracle window of 0, and a sync period of 15.0000001 s was written so and simulated as 15 s.
   */
  @Test
  void aDurationFinerThanAMillisecondGivesExitCode2NamingOptionAndValue() throws IOException {
    String f = smallTrace("w.csv", 5).toString();
    Result startup = run("--trace", f, "--policies", "oracle", "--no-sweep", "--startup",
        "PT0.0009S");
    assertThat(startup.code()).isEqualTo(2);
    assertThat(startup.err()).isEqualTo("simulate: --startup must be a whole number of "
        + "milliseconds, but was \"PT0.0009S\"\n");
    assertThat(run("--trace", f, "--policies", "oracle", "--no-sweep", "--sync-period",
        "PT15.0000001S").err()).isEqualTo("simulate: --sync-period must be a whole number of "
        + "milliseconds, but was \"PT15.0000001S\"\n");
    assertThat(run("--trace", f, "--policies", "oracle", "--no-sweep", "--metrics-delay",
        "PT1.0005S").err()).startsWith("simulate: --metrics-delay must be a whole number of ");
  }

  /**
   * Catches a decimal duration finer than a millisecond rounded instead of refused, as the ISO
   * form is: {@code --metrics-delay 0.5ms} ran at 1 ms, {@code 60.0004s} at 60 s and
   * {@code 0.0000001h} at 0.
   */
  @Test
  void aDecimalDurationFinerThanAMillisecondIsRefusedToo() throws IOException {
    String f = smallTrace("w.csv", 5).toString();
    for (String[] given : List.of(new String[] {"--metrics-delay", "0.5ms"},
        new String[] {"--sync-period", "60.0004s"}, new String[] {"--metrics-delay", "0.0000001h"},
        new String[] {"--startup", " 1.00000001M "}, new String[] {"--startup", "90.0000000001"})) {
      Result r = run("--trace", f, "--policies", "oracle-100", "--no-sweep", given[0], given[1]);
      assertThat(r.code()).as(given[1]).isEqualTo(2);
      assertThat(r.err()).isEqualTo("simulate: " + given[0] + " must be a whole number of "
          + "milliseconds, but was \"" + given[1] + "\"\n");
      assertThat(r.out()).isEmpty();
    }
    Result whole = run("--trace", f, "--policies", "oracle-100", "--no-sweep", "--format", "json",
        "--metrics-delay", "0.0005h", "--startup", "1.505s", "--sync-period", "15000.000ms");
    assertThat(whole.code()).as(whole.err()).isZero();
    assertThat(whole.out()).contains("\"syncPeriodSeconds\":15,").contains(
        "\"metricsDelaySeconds\":1.8,").contains("\"startupSeconds\":1.505,");
  }

  /**
   * Catches a repeated option whose last value silently won ({@code --startup 60 --startup 120}
   * ran at 120 s, {@code --format json --format table} printed a table).
   */
  @Test
  void anOptionGivenTwiceGivesExitCode2NamingBothValues() throws IOException {
    String f = smallTrace("w.csv", 5).toString();
    Result r = run("--trace", f, "--policies", "oracle-100", "--no-sweep", "--startup", "60",
        "--startup=120");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: --startup must be given once, but was given twice: "
        + "\"60\" and \"120\"\n");
    assertThat(r.out()).isEmpty();
    assertThat(run("--trace", f, "--policies", "oracle-100", "--no-sweep", "--format", "json",
        "--format", "table").err()).isEqualTo("simulate: --format must be given once, but was "
        + "given twice: \"json\" and \"table\"\n");
  }

  /** Catches {@code --no-sweep=false} turning the sweep off, and any value on a flag ignored. */
  @Test
  void aFlagGivenAValueGivesExitCode2() throws IOException {
    String f = smallTrace("w.csv", 5).toString();
    Result r = run("--trace", f, "--policies", "oracle-100", "--no-sweep=false");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: --no-sweep takes no value, but was given "
        + "\"false\"\n");
    assertThat(r.out()).isEmpty();
    assertThat(run("--help=yes").err())
        .isEqualTo("simulate: --help takes no value, but was given \"yes\"\n");
  }

  /**
   * Catches output paths checked only after the run: a report into a missing directory ran the
   * whole simulation and printed the scorecard before exiting 2.
   */
  @Test
  void outputPathsAreCheckedBeforeTheRun() throws IOException {
    String f = smallTrace("w.csv", 5).toString();
    String missing = dir.resolve("no/such/dir/r.html").toString();
    Result r = run("--trace", f, "--policies", "oracle-100", "--no-sweep", "--report", missing);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: --report must be in an existing directory that can "
        + "be written, but was \"" + missing + "\"\n");
    assertThat(r.out()).isEmpty();
    Result series = run("--trace", f, "--policies", "oracle-100", "--no-sweep", "--series",
        dir.toString());
    assertThat(series.err()).isEqualTo("simulate: --series must name a file, not a directory, "
        + "but was \"" + dir + "\"\n");
    assertThat(series.out()).isEmpty();
  }

  /**
   * Catches an existing, writable device refused because its directory cannot be written:
   * {@code --series /dev/stdout} and {@code --report /dev/null} failed for every user but root.
   * A regular file there is refused: it is replaced whole, by a file made beside it. Run as
   * root, the directory's permissions bind nothing, and the regular file is accepted.
   */
  @Test
  void aWritableDeviceIsAcceptedWhateverItsDirectoryAndARegularFileOnlyInOneThatCanBeWritten()
      throws IOException {
    String f = smallTrace("w.csv", 5).toString();
    Path locked = Files.createDirectory(dir.resolve("locked"));
    Path series = Files.writeString(locked.resolve("s.csv"), "old\n");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      Result device = run("--trace", f, "--policies", "oracle-100", "--no-sweep", "--report",
          "/dev/null");
      assertThat(device.code()).as(device.err()).isZero();
      Result r = run("--trace", f, "--policies", "oracle-100", "--no-sweep", "--series",
          series.toString());
      if (Files.isWritable(locked)) { // root
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(series)).startsWith("# prescaler simulate: trace w.csv");
      } else {
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("simulate: --series must be in an existing directory "
            + "that can be written, but was \"" + series + "\"\n");
        assertThat(Files.readString(series)).isEqualTo("old\n");
      }
      Result fresh = run("--trace", f, "--policies", "oracle-100", "--no-sweep", "--series",
          locked.resolve("new.csv").toString());
      if (!Files.isWritable(locked)) { // not root: a file to be made there is refused
        assertThat(fresh.code()).isEqualTo(2);
        assertThat(fresh.err()).isEqualTo("simulate: --series must be in an existing directory "
            + "that can be written, but was \"" + locked.resolve("new.csv") + "\"\n");
        assertThat(fresh.out()).isEmpty();
      }
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /**
   * Catches an output file written in place: a write that failed after the run (a full disk)
   * left the page cut, its old contents lost. Now the file is as it was, and nothing is left
   * beside it. The failure is injected after a part was written and flushed, as a full disk
   * fails mid-way; {@link #aDeviceThatCannotBeWrittenGivesExitCode1AndOneLine} checks the exit
   * code of a failed write through the whole command.
   */
  @Test
  void aWriteThatFailsMidWayLeavesTheFileAsItWas() throws IOException {
    Path report = Files.writeString(dir.resolve("r.html"), "old\n");
    Path fresh = dir.resolve("new.html");
    for (Path target : List.of(report, fresh)) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      boolean written = SimulateCommand.writeFile(new PrintStream(err, true,
          StandardCharsets.UTF_8), "--report", target.toString(), w -> {
            w.write("<!DOCTYPE html>\n<html><body><p>the first part");
            w.flush();
            throw new IOException("No space left on device");
          });
      if (target.equals(report)) {
        assertThat(Files.readString(report)).isEqualTo("old\n");
      } else {
        assertThat(fresh).doesNotExist();
      }
      assertThat(written).isFalse();
      assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("simulate: --report " + target
          + ": cannot write: java.io.IOException: No space left on device (left as it was)\n");
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("r.html");
    }
  }

  /**
   * Catches {@code --series /dev/stdout} into a pipe taken for a file to replace: its link,
   * followed by hand, leads to {@code pipe:[…]}, which names no file, and the file beside it
   * could not be made. The test's own stdout is such a pipe; nothing is written to it. (Since
   * {@code /dev/stdout} is written through the process's own descriptor, this covers that path;
   * another stream reopened in place is covered by {@code OutputFileTest}.)
   */
  @Test
  void stdoutIntoAPipeIsWrittenInPlace() {
    Path stdout = Path.of("/dev/stdout");
    Assumptions.assumeTrue(Files.exists(stdout) && !Files.isRegularFile(stdout),
        "stdout is not a file");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(SimulateCommand.writeFile(new PrintStream(err, true, StandardCharsets.UTF_8),
        "--series", stdout.toString(), w -> { })).as(err.toString(StandardCharsets.UTF_8))
        .isTrue();
  }

  /** Catches a device that fails every write (a full disk) reported as bad arguments, exit 2. */
  @Test
  void aDeviceThatCannotBeWrittenGivesExitCode1AndOneLine() throws IOException {
    Path full = Path.of("/dev/full");
    Assumptions.assumeTrue(Files.isWritable(full), "a system with /dev/full");
    Result r = run("--trace", smallTrace("w.csv", 5).toString(), "--policies", "oracle-100",
        "--no-sweep", "--series", full.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("simulate: --series /dev/full: cannot write: ")
        .endsWith(" (what reached it is incomplete)\n").hasLineCount(1);
    assertThat(Files.exists(full) && !Files.isRegularFile(full)).isTrue();
  }

  /**
   * Catches the file made beside an output (to be moved over it) changing what the output was:
   * the mode of the file it replaces is kept (a temporary file is made private to its owner),
   * and an output named through a link is written where the link leads, the link kept.
   */
  @Test
  void aReplacedFileKeepsItsModeAndALinkToItStaysALink() throws IOException {
    Path real = Files.writeString(dir.resolve("real.csv"), "old\n");
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r-----"));
    Path link = Files.createSymbolicLink(dir.resolve("link.csv"), real.getFileName());
    Result r = run("--trace", smallTrace("w.csv", 5).toString(), "--policies", "oracle-100",
        "--no-sweep", "--series", link.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(real)).startsWith("# prescaler simulate: trace w.csv");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(real)))
        .isEqualTo("rw-r-----");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted())
          .containsExactly("link.csv", "real.csv", "w.csv");
    }
  }

  /** Catches an existing file that cannot be written accepted, and the run lost at its end. */
  @Test
  void anExistingFileThatCannotBeWrittenIsRefused() throws IOException {
    Path report = Files.writeString(dir.resolve("r.html"), "old\n");
    Files.setPosixFilePermissions(report, PosixFilePermissions.fromString("r--r--r--"));
    Assumptions.assumeFalse(Files.isWritable(report), "root writes any file");
    Result r = run("--trace", smallTrace("w.csv", 5).toString(), "--policies", "oracle-100",
        "--no-sweep", "--report", report.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: --report must be a file that can be written, but "
        + "was \"" + report + "\"\n");
    assertThat(r.out()).isEmpty();
  }

  /** Catches a report lost to a full disk or a closed pipe with exit code 0. */
  @Test
  void aFailedWriteToStdoutGivesExitCode1AndOneLine() throws IOException {
    Result r = runToAFailingStdout("--trace", smallTrace("w.csv", 5).toString(), "--policies",
        "oracle-100", "--no-sweep", "--format", "json");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("simulate: cannot write stdout (a closed pipe or a full "
        + "disk?): the report written there is incomplete\n");
  }

  /**
   * Catches {@code --trace=} and {@code --trace nab-csv:} reported as "simulate: : not a
   * regular file", naming nothing.
   */
  @Test
  void aTraceOptionNamingNoFileGivesExitCode2NamingTheOption() {
    Result empty = run("--trace=");
    assertThat(empty.code()).isEqualTo(2);
    assertThat(empty.err()).isEqualTo("simulate: --trace must name a file, [nab-csv:]FILE, but "
        + "was \"\"\n");
    assertThat(run("--trace", "nab-csv:").err()).isEqualTo("simulate: --trace must name a file, "
        + "[nab-csv:]FILE, but was \"nab-csv:\"\n");
  }

  /** Catches an upper-case format prefix read as part of the path ("file not found"). */
  @Test
  void theFormatPrefixIsReadInAnyCase() throws IOException {
    String f = smallTrace("w.csv", 5).toString();
    Result r = run("--trace", "NAB-CSV:" + f, "--policies", "oracle-100", "--no-sweep");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("trace w.csv: 5 samples");
  }

  /**
   * Catches the bytes of a binary file printed raw to the terminal (an escape sequence, a NUL)
   * in the one line that names its bad line.
   */
  @Test
  void aBinaryTraceIsReportedWithItsControlBytesEscaped() throws IOException {
    Path f = dir.resolve("bin.csv");
    Files.write(f, new byte[] {0x1b, '[', '3', '1', 'm', 0, 0x7f, '\r', 'x', '\n'});
    Result r = run("--trace", f.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("simulate: " + f + ":1: expected timestamp,value, but was "
        + "\"\\x1b[31m\\x00\\x7f\"\n");
    assertThat(SimulateCommand.oneLine("a\u202eb\tc\n- d")).isEqualTo("a\\u202eb\\x09c; d");
  }

  /**
   * Catches a markdown report that states no model and prints "null" for every cost at SLO of a
   * run without a sweep, which reads as "no setting meets the SLO".
   */
  @Test
  void theMarkdownStatesTheModelAndANoSweepRun() throws IOException {
    String f = smallTrace("w.csv", 120).toString();
    String[] args = {"--trace", f, "--policies", "oracle-100", "--format", "markdown",
        "--startup", "90s"};
    Result off = run(concat(args, "--no-sweep"));
    assertThat(off.code()).as(off.err()).isZero();
    assertThat(off.out()).contains("; target utilization 0.7, metrics delay 60 s, startup 90 s; "
        + "SLO 0.1 % under-provisioned time; risk quantile 0.95; no target sweep (--no-sweep): "
        + "no cost at SLO.\n").contains(" | not swept | - | - |\n").doesNotContain("null");
    Result on = run(args);
    assertThat(on.out()).contains("; cost at SLO: the cheapest target utilization in 0.40..0.95 "
        + "that meets the SLO (null: none does).\n").doesNotContain("not swept");
  }

  /**
   * Catches settings the text reports rounded to four decimals: {@code --target-utilization
   * 0.00001 --slo 0.00001} printed "target utilization 0" and "SLO 0 %" in the markdown.
   */
  @Test
  void theTextReportsWriteTheSettingsGivenExactly() throws IOException {
    String[] args = {"--trace", smallTrace("w.csv", 5).toString(), "--policies", "oracle-100",
        "--no-sweep", "--peak-replicas", "1", "--target-utilization", "0.00001", "--slo",
        "0.00001", "--risk-quantile", "0.95123"};
    Result md = run(concat(args, "--format", "markdown"));
    assertThat(md.code()).as(md.err()).isZero();
    assertThat(md.out()).contains("; target utilization 0.00001, metrics delay 60 s, startup "
        + "120 s; SLO 0.00001 % under-provisioned time; risk quantile 0.95123;");
    Path html = dir.resolve("r.html");
    Result table = run(concat(args, "--report", html.toString()));
    assertThat(table.code()).as(table.err()).isZero();
    assertThat(table.out()).contains(", target utilization 0.00001, metrics delay 60 s, startup "
        + "120 s, SLO 0.00001 % under-provisioned time, risk quantile 0.95123\n");
    assertThat(Files.readString(html)).contains("target utilization 0.00001;")
        .contains("SLO 0.00001 % under-provisioned time; risk quantile 0.95123");
  }

  /**
   * Catches settings written to the JSON rounded to six decimals: a target utilization of 1e-9
   * was written as 0.
   */
  @Test
  void theJsonWritesTheSettingsGivenExactly() throws IOException {
    Result r = run("--trace", smallTrace("w.csv", 5).toString(), "--policies", "oracle-100",
        "--no-sweep", "--format", "json", "--target-utilization", "1e-9", "--slo", "0.00000012",
        "--capacity", "0.1234567891234");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"capacity\":0.1234567891234,")
        .contains("\"targetUtilization\":0.000000001,")
        .contains("\"slo\":0.00000012,\"riskQuantile\":0.95,");
  }

  /**
   * Catches the integer options reading the digits of other scripts, as Integer.parseInt does:
   * {@code --threads ٥} (an Arabic-Indic five) ran with 5 threads, while {@code --capacity ٥} was
   * refused. Every integer option is read as ASCII digits now, and its ASCII form still runs.
   */
  @Test
  void theIntegerOptionsRefuseTheDigitsOfOtherScripts() throws IOException {
    String f = smallTrace("w.csv", 5).toString();
    for (String option : List.of("--threads", "--peak-replicas", "--min-replicas",
        "--max-replicas")) {
      for (String value : List.of("\u0665", "\uFF15", "\u0967\u0966", "5\u0660")) {
        Result r = run("--trace", f, "--policies", "oracle-100", "--no-sweep", option, value);
        assertThat(r.code()).as(option + " " + value).isEqualTo(2);
        assertThat(r.err()).isEqualTo("simulate: " + option + " must be an integer, but was \""
            + value + "\"\n");
        assertThat(r.out()).isEmpty();
      }
      Result ascii = run("--trace", f, "--policies", "oracle-100", "--no-sweep", option, "5");
      assertThat(ascii.code()).as(option + ": " + ascii.err()).isZero();
    }
  }
}
