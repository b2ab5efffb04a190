package dev.prescaler.k8s;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import io.kubernetes.client.custom.ContainerMetrics;
import io.kubernetes.client.custom.PodMetrics;
import io.kubernetes.client.custom.PodMetricsList;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link MetricSource} over the Kubernetes Metrics Server: pod CPU and memory from {@code
 * metrics.k8s.io/v1beta1} PodMetrics, selected by the workload's label selector (read from its
 * {@code scale} subresource's {@code status.selector}).
 *
 * <p>Per read: one GET of {@code /scale} (current replicas, the selector), one list of the pods
 * (readiness and start times from the core API) and, when the spec has a {@code cpu} or {@code
 * memory} metric, one list of PodMetrics. Each call is retried by the {@link RetryPolicy} (5xx,
 * timeouts and other I/O errors, 429 after its {@code Retry-After}); when a call still fails, the
 * readings it feeds are unavailable with the error (a failed PodMetrics list keeps the replica
 * counts of the other two calls in the observation). Replica counts: {@code current} is the
 * scale's {@code spec.replicas}; {@code existing} its {@code status.replicas}. {@code ready} and
 * {@code warming} say which pods' samples the HPA controller counts ({@code groupPods}), so that
 * {@code HpaPolicy} computes the controller's count from these aggregates. {@code ready} counts
 * the pods that are Ready and not terminating, and the pods not Ready (past {@code Pending}, not
 * terminating, not {@code Failed}) with a sample that the HPA keeps: for CPU, or for memory (which
 * has no readiness rule) when the pod became ready before and fell out of readiness (an
 * overloaded pod whose probe times out): its usage is load the workload carries. {@code warming}
 * counts those of them whose CPU sample the HPA ignores: inside the pod's CPU initialization
 * period ({@link Builder#cpuInitializationPeriod} from its start), a pod not Ready, or one whose
 * sample was taken less than one sample window ({@code window}) after its Ready condition last
 * changed; after that period none (a pod that never became ready, Ready {@code False} since
 * within {@link Builder#initialReadinessDelay} of its start, is not counted at all). A pod not
 * Ready without a sample, and a pod that never became ready, are among {@code existing − ready}.
 * A {@code cpu} reading is taken over the pods counted and not warming, a {@code memory} reading
 * over every pod counted.
 *
 * <p>Metric names: {@code cpu} (cores) and {@code memory} (bytes); any other name is reported
 * unavailable. For a {@link MetricTarget.Type#UTILIZATION} target the reading is Σ usage ÷ Σ
 * request × 100 over those pods; a pod counted without a request for the resource makes it
 * unavailable, and so does a total request of 0, as both fail the HPA controller's calculation
 * ({@code calculatePodRequests}, {@code GetResourceUtilizationRatio}); an explicit request of 0
 * on some of the pods or containers is added to the sum like any other. For {@link
 * MetricTarget.Type#AVERAGE_VALUE} the reading is the workload's total: Σ usage over those pods
 * (for CPU with warming pods, their mean times {@code ready}). Both types sum, in each pod, the
 * usage of the containers whose request utilization counts: its containers and its native
 * sidecars (init containers with {@code restartPolicy: Always}), not the classic init containers,
 * which have ended, nor any other container its sample lists (an ephemeral debug container).
 * Every pod a reading is taken over must have a sample with a usage of the resource for each of
 * those: when some have none (metrics-server has no sample of a pod before
 * its first scrape, and none of a container whose start time or CPU counter went back, as after a
 * restart, until its next), the reading is unavailable, naming how many of the ready pods lack
 * one and, for a sample without some containers, which, since a figure from part of the pods or
 * of the containers is not the workload's (the engine holds for that interval rather than scale
 * by a usage too low over the whole request). No ready pod also gives an unavailable reading. The
 * reading's time is the oldest sample used. Missing data or API errors give unavailable readings,
 * never a number. Thread-safe.
 */
public final class MetricsServerSource implements MetricSource {
  /**
   * Default time after a pod's start during which the HPA may ignore its CPU sample: 5 minutes
   * (the controller's {@code --horizontal-pod-autoscaler-cpu-initialization-period}).
   */
  public static final Duration DEFAULT_CPU_INITIALIZATION_PERIOD = Duration.ofMinutes(5);
  /**
   * Default time after a pod's start within which a Ready condition turned {@code False} means
   * it never became ready: 30 s (the controller's {@code
   * --horizontal-pod-autoscaler-initial-readiness-delay}).
   */
  public static final Duration DEFAULT_INITIAL_READINESS_DELAY = Duration.ofSeconds(30);

  private final ScaleClient scales;
  private final ApiClient client;
  private final CoreV1Api core;
  private final CustomObjectsApi custom;
  private final ApiCalls calls;
  private final Duration cpuInitializationPeriod;
  private final Duration initialReadinessDelay;

  private MetricsServerSource(Builder b) {
    this.scales = b.scaleClient();
    this.client = b.client;
    this.core = new CoreV1Api(b.client);
    this.custom = new CustomObjectsApi(b.client);
    this.calls = b.calls();
    this.cpuInitializationPeriod = b.cpuInitializationPeriod;
    this.initialReadinessDelay = b.initialReadinessDelay;
  }

  /** A builder over an API client. */
  public static Builder builder(ApiClient client) {
    return new Builder(client);
  }

  @Override
  public Observation read(WorkloadSpec spec, Instant now) {
    WorkloadRef ref = spec.workload();
    Optional<ScalableResource> resource = scales.resource(ref);
    if (resource.isEmpty()) {
      return unavailable(spec, now, "kind " + ref.kind() + " has no registered scale resource");
    }
    String what = ScaleClient.describe(resource.get(), ref);
    ApiCalls.Result<ScaleClient.Scale> scale =
        calls.run(scales.read(resource.get(), ref));
    if (!scale.ok()) {
      return unavailable(spec, now, ApiCalls.describe(scale.error().orElseThrow(), what));
    }
    ScaleClient.Scale s = scale.value().orElseThrow();
    if (s.selector().isEmpty()) {
      return unavailable(spec, now, what + " has no status.selector: cannot find its pods");
    }
    ApiCalls.Result<V1PodList> pods = calls.read(
        () -> core.listNamespacedPod(ref.namespace()).labelSelector(s.selector()).execute());
    if (!pods.ok()) {
      return unavailable(spec, now, ApiCalls.describe(pods.error().orElseThrow(),
          "pods in " + ref.namespace() + " (" + s.selector() + ")"));
    }
    // The pods whose samples the HPA's groupPods judges (listed, not Pending, not Failed), by
    // the status of their Ready condition; Ready ones first, as the readings name them.
    Map<String, V1Pod> ready = new LinkedHashMap<>();
    Map<String, V1Pod> notReady = new LinkedHashMap<>();
    Map<String, V1PodCondition> conditions = new HashMap<>();
    for (V1Pod p : pods.value().map(V1PodList::getItems).orElse(List.of())) {
      V1PodCondition c = Pods.readinessOfListed(p).orElse(null);
      if (c != null) {
        String name = p.getMetadata().getName();
        ("True".equals(c.getStatus()) ? ready : notReady).put(name, p);
        conditions.put(name, c);
      }
    }
    Map<String, MetricReading> readings = new LinkedHashMap<>();
    boolean wantsResources = spec.metrics().stream()
        .anyMatch(m -> m.name().equals("cpu") || m.name().equals("memory"));
    Map<String, PodMetrics> samples = new HashMap<>();
    String metricsProblem = null;
    if (wantsResources) {
      ApiCalls.Result<PodMetricsList> pm =
          calls.read(() -> podMetrics(ref.namespace(), s.selector()));
      if (pm.ok()) {
        for (PodMetrics m : pm.value().map(PodMetricsList::getItems).orElse(List.of())) {
          String name = m.getMetadata() == null ? null : m.getMetadata().getName();
          if (ready.containsKey(name) || notReady.containsKey(name)) {
            samples.put(name, m);
          }
        }
      } else {
        metricsProblem = ApiCalls.describe(pm.error().orElseThrow(),
            "pods.metrics.k8s.io in " + ref.namespace() + " (" + s.selector() + ")");
      }
    }
    // The pods counted (ready), and those of them whose CPU sample the HPA ignores (warming). A
    // pod that is not Ready counts when it has a sample that the HPA keeps for CPU, or one it
    // keeps for memory (no readiness rule there) of a pod that became ready and fell out of
    // readiness (overloaded, its probe timing out): its usage is load the workload carries. A
    // Ready pod without a sample counts, and makes the readings unavailable.
    Map<String, V1Pod> counted = new LinkedHashMap<>();
    Map<String, V1Pod> cpuCounted = new LinkedHashMap<>();
    for (Map.Entry<String, V1Pod> e : ready.entrySet()) {
      counted.put(e.getKey(), e.getValue());
      PodMetrics sample = samples.get(e.getKey());
      if (sample == null || !ignoredForCpu(e.getValue(), conditions.get(e.getKey()), sample, now)) {
        cpuCounted.put(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<String, V1Pod> e : notReady.entrySet()) {
      PodMetrics sample = samples.get(e.getKey());
      if (sample == null) {
        continue;
      }
      V1PodCondition c = conditions.get(e.getKey());
      boolean ignored = ignoredForCpu(e.getValue(), c, sample, now);
      if (!ignored || becameReady(e.getValue(), c)) {
        counted.put(e.getKey(), e.getValue());
      }
      if (!ignored) {
        cpuCounted.put(e.getKey(), e.getValue());
      }
    }
    int warming = counted.size() - cpuCounted.size();
    ReplicaStatus replicas = new ReplicaStatus(s.specReplicas(), counted.size(), warming,
        s.statusReplicas());
    for (MetricTarget m : spec.metrics()) {
      if (!m.name().equals("cpu") && !m.name().equals("memory")) {
        readings.put(m.name(), MetricReading.unavailable(m.name(),
            "MetricsServerSource serves cpu and memory only, not " + m.name()));
      } else if (metricsProblem != null) {
        readings.put(m.name(), MetricReading.unavailable(m.name(), metricsProblem));
      } else {
        readings.put(m.name(), reading(m, counted,
            m.name().equals("cpu") ? cpuCounted : counted, samples, s.selector()));
      }
    }
    return new Observation(now, readings, Optional.of(replicas));
  }

  /**
   * Whether the HPA ignores the CPU sample of pod {@code p} (the CPU rule of {@code groupPods}):
   * inside its CPU initialization period (its start plus {@link Builder#cpuInitializationPeriod}
   * after now) while its Ready condition is {@code False} or its sample was taken less than one
   * sample window after the condition's last change (a mean over a window that began before the
   * pod was ready: startup work); after that period, only while the condition is {@code False}
   * since within {@link Builder#initialReadinessDelay} of its start (it never became ready). A pod
   * without a start time is ignored; a sample without a valid timestamp counts as taken before.
   */
  private boolean ignoredForCpu(V1Pod p, V1PodCondition c, PodMetrics sample, Instant now) {
    OffsetDateTime started = p.getStatus().getStartTime();
    if (started == null) {
      return true;
    }
    Instant start = started.toInstant();
    Instant transition = transition(c);
    boolean notReady = "False".equals(c.getStatus());
    if (start.plus(cpuInitializationPeriod).isAfter(now)) {
      Instant taken = time(sample.getTimestamp());
      return notReady || taken == null
          || taken.isBefore(transition.plus(window(sample.getWindow())));
    }
    return notReady && start.plus(initialReadinessDelay).isAfter(transition);
  }

  /**
   * Whether a pod that is not ready became ready before, by the HPA's test: its Ready condition
   * last changed at least {@link Builder#initialReadinessDelay} after its start.
   */
  private boolean becameReady(V1Pod p, V1PodCondition c) {
    OffsetDateTime started = p.getStatus().getStartTime();
    return started != null
        && !started.toInstant().plus(initialReadinessDelay).isAfter(transition(c));
  }

  /** The condition's last change; a condition without one changed at the epoch, long ago. */
  private static Instant transition(V1PodCondition c) {
    return c.getLastTransitionTime() == null ? Instant.EPOCH
        : c.getLastTransitionTime().toInstant();
  }

  private static Instant time(String timestamp) {
    try {
      return timestamp == null ? null : OffsetDateTime.parse(timestamp).toInstant();
    } catch (DateTimeParseException bad) {
      return null;
    }
  }

  /** A Go duration as metrics-server writes a window; read once per pod and tick. */
  private static final Pattern GO_DURATION =
      Pattern.compile("([0-9]+(\\.[0-9]+)?(h|m|s|ms|us|µs|ns))+");
  /** One number and unit of a {@link #GO_DURATION}. */
  private static final Pattern GO_DURATION_PART =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(h|ms|m|s|us|µs|ns)");

  /**
   * A PodMetrics {@code window} (a Go duration as metrics-server writes it: {@code 30s}, {@code
   * 1m0s}, {@code 15.029s}, {@code 500ms}); zero when absent or not one, as the controller reads
   * an absent window.
   */
  static Duration window(String window) {
    if (window == null || !GO_DURATION.matcher(window).matches()) {
      return Duration.ZERO;
    }
    Matcher m = GO_DURATION_PART.matcher(window);
    double nanos = 0;
    while (m.find()) {
      double v = Double.parseDouble(m.group(1));
      nanos += v * switch (m.group(2)) {
        case "h" -> 3.6e12;
        case "m" -> 6e10;
        case "s" -> 1e9;
        case "ms" -> 1e6;
        case "us", "µs" -> 1e3;
        default -> 1;
      };
    }
    return nanos > 1e15 ? Duration.ofSeconds((long) 1e6) : Duration.ofNanos((long) nanos);
  }

  /**
   * Lists the PodMetrics of {@code selector}. Not through the client's {@code Metrics}: its
   * GenericKubernetesApi throws an IllegalStateException on an I/O error (a timeout), which no
   * retry sees, and drops an error's body and headers (reason, message, Retry-After). Through the
   * custom-objects API every failure is an ApiException like the other calls': code 0 for I/O
   * errors, else the HTTP status with its body and headers.
   */
  private PodMetricsList podMetrics(String namespace, String selector) throws ApiException {
    return client.<PodMetricsList>execute(custom.listNamespacedCustomObject("metrics.k8s.io",
        "v1beta1", namespace, "pods").labelSelector(selector).buildCall(null),
        PodMetricsList.class).getData();
  }

  /**
   * The reading of {@code m} over {@code pods}, the pods {@code counted} whose sample the HPA
   * counts for it (for CPU, not those {@link #ignoredForCpu}). Every pod counted must have a
   * request for a utilization, as the controller's {@code calculatePodRequests} asks of every pod
   * it lists. An {@code AVERAGE_VALUE} reading is the workload's total: Σ usage over {@code pods},
   * and with CPU samples left out, their mean times the pods counted.
   */
  private static MetricReading reading(MetricTarget m, Map<String, V1Pod> counted,
      Map<String, V1Pod> pods, Map<String, PodMetrics> samples, String selector) {
    String res = m.name();
    if (counted.isEmpty()) {
      return MetricReading.unavailable(res, "no ready pod of " + selector + " to measure " + res
          + " on");
    }
    if (m.type() == MetricTarget.Type.UTILIZATION) {
      for (Map.Entry<String, V1Pod> e : counted.entrySet()) {
        if (requestOf(e.getValue(), res).isEmpty()) {
          return MetricReading.unavailable(res, "pod " + e.getKey() + " has no " + res
              + " request: utilization is undefined");
        }
      }
    }
    if (pods.isEmpty()) {
      // The controller fails too: "did not receive metrics for any ready pods".
      return MetricReading.unavailable(res, "the " + counted.size() + " ready pods of " + selector
          + " all became ready less than a sample window before their " + res + " sample, inside"
          + " their CPU initialization period: the HPA counts none of them yet");
    }
    double usage = 0;
    double request = 0;
    List<String> missing = new ArrayList<>();
    boolean partial = false;
    Instant oldest = null;
    for (Map.Entry<String, V1Pod> e : pods.entrySet()) {
      if (m.type() == MetricTarget.Type.UTILIZATION) {
        // an explicit request of 0 counts, as the HPA counts it
        request += requestOf(e.getValue(), res).getAsDouble();
      }
      PodMetrics pm = samples.get(e.getKey());
      Usage u = usageOf(pm, e.getValue(), res);
      if (!u.complete()) {
        // A sample without some of the containers counted in the request is no figure of the
        // pod: their usage is unknown, not zero (metrics-server drops a container's usage when
        // its start time or CPU counter goes back, as after a restart).
        partial |= !u.none();
        missing.add(u.none() ? e.getKey() : e.getKey() + " lacks container"
            + (u.lacking().size() > 1 ? "s " : " ") + String.join(" and ", u.lacking()));
        continue;
      }
      Instant t;
      try {
        t = pm.getTimestamp() == null ? null : OffsetDateTime.parse(pm.getTimestamp()).toInstant();
      } catch (DateTimeParseException bad) {
        t = null;
      }
      if (t == null) {
        return MetricReading.unavailable(res, "PodMetrics of " + e.getKey()
            + " has no valid timestamp: " + pm.getTimestamp());
      }
      usage += u.sum();
      oldest = oldest == null || t.isBefore(oldest) ? t : oldest;
    }
    if (!missing.isEmpty()) {
      // Not the others' figure spread over every pod: that scales a part up to the whole. The
      // first few are named, so that a new pod can be told from one never scraped.
      String named = String.join(", ", missing.subList(0, Math.min(3, missing.size())))
          + (missing.size() > 3 ? ", ..." : "");
      return MetricReading.unavailable(res, missing.size() + " of " + pods.size()
          + " ready pods of " + selector + " have no metrics.k8s.io sample of " + res + " ("
          + named + "; a new pod has none before its first scrape"
          + (partial ? ", a restarted container none before its next" : "") + ")");
    }
    if (m.type() == MetricTarget.Type.UTILIZATION && !(request > 0)) {
      // The HPA fails here too ("no metrics returned matched known pods"): no share of 0.
      return MetricReading.unavailable(res, "the " + pods.size() + " ready pods of " + selector
          + " request " + res + " 0 in total: utilization is undefined");
    }
    double value = m.type() == MetricTarget.Type.UTILIZATION ? usage / request * 100.0
        : pods.size() == counted.size() ? usage : usage / pods.size() * counted.size();
    if (!Double.isFinite(value)) {
      return MetricReading.unavailable(res, "non-finite " + res + " value " + value);
    }
    return MetricReading.of(res, value, oldest);
  }

  /**
   * A pod's usage of {@code res} over the containers {@link #counted} for its request.
   *
   * @param sum the usage of those of them the sample has a usage of {@code res} for
   * @param lacking the names of those it has none for; the sum is the pod's only when empty
   * @param none whether the sample has a usage for none of them (or there is no sample)
   */
  private record Usage(double sum, List<String> lacking, boolean none) {
    /** Whether the sum is the pod's usage: the sample covers every container counted. */
    boolean complete() {
      return !none && lacking.isEmpty();
    }
  }

  /**
   * A pod's usage of {@code res} in its sample {@code pm} (null when it has none): the sum over
   * the containers whose request {@link #requestOf} counts, so that usage and request are taken
   * over the same containers. Each of them must have a usage in the sample: summed without one,
   * the pod's usage over its whole request reads too low (the HPA's {@code getPodMetrics} checks
   * only the containers the sample lists, and misses it). A container the sample has beyond them
   * (an ephemeral debug container) is not the workload's and is not added. A pod whose spec names
   * no container (never one from an API server) falls back on the containers its sample lists.
   */
  private static Usage usageOf(PodMetrics pm, V1Pod pod, String res) {
    Map<String, Quantity> sampled = new LinkedHashMap<>();
    List<String> listed = new ArrayList<>();
    if (pm != null && pm.getContainers() != null) {
      for (ContainerMetrics c : pm.getContainers()) {
        Quantity q = c.getUsage() == null ? null : c.getUsage().get(res);
        listed.add(c.getName());
        if (q != null) {
          sampled.put(c.getName(), q);
        }
      }
    }
    List<String> expected = new ArrayList<>();
    for (V1Container c : counted(pod.getSpec())) {
      expected.add(c.getName());
    }
    if (expected.isEmpty()) {
      expected = listed;
    }
    double sum = 0;
    List<String> lacking = new ArrayList<>();
    for (String name : expected) {
      Quantity q = sampled.get(name);
      if (q == null) {
        lacking.add(name);
      } else {
        sum += q.getNumber().doubleValue();
      }
    }
    boolean none = expected.isEmpty() || lacking.size() == expected.size();
    return new Usage(sum, lacking, none);
  }

  /**
   * A pod's request of {@code res} as the HPA counts it (the controller's {@code
   * calculatePodRequests}): the pod-level request when the pod has one (pod-level resources,
   * which the API server keeps only where the feature is on), else the sum over its containers
   * and its native sidecars (init containers with {@code restartPolicy: Always}, whose usage the
   * pod's sample includes); empty when one of those has no request. An explicit request of 0 is
   * 0, not "no request": the controller adds it to the sum and fails only on a missing one.
   */
  private static OptionalDouble requestOf(V1Pod pod, String res) {
    V1PodSpec spec = pod == null ? null : pod.getSpec();
    if (spec == null) {
      return OptionalDouble.empty();
    }
    Quantity podLevel = requestIn(spec.getResources(), res);
    if (podLevel != null) {
      return OptionalDouble.of(podLevel.getNumber().doubleValue());
    }
    double sum = 0;
    for (V1Container c : counted(spec)) {
      Quantity q = requestIn(c.getResources(), res);
      if (q == null) {
        return OptionalDouble.empty();
      }
      sum += q.getNumber().doubleValue();
    }
    return OptionalDouble.of(sum);
  }

  /**
   * The containers of a pod whose request of a resource counts, and whose usage its sample must
   * hold: its containers and its native sidecars (init containers with {@code restartPolicy:
   * Always}, which run beside them). Not the classic init containers: they have ended before the
   * pod is ready, and a sample has no usage of them.
   */
  private static List<V1Container> counted(V1PodSpec spec) {
    List<V1Container> counted = new ArrayList<>();
    if (spec == null) {
      return counted;
    }
    if (spec.getContainers() != null) {
      counted.addAll(spec.getContainers());
    }
    if (spec.getInitContainers() != null) {
      for (V1Container c : spec.getInitContainers()) {
        if ("Always".equals(c.getRestartPolicy())) {
          counted.add(c);
        }
      }
    }
    return counted;
  }

  private static Quantity requestIn(V1ResourceRequirements r, String res) {
    return r == null || r.getRequests() == null ? null : r.getRequests().get(res);
  }

  private static Observation unavailable(WorkloadSpec spec, Instant now, String why) {
    Map<String, MetricReading> r = new LinkedHashMap<>();
    for (MetricTarget m : spec.metrics()) {
      r.put(m.name(), MetricReading.unavailable(m.name(), why));
    }
    return new Observation(now, r, Optional.empty());
  }

  /** Builds a {@link MetricsServerSource}. */
  public static final class Builder extends ScaleCallerBuilder<Builder> {
    private Duration cpuInitializationPeriod = DEFAULT_CPU_INITIALIZATION_PERIOD;
    private Duration initialReadinessDelay = DEFAULT_INITIAL_READINESS_DELAY;

    private Builder(ApiClient client) {
      super(client);
    }

    /**
     * The HPA controller's {@code --horizontal-pod-autoscaler-cpu-initialization-period}, in [0,
     * 1 h]; default 5 minutes. Set it as the cluster's controller has it.
     *
     * @throws IllegalArgumentException when out of range
     */
    public Builder cpuInitializationPeriod(Duration period) {
      this.cpuInitializationPeriod = inRange(period, "cpuInitializationPeriod");
      return this;
    }

    /**
     * The HPA controller's {@code --horizontal-pod-autoscaler-initial-readiness-delay}, in [0, 1
     * h]; default 30 s. Set it as the cluster's controller has it.
     *
     * @throws IllegalArgumentException when out of range
     */
    public Builder initialReadinessDelay(Duration delay) {
      this.initialReadinessDelay = inRange(delay, "initialReadinessDelay");
      return this;
    }

    private static Duration inRange(Duration d, String field) {
      Objects.requireNonNull(d, field);
      if (d.isNegative() || d.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(field + " must be in [PT0S, PT1H], but was " + d);
      }
      return d;
    }

    /** Builds the source. */
    public MetricsServerSource build() {
      return new MetricsServerSource(this);
    }
  }
}
