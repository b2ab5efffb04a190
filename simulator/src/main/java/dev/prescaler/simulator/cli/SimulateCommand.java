package dev.prescaler.simulator.cli;

import dev.prescaler.core.DurationText;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.cli.Arguments;
import dev.prescaler.core.cli.IntegerText;
import dev.prescaler.core.cli.OutputFile;
import dev.prescaler.forecast.cli.CliText;
import dev.prescaler.forecast.trace.CsvTraceReader;
import dev.prescaler.forecast.trace.TraceException;
import dev.prescaler.simulator.SimulationConfig;
import dev.prescaler.simulator.SimulationResult;
import dev.prescaler.simulator.Simulator;
import dev.prescaler.simulator.policy.PolicyRegistry;
import dev.prescaler.simulator.report.HtmlReport;
import dev.prescaler.simulator.report.JsonReport;
import dev.prescaler.simulator.report.MarkdownReport;
import dev.prescaler.simulator.report.SeriesCsv;
import dev.prescaler.simulator.report.TableReport;
import dev.prescaler.simulator.trace.Trace;
import dev.prescaler.simulator.trace.TraceFormat;
import dev.prescaler.simulator.trace.TraceReader;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code prescaler simulate}: replays a trace through every policy and prints the scorecard.
 *
 * <pre>
 * prescaler simulate [--trace [nab-csv:]FILE] [options] [--format table|json|markdown]
 *                    [--report FILE.html] [--series FILE.csv]
 * </pre>
 *
 * <p>Without {@code --trace} it runs the bundled NASA-HTTP July 1995 trace. Each option is given
 * at most once, a flag takes no value, and the output files are checked before the run (each
 * another file than the trace, the {@code --hpa-behavior} manifest and the other output); {@code
 * --help} (or {@code -h}) anywhere prints the help and nothing else, whatever the rest. A
 * regular output file is written whole or not at all: a file beside it is written, then moved
 * over it. Exit codes: 0 done; 2 bad arguments or bad trace (one line on stderr naming the
 * problem); 1 a run failed, or an output (stdout, {@code --report}, {@code --series}) could not
 * be written: the arguments were good, and the run was made.
 */
public final class SimulateCommand {
  /** The bundled trace, a classpath resource. */
  public static final String BUNDLED_TRACE = "/traces/nasa-http-1995-07-requests-per-minute.csv";
  /** The bundled trace's name in reports and messages. */
  private static final String BUNDLED_NAME = BUNDLED_TRACE.substring("/traces/".length());


  private SimulateCommand() {}

  /** Runs the command and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the command with the system clock for progress lines; see {@link #run(String[],
   * PrintStream, PrintStream, Clock)}.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, Clock.systemUTC());
  }

  /**
   * Runs the command.
   *
   * @param args the arguments after {@code simulate}
   * @param out where the report goes
   * @param err where progress lines and errors go
   * @param wallClock times the progress lines (never the simulation)
   * @return the exit code: 0 done, 1 a run failed or an output ({@code out}, {@code --report},
   *     {@code --series}) could not be written, 2 bad arguments or trace
   */
  public static int run(String[] args, PrintStream out, PrintStream err, Clock wallClock) {
    return run(args, out, err, wallClock, PolicyRegistry.standard());
  }

  /** Runs the command over the policies of {@code registry} (tests add their own). */
  static int run(String[] args, PrintStream out, PrintStream err, Clock wallClock,
      PolicyRegistry registry) {
    Options o;
    try {
      Arguments.Parsed a = PARSER.parse(args);
      if (a.help()) { // wherever it is, before any option is checked (Arguments)
        out.print(help(registry));
        return 0;
      }
      o = Options.of(a);
    } catch (IllegalArgumentException e) {
      err.println("simulate: " + oneLine(e.getMessage()));
      return 2;
    }
    SimulationConfig config;
    Simulator simulator;
    try {
      config = o.config.build();
      simulator = Simulator.of(registry, config);
    } catch (InvalidConfigurationException e) {
      err.println("simulate: " + String.join("; ", e.problems().stream()
          .map(SimulateCommand::asOption).toList()));
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("simulate: --policies: " + oneLine(e.getMessage()));
      return 2;
    }
    Trace trace;
    try {
      trace = o.trace == null
          ? TraceReader.readResource(BUNDLED_TRACE, BUNDLED_NAME)
          : TraceReader.read(o.trace);
    } catch (TraceException e) {
      err.println("simulate: " + oneLine(e.getMessage()));
      return 2;
    }
    SimulationResult result;
    try {
      result = simulator.run(trace, wallClock, err::println);
    } catch (IllegalArgumentException e) {
      // The trace does not fit the settings: Simulator.run checks that before any run, and
      // turns whatever a run throws into an IllegalStateException. Named as the trace's own
      // problems are: the path as given.
      err.println("simulate: "
          + oneLine(o.trace == null ? BUNDLED_NAME : TraceFormat.pathOf(o.trace))
          + ": " + oneLine(e.getMessage()));
      return 2;
    } catch (RuntimeException e) {
      err.println("simulate: unexpected failure on " + oneLine(trace.name()) + ": "
          + oneLine(e.toString()));
      return 1;
    }
    String text = switch (o.format) {
      case "json" -> JsonReport.render(result);
      case "markdown" -> MarkdownReport.render(result);
      default -> TableReport.render(result);
    };
    out.print(text);
    // A PrintStream swallows its IOExceptions: a closed pipe or a full disk shows only here.
    boolean printed = !out.checkError();
    if (!printed) {
      err.println("simulate: cannot write stdout (a closed pipe or a full disk?): the report "
          + "written there is incomplete");
    }
    boolean written = writeFile(err, "--report", o.report,
        w -> w.write(HtmlReport.render(result)))
        && writeFile(err, "--series", o.series, w -> SeriesCsv.write(result, w));
    // A file that cannot be written after the run is no bad argument (exit 2): the options were
    // checked before the run, and what failed is the write, as when stdout fails.
    return printed && written ? 0 : 1;
  }

  /**
   * Writes {@code file} when the option was given, through {@link OutputFile#write} (a device,
   * a pipe or a stream such as /dev/stdout in place, any other file whole or not at all); false,
   * after one line on {@code err},
   * when it could not be written.
   */
  static boolean writeFile(PrintStream err, String option, String file,
      OutputFile.Content output) {
    if (file == null) {
      return true;
    }
    boolean inPlace = OutputFile.inPlace(Path.of(file));
    try {
      OutputFile.write(Path.of(file), output);
      return true;
    } catch (IOException | RuntimeException e) {
      err.println("simulate: " + option + " " + oneLine(file) + ": cannot write: "
          + oneLine(e.toString()) + (inPlace ? " (what reached it is incomplete)"
              : " (left as it was)"));
      return false;
    }
  }

  /** The settings of {@link SimulationConfig}, by the option that sets each. */
  private static final Map<String, String> OPTIONS = Map.ofEntries(
      Map.entry("syncPeriod", "--sync-period"), Map.entry("capacity", "--capacity"),
      Map.entry("peakReplicas", "--peak-replicas"),
      Map.entry("metricsDelay", "--metrics-delay"), Map.entry("startupDelay", "--startup"),
      Map.entry("targetUtilization", "--target-utilization"), Map.entry("slo", "--slo"),
      Map.entry("riskQuantile", "--risk-quantile"), Map.entry("minReplicas", "--min-replicas"),
      Map.entry("maxReplicas", "--max-replicas"), Map.entry("forecaster", "--forecaster"),
      Map.entry("policies", "--policies"), Map.entry("threads", "--threads"));

  /** A problem of the configuration, named by the option that sets the setting it names. */
  private static String asOption(String problem) {
    int space = problem.indexOf(' ');
    String option = space < 0 ? null : OPTIONS.get(problem.substring(0, space));
    return option == null ? oneLine(problem) : option + oneLine(problem.substring(space));
  }

  /**
   * {@code s} on one line, every character a terminal would not print as itself escaped as the
   * trace reader escapes it ({@link CsvTraceReader#escapeUnprintable}): a message quotes a line of
   * the user's file, which may be binary.
   */
  static String oneLine(String s) {
    return s == null ? ""
        : CsvTraceReader.escapeUnprintable(s.replace("\n- ", "; ").replace('\n', ' '));
  }

  /** The {@code --help} text. */
  static String help(PolicyRegistry registry) {
    StringBuilder b = new StringBuilder();
    b.append("""
        Usage: prescaler simulate [--trace [nab-csv:]FILE] [options]
                                  [--format table|json|markdown] [--report FILE.html]
                                  [--series FILE.csv]

        Replays a demand trace through one real Prescaler engine per policy and scores each:
        under-provisioned time, unserved demand, replica-hours, cost vs oracle-100, scaling
        actions, and the cost at SLO (cheapest target utilization 0.40..0.95 meeting the SLO).
        When hpa runs, every other policy except the references (static-peak, oracle,
        oracle-100) is then read against it, as ratios policy / hpa.

        Trace: CSV timestamp,value (ISO-8601 or epoch seconds; header optional; # comments).
        Without --trace, the bundled NASA-HTTP July 1995 requests-per-minute trace is used.

        Options (defaults in brackets):
          --trace FILE              trace file, optionally prefixed by its format (nab-csv:)
          --capacity X              demand one ready replica serves [derived from --peak-replicas]
          --peak-replicas N         capacity = max(demand) / (0.7 x N) [20]; not with
                                    --capacity
          --target-utilization T    share of capacity each replica is aimed at, (0, 1] [0.7]
          --metrics-delay D         how late the engine sees the demand [60s]; shorter
                                    than the trace, unless only references run
          --startup D               from asking for a replica to its being ready [120s]
          --sync-period D           engine tick and resampling grid [15s]
          --slo P                   allowed under-provisioned time in percent [0.1]
          --risk-quantile Q         forecast quantile the predictive stack plans for,
                                    [0.5, 0.999] [0.95]
          --hpa-behavior FILE       your HPA's behavior (an autoscaling/v2 manifest, YAML or
                                    JSON) for hpa and the predictive floor [Kubernetes']
          --min-replicas N          your workload's minReplicas, kept by every policy [1]
          --max-replicas N          your workload's maxReplicas [10 x what the peak needs]
          --forecaster NAME         the predictive stack's forecaster: linear-trend,
                                    seasonal-naive, holt-winters, fourier or auto [auto]
          --policies A,B,...        policies to run, each once, in report order [all]
          --threads N               runs in parallel, each single-threaded [2]
          --no-sweep                skip the target sweep: each policy runs once, not at
                                    12 targets (no cost at SLO; the JSON says
                                    "sweep":false, summarize refuses it)
          --format F                table, json or markdown [table]
          --report FILE.html        also write a self-contained HTML report
          --series FILE.csv         also write every step: demand, ready and desired replicas
                                    per policy (at its main target)
          --help                    this text, whatever else is given
        Durations: 90 (seconds), 90s, 1.5m, 1h, 500ms or ISO-8601 (PT2M).
        Each option at most once; output files are checked before the run (neither may be
        the trace, the --hpa-behavior file or the other).
        A regular output file is written whole or not at all (a file beside it, moved over it).
        Exit codes: 0 done, 1 a run failed or an output (stdout, --report, --series) could not
        be written, 2 bad arguments or bad trace.

        Policies:
        """);
    for (PolicyRegistry.Entry e : registry.entries()) {
      b.append(String.format(Locale.ROOT, "  %-12s %s\n", e.name(), e.description()));
    }
    return b.toString().replace("\r\n", "\n");
  }

  /** What an option that takes a value does with it. */
  private interface Setter {
    void set(Options o, String name, String value);
  }

  /** The options that take a value, and what each sets: one table, so none is known but unset. */
  private static final Map<String, Setter> SETTERS = Map.ofEntries(
      Map.entry("--trace", (o, n, v) -> o.trace(v)),
      Map.entry("--format", (o, n, v) -> o.format(v)),
      Map.entry("--report", (o, n, v) -> o.report = Options.output(n, v)),
      Map.entry("--series", (o, n, v) -> o.series = Options.output(n, v)),
      Map.entry("--capacity", (o, n, v) -> o.config.capacity(Options.number(n, v))),
      Map.entry("--peak-replicas", (o, n, v) -> o.config.peakReplicas(Options.integer(n, v))),
      Map.entry("--target-utilization",
          (o, n, v) -> o.config.targetUtilization(Options.number(n, v))),
      Map.entry("--metrics-delay", (o, n, v) -> o.config.metricsDelay(Options.duration(n, v))),
      Map.entry("--startup", (o, n, v) -> o.config.startupDelay(Options.duration(n, v))),
      Map.entry("--sync-period", (o, n, v) -> o.config.syncPeriod(Options.duration(n, v))),
      Map.entry("--slo", (o, n, v) -> o.config.slo(Options.number(n, v))),
      Map.entry("--risk-quantile", (o, n, v) -> o.config.riskQuantile(Options.number(n, v))),
      Map.entry("--threads", (o, n, v) -> o.config.threads(Options.integer(n, v))),
      Map.entry("--min-replicas", (o, n, v) -> o.config.minReplicas(Options.integer(n, v))),
      Map.entry("--max-replicas", (o, n, v) -> o.config.maxReplicas(Options.integer(n, v))),
      Map.entry("--forecaster", (o, n, v) -> o.config.forecaster(v)),
      Map.entry("--hpa-behavior", (o, n, v) -> {
        o.config.hpa(HpaBehaviorFile.read(v));
        o.hpaBehavior = v;
      }),
      Map.entry("--policies", (o, n, v) -> o.policies(v)));

  private static final Arguments PARSER =
      new Arguments(SETTERS.keySet(), Set.of(), Set.of("--no-sweep"), false);

  /** Parsed arguments. */
  private static final class Options {
    final SimulationConfig.Builder config = SimulationConfig.builder();
    String trace;
    String hpaBehavior;
    String format = "table";
    String report;
    String series;

    static Options of(Arguments.Parsed a) {
      Options o = new Options();
      o.config.sweep(!a.flags().contains("--no-sweep"));
      if (a.values().containsKey("--capacity") && a.values().containsKey("--peak-replicas")) {
        // The capacity given, --peak-replicas derived nothing and was silently ignored.
        throw new IllegalArgumentException("--peak-replicas cannot be combined with --capacity: "
            + "it only derives the capacity when none is given");
      }
      a.values().forEach((name, value) -> SETTERS.get(name).set(o, name, value));
      o.distinctFiles();
      return o;
    }

    /**
     * Refuses an output file that is an input (the trace, the {@code --hpa-behavior} manifest)
     * or the other output: {@code --series} named as the trace or the manifest overwrote it, and
     * {@code --report} and {@code --series} named alike kept only the series. Two inputs may be
     * one file: nothing writes it. Paths are compared absolute and normalized, through the real
     * path of the file or, for one to be made, of its directory ({@code ./x} and {@code x}, a
     * symbolic link and its target), and existing files also as the same file (a hard link):
     * {@link OutputFile#sameFile}, as {@code export} compares its {@code --out}.
     */
    private void distinctFiles() {
      Map<String, String> files = new LinkedHashMap<>();
      if (trace != null) {
        files.put("--trace", TraceFormat.pathOf(trace));
      }
      if (hpaBehavior != null) {
        files.put("--hpa-behavior", hpaBehavior);
      }
      int inputs = files.size();
      if (report != null) {
        files.put("--report", report);
      }
      if (series != null) {
        files.put("--series", series);
      }
      List<Map.Entry<String, String>> list = new ArrayList<>(files.entrySet());
      for (int i = 0; i < list.size(); i++) {
        for (int j = Math.max(i + 1, inputs); j < list.size(); j++) {
          if (OutputFile.sameFile(Path.of(list.get(i).getValue()),
              Path.of(list.get(j).getValue()))) {
            throw new IllegalArgumentException(list.get(j).getKey() + " must name another file "
                + "than " + list.get(i).getKey() + ", but both name \"" + list.get(j).getValue()
                + "\"");
          }
        }
      }
    }

    private void trace(String value) {
      String file = TraceFormat.pathOf(value);
      if (file.isEmpty()) {
        throw new IllegalArgumentException("--trace must name a file, [nab-csv:]FILE, but was \""
            + value + "\"");
      }
      path("--trace", value, file);
      trace = value;
    }

    /** {@code value}, checked before the run, which may take minutes: {@link OutputFile#check}. */
    private static String output(String name, String value) {
      OutputFile.check(name, value);
      return value;
    }

    private static Path path(String name, String value, String file) {
      try {
        return Path.of(file);
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException(name + " must be a file path, but was \"" + value
            + "\" (" + e.getReason() + ")");
      }
    }

    private void format(String value) {
      if (!List.of("table", "json", "markdown").contains(value)) {
        throw new IllegalArgumentException(
            "--format must be table, json or markdown, but was \"" + value + "\"");
      }
      format = value;
    }

    private void policies(String value) {
      List<String> names = new ArrayList<>();
      for (String p : value.split(",")) {
        if (!p.isBlank()) {
          names.add(p.strip());
        }
      }
      if (names.isEmpty()) {
        throw new IllegalArgumentException("--policies must name at least one policy, "
            + "but was \"" + value + "\"");
      }
      config.policies(names);
    }

    private static double number(String name, String value) {
      return CliText.decimal(value).orElseThrow(() -> new IllegalArgumentException(name
          + " must be a number, but was \"" + value + "\""));
    }

    /**
     * {@code value} as an integer, read as every command reads one ({@link IntegerText}: ASCII
     * digits, so that {@code ٥} is refused here as {@code --capacity} refuses it).
     */
    private static int integer(String name, String value) {
      return IntegerText.parseInt(value).orElseThrow(() -> new IllegalArgumentException(
          name + " must be an integer, but was \"" + value + "\""));
    }

    /**
     * {@code value} as a duration of whole milliseconds. {@code DurationText} reads the forms
     * ({@code 90}, {@code 1.5m}, {@code PT2M}) but rounds a decimal one to the millisecond
     * ({@code 0.5ms} to 1 ms, {@code 60.0004s} to 60 s): its exact reading of the digits given
     * decides, and a value that is not whole milliseconds is refused in every form, as the ISO
     * one already was.
     */
    private static Duration duration(String name, String value) {
      Duration rounded = DurationText.parse(value).orElseThrow(() -> new IllegalArgumentException(
          name + " must be a duration such as 120s, 2m or PT2M, but was \"" + value + "\""));
      BigDecimal seconds = DurationText.exactSeconds(value).orElseThrow();
      SimulationConfig.notWholeMillis(name, seconds, "\"" + value + "\"").ifPresent(problem -> {
        throw new IllegalArgumentException(problem);
      });
      try {
        return Duration.ofMillis(seconds.movePointRight(3).longValueExact());
      } catch (ArithmeticException e) {
        return rounded; // hundreds of millions of years, refused by every setting's range
      }
    }
  }
}
