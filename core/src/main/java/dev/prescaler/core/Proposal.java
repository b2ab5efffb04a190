package dev.prescaler.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A replica count on its way through the policy chain, with the reasons that shaped it and named
 * marks (intermediate values a later tick may need, e.g. the HPA's raw recommendation for its
 * stabilization window). Immutable; each step returns a new proposal.
 *
 * @param replicas the proposed count, &ge; 0
 * @param reasons what each step did, in order
 * @param marks named integer values recorded by steps, kept in the engine's recent history
 */
public record Proposal(int replicas, List<Reason> reasons, Map<String, Integer> marks) {

  /** Validates and copies. */
  public Proposal {
    if (replicas < 0) {
      throw new IllegalArgumentException("proposed replicas must be >= 0, but was " + replicas);
    }
    reasons = List.copyOf(reasons);
    marks = Collections.unmodifiableMap(new LinkedHashMap<>(marks));
  }

  /** The proposal a chain starts from: keep the current count. */
  public static Proposal keep(int current) {
    return new Proposal(current, List.of(), Map.of());
  }

  /** A new proposal of {@code newReplicas}, with the reason appended. */
  public Proposal to(String step, int newReplicas, String message) {
    List<Reason> r = new ArrayList<>(reasons.size() + 1);
    r.addAll(reasons);
    r.add(new Reason(step, replicas, newReplicas, message));
    return new Proposal(newReplicas, r, marks);
  }

  /** The same count with an explanation appended. */
  public Proposal note(String step, String message) {
    return to(step, replicas, message);
  }

  /** The same proposal with a named mark recorded. */
  public Proposal mark(String key, int value) {
    Objects.requireNonNull(key, "key");
    Map<String, Integer> m = new LinkedHashMap<>(marks);
    m.put(key, value);
    return new Proposal(replicas, reasons, m);
  }

  /** The reasons as one line. */
  public String explain() {
    StringBuilder b = new StringBuilder();
    for (Reason r : reasons) {
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append(r);
    }
    return b.toString();
  }
}
