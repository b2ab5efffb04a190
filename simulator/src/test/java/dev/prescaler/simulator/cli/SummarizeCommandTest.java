package dev.prescaler.simulator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummarizeCommandTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SummarizeCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private static String policy(String name, double under, int actions, String slo) {
    return "{\"name\":\"" + name + "\",\"underProvisionedPct\":" + under + ",\"unservedPct\":0,"
        + "\"replicaHours\":1,\"costVsOracle\":null,\"scalingActions\":" + actions
        + ",\"atSlo\":" + slo + "}";
  }

  private static String slo(double hours, double target) {
    return "{\"targetUtilization\":" + target + ",\"replicaHours\":" + hours
        + ",\"underProvisionedPct\":0.05}";
  }

  /** A run of trace "a" with hpa, predictive (cheaper at the SLO) and oracle-100. */
  private Path runA() throws IOException {
    return file("a", policy("hpa", 0.5, 100, slo(1000, 0.5)),
        policy("predictive", 0.1, 50, slo(800, 0.7)), policy("oracle-100", 0, 10,
            slo(500, 1.0)));
  }

  private Path file(String trace, String hpa, String predictive, String oracle)
      throws IOException {
    Path f = dir.resolve(trace + ".json");
    Files.writeString(f, "{\"trace\":\"" + trace + "\",\"config\":{\"syncPeriodSeconds\":15,"
        + "\"targetUtilization\":0.7},\"policies\":[" + hpa + "," + predictive + "," + oracle
        + "]}\n");
    return f;
  }

  @Test
  void oneRowPerTraceAndTheBarsOverAllOfThem() throws IOException {
    List<String> files = new ArrayList<>();
    // a win, a loss above 1.02, a tie, a trace only predictive meets and one neither meets
    files.add(file("a", policy("hpa", 0.5, 100, slo(1000, 0.5)),
        policy("predictive", 0.1, 50, slo(800, 0.7)), policy("oracle-100", 0, 10,
            slo(500, 1.0))).toString());
    files.add(file("b", policy("hpa", 0.2, 100, slo(1000, 0.6)),
        policy("predictive", 0.2, 200, slo(1100, 0.7)), policy("oracle-100", 0, 10,
            slo(550, 1.0))).toString());
    files.add(file("c", policy("hpa", 0, 30, slo(400, 0.95)),
        policy("predictive", 0, 30, slo(400, 0.95)), policy("oracle-100", 0, 10,
            slo(390, 1.0))).toString());
    files.add(file("d", policy("hpa", 2.0, 300, "null"),
        policy("predictive", 0.4, 150, slo(900, 0.5)), policy("oracle-100", 0, 10,
            slo(300, 1.0))).toString());
    files.add(file("e", policy("hpa", 4.0, 400, "null"),
        policy("predictive", 1.0, 100, "null"), policy("oracle-100", 0, 10,
            slo(300, 1.0))).toString());

    Result r = run(files.toArray(String[]::new));

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(String.join("\n",
        "| trace | hpa cost at SLO | predictive cost at SLO | ratio | predictive ÷ oracle-100 "
            + "| under-prov % at 0.70 (hpa / predictive) | ratio | actions (hpa / predictive) "
            + "| ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        "| a | 1000.000 @ 0.50 | 800.000 @ 0.70 | 0.800 | 1.60 | 0.5000 / 0.1000 | 0.20 | 100 / 50 "
            + "| 0.50 |",
        "| b | 1000.000 @ 0.60 | 1100.000 @ 0.70 | 1.100 | 2.00 | 0.2000 / 0.2000 | 1.00 "
            + "| 100 / 200 | 2.00 |",
        "| c | 400.000 @ 0.95 | 400.000 @ 0.95 | 1.000 | 1.03 | 0.0000 / 0.0000 | 1.00 | 30 / 30 "
            + "| 1.00 |",
        "| d | - | 900.000 @ 0.50 | predictive only | 3.00 | 2.0000 / 0.4000 | 0.20 | 300 / 150 "
            + "| 0.50 |",
        "| e | - | - | neither | - | 4.0000 / 1.0000 | 0.25 | 400 / 100 | 0.25 |",
        "",
        "5 traces; hpa meets the SLO on 3, predictive on 4.",
        "",
        "- predictive meets the SLO wherever hpa does: 3 of 3; it also meets it where hpa never "
            + "does: d",
        "- median cost at the SLO, predictive ÷ hpa, over the 3 traces where both meet it: "
            + "1.000 (at most 0.95 on 1)",
        "- above 1.02 × hpa's cost at the SLO: 1 (b 1.100)",
        "- median under-provisioned time at 0.70, predictive ÷ hpa: 0.250",
        "- median scaling actions at 0.70, predictive ÷ hpa: 0.500",
        ""));
  }

  /**
   * Catches numbers of the JSON rounded a second time: 46.34146 % under-provisioned is 46.341 in
   * simulate's table and 46.3415 in the JSON, and was 46.342 here; 4134.7496 replica-hours at the
   * SLO are 4134.7 there and 4134.75 in the JSON, and were 4134.8 here; a target of 0.725 was
   * 0.73. The JSON's numbers are printed as it writes them, with fixed places (4 for a
   * percentage, 3 for replica-hours, at least 2 for a target) and never fewer digits.
   */
  @Test
  void theJsonsNumbersArePrintedAsWrittenNotRoundedAgain() throws IOException {
    Path f = file("r", policy("hpa", 46.3415, 10, slo(4134.75, 0.725)),
        policy("predictive", 0.0005, 10, slo(4134.7, 0.9)), policy("oracle-100", 0, 10,
            slo(4000, 1.0)));
    Files.writeString(f, Files.readString(f).replace("\"targetUtilization\":0.7}",
        "\"targetUtilization\":0.725}"));

    Result r = run(f.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("| under-prov % at 0.725 (hpa / predictive) |")
        .contains("\n| r | 4134.750 @ 0.725 | 4134.700 @ 0.90 | 1.000 | 1.03 | 46.3415 / 0.0005 |")
        .contains("- median under-provisioned time at 0.725, predictive ÷ hpa: ");
  }

  @Test
  void runsWithOtherSettingsAreNamed() throws IOException {
    // Catches a summary that mixes runs at minReplicas 2 with runs at 1 (or at another SLO)
    // without a word, and one over runs at minReplicas 2 that does not say so.
    String hpa = policy("hpa", 0.1, 10, slo(100, 0.8));
    String predictive = policy("predictive", 0.1, 10, slo(95, 0.9));
    String oracle = policy("oracle-100", 0, 10, slo(90, 1.0));
    Path plain = file("plain", hpa, predictive, oracle);
    Path two = dir.resolve("two.json");
    Files.writeString(two, Files.readString(plain).replace("\"plain\"", "\"two\"")
        .replace("\"targetUtilization\":0.7}", "\"targetUtilization\":0.7,\"minReplicas\":2}"));
    Path three = dir.resolve("three.json");
    Files.writeString(three, Files.readString(two).replace("\"two\"", "\"three\"")
        .replace("\"syncPeriodSeconds\":15", "\"syncPeriodSeconds\":30"));

    String mixed = run(plain.toString(), two.toString(), three.toString()).out();
    assertThat(mixed).contains("**The runs differ in minReplicas (2, absent); "
        + "syncPeriodSeconds (15, 30): the medians below mix different models.**")
        .doesNotContain("Every run with");
    Path four = dir.resolve("four.json");
    Files.writeString(four, Files.readString(two).replace("\"two\"", "\"four\""));
    assertThat(run(two.toString(), four.toString()).out())
        .contains("\n\nEvery run with minReplicas 2.\n\n").doesNotContain("differ");
    assertThat(run(plain.toString()).out()).doesNotContain("differ", "Every run with");
  }

  @Test
  void aTraceTheBaselineMeetsAndThePolicyMissesIsNamed() throws IOException {
    Path f = file("x", policy("hpa", 0.01, 10, slo(100, 0.9)),
        policy("predictive", 0, 10, "null"), policy("oracle-100", 0, 10, slo(90, 1.0)));

    Result r = run(f.toString());

    assertThat(r.out()).contains("| x | 100.000 @ 0.90 | - | hpa only | - |")
        .contains("- predictive meets the SLO wherever hpa does: 0 of 1 (not on x)")
        .contains("over the 0 traces where both meet it: - (at most 0.95 on 0)");
  }

  /**
   * Catches a policy short for one step of a year (0.0000476 % of the time, as simulate's JSON
   * writes it) shown as 0.000, and its ratio to the HPA as 0.00: it read as never short.
   */
  @Test
  void anUnderProvisionedTimeThatIsNotZeroIsNeverShownAsZero() throws IOException {
    Path f = file("year", policy("hpa", 0.5, 10, slo(100, 0.5)),
        policy("predictive", 0.0000476, 10, slo(90, 0.9)), policy("oracle-100", 0, 10,
            slo(80, 1.0)));

    Result r = run(f.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("| 0.5000 / 0.0000476 | 0.0000952 | 10 / 10 | 1.00 |")
        .contains("- median under-provisioned time at 0.70, predictive ÷ hpa: 0.0000952\n");
  }

  @Test
  void itReadsWhatSimulateWrites() throws IOException {
    Path json = dir.resolve("iio.json");
    SimulateCommandTest.Result sim = SimulateCommandTest.run("--trace",
        SimulateCommandTest.resource("nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv"),
        "--policies", "hpa,predictive,oracle-100", "--format", "json");
    assertThat(sim.code()).isZero();
    Files.writeString(json, sim.out());

    Result r = run(json.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("| nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv | ")
        .contains("1 trace; hpa meets the SLO on 1, predictive on 1.");
  }

  @Test
  void badInputGivesExitCode2AndOneLineNamingTheFile() throws IOException {
    Path notJson = dir.resolve("notes.txt");
    Files.writeString(notJson, "{ unclosed");
    Path other = dir.resolve("other.json");
    Files.writeString(other, "{\"hello\": 1}");
    Path noHpa = file("y", policy("linear", 0, 1, "null"), policy("predictive", 0, 1, "null"),
        policy("oracle-100", 0, 1, "null"));
    Path noSweep = file("z", "{\"name\":\"hpa\",\"underProvisionedPct\":0,\"scalingActions\":1}",
        policy("predictive", 0, 1, "null"), policy("oracle-100", 0, 1, "null"));

    assertThat(run().err()).isEqualTo("summarize: give at least one JSON file of 'prescaler "
        + "simulate' (see --help)\n");
    assertThat(run("--verbose", "x.json").err())
        .isEqualTo("summarize: unknown option --verbose (see --help)\n");
    assertThat(run("--policy", "hpa", "x.json").err()).isEqualTo("summarize: --policy and "
        + "--against must name two policies, but both were \"hpa\"\n");
    assertThat(run(notJson.toString()).err())
        .isEqualTo("summarize: " + notJson + ": cannot read it (not JSON)\n");
    assertThat(run(other.toString()).err()).isEqualTo("summarize: " + other + ": not the "
        + "--format json output of 'prescaler simulate' (trace, config.targetUtilization and "
        + "policies are needed)\n");
    assertThat(run(noHpa.toString()).err()).isEqualTo("summarize: " + noHpa + ": must hold "
        + "the policies \"predictive\" and \"hpa\", but held [\"linear\", \"predictive\", "
        + "\"oracle-100\"]\n");
    assertThat(run(noSweep.toString()).err()).isEqualTo("summarize: " + noSweep + ": policy "
        + "hpa has no atSlo (run without --no-sweep)\n");
    assertThat(run(dir.resolve("none.json").toString()).err())
        .startsWith("summarize: " + dir.resolve("none.json") + ": cannot read it "
            + "(NoSuchFileException: ");
    assertThat(run(noHpa.toString()).code()).isEqualTo(2);
  }

  /**
   * Catches the names in "must hold the policies" printed bare: {@code --policy ''} said {@code
   * must hold the policies  and hpa}, the empty name invisible. Every name is quoted now, those
   * the file holds too.
   */
  @Test
  void aPolicyNotInTheFileIsNamedQuotedEvenWhenEmpty() throws IOException {
    Path a = runA();
    Result r = run("--policy", "", a.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("summarize: " + a + ": must hold the policies \"\" and "
        + "\"hpa\", but held [\"hpa\", \"predictive\", \"oracle-100\"]\n");
    assertThat(r.out()).isEmpty();
  }

  /**
   * Catches numbers no simulate run can write read as if one had: a hand-edited
   * {@code "underProvisionedPct":-5} printed with a ratio of 1.00, {@code "scalingActions":2.7}
   * cut to 2, {@code 1e300} actions read as Long.MAX_VALUE. Each is a file that is not such a
   * run: exit 2 and one line naming the file, the policy, the field and the value.
   */
  @Test
  void aNumberNoSimulateRunCanWriteGivesExitCode2NamingFilePolicyAndField() throws IOException {
    String good = "\"underProvisionedPct\":0.1,\"unservedPct\":0.01,\"replicaHours\":10,"
        + "\"costVsOracle\":1.2,\"scalingActions\":5,\"atSlo\":" + slo(9, 0.8);
    String[][] cases = {
        {"\"underProvisionedPct\":0.1,", "\"underProvisionedPct\":-5,",
            "underProvisionedPct must be in [0, 100], but was -5"},
        {"\"scalingActions\":5,", "\"scalingActions\":2.7,",
            "scalingActions must be a whole number >= 0, but was 2.7"},
        {"\"scalingActions\":5,", "\"scalingActions\":1e300,",
            "scalingActions must be a whole number >= 0, but was 1.0E300"},
        {"\"unservedPct\":0.01,", "\"unservedPct\":\"none\",",
            "unservedPct must be a number in [0, 100], but was \"none\""},
        {"\"unservedPct\":0.01,", "\"unservedPct\":100.5,",
            "unservedPct must be in [0, 100], but was 100.5"},
        {"\"replicaHours\":10,", "\"replicaHours\":1e400,",
            "replicaHours must be finite and >= 0, but was Infinity"},
        {"\"costVsOracle\":1.2,", "\"costVsOracle\":-0.5,",
            "costVsOracle must be finite and >= 0, but was -0.5"},
        {"\"replicaHours\":9.0,", "\"replicaHours\":-9,",
            "atSlo.replicaHours must be finite and >= 0, but was -9"},
        {"\"underProvisionedPct\":0.05}", "\"underProvisionedPct\":101}",
            "atSlo.underProvisionedPct must be in [0, 100], but was 101"},
        {"{\"targetUtilization\":0.8,", "{\"targetUtilization\":1.5,",
            "atSlo.targetUtilization must be in (0, 1], but was 1.5"},
    };
    String hpa = policy("hpa", 0.5, 100, slo(1000, 0.5));
    String oracle = policy("oracle-100", 0, 10, slo(500, 1.0));
    assertThat(run(file("ok", hpa, "{\"name\":\"predictive\"," + good + "}", oracle).toString())
        .code()).isZero();
    for (String[] c : cases) {
      assertThat(good).contains(c[0]);
      Path f = file("bad", hpa, "{\"name\":\"predictive\"," + good.replace(c[0], c[1]) + "}",
          oracle);
      Result r = run(f.toString());
      assertThat(r.code()).as(c[1]).isEqualTo(2);
      assertThat(r.err()).isEqualTo("summarize: " + f + ": policy predictive: " + c[2] + "\n");
      assertThat(r.out()).isEmpty();
    }
  }

  /**
   * Catches a ratio listed above 1.02 but printed as 1.02 (1.0201), or printed at most 0.95 and
   * not counted there: three decimals, more where three would round it onto a bar it is not on.
   */
  @Test
  void aRatioIsPrintedOnTheSideOfTheBarsItIsOn() throws IOException {
    String oracle = policy("oracle-100", 0, 10, slo(500, 1.0));
    Path above = file("above", policy("hpa", 0, 10, slo(1000, 0.5)),
        policy("predictive", 0, 10, slo(1020.1, 0.5)), oracle);
    Path at = file("at", policy("hpa", 0, 10, slo(1000, 0.5)),
        policy("predictive", 0, 10, slo(1020, 0.5)), oracle);
    Path loss = file("loss", policy("hpa", 0, 10, slo(1000, 0.5)),
        policy("predictive", 0, 10, slo(1023.4, 0.5)), oracle);
    Path win = file("win", policy("hpa", 0, 10, slo(1000, 0.5)),
        policy("predictive", 0, 10, slo(950.4, 0.5)), oracle);

    Result r = run(above.toString(), at.toString(), loss.toString(), win.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\n| above | 1000.000 @ 0.50 | 1020.100 @ 0.50 | 1.0201 |")
        .contains("\n| at | 1000.000 @ 0.50 | 1020.000 @ 0.50 | 1.020 |")
        .contains("\n| loss | 1000.000 @ 0.50 | 1023.400 @ 0.50 | 1.023 |")
        .contains("\n| win | 1000.000 @ 0.50 | 950.400 @ 0.50 | 0.9504 |")
        .contains("(at most 0.95 on 0)")
        .contains("- above 1.02 × hpa's cost at the SLO: 2 (above 1.0201, loss 1.023)\n");
  }

  /** Catches a scorecard refused without the file, or a target outside (0, 1] read as one. */
  @Test
  void aBadScoreOrTargetGivesExitCode2NamingFileFieldAndValue() throws IOException {
    Path negative = file("n", policy("hpa", 0.5, -1, slo(1000, 0.5)),
        policy("predictive", 0.1, 50, slo(800, 0.7)), policy("oracle-100", 0, 10,
            slo(500, 1.0)));
    Path target = dir.resolve("t.json");
    Files.writeString(target, Files.readString(negative).replace("\"targetUtilization\":0.7}",
        "\"targetUtilization\":1.5}").replace("\"scalingActions\":-1", "\"scalingActions\":1"));
    Path zero = Files.writeString(dir.resolve("z.json"),
        Files.readString(target).replace(":1.5}", ":0}"));

    Result r = run(negative.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("summarize: " + negative + ": policy hpa: scalingActions "
        + "must be a whole number >= 0, but was -1\n");
    assertThat(run(target.toString()).err()).isEqualTo("summarize: " + target
        + ": config.targetUtilization must be in (0, 1], but was 1.5\n");
    assertThat(run(zero.toString()).err()).isEqualTo("summarize: " + zero
        + ": config.targetUtilization must be in (0, 1], but was 0\n");
    assertThat(run(zero.toString()).code()).isEqualTo(2);
  }

  @Test
  void aNoSweepRunIsRefusedNamingTheFile() throws IOException {
    // Catches a --no-sweep run, whose "atSlo":null means "not swept", read as "never meets the
    // SLO": the summary would count every trace as one the policies miss.
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      csv.append(60 * i).append(',').append(100 + 50 * Math.sin(i / 10.0)).append('\n');
    }
    Path trace = Files.writeString(dir.resolve("w.csv"), csv);
    SimulateCommandTest.Result sim = SimulateCommandTest.run("--trace", trace.toString(),
        "--policies", "hpa,predictive,oracle-100", "--no-sweep", "--format", "json");
    assertThat(sim.code()).as(sim.err()).isZero();
    Path json = Files.writeString(dir.resolve("w.json"), sim.out());

    Result r = run(json.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("summarize: " + json + ": made with --no-sweep, so it has no "
        + "cost at the SLO (run simulate without --no-sweep)\n");
    assertThat(r.out()).isEmpty();
  }

  /**
   * Catches one run given twice (the same file, under any spelling, or a copy of it) counted
   * twice in the medians.
   */
  @Test
  void aRunGivenTwiceGivesExitCode2NamingBothFiles() throws IOException {
    Path a = runA();
    Path copy = Files.writeString(dir.resolve("copy.json"), Files.readString(a));
    Path other = dir.resolve("sub/../a.json");
    Files.createDirectory(dir.resolve("sub"));

    Result same = run(a.toString(), other.toString());
    assertThat(same.code()).isEqualTo(2);
    assertThat(same.err()).isEqualTo("summarize: " + a + " and " + other + " are the same file: "
        + "give each run once\n");
    assertThat(same.out()).isEmpty();
    assertThat(run(a.toString(), a.toString()).code()).isEqualTo(2);
    assertThat(run(a.toString(), copy.toString()).err()).isEqualTo("summarize: " + a + " and "
        + copy + " hold the same run of a (the same settings and results of predictive and "
        + "hpa): give each run once\n");
  }

  /**
   * Catches two traces that share a file name ({@code a/rps.csv}, {@code b/rps.csv}: the JSON
   * names the trace by its file name alone) refused as one trace given twice.
   */
  @Test
  void twoTracesOfOneNameAreTwoRowsNamedWithTheirFiles() throws IOException {
    Path a = Files.move(file("rps.csv", policy("hpa", 0.5, 100, slo(1000, 0.5)),
        policy("predictive", 0.1, 50, slo(800, 0.7)), policy("oracle-100", 0, 10,
            slo(500, 1.0))), Files.createDirectory(dir.resolve("a")).resolve("rps.json"));
    Path b = Files.move(file("rps.csv", policy("hpa", 0.2, 100, slo(1000, 0.6)),
        policy("predictive", 0.2, 200, slo(1100, 0.7)), policy("oracle-100", 0, 10,
            slo(550, 1.0))), Files.createDirectory(dir.resolve("b")).resolve("rps.json"));
    Path c = file("c.csv", policy("hpa", 0, 30, slo(400, 0.95)),
        policy("predictive", 0, 30, slo(400, 0.95)), policy("oracle-100", 0, 10,
            slo(300, 1.0)));

    Result r = run(a.toString(), b.toString(), c.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("\n| rps.csv (" + a + ") | 1000.000 @ 0.50 | 800.000 @ 0.70 | 0.800 |")
        .contains("\n| rps.csv (" + b + ") | 1000.000 @ 0.60 | 1100.000 @ 0.70 | 1.100 |")
        .contains("\n| c.csv | 400.000 @ 0.95 |").contains("\n3 traces; ")
        .contains("above 1.02 × hpa's cost at the SLO: 1 (rps.csv (" + b + ") 1.100)");
  }

  /**
   * Catches a policy listed twice in one file accepted, its last entry winning without a word:
   * simulate runs each policy once, so the file is not such a run.
   */
  @Test
  void aPolicyListedTwiceIsNotSuchARun() throws IOException {
    Path twice = dir.resolve("twice.json");
    Files.writeString(twice, "{\"trace\":\"a\",\"config\":{\"targetUtilization\":0.7},"
        + "\"policies\":[" + policy("hpa", 0.5, 100, slo(1000, 0.5)) + ","
        + policy("predictive", 0.1, 50, slo(800, 0.7)) + ","
        + policy("predictive", 0.1, 50, slo(2000, 0.7)) + ","
        + policy("oracle-100", 0, 10, slo(500, 1.0)) + "]}\n");
    Result r = run(twice.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("summarize: " + twice + ": not the --format json output of "
        + "'prescaler simulate': it lists the policy predictive twice\n");
    assertThat(r.out()).isEmpty();
    // A policy the table does not read is no run of simulate either.
    Files.writeString(twice, Files.readString(runA()).replace("]}", ","
        + policy("oracle", 0, 10, slo(600, 0.95)) + "," + policy("oracle", 0, 10, slo(600, 0.95))
        + "]}"));
    assertThat(run(twice.toString()).err()).isEqualTo("summarize: " + twice + ": not the "
        + "--format json output of 'prescaler simulate': it lists the policy oracle twice\n");
  }

  /**
   * Catches oracle-100 never read as oracle-100 when --policy or --against names it: its
   * "÷ oracle-100" column printed "-", where the run holds it, and the ratio of oracle-100 to
   * itself is 1.
   */
  @Test
  void oracle100NamedByAnOptionIsReadAgainstItself() throws IOException {
    Path a = runA();
    Result r = run("--policy", "oracle-100", "--against", "hpa", a.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("| oracle-100 ÷ oracle-100 |")
        .contains("\n| a | 1000.000 @ 0.50 | 500.000 @ 1.00 | 0.500 | 1.00 | 0.5000 / 0.0000 |");
    Result against = run("--policy", "predictive", "--against", "oracle-100", a.toString());
    assertThat(against.code()).as(against.err()).isZero();
    assertThat(against.out())
        .contains("\n| a | 500.000 @ 1.00 | 800.000 @ 0.70 | 1.600 | 1.60 | 0.0000 / 0.1000 |");
  }

  /** Catches a repeated option whose last value silently won. */
  @Test
  void anOptionGivenTwiceGivesExitCode2NamingBothValues() throws IOException {
    Path a = runA();
    Result r = run("--policy", "predictive", "--policy", "oracle-100", a.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("summarize: --policy must be given once, but was given twice: "
        + "\"predictive\" and \"oracle-100\"\n");
  }

  /**
   * Catches the command line read otherwise than the other commands read theirs: {@code
   * --policy=hpa} called an unknown option (and {@code --bogus=1} named with its value), the help
   * lost to an earlier problem, {@code --help=yes} called an unknown option.
   */
  @Test
  void theCommandLineIsReadAsEveryCommandReadsIt() throws IOException {
    Path a = runA();
    Result spaced = run("--policy", "hpa", "--against", "predictive", a.toString());
    assertThat(spaced.code()).isZero();
    SoftAssertions.assertSoftly(soft -> {
      soft.assertThat(run("--policy=hpa", a.toString(), "--against=predictive"))
          .isEqualTo(spaced);
      soft.assertThat(run("--bogus=1", a.toString()).err())
          .isEqualTo("summarize: unknown option --bogus (see --help)\n");
      for (String[] args : List.of(new String[] {"--bogus", "--help"},
          new String[] {"--policy", "a", "--policy", "b", "-h"},
          new String[] {"--policy", "-h"})) {
        soft.assertThat(run(args)).as(String.join(" ", args))
            .isEqualTo(new Result(0, SummarizeCommand.USAGE + System.lineSeparator(), ""));
      }
      soft.assertThat(run("--help=yes", a.toString()).err())
          .isEqualTo("summarize: --help takes no value, but was given \"yes\"\n");
    });
  }

  /** Catches a table lost to a full disk or a closed pipe with exit code 0. */
  @Test
  void aFailedWriteToStdoutGivesExitCode1AndOneLine() throws IOException {
    Path a = runA();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SummarizeCommand.run(new String[] {a.toString()},
        new PrintStream(SimulateCommandTest.failing(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("summarize: cannot write stdout "
        + "(a closed pipe or a full disk?): the table written there is incomplete\n");
  }
}
