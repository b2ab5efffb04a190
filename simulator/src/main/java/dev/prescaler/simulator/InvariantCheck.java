package dev.prescaler.simulator;

import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.testkit.DecisionInvariants;
import java.util.List;
import java.util.function.Consumer;

/**
 * Checks every journal record of one run against the testkit's {@link DecisionInvariants} (per
 * record) and that sequence numbers increase; throws {@link IllegalStateException} naming the
 * violations of a record.
 */
final class InvariantCheck implements Consumer<DecisionRecord> {
  private final WorkloadSpec spec;
  private long lastSequence = Long.MIN_VALUE;

  InvariantCheck(WorkloadSpec spec) {
    this.spec = spec;
  }

  @Override
  public void accept(DecisionRecord r) {
    if (r.sequence() <= lastSequence) {
      throw new IllegalStateException("sequence numbers must increase, but " + r.sequence()
          + " follows " + lastSequence);
    }
    lastSequence = r.sequence();
    List<String> v = DecisionInvariants.checkRecord(r, spec);
    if (!v.isEmpty()) {
      throw new IllegalStateException(String.join("; ", v));
    }
  }
}
