package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.WorkloadRef;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Manual overrides that always win, as the last step of a chain: per workload a pinned count, or
 * a floor and/or a ceiling, each with an expiry checked against the context's {@code now} (an
 * override is active while {@code now < until}). A pin replaces the proposal; otherwise the floor
 * and the ceiling bound it (the ceiling wins if they cross). The engine's [min, max] and step
 * limits still apply afterwards.
 *
 * <p>Thread-safe: the agent may write while the engine ticks. Expired entries are ignored, and
 * removed by {@link #purgeExpired(Instant)}.
 */
public final class ManualOverrides implements DecisionPolicy {

  /**
   * One workload's override.
   *
   * @param pin the pinned count, if any
   * @param floor the lowest count, if any
   * @param ceiling the highest count, if any
   * @param until when it expires (exclusive)
   * @param reason who set it and why
   */
  public record Entry(Optional<Integer> pin, Optional<Integer> floor,
      Optional<Integer> ceiling, Instant until, String reason) {
    /** Validates the counts. */
    public Entry {
      Objects.requireNonNull(pin, "pin");
      Objects.requireNonNull(floor, "floor");
      Objects.requireNonNull(ceiling, "ceiling");
      Objects.requireNonNull(until, "until");
      Objects.requireNonNull(reason, "reason");
      pin.ifPresent(v -> requireCount(v, "pin"));
      floor.ifPresent(v -> requireCount(v, "floor"));
      ceiling.ifPresent(v -> requireCount(v, "ceiling"));
      if (pin.isEmpty() && floor.isEmpty() && ceiling.isEmpty()) {
        throw new IllegalArgumentException("override must set a pin, a floor or a ceiling, "
            + "but set none");
      }
    }

    /** Whether it applies at {@code now}. */
    public boolean activeAt(Instant now) {
      return now.isBefore(until);
    }
  }

  private static void requireCount(int v, String field) {
    if (v < 0) {
      throw new IllegalArgumentException(field + " must be >= 0, but was " + v);
    }
  }

  private final Map<WorkloadRef, Entry> overrides = new ConcurrentHashMap<>();

  /** An empty store. */
  public ManualOverrides() {}

  /** Pins {@code workload} at {@code replicas} until {@code until}, replacing any override. */
  public void pin(WorkloadRef workload, int replicas, Instant until, String reason) {
    put(workload, new Entry(Optional.of(replicas), Optional.empty(), Optional.empty(), until,
        reason));
  }

  /** Keeps {@code workload} at or above {@code replicas} until {@code until}; keeps a ceiling. */
  public void floor(WorkloadRef workload, int replicas, Instant until, String reason) {
    requireCount(replicas, "floor");
    overrides.compute(Objects.requireNonNull(workload, "workload"), (k, old) ->
        new Entry(Optional.empty(), Optional.of(replicas),
            old == null ? Optional.empty() : old.ceiling(), until, reason));
  }

  /** Keeps {@code workload} at or below {@code replicas} until {@code until}; keeps a floor. */
  public void ceiling(WorkloadRef workload, int replicas, Instant until, String reason) {
    requireCount(replicas, "ceiling");
    overrides.compute(Objects.requireNonNull(workload, "workload"), (k, old) ->
        new Entry(Optional.empty(), old == null ? Optional.empty() : old.floor(),
            Optional.of(replicas), until, reason));
  }

  /** Sets an override, replacing any. */
  public void put(WorkloadRef workload, Entry override) {
    overrides.put(Objects.requireNonNull(workload, "workload"),
        Objects.requireNonNull(override, "override"));
  }

  /** Removes a workload's override; whether there was one. */
  public boolean clear(WorkloadRef workload) {
    return overrides.remove(workload) != null;
  }

  /** The override of a workload active at {@code now}. */
  public Optional<Entry> active(WorkloadRef workload, Instant now) {
    Entry o = overrides.get(workload);
    return o != null && o.activeAt(now) ? Optional.of(o) : Optional.empty();
  }

  /** Removes the overrides expired at {@code now}; how many. */
  public int purgeExpired(Instant now) {
    int before = overrides.size();
    overrides.values().removeIf(o -> !o.activeAt(now));
    return before - overrides.size();
  }

  @Override
  public String name() {
    return "override";
  }

  @Override
  public Proposal apply(DecisionContext ctx, Proposal p) {
    Optional<Entry> o = active(ctx.workload(), ctx.now());
    if (o.isEmpty()) {
      return p;
    }
    Entry ov = o.get();
    String until = " until " + ov.until() + " (" + ov.reason() + ")";
    if (ov.pin().isPresent()) {
      return p.to(name(), ov.pin().get(), "pinned at " + ov.pin().get() + until);
    }
    int to = p.replicas();
    if (ov.floor().isPresent() && to < ov.floor().get()) {
      to = ov.floor().get();
    }
    if (ov.ceiling().isPresent() && to > ov.ceiling().get()) {
      to = ov.ceiling().get();
    }
    if (to == p.replicas()) {
      return p;
    }
    return p.to(name(), to, (to > p.replicas() ? "floor " : "ceiling ") + to + until);
  }
}
