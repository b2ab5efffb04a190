package dev.prescaler.core;

import dev.prescaler.core.PluginCalls.CallNotMadeException;
import dev.prescaler.core.PluginCalls.Stage;
import dev.prescaler.core.WorkloadState.MetricState;
import dev.prescaler.core.WorkloadState.PendingFollowUp;
import dev.prescaler.core.WorkloadState.Prediction;
import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.event.HeldEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;
import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.core.journal.FollowUp;
import dev.prescaler.core.journal.InMemoryJournal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaling loop: for every registered workload, each {@link #tick()} collects metrics,
 * forecasts, runs the policy chain, clamps the result to the workload's bounds and step limits,
 * applies it according to the workload's {@link Mode}, and journals exactly one record.
 *
 * <p>Rules the engine enforces whatever its plug-ins do:
 *
 * <ul>
 *   <li>Missing, non-finite, negative, stale, out-of-order or repeated samples hold the workload
 *       at its count, with the reason recorded; so does a reading whose load is not finite, and
 *       a clock that went backwards. An operator's pin ({@link DecisionPolicy#pinned}) wins over
 *       bad metrics alone: the engine then applies the pin instead of holding (through the step
 *       limits and [min, max], like any decision), as long as the current count is known and no
 *       apply of the workload is still running. Every other reason to hold (the clock, an unknown
 *       count, a workload scaled to 0, a plug-in that failed) still holds a pinned workload.
 *   <li>A source, forecaster, policy or executor that throws holds that workload only; the others
 *       continue. A forecaster that fails is asked again on every tick, and its workload held
 *       until it answers: its last forecast is not decided on again. A listener or journal that
 *       throws is logged and ignored. The one exception is a forecaster whose {@link
 *       Forecaster#forSeries()} fails in {@link #register}: the registration fails and changes
 *       nothing.
 *   <li>[min, max] and the step limits are applied after the chain, always.
 *   <li>A workload at 0 replicas with {@code minReplicas > 0} (scaled to 0 by hand, for
 *       maintenance) is held at 0 whatever the chain proposes, as the Kubernetes HPA leaves such a
 *       scale alone; autoscaling resumes once someone scales it up. With {@code minReplicas} 0
 *       the chain decides as usual.
 *   <li>{@link Mode#OBSERVE_ONLY} decides and records but never calls the executor.
 * </ul>
 *
 * <p>Time comes only from the injected {@link Clock}. Tests and the simulator call {@link #tick()}
 * on their own thread; production calls {@link #start(ScheduledExecutorService)}. Thread-safe:
 * ticks and registrations are serialized, except a registration's backfill read, which runs
 * beside the ticks.
 *
 * <p>With a {@linkplain Builder#callTimeout(Duration) call timeout}, every source and executor
 * call (read, history, replicas, apply, release) runs on a pool of daemon threads and is given up
 * after the timeout. A call given up on may keep running (a plug-in that ignores interrupts); until
 * it returns, the engine makes no other call of the same stage for that workload: a workload whose
 * read or apply is still running is held with the reason ("previous metric source call still
 * running since ..."), so there is at most one such call per workload and stage. A call for
 * which no thread can be started is not made, and holds its workload for that stage.
 */
public final class AutoscalerEngine implements AutoCloseable {
  /*
   * Plug-in calls (their slots, pool and timeouts): see PluginCalls.
   *
   * Backfill reads the history outside the lock (the workload is installed afterwards, under the
   * lock); release stays under the lock, timed, because a tick slipping in between a demotion and
   * its release could send a floor that the release then undoes.
   *
   * Time of a tick: `now` is read once per tick and is the time of every record, context and
   * event of that tick (the journal's one-instant-per-tick contract, and restore's lastTick).
   * Sample times are checked against the clock read right after the workload's own source call
   * (never earlier than `now`): in a tick slowed down by timeouts or many workloads, a source
   * stamping real scrape times must not look "from the future" to the later workloads.
   *
   * A clock behind the last tick holds every workload. Behind by at most maxMetricAge (an NTP
   * step back), until it passes the last tick again. Behind by more on two ticks in a row, the
   * last tick's time came from a forward glitch (or from a restored record written under one):
   * waiting for real time to pass it could mean days without autoscaling, so the second tick
   * takes the clock as corrected and rewinds what was stamped after it (rewind). One tick is not
   * enough: a single bogus reading far in the past must not rewind the state.
   */
  /** Default tick period: 15 s, the HPA controller's sync period. */
  public static final Duration DEFAULT_SYNC_PERIOD = Duration.ofSeconds(15);
  /** Default delay of metrics behind reality: 60 s. */
  public static final Duration DEFAULT_METRICS_DELAY = Duration.ofSeconds(60);
  /**
   * Default step of the load history the forecasters see: 60 s, at a sync period of at most 60 s
   * (see {@link #defaultHistoryStep}).
   */
  public static final Duration DEFAULT_HISTORY_STEP = Duration.ofSeconds(60);
  /** Default length of the load history: 7 days. */
  public static final Duration DEFAULT_HISTORY_LENGTH = Duration.ofDays(7);
  /** Default age beyond which a sample is stale: 5 minutes. */
  public static final Duration DEFAULT_MAX_METRIC_AGE = Duration.ofMinutes(5);
  /**
   * Default minimum span of past decisions given to policies: 10 minutes. The engine keeps the
   * longer of this and the policy's own {@link DecisionPolicy#memory()}, and the newest decided
   * past decision whatever its age.
   */
  public static final Duration DEFAULT_DECISION_MEMORY = Duration.ofMinutes(10);
  /** Default delay before a decision's follow-up is journaled: 5 minutes. */
  public static final Duration DEFAULT_FOLLOW_UP_AFTER = Duration.ofMinutes(5);
  /** Forecast evaluations over which accuracy is averaged (exponential weighting). */
  public static final int ACCURACY_WINDOW = 240;
  /** The bound of decisionMemory and of the policy's memory(): 1 day. */
  private static final Duration MAX_DECISION_MEMORY = Duration.ofDays(1);

  private static final Logger LOG = LoggerFactory.getLogger(AutoscalerEngine.class);
  /**
   * The start of a metric's unavailable reason, in a record, when its sample is one the engine
   * already used: a source slower than the sync period, normal operation, not missing data.
   */
  public static final String NO_NEW_SAMPLE = "no new sample since ";
  /**
   * The start of a hold's reason when someone scaled the workload to 0 while its minReplicas is
   * above 0: held on purpose, as the Kubernetes HPA leaves such a scale alone.
   */
  public static final String SCALED_TO_ZERO = "current replicas is 0 with minReplicas ";

  private final Clock clock;
  private final MetricSource source;
  private final Optional<Forecaster> forecaster;
  private final DecisionPolicy policy;
  private final ScaleExecutor executor;
  private final DecisionJournal journal;
  private final List<EngineListener> listeners;
  private final Duration syncPeriod;
  private final Duration metricsDelay;
  private final Duration historyStep;
  private final int historyCapacity;
  private final Duration maxMetricAge;
  private final Duration decisionMemory;
  private final Duration followUpAfter;
  private final boolean backfill;
  private final PluginCalls calls;
  private final StartupDelayTracker startups;
  /** Applies that FAILED but may have landed: counted alike by the tick and by restore. */
  private final UncertainApplies uncertain;
  /** Workloads whose release was postponed or failed, to send again (guarded by lock). */
  private final Set<WorkloadRef> releasePending = new LinkedHashSet<>();
  /** Guarded by lock: failed releases in a row, per pending workload, for the log. */
  private final Map<WorkloadRef, Integer> releaseFailures = new HashMap<>();
  /**
   * Guarded by lock: when each workload with a release pending or sent at its {@link #unregister}
   * was unregistered, the start of the time its release is given up after.
   */
  private final Map<WorkloadRef, Instant> releaseUnregisteredAt = new HashMap<>();
  /**
   * The failed releases in a row, counted from its unregistering, after which the release of a
   * workload no longer registered is given up, once {@link #RELEASE_GIVE_UP_AFTER} has passed
   * too: 240, an hour at 15 s a tick. Nothing else would end it (a 403 after its RoleBinding was
   * deleted never succeeds), and nothing journals it: a restart forgets it all the same.
   */
  static final int RELEASE_TRIES_UNREGISTERED = 240;
  /**
   * How long after its unregistering, at least, the release of a workload no longer registered
   * is tried before it is given up: an hour, so that a short sync period does not give it up in
   * an API server outage of minutes (240 tries at 1 s a tick are 4 minutes).
   */
  static final Duration RELEASE_GIVE_UP_AFTER = Duration.ofHours(1);

  private final Object lock = new Object();
  /** The failures of the workload being evaluated, published after its record is written. */
  private final List<FailureEvent> tickFailures = new ArrayList<>();
  /**
   * The registration in flight of each workload (guarded by lock): one reading its history
   * outside the lock is installed only if no unregister or later register came meanwhile.
   */
  private final Map<WorkloadRef, Object> registering = new HashMap<>();
  private final Map<WorkloadRef, WorkloadState> states = new LinkedHashMap<>();
  private long sequence;
  private Instant lastTick;
  /** The tick that found the clock more than maxMetricAge behind lastTick, if the last did. */
  private Instant farBehindSince;
  private ScheduledFuture<?> scheduled;
  /**
   * Written under lock; volatile so that a scheduled tick that failed can tell, without waiting
   * for the lock, whether the engine was closed meanwhile.
   */
  private volatile boolean closed;
  /**
   * Set by {@link #close()} before it waits for the lock, which a tick holds to its end: the tick
   * reads it between workloads and ends there, so that a close from another thread (SIGTERM)
   * waits for the workload in flight only, not for every workload left (each up to a few call
   * timeouts when a source hangs). Never cleared.
   */
  private volatile boolean closeRequested;
  /**
   * Whether close() has sent its releases (guarded by lock): from then on an unregister does not
   * release again, while one from close's hook, before them, still does.
   */
  private boolean closeReleased;
  /**
   * Scheduled ticks in a row that failed, for the log. Touched only by the scheduled task, whose
   * runs scheduleWithFixedDelay serializes (each happens-before the next).
   */
  private int scheduledFailures;
  /**
   * Whether a tick runs (guarded by lock): the lock is re-entrant, so without it a listener or an
   * inline plug-in calling tick() would run a second tick within the first.
   */
  private boolean ticking;
  /** Whether a tick has started (guarded by lock): restore() is refused from then on. */
  private boolean ticked;

  private AutoscalerEngine(Builder b) {
    this.clock = b.clock;
    this.source = b.metricSource;
    this.forecaster = Optional.ofNullable(b.forecaster);
    this.policy = b.policy;
    this.executor = b.executor;
    this.journal = b.journal;
    this.listeners = List.copyOf(b.listeners);
    this.syncPeriod = b.syncPeriod;
    this.metricsDelay = b.metricsDelay;
    this.historyStep = b.historyStep();
    this.historyCapacity = (int) (b.historyLength.toMillis() / historyStep.toMillis());
    this.maxMetricAge = b.maxMetricAge;
    // The policy's memory() as build() read and checked it: read once, never again. The newest
    // decided past decision is kept beyond it (see pruneRecent), whatever the sync period.
    this.decisionMemory = longest(b.decisionMemory, b.policyMemory);
    this.followUpAfter = b.followUpAfter;
    this.backfill = b.backfill;
    this.calls = new PluginCalls(b.clock, b.callTimeout, b.callThreads);
    this.startups = new StartupDelayTracker(b.syncPeriod);
    this.uncertain = new UncertainApplies(b.maxMetricAge, b.syncPeriod);
    this.sequence = firstSequence(journal);
    for (WorkloadSpec spec : b.workloads.values()) {
      register(spec);
    }
  }

  /**
   * The first sequence number: after the highest the journal already holds, so that a restart
   * that restores no record (all of them older than what the embedder restores) does not number
   * from 0 again in the same journal, where follow-ups, keyed by sequence and workload, could
   * then reach an earlier run's record. A journal that fails to tell is contained, as any of its
   * failures: the engine starts at 0 (restore may still move it on).
   */
  private static long firstSequence(DecisionJournal journal) {
    OptionalLong last;
    try {
      last = journal.lastSequence();
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      Interrupts.keep(e);
      LOG.warn("journal {} failed to tell its last sequence number; numbering from 0: {}",
          journal.getClass().getName(), e.toString());
      return 0;
    }
    if (last == null || last.isEmpty() || last.getAsLong() < 0) {
      return 0;
    }
    return last.getAsLong() == Long.MAX_VALUE ? Long.MAX_VALUE : last.getAsLong() + 1;
  }

  /**
   * The history step of an engine whose step is not set: the smallest step of at least {@link
   * #DEFAULT_HISTORY_STEP} and of at least the sync period that divides a day, so that each tick
   * adds a sample to every step (with 60 s steps under hourly ticks, 59 of every 60 steps would be
   * missing, and forecasts fitted on such a history overshoot: the simulator's predictive stack
   * ran to its forecast cap) and a day is a whole number of steps (the daily season of {@code
   * auto} and {@code fourier} is one: at a 7- or 11-minute step they had none). A sync period
   * that divides a day is the step itself (15 s gives 60 s, 5 min gives 5 min, 90 s gives 90 s);
   * one that does not is rounded up to the next whole number of minutes that divides a day (7 min
   * gives 8, 11 min gives 12, 61 s gives 2 min). A sync period longer than a day is the step.
   *
   * <p>A step is never shorter than the sync period, so ticks on time leave no step without a
   * sample; one step may take several (four 15 s ticks in a 60 s step, two 11-minute ticks in
   * one of every 11 steps of 12 minutes), and the history keeps their mean. A period that is not
   * positive gives {@link #DEFAULT_HISTORY_STEP} (the builder refuses it).
   */
  public static Duration defaultHistoryStep(Duration syncPeriod) {
    Objects.requireNonNull(syncPeriod, "syncPeriod");
    if (syncPeriod.compareTo(DEFAULT_HISTORY_STEP) <= 0) {
      return DEFAULT_HISTORY_STEP;
    }
    Duration day = Duration.ofDays(1);
    if (syncPeriod.compareTo(day) >= 0
        || day.toNanos() % syncPeriod.toNanos() == 0) { // under a day: no overflow
      return syncPeriod;
    }
    long minutes = (syncPeriod.toNanos() - 1) / Duration.ofMinutes(1).toNanos() + 1;
    while (day.toMinutes() % minutes != 0) {
      minutes++; // ends at 1,440 at the latest
    }
    return Duration.ofMinutes(minutes);
  }

  /** A builder; a metric source and a policy are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The engine's clock. */
  public Clock clock() {
    return clock;
  }

  /**
   * The journal records are written to: the builder's, or an {@link
   * dev.prescaler.core.journal.InMemoryJournal} of 10,000 records. {@link DecisionJournal} only
   * writes; to read the records back, keep the journal you gave the builder ({@code
   * InMemoryJournal.records()}, {@code JsonLinesJournal.read(path)}).
   */
  public DecisionJournal journal() {
    return journal;
  }

  /** The tick period. */
  public Duration syncPeriod() {
    return syncPeriod;
  }

  /**
   * Adds a workload, or replaces the spec of a registered one (its history and memory are kept for
   * metrics that stay, also when only their target value changes: the forecaster's state and the
   * forecast accuracy too). With backfill on, the history of each metric new to the workload is
   * read from the source first, outside the engine's lock (ticks go on meanwhile) and under the
   * call timeout when one is set; a backfill that fails or times out starts that metric without
   * history. Backfilled points not in [now − history length − one step, now) are dropped (a
   * source clock ahead of the engine's would put loads in the future), with one WARN per metric
   * saying how many. A metric whose type changed (e.g. utilization to average value) starts
   * afresh: its loads were in other units. A registration that an {@link #unregister} or a later
   * {@code register} of the same workload overtakes while it reads the history is not installed,
   * and a {@link #mode} call made meanwhile keeps its mode: the last call made wins. A new mode is
   * journaled and published as a mode change, as {@link #mode} does. Leaving HPA-floor mode
   * releases the workload (under the call timeout too).
   *
   * <p>The forecaster's {@link Forecaster#forSeries()} is called here, once per new metric. Unlike
   * a failure during a tick, which holds one workload, a forecaster that throws there or returns
   * null fails the registration (a broken plug-in, not bad data) and changes nothing: a new
   * workload is not registered, and a registered one keeps its spec, mode and state.
   *
   * @throws IllegalStateException when the forecaster's {@code forSeries()} throws or returns
   *     null (the workload is left as it was), or when the engine is closed, before the call or
   *     while it read the history ("engine is closed"; nothing is installed or released)
   */
  public void register(WorkloadSpec spec) {
    Objects.requireNonNull(spec, "spec");
    WorkloadRef ref = spec.workload();
    Object token = new Object();
    Mode modeAtStart;
    synchronized (lock) {
      requireOpen();
      registering.put(ref, token);
      modeAtStart = states.containsKey(ref) ? states.get(ref).spec.mode() : null;
    }
    Map<String, LoadHistory> backfilled = backfill ? backfill(spec) : Map.of();
    synchronized (lock) {
      if (!registering.remove(ref, token)) {
        LOG.info("{}: registration overtaken by a later register or unregister while it read "
            + "the history: not installed", ref);
        return;
      }
      requireOpen(); // closed while this registration read the history
      WorkloadState s = states.get(ref);
      Mode before = s == null ? null : s.spec.mode();
      WorkloadSpec installed = spec;
      if (before != null && modeAtStart != null && before != modeAtStart) {
        // mode() was called while this registration read the history: that later call wins.
        installed = spec.withMode(before);
      }
      boolean leftFloor = install(installed, backfilled);
      try {
        if (before != null && before != installed.mode()) {
          modeChanged(ref, before, installed.mode(), "registered again with mode "
              + installed.mode());
        }
      } finally {
        if (leftFloor) {
          release(ref); // after the change is journaled and published: see mode()
        }
      }
    }
  }

  /**
   * Registers or replaces {@code spec}, with the histories read for its new metrics, if any. What
   * can fail (the forecaster's {@code forSeries()}) runs first: when it throws, nothing changed.
   *
   * @return whether the workload left {@link Mode#HPA_FLOOR}: its HPA is the caller's to release
   */
  private boolean install(WorkloadSpec spec, Map<String, LoadHistory> backfilled) {
    WorkloadState s = states.get(spec.workload());
    Map<String, MetricState> added = new HashMap<>();
    for (MetricTarget m : spec.metrics()) {
      MetricState ms = s == null ? null : s.metrics.get(m.name());
      if (ms != null && !ms.target.equals(m) && ms.target.type() == m.type()) {
        // Only the target changed: the loads, the forecaster's state and the accuracy record are
        // in the same units, and all of it is kept.
        added.put(m.name(), ms.retargeted(m));
      } else if (ms == null || !ms.target.equals(m)) {
        // A history backfilled while another registration added the same metric is dropped:
        // the one installed first is kept, as if the two registrations had run in turn.
        // A metric whose type changed keeps no history: its loads were in other units.
        LoadHistory h = ms != null && ms.target.type() == m.type() ? ms.history
            : backfilled.get(m.name());
        if (h == null) {
          h = new LoadHistory(historyStep, historyCapacity);
        }
        MetricState fresh = new MetricState(m, h, forSeries(spec.workload(), m));
        if (ms != null && h == ms.history) {
          fresh.lastSampleTime = ms.lastSampleTime;
        }
        added.put(m.name(), fresh);
      }
    }
    // Nothing below throws: the new spec and its metrics are installed together.
    Mode before = s == null ? spec.mode() : s.spec.mode();
    if (s == null) {
      s = new WorkloadState(spec);
      states.put(spec.workload(), s);
    }
    s.spec = spec;
    s.metrics.keySet().removeIf(name -> spec.metric(name).isEmpty());
    s.metrics.putAll(added);
    boolean leftFloor = before == Mode.HPA_FLOOR && spec.mode() != Mode.HPA_FLOOR;
    if (leftFloor) {
      s.lastFloorSent = -1;
    }
    return leftFloor;
  }

  /**
   * The forecaster instance for one metric of a workload (null without a forecaster).
   *
   * @throws IllegalStateException when {@link Forecaster#forSeries()} throws or returns null
   */
  private Forecaster forSeries(WorkloadRef ref, MetricTarget m) {
    if (forecaster.isEmpty()) {
      return null;
    }
    Forecaster shared = forecaster.get();
    Forecaster f;
    try {
      f = shared.forSeries();
    } catch (Exception e) { // also a checked one thrown without being declared
      Interrupts.keep(e);
      throw new IllegalStateException("forecaster " + shared.name() + " failed in forSeries() "
          + "for metric " + m.name() + " of " + ref + ": " + e, e);
    }
    if (f == null) {
      throw new IllegalStateException("forecaster " + shared.name() + " returned null from "
          + "forSeries() for metric " + m.name() + " of " + ref);
    }
    return f;
  }

  /**
   * Reads the history of each metric of {@code spec} that the engine does not hold yet, without
   * holding the lock: a slow source delays this registration only, never the ticks.
   */
  private Map<String, LoadHistory> backfill(WorkloadSpec spec) {
    List<MetricTarget> wanted = new ArrayList<>();
    synchronized (lock) {
      WorkloadState s = states.get(spec.workload());
      for (MetricTarget m : spec.metrics()) {
        MetricState held = s == null ? null : s.metrics.get(m.name());
        if (held == null || held.target.type() != m.type()) {
          wanted.add(m);
        }
      }
    }
    Map<String, LoadHistory> out = new LinkedHashMap<>();
    for (MetricTarget m : wanted) {
      LoadHistory h = backfill(spec, m);
      if (h != null) {
        out.put(m.name(), h);
      }
    }
    return out;
  }

  /**
   * Reads one metric's history. A read for a registration this one overtakes (a reload while it
   * still backfills) may hold the workload's slot: its history will be dropped, so this one waits
   * for it, at most one call timeout, and reads its own; and again if another registration's
   * read took the slot as it was freed. Not asked while another held the slot, this
   * registration was installed without a history although one had been read.
   *
   * @throws CallNotMadeException when the slot stays taken for a call timeout, or no thread can
   *     be started for the read
   */
  private Optional<MetricSeries> readHistory(WorkloadSpec spec, MetricTarget m, Instant from,
      Instant to) {
    WorkloadRef ref = spec.workload();
    while (true) {
      boolean free = calls.awaitSlot(ref, Stage.HISTORY);
      try {
        return calls.call(ref, Stage.HISTORY, () -> source.history(spec, m, from, to,
            historyStep));
      } catch (CallNotMadeException e) {
        if (!free || calls.stillRunning(ref, Stage.HISTORY) == null) {
          throw e; // still taken after a call timeout, or no thread for it
        }
      }
    }
  }

  /** The backfilled history of one metric, or null when there is none. */
  private LoadHistory backfill(WorkloadSpec spec, MetricTarget m) {
    WorkloadRef ref = spec.workload();
    Instant now = clock.instant();
    // One step more than the ring holds: the newest backfilled step stays open, so this fills
    // every closed step, as an engine that had run all along would have.
    Instant from = now.minus(historyStep.multipliedBy(historyCapacity + 1L));
    LoadHistory h;
    try {
      Optional<MetricSeries> past = readHistory(spec, m, from, now);
      if (past == null || past.isEmpty()) {
        return null;
      }
      h = new LoadHistory(historyStep, historyCapacity);
      MetricSeries series = past.get();
      int outside = 0;
      for (int i = 0; i < series.size(); i++) {
        double v = series.value(i);
        Instant t = series.timeOf(i);
        if (t.isBefore(from) || !t.isBefore(now)) {
          // A source whose clock is ahead would put loads in steps not reached yet: they would
          // drive the forecasts, and live samples, older than that open step, would be ignored.
          outside++;
        } else if (Double.isFinite(v) && v >= 0) {
          h.add(t, v);
        }
      }
      if (outside > 0) {
        LOG.warn("{}: backfill of {} dropped {} of {} points outside [{}, {}) (is the source's "
            + "clock off?)", ref, m.name(), outside, series.size(), from, now);
      }
    } catch (CallNotMadeException e) {
      LOG.warn("{}: backfill of {} not asked, starting without history: {}", ref, m.name(),
          e.getMessage());
      return null;
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      Interrupts.keep(e);
      LOG.warn("{}: backfill of {} failed, starting without history: {}", ref, m.name(),
          e.toString());
      return null;
    }
    LOG.info("{}: backfilled {} steps of {}", ref, h.size(), m.name());
    return h;
  }

  /**
   * Removes a workload, releasing it if it was in HPA-floor mode (unless the engine is closed:
   * {@link #close()} released it), then tells the policy ({@link
   * DecisionPolicy#unregistered(WorkloadRef)}) so that steps keeping state per workload drop it
   * (e.g. a capacity arbiter stops counting its replicas), under the engine's lock (within a tick
   * when a listener calls it there). A policy that throws there is logged at WARN; the workload is
   * unregistered all the same.
   *
   * @return whether the workload was registered (the policy is told only then)
   */
  public boolean unregister(WorkloadRef workload) {
    synchronized (lock) {
      registering.remove(workload); // a registration in flight is not installed after this
      WorkloadState s = states.remove(workload);
      if (s == null) {
        return false;
      }
      if ((s.spec.mode() == Mode.HPA_FLOOR && !closeReleased) // close() released it
          || releasePending.contains(workload)) {
        // Its failures are counted, and its time to give up runs, from now (see release).
        releaseFailures.remove(workload);
        releaseUnregisteredAt.put(workload, clock.instant());
      }
      if (s.spec.mode() == Mode.HPA_FLOOR && !closeReleased) {
        release(workload);
      }
      try {
        policy.unregistered(workload);
      } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
        Interrupts.keep(e);
        LOG.warn("{}: policy {} failed on unregister: {}", workload, policy.name(), e.toString());
      }
      return true;
    }
  }

  /**
   * Forgets the HPA floors this engine has sent, so that its next tick sends the floor of every
   * workload in HPA-floor mode again, even one equal to the floor it last sent (it sends a floor
   * only when its decision differs from that one). For a replica that begins a term of
   * leadership, or takes a shard back: another replica may have raised the HPA's {@code
   * minReplicas} or given it back in between, and the floor this engine remembers is no longer
   * the HPA's. The agent calls it on every new term.
   */
  public void resendFloors() {
    synchronized (lock) {
      states.values().forEach(s -> s.lastFloorSent = -1);
    }
  }

  /** The spec of a registered workload. */
  public Optional<WorkloadSpec> spec(WorkloadRef workload) {
    synchronized (lock) {
      WorkloadState s = states.get(workload);
      return s == null ? Optional.empty() : Optional.of(s.spec);
    }
  }

  /** The specs of all registered workloads, in registration order. */
  public List<WorkloadSpec> workloads() {
    synchronized (lock) {
      List<WorkloadSpec> out = new ArrayList<>(states.size());
      states.values().forEach(s -> out.add(s.spec));
      return out;
    }
  }

  /**
   * Moves a workload to another mode (promotion out of observe-only, or demotion), publishing a
   * {@link ModeChangedEvent}. Leaving HPA-floor mode releases the HPA.
   *
   * @throws IllegalArgumentException when the workload is not registered
   * @throws IllegalStateException when the engine is closed ("engine is closed"): close() gave
   *     the HPAs back, and nothing is installed or released after it
   */
  public void mode(WorkloadRef workload, Mode mode, String reason) {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(reason, "reason");
    synchronized (lock) {
      requireOpen();
      WorkloadState s = states.get(workload);
      if (s == null) {
        throw new IllegalArgumentException("workload " + workload + " is not registered");
      }
      Mode from = s.spec.mode();
      if (from == mode) {
        return;
      }
      boolean leftFloor = install(s.spec.withMode(mode), Map.of());
      try {
        modeChanged(workload, from, mode, reason);
      } finally {
        if (leftFloor) {
          // Journaled and published (the agent's mode store written) first: a crash before the
          // release leaves a raised floor under a mode that says it is not steered, which the
          // next leader gives back. Released first, a crash left the HPA given back under a
          // journal and a mode store that still said hpa-floor, and the next leader raised the
          // floor of a workload that had been demoted. Released whatever escapes them: the
          // spec has left HPA_FLOOR, and nothing else would give the HPA back.
          release(workload);
        }
      }
    }
  }

  /**
   * Throws "engine is closed" once {@link #close()} was called, also while it still waits for a
   * tick to end: what would start now would be cut short or undone by the close.
   */
  private void requireOpen() {
    if (closeRequested) {
      throw new IllegalStateException("engine is closed");
    }
  }

  /** Logs, journals and publishes a mode change just installed. */
  private void modeChanged(WorkloadRef workload, Mode from, Mode to, String reason) {
    LOG.info("{}: mode {} -> {} ({})", workload, from, to, reason);
    ModeChangedEvent event = new ModeChangedEvent(workload, clock.instant(), from, to, reason);
    try {
      journal.modeChanged(event);
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      Interrupts.keep(e);
      LOG.warn("{}: journal failed to record the mode change: {}", workload, e.toString());
    }
    publish(l -> l.onModeChanged(event), workload);
  }

  /** The forecast accuracy measured so far for each metric of a workload. */
  public List<ForecastAccuracy> accuracy(WorkloadRef workload) {
    synchronized (lock) {
      WorkloadState s = states.get(workload);
      if (s == null) {
        return List.of();
      }
      List<ForecastAccuracy> out = new ArrayList<>();
      for (MetricState ms : s.metrics.values()) {
        out.add(new ForecastAccuracy(ms.target.name(), ms.evaluated, ms.ewAbsError,
            ms.ewNaiveError, ms.ewCovered));
      }
      return out;
    }
  }

  /**
   * The pod startup delay measured for a workload: the median of its last 9 measured scale-ups,
   * once 3 were measured (before, its spec's startupDelay holds).
   */
  public Optional<Duration> measuredStartupDelay(WorkloadRef workload) {
    synchronized (lock) {
      WorkloadState s = states.get(workload);
      return s == null ? Optional.empty() : s.measuredStartupDelay();
    }
  }

  /** How many past decisions of a workload the engine keeps for its policies. For tests. */
  int pastDecisionsKept(WorkloadRef workload) {
    synchronized (lock) {
      WorkloadState s = states.get(workload);
      return s == null ? 0 : s.recent.size();
    }
  }

  /** The startup delays measured for a workload and kept for the median, oldest first. */
  List<Duration> startupDelaySamples(WorkloadRef workload) {
    synchronized (lock) {
      WorkloadState s = states.get(workload);
      return s == null ? List.of() : s.startupDelaySamples();
    }
  }

  /**
   * A workload's lead time as its policies see it ({@link DecisionContext#leadTime()}): the pod
   * startup delay as measured (else the spec's) + metrics delay + one sync period.
   */
  public Optional<Duration> leadTime(WorkloadRef workload) {
    synchronized (lock) {
      WorkloadState s = states.get(workload);
      return s == null ? Optional.empty() : Optional.of(leadTime(s));
    }
  }

  /** The latest forecast of a workload's metric. */
  public Optional<Forecast> forecast(WorkloadRef workload, String metric) {
    synchronized (lock) {
      WorkloadState s = states.get(workload);
      MetricState ms = s == null ? null : s.metrics.get(metric);
      return ms == null ? Optional.empty() : Optional.ofNullable(ms.forecast);
    }
  }

  /**
   * Restores what the engine remembers between ticks (recent decisions and their marks, last scale
   * times, measured startup delays, forecast accuracy, the journal's sequence) from journal
   * records, e.g. after a restart. Records of unregistered workloads are skipped. Call before the
   * first tick (more than once if need be, e.g. workload by workload: each call adds to what the
   * earlier ones restored, and replays the clock over its own records only). The
   * next sequence number is after the highest of the records' and of the journal's (see {@link
   * DecisionJournal#lastSequence()}).
   *
   * <p>Follow-ups are rebuilt: a {@link Kind#SCALE} record without one yet gets it {@code
   * followUpAfter} after its time, on the first tick at or after that (the next tick when it fell
   * due while the engine was down), unless it fell due more than {@code followUpAfter} before the
   * restore: a follow-up written that late would not describe what followed the decision. The
   * journal must merge follow-ups into their records (by sequence and workload), as {@link
   * InMemoryJournal} and the JSON-lines journal do, so that one already written is not written
   * again.
   *
   * <p>The last tick's time is restored too: a tick before it holds ("clock went backwards").
   * The clock's rule is replayed record by record, as the ticks applied it: where the live
   * engine took its clock as corrected after a forward glitch, the restore forgets what the
   * glitch stamped at the same record (the backfilled histories aside, which hold nothing it
   * stamped). Records more than {@code maxMetricAge} later than the clock (a glitch not yet
   * corrected at the restart) cost one held tick, none when the live engine's first held tick
   * is among the records: when the next tick is still that far behind, the clock is taken as
   * corrected (see {@link #tick()}).
   *
   * <p>The HPA floor last sent is deliberately not restored: {@link #close()} released every
   * HPA-floor workload (the HPA got its own spec back), and after a crash the journal cannot say
   * whether the floor is still in place. So the first tick of each HPA-floor workload sends its
   * floor again, even when it equals the one last journaled; applying the same floor twice is
   * harmless.
   *
   * <p>An apply journaled FAILED in ACT mode may have landed all the same; the tick counts it as a
   * scale once the count it asked for, or one short of it on the way, is observed (see {@link
   * #tick()}). Restore replays that rule over the records (their modes, counts and outcomes),
   * without rewriting any: the last scale times and past decisions it gives back count such an
   * apply as the uninterrupted engine did, and one still unsettled at the restart is settled by the
   * next ticks as it would have been, or dropped when it was not seen in time (one whose wait had
   * not started at the last record, its call then running or just returned, starts it at the first
   * tick, but no later than the wait's own length after that record, as at every tick and every
   * record).
   *
   * @throws IllegalStateException when a tick has already run ("restore(...) must be called
   *     before the first tick"): records merged into a live state would move its last tick, its
   *     sequence and its windows under the ticks already journaled
   */
  public void restore(Iterable<DecisionRecord> records) {
    synchronized (lock) {
      if (ticked) {
        throw new IllegalStateException("restore(...) must be called before the first tick");
      }
      Map<String, Instant> lastForecastStart = new java.util.HashMap<>();
      Map<String, Double> previousLoads = new java.util.HashMap<>();
      Instant newest = null; // the latest tick so far: a clock stepped back dates one earlier
      Instant tickTime = null;
      // Each call replays the clock over its own records, from none: records restored by an
      // earlier call (another workload's, say) are not a clock that went back.
      Set<WorkloadState> restored = new LinkedHashSet<>(); // by this call, so far
      Instant restoredTick = lastTick;
      Instant restoredFarBehind = farBehindSince;
      lastTick = null;
      farBehindSince = null;
      for (DecisionRecord r : records) {
        sequence = Math.max(sequence, r.sequence() + 1);
        if (!r.time().equals(tickTime)) {
          // A new tick: the clock's rule as the tick applied it, so that a clock corrected
          // after a forward glitch is rewound where the live engine rewound it.
          tickTime = r.time();
          if (replayClock(tickTime, restored)) {
            newest = tickTime;
          }
        }
        if (newest == null || r.time().isAfter(newest)) {
          newest = r.time();
        }
        WorkloadState s = states.get(r.workload());
        if (s == null) {
          continue;
        }
        restored.add(s);
        // As the tick does, first: an apply that failed but whose count the record shows has
        // landed, so the records after it (and the first tick) see it counted.
        uncertain.observe(s, r.time(), r.mode(),
            UncertainApplies.saysApplyRunning(r.actionMessage()), r.current());
        boolean applied = r.action() == Action.APPLIED;
        if (applied && r.mode() == Mode.ACT && r.desired() > r.current()) {
          s.lastScaleUp = r.time();
        } else if (applied && r.mode() == Mode.ACT && r.desired() < r.current()) {
          s.lastScaleDown = r.time();
        }
        if (r.current() >= 0 && r.ready() >= 0) {
          // The learning loop survives restarts: startup delays and forecast accuracy are
          // measured again from what the journal recorded.
          startups.trackStartup(s, ReplicaStatus.of(r.current(), r.ready()),
              after(r.time(), r.timing().countsRead()));
          replayAccuracy(s, r, lastForecastStart, previousLoads);
        }
        if (applied && r.mode() == Mode.ACT && r.desired() > r.current()) {
          s.pendingReadyTarget = r.desired();
          s.pendingSince = after(r.time(), r.timing().scaleUpReturned());
        }
        // "No new sample since" holds as it did live. A metric the record does not list had no
        // sample then (new, re-added, or after a rewind); one whose type changed since starts
        // afresh, as a live change of type does; a time the live engine would never have kept
        // (beyond the latest tick so far by more than a sync period; a tick held after the clock
        // stepped back keeps a newer one) is a corrupt record's and is dropped.
        Instant latest = newest.plus(syncPeriod);
        s.metrics.forEach((name, ms) -> {
          DecisionRecord.Sample had = r.timing().samples().get(name);
          ms.lastSampleTime = had != null && had.type() == ms.target.type()
              && !had.time().isAfter(latest) ? had.time() : null;
        });
        // As the tick does: no past decision without a known count, and "applied" only for
        // direct (ACT) changes. A count decided below 0 no tick writes (a corrupt or hand-made
        // line, which the journal reads as it says): no past decision either.
        if (r.current() >= 0 && r.desired() >= 0) {
          PastDecision d = new PastDecision(r.time(), r.current(), r.desired(),
              applied && r.mode() == Mode.ACT && r.desired() != r.current(), r.marks());
          s.recent.addLast(d);
          if (r.kind() != Kind.HOLD) {
            decided(s, d);
          }
        }
        pruneRecent(s, r.time()); // as the ticks did: the newest decided one is kept
        uncertain.applied(s, r.mode(), r.action(), r.actionMessage(), r.current(), r.desired(),
            r.time());
        if (r.kind() != Kind.HOLD) {
          s.decided = true; // a hold after the restart is no start-up wait: it warns
        }
        if (r.kind() == Kind.SCALE && r.followUp().isEmpty()) {
          // Follow-ups wait in memory: one due while the engine was down, or soon after, is
          // written by the next ticks, as it would have been without the restart.
          s.followUps.addLast(new PendingFollowUp(r.sequence(), r.time().plus(followUpAfter)));
        }
      }
      if (restoredTick != null && (lastTick == null || lastTick.isBefore(restoredTick))) {
        lastTick = restoredTick; // an earlier call's records reach further
        farBehindSince = restoredFarBehind;
      }
      Instant now = clock.instant();
      if (lastTick != null && lastTick.isAfter(now.plus(maxMetricAge))) {
        if (farBehindSince != null && !now.isBefore(farBehindSince)) {
          LOG.warn("restored records reach {}, more than maxMetricAge {} after the clock's {}, "
              + "and their last tick was already that far behind: the first tick takes the "
              + "clock as corrected", lastTick, maxMetricAge, now);
        } else {
          LOG.warn("restored records reach {}, more than maxMetricAge {} after the clock's {}: "
              + "the first tick holds, and if the next one agrees the clock is taken as "
              + "corrected", lastTick, maxMetricAge, now);
        }
      }
      // One due longer ago than followUpAfter would describe the state long after the decision.
      Instant oldest = now.minus(followUpAfter);
      for (WorkloadState s : states.values()) {
        s.followUps.removeIf(f -> f.due().isBefore(oldest));
      }
    }
  }

  /**
   * Scores the forecasts a journal recorded against the loads recorded after them, as the live
   * tick does against its history (approximately: with the first recorded sample inside each
   * forecast step instead of the step's mean, and the sample before the forecast as the naive
   * forecast).
   */
  private void replayAccuracy(WorkloadState s, DecisionRecord r, Map<String, Instant> starts,
      Map<String, Double> previousLoads) {
    Duration lead = leadTime(s);
    int k = Forecaster.steps(lead, historyStep);
    for (MetricState ms : s.metrics.values()) {
      String name = ms.target.name();
      Double actual = r.loads().get(name);
      Iterator<Prediction> it = ms.pending.iterator();
      while (actual != null && it.hasNext()) {
        Prediction p = it.next();
        if (p.stepStart().isAfter(r.time())) {
          break;
        }
        it.remove();
        ms.score(p, actual);
      }
      Forecast f = r.forecasts().get(name);
      String key = r.workload() + "/" + name;
      Double previous = previousLoads.put(key, actual);
      if (f != null && previous != null && !f.start().equals(starts.get(key))
          && k <= f.steps()) {
        starts.put(key, f.start());
        ms.expect(f, k, previous);
      }
    }
  }

  /**
   * Evaluates every registered workload once, at the clock's current instant.
   *
   * <p>A clock behind the previous tick holds every workload ("clock went backwards from ... to
   * ..."), until it passes that tick again. When it is behind by more than {@code maxMetricAge}
   * on two ticks in a row, the previous tick's time is taken as a forward glitch instead: the
   * second tick accepts the clock (WARN), forgets what was stamped after it (history steps,
   * sample, scale and decision times, follow-up due times) and evaluates as usual.
   *
   * <p>An apply in ACT mode that FAILED (timed out, threw, or answered FAILED, maybe after its
   * write got through) may have landed. Until a newer apply of that workload is sent (one
   * REFUSED, or never sent for lack of a thread, changes nothing of it), a later tick that
   * observes the count it asked for counts it as a scale made on that tick, not when it was
   * asked (a call that hung for minutes must not end a cooldown the moment it lands): the last
   * scale-up or scale-down time and an applied past decision of the change at that tick are what
   * cooldowns and rate limits see, and that tick's record gives the reason first, as a step that
   * kept the count so that the reasons still chain from it ({@code landed: kept 5 (the change 2
   * -> 5 asked at ... (its outcome unknown) has landed: counted as a scale at ...)}). See {@link
   * UncertainApplies} for why rate limits see it then too. A count short of the one asked for,
   * on the way to it (3 of a 2 -> 5, which a mutating admission webhook may store), counts as
   * the change made (2 -> 3), as an {@link ScaleOutcome#applied} answer of 3 does, and the note
   * says it landed at 3, not at the 5 asked for. An observed count other than the one it started
   * from, the one asked for or one short of it (past the ask, or the other way), or a tick in
   * another mode, drops it: what became of it can no longer be told. So does time: one not seen
   * within min(maxMetricAge, 5 min) + one sync period of its wait is dropped, as a change to its
   * count after then (an operator's, hours later) is not its doing ({@link UncertainApplies}
   * says when the wait starts, and which of several pending from one count a count short of
   * them is taken for). Records already written are not changed.
   *
   * @throws IllegalStateException when the engine is closed ("engine is closed"), or when called
   *     from within a tick, by a listener or a plug-in run on the ticking thread ("tick() called
   *     from within a tick"; a listener's is contained like any listener failure): a nested tick
   *     would write a second record of the tick for every workload
   */
  public void tick() {
    synchronized (lock) {
      requireOpen();
      if (ticking) {
        throw new IllegalStateException("tick() called from within a tick");
      }
      ticking = true;
      ticked = true;
      try {
        tickWorkloads();
      } finally {
        ticking = false;
      }
    }
  }

  /** The body of {@link #tick()}, under the lock. */
  private void tickWorkloads() {
    Instant now = clock.instant();
    List<String> clockProblems = clockProblems(now);
    retryPendingReleases();
    // A copy: a listener may unregister (or register) a workload from within the tick.
    for (WorkloadState s : List.copyOf(states.values())) {
      if (closeRequested) {
        // A listener closed the engine (the HPAs are released and the journal is closed, so the
        // rest of the tick must neither send a floor nor write a record), or another thread is
        // closing it and waits for this tick: it ends after the workload in flight.
        LOG.info("engine closed during the tick: the remaining workloads are not evaluated");
        break;
      }
      if (states.get(s.spec.workload()) != s) {
        continue; // unregistered (or replaced) by a listener earlier in this tick
      }
      long before = sequence;
      try {
        evaluate(s, now, clockProblems);
      } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
        Interrupts.keep(e);
        // A bug of ours, or an Error from a plug-in (a missing class, a failed assertion),
        // must not stop the other workloads either; the workload still gets its one record.
        LOG.error("{}: tick failed", s.spec.workload(), e);
        if (sequence == before) {
          try {
            hold(s, now, null, Map.of(), Map.of(), Map.of(),
                List.of("evaluation failed: " + e), null, true); // logged at ERROR above
          } catch (Exception | LinkageError | AssertionError | StackOverflowError again) {
            Interrupts.keep(again);
            LOG.error("{}: could not record the failed evaluation", s.spec.workload(), again);
          }
        }
      } finally {
        publishTickFailures(); // when no record could be written
      }
    }
  }

  /**
   * Why this tick, at {@code now}, must hold every workload because of the clock; empty when it
   * need not. Moves lastTick on, and accepts a clock corrected after a forward glitch (see the
   * notes on time at the top of the class).
   */
  private List<String> clockProblems(Instant now) {
    Instant before = lastTick;
    ClockStep step = clockStep(now, states.values(), true);
    String problem = "clock went backwards from " + before + " to " + now;
    return switch (step) {
      case FORWARD -> List.of();
      case CORRECTED -> {
        LOG.warn("clock behind the last tick ({}) by more than maxMetricAge {} for two ticks in a "
            + "row ({} now): taking the clock as corrected and resuming", before, maxMetricAge,
            now);
        yield List.of();
      }
      case BACK -> List.of(problem);
      case FAR_BACK -> {
        LOG.warn("clock went backwards from {} to {}, more than maxMetricAge {}: holding every "
            + "workload; if the next tick agrees, the clock is taken as corrected", before, now,
            maxMetricAge);
        yield List.of(problem, "more than maxMetricAge " + maxMetricAge + " back: the clock is "
            + "taken as corrected if the next tick agrees");
      }
    };
  }

  /**
   * Replays the clock's rule at a restored tick's time (see {@link #clockStep}) over the
   * workloads this restore call has restored so far ({@code restored}: an earlier call's are
   * another replay's), the histories aside: they come from the backfill, which holds nothing a
   * glitch stamped.
   *
   * @return whether the clock was taken as corrected there
   */
  private boolean replayClock(Instant time, Collection<WorkloadState> restored) {
    return clockStep(time, restored, false) == ClockStep.CORRECTED;
  }

  /** What a tick's time does to the clock's state. */
  private enum ClockStep { FORWARD, BACK, FAR_BACK, CORRECTED }

  /**
   * The clock's rule at a tick's time {@code now}, live or replayed by a restore: moves lastTick
   * on, and accepts a clock corrected after a forward glitch, rewinding what the glitch stamped
   * in {@code scope} ({@code histories} too, live).
   */
  private ClockStep clockStep(Instant now, Collection<WorkloadState> scope, boolean histories) {
    if (lastTick == null || !now.isBefore(lastTick)) {
      lastTick = now;
      farBehindSince = null;
      return ClockStep.FORWARD;
    }
    for (WorkloadState s : scope) {
      // A startup being measured began on the clock that has just gone back: its real start is
      // unknown, and measured on this clock it would come out short by the step.
      s.pendingReadyTarget = -1;
      s.pendingSince = null;
    }
    if (Duration.between(now, lastTick).compareTo(maxMetricAge) <= 0) {
      farBehindSince = null; // a small step back: held until the clock passes the last tick
      return ClockStep.BACK;
    }
    if (farBehindSince != null && !now.isBefore(farBehindSince)) {
      // Two ticks in a row agree the last tick was far ahead: its time came from a clock glitch
      // (or a restored record written under one). Waiting for real time to pass it could mean
      // days without autoscaling; the clock is taken as corrected instead.
      rewind(now, scope, histories);
      lastTick = now;
      farBehindSince = null;
      return ClockStep.CORRECTED;
    }
    farBehindSince = now;
    return ClockStep.FAR_BACK;
  }

  /**
   * Forgets what a clock glitch stamped after {@code now}: scale and decision times later than
   * {@code now} become {@code now} (cooldowns count from now), sample times later than it are
   * dropped and ({@code histories}) history steps after it discarded (live samples are taken
   * again), and follow-ups fall due {@code followUpAfter} from now at the latest.
   */
  private void rewind(Instant now, Collection<WorkloadState> scope, boolean histories) {
    for (WorkloadState s : scope) {
      for (MetricState ms : s.metrics.values()) {
        if (ms.lastSampleTime != null && ms.lastSampleTime.isAfter(now)) {
          ms.lastSampleTime = null; // "no new sample since now" would hold every live sample
        }
        if (histories && ms.history.rewind(now)) {
          ms.forecast = null; // refreshed from the rewound history at the next valid sample
          ms.pending.clear();
        } else if (!histories) {
          ms.pending.removeIf(p -> p.stepStart().isAfter(now));
        }
      }
      if (s.lastScaleUp != null && s.lastScaleUp.isAfter(now)) {
        s.lastScaleUp = now;
      }
      if (s.lastScaleDown != null && s.lastScaleDown.isAfter(now)) {
        s.lastScaleDown = now;
      }
      UncertainApplies.rewind(s, now);
      List<PastDecision> recent = new ArrayList<>(s.recent);
      s.recent.clear();
      for (PastDecision d : recent) {
        PastDecision kept = !d.time().isAfter(now) ? d
            : new PastDecision(now, d.current(), d.desired(), d.applied(), d.marks());
        if (d == s.lastDecided) {
          s.lastDecided = kept;
        }
        s.recent.addLast(kept);
      }
      Instant latestDue = now.plus(followUpAfter);
      List<PendingFollowUp> followUps = new ArrayList<>(s.followUps);
      s.followUps.clear();
      for (PendingFollowUp f : followUps) {
        s.followUps.addLast(!f.due().isAfter(latestDue) ? f
            : new PendingFollowUp(f.sequence(), latestDue));
      }
    }
  }

  /**
   * Ticks on {@code scheduler} until {@link #close()}, at once and then one sync period after
   * each tick ends, as the HPA controller takes each HPA up again a resync period after it
   * processed it. A slow tick (a source stalled, a long GC pause) delays the next one; the
   * periods it missed are not made up in a burst of ticks milliseconds apart, each of which could
   * take another step of the step limits. A failing tick is logged at ERROR and the next one
   * runs, whatever it threw, an {@code Error} too. Ticks failing run after run are logged at ERROR
   * on the first failure and every 20th (DEBUG in between), and at INFO when a tick runs again.
   *
   * @throws IllegalStateException when already started or closed
   */
  public void start(ScheduledExecutorService scheduler) {
    Objects.requireNonNull(scheduler, "scheduler");
    synchronized (lock) {
      requireOpen();
      if (scheduled != null) {
        throw new IllegalStateException("engine is already started");
      }
      long period = syncPeriod.toMillis();
      scheduled = scheduler.scheduleWithFixedDelay(this::scheduledTick, 0, period,
          TimeUnit.MILLISECONDS);
    }
  }

  private void scheduledTick() {
    try {
      tick();
    } catch (Throwable t) {
      if (closeRequested && t instanceof IllegalStateException) {
        // close() came between this run's start and its tick: nothing failed.
        LOG.debug("tick skipped: {}", t.getMessage());
        return;
      }
      // Anything escaping would cancel every later run of the schedule, without a word:
      // the executor keeps it in a future nobody reads. So an Error is logged, not rethrown, a
      // VirtualMachineError too: rethrown, it would reach no handler and only stop autoscaling
      // for good, while the next tick may well run (memory freed, threads ended). A JVM that is
      // really broken is for its supervisor (-XX:+ExitOnOutOfMemoryError, a liveness probe).
      // One that fails on every run is logged now and then, not with a stack trace per tick.
      int failed = ++scheduledFailures;
      if (failed == 1) {
        LOG.error("tick failed; the next one runs as scheduled", t);
      } else if (InARow.warns(failed)) {
        LOG.error("tick failed ({} in a row); the next one runs as scheduled", failed, t);
      } else {
        LOG.debug("tick failed ({} in a row): {}", failed, t.toString());
      }
      return;
    }
    if (scheduledFailures > 0) {
      LOG.info("tick ran, after {} failed in a row", scheduledFailures);
      scheduledFailures = 0;
    }
  }

  /**
   * Stops ticking, releases every workload in HPA-floor mode (restoring the HPAs it steered) and
   * closes the journal. A tick in flight ends after the workload it is evaluating (whose calls
   * the call timeout bounds): the workloads after it get no call and no record in that tick, so
   * that a shutdown with little time (a pod's grace period) is not spent on them, and nothing is
   * applied after the releases. The same holds when a listener closes the engine within a tick.
   * From the call on, {@code tick()}, {@code start()}, {@code register()} and {@code mode()} throw
   * "engine is closed", also while close waits for the tick to end. An interrupt of the calling
   * thread, before or during the call, does not cut a release short: the thread gets it back when
   * close returns. Idempotent.
   */
  @Override
  public void close() {
    close(() -> { });
  }

  /**
   * Closes as {@link #close()} does, and runs {@code beforeReleases} (on the calling thread, once)
   * when the tick in flight has ended and before the first release: for an executor guarded by
   * leadership, whose Lease may have run short while close waited for that tick, to renew it
   * there, outside any release's call timeout. It runs without an interrupt that came before or
   * while close waited for that tick (the calling thread gets it back when close returns). What
   * it throws is logged at WARN, and the releases go on. Nothing is run when the engine was
   * already closed.
   */
  public void close(Runnable beforeReleases) {
    Objects.requireNonNull(beforeReleases, "beforeReleases");
    // Before anything that may wait (the lock, held by a tick to its end): the tick stops at the
    // next workload.
    closeRequested = true;
    // A thread interrupted to shut down must still give the HPAs back: a pending interrupt
    // would abandon every release before it started.
    boolean interrupted = Thread.interrupted();
    try {
      interrupted |= closeUninterrupted(beforeReleases);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Closes; whether an interrupt came meanwhile (kept for the caller, see {@link
   * PluginCalls#closeBegins()}).
   */
  private boolean closeUninterrupted(Runnable beforeReleases) {
    ScheduledFuture<?> f;
    synchronized (lock) {
      if (closed) {
        return false;
      }
      closed = true;
      calls.closeBegins();
      // An interrupt that came while close waited for the lock (a tick in flight): kept for the
      // caller, but not seen by the hook, whose inline calls (a Lease renewal) would fail at once.
      calls.keepCloserInterrupt();
      f = scheduled;
      if (f != null) {
        f.cancel(false);
      }
      boolean hookInterrupted = false;
      try {
        beforeReleases.run();
      } catch (Throwable e) {
        // Whatever it throws (an undeclared checked exception, an OutOfMemoryError when no thread
        // can be started): the HPAs must still be given back, and a second close does nothing.
        // An interrupt is given back to the caller at the end, not before the releases.
        hookInterrupted = e instanceof InterruptedException;
        LOG.warn("before the releases at close: {}", e.toString());
      }
      // A hook that caught an interrupt and set the flag again (the usual idiom): the releases
      // must run without it, or their blocking IO fails at once.
      hookInterrupted |= Thread.interrupted();
      for (WorkloadState s : List.copyOf(states.values())) {
        if (s.spec.mode() == Mode.HPA_FLOOR) {
          release(s.spec.workload());
        }
      }
      for (WorkloadRef w : List.copyOf(releasePending)) {
        if (!states.containsKey(w) || states.get(w).spec.mode() != Mode.HPA_FLOOR) {
          release(w);
        }
      }
      closeReleased = true;
      // A release that timed out may still be restoring an HPA: give it one more call timeout
      // before the pool is interrupted.
      for (WorkloadRef w : calls.running(Stage.RELEASE)) {
        if (!calls.awaitSlot(w, Stage.RELEASE)) {
          LOG.warn("{}: executor release still running at close: the HPA may stay steered", w);
        }
      }
      try {
        journal.close();
      } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
        Interrupts.keep(e);
        LOG.warn("journal close failed: {}", e.toString());
      }
      calls.shutdown();
      return calls.closeEnds() || hookInterrupted;
    }
  }

  /** For tests: see {@link PluginCalls#callsReturned}. */
  CompletableFuture<Void> callsReturned(WorkloadRef workload) {
    return calls.callsReturned(workload);
  }

  /** For tests: see {@link PluginCalls#callThreads}. */
  int callThreads() {
    return calls.callThreads();
  }

  /** A plug-in call that did not answer within the engine's call timeout. */
  public static final class PluginTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PluginTimeoutException(String message) {
      super(message);
    }
  }

  /**
   * Gives the workload's HPA back (see {@link ScaleExecutor#release}). An apply of that workload
   * still running (timed out earlier) could land after the release and steer the HPA again, so
   * the release first waits for it, at most one call timeout; if it is still running, or the
   * release times out or fails, the release is pending and sent again on later ticks, once no
   * apply or release of that workload runs, until it succeeds or the workload is back in HPA-floor
   * mode; for a workload no longer registered, until {@value #RELEASE_TRIES_UNREGISTERED} have
   * failed in a row since it was unregistered and an hour ({@link #RELEASE_GIVE_UP_AFTER}) has
   * passed since then on the engine's clock, when it is dropped with a WARN that says how to give
   * the HPA back by hand (pending releases are not journaled: a restart drops them too). At
   * close there are no later ticks: the release is sent after that wait all the same (without it
   * the HPA kept the floor sent before the stuck apply, for good), with a WARN that the apply may
   * still land and steer the HPA again.
   */
  private void release(WorkloadRef workload) {
    if (!calls.awaitSlot(workload, Stage.APPLY)) {
      if (!calls.closing()) {
        LOG.warn("{}: executor release postponed: {}", workload,
            calls.stillRunning(workload, Stage.APPLY));
        releasePending.add(workload);
        return;
      }
      LOG.warn("{}: executor release sent at close although {}: if that apply lands later, the"
          + " HPA is steered again", workload, calls.stillRunning(workload, Stage.APPLY));
    }
    try {
      calls.call(workload, Stage.RELEASE, () -> {
        executor.release(workload);
        return null;
      });
      releasePending.remove(workload);
      releaseUnregisteredAt.remove(workload);
      Integer failed = releaseFailures.remove(workload);
      if (failed != null) {
        LOG.info("{}: executor release sent, after {} failed", workload, failed);
      }
    } catch (CallNotMadeException e) {
      // The release in flight may still restore the HPA (sent again if it did not), or no thread
      // could be started for it: sent again on the next tick.
      LOG.warn("{}: executor release not sent again yet: {}", workload, e.getMessage());
      releasePending.add(workload);
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      Interrupts.keep(e);
      if (!states.containsKey(workload)
          && releaseUnregisteredAt.putIfAbsent(workload, clock.instant()) == null) {
        // Unregistered while its release was not yet pending (a listener that unregisters it
        // when told of its demotion, before the demotion sends the release): counted from now.
        releaseFailures.remove(workload);
      }
      int failed = releaseFailures.merge(workload, 1, Integer::sum);
      if (calls.closing()) {
        LOG.warn("{}: executor release failed at close, not sent again: {}", workload,
            e.toString());
      } else if (givesUp(workload, failed)) {
        LOG.warn("{}: executor release failed {} times in a row since the workload was "
            + "unregistered, at {}, given up; its HPA may keep a floor: give it back by hand, with "
            + "the agent stopped, with `bin/prescaler agent --config <a configuration listing it> "
            + "--release-hpas` (see the README): {}", workload, failed,
            releaseUnregisteredAt.get(workload), e.toString());
        releasePending.remove(workload);
        releaseFailures.remove(workload);
        releaseUnregisteredAt.remove(workload);
        publish(l -> l.onFailure(new FailureEvent(workload, clock.instant(), "executor", e)),
            workload);
        return;
      } else if (InARow.warns(failed)) {
        // Sent again every tick until it succeeds: one WARN now and then, not one per tick.
        LOG.warn("{}: executor release failed ({} in a row), sent again next tick: {}", workload,
            failed, e.toString());
      } else {
        LOG.debug("{}: executor release failed ({} in a row): {}", workload, failed,
            e.toString());
      }
      releasePending.add(workload);
      publish(l -> l.onFailure(new FailureEvent(workload, clock.instant(), "executor", e)),
          workload);
    }
  }

  /**
   * Whether the release of {@code workload}, failed {@code failed} times in a row, is given up:
   * only for a workload no longer registered, after {@value #RELEASE_TRIES_UNREGISTERED} tries
   * and {@link #RELEASE_GIVE_UP_AFTER} since it was unregistered (see release).
   */
  private boolean givesUp(WorkloadRef workload, int failed) {
    Instant since = releaseUnregisteredAt.get(workload);
    Instant now = clock.instant();
    if (since != null && now.isBefore(since)) {
      // A clock glitched ahead at the unregistering and corrected since: the hour runs from the
      // earliest time seen, not from the glitch (a year ahead would have kept it for ever).
      releaseUnregisteredAt.put(workload, now);
      since = now;
    }
    return !states.containsKey(workload) && since != null && failed >= RELEASE_TRIES_UNREGISTERED
        && !now.isBefore(since.plus(RELEASE_GIVE_UP_AFTER));
  }

  /**
   * Sends the pending releases of workloads no longer in HPA-floor mode (see release). Stops
   * when a close is requested: close sends the pending releases itself, and the tick it waits
   * for must end after the call in flight, not after every pending release.
   */
  private void retryPendingReleases() {
    for (WorkloadRef w : List.copyOf(releasePending)) {
      if (closeRequested) {
        return;
      }
      WorkloadState s = states.get(w);
      if (s != null && s.spec.mode() == Mode.HPA_FLOOR) {
        releasePending.remove(w); // steered again: its floor is sent afresh (lastFloorSent -1)
        releaseFailures.remove(w);
        releaseUnregisteredAt.remove(w);
      } else if (calls.stillRunning(w, Stage.APPLY) == null
          && calls.stillRunning(w, Stage.RELEASE) == null) {
        release(w);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // One workload, one tick.

  private void evaluate(WorkloadState s, Instant now, List<String> clockProblems) {
    WorkloadSpec spec = s.spec;
    WorkloadRef ref = spec.workload();
    List<String> problems = new ArrayList<>(clockProblems);
    // The reasons to hold that the hold's own log leaves out (see hold): those of normal
    // operation, and those logged at WARN where they arise (a plug-in that failed; a call not
    // made for want of a thread, counted engine-wide so that it does not warn per workload).
    List<String> quietProblems = new ArrayList<>();
    s.countsReadAt = null;
    s.scaleUpReturnedAt = null;
    // Read once, first: every hold of this tick says so (whatever else it holds for), so that a
    // restore reads from its record what this tick read (see UncertainApplies).
    String applying = calls.stillRunning(ref, Stage.APPLY);
    String applyingProblem = applying == null ? null : applying + ": its outcome is unknown";

    Observation obs = null;
    // The instant the samples are checked against: after the read, which may come late in a
    // long tick (see the notes at the top of the class).
    Instant readAt = now;
    try {
      obs = calls.call(ref, Stage.SOURCE, () -> source.read(spec, now));
      answered(ref, "source", s.sourceFailures);
      Instant after = clock.instant();
      if (after.isAfter(now)) {
        readAt = after;
      }
      if (obs == null) {
        problems.add("metric source returned no observation");
      }
    } catch (CallNotMadeException e) {
      problems.add(e.getMessage());
      quietProblems.add(e.getMessage());
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      Interrupts.keep(e);
      problems.add("metric source failed: " + e);
      quietProblems.add("metric source failed: " + e);
      failure(ref, now, "source", e, s.sourceFailures);
    }
    ReplicaStatus replicas = obs == null ? null : obs.replicas().orElse(null);
    boolean scaledToZero = false;
    if (replicas == null && obs != null) {
      boolean replicasFailed = true;
      try {
        // Under the call timeout too: a hanging API server must not stall the tick here either.
        replicas = calls.call(ref, Stage.REPLICAS, () -> executor.replicas(ref)).orElse(null);
        replicasFailed = false;
        answered(ref, "executor", s.replicasFailures);
      } catch (CallNotMadeException e) {
        problems.add(e.getMessage());
        quietProblems.add(e.getMessage());
      } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
        Interrupts.keep(e);
        problems.add("executor failed to report replicas: " + e);
        quietProblems.add("executor failed to report replicas: " + e);
        failure(ref, now, "executor", e, s.replicasFailures);
      }
      if (replicas == null) {
        String unknown = "replica count unknown: neither the metric source nor the executor "
            + "reported it";
        problems.add(unknown);
        if (replicasFailed) {
          quietProblems.add(unknown); // the failure says why
        }
      }
    }
    // Before the policies see the last scale times and past decisions: an apply that failed
    // but landed all the same counts for cooldowns and rate limits. The note goes in this
    // tick's record, whatever it decides.
    Reason landed = uncertain.observe(s, now, spec.mode(), applying != null,
        replicas == null ? -1 : replicas.current());
    if (landed != null) {
      LOG.info("{}: {}", ref, landed.message());
    }
    if (replicas != null) {
      // When the counts were read: a tick slowed by other workloads' calls reaches this one late,
      // and a startup measured from the tick's start would leave that time out.
      Instant observedAt = clock.instant();
      Instant countsAt = observedAt.isAfter(readAt) ? observedAt : readAt;
      startups.trackStartup(s, replicas, countsAt);
      s.countsReadAt = countsAt.isAfter(now) ? countsAt : null; // journaled: restore replays it
      if (replicas.current() == 0 && spec.minReplicas() > 0) {
        // Someone scaled the workload to 0 (maintenance): the Kubernetes HPA leaves such a scale
        // alone, and so does the engine, whatever a policy or the bounds would make of it.
        scaledToZero = true;
        problems.add(SCALED_TO_ZERO + spec.minReplicas()
            + ": autoscaling is disabled until the workload is scaled up (as the Kubernetes HPA"
            + " does)");
      }
    }

    Map<String, Double> readRaw = new LinkedHashMap<>();
    Map<String, Double> readLoads = new LinkedHashMap<>();
    Map<String, String> unavailable = new LinkedHashMap<>();
    // Bad metrics, kept apart from the other reasons to hold: an operator's pin wins over them.
    List<String> metricProblems = new ArrayList<>();
    Instant sampleTime = now;
    if (obs != null && replicas != null) {
      for (MetricTarget m : spec.metrics()) {
        MetricReading r = obs.reading(m.name());
        String problem = check(s.metrics.get(m.name()), r, readAt);
        if (problem == null && m.type() == MetricTarget.Type.UTILIZATION
            && replicas.ready() == 0) {
          // A mean over no ready pod measures nothing; read as a load it would scale to min.
          problem = "utilization of 0 ready replicas: the load is unknown";
        } else if (problem == null && m.type() == MetricTarget.Type.UTILIZATION
            && replicas.ready() > 2L * Math.max(replicas.existing(), replicas.current())) {
          // A count no workload has, and the load would be the mean times it: one such tick in
          // the history drives the forecasts for days (a template counting the pods of every
          // namespace). Up to twice is a count: a source that does not report the pods that
          // exist (existing is then current; 0 for a custom resource without a status path)
          // sees a rollout's surge or a blue-green preview as more ready pods than asked for.
          problem = "utilization over " + replicas.ready() + " ready replicas, more than twice"
              + " as many as exist (" + replicas.existing() + ") or are asked for ("
              + replicas.current() + "): the load is unknown";
        }
        double load = Double.NaN;
        if (problem == null) {
          load = m.load(r.value(), replicas.ready());
          if (!Double.isFinite(load)) {
            // A finite but absurd reading (1e308 % of 300 pods) must not become an infinite load.
            problem = "value " + r.value() + " with " + replicas.ready()
                + " ready replicas gives a load that is not finite (" + load + ")";
          }
        }
        if (problem != null) {
          unavailable.put(m.name(), problem);
          metricProblems.add("metric " + m.name() + ": " + problem);
          if (problem.startsWith(NO_NEW_SAMPLE)) {
            quietProblems.add("metric " + m.name() + ": " + problem);
          }
        } else {
          readRaw.put(m.name(), r.value());
          readLoads.put(m.name(), load);
          if (r.timestamp().isBefore(sampleTime)) {
            sampleTime = r.timestamp();
          }
        }
      }
    }
    // The context, the record and the follow-ups each keep an immutable copy (Map.copyOf, which
    // returns an immutable map as it is): one copy each here instead of one per consumer.
    Map<String, Double> raw = Map.copyOf(readRaw);
    Map<String, Double> loads = Map.copyOf(readLoads);
    dueFollowUps(s, now, replicas, loads);
    if (problems.isEmpty() && !metricProblems.isEmpty()) {
      Proposal pinned = pinInsteadOfHold(s, now, replicas.current(), applying,
          metricProblems);
      if (pinned != null) {
        pruneRecent(s, now); // as context() does: a long outage must not grow the past decisions
        decide(s, now, replicas, raw, unavailable, loads, forecasts(s), pinned, landed);
        return;
      }
    }
    problems.addAll(metricProblems);
    if (!problems.isEmpty()) {
      // Unless a pin not applied for it already says so.
      if (applying != null && problems.stream().noneMatch(q -> q.contains(applying))) {
        problems.add(applyingProblem);
      }
      // Quiet, at DEBUG, for what is normal operation, not an outage (README "How it works"): a
      // workload someone scaled to 0 is left alone, as the HPA leaves it (its metrics are moot
      // then), and a tick faster than the source finds no new sample (a 30 s scrape under 15 s
      // ticks holds every other tick). Any other reason held with them makes the hold a WARN.
      hold(s, now, replicas, raw, unavailable, loads, problems, landed,
          scaledToZero || quietProblems.containsAll(problems));
      return;
    }

    // Valid data: extend the histories, evaluate past forecasts, refresh forecasts.
    Duration lead = leadTime(s);
    for (MetricTarget m : spec.metrics()) {
      MetricState ms = s.metrics.get(m.name());
      MetricReading r = obs.reading(m.name());
      ms.lastSampleTime = r.timestamp();
      int closed = ms.history.add(r.timestamp(), loads.get(m.name()));
      if (closed > 0) {
        scorePredictions(ms);
      }
      // Also when there is no forecast yet: a backfilled history (new or restarted engine) must
      // forecast at once, not only after the next step closes; and a forecaster that failed is
      // asked again on every tick until it answers.
      if (closed > 0 || ms.forecast == null) {
        if (ms.forecaster != null && hasData(ms.history)) {
          try {
            refreshForecast(s, ms, lead);
            if (ms.forecastFailures > 0) {
              LOG.info("{}: forecaster {} answered on {}, after {} failures in a row", ref,
                  ms.forecaster.name(), m.name(), ms.forecastFailures);
              ms.forecastFailures = 0;
            }
          } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            Interrupts.keep(e);
            // The last good forecast is dropped: kept, the next ticks of this step would decide
            // on it, and every later tick on an ever older one while the forecaster fails. Its
            // predictions waiting to be scored stay: they were made when it still answered.
            // Asked again on every tick, it is logged now and then; each held tick still
            // publishes its FailureEvent, as it writes its record.
            ms.forecast = null;
            failure(ref, now, "forecaster", e, ++ms.forecastFailures);
            String failed = "forecaster " + ms.forecaster.name() + " failed on " + m.name() + ": "
                + e;
            problems.add(failed);
            quietProblems.add(failed);
          }
        }
      }
    }
    // An apply still running (timed out in an earlier tick) leaves the count in flux: a second
    // apply could land before or after it. The histories above still learn meanwhile.
    if (applyingProblem != null) {
      problems.add(applyingProblem);
    }
    // A release still running would undo a floor sent now.
    String releasing =
        spec.mode() == Mode.HPA_FLOOR ? calls.stillRunning(ref, Stage.RELEASE) : null;
    if (releasing != null) {
      problems.add(releasing + ": the HPA may be given back after a floor sent now");
    }
    if (!problems.isEmpty()) {
      hold(s, now, replicas, raw, unavailable, loads, problems, landed,
          quietProblems.containsAll(problems));
      return;
    }

    DecisionContext ctx = context(s, now, replicas, raw, loads, sampleTime);
    Proposal proposal;
    try {
      proposal = policy.apply(ctx, Proposal.keep(replicas.current()));
      if (proposal == null) {
        throw new IllegalStateException("policy " + policy.name() + " returned null");
      }
      answered(ref, "policy", s.policyFailures);
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      Interrupts.keep(e);
      failure(ref, now, "policy", e, s.policyFailures);
      hold(s, now, replicas, raw, unavailable, loads, List.of("policy failed: " + e),
          landed, true); // failure(...) logged it
      return;
    }
    decide(s, now, replicas, raw, Map.of(), loads, ctx.forecasts(), proposal, landed);
  }

  /**
   * The proposal of an operator's pin that replaces a hold for bad metrics, or null to hold;
   * adds to {@code metricProblems} why an active pin is not applied. Called only when bad
   * metrics are the sole reason to hold, so the current count is known and the clock and the
   * count are sound. An apply still running leaves the count in flux (a second one could land
   * before it), and a release still running would undo a floor sent now: the pin waits then.
   * {@code applying}: the tick's reason to hold for an apply still running, or null.
   */
  private Proposal pinInsteadOfHold(WorkloadState s, Instant now, int current, String applying,
      List<String> metricProblems) {
    WorkloadRef ref = s.spec.workload();
    Optional<DecisionPolicy.Pin> pin;
    try {
      pin = policy.pinned(ref, now);
      if (pin == null) {
        throw new IllegalStateException("policy " + policy.name() + " returned a null pin");
      }
      answered(ref, "policy", s.pinFailures);
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      Interrupts.keep(e);
      failure(ref, now, "policy", e, s.pinFailures);
      metricProblems.add("policy failed to report a pin: " + e);
      return null;
    }
    if (pin.isEmpty()) {
      return null;
    }
    String running = applying;
    if (running == null && s.spec.mode() == Mode.HPA_FLOOR) {
      running = calls.stillRunning(ref, Stage.RELEASE);
    }
    if (running != null) {
      metricProblems.add("pin at " + pin.get().replicas() + " not applied: " + running);
      return null;
    }
    return Proposal.keep(current).to("pin", pin.get().replicas(),
        "metrics unavailable (" + String.join("; ", metricProblems) + "), so the policy chain "
            + "did not run; the operator's pin applies: " + pin.get().reason());
  }

  private static boolean hasData(LoadHistory h) {
    return h.hasClosed() && (!Double.isNaN(h.last()) || h.countPresent() > 0);
  }

  /** Why a reading cannot be used, or null when it can; {@code now}: when it was read. */
  private String check(MetricState ms, MetricReading r, Instant now) {
    if (!r.isAvailable()) {
      return "unavailable: " + r.reason();
    }
    double v = r.value();
    if (!Double.isFinite(v)) {
      return "invalid value " + v;
    }
    if (v < 0) {
      return "invalid negative value " + v;
    }
    Instant t = r.timestamp();
    if (t.isAfter(now.plus(syncPeriod))) {
      return "sample time " + t + " is in the future (now " + now + ")";
    }
    if (t.isBefore(now.minus(maxMetricAge))) {
      return "stale: measured at " + t + ", older than maxMetricAge " + maxMetricAge;
    }
    if (ms.lastSampleTime != null && t.isBefore(ms.lastSampleTime)) {
      return "out of order: measured at " + t + ", before the previous sample at "
          + ms.lastSampleTime;
    }
    if (ms.lastSampleTime != null && t.equals(ms.lastSampleTime)) {
      return NO_NEW_SAMPLE + t;
    }
    return null;
  }

  private Duration leadTime(WorkloadState s) {
    return s.measuredStartupDelay().orElse(s.spec.startupDelay()).plus(metricsDelay)
        .plus(syncPeriod);
  }

  /**
   * The quantile the policy plans for on {@code spec}'s workload ({@link
   * DecisionPolicy#riskQuantile}); the workload's own when the policy fails or answers out of
   * range.
   */
  private double plannedQuantile(WorkloadSpec spec) {
    double q;
    try {
      q = policy.riskQuantile(spec);
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      Interrupts.keep(e);
      LOG.warn("{}: policy {} failed to name its risk quantile, using the workload's {}: {}",
          spec.workload(), policy.name(), spec.riskQuantile(), e.toString());
      return spec.riskQuantile();
    }
    if (!WorkloadSpec.isValidRiskQuantile(q)) {
      LOG.warn("{}: policy {} named risk quantile {}, out of [{}, {}]: using the workload's {}",
          spec.workload(), policy.name(), q, WorkloadSpec.MIN_RISK_QUANTILE,
          WorkloadSpec.MAX_RISK_QUANTILE, spec.riskQuantile());
      return spec.riskQuantile();
    }
    return q;
  }

  private void refreshForecast(WorkloadState s, MetricState ms, Duration lead) {
    Duration horizon = s.spec.forecastHorizon();
    Duration needed = lead.plus(historyStep);
    if (horizon.compareTo(needed) < 0) {
      horizon = needed;
    }
    // The workload's interval at least: a policy planning for a lower quantile rescales it down,
    // which a forecast of level 0 (no interval) would not let it do.
    double q = Math.max(s.spec.riskQuantile(), plannedQuantile(s.spec));
    double level = Math.min(0.998, 2 * q - 1);
    Forecast f = ms.forecaster.forecast(ms.history, horizon, level);
    if (f == null) {
      throw new IllegalStateException("forecaster returned null");
    }
    Instant end = ms.history.end();
    if (f.start().isBefore(end.minus(historyStep))) {
      // A forecast of the history's end (the contract), or of one step before: an older one (a
      // forecaster serving a cached forecast) would plan for a past that has already happened.
      throw new IllegalStateException("forecast starts at " + f.start() + ", more than one "
          + "historyStep (" + historyStep + ") before the history's end " + end);
    }
    ms.forecast = f;
    int k = Forecaster.steps(lead, historyStep);
    double last = ms.history.last();
    if (k <= f.steps() && !Double.isNaN(last)) {
      ms.expect(f, k, last);
    }
  }

  private void scorePredictions(MetricState ms) {
    LoadHistory h = ms.history;
    if (!h.hasClosed()) {
      return;
    }
    Instant end = h.end();
    Iterator<Prediction> it = ms.pending.iterator();
    while (it.hasNext()) {
      Prediction p = it.next();
      if (!p.stepStart().isBefore(end)) {
        break;
      }
      it.remove();
      long idx = Duration.between(h.start(), p.stepStart()).toMillis() / historyStep.toMillis();
      if (idx < 0 || idx >= h.size()) {
        continue;
      }
      double actual = h.value((int) idx);
      if (Double.isNaN(actual)) {
        continue;
      }
      ms.score(p, actual);
    }
  }

  private DecisionContext context(WorkloadState s, Instant now, ReplicaStatus replicas,
      Map<String, Double> raw, Map<String, Double> loads, Instant sampleTime) {
    Map<String, MetricSeries> histories;
    Map<String, Forecast> forecasts;
    if (s.metrics.size() == 1) {
      // The usual single metric: the immutable maps the context would copy them into.
      MetricState ms = s.metrics.values().iterator().next();
      histories = Map.of(ms.target.name(), ms.history);
      forecasts = ms.forecast == null ? Map.of() : Map.of(ms.target.name(), ms.forecast);
    } else {
      histories = new LinkedHashMap<>();
      forecasts = forecasts(s);
      for (MetricState ms : s.metrics.values()) {
        histories.put(ms.target.name(), ms.history);
      }
    }
    pruneRecent(s, now);
    Optional<Duration> measured = s.measuredStartupDelay();
    return new DecisionContext(s.spec, now, replicas, raw, loads, sampleTime, histories,
        forecasts, List.copyOf(s.recent), Optional.ofNullable(s.lastScaleUp),
        Optional.ofNullable(s.lastScaleDown), measured.orElse(s.spec.startupDelay()),
        measured.isPresent(), metricsDelay, syncPeriod);
  }

  private static Duration longest(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * Makes {@code d}, a decision (not a hold), the one {@link #pruneRecent} keeps whatever its
   * age, unless it has no marks and the one kept has: a pin applied through a metrics outage
   * (the policy chain did not run) must not stand in for the chain's last proposal, whose marks
   * the steps look for (a guard would wait a whole window again after the pin).
   */
  private static void decided(WorkloadState s, PastDecision d) {
    if (!d.marks().isEmpty() || s.lastDecided == null || s.lastDecided.marks().isEmpty()) {
      s.lastDecided = d;
    }
  }

  /**
   * Drops the past decisions older than the memory, all but the newest decided one (by {@link
   * #decide}, not a hold; see {@link #decided}), which is kept whatever its age. Without it a
   * tick more than the memory after the last decision (a sync period above the memory, ticks
   * that start a sync period after the previous one ended, holds in between) would be a
   * policy's first: the HPA would record its first sync's count again and never scale down,
   * and the guards would wait for a whole window again. The HPA controller keeps its
   * recommendations across failed syncs; older ones just fall out of its windows, as this one
   * falls out of every window shorter than its age. The holds after it are dropped all the same,
   * so that a long outage does not grow the deque.
   */
  private void pruneRecent(WorkloadState s, Instant now) {
    Instant from = now.minus(decisionMemory);
    PastDecision kept = null;
    while (!s.recent.isEmpty() && s.recent.peekFirst().time().isBefore(from)) {
      PastDecision d = s.recent.removeFirst();
      if (d == s.lastDecided) {
        kept = d;
      }
    }
    if (kept != null) {
      s.recent.addFirst(kept);
    }
  }

  /**
   * Decides on {@code proposal}, applies it as the mode says and journals it, with {@code
   * landed} (the note of an uncertain apply counted on this tick, or null) in its record.
   */
  private void decide(WorkloadState s, Instant now, ReplicaStatus replicas,
      Map<String, Double> raw, Map<String, String> unavailable, Map<String, Double> loads,
      Map<String, Forecast> forecasts, Proposal proposal, Reason landed) {
    WorkloadSpec spec = s.spec;
    WorkloadRef ref = spec.workload();
    s.decided = true;
    int held = s.holds.end();
    if (held > 0) {
      LOG.info("{}: resumed after {} held tick{}", ref, held, held == 1 ? "" : "s");
    }
    int current = replicas.current();
    Proposal p = proposal;
    int proposed = p.replicas();
    if (proposed != current && p.reasons().isEmpty()) {
      // Every change explains itself, even when a custom policy gave no reason.
      p = new Proposal(current, List.of(), p.marks())
          .to(policy.name(), proposed, "proposed without a reason");
    }
    StepLimits limits = spec.stepLimits();
    int up = limits.maxUp(current);
    int down = limits.maxDown(current);
    if (p.replicas() > up) {
      p = p.to("step-limit", up, "at most +" + (up - current) + " from " + current
          + " per decision (upPods " + limits.upPods() + ", upPercent " + limits.upPercent() + ")");
    } else if (p.replicas() < down) {
      p = p.to("step-limit", down, "at most -" + (current - down) + " from " + current
          + " per decision (downPods " + limits.downPods() + ", downPercent "
          + limits.downPercent() + ")");
    }
    if (p.replicas() > spec.maxReplicas()) {
      p = p.to("bounds", spec.maxReplicas(), "maxReplicas " + spec.maxReplicas());
    } else if (p.replicas() < spec.minReplicas()) {
      p = p.to("bounds", spec.minReplicas(), "minReplicas " + spec.minReplicas());
    }
    int desired = p.replicas();
    Kind kind = desired == current ? Kind.KEEP : Kind.SCALE;
    Action action = Action.NONE;
    String message = desired == current ? "no change" : "";
    ScaleOutcome outcome = null;
    Mode mode = spec.mode();
    boolean call = (mode == Mode.ACT && desired != current)
        || (mode == Mode.HPA_FLOOR && desired != s.lastFloorSent);
    if (mode == Mode.OBSERVE_ONLY && desired != current) {
      action = Action.OBSERVED;
      message = "observe-only: would scale " + current + " -> " + desired;
    }
    // A floor the HPA's maxReplicas held under this same plan, sent again to see if it still does.
    int heldBefore = mode == Mode.HPA_FLOOR && s.floorPlanned == desired
        && s.lastFloorSent >= 0 && s.lastFloorSent < desired ? s.lastFloorSent : -1;
    String heldAnswer = heldBefore >= 0 ? s.floorHeldAnswer : null;
    s.floorHeldAnswer = null;
    boolean stillHeld = false;
    if (call) {
      ScaleRequest request = new ScaleRequest(spec, mode, current, desired, p.reasons(), now);
      try {
        outcome = calls.call(ref, Stage.APPLY, () -> executor.apply(request));
        if (outcome == null) {
          outcome = ScaleOutcome.failed(UncertainApplies.NO_OUTCOME);
        }
      } catch (CallNotMadeException e) {
        // No thread to run it, or the thread interrupted before the call started: nothing was
        // sent ("executor not called: ..."), retried next tick.
        outcome = ScaleOutcome.failed(e.getMessage());
      } catch (PluginTimeoutException e) {
        applyFailure(ref, s, now, e);
        // FAILED with "may have been applied", as the ScaleOutcome contract asks: the call may
        // still land. The workload is held until it returns (see evaluate).
        outcome = ScaleOutcome.failed(UncertainApplies.timedOut(e.getMessage()));
      } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
        Interrupts.keep(e);
        // Thrown after the request may have been sent: FAILED, never a silent hold.
        applyFailure(ref, s, now, e);
        outcome = ScaleOutcome.failed(UncertainApplies.THREW + e);
      }
      message = outcome.message();
      if (mode == Mode.HPA_FLOOR && outcome instanceof ScaleOutcome.Applied a
          && a.replicas() < desired) {
        // The HPA's maxReplicas held the floor down: sent again next tick (as lastFloorSent is
        // what was written), so that a maxReplicas raised later lifts the floor to the plan.
        // Held as it was, and answered word for word as the last time (an executor that wrote
        // anything else says so, as "minReplicas 2 -> 6" after a hand edit): nothing changed,
        // so no action is recorded and no listener told.
        stillHeld = a.replicas() == heldBefore && a.message().equals(heldAnswer);
        s.floorHeldAnswer = a.message();
        message = message + (stillHeld ? " (the HPA still holds the floor at " : " (the HPA "
            + "holds the floor at ") + a.replicas() + ", under the " + desired + " planned; "
            + (stillHeld ? "nothing changed; " : "") + "sent again next tick)";
        LOG.debug("{}: floor held at {} under the {} planned", ref, a.replicas(), desired);
      } else if (mode == Mode.ACT && outcome instanceof ScaleOutcome.Applied a
          && ScaleOutcome.shortOfTheAsk(current, desired, a.replicas())) {
        // The server stored less than asked (a mutating admission webhook, a policy): the change
        // made is counted, for the rate limits, cooldowns and startup times, live and restored:
        // it is the record's desired count, after a reason that says so.
        int asked = desired;
        desired = a.replicas();
        p = p.to("executor", desired, "applied " + desired + " of the " + asked + " asked for");
        message = message + " (the executor applied " + desired + " replicas, not the " + asked
            + " asked for; counted as " + desired + ")";
        LOG.warn("{}: executor applied {} to a request of {} -> {}", ref, desired, current, asked);
      } else if (outcome instanceof ScaleOutcome.Applied a && a.replicas() != desired) {
        // The engine counts what it asked for, as the executor contract has an applied outcome
        // report (a count read back that differs is seen on the next tick); the record says it.
        message = message + " (the executor reported " + a.replicas() + " replicas applied, not "
            + "the " + desired + " asked for; counted as " + desired + ")";
        LOG.warn("{}: executor answered applied {} to a request of {} -> {}", ref, a.replicas(),
            current, desired);
      }
      switch (outcome.status()) {
        case APPLIED -> {
          action = Action.APPLIED;
          if (mode == Mode.HPA_FLOOR) {
            int written = ((ScaleOutcome.Applied) outcome).replicas();
            s.lastFloorSent = written < desired ? written : desired;
            s.floorPlanned = desired;
          } else if (desired > current) {
            s.lastScaleUp = now;
            s.pendingReadyTarget = desired;
            Instant appliedAt = clock.instant(); // the pods start once the call returned
            s.pendingSince = appliedAt.isAfter(now) ? appliedAt : now;
            s.scaleUpReturnedAt = appliedAt.isAfter(now) ? appliedAt : null;
          } else if (desired < current) {
            s.lastScaleDown = now;
          }
        }
        case REFUSED -> action = Action.REFUSED;
        case FAILED -> action = Action.FAILED;
        default -> throw new IllegalStateException("unknown outcome " + outcome);
      }
      if (mode == Mode.HPA_FLOOR && action != Action.APPLIED) {
        // The floor the HPA holds is unknown now: a failed one may have landed, and one refused
        // for not leading may find another replica's floor there. Sent again at the next tick.
        s.lastFloorSent = -1;
      }
      uncertain.applied(s, mode, action, message, current, desired, now);
      if (stillHeld) {
        action = Action.NONE;
      } else if (action != Action.APPLIED) {
        // Asked again on every tick that wants the change (an HPA also targeting an ACT
        // workload refuses every one): logged now and then, not on every tick.
        int n = s.notApplied.next();
        InARow.log(LOG, n, "{}: scale {} -> {} not applied{}: {}", ref, current, desired,
            InARow.ofCount(n), message);
      } else {
        int failed = s.notApplied.end();
        if (failed > 0) {
          LOG.info("{}: scale applied again, after {} not applied in a row", ref, failed);
        }
        LOG.info("{}: scaled {} -> {} ({}): {}", ref, current, desired, mode, p.explain());
      }
    } else {
      // No change wanted: a run of refusals ends here, so that a later one, of whatever cause,
      // warns on its first (it went on from the old count, at DEBUG).
      int failed = s.notApplied.end();
      if (failed > 0) {
        LOG.info("{}: no change asked any more, after {} not applied in a row", ref, failed);
      }
    }
    boolean applied = action == Action.APPLIED && mode == Mode.ACT;
    PastDecision past = new PastDecision(now, current, desired, applied, p.marks());
    s.recent.addLast(past);
    decided(s, past);
    long seq = sequence++;
    DecisionRecord record = new DecisionRecord(seq, now, ref, mode, kind, current,
        replicas.ready(), raw, unavailable, loads, forecasts, proposed, desired,
        UncertainApplies.withNote(landed, p.reasons()), p.marks(), action, message,
        Optional.empty(), timing(s));
    if (kind == Kind.SCALE) {
      s.followUps.addLast(new PendingFollowUp(seq, now.plus(followUpAfter)));
    }
    write(record);
    if (outcome != null && !stillHeld) {
      ScaledEvent e = new ScaledEvent(ref, now, mode, current, desired, p.reasons(), outcome);
      publish(l -> l.onScaled(e), ref);
    }
  }

  private Map<String, Forecast> forecasts(WorkloadState s) {
    Map<String, Forecast> out = new LinkedHashMap<>();
    for (MetricState ms : s.metrics.values()) {
      if (ms.forecast != null) {
        out.put(ms.target.name(), ms.forecast);
      }
    }
    return out;
  }

  /**
   * Holds the workload at its count for {@code problems} and journals it, with {@code landed}
   * (the note of an uncertain apply counted on this tick, or null) in its record. A hold that is
   * not {@code quiet} is logged at WARN when the workload starts holding and on every 20th held
   * tick in a row (the count of a run goes on while its reasons change), at DEBUG in between;
   * {@link #decide} logs at INFO when it decides again. A quiet hold is normal operation (see
   * evaluate), logged at DEBUG, and neither starts nor ends a run.
   */
  private void hold(WorkloadState s, Instant now, ReplicaStatus replicas, Map<String, Double> raw,
      Map<String, String> unavailable, Map<String, Double> loads, List<String> problems,
      Reason landed, boolean quiet) {
    WorkloadRef ref = s.spec.workload();
    int current = replicas == null ? -1 : replicas.current();
    int ready = replicas == null ? -1 : replicas.ready();
    List<Reason> reasons = new ArrayList<>();
    for (String p : problems) {
      reasons.add(new Reason("hold", current, current, p));
    }
    reasons = UncertainApplies.withNote(landed, reasons);
    String held = current < 0 ? "held" : "held at " + current;
    if (quiet) {
      LOG.debug("{}: {}: {}", ref, held, problems);
    } else {
      // A metrics outage holds tick after tick, and the source may log it at DEBUG only: the
      // engine says it, on the first held tick and every 20th, as it does for plug-in failures.
      // Before the workload's first decision the first is INFO: a source's first sample often
      // comes a scrape or a metrics delay after the start (every simulated run holds so).
      int n = s.holds.next();
      if (n == 1 && !s.decided) {
        LOG.info("{}: {} (no decision yet since it was registered): {}", ref, held,
            String.join("; ", problems));
      } else if (InARow.warns(n)) {
        LOG.warn("{}: {}{}: {}", ref, held, InARow.ofCount(n), String.join("; ", problems));
      } else {
        LOG.debug("{}: {}{}: {}", ref, held, InARow.ofCount(n), String.join("; ", problems));
      }
    }
    pruneRecent(s, now);
    if (current >= 0) {
      s.recent.addLast(new PastDecision(now, current, current, false, Map.of()));
    }
    DecisionRecord record = new DecisionRecord(sequence++, now, ref, s.spec.mode(), Kind.HOLD,
        current, ready, raw, unavailable, loads, forecasts(s), current, current, reasons,
        Map.of(), Action.NONE, "held: " + String.join("; ", problems), Optional.empty(),
        timing(s));
    write(record);
    HeldEvent e = new HeldEvent(ref, now, current, problems);
    publish(l -> l.onHeld(e), ref);
  }

  /** {@code at} when it is after the record's {@code time}, as the engine writes it; else time. */
  private static Instant after(Instant time, Optional<Instant> at) {
    return at.filter(i -> i.isAfter(time)).orElse(time);
  }

  /** What a restore needs to rebuild the tick's state that its instant does not tell. */
  private static DecisionRecord.Timing timing(WorkloadState s) {
    Map<String, DecisionRecord.Sample> samples;
    if (s.metrics.size() == 1) { // most workloads: no map to build and copy (see BENCHMARKS)
      Map.Entry<String, MetricState> only = s.metrics.entrySet().iterator().next();
      MetricState ms = only.getValue();
      samples = ms.lastSampleTime == null ? Map.of() : Map.of(only.getKey(),
          new DecisionRecord.Sample(ms.target.type(), ms.lastSampleTime));
    } else {
      Map<String, DecisionRecord.Sample> taken = new HashMap<>();
      s.metrics.forEach((name, ms) -> {
        if (ms.lastSampleTime != null) {
          taken.put(name, new DecisionRecord.Sample(ms.target.type(), ms.lastSampleTime));
        }
      });
      samples = taken;
    }
    return new DecisionRecord.Timing(Optional.ofNullable(s.countsReadAt),
        Optional.ofNullable(s.scaleUpReturnedAt), samples);
  }

  private void dueFollowUps(WorkloadState s, Instant now, ReplicaStatus replicas,
      Map<String, Double> loads) {
    if (replicas == null) {
      return;
    }
    while (!s.followUps.isEmpty() && !s.followUps.peekFirst().due().isAfter(now)) {
      PendingFollowUp f = s.followUps.removeFirst();
      try {
        journal.followUp(f.sequence(), s.spec.workload(),
            new FollowUp(now, replicas.current(), replicas.ready(), loads));
      } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
        Interrupts.keep(e);
        LOG.warn("{}: journal follow-up failed: {}", s.spec.workload(), e.toString());
      }
    }
  }

  private void write(DecisionRecord record) {
    try {
      journal.append(record);
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      Interrupts.keep(e);
      LOG.warn("{}: journal append failed: {}", record.workload(), e.toString());
      publishAfterRecord(new FailureEvent(record.workload(), record.time(), "journal", e));
    }
    if (!listeners.isEmpty()) {
      DecisionEvent e = new DecisionEvent(record);
      publish(l -> l.onDecision(e), record.workload());
    }
    publishTickFailures();
  }

  /**
   * Publishes the failures of the workload evaluated (the journal's own last), once its record
   * is written and its onDecision published.
   */
  private void publishTickFailures() {
    if (tickFailures.isEmpty()) {
      return;
    }
    List<FailureEvent> events = List.copyOf(tickFailures);
    tickFailures.clear();
    for (FailureEvent event : events) {
      publish(l -> l.onFailure(event), event.workload());
    }
  }

  /**
   * Logs a plug-in failure that holds the workload, counted in {@code run} (its failures in a
   * row, see {@link #failure(WorkloadRef, Instant, String, Throwable, int)}).
   */
  private void failure(WorkloadRef ref, Instant now, String stage, Throwable e, InARow run) {
    failure(ref, now, stage, e, run.next());
  }

  /**
   * Ends the run of failures counted in {@code run}: the {@code stage} plug-in answered, and says
   * so at INFO when it had failed.
   */
  private static void answered(WorkloadRef ref, String stage, InARow run) {
    int failed = run.end();
    if (failed > 0) {
      LOG.info("{}: {} answered again, after {} failure{} in a row", ref, stage, failed,
          failed == 1 ? "" : "s");
    }
  }

  /**
   * Logs a plug-in failure that holds the workload, the {@code inARow}th of that plug-in in a
   * row: logged at WARN on the first and every 20th, at DEBUG in between (each plug-in is asked
   * again on every tick while it fails); published every time, after the tick's record is
   * written.
   */
  private void failure(WorkloadRef ref, Instant now, String stage, Throwable e, int inARow) {
    if (inARow == 1) {
      LOG.warn("{}: {} failed, holding: {}", ref, stage, e.toString());
    } else if (InARow.warns(inARow)) {
      LOG.warn("{}: {} failed ({} in a row), holding: {}", ref, stage, inARow, e.toString());
    } else {
      LOG.debug("{}: {} failed ({} in a row), holding: {}", ref, stage, inARow, e.toString());
    }
    publishAfterRecord(new FailureEvent(ref, now, stage, e));
  }

  /**
   * Logs an executor's apply that threw: the workload is not held, the tick's record is a scale
   * that FAILED, and the call may have landed. It is asked again on the next tick that wants the
   * change, so it is logged as often as the "not applied" line that follows it, in the same run
   * of {@code s.notApplied}: at WARN on the first and every 20th, at DEBUG in between. Published
   * every time, after the record is written.
   */
  private void applyFailure(WorkloadRef ref, WorkloadState s, Instant now, Throwable e) {
    int n = (int) Math.min(Integer.MAX_VALUE, s.notApplied.count() + 1L);
    InARow.log(LOG, n, "{}: executor failed to apply (it may have landed){}: {}", ref,
        InARow.ofCount(n), e.toString());
    publishAfterRecord(new FailureEvent(ref, now, "executor", e));
  }

  /** Keeps {@code event} to publish once the tick's record of its workload is written. */
  private void publishAfterRecord(FailureEvent event) {
    if (!listeners.isEmpty()) {
      tickFailures.add(event);
    }
  }

  private void publish(Consumer<EngineListener> call, WorkloadRef ref) {
    for (EngineListener l : listeners) {
      try {
        call.accept(l);
      } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
        Interrupts.keep(e);
        LOG.warn("{}: listener {} failed: {}", ref, l.getClass().getName(), e.toString());
      }
    }
  }

  /**
   * Builds an {@link AutoscalerEngine}. Setters check their own argument at once; {@link #build()}
   * checks the rest and reports every problem in one exception.
   */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private MetricSource metricSource;
    private Forecaster forecaster;
    private DecisionPolicy policy;
    private ScaleExecutor executor = ScaleExecutor.observeOnly();
    private DecisionJournal journal;
    private final List<EngineListener> listeners = new ArrayList<>();
    private final Map<WorkloadRef, WorkloadSpec> workloads = new LinkedHashMap<>();
    private final List<String> duplicates = new ArrayList<>();
    private Duration syncPeriod = DEFAULT_SYNC_PERIOD;
    private Duration metricsDelay = DEFAULT_METRICS_DELAY;
    /** Null until set: then {@link #historyStep()} follows the sync period. */
    private Duration historyStep;
    private Duration historyLength = DEFAULT_HISTORY_LENGTH;
    private Duration maxMetricAge = DEFAULT_MAX_METRIC_AGE;
    private Duration decisionMemory = DEFAULT_DECISION_MEMORY;
    private Duration followUpAfter = DEFAULT_FOLLOW_UP_AFTER;
    private boolean backfill = true;
    private Duration callTimeout = Duration.ZERO;
    /** Makes the call pool's threads; null for the engine's own daemon threads. For tests. */
    private ThreadFactory callThreads;
    /** The policy's {@link DecisionPolicy#memory()}, read and checked once by build(). */
    private Duration policyMemory = Duration.ZERO;

    private Builder() {}

    /**
     * For tests: makes the call pool's threads instead of the engine's daemon threads, e.g. a
     * factory that fails as a process out of native threads does. It is asked for a thread on
     * every call (none is kept idle), so a test can tell which call it fails.
     */
    Builder callThreadFactory(ThreadFactory callThreads) {
      this.callThreads = Objects.requireNonNull(callThreads, "callThreads");
      return this;
    }

    /**
     * The longest a metric source or executor call may take, in [0, 10 min], whole milliseconds
     * (so at least 1 ms when not 0); default 0, which runs calls inline on the calling thread
     * without a timeout. Production engines should set one (e.g. 5 s).
     *
     * <p>With a timeout, the source's {@code read} and {@code history} and the executor's
     * {@code replicas}, {@code apply} and {@code release} run on a pool of daemon threads named
     * {@code prescaler-call-N}, so a hanging plug-in cannot stall a tick, a registration or a
     * demotion beyond its own timeout. A read that times out holds the workload; an apply that
     * times out is recorded as failed, "may have been applied"; a backfill that times out starts
     * without history; a release that times out is kept pending and sent again on the next
     * ticks, once no call of that workload runs (at close, running releases get one more
     * timeout). A call that ignores the interrupt keeps running, and until it returns the engine
     * makes no new call of that stage for that workload: the workload is held ("previous executor
     * call still running since ..."), so each workload has at most one call in flight per stage.
     */
    public Builder callTimeout(Duration callTimeout) {
      this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
      return this;
    }

    /** The clock all decisions are timed by; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where metrics come from; required. */
    public Builder metricSource(MetricSource metricSource) {
      this.metricSource = Objects.requireNonNull(metricSource, "metricSource");
      return this;
    }

    /** The forecaster; without one, policies see no forecasts (reactive scaling only). */
    public Builder forecaster(Forecaster forecaster) {
      this.forecaster = Objects.requireNonNull(forecaster, "forecaster");
      return this;
    }

    /** The decision policy (use {@link DecisionPolicy#chain} for several steps); required. */
    public Builder policy(DecisionPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Applies decisions; default {@link ScaleExecutor#observeOnly()}. */
    public Builder executor(ScaleExecutor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Where decisions are recorded; default an {@link InMemoryJournal} of 10,000 records. */
    public Builder journal(DecisionJournal journal) {
      this.journal = Objects.requireNonNull(journal, "journal");
      return this;
    }

    /** Adds a listener. */
    public Builder listener(EngineListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Registers a workload at build time; each workload once. */
    public Builder workload(WorkloadSpec spec) {
      Objects.requireNonNull(spec, "workload");
      if (workloads.putIfAbsent(spec.workload(), spec) != null) {
        duplicates.add(spec.workload().toString());
      }
      return this;
    }

    /**
     * Tick period, in [1 s, 1 h]; default 15 s. Whatever its length, each tick's policy sees the
     * newest decided past decision (see {@link #decisionMemory(Duration) decisionMemory}).
     */
    public Builder syncPeriod(Duration syncPeriod) {
      this.syncPeriod = Objects.requireNonNull(syncPeriod, "syncPeriod");
      return this;
    }

    /**
     * How late metrics arrive, in [0, 1 h]; default 60 s. Part of the lead time. It is not what
     * makes a sample stale: a sample's age is its own time against the clock (a Prometheus
     * source stamps its readings with the query's time), so a source whose times lag by this
     * much needs a {@link #maxMetricAge(Duration) maxMetricAge} larger than it, or every sample
     * is stale and every tick holds.
     */
    public Builder metricsDelay(Duration metricsDelay) {
      this.metricsDelay = Objects.requireNonNull(metricsDelay, "metricsDelay");
      return this;
    }

    /**
     * Step of the load history, in [1 s, 1 h]; default {@link
     * AutoscalerEngine#defaultHistoryStep} of the sync period (60 s up to a 60 s sync period).
     * Each tick adds one sample, so a step shorter than the sync period leaves steps missing
     * between ticks, and forecasts fitted on such a history overshoot.
     */
    public Builder historyStep(Duration historyStep) {
      this.historyStep = Objects.requireNonNull(historyStep, "historyStep");
      return this;
    }

    /**
     * The step set, or else the default: {@link AutoscalerEngine#defaultHistoryStep} of the sync
     * period when that is valid (one out of range or finer than a millisecond is refused as the
     * sync period's, not the step's).
     */
    private Duration historyStep() {
      if (historyStep != null) {
        return historyStep;
      }
      return syncPeriod.compareTo(Duration.ofHours(1)) <= 0 && syncPeriod.getNano() % 1_000_000 == 0
          ? defaultHistoryStep(syncPeriod) : DEFAULT_HISTORY_STEP;
    }

    /** Length of the load history, 1 to 100,000 steps; default 7 days. */
    public Builder historyLength(Duration historyLength) {
      this.historyLength = Objects.requireNonNull(historyLength, "historyLength");
      return this;
    }

    /**
     * Age beyond which a sample is stale and holds the workload, measured from the sample's own
     * time, in [1 s, 1 day]; default 5 minutes. With a source whose samples are stamped when they
     * were measured, set it above {@link #metricsDelay(Duration) metricsDelay} (the simulator
     * uses metricsDelay + 5 minutes).
     */
    public Builder maxMetricAge(Duration maxMetricAge) {
      this.maxMetricAge = Objects.requireNonNull(maxMetricAge, "maxMetricAge");
      return this;
    }

    /**
     * The minimum span of past decisions given to policies, in [0, 1 day]; default 10 minutes.
     * The engine keeps the longer of this and {@link DecisionPolicy#memory()} (which {@link
     * #build()} reads once and requires in the same bounds), and beyond it the newest decided
     * past decision (not a hold; one with marks before a pin applied through a metrics outage,
     * on which the chain did not run), whatever its age: a policy always sees the last tick that
     * decided, also with a {@link #syncPeriod(Duration) sync period} longer than this, ticks
     * that start late, or held ticks in between (with none, such a tick would be its first: the
     * HPA would record its first sync's count again and never scale down). Older decisions and
     * holds are dropped, so a long outage keeps this span of holds and that one decision. After
     * an outage longer than the memory a policy's windows hold only what falls in them, as the
     * HPA controller's recommendations age out; a new engine without {@link
     * AutoscalerEngine#restore restore} starts without past decisions, as a restarted
     * controller does.
     */
    public Builder decisionMemory(Duration decisionMemory) {
      this.decisionMemory = Objects.requireNonNull(decisionMemory, "decisionMemory");
      return this;
    }

    /** When a decision's follow-up is journaled, in [1 s, 1 day]; default 5 minutes. */
    public Builder followUpAfter(Duration followUpAfter) {
      this.followUpAfter = Objects.requireNonNull(followUpAfter, "followUpAfter");
      return this;
    }

    /** Whether a new workload's history is read from the source at once; default true. */
    public Builder backfill(boolean backfill) {
      this.backfill = backfill;
      return this;
    }

    /**
     * Builds the engine and registers the workloads given.
     *
     * @throws InvalidConfigurationException listing every problem, the policy's {@link
     *     DecisionPolicy#memory()} among them (out of [0, 1 day], null or throwing)
     * @throws IllegalStateException when the forecaster's {@link Forecaster#forSeries()} throws or
     *     returns null for a workload given (see {@link AutoscalerEngine#register})
     */
    public AutoscalerEngine build() {
      Values.Problems p = new Values.Problems();
      p.check(metricSource != null, "no MetricSource: call metricSource(...)");
      p.check(policy != null, "no DecisionPolicy: call policy(...)");
      for (String d : duplicates) {
        p.add("workloads must be unique, but " + d + " was given twice");
      }
      checkRange(p, "syncPeriod", syncPeriod, Duration.ofSeconds(1), Duration.ofHours(1));
      checkRange(p, "metricsDelay", metricsDelay, Duration.ZERO, Duration.ofHours(1));
      Duration historyStep = historyStep();
      checkRange(p, "historyStep", historyStep, Duration.ofSeconds(1), Duration.ofHours(1));
      checkRange(p, "maxMetricAge", maxMetricAge, Duration.ofSeconds(1), Duration.ofDays(1));
      checkRange(p, "decisionMemory", decisionMemory, Duration.ZERO, MAX_DECISION_MEMORY);
      checkRange(p, "followUpAfter", followUpAfter, Duration.ofSeconds(1), Duration.ofDays(1));
      checkRange(p, "callTimeout", callTimeout, Duration.ZERO, Duration.ofMinutes(10));
      if (policy != null) {
        policyMemory = policyMemory(p, policy);
      }
      checkWholeMillis(p, "syncPeriod", syncPeriod);
      checkWholeMillis(p, "historyStep", historyStep);
      // As the other durations: a part finer than a millisecond means nothing to a call's wait,
      // and this way a timeout other than 0 is at least 1 ms (one shorter than handing the call
      // to a thread would time out every call).
      checkWholeMillis(p, "callTimeout", callTimeout);
      if (historyStep.compareTo(Duration.ofSeconds(1)) >= 0) {
        long steps = historyLength.dividedBy(historyStep); // toMillis() overflows on huge ones
        p.check(steps >= 1 && steps <= 100_000, "historyLength must be 1 to 100000 historySteps ("
            + historyStep + "), but was " + historyLength);
      }
      p.throwIfAny("AutoscalerEngine");
      if (journal == null) {
        journal = new InMemoryJournal();
      }
      return new AutoscalerEngine(this);
    }

    /**
     * The policy's {@link DecisionPolicy#memory()}, read once: it must be in the bounds of
     * {@code decisionMemory}, [0, 1 day], or every tick would fail to prune the past decisions
     * (a memory of {@code ChronoUnit.FOREVER} overflows {@code now − memory}). A problem is added
     * for one out of range, null or throwing, and zero returned.
     */
    private static Duration policyMemory(Values.Problems p, DecisionPolicy policy) {
      String field = "memory() of policy " + policy.name();
      Duration m;
      try {
        m = policy.memory();
      } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
        Interrupts.keep(e);
        p.add(field + " must be in [" + Duration.ZERO + ", " + MAX_DECISION_MEMORY
            + "], but threw " + e);
        return Duration.ZERO;
      }
      if (m == null) {
        p.add(field + " must be in [" + Duration.ZERO + ", " + MAX_DECISION_MEMORY
            + "], but was null");
        return Duration.ZERO;
      }
      checkRange(p, field, m, Duration.ZERO, MAX_DECISION_MEMORY);
      return m;
    }

    private static void checkRange(Values.Problems p, String field, Duration d, Duration min,
        Duration max) {
      p.check(d.compareTo(min) >= 0 && d.compareTo(max) <= 0,
          field + " must be in [" + min + ", " + max + "], but was " + d);
    }

    /** The engine's grids are kept in milliseconds: a finer part would drift from them. */
    private static void checkWholeMillis(Values.Problems p, String field, Duration d) {
      p.check(d.getNano() % 1_000_000 == 0,
          field + " must be a whole number of milliseconds, but was " + d);
    }
  }
}
