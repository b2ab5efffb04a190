package dev.prescaler.forecast.cli;

import dev.prescaler.core.DurationText;
import dev.prescaler.core.cli.Arguments;
import dev.prescaler.forecast.trace.CsvTraceReader;
import dev.prescaler.forecast.trace.TraceException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The {@code forecast-eval} command: scores the project's forecasters on M4 Hourly
 * ({@code --m4-train FILE [--m4-test FILE] [--format table|json]}) or on a {@code timestamp,value}
 * trace ({@code --trace FILE [--horizons 5m,15m,30m]}). Without {@code --m4-test}, the last 48
 * values of each training series are held out and scored instead.
 */
public final class ForecastEvalCommand {
  /** Default horizons of the trace evaluation: 5m,15m,30m. */
  public static final String DEFAULT_HORIZONS = "5m,15m,30m";

  static final String USAGE = String.join("\n",
      "usage: prescaler forecast-eval --m4-train FILE [--m4-test FILE] [--methods a,b]",
      "                               [--format table|json]",
      "       prescaler forecast-eval --trace FILE [--horizons 5m,15m,30m] [--step 5m]",
      "                               [--level 0.95] [--methods a,b] [--format table|json]",
      "",
      "M4 Hourly: per method the mean sMAPE and MASE (m = 24, h = 48) over the series and OWA",
      "against Naive2 scored on the same series (on M4's whole test half, its published",
      "18.383 / 2.395), plus the coverage of the 95 % interval.",
      "Without --m4-test the last 48 values of each training series are held out and scored.",
      "Methods: naive2, snaive, naive1, linear-trend, seasonal-naive, holt-winters, fourier, auto.",
      "",
      "Trace: a CSV of timestamp,value read as simulate --trace reads it (ISO-8601 with or without",
      "an offset, a date alone or epoch seconds; optional header; quoted fields; more columns",
      "under a header naming them), resampled to --step (default: the median spacing). At every",
      "origin after a warm-up the models forecast; per horizon it prints MASE against seasonal",
      "naive (daily season; naive without one; both scored on the steps where seasonal naive has",
      "a value) and the coverage of the --level interval (default 0.95). A number that is",
      "undefined prints as n/a (null in JSON) with the reason in a note under the table (\"notes\"",
      "in JSON): MASE-sn when seasonal naive is exact at every scored step (its error, the",
      "denominator, is 0), all three when no step could be scored.",
      "",
      "Each option at most once, and only in its mode: --m4-test with --m4-train; --horizons,",
      "--step and --level with --trace. --level is a decimal number (0.9, not 0x1p-1); --step",
      "and each horizon a whole number of milliseconds (60s, not 60.0004s or 0.5ms). A horizon",
      "between two steps is scored at the next, as the engine rounds its lead time: the row",
      "names the horizon scored, a note the one asked for (\"asked\" in JSON). Each method and",
      "each horizon once: two horizons scored at one step (1m,5m at a 5m step) are refused.",
      "Exit status: 0 on success, 1 when stdout cannot be written (a closed pipe, a full disk),",
      "2 on bad input (one line on stderr: forecast-eval: file:line: problem).");

  private static final String PREFIX = "forecast-eval: ";

  /** The options of the M4 mode, {@code --m4-train}. */
  private static final List<String> M4_OPTIONS =
      List.of("--m4-train", "--m4-test", "--methods", "--format");

  /** The options of the trace mode, {@code --trace}. */
  private static final List<String> TRACE_OPTIONS =
      List.of("--trace", "--horizons", "--step", "--level", "--methods", "--format");

  /** The command line: the options of both modes; {@link #run} checks which apply. */
  private static final Arguments PARSER = new Arguments(Set.copyOf(Stream.concat(
      M4_OPTIONS.stream(), TRACE_OPTIONS.stream()).toList()), Set.of(), Set.of(), false);

  private ForecastEvalCommand() {}

  /**
   * Runs the command.
   *
   * @param args command-line arguments (see {@code --help})
   * @param out where results go
   * @param err where one-line errors go
   * @return 0 on success, 1 when {@code out} could not be written (its {@link
   *     PrintStream#checkError} is true after the results), 2 on bad input or arguments
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> opts;
    try {
      Arguments.Parsed a = PARSER.parse(args);
      if (a.help()) {
        out.println(USAGE);
        return 0;
      }
      opts = a.values();
    } catch (IllegalArgumentException e) {
      return fail(err, PREFIX + e.getMessage());
    }
    String format = opts.getOrDefault("--format", "table");
    if (!format.equals("table") && !format.equals("json")) {
      return fail(err, "forecast-eval: --format must be table or json, but was '" + format
          + "'");
    }
    try {
      if (opts.containsKey("--m4-train") == opts.containsKey("--trace")) {
        return fail(err, "forecast-eval: give exactly one of --m4-train or --trace (see --help)");
      }
      boolean m4 = opts.containsKey("--m4-train");
      String mode = m4 ? "--m4-train" : "--trace";
      List<String> own = m4 ? M4_OPTIONS : TRACE_OPTIONS;
      for (String key : opts.keySet()) {
        if (!own.contains(key)) {
          // Ignored, it would hide a script's mistake: --m4-test with --trace read no file.
          return fail(err, "forecast-eval: " + key + " does not apply to " + mode + ", only to "
              + (m4 ? "--trace" : "--m4-train") + " (see --help)");
        }
      }
      int code = m4 ? m4(opts, format, out) : TraceEvaluation.run(opts, format, out);
      // A PrintStream swallows its IOExceptions: a closed pipe or a full disk shows only here.
      if (code == 0 && out.checkError()) {
        err.println("forecast-eval: cannot write stdout (a closed pipe or a full disk?): the "
            + "evaluation written there is incomplete");
        return 1;
      }
      return code;
    } catch (InputException | TraceException e) {
      // A file's problem (file:line: problem) gets the prefix the other subcommands give theirs;
      // the option checks of TraceEvaluation carry it already.
      String message = e.getMessage();
      return fail(err, message.startsWith(PREFIX) ? message : PREFIX + message);
    }
  }

  /**
   * Prints {@code message} on {@code err} as one line, what a terminal would not print as itself
   * escaped as {@code simulate} escapes it ({@link CsvTraceReader#escapeUnprintable}): a message
   * names the user's files and values, which may hold a newline or an ESC sequence.
   *
   * @return 2, the exit code of bad input
   */
  private static int fail(PrintStream err, String message) {
    err.println(CsvTraceReader.escapeUnprintable(message));
    return 2;
  }

  private static int m4(Map<String, String> opts, String format, PrintStream out) {
    String trainFile = opts.get("--m4-train");
    List<M4Data.Series> train = M4Data.read(Path.of(trainFile)).series();
    List<M4Evaluation.Case> cases = new ArrayList<>();
    String mode;
    if (opts.containsKey("--m4-test")) {
      String testFile = opts.get("--m4-test");
      M4Data.Contents contents = M4Data.read(Path.of(testFile));
      List<M4Data.Series> test = contents.series();
      // Ids first, line by line as far as both files go, so that a missing or extra series is
      // named where it is, before any count.
      int common = Math.min(train.size(), test.size());
      for (int i = 0; i < common; i++) {
        M4Data.Series a = train.get(i);
        M4Data.Series b = test.get(i);
        if (!a.id().equals(b.id())) {
          throw InputException.at(testFile, b.line(), "series id must be " + shown(a.id())
              + " (the training file's order; its line " + a.line() + "), but was "
              + shown(b.id()));
        }
      }
      if (test.size() < train.size()) {
        M4Data.Series a = train.get(common);
        throw InputException.at(testFile, contents.lines() + 1, "series " + shown(a.id())
            + " (line " + a.line() + " of the training file) is missing: the test file ends "
            + "after " + test.size() + " of the training file's " + train.size() + " series");
      }
      if (test.size() > train.size()) {
        M4Data.Series b = test.get(common);
        throw InputException.at(testFile, b.line(), "series " + shown(b.id()) + " is not in "
            + "the training file, which ends after " + train.size() + " series");
      }
      for (int i = 0; i < train.size(); i++) {
        M4Data.Series a = train.get(i);
        M4Data.Series b = test.get(i);
        if (b.values().length != M4Evaluation.H) {
          throw InputException.at(testFile, b.line(), "series " + shown(b.id()) + " must have "
              + M4Evaluation.H + " values, but had " + b.values().length);
        }
        checkTrain(trainFile, a, 0);
        cases.add(new M4Evaluation.Case(a.id(), a.values(), b.values(), trainFile, a.line(),
            testFile, b.line()));
      }
      mode = "test file " + Path.of(testFile).getFileName();
    } else {
      for (M4Data.Series a : train) {
        checkTrain(trainFile, a, M4Evaluation.H);
        double[] v = a.values();
        cases.add(new M4Evaluation.Case(a.id(), Arrays.copyOf(v, v.length - M4Evaluation.H),
            Arrays.copyOfRange(v, v.length - M4Evaluation.H, v.length), trainFile, a.line(),
            trainFile, a.line()));
      }
      mode = "holdout: last " + M4Evaluation.H + " values of each training series (no --m4-test)";
    }
    Map<String, M4Evaluation.Method> all = M4Evaluation.methods();
    Map<String, M4Evaluation.Method> chosen = opts.containsKey("--methods")
        ? chosen(opts.get("--methods"), all, "methods") : all;
    List<M4Evaluation.Row> rows = M4Evaluation.evaluate(cases, chosen);
    if (format.equals("json")) {
      StringBuilder b = new StringBuilder("{\"evaluation\":" + CliText.quote(mode)
          + ",\"series\":" + cases.size() + ",\"methods\":[");
      for (int i = 0; i < rows.size(); i++) {
        M4Evaluation.Row r = rows.get(i);
        b.append(i > 0 ? "," : "").append(String.format(Locale.ROOT,
            "{\"name\":%s,\"smape\":%.3f,\"mase\":%.3f,\"owa\":%.3f", CliText.quote(r.name()),
            r.smape(), r.mase(), r.owa()));
        if (!Double.isNaN(r.coverage())) {
          b.append(String.format(Locale.ROOT, ",\"coverage95\":%.3f", r.coverage()));
        }
        b.append('}');
      }
      out.println(b.append("]}"));
    } else {
      // The test file's name escaped as simulate's table escapes a trace's: no raw ESC sequence.
      out.println("M4 Hourly, " + cases.size() + " series, h = 48, m = 24; "
          + CsvTraceReader.escapeName(mode));
      out.println(String.format(Locale.ROOT, "%-16s %8s %8s %8s %12s", "method", "sMAPE", "MASE",
          "OWA", "coverage95"));
      for (M4Evaluation.Row r : rows) {
        out.println(String.format(Locale.ROOT, "%-16s %8.3f %8.3f %8.3f %12s", r.name(),
            r.smape(), r.mase(), r.owa(), Double.isNaN(r.coverage()) ? "-"
                : String.format(Locale.ROOT, "%.3f", r.coverage())));
      }
    }
    return 0;
  }

  /**
   * The methods {@code --methods} names ({@code value}, comma-separated), in its order, each
   * once: a name given twice would score one method twice, or be dropped unseen.
   *
   * @param known the methods by name
   * @param kind what {@code known} holds, for the message ({@code models}, {@code methods})
   * @throws InputException naming the first unknown or repeated name
   */
  static <T> Map<String, T> chosen(String value, Map<String, T> known, String kind) {
    Map<String, T> chosen = new LinkedHashMap<>();
    for (String part : value.split(",")) {
      String name = part.trim();
      T m = known.get(name);
      if (m == null) {
        throw new InputException("forecast-eval: --methods must name known " + kind + " "
            + known.keySet() + ", but had '" + name + "'");
      }
      if (chosen.put(name, m) != null) {
        throw new InputException("forecast-eval: --methods must not repeat a name, but named '"
            + name + "' more than once");
      }
    }
    return chosen;
  }

  private static void checkTrain(String file, M4Data.Series s, int holdout) {
    int need = M4Evaluation.M + 1 + holdout;
    if (s.values().length < need) {
      throw InputException.at(file, s.line(), "series " + shown(s.id()) + " must have at least "
          + need + " values, but had " + s.values().length);
    }
    double[] v = s.values();
    int n = v.length - holdout;
    double scale = 0;
    for (int t = M4Evaluation.M; t < n; t++) {
      scale += Math.abs(v[t] - v[t - M4Evaluation.M]);
    }
    if (!(scale > 0)) {
      throw InputException.at(file, s.line(), "series " + shown(s.id()) + " must vary at lag 24 "
          + "(the MASE scale), but was constant");
    }
  }

  private static String shown(String id) {
    return CsvTraceReader.escapeUnprintable(id);
  }

  static Duration parseDuration(String text, String option) {
    // At most ten years: longer ones overflow the millisecond and step arithmetic.
    return DurationText.parse(text).filter(d -> !d.isZero() && !d.isNegative()
            && d.compareTo(Duration.ofDays(3650)) <= 0)
        .orElseThrow(() -> new InputException("forecast-eval: " + option + " must be durations "
            + "like 5m, 30s, 1h, up to 3650d, but had '" + text + "'"));
  }
}
