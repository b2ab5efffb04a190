package dev.prescaler.agent;

import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * {@code prescaler agent --config FILE [--validate | --release-hpas]}: validates the configuration
 * and, without an option, runs the agent until it is stopped (SIGTERM: finishes the tick in
 * flight, restores the HPAs it steered, flushes the journal). {@code --release-hpas} gives back
 * the HPA floors of the configured workloads once, with the agent stopped, and exits.
 *
 * <p>Exit codes: 0 success, 2 bad arguments or configuration (one line per problem, naming the
 * key path and the value; never a stack trace), 1 a failure while running.
 */
public final class AgentCommand {
  private AgentCommand() {}

  static final String USAGE = """
      usage: prescaler agent --config FILE [--validate | --release-hpas]
        --config FILE   the agent's YAML configuration (see examples/deploy/prescaler-config.yaml)
        --validate      check the configuration and exit: 0 when valid, 2 otherwise
        --release-hpas  give back the HPA of every configured workload that still carries a
                        floor (as the agent does when it stops) and exit: 0 when none is left,
                        1 otherwise. Run it with the agent stopped: a leader raises them again
      """;

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    String config = null;
    boolean validate = false;
    boolean release = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String inline = null; // the FILE of --config=FILE
      if (arg.startsWith("--config=")) {
        inline = arg.substring("--config=".length());
        arg = "--config";
      }
      switch (arg) {
        case "--help", "-h" -> {
          out.print(USAGE);
          return 0;
        }
        case "--validate" -> validate = true;
        case "--release-hpas" -> release = true;
        case "--config" -> {
          if (inline == null && i + 1 >= args.length) {
            err.println("prescaler agent: --config needs a file");
            return 2;
          }
          String file = inline != null ? inline : args[++i];
          if (config != null) {
            // The last one winning would validate, or run, a file other than the one meant.
            err.println("prescaler agent: --config must be given once, but was given twice: \""
                + config + "\" and \"" + file + "\"");
            return 2;
          }
          config = file;
        }
        default -> {
          err.println("prescaler agent: unknown option " + args[i] + " (try --help)");
          return 2;
        }
      }
    }
    if (config == null) {
      err.println("prescaler agent: --config FILE is required (try --help)");
      return 2;
    }
    if (validate && release) {
      err.println("prescaler agent: --validate and --release-hpas exclude each other");
      return 2;
    }
    AgentConfig parsed;
    try {
      parsed = AgentConfigParser.parse(Path.of(config));
    } catch (InvalidPathException e) {
      err.println("prescaler agent: --config is not a file name: \"" + config + "\" ("
          + e.getReason() + ")");
      return 2;
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 2;
    }
    if (validate) {
      out.println(config + ": valid (" + parsed.workloads().size() + " workloads)");
      return 0;
    }
    if (release) {
      return Agent.releaseHpas(parsed, out, err);
    }
    return Agent.runUntilStopped(parsed, out, err);
  }
}
