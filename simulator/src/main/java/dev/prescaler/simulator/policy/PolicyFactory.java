package dev.prescaler.simulator.policy;

/** Builds the plug-ins of one simulated engine; called once per run, on the run's thread. */
@FunctionalInterface
public interface PolicyFactory {
  /** The plug-ins for a run in {@code environment}. */
  PolicySetup create(PolicyEnvironment environment);
}
