package dev.prescaler.core;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A replica count on its way through the policy chain, with the reasons that shaped it and named
 * marks (intermediate values a later tick may need, e.g. the HPA's raw recommendation for its
 * stabilization window). Immutable; each step returns a new proposal.
 *
 * @param replicas the proposed count, &ge; 0
 * @param reasons what each step did, in order
 * @param marks named integer values recorded by steps, kept in the engine's recent history; no
 *     null name or value
 */
public record Proposal(int replicas, List<Reason> reasons, Map<String, Integer> marks) {
  private static final Marks NO_MARKS = new Marks(new LinkedHashMap<>());

  /** Validates and copies. */
  public Proposal {
    requireCount(replicas);
    reasons = Values.copyOf(reasons, "reasons");
    if (!(marks instanceof Marks)) {
      // Checked here, in the policy that made it, not once the engine has applied the count and
      // journals the marks.
      marks.forEach((k, v) -> {
        if (k == null || v == null) {
          throw new IllegalArgumentException("marks must have names and values, but held " + k
              + "=" + v);
        }
      });
      marks = new Marks(new LinkedHashMap<>(marks));
    }
  }

  private static void requireCount(int replicas) {
    if (replicas < 0) {
      throw new IllegalArgumentException("proposed replicas must be >= 0, but was " + replicas);
    }
  }

  /** The proposal a chain starts from: keep the current count. */
  public static Proposal keep(int current) {
    return new Proposal(current, List.of(), NO_MARKS);
  }

  /** A new proposal of {@code newReplicas}, with the reason appended. */
  public Proposal to(String step, int newReplicas, String message) {
    requireCount(newReplicas); // before its reason, which would name it "to"
    Reason[] r = reasons.toArray(new Reason[reasons.size() + 1]);
    r[r.length - 1] = new Reason(step, replicas, newReplicas, message);
    return new Proposal(newReplicas, List.of(r), marks);
  }

  /** The same count with an explanation appended. */
  public Proposal note(String step, String message) {
    return to(step, replicas, message);
  }

  /** The same proposal with a named mark recorded. */
  public Proposal mark(String key, int value) {
    Objects.requireNonNull(key, "key");
    LinkedHashMap<String, Integer> m = new LinkedHashMap<>(marks);
    m.put(key, value);
    return new Proposal(replicas, reasons, new Marks(m));
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

  /**
   * The marks of a proposal: an unmodifiable map in insertion order. Every {@link #to} and {@link
   * #note} passes its marks on unchanged, so a proposal shares its predecessor's instead of
   * copying them; any other map given to the constructor is copied into a new one.
   */
  private static final class Marks extends AbstractMap<String, Integer> {
    private final Map<String, Integer> map;

    /** Takes {@code owned}, which nobody else may hold. */
    Marks(LinkedHashMap<String, Integer> owned) {
      this.map = Collections.unmodifiableMap(owned);
    }

    @Override
    public Set<Entry<String, Integer>> entrySet() {
      return map.entrySet();
    }

    @Override
    public Set<String> keySet() {
      return map.keySet();
    }

    @Override
    public Collection<Integer> values() {
      return map.values();
    }

    @Override
    public Integer get(Object key) {
      return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return map.containsKey(key);
    }

    @Override
    public int size() {
      return map.size();
    }
  }
}
