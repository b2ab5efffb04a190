package dev.prescaler.agent;

import java.io.PrintStream;

/** Runs the agent: wires sources, the predictive stack and the Kubernetes executors. */
final class Agent {
  private Agent() {}

  static int runUntilStopped(AgentConfig config, PrintStream out, PrintStream err) {
    err.println("prescaler agent: running is not wired yet in this build");
    return 1;
  }
}
