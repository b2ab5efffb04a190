package dev.prescaler.agent;

import com.sun.net.httpserver.HttpExchange;
import dev.prescaler.core.AsyncListener;
import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.EngineListener;
import dev.prescaler.core.InARow;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.event.HeldEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;
import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.decision.Policies;
import dev.prescaler.decision.PredictivePolicy;
import dev.prescaler.forecast.Forecasters;
import dev.prescaler.journal.JsonLinesJournal;
import dev.prescaler.k8s.HpaFloorExecutor;
import dev.prescaler.k8s.KubernetesEventListener;
import dev.prescaler.k8s.LeaseElector;
import dev.prescaler.k8s.MetricsServerSource;
import dev.prescaler.k8s.ModeRoutingExecutor;
import dev.prescaler.k8s.ModeStore;
import dev.prescaler.k8s.ScaleSubresourceExecutor;
import dev.prescaler.prometheus.PrometheusMetricSource;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent: the engine with the default predictive stack, metrics from Prometheus and/or
 * the Metrics Server, the Kubernetes executors (direct scale or HPA floor, per workload),
 * Kubernetes Events, leader election, promotion, self-metrics and health endpoints.
 *
 * <p>Every workload starts observe-only (or resumes the mode its journal last recorded). Only the
 * leader ticks. The leader writes every mode change to the mode store (a ConfigMap, {@code
 * kubernetes.modeStore}), and a replica that starts leading resumes the modes stored there, so
 * an earned mode survives a failover or a rollout. {@link #close()} ends the tick in flight after
 * the workload it is evaluating, restores the HPAs it steered, flushes the journal and gives up
 * the lease.
 *
 * <p>Health: {@code /healthz} answers 503 only when the agent has made no progress for {@link
 * #livenessThreshold} (no round started, no workload evaluated, no mode changed, no workload
 * registered at start), so that a slow or unreachable metric source, which makes rounds long but
 * not stuck, does not get the agent restarted. {@code /readyz} answers 200 from the end of the
 * first round until {@link #close()}.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
  /**
   * How much of the journal a restart restores: the decision memory of the default stacks (10
   * min) with room for longer windows, and the records that forecast accuracy and startup delays
   * are measured again from, without reading days of records into memory. A measured startup
   * delay survives a restart only if its scale-up started and finished within this window (and
   * the engine uses the median once three were measured), so a workload that scaled up less often
   * starts again from its spec's startupDelay. Each replica restores its own journal: after a
   * failover the new leader knows only what it journaled while it led before.
   */
  static final Duration RESTORE_WINDOW = Duration.ofHours(2);
  /** Connect, read and write timeout of every Kubernetes API request. */
  static final Duration API_TIMEOUT = Duration.ofSeconds(10);
  /** How the body of {@code /healthz} begins when the agent made no progress in time. */
  static final String NO_PROGRESS = "no progress since ";
  /** How the reason of a mode resumed from the journal at start begins. */
  static final String RESUMED_FROM_JOURNAL = "resumed after restart";
  /** How the reason of a mode resumed from the mode store on a new term begins. */
  static final String RESUMED_FROM_STORE = "resumed as leader from mode store";
  /** The reason of a mode set at start by {@code promoted: true}. */
  static final String PROMOTED_IN_CONFIGURATION =
      "promoted manually in the configuration (promoted: true)";

  private final AgentConfig config;
  private final Clock clock;
  private final AutoscalerEngine engine;
  private final PromotionController promotion;
  private final AgentMetrics metrics;
  private final Optional<LeaseElector> elector;
  private final ScaleExecutor executor;
  private final Optional<ModeStore> modeStore;
  private final Optional<ModeStoreListener> modeStoreListener;
  /** Posts the Kubernetes Events off the tick, so that a slow API server cannot stall it. */
  private final AsyncListener kubernetesEvents;
  /*
   * Two locks. `lock` is held by a round from start to end (and by the start-up registration, so
   * that a round never overlaps it); `state` guards starting and stopping (scheduler, loop,
   * server) and is never held across a round, so that close() does not wait for one: it asks the
   * engine to stop (the tick ends after the workload in flight), then takes `lock` to wait for
   * the rest of the round, which checks `closed` between its steps, before it gives up the Lease.
   */
  private final Object lock = new Object();
  private final Object state = new Object();
  private boolean leadingBefore;
  /** The elector's acquisitions at the last round (guarded by lock). */
  private long acquisitionsSeen;
  /** Whether the mode store has been read since this replica started leading (guarded by lock). */
  private boolean storeResumed;
  /**
   * Whether the entries of workloads not in the configuration have been removed from the mode
   * store since this replica started leading (guarded by lock).
   */
  private boolean storePruned;
  /** HPA floors left by an earlier leader whose release failed, sent again each round. */
  private final Set<WorkloadRef> floorsToRelease = new LinkedHashSet<>();
  /**
   * The failed releases in a row of each workload in {@link #floorsToRelease} (guarded by lock):
   * per workload, as the engine counts a plug-in's failures, since each release is sent again
   * once a round and ends on its own.
   */
  private final Map<WorkloadRef, InARow> releaseFailures = new HashMap<>();
  /**
   * The rounds in a row whose read of the mode store failed (guarded by lock). The store logs
   * why by its own count of reads; this replica's line says what it does meanwhile.
   */
  private final InARow storeReadFailures = new InARow();
  /**
   * The workloads {@code promoted: true} promoted at start, whose {@code Promoted} Event this
   * replica posts on the first round it leads (guarded by lock; emptied then): at start it may
   * not lead yet, and the Events listener posts only the leader's.
   */
  private final List<ModeChangedEvent> promotedAtStart = new ArrayList<>();
  /** The configured workloads' modes, as the promotion targets them. */
  private final Map<WorkloadRef, Mode> targets;
  /** Journal records to restore once the workloads are registered; dropped then. */
  private List<dev.prescaler.core.journal.DecisionRecord> past;
  /** Journaled mode changes to resume once the workloads are registered; dropped then. */
  private List<ModeChangedEvent> pastModes;
  /** How long {@code /healthz} tolerates no progress: see {@link #livenessThreshold}. */
  private final Duration livenessThreshold;
  private HTTPServer server; // guarded by state
  private ScheduledExecutorService scheduler; // guarded by state
  private ScheduledFuture<?> loop; // guarded by state
  /** The configured workloads registered with the engine so far, for {@code /readyz}. */
  private volatile int registeredWorkloads;
  /** Whether every configured workload is registered, and the journal restored. */
  private volatile boolean registered;
  /**
   * When the agent last made progress: a round started, a workload was evaluated or changed
   * mode (an engine event), a step of a round or a workload's registration at start ended.
   */
  private volatile Instant lastProgress;
  private volatile boolean ready;
  private volatile boolean closed;

  private Agent(AgentConfig config, ApiClient client, Clock clock, LongSupplier ticker) {
    this.config = config;
    this.clock = clock;
    this.livenessThreshold = livenessThreshold(config.engine());
    AgentConfig.Kubernetes k = config.kubernetes();
    String identity = k.identity().isEmpty()
        ? defaultIdentity(() -> InetAddress.getLocalHost().getHostName(), System::getenv)
        : k.identity();

    Map<WorkloadRef, Map<String, MetricSource>> routes = new LinkedHashMap<>();
    Map<Map<String, String>, PrometheusMetricSource> prometheusByTemplates = new HashMap<>();
    MetricsServerSource metricsServer = MetricsServerSource.builder(client).clock(clock).build();
    Map<WorkloadRef, Mode> targets = new LinkedHashMap<>();
    for (AgentConfig.Workload w : config.workloads()) {
      Map<String, String> templates = new LinkedHashMap<>();
      w.metrics().forEach((name, src) -> src.query().ifPresent(q -> templates.put(name, q)));
      Map<String, MetricSource> byMetric = new LinkedHashMap<>();
      for (Map.Entry<String, AgentConfig.MetricSource> e : w.metrics().entrySet()) {
        if (e.getValue().source().equals("prometheus")) {
          byMetric.put(e.getKey(), prometheusByTemplates.computeIfAbsent(templates,
              t -> prometheus(config.prometheus().orElseThrow(), t)));
        } else {
          byMetric.put(e.getKey(), metricsServer);
        }
      }
      routes.put(w.spec().workload(), byMetric);
      targets.put(w.spec().workload(), w.spec().mode());
    }

    ScaleExecutor executor = new ModeRoutingExecutor(
        ScaleSubresourceExecutor.builder(client).clock(clock)
            .syncPeriod(config.engine().syncPeriod()).build(),
        HpaFloorExecutor.builder(client).clock(clock).build());
    this.elector = k.leaderElection()
        ? Optional.of(leaseElector(client, clock, ticker, k, config.engine().callTimeout(),
            identity))
        : Optional.empty();
    if (elector.isPresent()) {
      executor = elector.get().guard(executor);
    }
    this.executor = executor;
    BooleanSupplier leading = elector.isPresent() ? elector.get()::isLeader : () -> true;
    // Owned by this deployment's Lease: another deployment given the same ConfigMap neither
    // writes into it nor prunes it. Each write checks again that this replica leads, so that one
    // held past its leadership (a slow store, a conflict read again) leaves the next leader's
    // entries alone.
    this.modeStore = k.modeStore().map(name -> ModeStore.builder(client, k.leaseNamespace())
        .name(name).owner(k.leaseName()).clock(clock).writesWhen(leading).build());
    this.modeStoreListener = modeStore.map(store -> new ModeStoreListener(store, leading));
    this.kubernetesEvents = AsyncListener.of(events(client, clock, identity),
        "kubernetes-events");
    this.targets = targets;
    Optional<Path> journalFile = config.engine().journal();
    this.pastModes = List.of();
    this.past = List.of();
    if (journalFile.isPresent() && JsonLinesJournal.exists(journalFile.get())) {
      // Read before the writer opens it: a rotation during a read could hide lines.
      JsonLinesJournal.Contents read = JsonLinesJournal.readSinceWithModes(journalFile.get(),
          clock.instant().minus(RESTORE_WINDOW));
      past = read.records();
      pastModes = read.modes();
    }
    DecisionJournal journal = journalFile.<DecisionJournal>map(f -> JsonLinesJournal.builder(f)
            .maxFileSize(config.engine().journalMaxFileSize()).build())
        .orElseGet(() -> new InMemoryJournal(10_000));

    this.metrics = new AgentMetrics(new PrometheusRegistry());
    // A refusal because the Lease lapsed during a round is not the workload's.
    this.promotion = new PromotionController(config.promotion(), targets,
        LeaseElector::refusedForNotLeading);
    AutoscalerEngine.Builder b = AutoscalerEngine.builder()
        .clock(clock)
        .metricSource(new RoutingMetricSource(routes))
        .forecaster(Forecasters.named(config.engine().forecaster()).orElseThrow())
        .policy(policy(config))
        .executor(executor)
        .journal(journal)
        .syncPeriod(config.engine().syncPeriod())
        .metricsDelay(config.engine().metricsDelay())
        .callTimeout(config.engine().callTimeout())
        .listener(progressListener())
        .listener(metrics)
        .listener(promotion)
        .listener(exceptPromotedAtStart(kubernetesEvents));
    modeStoreListener.ifPresent(b::listener);
    // No workload yet: their registration reads each one's history, which registerWorkloads()
    // does, with the HTTP server open when the agent is started (see start()).
    this.engine = b.build();
    metrics.bind(engine);
    metrics.listener("kubernetes-events", kubernetesEvents);
    promotion.bind(engine);
  }

  /**
   * Registers every configured workload with the engine, which reads the history of each of its
   * metrics (each read bounded by the call timeout), in the configuration's order; then restores
   * the engine from the journal and resumes the modes the workloads had earned. Each workload
   * registered counts as progress for {@code /healthz}. Once only; a round waits for it. Stops
   * (leaving the agent unregistered, so that it never starts its rounds) when the agent is
   * closed meanwhile. An interrupt does not stop it: each history read then ends at once, and
   * the workload starts without its history.
   *
   * @throws IllegalStateException when the forecaster fails a workload's registration
   */
  private void registerWorkloads() {
    synchronized (lock) {
      if (registered) {
        return;
      }
      progress();
      int done = 0;
      try {
        for (AgentConfig.Workload w : config.workloads()) {
          if (closed) {
            LOG.info("agent stopping: {} of {} workloads registered", done,
                config.workloads().size());
            return;
          }
          engine.register(w.spec().withMode(Mode.OBSERVE_ONLY));
          registeredWorkloads = ++done;
          progress();
        }
      } catch (IllegalStateException e) {
        if (closed) {
          LOG.info("agent stopping: {} of {} workloads registered", done,
              config.workloads().size());
          return;
        }
        throw e;
      }
      engine.restore(past);
      List<ModeChangedEvent> journaled = pastModes;
      past = List.of();
      pastModes = List.of();
      modeStoreListener.ifPresent(l -> l.journaled(
          journaled.stream().filter(e -> !reapplied(e)).toList()));
      try {
        resuming(() -> {
          resumeModes(journaled, targets);
          for (AgentConfig.Workload w : config.workloads()) {
            WorkloadRef ref = w.spec().workload();
            if (w.promoted() && w.spec().mode() != Mode.OBSERVE_ONLY
                && engine.spec(ref).orElseThrow().mode() == Mode.OBSERVE_ONLY) {
              engine.mode(ref, w.spec().mode(), PROMOTED_IN_CONFIGURATION);
              promotedAtStart.add(new ModeChangedEvent(ref, clock.instant(), Mode.OBSERVE_ONLY,
                  w.spec().mode(), PROMOTED_IN_CONFIGURATION));
            }
          }
        });
      } catch (IllegalStateException e) {
        if (closed) {
          return; // "engine is closed": the agent is stopping
        }
        throw e;
      }
      registered = true;
    }
  }

  /** Takes every engine event (the engine publishes one or more per workload) as progress. */
  private EngineListener progressListener() {
    return new EngineListener() {
      @Override
      public void onDecision(DecisionEvent event) {
        progress();
      }

      @Override
      public void onScaled(ScaledEvent event) {
        progress();
      }

      @Override
      public void onHeld(HeldEvent event) {
        progress();
      }

      @Override
      public void onFailure(FailureEvent event) {
        progress();
      }

      @Override
      public void onModeChanged(ModeChangedEvent event) {
        progress();
      }
    };
  }

  /**
   * Notes that the agent made progress now, on its clock (an event's own time is its tick's
   * start, which says nothing of the tick's progress since).
   */
  private void progress() {
    lastProgress = clock.instant();
  }

  /**
   * {@code events} without the mode changes of {@code promoted: true} applied at start, which
   * {@link #postPromotedAtStart} posts once this replica leads: delivered as they happen, a
   * replica that does not lead yet (the Events listener posts only the leader's) dropped them,
   * and no {@code Promoted} Event ever said that the workload acts. The test is made as the
   * engine publishes, so that a delivery late on the listener's thread cannot post it twice.
   */
  private static EngineListener exceptPromotedAtStart(EngineListener events) {
    return new EngineListener() {
      @Override
      public void onDecision(DecisionEvent event) {
        events.onDecision(event);
      }

      @Override
      public void onScaled(ScaledEvent event) {
        events.onScaled(event);
      }

      @Override
      public void onHeld(HeldEvent event) {
        events.onHeld(event);
      }

      @Override
      public void onFailure(FailureEvent event) {
        events.onFailure(event);
      }

      @Override
      public void onModeChanged(ModeChangedEvent event) {
        if (!event.reason().equals(PROMOTED_IN_CONFIGURATION)) {
          events.onModeChanged(event);
        }
      }
    };
  }

  /**
   * On the first round this replica leads (or its first round, without leader election): posts
   * the {@code Promoted} Event of each workload {@code promoted: true} promoted at start that
   * still holds that mode, timed now. Once per run: a replica that leads again after another
   * one did posts nothing more, and one that takes over posts its own (each replica applies
   * {@code promoted: true} when it starts). Guarded by lock.
   */
  private void postPromotedAtStart() {
    for (ModeChangedEvent e : promotedAtStart) {
      if (engine.spec(e.workload()).map(s -> s.mode() == e.to()).orElse(false)) {
        kubernetesEvents.onModeChanged(new ModeChangedEvent(e.workload(), clock.instant(),
            e.from(), e.to(), e.reason()));
      }
    }
    promotedAtStart.clear();
  }

  /**
   * How long {@code /healthz} tolerates no progress: four sync periods, or four times a call
   * timeout plus a Kubernetes API request's timeout when that is longer (60 s with the defaults).
   * Between two signs of progress a live agent evaluates one workload (a source read, a replica
   * count and an apply, each bounded by the call timeout, and the mode-store write of a mode
   * change, one API request), releases one HPA (it may first wait a call timeout for an apply),
   * registers one workload at start (one history read per metric) or takes one step of a round
   * (a mode-store read, one API request). A slow or unreachable Prometheus makes each of these
   * slow, never endless, so only a loop that is really stuck stays silent that long.
   */
  static Duration livenessThreshold(AgentConfig.Engine engine) {
    Duration bySync = engine.syncPeriod().multipliedBy(4);
    Duration byCalls = engine.callTimeout().plus(API_TIMEOUT).multipliedBy(4);
    return bySync.compareTo(byCalls) >= 0 ? bySync : byCalls;
  }

  /**
   * Whether a journaled mode change re-applied a mode rather than changed it: a resume from the
   * journal or the mode store, or {@code promoted: true} applied at start. Such a change carries
   * the time it was applied, not the time the mode was earned, so it must not make this
   * replica's journal look newer than a later entry of the store. The agent alone makes the mode
   * changes of its engine, so their reasons tell them apart.
   */
  static boolean reapplied(ModeChangedEvent e) {
    return e.reason().startsWith(RESUMED_FROM_JOURNAL)
        || e.reason().startsWith(RESUMED_FROM_STORE)
        || e.reason().equals(PROMOTED_IN_CONFIGURATION);
  }

  /**
   * The lease elector of the configuration's {@code kubernetes} section: renewed within 2/3 of
   * the lease, retried 7 times per lease, both timed on {@code ticker}; its guard starts an
   * executor call only when the engine's {@code callTimeout} ends before the renew deadline.
   *
   * @throws IllegalArgumentException listing every invalid setting
   */
  static LeaseElector leaseElector(ApiClient client, Clock clock, LongSupplier ticker,
      AgentConfig.Kubernetes k, Duration callTimeout, String identity) {
    return LeaseElector.builder(client, k.leaseNamespace(), k.leaseName(), identity)
        .clock(clock).ticker(ticker).leaseDuration(k.leaseDuration())
        .renewDeadline(k.renewDeadline()).retryPeriod(k.retryPeriod()).callTimeout(callTimeout)
        .build();
  }

  /**
   * The default predictive stack; a workload with an {@code hpaBehavior} gets the same stack over
   * its own HPA as the floor.
   */
  static DecisionPolicy policy(AgentConfig config) {
    Map<WorkloadRef, DecisionPolicy> own = new HashMap<>();
    for (AgentConfig.Workload w : config.workloads()) {
      w.hpa().ifPresent(hpa -> own.put(w.spec().workload(),
          Policies.predictive(PredictivePolicy.builder().reactive(hpa).build())));
    }
    return own.isEmpty() ? Policies.predictive()
        : Policies.byWorkload(Policies.predictive(), own);
  }

  /**
   * Builds an agent (not yet running) from a validated configuration, with every workload
   * registered: this reads each workload's history, one after the other, each read bounded by
   * the call timeout. Its Lease is timed on {@code System::nanoTime}. The agent's own command
   * opens the HTTP server before those reads instead, so that the probes answer meanwhile (see
   * {@link #start}).
   *
   * @param client the Kubernetes API client
   * @param clock the clock of every decision
   * @throws IllegalStateException when the forecaster fails a workload's registration
   */
  public static Agent create(AgentConfig config, ApiClient client, Clock clock) {
    return create(config, client, clock, System::nanoTime);
  }

  /**
   * Builds an agent whose Lease is timed on {@code ticker}, a monotonic source of nanoseconds
   * (tests pass {@code ManualClock::nanos}, so that the lease expires as they move the clock),
   * with every workload registered.
   */
  static Agent create(AgentConfig config, ApiClient client, Clock clock, LongSupplier ticker) {
    Agent agent = unregistered(config, client, clock, ticker);
    try {
      agent.registerWorkloads();
    } catch (RuntimeException | Error e) {
      agent.close(); // the journal is open
      throw e;
    }
    return agent;
  }

  /**
   * Builds an agent whose workloads {@link #start} registers, after it opened the HTTP server:
   * reading every workload's history can take the call timeout per metric with a slow or
   * unreachable Prometheus, and meanwhile {@code /healthz} must answer (alive) and {@code
   * /readyz} say that the agent is starting.
   */
  static Agent unregistered(AgentConfig config, ApiClient client, Clock clock,
      LongSupplier ticker) {
    return new Agent(Objects.requireNonNull(config, "config"), Objects.requireNonNull(client,
        "client"), Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(ticker,
        "ticker"));
  }

  private void resumeModes(List<ModeChangedEvent> pastModes, Map<WorkloadRef, Mode> targets) {
    Map<WorkloadRef, ModeChangedEvent> last = new LinkedHashMap<>();
    pastModes.forEach(e -> last.put(e.workload(), e));
    for (ModeChangedEvent e : last.values()) {
      if (e.to() != Mode.OBSERVE_ONLY && e.to() == targets.get(e.workload())) {
        engine.mode(e.workload(), e.to(), RESUMED_FROM_JOURNAL + " (journal: " + e.reason()
            + ")");
      }
    }
  }

  /**
   * Runs {@code resume} without writing its mode changes to the mode store or counting them as
   * this replica's own (see {@link ModeStoreListener}).
   */
  private void resuming(Runnable resume) {
    if (modeStoreListener.isPresent()) {
      modeStoreListener.get().resuming(resume);
    } else {
      resume.run();
    }
  }

  /**
   * On the first round this replica leads: sets each configured workload to the mode the mode
   * store holds for it, when that is its configured mode or observe-only (a demotion), over what
   * this replica's journal said, since the store holds the latest leader's word. {@code mode:
   * observe-only} in the configuration wins over everything (and the store is told, so that an
   * earned mode is not resumed once the kill switch is lifted: a record the store does not take
   * is sent again every round until it does); {@code promoted: true} wins over a stored
   * demotion, as it does over the journal. When the store cannot be read, the modes resumed from
   * the journal stay.
   *
   * <p>One exception: this replica's own latest change of the workload (a promotion or demotion
   * it made, in this run or before a restart; never a resume) that the store did not take, while
   * the store still holds what this replica saw before that change, in that change's term (see
   * {@link ModeStoreListener#read}). The entry is then not resumed and the change is sent again,
   * when the engine still holds its mode. Over no entry of the workload, a change this replica
   * has not yet compared with the store (one from its journal, say) is sent the same way only
   * when it is a demotion: no entry may mean a store reset (renamed, or the entry pruned while the
   * workload was out of the configuration), over which a promotion from before must not come
   * back. Such a promotion is not written (the engine keeps it in this run; a replica taking over
   * earns it again). Otherwise the store's entry is that change or a later leader's word, and
   * the change is dropped, so that it is never written over a later leader's word.
   */
  private boolean resumeFromModeStore() {
    if (modeStore.isEmpty()) {
      return true;
    }
    ModeStore store = modeStore.get();
    ModeStoreListener listener = modeStoreListener.orElseThrow();
    Optional<Map<WorkloadRef, ModeStore.Entry>> read = store.read();
    if (read.isEmpty()) {
      // Asked again every round: logged on the first and every 20th round in a row.
      int n = storeReadFailures.next();
      String line = "mode store {} could not be read{}: keeping the modes resumed from this "
          + "replica's journal, and reading it again next round";
      InARow.log(LOG, n, line, store.configMap(), InARow.ofCount(n));
      return false;
    }
    // The store says at INFO that it reads again; the summary line below follows.
    storeReadFailures.end();
    Map<WorkloadRef, ModeStore.Entry> stored = read.get();
    int[] resumed = {0};
    resuming(() -> {
      for (AgentConfig.Workload w : config.workloads()) {
        WorkloadRef ref = w.spec().workload();
        ModeStore.Entry e = stored.get(ref);
        Predicate<ModeChangedEvent> held =
            m -> engine.spec(ref).map(s -> s.mode() == m.to()).orElse(false);
        Optional<ModeChangedEvent> mine = listener.read(ref, Optional.ofNullable(e), held);
        if (e == null) {
          if (mine.isPresent() && held.test(mine.get())) {
            // Over no entry, a change never compared with the store wins only as a demotion; a
            // promotion wins only by the term rule (made in this term, or over no entry seen in
            // its own term).
            LOG.info("{}: mode store {} holds no entry of it: this replica's own {} to {} of {} "
                + "is sent to it", ref, store.configMap(),
                mine.get().to() == Mode.OBSERVE_ONLY ? "demotion" : "change", mine.get().to(),
                mine.get().time());
          } else if (mine.isEmpty()) {
            listener.latestOwn(ref).filter(m -> m.to() != Mode.OBSERVE_ONLY && held.test(m))
                .ifPresent(m -> LOG.info("{}: mode store {} holds no entry of it, which may be a "
                    + "reset (store renamed, entry pruned): this replica's own promotion to {} of "
                    + "{} stays in this run but is not sent to it, and a replica taking over earns "
                    + "it again", ref, store.configMap(), m.to(), m.time()));
          }
          continue;
        }
        if (w.spec().mode() == Mode.OBSERVE_ONLY) {
          continue;
        }
        if (mine.isPresent()) {
          LOG.info("{}: mode store {} holds {} of {}, which this replica's own later change to {} "
              + "of {} did not reach: not resumed, the change is stored instead", ref,
              store.configMap(), e.mode(), e.time(), mine.get().to(), mine.get().time());
          continue;
        }
        if (e.mode() != Mode.OBSERVE_ONLY && e.mode() != w.spec().mode()) {
          LOG.info("{}: mode store {} holds {}, but the configured mode is {}: not resumed", ref,
              store.configMap(), e.mode(), w.spec().mode());
          continue;
        }
        if (e.mode() == Mode.OBSERVE_ONLY && w.promoted()) {
          continue;
        }
        if (engine.spec(ref).map(s -> s.mode() != e.mode()).orElse(false)) {
          engine.mode(ref, e.mode(), RESUMED_FROM_STORE + " " + store.configMap() + " ("
              + e.time() + ": " + e.reason() + ")");
          resumed[0]++;
        }
      }
    });
    for (AgentConfig.Workload w : config.workloads()) {
      ModeStore.Entry e = stored.get(w.spec().workload());
      if (w.spec().mode() == Mode.OBSERVE_ONLY && e != null && e.mode() != Mode.OBSERVE_ONLY) {
        // Kept and sent again every round until the store takes it, as a change is.
        listener.send(new ModeChangedEvent(w.spec().workload(), clock.instant(), e.mode(),
            Mode.OBSERVE_ONLY, "kill switch: mode: observe-only in the configuration (was "
            + e.mode() + ")"));
      }
    }
    LOG.info("mode store {}: {} entries, {} workload modes changed to the stored one",
        store.configMap(), stored.size(), resumed[0]);
    return true;
  }

  /**
   * Removes from the mode store the entries of workloads this configuration does not hold, so
   * that the store does not grow with every workload ever configured and a workload configured
   * again later starts observe-only rather than in a mode it earned before it was removed. A
   * removal that fails is tried again on the next round.
   */
  private boolean pruneModeStore() {
    if (modeStore.isEmpty()) {
      return true;
    }
    Set<WorkloadRef> configured = new HashSet<>();
    config.workloads().forEach(w -> configured.add(w.spec().workload()));
    return modeStore.get().retainOnly(configured).stored();
  }

  /**
   * Gives back the HPA floors of {@code workloads} that this replica does not hold in HPA-floor
   * mode; a release that fails stays pending and is sent again on the next round. A release that
   * fails round after round (HPA updates refused) is logged at WARN on the first failure in a
   * row and every 20th, with the count, at DEBUG in between, and at INFO when it succeeds.
   */
  private void releaseFloorsNotHeld(Collection<WorkloadRef> workloads) {
    for (WorkloadRef ref : List.copyOf(workloads)) {
      if (closed) {
        return; // the next leader's first round releases them
      }
      progress();
      if (engine.spec(ref).map(s -> s.mode() != Mode.HPA_FLOOR).orElse(false)) {
        try {
          executor.release(ref);
          floorsToRelease.remove(ref);
          int failed = endReleaseFailures(ref);
          if (failed > 0) {
            LOG.info("{}: HPA floor left by an earlier leader released, after {} failed "
                + "release{} in a row", ref, failed, failed == 1 ? "" : "s");
          }
        } catch (RuntimeException e) {
          int n = releaseFailures.computeIfAbsent(ref, r -> new InARow()).next();
          String line = "{}: could not release an HPA floor left by an earlier leader{}, trying "
              + "again next round: {}";
          InARow.log(LOG, n, line, ref, InARow.ofCount(n), e.getMessage());
          floorsToRelease.add(ref);
        }
      } else {
        floorsToRelease.remove(ref);
        int failed = endReleaseFailures(ref);
        if (failed > 0) {
          LOG.info("{}: HPA floor no longer released, the workload is held in hpa-floor mode "
              + "again, after {} failed release{} in a row", ref, failed, failed == 1 ? "" : "s");
        }
      }
    }
  }

  /**
   * Ends the runs of failed calls counted in an earlier term, this replica's rounds without a
   * store read, its failed releases and the store's own runs: in the rounds it did not lead it
   * made no call, so a failure in the new term is the first of a new run, logged at WARN, and no
   * count spans two terms. Nothing worked again: a line at INFO says that they ended so.
   */
  private void endRunsOfEarlierTerms() {
    storeReadFailures.end(); // the store's own line says so
    modeStore.ifPresent(ModeStore::endRuns);
    int releases = 0;
    for (InARow failures : releaseFailures.values()) {
      releases += failures.end();
    }
    if (releases > 0) {
      LOG.info("runs of failed releases of HPA floors left by an earlier leader ended with an "
          + "earlier term, not by a release that worked: {} failed release{} of {} workload{} in "
          + "a row; a failure from now on is counted from 1", releases,
          releases == 1 ? "" : "s", releaseFailures.size(), releaseFailures.size() == 1 ? "" : "s");
    }
    releaseFailures.clear();
  }

  /** Ends the run of failed releases of {@code ref}: how many it counted, 0 when none. */
  private int endReleaseFailures(WorkloadRef ref) {
    InARow failures = releaseFailures.remove(ref);
    return failures == null ? 0 : failures.end();
  }

  private KubernetesEventListener events(ApiClient client, Clock clock, String identity) {
    KubernetesEventListener.Builder b = KubernetesEventListener.builder(client, identity)
        .clock(clock);
    // Standby replicas decide too, but only the leader's actions and mode changes are events.
    elector.ifPresent(e -> b.enabledWhen(e::isLeader));
    return b.build();
  }

  private static PrometheusMetricSource prometheus(AgentConfig.Prometheus p,
      Map<String, String> templates) {
    PrometheusMetricSource.Builder b = PrometheusMetricSource.builder().baseUri(p.url())
        .requestTimeout(p.timeout()).rateWindow(p.rateWindow());
    p.bearerTokenFile().ifPresent(b::bearerTokenFile);
    templates.forEach(b::metric);
    return b.build();
  }

  /** The engine, for inspection. */
  public AutoscalerEngine engine() {
    return engine;
  }

  /** The leader elector, when leader election is on. */
  public Optional<LeaseElector> elector() {
    return elector;
  }

  /** The self-metrics. */
  public AgentMetrics metrics() {
    return metrics;
  }

  /**
   * One round: when this replica leads (or election is off), ticks the engine and evaluates
   * promotion; records the tick latency. On the first round it leads (at start, or after taking
   * over from another replica) it first resumes the modes the mode store holds, then releases
   * every HPA that a floor left raised for a workload it does not hold in HPA-floor mode: a leader
   * that died, or a workload since set to another mode, leaves the HPA as its owner wrote it. On
   * every round it leads, once the store has been read in this term, it sends again the mode
   * changes the store has not taken, among them those made while the Lease lapsed (see {@link
   * ModeStoreListener}). A {@link #close()} meanwhile ends the round at its next step (the tick
   * after the workload in flight); what the engine then refuses ("engine is closed") is not a
   * failure of the round.
   */
  public void runOnce() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      try {
        round();
      } catch (IllegalStateException e) {
        if (!closed) {
          throw e;
        }
        LOG.debug("round cut short by close: {}", e.getMessage());
      }
    }
  }

  /** The body of {@link #runOnce()}, under the lock. */
  private void round() {
    boolean leading = elector.map(LeaseElector::isLeader).orElse(true);
    metrics.leader(leading);
    Instant start = clock.instant();
    progress();
    // A new term also when the Lease was lost and won back between two rounds: another
    // replica may have led (and changed modes or floors) in between.
    long acquisitions = elector.map(LeaseElector::acquisitions).orElse(0L);
    boolean newTerm = leading && (!leadingBefore || acquisitions != acquisitionsSeen);
    acquisitionsSeen = acquisitions;
    if (newTerm) {
      modeStoreListener.ifPresent(ModeStoreListener::newTerm);
      endRunsOfEarlierTerms();
      storeResumed = resumeFromModeStore();
      progress();
      postPromotedAtStart();
      storePruned = !closed && pruneModeStore();
      progress();
      // What this replica saw of the workloads while another one led is not its own record.
      promotion.restartTracks();
      // Nor are the floors it sent before: the other leader may have raised or given back
      // the HPAs since.
      engine.resendFloors();
      List<WorkloadRef> all = new ArrayList<>();
      config.workloads().forEach(w -> all.add(w.spec().workload()));
      releaseFloorsNotHeld(all);
    } else if (leading) {
      if (!storeResumed) {
        storeResumed = resumeFromModeStore();
        progress();
      }
      if (!storePruned && !closed) {
        storePruned = pruneModeStore();
        progress();
      }
      releaseFloorsNotHeld(floorsToRelease);
    }
    if (leading && storeResumed && !closed) {
      // Only once the store has been read in this term: a change kept from before another
      // leader's term must first be checked against that leader's entries.
      modeStoreListener.ifPresent(ModeStoreListener::writeUnstored);
    }
    leadingBefore = leading;
    if (leading && !closed) {
      engine.tick();
      if (closed) {
        return; // the tick ended early: no promotion on a part of the workloads
      }
      promotion.evaluate();
      metrics.tick(Duration.between(start, clock.instant()));
    }
    ready = true;
  }

  /**
   * Starts the agent: opens the HTTP server ({@code /metrics}, {@code /healthz}, {@code
   * /readyz}), registers the workloads when they are not yet (reading their history, while
   * {@code /healthz} answers alive and {@code /readyz} "starting"), then starts the lease rounds
   * and the tick loop on {@code scheduler}. Returns without starting them when the agent is
   * closed meanwhile.
   *
   * @return the HTTP port
   * @throws IllegalStateException when already started, or when the forecaster fails a
   *     workload's registration
   * @throws UncheckedIOException when the server cannot listen
   */
  public int start(ScheduledExecutorService scheduler) {
    Objects.requireNonNull(scheduler, "scheduler");
    synchronized (state) {
      if (this.scheduler != null) {
        throw new IllegalStateException("agent is already started");
      }
      this.scheduler = scheduler;
    }
    int port = serve();
    registerWorkloads();
    synchronized (state) {
      if (closed || !registered) {
        return port;
      }
      elector.ifPresent(e -> e.start(scheduler));
      long period = config.engine().syncPeriod().toMillis();
      // A sync period after each round ends, as the engine's own start(): a slow round is not
      // followed by a burst of catch-up rounds, each a step of the step limits.
      loop = scheduler.scheduleWithFixedDelay(guarded(this::runOnce), 0, period,
          TimeUnit.MILLISECONDS);
    }
    LOG.info("agent started: {} workloads, port {}", config.workloads().size(), port);
    return port;
  }

  /**
   * {@code round}, from which nothing escapes: what does is logged at ERROR. An error that
   * escaped (an {@code OutOfMemoryError} when no thread can be started) would cancel every later
   * round of the schedule without a word, leaving only {@code /healthz} to notice.
   */
  static Runnable guarded(Runnable round) {
    return () -> {
      try {
        round.run();
      } catch (Throwable e) {
        LOG.error("agent round failed; the next one runs as scheduled", e);
      }
    };
  }

  /**
   * Starts only the HTTP server ({@code /metrics}, {@code /healthz}, {@code /readyz}) on {@code
   * server.address}, or on every interface without it; rounds are then driven by {@link
   * #runOnce()}. {@link #start} calls it.
   *
   * @return the HTTP port
   */
  public int serve() {
    synchronized (state) {
      if (server == null) {
        AgentConfig.Server c = config.server();
        HTTPServer.Builder b = HTTPServer.builder().port(c.port());
        c.address().ifPresent(b::inetAddress);
        try {
          server = b.registry(metrics.registry()).defaultHandler(this::health).buildAndStart();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot listen on " + c.address()
              .map(a -> "address " + a.getHostAddress() + ", ").orElse("") + "port " + c.port(),
              e);
        }
      }
      return server.getPort();
    }
  }

  /** The HTTP port, once started. */
  public int port() {
    synchronized (state) {
      return server == null ? -1 : server.getPort();
    }
  }

  /**
   * {@code /healthz}: 200 unless the agent is closed or has made no progress (see {@link
   * #progress}) for {@link #livenessThreshold}, also while it registers its workloads at start.
   * {@code /readyz}: 200 from the end of the first round (of a leader or a standby) until
   * closed; 503 while starting, saying how far.
   */
  private void health(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    int code;
    String body;
    if (path.equals("/healthz")) {
      Instant last = lastProgress;
      boolean ok = !closed && (last == null
          || !clock.instant().isAfter(last.plus(livenessThreshold)));
      code = ok ? 200 : 503;
      body = ok ? "ok\n" : closed ? "stopping\n" : NO_PROGRESS + last + " (no round started, "
          + "no workload evaluated or registered for more than " + livenessThreshold + ")\n";
    } else if (path.equals("/readyz")) {
      boolean ok = ready && !closed;
      code = ok ? 200 : 503;
      body = ok ? "ready\n" : closed ? "not ready: stopping\n" : !registered
          ? "not ready: starting, " + registeredWorkloads + " of " + config.workloads().size()
              + " workloads registered (their history read)\n"
          : "not ready: starting, first round not finished\n";
    } else {
      code = 404;
      body = "not found: try /metrics, /healthz or /readyz\n";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    x.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * Stops gracefully, without waiting for the round in flight to run to its end: no new rounds,
   * the tick in flight ends after the workload it is evaluating (whose calls the call timeout
   * bounds; the workloads after it are not evaluated in that round), HPAs steered in HPA-floor
   * mode are restored (the lease is renewed once first if less than the call timeout of it is
   * left, so that the releases are not refused), the journal is flushed and closed, the round
   * ends at its next step, the queued Kubernetes Events are posted, the lease is given up, the
   * server stops. A round of 25 workloads whose Prometheus does not answer takes about 25 call
   * timeouts,
   * which no pod's grace period allows for. Idempotent.
   */
  @Override
  public void close() {
    ScheduledFuture<?> l;
    synchronized (state) {
      if (closed) {
        return;
      }
      closed = true;
      l = loop;
    }
    if (l != null) {
      l.cancel(false);
    }
    engine.close(this::renewBeforeReleasing);
    // The rest of the round (promotion, mode-store writes) must not run behind the Lease given
    // up below; it ends at its next step.
    synchronized (lock) {
      ready = false;
    }
    // After the engine, so that the Events of its close (HPA releases) are posted.
    kubernetesEvents.close(API_TIMEOUT);
    elector.ifPresent(LeaseElector::close);
    HTTPServer s;
    synchronized (state) {
      s = server;
    }
    if (s != null) {
      s.close();
    }
    LOG.info("agent stopped");
  }

  /**
   * Renews the Lease once, when this replica was its last holder seen and the guard would not
   * start a call now, so that the releases of the engine's close (which are not tried again)
   * start with a fresh renew deadline: after renewals missed on a slow API server, less than the
   * call timeout of leadership may be left, and the guard would refuse them, leaving HPA floors
   * raised. With leadership to spare it sends nothing, so a normal stop is not slowed. Bounded by
   * the API client's timeouts; a failure is logged, and the releases then go out only if the
   * lease allows. Run by the engine's close once the tick in flight has ended and before its
   * releases (renewed before close waited for that tick, the renew deadline could pass during
   * the wait; renewed within a release, the renewal spent that release's call timeout).
   */
  private void renewBeforeReleasing() {
    elector.filter(e -> e.holder().filter(e.identity()::equals).isPresent()
        && !e.canStartCall()).ifPresent(e -> {
      try {
        e.tryAcquireOrRenew();
      } catch (RuntimeException ex) {
        LOG.warn("lease {}: renewal before releasing the HPAs failed: {}", e.lease(),
            ex.toString());
      }
    });
  }

  /**
   * Runs the agent from a configuration until the JVM is asked to stop (SIGTERM), or the calling
   * thread is interrupted, which stops it the same way. The HTTP server opens before the
   * workloads' history is read, so that the probes answer while it is (see {@link #start}).
   *
   * <p>On SIGTERM the shutdown hook stops the agent and then ends the JVM with {@link
   * Runtime#halt} 0 (1 when the stop threw, with the reason on {@code err}): otherwise the JVM
   * exits with the signal's status, 143, for a clean stop (the caller's {@code System.exit(0)}
   * waits for the hooks and its status is not used), which Kubernetes reports as {@code Error}.
   * The halt skips what would run after the hooks (deleting files marked {@code deleteOnExit}:
   * the agent marks none) and cuts short any other shutdown hook still running: the command
   * registers none of its own, and its libraries' (JUL's handler reset) have nothing to lose,
   * since every log line is flushed as it is written.
   *
   * @return 0 once stopped; 1 when the agent cannot start, with the reason on {@code err}
   */
  static int runUntilStopped(AgentConfig config, PrintStream out, PrintStream err) {
    return runUntilStopped(config, out, err, () -> Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "prescaler-agent");
      t.setDaemon(true);
      return t;
    }));
  }

  /** {@link #runUntilStopped(AgentConfig, PrintStream, PrintStream)} on its own scheduler. */
  static int runUntilStopped(AgentConfig config, PrintStream out, PrintStream err,
      Supplier<ScheduledExecutorService> schedulers) {
    ApiClient client = apiClient(config, err);
    if (client == null) {
      return 1;
    }
    Agent agent;
    try {
      agent = unregistered(config, client, Clock.systemUTC(), System::nanoTime);
    } catch (RuntimeException e) {
      err.println("prescaler agent: cannot start: " + e.getMessage());
      return 1;
    }
    ScheduledExecutorService scheduler = schedulers.get();
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop = () -> {
      agent.close();
      scheduler.shutdown();
      stopped.countDown();
    };
    Thread hook = new Thread(() -> halt(stop, out, err), "prescaler-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      int port = agent.start(scheduler);
      if (agent.registered && !agent.closed) {
        out.println("prescaler agent running: " + config.workloads().size()
            + " workloads, metrics on :" + port + "/metrics");
      }
      stopped.await();
      return 0;
    } catch (InterruptedException e) {
      stopNow(stop, hook, stopped);
      Thread.currentThread().interrupt();
      return 0;
    } catch (RuntimeException e) {
      err.println("prescaler agent: cannot start: " + e.getMessage());
      stopNow(stop, hook, stopped);
      return 1;
    } catch (Error e) {
      // Stopped here, its hook removed: left registered, the caller's exit with 1 ran the hook,
      // whose halt with 0 after a clean stop turned an OutOfMemoryError at start into a success.
      stopNow(stop, hook, stopped);
      throw e;
    }
  }

  /**
   * The shutdown hook: runs {@code stop}, then halts the JVM with 0 when it returned (a clean
   * stop), or 1 when it threw, naming why on {@code err}. See {@link #runUntilStopped}.
   */
  private static void halt(Runnable stop, PrintStream out, PrintStream err) {
    int status = 0;
    try {
      stop.run();
    } catch (RuntimeException | Error e) {
      err.println("prescaler agent: the stop failed: " + e);
      status = 1;
    }
    out.flush();
    err.flush();
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(status);
  }

  /**
   * Runs {@code stop} (the shutdown hook's work) on the calling thread, unless the JVM already
   * runs the {@code hook}, which is then waited for ({@code stopped}).
   */
  private static void stopNow(Runnable stop, Thread hook, CountDownLatch stopped) {
    boolean removed;
    try {
      removed = Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      removed = false;
    }
    if (removed) {
      stop.run();
      return;
    }
    boolean interrupted = Thread.interrupted();
    try {
      while (true) {
        try {
          stopped.await();
          break;
        } catch (InterruptedException again) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Gives back, once, the HPA of every configured workload that still carries a floor (the
   * annotation {@value HpaFloorExecutor#ORIGINAL_SPEC_ANNOTATION}), as a leader does when it
   * stops, without electing a leader: for a floor an agent could not give back (its RBAC deleted
   * before it stopped, its namespace deleted, a leader killed). Run it with the agent stopped: a
   * leader would raise the floors again. One line per workload, on {@code err} for one whose HPA
   * could not be given back.
   *
   * @return 0 when no configured workload's HPA carries a floor any more, else 1
   */
  static int releaseHpas(AgentConfig config, PrintStream out, PrintStream err) {
    ApiClient client = apiClient(config, err);
    return client == null ? 1 : releaseHpas(config, client, out, err);
  }

  static int releaseHpas(AgentConfig config, ApiClient client, PrintStream out,
      PrintStream err) {
    HpaFloorExecutor floor = HpaFloorExecutor.builder(client).build();
    int failed = 0;
    for (AgentConfig.Workload w : config.workloads()) {
      WorkloadRef ref = w.spec().workload();
      try {
        floor.release(ref);
        out.println(ref + ": no HPA floor left");
      } catch (RuntimeException e) {
        failed++;
        err.println(ref + ": " + e.getMessage());
      }
    }
    return failed == 0 ? 0 : 1;
  }

  /** The API client of the configuration; null, with the reason on {@code err}, when none. */
  private static ApiClient apiClient(AgentConfig config, PrintStream err) {
    try {
      return apiClient(config.kubernetes().kubeconfig());
    } catch (IOException | RuntimeException e) {
      err.println("prescaler agent: cannot reach Kubernetes: " + e.getMessage());
      return null;
    }
  }

  private static ApiClient apiClient(Optional<Path> kubeconfig) throws IOException {
    ApiClient client;
    if (kubeconfig.isPresent()) {
      // The command checked it before calling, but the file may have gone since, and another
      // caller may not have checked: the reader's error would name only the path.
      Optional<String> problem = kubeconfigProblem(kubeconfig);
      if (problem.isPresent()) {
        throw new IOException(problem.get());
      }
      try (Reader r = Files.newBufferedReader(kubeconfig.get(), StandardCharsets.UTF_8)) {
        client = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(r)).build();
      }
    } else {
      Optional<String> problem = standardConfigProblem(System.getenv(), Files::exists);
      if (problem.isPresent()) {
        throw new IOException(problem.get());
      }
      client = ClientBuilder.standard().build();
    }
    // The client's default is no read timeout: one request to a blackholed API server would hang
    // the round (mode store, takeover releases) for good.
    client.setConnectTimeout((int) API_TIMEOUT.toMillis());
    client.setReadTimeout((int) API_TIMEOUT.toMillis());
    client.setWriteTimeout((int) API_TIMEOUT.toMillis());
    return client;
  }

  /**
   * Why the agent cannot read the kubeconfig file {@code kubernetes.kubeconfig} names, or empty
   * (also when it names none): {@code kubernetes.kubeconfig "<file>" does not exist}, {@code is a
   * directory} or {@code is not readable}. Asked at start, on the machine the agent runs on, and
   * never by the parser, so never by {@code --validate}: the file may exist only there (a Secret
   * mounted in the agent's pod), not where the configuration is checked (CI, a laptop).
   */
  static Optional<String> kubeconfigProblem(Optional<Path> kubeconfig) {
    return kubeconfig.flatMap(
        f -> kubeconfigProblem(f, Files::exists, Files::isDirectory, Files::isReadable));
  }

  /** {@link #kubeconfigProblem(Optional)} of {@code file}, with the file system's answers given. */
  static Optional<String> kubeconfigProblem(Path file, Predicate<Path> exists,
      Predicate<Path> directory, Predicate<Path> readable) {
    return fileProblem("kubernetes.kubeconfig", file, exists, directory, readable);
  }

  /**
   * Why the agent cannot read the bearer token file {@code prometheus.bearerTokenFile} names, or
   * empty (also when it names none, or there is no prometheus section): {@code
   * prometheus.bearerTokenFile "<file>" does not exist}, {@code is a directory}, {@code is not
   * readable}, or what the Prometheus source would refuse in its content ({@code is empty}).
   * Asked at start only, as {@link #kubeconfigProblem(Optional)} is, and for the same reason:
   * the file is usually a token mounted in the agent's pod. Without the check the agent started
   * and every Prometheus reading was unavailable, tick after tick, with the reason only in the
   * journal and at DEBUG. The file is quoted in every problem, the content's too. A token that a
   * sidecar writes only after the agent's container starts is refused like a missing one: the
   * agent exits 2 and Kubernetes restarts it until the file is there (the README says to write
   * it from an init container instead).
   */
  static Optional<String> bearerTokenFileProblem(Optional<AgentConfig.Prometheus> prometheus) {
    Optional<Path> file = prometheus.flatMap(AgentConfig.Prometheus::bearerTokenFile);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> problem = bearerTokenFileProblem(file.get(), Files::exists,
        Files::isDirectory, Files::isReadable);
    if (problem.isPresent()) {
      return problem;
    }
    try {
      // What each request reads, checked as each request checks it.
      PrometheusMetricSource.checkBearerTokenFile("prometheus.bearerTokenFile", file.get());
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      // The file quoted, as in the file system's problems: the source names it bare.
      String bare = "prometheus.bearerTokenFile " + file.get() + " ";
      String m = e.getMessage();
      return Optional.of(m.startsWith(bare) ? "prometheus.bearerTokenFile "
          + AgentConfigParser.quote(file.get().toString()) + " " + m.substring(bare.length())
          : m);
    }
  }

  /**
   * {@link #bearerTokenFileProblem(Optional)} of {@code file} as far as the file system goes,
   * with its answers given.
   */
  static Optional<String> bearerTokenFileProblem(Path file, Predicate<Path> exists,
      Predicate<Path> directory, Predicate<Path> readable) {
    return fileProblem("prometheus.bearerTokenFile", file, exists, directory, readable);
  }

  /** Why the file {@code key} names cannot be read, or empty; the file system's answers given. */
  private static Optional<String> fileProblem(String key, Path file, Predicate<Path> exists,
      Predicate<Path> directory, Predicate<Path> readable) {
    String named = key + " " + AgentConfigParser.quote(file.toString());
    if (!exists.test(file)) {
      return Optional.of(named + " does not exist");
    }
    if (directory.test(file)) {
      return Optional.of(named + " is a directory");
    }
    if (!readable.test(file)) {
      return Optional.of(named + " is not readable");
    }
    return Optional.empty();
  }

  /** Where a pod finds its service account's CA: the client's sign of running in a cluster. */
  static final String SERVICE_ACCOUNT_CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

  /**
   * Why the Kubernetes client's standard configuration ({@code $KUBECONFIG}, else {@code
   * ~/.kube/config}, else the pod's service account, else {@code http://localhost:8080}) would
   * not be the cluster the user meant, or empty. The client skips a {@code $KUBECONFIG} file that
   * does not exist, silently, and falls back to whatever comes next, down to an unauthenticated
   * {@code localhost:8080} (a {@code kubectl proxy}, or anything else listening there): a
   * mistyped {@code $KUBECONFIG} is refused instead, and so is finding no configuration at all.
   * Like the client, it reads only the first file of a {@code $KUBECONFIG} list.
   *
   * @param env the environment ({@code KUBECONFIG}, {@code HOME})
   * @param exists whether a file exists
   */
  static Optional<String> standardConfigProblem(Map<String, String> env,
      Predicate<Path> exists) {
    String list = env.get("KUBECONFIG");
    if (list != null && !list.isEmpty()) {
      String first = list.split(File.pathSeparator, -1)[0];
      if (first.isEmpty() || !exists.test(Path.of(first))) {
        return Optional.of("$KUBECONFIG names \"" + first + "\", which does not exist (the "
            + "client would fall back to ~/.kube/config, a service account or localhost:8080)");
      }
      return Optional.empty();
    }
    String home = env.get("HOME");
    if (home != null && !home.isEmpty() && exists.test(Path.of(home, ".kube", "config"))) {
      return Optional.empty();
    }
    if (exists.test(Path.of(SERVICE_ACCOUNT_CA))) {
      return Optional.empty();
    }
    return Optional.of("no Kubernetes configuration: set kubernetes.kubeconfig or $KUBECONFIG, "
        + "write ~/.kube/config, or run in a pod with a service account (the client would try "
        + "an unauthenticated http://localhost:8080)");
  }

  /** Looks up this machine's host name. */
  @FunctionalInterface
  interface HostName {
    String get() throws IOException;
  }

  /**
   * This replica's identity (its Lease holder name and Events instance) when the configuration
   * names none: the environment variable {@code POD_NAME} (the pod's name, which the example
   * manifest sets from the downward API: unique per pod, even with {@code hostNetwork}, where the
   * host name is the node's); else the host name, which is the pod's name in Kubernetes; else
   * {@code HOSTNAME}; else {@code prescaler-agent-<random UUID>}. Never a constant: two replicas
   * with the same identity would both take the Lease for their own and both act.
   *
   * @param host the host name lookup
   * @param env the environment, e.g. {@code System::getenv}
   */
  static String defaultIdentity(HostName host, UnaryOperator<String> env) {
    String pod = env.apply("POD_NAME");
    if (pod != null && !pod.isBlank()) {
      return pod.strip().toLowerCase(Locale.ROOT);
    }
    try {
      String name = host.get();
      if (name != null && !name.isBlank()) {
        return name.strip().toLowerCase(Locale.ROOT);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot look up the host name for this replica's identity: {}", e.toString());
    }
    String hostname = env.apply("HOSTNAME");
    if (hostname != null && !hostname.isBlank()) {
      return hostname.strip().toLowerCase(Locale.ROOT);
    }
    String random = "prescaler-agent-" + UUID.randomUUID();
    LOG.warn("no POD_NAME, host name or HOSTNAME: this replica's identity is {}; set "
        + "POD_NAME to choose it", random);
    return random;
  }

}
