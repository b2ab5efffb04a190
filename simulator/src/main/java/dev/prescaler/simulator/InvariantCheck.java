package dev.prescaler.simulator;

import dev.prescaler.core.journal.DecisionRecord;
import java.util.function.Consumer;

/**
 * Checks every journal record of one run against the decision invariants, and throws
 * {@link IllegalStateException} on the first violation.
 */
final class InvariantCheck implements Consumer<DecisionRecord> {
  @Override
  public void accept(DecisionRecord r) {
    // Filled by the testkit's DecisionInvariants once it exists (see the module README).
  }
}
