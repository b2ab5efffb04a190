package dev.prescaler.agent;

import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.decision.HpaPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent's configuration, as parsed and validated by {@link AgentConfigParser}. Every field
 * has a documented default except the workloads.
 *
 * @param engine engine timing and the journal file
 * @param kubernetes how to reach the API server and elect a leader
 * @param prometheus the Prometheus server, when any metric comes from it
 * @param server the port of {@code /metrics}, {@code /healthz} and {@code /readyz}
 * @param promotion the gates of automatic promotion and demotion
 * @param workloads the workloads, each with how its metrics are read
 */
public record AgentConfig(Engine engine, Kubernetes kubernetes, Optional<Prometheus> prometheus,
    Server server, Promotion promotion, List<Workload> workloads) {

  /** Copies. */
  public AgentConfig {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(kubernetes, "kubernetes");
    Objects.requireNonNull(prometheus, "prometheus");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(promotion, "promotion");
    workloads = List.copyOf(workloads);
  }

  /**
   * Engine settings.
   *
   * @param syncPeriod tick period; default 15 s
   * @param metricsDelay how late metrics arrive; default 60 s
   * @param callTimeout timeout of each source read and executor call; default 5 s. With leader
   *     election, less than {@link Kubernetes#renewDeadline()} minus {@link
   *     Kubernetes#retryPeriod()}: the leader starts a call only when it ends by the deadline
   * @param journal the JSON-lines journal file; default none (in memory)
   * @param journalMaxFileSize the size in bytes past which the journal file is rotated to {@code
   *     <file>.1}; default 64 MiB. A restart restores what the two files hold of the last 2 hours,
   *     read into memory (about 0.7 to 1 times their size)
   * @param forecaster the forecaster of every workload, by name ({@code Forecasters.NAMES}, as
   *     {@code simulate --forecaster} takes it); default {@code auto}
   */
  public record Engine(Duration syncPeriod, Duration metricsDelay, Duration callTimeout,
      Optional<Path> journal, long journalMaxFileSize, String forecaster) {}

  /**
   * Kubernetes access.
   *
   * @param kubeconfig a kubeconfig file; empty means in-cluster credentials (or $KUBECONFIG)
   * @param leaderElection whether replicas elect a leader on a Lease; default true
   * @param leaseNamespace the Lease's namespace; default {@code default}
   * @param leaseName the Lease's name; default {@code prescaler-agent}
   * @param leaseDuration how long a lease lasts without renewal; default 15 s
   * @param identity this replica's identity; empty: {@code POD_NAME} from the environment, else
   *     the host name, else {@code HOSTNAME}, else a random one ({@code Agent.defaultIdentity}).
   *     With leader election it must differ per replica, so {@link AgentConfigParser} refuses it
   *     there: every replica reads the same file
   * @param modeStore the ConfigMap, in {@code leaseNamespace}, that keeps the mode each workload
   *     has earned so that the next leader resumes it; default {@code prescaler-modes}; empty
   *     when the configuration says {@code none} (each replica then resumes from its own journal)
   */
  public record Kubernetes(Optional<Path> kubeconfig, boolean leaderElection,
      String leaseNamespace, String leaseName, Duration leaseDuration, String identity,
      Optional<String> modeStore) {
    /** Validates. */
    public Kubernetes {
      Objects.requireNonNull(kubeconfig, "kubeconfig");
      Objects.requireNonNull(leaseNamespace, "leaseNamespace");
      Objects.requireNonNull(leaseName, "leaseName");
      Objects.requireNonNull(leaseDuration, "leaseDuration");
      Objects.requireNonNull(identity, "identity");
      Objects.requireNonNull(modeStore, "modeStore");
    }

    /**
     * How long after the start of its last renewal the leader still leads: 2/3 of {@code
     * leaseDuration}, so that it stops a third of the lease before another replica may take over.
     */
    public Duration renewDeadline() {
      return leaseDuration.multipliedBy(2).dividedBy(3);
    }

    /** How often each replica tries to acquire or renew the Lease: 1/7 of {@code leaseDuration}. */
    public Duration retryPeriod() {
      return leaseDuration.dividedBy(7);
    }
  }

  /**
   * The Prometheus server.
   *
   * @param url base URL, e.g. {@code http://prometheus.monitoring:9090}
   * @param bearerTokenFile a file holding a bearer token, re-read when it changes
   * @param timeout per request; default 5 s
   * @param rateWindow what the templates' {@code {rate_window}} stands for; default 5 min, the
   *     Prometheus source's
   */
  public record Prometheus(URI url, Optional<Path> bearerTokenFile, Duration timeout,
      Duration rateWindow) {}

  /**
   * The agent's own HTTP server.
   *
   * @param port port of {@code /metrics}, {@code /healthz}, {@code /readyz}; default 9464; 0
   *     picks a free port
   * @param address the IP address to listen on; empty (the default): every interface, which a
   *     scrape from another pod needs
   */
  public record Server(int port, Optional<InetAddress> address) {
    /** Checks. */
    public Server {
      Objects.requireNonNull(address, "address");
    }
  }

  /**
   * Promotion out of observe-only and demotion back.
   *
   * @param automatic whether workloads are promoted automatically; default true. When false,
   *     only workloads with {@code promoted: true} act (the operator's manual promotion).
   * @param minObservation how long a workload must be observed before promotion; default 24 h
   * @param minSamples forecast evaluations needed before promotion; default 120
   * @param maxRelativeMae forecast MAE ÷ naive MAE at the lead time needed for promotion;
   *     default 0.9
   * @param maxShortfallIncrease the counterfactual gate: the share of observed ticks on which
   *     the would-be count was below the load's need may exceed the share of the count actually
   *     set (e.g. by the HPA) by at most this; default 0.0
   * @param demoteRelativeMae relative MAE at which an acting workload is demoted; default 1.2
   * @param demoteAfterMetricsFailing how long metrics may fail before demotion; default 10 min
   * @param demoteAfterRefused how long every scale request of an acting workload may be refused
   *     or failed (none applied, at least 3 of them) before demotion; default {@value
   *     #DEFAULT_DEMOTE_AFTER_REFUSED_MINUTES} min
   */
  public record Promotion(boolean automatic, Duration minObservation, long minSamples,
      double maxRelativeMae, double maxShortfallIncrease, double demoteRelativeMae,
      Duration demoteAfterMetricsFailing, Duration demoteAfterRefused) {
    /**
     * The default of {@code demoteAfterRefused}, in minutes: 40 requests at the default 15 s
     * sync period, long past a rate limit's {@code Retry-After} or a rollout's conflicts, and as
     * long as the default allowance of failing metrics.
     */
    public static final int DEFAULT_DEMOTE_AFTER_REFUSED_MINUTES = 10;

    /** Validates. */
    public Promotion {
      Objects.requireNonNull(minObservation, "minObservation");
      Objects.requireNonNull(demoteAfterMetricsFailing, "demoteAfterMetricsFailing");
      Objects.requireNonNull(demoteAfterRefused, "demoteAfterRefused");
    }

    /** The settings with the default {@code demoteAfterRefused}. */
    public Promotion(boolean automatic, Duration minObservation, long minSamples,
        double maxRelativeMae, double maxShortfallIncrease, double demoteRelativeMae,
        Duration demoteAfterMetricsFailing) {
      this(automatic, minObservation, minSamples, maxRelativeMae, maxShortfallIncrease,
          demoteRelativeMae, demoteAfterMetricsFailing,
          Duration.ofMinutes(DEFAULT_DEMOTE_AFTER_REFUSED_MINUTES));
    }
  }

  /**
   * One workload.
   *
   * @param spec the spec; its mode is where the workload goes once promoted (ACT or HPA_FLOOR)
   * @param promoted whether the operator promoted it manually
   * @param metrics how each metric of the spec is read, by metric name
   * @param hpa the HPA the predictive stack keeps as its floor, from the workload's {@code
   *     hpaBehavior}; empty: Kubernetes' defaults
   */
  public record Workload(WorkloadSpec spec, boolean promoted, Map<String, MetricSource> metrics,
      Optional<HpaPolicy> hpa) {
    /** Copies. */
    public Workload {
      Objects.requireNonNull(spec, "spec");
      metrics = Map.copyOf(metrics);
      Objects.requireNonNull(hpa, "hpa");
    }

    /** A workload whose floor is the HPA with Kubernetes' defaults. */
    public Workload(WorkloadSpec spec, boolean promoted, Map<String, MetricSource> metrics) {
      this(spec, promoted, metrics, Optional.empty());
    }
  }

  /**
   * Where one metric comes from.
   *
   * @param source {@code prometheus} or {@code metrics-server}
   * @param query the PromQL template (prometheus)
   * @param resource {@code cpu} or {@code memory} (metrics-server)
   */
  public record MetricSource(String source, Optional<String> query, Optional<String> resource) {}
}
