package dev.prescaler.agent;

import dev.prescaler.core.cli.Arguments;
import dev.prescaler.core.cli.Printable;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * {@code prescaler agent --config FILE [--validate | --release-hpas]}: validates the configuration
 * and, without an option, runs the agent until it is stopped (SIGTERM: finishes the tick in
 * flight, restores the HPAs it steered, flushes the journal). {@code --release-hpas} gives back
 * the HPA floors of the configured workloads once, with the agent stopped, and exits.
 *
 * <p>Exit codes: 0 success (also a clean stop on SIGTERM, which the JVM would otherwise end
 * with 143: see {@link Agent#runUntilStopped}), 2 bad arguments or configuration (one line per
 * problem, naming the key path and the value; never a stack trace), 1 a failure while running
 * or stopping. A {@code kubernetes.kubeconfig} the agent cannot read is a 2 too, but only at
 * start (and with {@code --release-hpas}), before any API call: {@code --validate} does not look
 * for the file, which may exist only where the agent runs (see {@link
 * Agent#kubeconfigProblem(Optional)}). So is a {@code prometheus.bearerTokenFile} the agent cannot
 * read, or whose content the Prometheus source would refuse (empty), but only at start: {@code
 * --release-hpas} reads no metric (see {@link Agent#bearerTokenFileProblem(Optional)}).
 */
public final class AgentCommand {
  private AgentCommand() {}

  static final String USAGE = """
      usage: prescaler agent --config FILE [--validate | --release-hpas]
        --config FILE   the agent's YAML configuration (see examples/deploy/prescaler-config.yaml)
        --validate      check the configuration and exit: 0 when valid, 2 otherwise (the
                        kubeconfig and bearer token files are looked for only at start,
                        where the agent runs)
        --release-hpas  give back the HPA of every configured workload that still carries a
                        floor (as the agent does when it stops) and exit: 0 when none is left,
                        1 otherwise. Run it with the agent stopped: a leader raises them again
      Without --validate or --release-hpas it runs until SIGTERM, and exits 0 once stopped
      cleanly (1 when the stop failed; 2 for a bad configuration, 1 when it cannot start).
      """;

  /** The options, read as every command of the command line reads its own. */
  private static final Arguments ARGUMENTS = new Arguments(Set.of("--config"), Set.of(),
      Set.of("--validate", "--release-hpas"), false);

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Arguments.Parsed parsed;
    try {
      parsed = ARGUMENTS.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("prescaler agent: " + e.getMessage());
      return 2;
    }
    if (parsed.help()) {
      out.print(USAGE);
      return 0;
    }
    String config = parsed.values().get("--config");
    boolean validate = parsed.flags().contains("--validate");
    boolean release = parsed.flags().contains("--release-hpas");
    if (config == null) {
      err.println("prescaler agent: --config FILE is required (see --help)");
      return 2;
    }
    if (config.codePoints().anyMatch(Printable::isUnprintableInName)) {
      // Every problem line names the file: it must print as itself, on one line (the joiners
      // of Persian or emoji names do).
      err.println("prescaler agent: --config is not a file name: \"" + Printable.escapeName(config)
          + "\" (it holds characters a terminal does not print)");
      return 2;
    }
    if (validate && release) {
      err.println("prescaler agent: --validate and --release-hpas exclude each other");
      return 2;
    }
    AgentConfig agent;
    try {
      agent = AgentConfigParser.parse(Path.of(config));
    } catch (InvalidPathException e) {
      err.println("prescaler agent: --config is not a file name: \"" + config + "\" ("
          + e.getReason() + ")");
      return 2;
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 2;
    }
    if (validate) {
      out.println(config + ": valid (" + agent.workloads().size() + " workloads)");
      return 0;
    }
    // Looked for here, not by the parser: where the agent runs, the only place it must exist.
    Optional<String> kubeconfig = Agent.kubeconfigProblem(agent.kubernetes().kubeconfig());
    if (kubeconfig.isPresent()) {
      err.println("prescaler agent: " + kubeconfig.get());
      return 2;
    }
    if (release) {
      return Agent.releaseHpas(agent, out, err); // reads no metric: the token is not needed
    }
    // The same for the bearer token: looked for where the agent runs, before any API call.
    Optional<String> token = Agent.bearerTokenFileProblem(agent.prometheus());
    if (token.isPresent()) {
      err.println("prescaler agent: " + token.get());
      return 2;
    }
    return Agent.runUntilStopped(agent, out, err);
  }
}
