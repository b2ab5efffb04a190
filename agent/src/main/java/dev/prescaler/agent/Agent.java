package dev.prescaler.agent;

import com.sun.net.httpserver.HttpExchange;
import dev.prescaler.core.AsyncListener;
import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
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
import java.time.temporal.ChronoUnit;
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
   * Two locks. `lock` is held by a round from start to end; `state` guards starting and stopping
   * (scheduler, loop, server) and is never held across a round, so that close() does not wait
   * for one: it asks the engine to stop (the tick ends after the workload in flight), then takes
   * `lock` to wait for the rest of the round, which checks `closed` between its steps, before it
   * gives up the Lease.
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
  private HTTPServer server; // guarded by state
  private ScheduledExecutorService scheduler; // guarded by state
  private ScheduledFuture<?> loop; // guarded by state
  private volatile Instant lastRound;
  private volatile boolean ready;
  private volatile boolean closed;

  private Agent(AgentConfig config, ApiClient client, Clock clock, LongSupplier ticker) {
    this.config = config;
    this.clock = clock;
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
        ScaleSubresourceExecutor.builder(client).clock(clock).build(),
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
    Optional<Path> journalFile = config.engine().journal();
    List<ModeChangedEvent> pastModes = List.of();
    List<dev.prescaler.core.journal.DecisionRecord> past = List.of();
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
        .listener(metrics)
        .listener(promotion)
        .listener(kubernetesEvents);
    modeStoreListener.ifPresent(b::listener);
    for (AgentConfig.Workload w : config.workloads()) {
      b.workload(w.spec().withMode(Mode.OBSERVE_ONLY));
    }
    this.engine = b.build();
    metrics.bind(engine);
    metrics.listener("kubernetes-events", kubernetesEvents);
    promotion.bind(engine);
    engine.restore(past);
    List<ModeChangedEvent> journaled = pastModes;
    modeStoreListener.ifPresent(l -> l.journaled(
        journaled.stream().filter(e -> !reapplied(e)).toList()));
    resuming(() -> {
      resumeModes(journaled, targets);
      for (AgentConfig.Workload w : config.workloads()) {
        if (w.promoted() && w.spec().mode() != Mode.OBSERVE_ONLY
            && engine.spec(w.spec().workload()).orElseThrow().mode() == Mode.OBSERVE_ONLY) {
          engine.mode(w.spec().workload(), w.spec().mode(), PROMOTED_IN_CONFIGURATION);
        }
      }
    });
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
   * Builds an agent (not yet running) from a validated configuration. Its Lease is timed on
   * {@code System::nanoTime}.
   *
   * @param client the Kubernetes API client
   * @param clock the clock of every decision
   */
  public static Agent create(AgentConfig config, ApiClient client, Clock clock) {
    return create(config, client, clock, System::nanoTime);
  }

  /**
   * Builds an agent whose Lease is timed on {@code ticker}, a monotonic source of nanoseconds
   * (tests pass {@code ManualClock::nanos}, so that the lease expires as they move the clock).
   */
  static Agent create(AgentConfig config, ApiClient client, Clock clock, LongSupplier ticker) {
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
   * earned mode is not resumed once the kill switch is lifted); {@code promoted: true} wins over
   * a stored demotion, as it does over the journal. When the store cannot be read, the modes
   * resumed from the journal stay.
   *
   * <p>One exception: this replica's own latest change of the workload (a promotion or demotion
   * it made, in this run or before a restart; never a resume) that is newer than the store's
   * entry. The store then holds an older entry only because this change did not reach it (the
   * write failed, or the Lease lapsed as it was made), so the entry is not resumed and the change
   * is sent again, when the engine still holds its mode. Otherwise the change is older than the
   * store's entry (or is that entry) and is dropped, so that it is never written over a later
   * leader's word.
   */
  private boolean resumeFromModeStore() {
    if (modeStore.isEmpty()) {
      return true;
    }
    ModeStore store = modeStore.get();
    ModeStoreListener listener = modeStoreListener.orElseThrow();
    Optional<Map<WorkloadRef, ModeStore.Entry>> read = store.read();
    if (read.isEmpty()) {
      LOG.warn("mode store {} could not be read: keeping the modes resumed from this replica's "
          + "journal, and reading it again next round", store.configMap());
      return false;
    }
    Map<WorkloadRef, ModeStore.Entry> stored = read.get();
    int[] resumed = {0};
    resuming(() -> {
      for (AgentConfig.Workload w : config.workloads()) {
        WorkloadRef ref = w.spec().workload();
        ModeStore.Entry e = stored.get(ref);
        if (e == null || w.spec().mode() == Mode.OBSERVE_ONLY) {
          continue;
        }
        Optional<ModeChangedEvent> mine = listener.latestOwn(ref)
            .filter(m -> m.time().truncatedTo(ChronoUnit.SECONDS).isAfter(e.time()));
        if (mine.isPresent()) {
          LOG.info("{}: mode store {} holds {} of {}, older than this replica's own change to {} "
              + "of {}: not resumed, the change is stored instead", ref, store.configMap(),
              e.mode(), e.time(), mine.get().to(), mine.get().time());
          if (engine.spec(ref).map(s -> s.mode() == mine.get().to()).orElse(false)) {
            listener.keep(mine.get());
          }
          continue;
        }
        listener.storeHolds(ref, e.time());
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
        store.write(new ModeStore.Entry(w.spec().workload(), Mode.OBSERVE_ONLY, clock.instant(),
            "kill switch: mode: observe-only in the configuration (was " + e.mode() + ")"));
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
   * mode; a release that fails stays pending and is sent again on the next round.
   */
  private void releaseFloorsNotHeld(Collection<WorkloadRef> workloads) {
    for (WorkloadRef ref : List.copyOf(workloads)) {
      if (closed) {
        return; // the next leader's first round releases them
      }
      if (engine.spec(ref).map(s -> s.mode() != Mode.HPA_FLOOR).orElse(false)) {
        try {
          executor.release(ref);
          floorsToRelease.remove(ref);
        } catch (RuntimeException e) {
          LOG.warn("{}: could not release an HPA floor left by an earlier leader, trying again "
              + "next round: {}", ref, e.getMessage());
          floorsToRelease.add(ref);
        }
      } else {
        floorsToRelease.remove(ref);
      }
    }
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
    lastRound = start;
    // A new term also when the Lease was lost and won back between two rounds: another
    // replica may have led (and changed modes or floors) in between.
    long acquisitions = elector.map(LeaseElector::acquisitions).orElse(0L);
    boolean newTerm = leading && (!leadingBefore || acquisitions != acquisitionsSeen);
    acquisitionsSeen = acquisitions;
    if (newTerm) {
      storeResumed = resumeFromModeStore();
      storePruned = !closed && pruneModeStore();
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
      }
      if (!storePruned && !closed) {
        storePruned = pruneModeStore();
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
   * Starts the HTTP server ({@code /metrics}, {@code /healthz}, {@code /readyz}), the lease
   * rounds and the tick loop on {@code scheduler}.
   *
   * @return the HTTP port
   */
  public int start(ScheduledExecutorService scheduler) {
    synchronized (state) {
      if (this.scheduler != null) {
        throw new IllegalStateException("agent is already started");
      }
      this.scheduler = scheduler;
      serve();
      elector.ifPresent(e -> e.start(scheduler));
      long period = config.engine().syncPeriod().toMillis();
      // A sync period after each round ends, as the engine's own start(): a slow round is not
      // followed by a burst of catch-up rounds, each a step of the step limits.
      loop = scheduler.scheduleWithFixedDelay(guarded(this::runOnce), 0, period,
          TimeUnit.MILLISECONDS);
      LOG.info("agent started: {} workloads, port {}", config.workloads().size(), port());
      return port();
    }
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

  private void health(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    int code;
    String body;
    if (path.equals("/healthz")) {
      Instant last = lastRound;
      Duration stale = config.engine().syncPeriod().multipliedBy(4);
      boolean ok = !closed && (last == null || !clock.instant().isAfter(last.plus(stale)));
      code = ok ? 200 : 503;
      body = ok ? "ok\n" : "tick loop stalled since " + last + "\n";
    } else if (path.equals("/readyz")) {
      code = ready && !closed ? 200 : 503;
      body = code == 200 ? "ready\n" : "not ready\n";
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
   * the lease is renewed once if less than the call timeout of it is left (so that the releases
   * are not refused), the tick in flight ends after the workload it is evaluating (whose calls
   * the call timeout bounds; the workloads after it are not evaluated in that round), HPAs
   * steered in HPA-floor mode are restored, the journal is flushed and closed, the round ends at
   * its next step, the queued Kubernetes Events are posted, the lease is given up, the server
   * stops. A round of 25 workloads whose Prometheus does not answer takes about 25 call timeouts,
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
    renewBeforeReleasing();
    engine.close();
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
   * lease allows.
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

  /** Runs the agent from a configuration until the JVM is asked to stop. */
  static int runUntilStopped(AgentConfig config, PrintStream out, PrintStream err) {
    ApiClient client = apiClient(config, err);
    if (client == null) {
      return 1;
    }
    Agent agent;
    try {
      agent = create(config, client, Clock.systemUTC());
    } catch (RuntimeException e) {
      err.println("prescaler agent: cannot start: " + e.getMessage());
      return 1;
    }
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "prescaler-agent");
      t.setDaemon(true);
      return t;
    });
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      agent.close();
      scheduler.shutdown();
      stopped.countDown();
    }, "prescaler-shutdown"));
    int port = agent.start(scheduler);
    out.println("prescaler agent running: " + config.workloads().size()
        + " workloads, metrics on :" + port + "/metrics");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
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
      try (Reader r = Files.newBufferedReader(kubeconfig.get(), StandardCharsets.UTF_8)) {
        client = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(r)).build();
      }
    } else {
      client = ClientBuilder.standard().build();
    }
    // The client's default is no read timeout: one request to a blackholed API server would hang
    // the round (mode store, takeover releases) for good.
    client.setConnectTimeout((int) API_TIMEOUT.toMillis());
    client.setReadTimeout((int) API_TIMEOUT.toMillis());
    client.setWriteTimeout((int) API_TIMEOUT.toMillis());
    return client;
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
