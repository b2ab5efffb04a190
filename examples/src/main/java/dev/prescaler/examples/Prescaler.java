package dev.prescaler.examples;

import dev.prescaler.agent.AgentCommand;
import dev.prescaler.forecast.cli.ForecastEvalCommand;
import dev.prescaler.prometheus.cli.ExportCommand;
import dev.prescaler.simulator.cli.SimulateCommand;
import dev.prescaler.simulator.cli.SummarizeCommand;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Properties;

/**
 * The {@code prescaler} command line ({@code bin/prescaler}): dispatches to {@code simulate},
 * {@code export}, {@code summarize}, {@code forecast-eval} and {@code agent}. Exit codes: 0
 * success, 2 bad input (one line, never a stack trace), 1 an unexpected failure.
 */
public final class Prescaler {
  private Prescaler() {}

  static final String USAGE = """
      usage: prescaler <command> [options]
        simulate        replay a trace through the engine against the HPA and an oracle
        export          write a PromQL expression's history as a trace to simulate
        summarize       one table and the bars over several simulate --format json runs
        forecast-eval   score the forecasters on M4 Hourly or on a trace
        agent           run the agent in a cluster (or --validate its configuration, or
                        --release-hpas: give its HPA floors back once, the agent stopped)
      Run 'prescaler <command> --help' for a command's options.
      """;

  /** The slf4j-simple setting of the level of Prescaler's own loggers. */
  static final String OWN_LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.prescaler";

  /** Entry point. */
  public static void main(String[] args) {
    quietUnlessAgent(args, System.getProperties());
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Sets Prescaler's own loggers to WARN in {@code system} (the system properties, which
   * slf4j-simple reads over {@code simplelogger.properties}) unless the command is {@code agent}
   * or the level is set already ({@code -Dorg.slf4j.simpleLogger.log.dev.prescaler=info}). The
   * shipped file sets them to INFO for the agent's life cycle, but {@code simulate} and {@code
   * forecast-eval} drive the engine thousands of times per run, and a line per simulated scale
   * action or mode change would bury their output. Call it before any logger is created.
   */
  static void quietUnlessAgent(String[] args, Properties system) {
    if ((args.length == 0 || !args[0].equals("agent")) && system.getProperty(OWN_LOG_LEVEL)
        == null) {
      system.setProperty(OWN_LOG_LEVEL, "warn");
    }
  }

  /** Runs a command; returns its exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      (args.length == 0 ? err : out).print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      return switch (args[0]) {
        case "simulate" -> SimulateCommand.run(rest, out, err);
        case "summarize" -> SummarizeCommand.run(rest, out, err);
        case "export" -> ExportCommand.run(rest, out, err);
        case "forecast-eval" -> ForecastEvalCommand.run(rest, out, err);
        case "agent" -> AgentCommand.run(rest, out, err);
        default -> {
          err.println("prescaler: unknown command " + args[0]
              + " (known: simulate, export, summarize, forecast-eval, agent)");
          yield 2;
        }
      };
    } catch (RuntimeException | OutOfMemoryError e) {
      // Commands report bad input themselves; this is the last line of defence against a trace.
      err.println("prescaler " + args[0] + ": unexpected failure: " + e);
      return 1;
    }
  }
}
