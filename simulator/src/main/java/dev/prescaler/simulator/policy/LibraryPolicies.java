package dev.prescaler.simulator.policy;

/**
 * Registers the library's own policies (the HPA and the predictive stack of the decision and
 * forecast modules) once those modules provide them.
 */
final class LibraryPolicies {
  private LibraryPolicies() {}

  static void register(PolicyRegistry registry) {
    // The decision module's Policies.hpa() and Policies.predictive() are registered here when
    // the decision and forecast modules are on the classpath (see the module README).
  }
}
