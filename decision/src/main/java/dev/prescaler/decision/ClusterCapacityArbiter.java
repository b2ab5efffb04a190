package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.WorkloadRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Shares one capacity budget (CPU cores, or any unit: replicas × pod request) across the
 * workloads of an engine. When the proposals exceed it, higher priority wins, the priority class
 * that no longer fits is cut in proportion to each workload's extra capacity weighted by its cost
 * weight (the dearer replicas go first), lower classes get their minimum, and nobody is cut below
 * {@code min(proposal, minReplicas)}. The budget can be exceeded only when those minimums alone
 * exceed it.
 *
 * <p>{@link #allocate(double, List)} is the pure allocation. {@link #step()} is the chain step
 * (put it after the policies and bounds, before manual overrides). Each workload's tick records
 * what it runs (the context's current count, or the count just granted when that is higher) and
 * its claim, then the allocation runs over every workload the step has seen:
 *
 * <ul>
 *   <li>The workload being decided claims its proposal and may be cut down to {@code
 *       min(proposal, minReplicas)}.
 *   <li>Every other workload counts at least what it was last seen running: this allocation
 *       does not change its count, so it is never cut below it here. A claim made within {@code
 *       claimTtl} also asks, at its priority, for its proposal above that count. (In {@link
 *       Mode#HPA_FLOOR} the grant is the HPA's floor; what the HPA runs above it is counted
 *       from the workload's next tick.)
 *   <li>A claim older than {@code claimTtl} (the engine holds the workload before the chain
 *       runs, e.g. on stale metrics, and its pods keep running) counts at what the workload last
 *       ran, and no more.
 *   <li>A workload in {@link Mode#OBSERVE_ONLY} claims only its current count, which is what it
 *       really runs: its hypothetical proposal never cuts a workload that acts. Its own proposal
 *       is still arbitrated, so its record shows what acting would have been granted.
 *   <li>A workload is counted until it is forgotten, however long it is not seen: a workload
 *       held for an hour still runs its pods. The engine makes the step forget a workload it
 *       unregisters ({@link DecisionPolicy#unregistered(WorkloadRef)}, passed on by the chains
 *       and wrappers of this module); call {@link #forget(WorkloadRef)} yourself for a workload
 *       that stops running while it stays registered, or when the step runs outside an engine.
 * </ul>
 *
 * <p>So a higher priority takes capacity from a lower one in steps: the lower one is cut at its
 * next tick, and the capacity it frees is granted once the step sees it running less (usually
 * the tick after). Workloads evaluated earlier in the same tick are seen with this tick's
 * claims, later ones with the previous tick's. Every cut is a reason. Thread-safe.
 */
public final class ClusterCapacityArbiter {
  /*
   * Per workload the step keeps its last claim, when it was made, and what it runs: the larger of
   * the current count it was last seen with and the count just granted (the engine may be
   * starting those pods). A cut counts only once the workload is seen running less: the engine's
   * step limits may slow the scale-down, and terminating pods still take capacity. An
   * observe-only workload runs its current count whatever it was granted.
   *
   * When one workload is arbitrated, every other one enters the pure allocation as a claim whose
   * floor is what it runs (an allocation that does not change a workload's count must not count
   * it for less) and whose proposal is its fresh claim, or what it runs once the claim is older
   * than claimTtl. allocate() keeps the granted total within the budget unless the floors alone
   * exceed it, and each other workload really runs at most its floor, so the same holds for what
   * runs.
   */

  /**
   * Default age after which a workload's proposal no longer counts beyond what it runs: 2
   * minutes.
   */
  public static final Duration DEFAULT_CLAIM_TTL = Duration.ofMinutes(2);

  /** The capacity available to the engine's workloads at an instant, in budget units. */
  @FunctionalInterface
  public interface CapacityBudget {
    /** The budget at {@code now}: node allocatable minus what other tenants use; &ge; 0. */
    double available(Instant now);

    /** A fixed budget. */
    static CapacityBudget fixed(double units) {
      if (!(units >= 0) || !Double.isFinite(units)) {
        throw new IllegalArgumentException("budget must be >= 0 and finite, but was " + units);
      }
      return now -> units;
    }
  }

  /**
   * One workload's request for capacity.
   *
   * @param workload the workload
   * @param proposed the count it proposes, &ge; 0
   * @param min its minimum count, &ge; 0
   * @param priority its priority; higher wins
   * @param costWeight its price per replica-hour relative to others, &gt; 0
   * @param unitsPerReplica budget units one replica takes, &gt; 0
   */
  public record Claim(WorkloadRef workload, int proposed, int min, int priority, double costWeight,
      double unitsPerReplica) {
    /** Validates the fields. */
    public Claim {
      Objects.requireNonNull(workload, "workload");
      if (proposed < 0) {
        throw new IllegalArgumentException("proposed must be >= 0, but was " + proposed);
      }
      if (min < 0) {
        throw new IllegalArgumentException("min must be >= 0, but was " + min);
      }
      if (!(costWeight > 0) || !Double.isFinite(costWeight)) {
        throw new IllegalArgumentException("costWeight must be > 0, but was " + costWeight);
      }
      if (!(unitsPerReplica > 0) || !Double.isFinite(unitsPerReplica)) {
        throw new IllegalArgumentException(
            "unitsPerReplica must be > 0 and finite, but was " + unitsPerReplica);
      }
    }

    /** The count it may never be cut below. */
    public int floor() {
      return Math.min(proposed, min);
    }
  }

  /**
   * What a workload gets.
   *
   * @param workload the workload
   * @param replicas the granted count
   * @param cut whether it got less than it proposed
   * @param reason why, when cut; empty otherwise
   */
  public record Grant(WorkloadRef workload, int replicas, boolean cut, String reason) {
    /** Requires the texts. */
    public Grant {
      Objects.requireNonNull(workload, "workload");
      Objects.requireNonNull(reason, "reason");
    }
  }

  private record Seen(Claim claim, int running, Instant claimed) {}

  private final CapacityBudget budget;
  private final Map<WorkloadRef, Double> unitsPerReplica;
  private final double defaultUnitsPerReplica;
  private final Duration claimTtl;
  private final Map<WorkloadRef, Seen> seen = new LinkedHashMap<>(); // guarded by lock
  private final Object lock = new Object();

  private ClusterCapacityArbiter(Builder b) {
    this.budget = b.budget;
    this.unitsPerReplica = Map.copyOf(b.unitsPerReplica);
    this.defaultUnitsPerReplica = b.defaultUnitsPerReplica;
    this.claimTtl = b.claimTtl;
  }

  /** A builder; the budget is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Allocates {@code budget} units among {@code claims} (pure). The result is in the order of the
   * claims.
   */
  public static List<Grant> allocate(double budget, List<Claim> claims) {
    if (!(budget >= 0) || !Double.isFinite(budget)) {
      throw new IllegalArgumentException("budget must be >= 0 and finite, but was " + budget);
    }
    Map<WorkloadRef, Integer> granted = new LinkedHashMap<>();
    Map<WorkloadRef, String> why = new HashMap<>();
    double total = 0;
    for (Claim c : claims) {
      if (granted.put(c.workload(), c.proposed()) != null) {
        throw new IllegalArgumentException(
            "claims must name each workload once, but " + c.workload() + " appears twice");
      }
      total += c.proposed() * c.unitsPerReplica();
    }
    if (total <= budget + 1e-9) {
      return grants(claims, granted, why);
    }
    double remaining = budget;
    for (Claim c : claims) {
      granted.put(c.workload(), c.floor());
      remaining -= c.floor() * c.unitsPerReplica();
    }
    TreeMap<Integer, List<Claim>> byPriority = new TreeMap<>(Comparator.reverseOrder());
    for (Claim c : claims) {
      byPriority.computeIfAbsent(c.priority(), k -> new ArrayList<>()).add(c);
    }
    for (Map.Entry<Integer, List<Claim>> e : byPriority.entrySet()) {
      List<Claim> cls = e.getValue();
      double need = 0;
      for (Claim c : cls) {
        need += (c.proposed() - c.floor()) * c.unitsPerReplica();
      }
      if (need <= 0) {
        continue;
      }
      if (remaining <= 1e-9) {
        for (Claim c : cls) {
          if (c.proposed() > c.floor()) {
            why.put(c.workload(), String.format(Locale.ROOT,
                "cluster budget %s exhausted by higher priorities: priority %d held at %d",
                HpaReplicaCalculator.fmt(budget), c.priority(), c.floor()));
          }
        }
        continue;
      }
      if (need <= remaining + 1e-9) {
        for (Claim c : cls) {
          granted.put(c.workload(), c.proposed());
        }
        remaining -= need;
        continue;
      }
      cutClass(cls, need - remaining, remaining, granted, why, budget);
      // Strict priority: what flooring left over in the cut class is not handed to lower ones.
      remaining = 0;
    }
    return grants(claims, granted, why);
  }

  /** Cuts one class by {@code shortfall} units in proportion to extra × cost weight. */
  private static double cutClass(List<Claim> cls, double shortfall, double remaining,
      Map<WorkloadRef, Integer> granted, Map<WorkloadRef, String> why, double budget) {
    Map<WorkloadRef, Double> cut = new HashMap<>();
    List<Claim> open = new ArrayList<>();
    for (Claim c : cls) {
      if (c.proposed() > c.floor()) {
        open.add(c);
        cut.put(c.workload(), 0.0);
      }
    }
    double left = shortfall;
    while (left > 1e-9 && !open.isEmpty()) {
      double weights = 0;
      for (Claim c : open) {
        weights += (c.proposed() - c.floor()) * c.unitsPerReplica() * c.costWeight();
      }
      double spilled = 0;
      List<Claim> next = new ArrayList<>();
      for (Claim c : open) {
        double extra = (c.proposed() - c.floor()) * c.unitsPerReplica();
        double share = left * extra * c.costWeight() / weights;
        double now = cut.get(c.workload()) + share;
        if (now >= extra) {
          spilled += now - extra;
          cut.put(c.workload(), extra);
        } else {
          cut.put(c.workload(), now);
          next.add(c);
        }
      }
      left = spilled;
      open = next;
    }
    double used = 0;
    for (Claim c : cls) {
      if (c.proposed() <= c.floor()) {
        continue;
      }
      double extraUnits = (c.proposed() - c.floor()) * c.unitsPerReplica() - cut.get(c.workload());
      int extra = (int) Math.floor(extraUnits / c.unitsPerReplica() + 1e-9);
      extra = Math.max(0, Math.min(extra, c.proposed() - c.floor()));
      granted.put(c.workload(), c.floor() + extra);
      used += extra * c.unitsPerReplica();
    }
    double spare = remaining - used;
    // Flooring left whole replicas unused: give them back, cheapest first, while they fit.
    List<Claim> byCost = new ArrayList<>(cls);
    byCost.sort(Comparator.comparingDouble(Claim::costWeight));
    boolean gave = true;
    while (gave) {
      gave = false;
      for (Claim c : byCost) {
        int g = granted.get(c.workload());
        if (g < c.proposed() && c.unitsPerReplica() <= spare + 1e-9) {
          granted.put(c.workload(), g + 1);
          spare -= c.unitsPerReplica();
          gave = true;
        }
      }
    }
    for (Claim c : cls) {
      int g = granted.get(c.workload());
      if (g < c.proposed()) {
        why.put(c.workload(), String.format(Locale.ROOT,
            "cluster budget %s short by %.3f: priority %d cut in proportion (cost weight %s), "
                + "%d -> %d", HpaReplicaCalculator.fmt(budget), shortfall, c.priority(),
            HpaReplicaCalculator.fmt(c.costWeight()), c.proposed(), g));
      }
    }
    return Math.max(0, spare);
  }

  private static List<Grant> grants(List<Claim> claims, Map<WorkloadRef, Integer> granted,
      Map<WorkloadRef, String> why) {
    List<Grant> out = new ArrayList<>(claims.size());
    for (Claim c : claims) {
      int g = granted.get(c.workload());
      out.add(new Grant(c.workload(), g, g < c.proposed(),
          g < c.proposed() ? why.getOrDefault(c.workload(), "cluster budget") : ""));
    }
    return out;
  }

  /** Budget units one replica of {@code workload} takes. */
  public double unitsPerReplica(WorkloadRef workload) {
    return unitsPerReplica.getOrDefault(workload, defaultUnitsPerReplica);
  }

  /**
   * Forgets a workload: its claim and what it runs no longer count. The engine does this when it
   * unregisters the workload (through {@link #step()}'s {@link
   * DecisionPolicy#unregistered(WorkloadRef)}); call it yourself when a registered workload stops
   * running (e.g. it is deleted while still registered). Until then the step counts the workload
   * at what it was last seen running, however long ago that was. A workload the step sees again
   * is counted again.
   */
  public void forget(WorkloadRef workload) {
    synchronized (lock) {
      seen.remove(workload);
    }
  }

  /**
   * The chain step: records this workload's claim and returns its grant. It {@linkplain
   * #forget(WorkloadRef) forgets} a workload the engine unregisters.
   */
  public DecisionPolicy step() {
    return new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext ctx, Proposal p) {
        return arbitrate(ctx, p);
      }

      @Override
      public void unregistered(WorkloadRef workload) {
        forget(workload);
      }

      @Override
      public String name() {
        return "capacity-arbiter";
      }
    };
  }

  private Proposal arbitrate(DecisionContext ctx, Proposal p) {
    WorkloadRef ref = ctx.workload();
    Instant now = ctx.now();
    int current = ctx.replicas().current();
    boolean acts = ctx.spec().mode() != Mode.OBSERVE_ONLY;
    Claim mine = new Claim(ref, p.replicas(), ctx.spec().minReplicas(), ctx.spec().priority(),
        ctx.spec().costWeight(), unitsPerReplica(ref));
    double available = budget.available(now);
    boolean known = available >= 0 && Double.isFinite(available);
    List<Claim> all = new ArrayList<>();
    List<Seen> stale = new ArrayList<>(); // formatted only when this workload is cut
    Grant granted = null;
    synchronized (lock) {
      Instant fresh = now.minus(claimTtl);
      for (Seen s : seen.values()) {
        if (!s.claim().workload().equals(ref)) {
          boolean expired = s.claimed().isBefore(fresh);
          all.add(counted(s, expired));
          if (expired && s.running() > 0) {
            stale.add(s);
          }
        }
      }
      all.add(mine);
      if (known) {
        for (Grant g : allocate(available, all)) {
          if (g.workload().equals(ref)) {
            granted = g;
          }
        }
      }
      int grantedCount = granted == null ? p.replicas() : granted.replicas();
      int running = acts ? Math.max(current, grantedCount) : current;
      Claim claim = acts ? mine : new Claim(ref, current, mine.min(), mine.priority(),
          mine.costWeight(), mine.unitsPerReplica());
      seen.put(ref, new Seen(claim, running, now));
    }
    if (!known) {
      return p.note("capacity-arbiter", "budget unknown (" + available + "): not arbitrated");
    }
    if (granted == null || !granted.cut()) {
      return p;
    }
    String reason = granted.reason();
    if (!stale.isEmpty()) {
      List<String> named = new ArrayList<>();
      for (Seen s : stale.subList(0, Math.min(3, stale.size()))) {
        named.add(s.claim().workload() + " " + s.running() + " (seen "
            + Duration.between(s.claimed(), now).toSeconds() + " s ago)");
      }
      reason += "; counted at what they last ran (no fresh claim): " + String.join(", ", named)
          + (stale.size() > 3 ? " and " + (stale.size() - 3) + " more" : "");
    }
    return p.to("capacity-arbiter", granted.replicas(), reason);
  }

  /**
   * How another workload enters an allocation: never below what it runs, and above that only by
   * a fresh claim.
   */
  private static Claim counted(Seen s, boolean expired) {
    Claim c = s.claim();
    int wish = expired ? s.running() : Math.max(c.proposed(), s.running());
    return new Claim(c.workload(), wish, Math.max(c.min(), s.running()), c.priority(),
        c.costWeight(), c.unitsPerReplica());
  }

  /** Builds a {@link ClusterCapacityArbiter}. */
  public static final class Builder {
    private CapacityBudget budget;
    private final Map<WorkloadRef, Double> unitsPerReplica = new LinkedHashMap<>();
    private double defaultUnitsPerReplica = 1.0;
    private Duration claimTtl = DEFAULT_CLAIM_TTL;

    private Builder() {}

    /** Where the budget comes from; required. */
    public Builder budget(CapacityBudget budget) {
      this.budget = Objects.requireNonNull(budget, "budget");
      return this;
    }

    /** Budget units one replica of {@code workload} takes (e.g. its CPU request in cores). */
    public Builder unitsPerReplica(WorkloadRef workload, double units) {
      Objects.requireNonNull(workload, "workload");
      if (!(units > 0) || !Double.isFinite(units)) {
        throw new IllegalArgumentException(
            "unitsPerReplica of " + workload + " must be > 0 and finite, but was " + units);
      }
      unitsPerReplica.put(workload, units);
      return this;
    }

    /** Budget units of one replica of any other workload, &gt; 0; default 1 (a replica). */
    public Builder defaultUnitsPerReplica(double units) {
      if (!(units > 0) || !Double.isFinite(units)) {
        throw new IllegalArgumentException(
            "defaultUnitsPerReplica must be > 0 and finite, but was " + units);
      }
      this.defaultUnitsPerReplica = units;
      return this;
    }

    /**
     * Age after which a workload's claim counts only at what the workload last ran (not its
     * proposal above that), in [1 s, 1 day]; default 2 minutes. The engine refreshes a claim on
     * every tick the chain runs; a held workload's claim ages. What a workload runs counts until
     * it is forgotten (unregistered from the engine, or {@link
     * ClusterCapacityArbiter#forget(WorkloadRef)}), whatever this age.
     *
     * @throws IllegalArgumentException when out of range
     * @throws NullPointerException when {@code ttl} is null
     */
    public Builder claimTtl(Duration ttl) {
      this.claimTtl = Durations.inRange(ttl, "claimTtl", Duration.ofSeconds(1), Duration.ofDays(1));
      return this;
    }

    /**
     * Builds the arbiter.
     *
     * @throws IllegalStateException when no budget was given
     */
    public ClusterCapacityArbiter build() {
      if (budget == null) {
        throw new IllegalStateException("no CapacityBudget: call budget(...)");
      }
      return new ClusterCapacityArbiter(this);
    }
  }
}
