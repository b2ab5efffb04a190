package dev.prescaler.agent;

/**
 * {@code prescaler agent} as its own process, as the command line's {@code main} runs it: exits
 * with {@link AgentCommand#run}'s code. For the tests that stop the agent with a signal.
 */
public final class AgentMain {
  private AgentMain() {}

  public static void main(String[] args) {
    System.exit(AgentCommand.run(args, System.out, System.err));
  }
}
