package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.WorkloadRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Shares one capacity budget (CPU cores, or any unit: replicas × pod request) across the
 * workloads of an engine. When the claims exceed it, every claim keeps its floor, {@code
 * min(proposal, minReplicas)}; priority classes are served from the highest; the class that no
 * longer fits is cut in proportion to each workload's extra capacity (above its floor) weighted
 * by its cost weight (the dearer replicas go first); lower classes get their floor; and the whole
 * replicas that rounding leaves over go, while they fit, to the claims still short of their
 * proposal: by priority, then cheapest first, one each in turn (so a lower class may get a
 * replica the cut class has no room left for, and no budget stays idle that a short claim could
 * use). The budget can be exceeded only when the floors alone exceed it, or by the replicas
 * the HPA of a {@link Mode#HPA_FLOOR} workload runs above its floor.
 *
 * <p>{@link #allocate(double, List)} is the pure allocation. {@link #step()} is the chain step
 * (put it after the policies and bounds, before manual overrides). Each workload's tick records
 * its claim and what it runs (the context's current count, or the count just granted when that
 * is higher):
 *
 * <ul>
 *   <li>A tick's allocation is made once, at the tick's first decision (the first at a new
 *       instant), over the claims the workloads made at their last ticks. Every workload enters
 *       it by the same rule, so equal claims get equal shares (give or take the one replica of
 *       rounding), and claims fed back tick after tick settle on that allocation and stay there.
 *   <li>The workload being decided gets its share of that allocation: its grant there while it
 *       claims what it claimed then; otherwise (a new proposal, or a new workload) its new claim
 *       at its class's level there (all of it when its class was served in full or would no
 *       longer be short with the new claim in place of the earlier one, its floor when higher
 *       classes took everything, the class's cut ratio otherwise), never less than its earlier
 *       claim's grant, up to the new claim. Its new claim enters the next tick's allocation.
 *   <li>A workload above its share is cut to it at its own tick; below it, it grows only as far
 *       as what the others run leaves room for. The room never cuts a workload below what it
 *       runs or its share, whichever is less (so a high priority decided first is not cut for a
 *       low one still running more than its share; that one is cut at its own tick), nor below
 *       its floor. A new claim's share comes from an allocation made without it, so the room
 *       keeps it only at what it runs or its grant there for its earlier claim, whichever is
 *       less. A workload new to the allocation has no earlier grant: the room keeps what it runs
 *       (up to its claim and share) as far as the workloads of its priority and higher leave
 *       room, so a lower priority that grew into its pods before it was first seen does not cut
 *       it (that one is cut at its next tick; until then what runs may exceed the budget), while
 *       equal and higher priorities may cut it down to its floor. The
 *       others change their counts only at their own ticks, so a workload below its share grows
 *       into the room a workload above its share frees once that one is seen running less
 *       (usually the tick after). What runs never grows while it exceeds the budget (after the
 *       budget shrinks, or at a start, when a workload decided first grew into what one not
 *       seen yet runs), and is within it once every workload is at its share.
 *   <li>A workload does not grow into room a higher priority could still claim in this tick.
 *       Beyond what its last claim was granted in the tick's allocation, it grows only into the
 *       room left once the headroom of every workload of a higher priority that is not decided
 *       yet in the tick and whose claim may rise (acting, fresh, not pinned) is kept: what lies
 *       between what that workload runs and its maxReplicas (under an active ceiling); and, for
 *       one decided already, what it runs short of its share. So when claims rise together, the
 *       higher priority gets the room at its own tick whatever order the engine decides them
 *       in; the lower one grows at a later tick, once its claim is in the tick's allocation.
 *   <li>A claim older than {@code claimTtl} (the engine holds the workload before the chain
 *       runs, e.g. on stale metrics, and its pods keep running) counts at what the workload last
 *       ran, no more and no less: its chain does not run, so it cannot be cut.
 *   <li>A workload in {@link Mode#HPA_FLOOR} is granted the floor sent to its HPA and counts at
 *       what it runs, its HPA's replicas above the floor included: the arbiter cannot cut them,
 *       so they can exceed the budget, and a higher priority yields to them while the HPA keeps
 *       them. (Counted at the floor, a lower floor refused or not yet sent let an acting
 *       workload grow past the budget.)
 *   <li>A workload in {@link Mode#OBSERVE_ONLY} counts at its current count, which is what it
 *       really runs: its hypothetical proposal never cuts a workload that acts. Its own proposal
 *       is still arbitrated, so its record shows what acting would have been granted.
 *   <li>With {@linkplain Builder#overrides(ManualOverrides) the manual overrides}, the claim
 *       is what the override makes of the proposal, each bound clamped to the spec's [min, max]
 *       as the engine applies it: a workload pinned there claims its pin, which nothing cuts,
 *       and counts at the larger of its pin and what it runs from the tick's allocation on:
 *       before its own tick, while the engine holds it (the engine applies a pin over bad
 *       metrics), and, once the pin is gone, until it is seen running less. An active floor
 *       raises the claim and is its floor, and the workload counts at least at it from the
 *       tick's allocation on (the override raises it at its tick); an active ceiling caps the
 *       claim, so the budget above it goes to the others. The pins and floors count as floors.
 *       The overrides are read when the tick's allocation is made; one set later in the tick
 *       counts from that workload's tick. A floor or a ceiling does not apply while the engine
 *       holds the workload (it waits for good data), so a held workload counts at what it runs.
 *       Only workloads the step has seen count: one held since it was registered (an engine
 *       restarted during a metrics outage) has never reached the step, so neither what it runs
 *       nor a pin the engine applies to it counts until its chain first runs.
 *   <li>A workload is counted until it is forgotten, however long it is not seen: a workload
 *       held for an hour still runs its pods. The engine makes the step forget a workload it
 *       unregisters ({@link DecisionPolicy#unregistered(WorkloadRef)}, passed on by the chains
 *       and wrappers of this module); call {@link #forget(WorkloadRef)} yourself for a workload
 *       that stops running while it stays registered, or when the step runs outside an engine.
 * </ul>
 *
 * <p>A budget that is not a finite number &ge; 0 (or that throws) makes the step throw, so the
 * engine holds the workload: bad data never scales. Every cut is a reason.
 *
 * <p>Cost: one allocation per tick, O(n log n) over the n workloads seen, then O(k) per decision
 * for the k priority classes (the headroom kept for the higher ones; plus its reason when it is
 * cut), whether or not its claim changed. Thread-safe.
 */
public final class ClusterCapacityArbiter {
  /*
   * Per workload the step keeps its last claim, when it was made, whether it acts, and what it
   * runs: the larger of the current count it was last seen with and the count just granted (the
   * engine may be starting those pods). A cut counts only once the workload is seen running
   * less: the engine's step limits may slow the scale-down, and terminating pods still take
   * capacity. An observe-only workload runs its current count whatever it was granted.
   *
   * Fairness comes from the plan: one allocation per tick, the same rule for every claim, so its
   * grants are a function of the claims alone and stop moving once the claims do. Safety comes
   * from the room check: a grant never grows into more than the budget minus what the others
   * commit (what they run, or their pin or floor when higher), so what runs never grows past the
   * budget (unless the floors exceed it; a grant never goes below its floor). The room check
   * cuts no claim the plan knows below its share: cutting below it for room would cut whichever
   * workload is decided first, whatever its priority. With claims fixed, after one tick every
   * workload runs at most its share, and after the next every one runs its share.
   *
   * Priorities within a tick come from the headroom kept per class: a new claim is not in the
   * plan, so its share there says nothing of what higher classes ask in the same tick. Instead
   * of making the allocation again (O(n log n) per decision), each class keeps the units its
   * undecided workloads could still take (up to maxReplicas) and what its decided ones run short
   * of their share; a new claim grows past its earlier grant only into the room left above
   * those. That bound is by headroom, not by the higher claims' real rise, so it may hold a
   * lower priority back a tick more than needed. It keeps nothing for a higher workload the
   * plan does not know may rise (new, or held past claimTtl, when the plan was made).
   */

  /**
   * Default age after which a workload's proposal no longer counts beyond what it runs: 2
   * minutes.
   */
  public static final Duration DEFAULT_CLAIM_TTL = Duration.ofMinutes(2);

  /** Slack for sums of units: a claim that misses by less still fits. */
  private static final double EPS = 1e-9;

  /**
   * The capacity available to the engine's workloads at an instant, in budget units. Read once
   * per tick, at the tick's first decision (and again after a workload is unregistered within
   * the tick, which drops the tick's plan).
   */
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
   * @param costWeight its price per replica-hour relative to others, &gt; 0 and finite; only
   *     its ratio to the others of its priority matters
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

    /** Budget units of its extra replicas, above its floor. */
    private double extraUnits() {
      return (proposed - floor()) * unitsPerReplica;
    }

    /** The same claim at {@code count}, which it cannot be cut below. */
    private Claim fixedAt(int count) {
      return new Claim(workload, count, count, priority, costWeight, unitsPerReplica);
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

  private record Seen(Claim claim, int running, Instant claimed, boolean acts, int max) {}

  private final CapacityBudget budget;
  private final Map<WorkloadRef, Double> unitsPerReplica;
  private final double defaultUnitsPerReplica;
  private final Duration claimTtl;
  private final ManualOverrides overrides; // null when none
  private final Map<WorkloadRef, Seen> seen = new LinkedHashMap<>(); // guarded by lock
  private Plan plan; // guarded by lock; null until the next decision makes one
  private final Object lock = new Object();

  private ClusterCapacityArbiter(Builder b) {
    this.budget = b.budget;
    this.unitsPerReplica = Map.copyOf(b.unitsPerReplica);
    this.defaultUnitsPerReplica = b.defaultUnitsPerReplica;
    this.claimTtl = b.claimTtl;
    this.overrides = b.overrides;
  }

  /** A builder; the budget is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Allocates {@code budget} units among {@code claims} (pure). The result is in the order of the
   * claims; ties in the give-back of left-over replicas go to the earlier claim.
   */
  public static List<Grant> allocate(double budget, List<Claim> claims) {
    if (!(budget >= 0) || !Double.isFinite(budget)) {
      throw new IllegalArgumentException("budget must be >= 0 and finite, but was " + budget);
    }
    Set<WorkloadRef> names = new HashSet<>();
    for (Claim c : claims) {
      if (!names.add(c.workload())) {
        throw new IllegalArgumentException(
            "claims must name each workload once, but " + c.workload() + " appears twice");
      }
    }
    Allocation a = new Allocation(budget, claims);
    List<Grant> out = new ArrayList<>(claims.size());
    for (int i = 0; i < claims.size(); i++) {
      Claim c = claims.get(i);
      int g = a.granted[i];
      out.add(new Grant(c.workload(), g, g < c.proposed(), g < c.proposed() ? a.why(c, g) : ""));
    }
    return out;
  }

  /**
   * One allocation of a budget among claims: the grants, and where the budget ran out (the
   * boundary class, its cut level and its costliest weight), so that a claim made afterwards can
   * be given its class's share of it.
   */
  private static final class Allocation {
    final double budget;
    final int[] granted;
    /** Whether every claim got its proposal. */
    boolean fits = true;
    /** The class the budget ran out in: higher ones got their proposals, lower their floors. */
    int boundary;
    /**
     * Its cut level θ: a claim of weight w loses min(1, θ × w ÷ the class's highest weight) of
     * its extra units; infinite when the class keeps its floors.
     */
    double level;
    double maxWeight;
    /** The lowest relative weight of the claims it cut whole, which any dearer one loses too. */
    double capWeight = Double.POSITIVE_INFINITY;
    /** Units the boundary class was short by. */
    double shortfall;
    /**
     * When the budget ran out before the boundary class got any of its extra units: the floors'
     * units, what the higher classes got above theirs, and the priorities with floors (highest
     * first) with the floor units of each.
     */
    double floorUnits;
    double aboveFloors;
    int[] floorPriorities;
    double[] floorsOf;

    Allocation(double budget, List<Claim> claims) {
      this.budget = budget;
      int n = claims.size();
      granted = new int[n];
      double total = 0;
      for (int i = 0; i < n; i++) {
        Claim c = claims.get(i);
        granted[i] = c.proposed();
        total += c.proposed() * c.unitsPerReplica();
      }
      if (total <= budget + EPS) {
        return;
      }
      fits = false;
      double remaining = budget;
      for (int i = 0; i < n; i++) {
        Claim c = claims.get(i);
        granted[i] = c.floor();
        remaining -= c.floor() * c.unitsPerReplica();
      }
      floorUnits = budget - remaining;
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      // By priority, highest first; cheapest first within one (the give-back order), stable.
      // (Compared, not negated: -Integer.MIN_VALUE is Integer.MIN_VALUE.)
      Arrays.sort(order, ((Comparator<Integer>) (i, j) -> Integer.compare(
              claims.get(j).priority(), claims.get(i).priority()))
          .thenComparingDouble(i -> claims.get(i).costWeight()));
      boolean found = false;
      for (int from = 0; from < n; ) {
        int to = from;
        int priority = claims.get(order[from]).priority();
        double need = 0;
        while (to < n && claims.get(order[to]).priority() == priority) {
          need += claims.get(order[to]).extraUnits();
          to++;
        }
        if (need > 0 && !found) {
          if (remaining <= EPS) {
            found = true;
            boundary = priority;
            level = Double.POSITIVE_INFINITY;
            shortfall = need;
            aboveFloors = Math.max(0, budget - floorUnits - remaining);
            floorsByPriority(claims, order);
          } else if (need <= remaining + EPS) {
            for (int k = from; k < to; k++) {
              granted[order[k]] = claims.get(order[k]).proposed();
            }
            remaining -= need;
          } else {
            found = true;
            boundary = priority;
            shortfall = need - remaining;
            remaining -= cut(claims, Arrays.asList(order).subList(from, to));
          }
        }
        from = to;
      }
      if (!found) {
        fits = true; // every class fitted within the slack: nobody is cut
        return;
      }
      giveBack(claims, order, remaining);
    }

    /** Fills {@code floorPriorities} and {@code floorsOf} from the claims in priority order. */
    private void floorsByPriority(List<Claim> claims, Integer[] order) {
      List<Integer> priorities = new ArrayList<>();
      List<Double> units = new ArrayList<>();
      for (int i : order) {
        Claim c = claims.get(i);
        double f = c.floor() * c.unitsPerReplica();
        if (f > 0) {
          if (priorities.isEmpty() || priorities.get(priorities.size() - 1) != c.priority()) {
            priorities.add(c.priority());
            units.add(0.0);
          }
          units.set(units.size() - 1, units.get(units.size() - 1) + f);
        }
      }
      floorPriorities = priorities.stream().mapToInt(Integer::intValue).toArray();
      floorsOf = units.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The floor units of the claims of priorities below {@code priority}: O(k). */
    private double floorsBelow(int priority) {
      double sum = 0;
      for (int k = floorPriorities.length - 1; k >= 0 && floorPriorities[k] < priority; k--) {
        sum += floorsOf[k];
      }
      return sum;
    }

    /**
     * Cuts the boundary class by {@code shortfall} units, claim i losing min(E_i, θ × E_i × w_i)
     * of its extra units E_i (w_i its cost weight ÷ the class's highest, so huge weights cannot
     * overflow the sums); grants the whole replicas left; returns the units granted.
     */
    private double cut(List<Claim> claims, List<Integer> cls) {
      List<Integer> open = new ArrayList<>();
      maxWeight = 0;
      for (int i : cls) {
        if (claims.get(i).extraUnits() > 0) {
          open.add(i);
          maxWeight = Math.max(maxWeight, claims.get(i).costWeight());
        }
      }
      // Water-filling: the dearest claims are cut whole first; θ solves Σ cut = shortfall.
      open.sort(Comparator.comparingDouble(i -> -claims.get(i).costWeight()));
      int m = open.size();
      double[] weighted = new double[m + 1]; // Σ E_i × w_i over open[k..]
      for (int k = m - 1; k >= 0; k--) {
        Claim c = claims.get(open.get(k));
        weighted[k] = weighted[k + 1] + c.extraUnits() * weight(c);
      }
      double whole = 0;
      int k = 0;
      level = Double.POSITIVE_INFINITY;
      while (k < m) {
        double rest = shortfall - whole;
        if (rest <= 0) {
          level = 0;
          break;
        }
        double theta = rest / weighted[k];
        Claim c = claims.get(open.get(k));
        if (theta * weight(c) < 1) {
          level = theta;
          break;
        }
        whole += c.extraUnits();
        capWeight = weight(c);
        k++;
      }
      double used = 0;
      for (int i : open) {
        Claim c = claims.get(i);
        int extra = c.proposed() - c.floor();
        int kept = (int) Math.floor(extra - extra * lost(c) + EPS);
        kept = Math.max(0, Math.min(kept, extra));
        granted[i] = c.floor() + kept;
        used += kept * c.unitsPerReplica();
      }
      return used;
    }

    /**
     * A claim's cost weight relative to the dearest of the boundary class: in (0, 1] for its
     * members, so that no sum of weights overflows, and never 0 (a weight 1e-308 times smaller
     * than the dearest still loses its share, in proportion to its extra units).
     */
    private double weight(Claim c) {
      return Math.max(c.costWeight() / maxWeight, Double.MIN_NORMAL);
    }

    /** The share of its extra units a claim of the boundary class loses, in [0, 1]. */
    private double lost(Claim c) {
      double w = weight(c);
      if (w >= capWeight) {
        return 1;
      }
      double f = level * w;
      return f < 1 ? f : 1;
    }

    /**
     * Gives whole replicas from {@code spare} units back, while they fit, to the claims still
     * short: class by class from the highest, cheapest first, one each in turn.
     */
    private void giveBack(List<Claim> claims, Integer[] order, double spare) {
      int n = order.length;
      for (int from = 0; from < n; ) {
        int to = from;
        int priority = claims.get(order[from]).priority();
        List<Integer> open = new ArrayList<>();
        while (to < n && claims.get(order[to]).priority() == priority) {
          open.add(order[to]);
          to++;
        }
        while (!open.isEmpty()) {
          List<Integer> next = new ArrayList<>();
          for (int i : open) {
            Claim c = claims.get(i);
            if (granted[i] < c.proposed() && c.unitsPerReplica() <= spare + EPS) {
              granted[i]++;
              spare -= c.unitsPerReplica();
              next.add(i);
            }
          }
          open = next; // a claim that did not fit never will: the spare only shrinks
        }
        from = to;
      }
    }

    /**
     * What a claim not in this allocation would get at its class's level in it, in place of
     * {@code replaced} (its earlier claim; null for none): all of it when its class, so
     * changed, would no longer be short.
     */
    int share(Claim c, Claim replaced) {
      if (!fits && c.priority() == boundary && level != Double.POSITIVE_INFINITY
          && shortfall(c, replaced) <= EPS) {
        return c.proposed();
      }
      return share(c);
    }

    /** What the boundary class would be short by with {@code c} in place of {@code replaced}. */
    private double shortfall(Claim c, Claim replaced) {
      double gone = replaced != null && replaced.priority() == boundary
          ? replaced.extraUnits() : 0;
      return shortfall - gone + c.extraUnits();
    }

    /** What a claim not in this allocation would get at its class's level in it. */
    int share(Claim c) {
      if (fits || c.priority() > boundary) {
        return c.proposed();
      }
      if (c.priority() < boundary || level == Double.POSITIVE_INFINITY) {
        return c.floor();
      }
      int extra = c.proposed() - c.floor();
      int kept = (int) Math.floor(extra - extra * lost(c) + EPS);
      return c.floor() + Math.max(0, Math.min(kept, extra));
    }

    /** Why {@code c} gets {@code g} here, below its proposal (no String.format: per tick). */
    String why(Claim c, int g) {
      return why(c, g, shortfall);
    }

    /**
     * Why {@code c}, not in this allocation, gets {@code g}, below its proposal, in place of
     * {@code replaced}: the shortage named is its class's with it.
     */
    String why(Claim c, int g, Claim replaced) {
      return why(c, g, fits || c.priority() != boundary ? shortfall : shortfall(c, replaced));
    }

    private String why(Claim c, int g, double shortBy) {
      String head = "cluster budget " + HpaReplicaCalculator.fmt(budget);
      if (c.priority() == boundary && level != Double.POSITIVE_INFINITY) {
        return head + " short by " + Decimals.fixed3(shortBy) + ": priority " + c.priority()
            + " cut in proportion (cost weight " + HpaReplicaCalculator.fmt(c.costWeight())
            + "), " + c.proposed() + " -> " + g;
      }
      if (level != Double.POSITIVE_INFINITY) {
        return head + " exhausted by higher priorities: priority " + c.priority() + " held at "
            + g;
      }
      // The budget ran out before any class above its floors was short: the floors took it,
      // with what the classes served in full got above theirs.
      double lower = floorsBelow(c.priority());
      return head + " exhausted by the claims' floors (min(proposal, minReplicas)), "
          + HpaReplicaCalculator.fmt(floorUnits) + " units"
          + (lower > 0 ? ", of which lower priorities' " + HpaReplicaCalculator.fmt(lower) : "")
          + (aboveFloors > EPS ? ", and by higher priorities above their floors, "
              + HpaReplicaCalculator.fmt(aboveFloors) + " units" : "")
          + ": priority " + c.priority() + " held at " + g;
    }
  }

  /**
   * One tick's allocation over the claims recorded before the tick, and what every workload seen
   * commits meanwhile (what it runs, or its pin or override floor when higher), kept up to date
   * within the tick; with the budget units reserved, class by class, for the workloads whose
   * claim may still rise in the tick and that are not decided yet.
   */
  private static final class Plan {
    final Instant at;
    final double budget;
    final List<Claim> claims = new ArrayList<>();
    final Map<WorkloadRef, Integer> index = new HashMap<>();
    final Map<WorkloadRef, Double> committed = new HashMap<>();
    double committedTotal;
    /** The priority each workload committed at, and what each priority commits. */
    final Map<WorkloadRef, Integer> committedAt = new HashMap<>();
    final Map<Integer, Double> byPriority = new HashMap<>();
    /** Workloads counted at what they last ran (no fresh claim), and at their pins or floors. */
    final Map<WorkloadRef, String> stale = new LinkedHashMap<>();
    final Map<WorkloadRef, String> pinned = new LinkedHashMap<>();
    final Map<WorkloadRef, String> floored = new LinkedHashMap<>();
    /**
     * By index in {@code claims}: the headroom of a workload whose claim may still rise at its
     * tick (acting, fresh, not pinned), in budget units between what it commits and the most it
     * could claim (its maxReplicas, under an active ceiling), 0 for the others; its class in
     * {@code classes} (-2 - that once decided), -1 when it has none; and what it runs short of
     * its share once decided.
     */
    final double[] headroom;
    final int[] cls;
    final double[] shortOf;
    /**
     * The priority classes with headroom, highest first: the headroom of its workloads not
     * decided yet in the tick, how many they are, and what those decided run short of their
     * share.
     */
    int[] classes;
    double[] reserved;
    int[] open;
    double[] owed;
    Allocation allocation;

    Plan(Instant at, double budget, int n) {
      this.at = at;
      this.budget = budget;
      headroom = new double[n];
      cls = new int[n];
      shortOf = new double[n];
    }

    void commit(WorkloadRef w, int priority, double units) {
      Double before = committed.put(w, units);
      committedTotal += units - (before == null ? 0 : before);
      Integer was = committedAt.put(w, priority);
      if (was != null) {
        byPriority.merge(was, -before, Double::sum);
      }
      byPriority.merge(priority, units, Double::sum);
    }

    /**
     * What the workloads of priority {@code priority} or higher but {@code self} commit: O(k) for
     * the k priorities committed.
     */
    double committedFrom(int priority, WorkloadRef self) {
      double sum = 0;
      for (Map.Entry<Integer, Double> e : byPriority.entrySet()) {
        if (e.getKey() >= priority) {
          sum += e.getValue();
        }
      }
      Integer own = committedAt.get(self);
      return own != null && own >= priority ? sum - committed.get(self) : sum;
    }

    /** Sums the headroom by priority class, highest first: O(n + k log k) for k classes. */
    void reserve() {
      Map<Integer, Integer> at = new HashMap<>();
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < claims.size(); i++) {
        if (headroom[i] > 0 && at.putIfAbsent(claims.get(i).priority(), order.size()) == null) {
          order.add(claims.get(i).priority());
        }
      }
      order.sort(Comparator.reverseOrder());
      int k = order.size();
      classes = new int[k];
      reserved = new double[k];
      open = new int[k];
      owed = new double[k];
      at.clear();
      for (int c = 0; c < k; c++) {
        classes[c] = order.get(c);
        at.put(classes[c], c);
      }
      for (int i = 0; i < claims.size(); i++) {
        if (headroom[i] > 0) {
          int c = at.get(claims.get(i).priority());
          cls[i] = c;
          reserved[c] += headroom[i];
          open[c]++;
        } else {
          cls[i] = -1;
        }
      }
    }

    /**
     * Releases what is kept for claim {@code i}, decided now (its headroom, or what it ran short
     * of at an earlier decision in the tick): O(1).
     */
    void release(int i) {
      int c = cls[i];
      if (c >= 0) {
        cls[i] = -2 - c; // decided
        reserved[c] = --open[c] == 0 ? 0 : reserved[c] - headroom[i];
      } else if (c <= -2) {
        owed[-2 - c] -= shortOf[i];
        shortOf[i] = 0;
      }
    }

    /** Keeps {@code units} that claim {@code i}, decided now, runs short of its share: O(1). */
    void owe(int i, double units) {
      int c = cls[i];
      if (c <= -2) {
        shortOf[i] = Math.min(Math.max(0, units), headroom[i]);
        owed[-2 - c] += shortOf[i];
      }
    }

    /** The units kept for the workloads of priorities above {@code priority}: O(k). */
    double reservedAbove(int priority) {
      double sum = 0;
      for (int c = 0; c < classes.length && classes[c] > priority; c++) {
        sum += reserved[c] + owed[c];
      }
      return sum;
    }
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
      if (seen.remove(workload) != null) {
        plan = null;
      }
    }
  }

  /**
   * The chain step: records this workload's claim and returns its grant. It {@linkplain
   * #forget(WorkloadRef) forgets} a workload the engine unregisters.
   *
   * @throws IllegalStateException (from the step) when the budget is not a finite number &ge; 0
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
    int max = ctx.spec().maxReplicas();
    Optional<ManualOverrides.Entry> override = acts ? overrideOf(ref, now) : Optional.empty();
    boolean pinned = override.flatMap(ManualOverrides.Entry::pin).isPresent();
    Claim raw = new Claim(ref, p.replicas(), ctx.spec().minReplicas(), ctx.spec().priority(),
        ctx.spec().costWeight(), unitsPerReplica(ref));
    Claim mine = overridden(raw, max, override);
    synchronized (lock) {
      // Read once per tick, at its first decision: a budget read live may change between
      // decisions, and a plan made again at each one cost O(n log n) per decision and forgot
      // which workloads were decided.
      double available = plan != null && plan.at.equals(now) ? plan.budget
          : budget.available(now);
      if (!(available >= 0) || !Double.isFinite(available)) {
        // Held by the engine: it runs its current count; its last claim ages as in any hold.
        Seen before = seen.get(ref);
        seen.put(ref, before == null ? new Seen(raw.fixedAt(current), current, now, acts, max)
            : new Seen(before.claim(), current, before.claimed(), before.acts(), max));
        plan = null;
        throw new IllegalStateException(
            "capacity budget must be >= 0 and finite, but was " + available);
      }
      Plan tick = plan(now, available);
      Allocation a = tick.allocation;
      Integer i = tick.index.get(ref);
      Claim before = i == null ? null : tick.claims.get(i);
      boolean same = acts && mine.equals(before);
      // What its claim in the plan was granted: it may grow to that anyway. A new claim's share
      // is never below it (a claim that goes down keeps its earlier grant, up to the new claim:
      // it was cut by its class's ratio, made for its earlier claim, and cut again).
      int earlier = !acts ? 0 : i != null ? Math.min(mine.proposed(), a.granted[i])
          : newcomer(tick, mine, current, available);
      Claim replaced = acts ? before : null;
      int share = same ? a.granted[i] : Math.max(a.share(mine, replaced), earlier);
      if (i != null) {
        tick.release(i);
      }
      double others = tick.committedTotal - tick.committed.getOrDefault(ref, 0.0);
      double room = Math.floor((available - others) / mine.unitsPerReplica() + EPS);
      // Growth is limited twice: by the room the others leave, and, beyond what its claim in the
      // plan was granted, by the room left once the headroom of the workloads of a higher
      // priority not decided yet in this tick (whose claims may still rise) is kept for them.
      int limit = share;
      if (share > current && share > earlier) {
        double reserved = tick.reservedAbove(mine.priority());
        if (reserved > 0) {
          double free = Math.floor((available - others - reserved) / mine.unitsPerReplica()
              + EPS);
          // Growth only: never below what it runs (up to its share).
          limit = (int) Math.min(share, Math.max(Math.max(earlier, Math.min(current, share)),
              free));
        }
      }
      // Room never cuts below the plan: a workload above its share is cut to it at its own
      // tick. (A changed claim's share is at its class's level in the plan, made without it, so
      // it may be more than the plan leaves it: room may cut that down to its earlier grant.)
      int kept = Math.min(current, same ? share : Math.min(share, earlier));
      int granted = Math.max(mine.floor(), Math.max(kept, (int) Math.min(limit, room)));
      int running = acts ? Math.max(current, granted) : current;
      seen.put(ref, new Seen(raw, running, now, acts, max));
      tick.commit(ref, mine.priority(), running * mine.unitsPerReplica());
      if (acts && i != null) {
        tick.owe(i, (share - running) * mine.unitsPerReplica());
      }
      if (granted >= mine.proposed() || pinned) {
        return p; // the override sets a pinned, floored or capped count after this step
      }
      List<String> why = new ArrayList<>();
      if (share < mine.proposed()) {
        why.add(same ? a.why(mine, share) : a.why(mine, share, replaced));
      }
      if (granted < share) {
        if (limit < share) {
          why.add("room kept for higher priorities whose claims may rise in this tick (up to "
              + "their maxReplicas): " + share + " -> " + Math.max(granted, limit));
        }
        if (granted < limit) {
          why.add("cluster budget " + HpaReplicaCalculator.fmt(available) + ", of which the "
              + "others still run " + HpaReplicaCalculator.fmt(others) + " (each moves to its "
              + "share at its own tick): " + limit + " -> " + granted);
        }
      }
      named(why, "counted at what they last ran (no fresh claim)", tick.stale, ref);
      named(why, "counted at their override's pin", tick.pinned, ref);
      named(why, "counted at their override's floor", tick.floored, ref);
      return p.to("capacity-arbiter", granted, String.join("; ", why));
    }
  }

  /**
   * What a workload new to the tick's allocation keeps of what it runs: all of it, up to its
   * claim, as far as the workloads of its priority and higher leave room. A lower priority
   * decided before it was first seen may have grown into its pods; that one is cut at its next
   * tick, once the allocation knows the newcomer, and does not cut it meanwhile. O(k).
   */
  private static int newcomer(Plan tick, Claim mine, int current, double available) {
    double notLower = tick.committedFrom(mine.priority(), mine.workload());
    double room = Math.floor((available - notLower) / mine.unitsPerReplica() + EPS);
    return (int) Math.max(0, Math.min(Math.min(mine.proposed(), current), room));
  }

  private Optional<ManualOverrides.Entry> overrideOf(WorkloadRef workload, Instant now) {
    return overrides == null ? Optional.empty() : overrides.active(workload, now);
  }

  /**
   * {@code raw} as the active override leaves it, each bound clamped to [min, max] as the engine
   * applies it: a pin fixes the claim; a floor raises it and is its floor; a ceiling caps it
   * (and wins when it crosses the floor).
   */
  private static Claim overridden(Claim raw, int max, Optional<ManualOverrides.Entry> override) {
    if (override.isEmpty()) {
      return raw;
    }
    ManualOverrides.Entry o = override.get();
    int min = raw.min();
    if (o.pin().isPresent()) {
      return raw.fixedAt(clamp(o.pin().get().replicas(), min, max));
    }
    int to = raw.proposed();
    int floor = min;
    if (o.floor().isPresent()) {
      floor = clamp(o.floor().get().replicas(), min, max);
      to = Math.max(to, floor);
    }
    if (o.ceiling().isPresent()) {
      to = Math.min(to, clamp(o.ceiling().get().replicas(), min, max));
    }
    return new Claim(raw.workload(), to, floor, raw.priority(), raw.costWeight(),
        raw.unitsPerReplica());
  }

  private static int clamp(int v, int min, int max) {
    return Math.max(min, Math.min(max, v));
  }

  /** This tick's plan: the one made at {@code now}, or a new one. */
  private Plan plan(Instant now, double available) {
    if (plan != null && plan.at.equals(now)) {
      return plan;
    }
    Plan next = new Plan(now, available, seen.size());
    Instant fresh = now.minus(claimTtl);
    for (Map.Entry<WorkloadRef, Seen> e : seen.entrySet()) {
      Seen s = e.getValue();
      Claim c = s.claim();
      WorkloadRef w = c.workload();
      Optional<ManualOverrides.Entry> o = s.acts() ? overrideOf(w, now) : Optional.empty();
      Claim counted;
      int running = s.running();
      if (!s.acts()) {
        counted = c.fixedAt(s.running());
      } else if (o.flatMap(ManualOverrides.Entry::pin).isPresent()) {
        counted = overridden(c, s.max(), o);
        if (counted.proposed() > s.running()) {
          // Applied by the override, or by the engine while it holds the workload (its chain
          // does not run then): it runs the pin until seen running less, also once it expires.
          s = new Seen(c, counted.proposed(), s.claimed(), true, s.max());
          e.setValue(s);
          running = s.running();
        }
        next.pinned.put(w, w + " " + counted.proposed());
      } else if (s.claimed().isBefore(fresh)) {
        counted = c.fixedAt(s.running());
        if (s.running() > 0) {
          next.stale.put(w, w + " " + s.running() + " (seen "
              + Duration.between(s.claimed(), now).toSeconds() + " s ago)");
        }
      } else {
        counted = overridden(c, s.max(), o);
        if (o.flatMap(ManualOverrides.Entry::floor).isPresent()
            && counted.floor() > s.running()) {
          // The override raises it to its floor at its tick: counted so in this tick's plan.
          // Not stored as what it runs: the engine applies no floor while it holds the
          // workload, so once its claim is stale it counts at what it runs.
          running = counted.floor();
          next.floored.put(w, w + " " + counted.floor());
        }
        int upTo = overridden(new Claim(w, s.max(), c.min(), c.priority(), c.costWeight(),
            c.unitsPerReplica()), s.max(), o).proposed();
        if (upTo > running) {
          next.headroom[next.claims.size()] = (upTo - running) * c.unitsPerReplica();
        }
      }
      next.index.put(w, next.claims.size());
      next.claims.add(counted);
      next.commit(w, c.priority(), running * c.unitsPerReplica());
    }
    next.allocation = new Allocation(available, next.claims);
    next.reserve();
    plan = next;
    return next;
  }

  /** Appends "{@code what}: the first three of {@code named} but {@code self}, and N more". */
  private static void named(List<String> why, String what, Map<WorkloadRef, String> named,
      WorkloadRef self) {
    int count = named.size() - (named.containsKey(self) ? 1 : 0);
    if (count <= 0) {
      return;
    }
    List<String> first = new ArrayList<>();
    for (Map.Entry<WorkloadRef, String> e : named.entrySet()) {
      if (first.size() == 3) {
        break;
      }
      if (!e.getKey().equals(self)) {
        first.add(e.getValue());
      }
    }
    why.add(what + ": " + String.join(", ", first)
        + (count > 3 ? " and " + (count - 3) + " more" : ""));
  }

  /** Builds a {@link ClusterCapacityArbiter}. */
  public static final class Builder {
    private CapacityBudget budget;
    private final Map<WorkloadRef, Double> unitsPerReplica = new LinkedHashMap<>();
    private double defaultUnitsPerReplica = 1.0;
    private Duration claimTtl = DEFAULT_CLAIM_TTL;
    private ManualOverrides overrides;

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
     * The manual overrides of the same chain (the step after the arbiter), so that the arbiter
     * counts a pinned workload at its pin from the tick the pin is set, before the override
     * raises it, and while the engine holds it; a floored one at least at its floor, and a
     * capped one at most at its ceiling (each clamped to the spec's [min, max]); default none.
     * {@link Policies#stack()} requires its overrides here when it has both.
     */
    public Builder overrides(ManualOverrides overrides) {
      this.overrides = Objects.requireNonNull(overrides, "overrides");
      return this;
    }

    /**
     * Builds the arbiter.
     *
     * @throws InvalidConfigurationException when no budget was given
     */
    public ClusterCapacityArbiter build() {
      if (budget == null) {
        throw new InvalidConfigurationException("ClusterCapacityArbiter",
            List.of("no CapacityBudget: call budget(...)"));
      }
      return new ClusterCapacityArbiter(this);
    }
  }

  /** The overrides the arbiter counts pins from; null when none. */
  ManualOverrides overrides() {
    return overrides;
  }
}
