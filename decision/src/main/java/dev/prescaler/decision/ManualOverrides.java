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
 * a floor and/or a ceiling. Each of them is a {@link Bound} with its own expiry and reason, checked
 * against the context's {@code now} (a bound is active while {@code now < until}), so setting a
 * floor never extends or revives a ceiling set earlier, nor the reverse. An active pin replaces
 * the proposal; otherwise the active floor and ceiling bound it (the ceiling wins if they cross).
 * The engine's [min, max] and step limits still apply afterwards.
 *
 * <p>A pin also wins over bad data: while the engine holds the workload because its metrics are
 * missing, stale or invalid (the chain does not run then), it asks {@link #pinned(WorkloadRef,
 * Instant)} and applies the pin instead, once it knows the current count and no apply of the
 * workload is still running. A floor or a ceiling bounds a proposal, and there is none then: they
 * wait for good data. A {@link ClusterCapacityArbiter} built with these overrides counts a pinned
 * workload at its pin, a floored one at least at its floor, and a capped one at most at its
 * ceiling (each clamped to the workload's [min, max]).
 *
 * <p>An override belongs to the workload as registered: when the engine unregisters a workload
 * ({@link #unregistered(WorkloadRef)}), its override is dropped, pin, floor and ceiling alike, so
 * a workload registered again later (a new deployment of the same name, or one handed back to
 * autoscaling) starts without a pin or floor set for its predecessor. Set it again after
 * registering if it is still wanted. An override set for a workload not registered yet is kept,
 * and applies once the workload is registered.
 *
 * <p>Thread-safe: the agent may write while the engine ticks. Expired bounds are ignored, and
 * removed by {@link #purgeExpired(Instant)}.
 */
public final class ManualOverrides implements DecisionPolicy {

  /**
   * One bound of an override: a count, until when it holds and why.
   *
   * @param replicas the count, &ge; 0
   * @param until when it expires (exclusive)
   * @param reason who set it and why
   */
  public record Bound(int replicas, Instant until, String reason) {
    /** Validates the count. */
    public Bound {
      requireCount(replicas, "replicas");
      Objects.requireNonNull(until, "until");
      Objects.requireNonNull(reason, "reason");
    }

    /** Whether it applies at {@code now}: {@code now < until}. */
    public boolean activeAt(Instant now) {
      return now.isBefore(until);
    }
  }

  /**
   * One workload's override: a pin, a floor and a ceiling, each optional and each with its own
   * expiry and reason; at least one is set. A pin, while active, wins over the other two.
   *
   * @param pin the pinned count, if any
   * @param floor the lowest count, if any
   * @param ceiling the highest count, if any
   */
  public record Entry(Optional<Bound> pin, Optional<Bound> floor, Optional<Bound> ceiling) {
    /** Requires at least one bound. */
    public Entry {
      Objects.requireNonNull(pin, "pin");
      Objects.requireNonNull(floor, "floor");
      Objects.requireNonNull(ceiling, "ceiling");
      if (pin.isEmpty() && floor.isEmpty() && ceiling.isEmpty()) {
        throw new IllegalArgumentException("override must set a pin, a floor or a ceiling, "
            + "but set none");
      }
    }

    /**
     * An override whose bounds share one expiry and reason.
     *
     * @throws IllegalArgumentException when a count is negative (naming it) or none is set
     */
    public Entry(Optional<Integer> pin, Optional<Integer> floor, Optional<Integer> ceiling,
        Instant until, String reason) {
      this(bound(pin, "pin", until, reason), bound(floor, "floor", until, reason),
          bound(ceiling, "ceiling", until, reason));
    }

    private static Optional<Bound> bound(Optional<Integer> count, String field, Instant until,
        String reason) {
      Objects.requireNonNull(count, field);
      Objects.requireNonNull(until, "until");
      Objects.requireNonNull(reason, "reason");
      count.ifPresent(v -> requireCount(v, field));
      return count.map(v -> new Bound(v, until, reason));
    }

    /** Whether any of its bounds applies at {@code now}. */
    public boolean activeAt(Instant now) {
      return active(pin, now).isPresent() || active(floor, now).isPresent()
          || active(ceiling, now).isPresent();
    }

    /** The bounds active at {@code now}, as an override; empty when none is. */
    public Optional<Entry> at(Instant now) {
      Optional<Bound> p = active(pin, now);
      Optional<Bound> f = active(floor, now);
      Optional<Bound> c = active(ceiling, now);
      if (p.isEmpty() && f.isEmpty() && c.isEmpty()) {
        return Optional.empty();
      }
      if (p.equals(pin) && f.equals(floor) && c.equals(ceiling)) {
        return Optional.of(this);
      }
      return Optional.of(new Entry(p, f, c));
    }

    private int count() {
      return (pin.isPresent() ? 1 : 0) + (floor.isPresent() ? 1 : 0)
          + (ceiling.isPresent() ? 1 : 0);
    }

    private static Optional<Bound> active(Optional<Bound> b, Instant now) {
      return b.isPresent() && b.get().activeAt(now) ? b : Optional.empty();
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
    requireCount(replicas, "pin");
    put(workload, new Entry(Optional.of(new Bound(replicas, until, reason)), Optional.empty(),
        Optional.empty()));
  }

  /**
   * Keeps {@code workload} at or above {@code replicas} until {@code until}, replacing any floor
   * and pin; a ceiling keeps its own expiry and reason.
   */
  public void floor(WorkloadRef workload, int replicas, Instant until, String reason) {
    requireCount(replicas, "floor");
    Bound floor = new Bound(replicas, until, reason);
    overrides.compute(Objects.requireNonNull(workload, "workload"), (k, old) ->
        new Entry(Optional.empty(), Optional.of(floor),
            old == null ? Optional.empty() : old.ceiling()));
  }

  /**
   * Keeps {@code workload} at or below {@code replicas} until {@code until}, replacing any
   * ceiling and pin; a floor keeps its own expiry and reason.
   */
  public void ceiling(WorkloadRef workload, int replicas, Instant until, String reason) {
    requireCount(replicas, "ceiling");
    Bound ceiling = new Bound(replicas, until, reason);
    overrides.compute(Objects.requireNonNull(workload, "workload"), (k, old) ->
        new Entry(Optional.empty(), old == null ? Optional.empty() : old.floor(),
            Optional.of(ceiling)));
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

  /** The bounds of a workload's override active at {@code now}; empty when none is. */
  public Optional<Entry> active(WorkloadRef workload, Instant now) {
    Entry o = overrides.get(workload);
    return o == null ? Optional.empty() : o.at(now);
  }

  /**
   * Removes the bounds expired at {@code now}, and the overrides left without any; how many
   * bounds (pins, floors and ceilings) were removed.
   */
  public int purgeExpired(Instant now) {
    int[] removed = {0};
    for (WorkloadRef w : overrides.keySet()) {
      overrides.computeIfPresent(w, (k, e) -> {
        Optional<Entry> kept = e.at(now);
        removed[0] += e.count() - kept.map(Entry::count).orElse(0);
        return kept.orElse(null);
      });
    }
    return removed[0];
  }

  /**
   * Drops the override of a workload the engine unregistered (as {@link #clear(WorkloadRef)}):
   * an operator's pin or floor must not outlive the workload it was set for.
   */
  @Override
  public void unregistered(WorkloadRef workload) {
    clear(workload);
  }

  @Override
  public String name() {
    return "override";
  }

  /** The active pin of {@code workload} at {@code now}, with its expiry and reason. */
  @Override
  public Optional<Pin> pinned(WorkloadRef workload, Instant now) {
    return active(workload, now).flatMap(Entry::pin).map(ManualOverrides::pin);
  }

  private static Pin pin(Bound b) {
    return new Pin(b.replicas(), "pinned at " + b.replicas() + until(b));
  }

  @Override
  public Proposal apply(DecisionContext ctx, Proposal p) {
    Optional<Entry> o = active(ctx.workload(), ctx.now());
    if (o.isEmpty()) {
      return p;
    }
    Entry ov = o.get();
    if (ov.pin().isPresent()) {
      Pin pin = pin(ov.pin().get());
      return p.to(name(), pin.replicas(), pin.reason());
    }
    int to = p.replicas();
    Bound by = null;
    String which = null;
    if (ov.floor().isPresent() && to < ov.floor().get().replicas()) {
      by = ov.floor().get();
      which = "floor ";
      to = by.replicas();
    }
    if (ov.ceiling().isPresent() && to > ov.ceiling().get().replicas()) {
      by = ov.ceiling().get();
      which = "ceiling ";
      to = by.replicas();
    }
    if (to == p.replicas()) {
      return p;
    }
    return p.to(name(), to, which + to + until(by));
  }

  private static String until(Bound b) {
    return " until " + b.until() + " (" + b.reason() + ")";
  }
}
