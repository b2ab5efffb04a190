package dev.prescaler.agent;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.EngineListener;
import dev.prescaler.core.ForecastAccuracy;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;
import dev.prescaler.core.journal.DecisionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves workloads between observe-only and acting. Every workload starts observe-only; it is
 * promoted to its configured mode when the operator says so ({@code promoted: true}) or, with
 * automatic promotion, once all gates pass:
 *
 * <ol>
 *   <li>observed for at least {@code minObservation};
 *   <li>at least {@code minSamples} forecasts evaluated, and for every metric the forecast MAE at
 *       the lead time at most {@code maxRelativeMae} × the naive forecast's MAE;
 *   <li>the counterfactual: the share of observed ticks on which the count Prescaler would have
 *       set was below the load's need exceeds the share for the count actually set (by the HPA or
 *       a person) by at most {@code maxShortfallIncrease}.
 * </ol>
 *
 * <p>An acting workload is demoted back to observe-only when its relative MAE exceeds
 * {@code demoteRelativeMae} (or its forecast errs while the naive forecast's error is 0, the load
 * not having changed: infinitely worse), once it has {@code minSamples} evaluations and an error
 * above a thousandth of a replica's share (float noise on a flat load is not an error), when its
 * metrics have failed for longer than
 * {@code demoteAfterMetricsFailing}, or when every scale request it made was refused or failed
 * (outcome REFUSED or FAILED, none APPLIED) over more than {@code demoteAfterRefused}, at least
 * three of them: the executor cannot act for it (an HPA targets a
 * {@code mode: act} Deployment, RBAC forbids the patch, the API server keeps answering 429), so
 * acting would only log a refusal every tick. Refusals that say this replica does not lead (see
 * the constructor) are not the workload's and are not counted. A failure that may have been
 * applied ({@link ScaleOutcome#mayHaveBeenApplied()}: a timeout, a 5xx) counts until the count it
 * asked for is seen in place, which ends the run; a stretch with no request longer than {@code
 * demoteAfterRefused} ends a run of refusals too. Promotions and demotions go
 * through {@link AutoscalerEngine#mode}, which journals them and publishes a {@code
 * ModeChangedEvent}.
 *
 * <p>A demotion forgets what was seen of the workload, so automatic promotion cannot promote it
 * again before {@code minObservation} and the other gates pass afresh; the executor is not
 * called while it observes, so whatever refused it is only found again once it acts. {@code
 * promoted: true} is applied when the agent starts, not here: a demoted workload stays
 * observe-only until the next start.
 *
 * <p>Register it as a listener of the engine, and call {@link #evaluate()} after each tick.
 * Thread-safe.
 */
public final class PromotionController implements EngineListener {
  private static final Logger LOG = LoggerFactory.getLogger(PromotionController.class);
  /**
   * The fewest refused or failed requests in a row that demote: two refusals far apart (a
   * transient 429, then a long stretch with nothing to change) are not a workload the executor
   * cannot act for.
   */
  static final int MIN_REFUSALS_TO_DEMOTE = 3;

  private final AgentConfig.Promotion gates;
  private final Map<WorkloadRef, Mode> targetModes;
  private final Predicate<ScaleOutcome> notLeading;
  private final Map<WorkloadRef, Track> tracks = new HashMap<>();
  private AutoscalerEngine engine;

  /**
   * A controller for the given gates.
   *
   * @param gates the promotion settings
   * @param targetModes per workload, the mode it is promoted to (ACT or HPA_FLOOR; OBSERVE_ONLY
   *     never promotes it)
   */
  public PromotionController(AgentConfig.Promotion gates, Map<WorkloadRef, Mode> targetModes) {
    this(gates, targetModes, outcome -> false);
  }

  /**
   * A controller for the given gates, behind an executor that refuses requests while this
   * replica does not lead.
   *
   * @param gates the promotion settings
   * @param targetModes per workload, the mode it is promoted to (ACT or HPA_FLOOR; OBSERVE_ONLY
   *     never promotes it)
   * @param notLeading which refusals say only that this replica does not lead the workload (e.g.
   *     {@code LeaseElector::refusedForNotLeading}); they neither count towards {@code
   *     demoteAfterRefused} nor interrupt a run of refusals
   */
  public PromotionController(AgentConfig.Promotion gates, Map<WorkloadRef, Mode> targetModes,
      Predicate<ScaleOutcome> notLeading) {
    this.gates = Objects.requireNonNull(gates, "gates");
    this.targetModes = Map.copyOf(targetModes);
    this.notLeading = Objects.requireNonNull(notLeading, "notLeading");
  }

  /** Binds the engine whose workloads are moved; call once, before the first tick. */
  public synchronized void bind(AutoscalerEngine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /** What the controller has seen of one workload since it was last (re)set to observe-only. */
  private static final class Track {
    Instant observedSince;
    Instant lastHealthy;
    long ticks;
    long wouldShort;
    long actualShort;
    /** The first of the scale requests refused or failed since the last one applied. */
    Instant refusedSince;
    Instant lastRefused;
    long refusals;
    /** The last refused or failed request's status and message. */
    String lastRefusal;
    /** The count the last request asked for when it failed but may have been applied, or -1. */
    int uncertainTo = -1;

    void clearRefusals() {
      refusedSince = null;
      lastRefused = null;
      refusals = 0;
      lastRefusal = null;
      uncertainTo = -1;
    }
  }

  @Override
  public synchronized void onScaled(ScaledEvent event) {
    ScaleOutcome outcome = event.outcome();
    // A refusal for not leading is not the workload's.
    if (!outcome.isApplied() && notLeading.test(outcome)) {
      return;
    }
    Track t = tracks.computeIfAbsent(event.workload(), k -> new Track());
    if (outcome.isApplied()) {
      t.clearRefusals();
      return;
    }
    if (t.lastRefused != null && Duration.between(t.lastRefused, event.time())
        .compareTo(gates.demoteAfterRefused()) > 0) {
      // A stretch with nothing to request, longer than the allowance, ends the run: refusals
      // before and after it are not one stretch of time in which the executor could not act.
      t.clearRefusals();
    }
    if (t.refusedSince == null) {
      t.refusedSince = event.time();
    }
    t.lastRefused = event.time();
    t.refusals++;
    t.lastRefusal = outcome.status() + " " + outcome.message();
    // A failure that may have been applied (a timed-out patch, a 5xx) counts until the count it
    // asked for is seen in place (onDecision): then it did land, and the executor can act. A
    // refusal after it keeps that count: with replica counts read late, the change that landed
    // is asked for again and refused as "changed by someone else" before it is seen.
    if (outcome.mayHaveBeenApplied() && event.mode() == Mode.ACT) {
      t.uncertainTo = event.to();
    }
  }

  /** Refusals made in one mode say nothing of the next one (another executor may act). */
  @Override
  public synchronized void onModeChanged(ModeChangedEvent event) {
    Track t = tracks.get(event.workload());
    if (t != null) {
      t.clearRefusals();
    }
  }

  @Override
  public synchronized void onDecision(DecisionEvent event) {
    DecisionRecord r = event.record();
    Track t = tracks.computeIfAbsent(r.workload(), k -> new Track());
    if (t.observedSince == null) {
      t.observedSince = r.time();
    }
    if (t.uncertainTo >= 0 && r.current() == t.uncertainTo) {
      t.clearRefusals(); // the change that failed uncertainly did land
    }
    if (r.kind() != DecisionRecord.Kind.HOLD || heldAtZero(r)) {
      // A workload someone scaled to 0 is held there on purpose, not for failing metrics.
      t.lastHealthy = r.time();
    }
    if (r.mode() != Mode.OBSERVE_ONLY || r.kind() == DecisionRecord.Kind.HOLD || engine == null) {
      return;
    }
    Optional<WorkloadSpec> spec = engine.spec(r.workload());
    if (spec.isEmpty()) {
      return;
    }
    int need = 0;
    for (MetricTarget m : spec.get().metrics()) {
      Double load = r.loads().get(m.name());
      if (load != null) {
        need = Math.max(need, (int) Math.ceil(load / m.perReplicaTarget() - 1e-9));
      }
    }
    t.ticks++;
    if (r.desired() < need) {
      t.wouldShort++;
    }
    if (r.current() < need) {
      t.actualShort++;
    }
  }

  /** Whether {@code r} is the hold of a workload scaled to 0 while its minReplicas is above 0. */
  private boolean heldAtZero(DecisionRecord r) {
    return r.kind() == DecisionRecord.Kind.HOLD && r.current() == 0 && engine != null
        && engine.spec(r.workload()).map(s -> s.minReplicas() > 0).orElse(false);
  }

  /**
   * Forgets what was seen of every workload, so that observation and metric health are counted
   * afresh: called when this replica starts leading, since it saw nothing while another one led.
   */
  public synchronized void restartTracks() {
    tracks.clear();
  }

  /**
   * Promotes or demotes workloads whose gates say so, at the engine clock's current instant.
   *
   * @return the number of mode changes made
   */
  public synchronized int evaluate() {
    if (engine == null) {
      throw new IllegalStateException("no engine: call bind(engine) first");
    }
    Instant now = engine.clock().instant();
    int changes = 0;
    for (WorkloadSpec spec : engine.workloads()) {
      WorkloadRef ref = spec.workload();
      Mode target = targetModes.getOrDefault(ref, Mode.ACT);
      Track t = tracks.computeIfAbsent(ref, k -> new Track());
      if (spec.mode() == Mode.OBSERVE_ONLY) {
        if (target == Mode.OBSERVE_ONLY) {
          continue;
        }
        Optional<String> why = promotionReason(ref, t, now);
        if (why.isPresent()) {
          engine.mode(ref, target, why.get());
          changes++;
        }
      } else {
        Optional<String> why = demotionReason(ref, t, now);
        if (why.isPresent()) {
          engine.mode(ref, Mode.OBSERVE_ONLY, why.get());
          tracks.put(ref, new Track());
          changes++;
        }
      }
    }
    return changes;
  }

  /** Why the workload may be promoted now, or empty while a gate still fails. */
  Optional<String> promotionReason(WorkloadRef ref, Track t, Instant now) {
    if (!gates.automatic() || t.observedSince == null) {
      return Optional.empty();
    }
    Duration observed = Duration.between(t.observedSince, now);
    if (observed.compareTo(gates.minObservation()) < 0) {
      return Optional.empty();
    }
    List<ForecastAccuracy> acc = engine.accuracy(ref);
    if (acc.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder b = new StringBuilder("promoted after ").append(observed.toMinutes())
        .append(" min observed:");
    for (ForecastAccuracy a : acc) {
      if (a.samples() < gates.minSamples() || !(a.relativeMae() <= gates.maxRelativeMae())) {
        return Optional.empty();
      }
      b.append(String.format(Locale.ROOT, " %s forecast MAE %.3f x naive over %d samples;",
          a.metric(), a.relativeMae(), a.samples()));
    }
    if (t.ticks == 0) {
      return Optional.empty();
    }
    double would = (double) t.wouldShort / t.ticks;
    double actual = (double) t.actualShort / t.ticks;
    if (would > actual + gates.maxShortfallIncrease()) {
      return Optional.empty();
    }
    b.append(String.format(Locale.ROOT,
        " counterfactual short of need on %.2f%% of %d ticks vs %.2f%% actually", 100 * would,
        t.ticks, 100 * actual));
    return Optional.of(b.toString());
  }

  /** Why an acting workload must go back to observe-only, or empty. */
  Optional<String> demotionReason(WorkloadRef ref, Track t, Instant now) {
    // Without a healthy decision since the agent started (a mode resumed or promoted during an
    // outage), the failing time counts from the first decision seen.
    Instant healthy = t.lastHealthy != null ? t.lastHealthy : t.observedSince;
    if (healthy != null
        && Duration.between(healthy, now).compareTo(gates.demoteAfterMetricsFailing()) > 0) {
      return Optional.of("demoted: metrics failing since " + healthy
          + (t.lastHealthy == null ? " (no decision with metrics since the agent started)" : "")
          + " (longer than " + gates.demoteAfterMetricsFailing() + ")");
    }
    if (t.refusedSince != null && t.refusals >= MIN_REFUSALS_TO_DEMOTE) {
      Duration refused = Duration.between(t.refusedSince, t.lastRefused);
      if (refused.compareTo(gates.demoteAfterRefused()) > 0) {
        return Optional.of("demoted: every scale request refused or failed for "
            + minutesAndSeconds(refused) + " (" + t.refusals + " requests since "
            + t.refusedSince + ", none applied; longer than " + gates.demoteAfterRefused()
            + "); last: " + t.lastRefusal);
      }
    }
    for (ForecastAccuracy a : engine.accuracy(ref)) {
      if (a.samples() < gates.minSamples() || a.mae() <= negligibleError(ref, a.metric())) {
        continue;
      }
      if (a.relativeMae() > gates.demoteRelativeMae()) {
        return Optional.of(String.format(Locale.ROOT,
            "demoted: %s forecast MAE %.3f x naive exceeds %.3f", a.metric(), a.relativeMae(),
            gates.demoteRelativeMae()));
      }
      if (a.naiveMae() == 0) {
        return Optional.of(String.format(Locale.ROOT, "demoted: %s forecast MAE %s where the "
            + "naive forecast's is 0 (the load did not change): infinitely worse, exceeds %.3f",
            a.metric(), a.mae(), gates.demoteRelativeMae()));
      }
    }
    return Optional.empty();
  }

  /**
   * A forecast error too small to matter, which never demotes: a thousandth of what one replica
   * serves of the metric. Below it a forecast cannot move the count but at a rounding edge, and
   * float noise lives there: on a load that does not change, a forecaster's rounding (about
   * 1e-8 of the load) against a naive error of 0, or of 1e-19, is "infinitely" or "1e10 times"
   * worse than naive, and without this floor demoted a workload whose forecast was exact. A
   * forecast wrong by a replica's share or more is far above it. (With a relative MAE of NaN,
   * the naive error being 0 and the forecast's not, the ratio compares as no error at all: that
   * case is tested apart.)
   */
  private double negligibleError(WorkloadRef ref, String metric) {
    return 1e-3 * engine.spec(ref).flatMap(s -> s.metrics().stream()
        .filter(m -> m.name().equals(metric)).findFirst())
        .map(MetricTarget::perReplicaTarget).orElse(0.0);
  }

  private static String minutesAndSeconds(Duration d) {
    return d.toMinutes() + " min " + d.toSecondsPart() + " s";
  }

  /** Logs the gate state of every workload at DEBUG; for troubleshooting. */
  public synchronized void logState() {
    tracks.forEach((ref, t) -> LOG.debug("{}: observed since {}, ticks {}, would-short {}, "
        + "actual-short {}, refused {} since {}", ref, t.observedSince, t.ticks, t.wouldShort,
        t.actualShort, t.refusals, t.refusedSince));
  }
}
