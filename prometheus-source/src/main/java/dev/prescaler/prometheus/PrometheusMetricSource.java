package dev.prescaler.prometheus;

import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.cli.Printable;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MetricSource} that reads a workload's metrics from Prometheus with one PromQL template
 * per metric name of the {@link WorkloadSpec}.
 *
 * <pre>{@code
 * MetricSource prometheus = PrometheusMetricSource.builder()
 *     .baseUri(URI.create("http://prometheus.monitoring:9090"))
 *     .metric("cpu", PromQlTemplates.cpuUtilization())
 *     .metric("rps", PromQlTemplates.requestRate("http_requests_total"))
 *     .replicaQueries(PromQlTemplates.kubeStateMetricsReplicas())
 *     .build();
 * }</pre>
 *
 * <p>{@link #read} runs one instant query per metric at the engine's {@code now} (all of a
 * workload's queries in parallel) and {@link #history} runs range queries for backfill, chunked
 * under Prometheus's limit of 11,000 points per series. Template placeholders are documented in
 * the module README and on {@link Builder#metric}; every value is escaped, so a label value with
 * quotes, backslashes or newlines cannot change the query.
 *
 * <p>Readings follow the engine's contract: a {@link MetricTarget.Type#UTILIZATION} template must
 * return the mean percent of request over ready pods, an {@link MetricTarget.Type#AVERAGE_VALUE}
 * template the workload's total. A reading is {@link MetricReading#unavailable unavailable}, with
 * the reason, when the request failed, or the result carries warnings (a partial response;
 * PromQL info annotations aside), is empty, holds several series, is NaN or ±Inf, or its newest
 * sample is older than {@link Builder#maxSampleAge}. Without replica queries for the workload's
 * kind, {@link Observation#replicas()} is empty and the engine asks its executor; with them, the
 * pods that exist are read too when the kind has an existing-count query, and are otherwise
 * taken as the desired count (see {@link ReplicaQueries}). Immutable and thread-safe.
 */
public final class PrometheusMetricSource implements MetricSource {
  private static final Logger LOG = LoggerFactory.getLogger(PrometheusMetricSource.class);

  /** Default rate window, the {@code {rate_window}} placeholder: 5 minutes. */
  public static final Duration DEFAULT_RATE_WINDOW = Duration.ofMinutes(5);
  /** Default timeout of one request: 10 s. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** Default TCP connect timeout: 5 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Default retries after a 5xx answer or a connection error: 2. */
  public static final int DEFAULT_MAX_RETRIES = 2;
  /** Default wait before the first retry: 200 ms (doubled for each further retry). */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
  /** The largest {@link Builder#initialBackoff}: 1 minute. */
  public static final Duration MAX_INITIAL_BACKOFF = Duration.ofMinutes(1);
  /** Default cap on the wait between retries: 2 s. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(2);
  /** The largest {@link Builder#maxBackoff}: 5 minutes. */
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  /** Default age beyond which a sample is stale: 5 minutes. */
  public static final Duration DEFAULT_MAX_SAMPLE_AGE = Duration.ofMinutes(5);
  /** The largest {@link Builder#maxSampleAge}: 1 day, as the engine's {@code maxMetricAge}. */
  public static final Duration MAX_SAMPLE_AGE = Duration.ofDays(1);
  /** Default and largest span of history a backfill reads: 7 days. */
  public static final Duration DEFAULT_MAX_BACKFILL = Duration.ofDays(7);
  /** Default points per range request: 10,000 (Prometheus refuses more than 11,000). */
  public static final int DEFAULT_MAX_POINTS_PER_REQUEST = 10_000;
  /**
   * Default cap on a response body, on the wire and once decompressed: 16 MiB. The largest answer
   * the source can use, one series of 11,000 points, is under 1 MB; a template that lost its
   * {@code sum(...)} on a large cluster answers tens of megabytes, which Jackson's tree holds
   * about tenfold, and a gzip bomb inflates without bound.
   */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 16L << 20;
  /** The smallest {@link Builder#maxResponseBytes}: 1 KiB (a cap meant in KiB or MiB). */
  public static final long MIN_MAX_RESPONSE_BYTES = 1L << 10;
  /** The largest {@link Builder#maxResponseBytes}: 1 GiB. */
  public static final long MAX_MAX_RESPONSE_BYTES = PrometheusHttp.MAX_BODY;
  /** Prometheus's own limit on the points of one series in a range query. */
  public static final int PROMETHEUS_MAX_POINTS = 11_000;
  /** The most grid steps {@link #history} and {@link #rangeQuery} read in one call: 10,000,000. */
  public static final long MAX_RANGE_STEPS = 10_000_000L;
  /**
   * The longest step of {@link #history} and {@link #rangeQuery}: 106,751 days, the whole days
   * under 2^63 nanoseconds, in which Prometheus counts a step.
   */
  public static final Duration MAX_STEP = Duration.ofDays(106_751);

  /*
   * Pod names. The API server generates a name as base[:58] + 5 random characters of
   * GENERATED_CHAR (k8s.io/apiserver, storage/names). A Deployment's pods are generated from
   * "<deployment>-<hash>-", the hash 1 to 10 characters of the same alphabet (the ReplicaSet's
   * pod-template hash: a 32-bit FNV hash in decimal, each digit mapped into the alphabet).
   */
  private static final String GENERATED_CHAR = "[bcdfghjklmnpqrstvwxz2456789]";
  private static final int MAX_GENERATED_BASE = 58;
  private static final int MAX_HASH = 10;

  private final PrometheusHttp http;
  private final Map<String, QueryTemplate> metrics;
  private final Map<String, Replicas> replicaQueries;
  private final Function<WorkloadRef, List<LabelMatcher>> podSelector;
  private final String rateWindow;
  private final Duration maxSampleAge;
  private final Duration maxBackfill;
  private final int maxPointsPerRequest;

  /** The parsed replica templates of a kind; {@code existing} is null when there is none. */
  private record Replicas(QueryTemplate current, QueryTemplate ready, QueryTemplate existing) {}

  private PrometheusMetricSource(Builder b, Map<String, QueryTemplate> metrics,
      Map<String, Replicas> replicas, HttpClient client) {
    this.http = new PrometheusHttp(client, b.baseUri, b.requestTimeout, b.maxRetries,
        b.initialBackoff, b.maxBackoff, b.maxResponseBytes,
        b.bearerTokenFile == null ? null : new BearerTokenFile(b.bearerTokenFile),
        b.basicUser == null ? null : "Basic " + Base64.getEncoder().encodeToString(
            (b.basicUser + ":" + b.basicPassword).getBytes(StandardCharsets.UTF_8)),
        b.headers, b.delays);
    this.metrics = Map.copyOf(metrics);
    this.replicaQueries = Map.copyOf(replicas);
    this.podSelector = b.podSelector;
    this.rateWindow = PromQl.duration(b.rateWindow.toMillis());
    this.maxSampleAge = b.maxSampleAge;
    this.maxBackfill = b.maxBackfill;
    this.maxPointsPerRequest = b.maxPointsPerRequest;
  }

  /**
   * Checks a metric template as {@link Builder#build()} does, without building a source, so that
   * a configuration can be validated before anything starts.
   *
   * @param field names the template in the message, e.g. {@code workloads[0].metrics[1].query}
   * @throws IllegalArgumentException naming the field, the placeholder and the template when a
   *     placeholder is unknown or in a context where it cannot be rendered safely
   */
  public static void checkTemplate(String field, String template) {
    QueryTemplate.parse(Objects.requireNonNull(field, "field"), template);
  }

  /**
   * Reads and checks a bearer token file as each request does, so that a command can refuse a bad
   * one before anything starts. The source itself reads the file at each request, so that a token
   * mounted after the start, or rotated, is picked up; {@link Builder#build()} does not read it.
   *
   * @param field names the file in the message, e.g. {@code --bearer-token-file}
   * @throws IllegalArgumentException naming the field and the file when the file cannot be read,
   *     is empty, or holds anything but one token of printable ASCII
   */
  public static void checkBearerTokenFile(String field, Path file) {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(file, field);
    String token;
    try {
      token = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(field + " " + file + " cannot be read ("
          + e.getClass().getSimpleName() + ")");
    }
    String problem = BearerTokenFile.problem(token);
    if (problem != null) {
      throw new IllegalArgumentException(field + " " + file + " " + problem);
    }
  }

  /**
   * Checks the form of a base URI as {@link Builder#build()} does, without building a source, so
   * that a configuration can be validated before anything starts. User info is checked apart (see
   * {@link UrlCredentials}), since each caller names its own way to pass credentials.
   *
   * @return what is wrong, to follow the field's name in a message ({@code "must be an http or
   *     https URI with a host and no query or fragment"}), or null when the form is accepted
   */
  public static String baseUriFormProblem(URI baseUri) {
    String scheme = Objects.requireNonNull(baseUri, "baseUri").getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)
        || baseUri.getHost() == null || baseUri.getRawQuery() != null
        || baseUri.getRawFragment() != null) {
      return "must be an http or https URI with a host and no query or fragment";
    }
    int port = baseUri.getPort(); // -1 when none is given: the scheme's
    if (port == 0 || port > 65535) {
      return "must have a port from 1 to 65535 (or none: the scheme's)";
    }
    return null;
  }

  /** A builder; {@link Builder#baseUri} and at least one {@link Builder#metric} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The default pod-name regular expression of a workload's pods, after the names Kubernetes
   * gives them. {@code A} is Kubernetes' alphabet for generated names, {@code
   * [bcdfghjklmnpqrstvwxz2456789]} (no vowels, no y, no 0, 1 or 3):
   *
   * <ul>
   *   <li>Deployment: {@code <name>-A{1,10}-A{5}}, the ReplicaSet's pod-template hash and the
   *       pod's random suffix;
   *   <li>ReplicaSet, ReplicationController: {@code <name>-A{5}};
   *   <li>StatefulSet: {@code <name>-(0|[1-9][0-9]*)}, the ordinal;
   *   <li>any other kind: {@code <name>-.+}.
   * </ul>
   *
   * The name is regex-quoted, so its dots match only dots. Pods of neighbouring workloads
   * ({@code web-db-0}, {@code web-migrate-x7k2p}, {@code web-agent-x7k2p} next to the Deployment
   * {@code web}) do not match, unless their own name fits the grammar, as the pods of a Job
   * named {@code web-bcd} would. As the API server does, a generated name longer than 58
   * characters before its 5-character suffix is cut to 58, so for names of 47 characters or more
   * the Deployment form also allows the hash cut short with its dash, and for names over 56 the
   * expression follows the cut name.
   */
  public static String defaultPodRegex(WorkloadRef workload) {
    String name = workload.name();
    switch (workload.kind()) {
      case "Deployment":
        return deploymentPodRegex(name);
      case "StatefulSet":
        return PromQl.quoteRegex(name) + "-(0|[1-9][0-9]*)";
      case "ReplicaSet":
      case "ReplicationController":
        return generatedName(name + "-");
      default:
        return PromQl.quoteRegex(name) + "-.+";
    }
  }

  /** The regex of names generated from the literal {@code base}. */
  private static String generatedName(String base) {
    String kept = base.length() > MAX_GENERATED_BASE ? base.substring(0, MAX_GENERATED_BASE)
        : base;
    return PromQl.quoteRegex(kept) + GENERATED_CHAR + "{5}";
  }

  private static String deploymentPodRegex(String name) {
    int n = name.length();
    if (n + 1 >= MAX_GENERATED_BASE) {
      return generatedName(name + "-");
    }
    String quoted = PromQl.quoteRegex(name) + "-";
    // Hashes of up to `whole` characters keep their dash: name-hash- fits in 58.
    int whole = Math.min(MAX_HASH, MAX_GENERATED_BASE - 2 - n);
    String full = GENERATED_CHAR + "{1," + whole + "}-" + GENERATED_CHAR + "{5}";
    if (whole == MAX_HASH) {
      return quoted + full;
    }
    // A longer hash is cut, with its dash, to the 57 - n characters left: then the suffix.
    String cut = GENERATED_CHAR + "{" + (MAX_GENERATED_BASE - 1 - n + 5) + "}";
    return whole < 1 ? quoted + cut : quoted + "(" + full + "|" + cut + ")";
  }

  /**
   * The default {@code {selector}}: {@code namespace="<namespace>",pod=~"<pod regex>"}, the labels
   * cAdvisor and kube-state-metrics put on per-pod series (see {@link #defaultPodRegex}).
   */
  public static List<LabelMatcher> defaultPodSelector(WorkloadRef workload) {
    return List.of(LabelMatcher.eq("namespace", workload.namespace()),
        LabelMatcher.regex("pod", defaultPodRegex(workload)));
  }

  /** The query {@code metric} runs for {@code workload}, for logs and tests; empty if none. */
  public Optional<String> query(WorkloadRef workload, String metric) {
    QueryTemplate t = metrics.get(metric);
    return t == null ? Optional.empty() : Optional.of(t.render(values(workload)));
  }

  private QueryTemplate.Values values(WorkloadRef workload) {
    List<LabelMatcher> selector = podSelector.apply(workload);
    if (selector == null || selector.isEmpty()) {
      throw new IllegalArgumentException("podSelector must return at least one matcher for "
          + workload + ", but returned " + selector);
    }
    return new QueryTemplate.Values(workload, selector, defaultPodRegex(workload), rateWindow);
  }

  /**
   * Reads every metric of {@code spec} with an instant query at {@code now}, and the replica counts
   * when replica queries exist for the workload's kind. Never throws for a failed request: the
   * reading is unavailable with the reason. Returns early, all readings unavailable, when the
   * calling thread is interrupted (the interrupt flag stays set).
   */
  @Override
  public Observation read(WorkloadSpec spec, Instant now) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(now, "now");
    WorkloadRef ref = spec.workload();
    Map<String, MetricReading> readings = new LinkedHashMap<>();
    Map<String, String> queries = new LinkedHashMap<>();
    Replicas rq = replicaQueries.get(ref.kind());
    String currentQuery = null;
    String readyQuery = null;
    String existingQuery = null;
    try {
      QueryTemplate.Values values = values(ref);
      for (MetricTarget m : spec.metrics()) {
        QueryTemplate t = metrics.get(m.name());
        if (t != null) {
          queries.put(m.name(), t.render(values));
        }
      }
      if (rq != null) {
        currentQuery = rq.current.render(values);
        readyQuery = rq.ready.render(values);
        existingQuery = rq.existing == null ? null : rq.existing.render(values);
      }
    } catch (RuntimeException e) {
      for (MetricTarget m : spec.metrics()) {
        readings.put(m.name(), MetricReading.unavailable(m.name(),
            "cannot build the query: " + Printable.escape(String.valueOf(e.getMessage()))));
      }
      return new Observation(now, readings, Optional.empty());
    }
    Map<String, CompletableFuture<QueryResult>> pending = new LinkedHashMap<>();
    for (MetricTarget m : spec.metrics()) {
      String q = queries.get(m.name());
      if (q == null) {
        readings.put(m.name(), MetricReading.unavailable(m.name(),
            "no PromQL template for metric " + m.name() + ": call metric(\"" + m.name()
                + "\", ...) on the PrometheusMetricSource builder"));
        continue;
      }
      pending.put(m.name(), http.query(q, now));
    }
    CompletableFuture<QueryResult> current = null;
    CompletableFuture<QueryResult> ready = null;
    CompletableFuture<QueryResult> existing = null;
    if (rq != null) {
      current = http.query(currentQuery, now);
      ready = http.query(readyQuery, now);
      existing = existingQuery == null ? null : http.query(existingQuery, now);
    }
    List<CompletableFuture<?>> all = new ArrayList<>(pending.values());
    if (rq != null) {
      all.add(current);
      all.add(ready);
      if (existing != null) {
        all.add(existing);
      }
    }
    try {
      CompletableFuture.allOf(all.stream().map(f -> f.handle((r, e) -> null))
          .toArray(CompletableFuture[]::new)).get();
    } catch (InterruptedException e) {
      all.forEach(f -> f.cancel(true));
      Thread.currentThread().interrupt();
      for (String name : pending.keySet()) {
        readings.put(name, MetricReading.unavailable(name, "interrupted while reading"));
      }
      return new Observation(now, readings, Optional.empty());
    } catch (ExecutionException e) {
      throw new IllegalStateException("unexpected failure joining queries", e);
    }
    for (Map.Entry<String, CompletableFuture<QueryResult>> e : pending.entrySet()) {
      String name = e.getKey();
      MetricReading r;
      try {
        r = Hygiene.reading(name, e.getValue().join(), now, maxSampleAge, queries.get(name));
      } catch (RuntimeException ex) {
        r = MetricReading.unavailable(name, reason(ex));
      }
      if (!r.isAvailable()) {
        LOG.debug("{}: metric {} unavailable: {}", ref, name, r.reason());
      }
      readings.put(name, r);
    }
    Optional<ReplicaStatus> replicas = Optional.empty();
    if (rq != null) {
      try {
        replicas = Optional.of(withExisting(ref, Hygiene.replicas(current.join(), ready.join(),
            now, maxSampleAge), existing, now));
      } catch (RuntimeException ex) {
        LOG.debug("{}: replica counts unavailable, the engine will ask the executor: {}", ref,
            reason(ex));
      }
    }
    return new Observation(now, sortedLike(spec, readings), replicas);
  }

  /**
   * {@code counts} with the pods that exist read from {@code existing}, or as they are ({@code
   * existing} = {@code current}) when there is no existing-count query or its result is not a
   * count. An invalid count is dropped as a missing one is, not the whole replica status: so
   * it cannot change a decision in a way a kube-state-metrics without the series would not.
   */
  private ReplicaStatus withExisting(WorkloadRef ref, ReplicaStatus counts,
      CompletableFuture<QueryResult> existing, Instant now) {
    if (existing == null) {
      return counts;
    }
    try {
      return counts.withExisting(Hygiene.existingReplicas(existing.join(), now, maxSampleAge));
    } catch (RuntimeException ex) {
      LOG.debug("{}: existing replicas unknown, taken as the current count {}: {}", ref,
          counts.current(), reason(ex));
      return counts;
    }
  }

  private static Map<String, MetricReading> sortedLike(WorkloadSpec spec,
      Map<String, MetricReading> readings) {
    Map<String, MetricReading> out = new LinkedHashMap<>();
    for (MetricTarget m : spec.metrics()) {
      out.put(m.name(), readings.get(m.name()));
    }
    return out;
  }

  private static String reason(Throwable ex) {
    Throwable e = ex;
    while ((e instanceof java.util.concurrent.CompletionException
        || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    // A PrometheusException's message is one printable line already; anything else is made one.
    return e instanceof PrometheusException ? e.getMessage() : Printable.escape(e.toString());
  }

  /**
   * The past load of {@code metric} on the grid of whole steps since the epoch, from the first
   * such instant at or after {@code from} (the series' start) to the last before {@code to} (see
   * {@link #gridStart}), read with range queries evaluated at each step's start, in chunks of at
   * most {@link Builder#maxPointsPerRequest} points. Only the last {@link Builder#maxBackfill}
   * before {@code to} is read; earlier steps, and steps without a finite value, are NaN. A
   * UTILIZATION metric is converted to load (percent / 100 × ready pods) with the ready-replica
   * query, so without replica queries for the kind there is no history (empty); a step with no
   * ready pod is NaN, as the engine takes such a reading live. Empty too when the metric has no
   * template.
   *
   * @throws PrometheusException when a request fails, or a chunk carries warnings (a partial
   *     response) or holds several series
   * @throws IllegalArgumentException when {@code from} is not before {@code to} or the step is not
   *     in [1 ms, {@link #MAX_STEP}] in whole milliseconds
   */
  @Override
  public Optional<MetricSeries> history(WorkloadSpec spec, MetricTarget metric, Instant from,
      Instant to, Duration step) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(step, "step");
    steps(from, to, step);
    Instant start = gridStart(from, to, step);
    long n = rangeSteps(Duration.between(start, to), step);
    QueryTemplate t = metrics.get(metric.name());
    if (t == null) {
      return Optional.empty();
    }
    WorkloadRef ref = spec.workload();
    Replicas rq = null;
    if (metric.type() == MetricTarget.Type.UTILIZATION) {
      rq = replicaQueries.get(ref.kind());
      if (rq == null) {
        LOG.info("{}: no history for utilization metric {}: converting it to load needs the "
            + "ready replicas, and no replica queries exist for kind {}", ref, metric.name(),
            ref.kind());
        return Optional.empty();
      }
    }
    Instant earliest = to.minus(maxBackfill);
    // At most n: earliest is before to.
    long first = start.isBefore(earliest)
        ? rangeSteps(Duration.between(start, earliest), step) : 0;
    QueryTemplate.Values values = values(ref);
    double[] out = new double[(int) n];
    Arrays.fill(out, Double.NaN);
    if (!fetch(t.render(values), start, step, (int) first, (int) n, out)) {
      return Optional.empty();
    }
    if (rq != null) {
      double[] ready = new double[(int) n];
      Arrays.fill(ready, Double.NaN);
      if (!fetch(rq.ready.render(values), start, step, (int) first, (int) n, ready)) {
        return Optional.empty();
      }
      for (int i = 0; i < out.length; i++) {
        // As the engine takes a live reading: a mean over no ready pod measures nothing, so
        // its load is unknown, never 0; and a ready count that is not a whole number (NaN
        // included) is refused live, so the step is missing, never rounded.
        int pods = Hygiene.isCount(ready[i]) ? (int) Math.rint(ready[i]) : 0;
        out[i] = Double.isNaN(out[i]) || pods < 1 ? Double.NaN : metric.load(out[i], pods);
      }
    }
    return Optional.of(MetricSeries.of(start, step, out));
  }

  /**
   * Any PromQL expression that returns one series (or none), read on the grid of whole steps
   * since the epoch in {@code [from, to)} (the series starts at the first, see {@link
   * #gridStart}) with range queries evaluated at each step's start, in chunks of at most {@link
   * Builder#maxPointsPerRequest} points; steps without a finite value are NaN.
   * Unlike {@link #history} it takes the expression as it is (no template, no workload) and reads
   * the whole span, however long: it is what {@code prescaler export} writes a simulator trace
   * from.
   *
   * @throws PrometheusException when a request fails, an answer carries warnings (a partial
   *     response), the expression returns several series or the thread is interrupted (its flag
   *     restored)
   * @throws IllegalArgumentException when the expression is blank, {@code from} is not before
   *     {@code to}, the step is under 1 ms, over {@link #MAX_STEP} or not whole milliseconds, or
   *     the span holds more than 10,000,000 steps
   */
  public MetricSeries rangeQuery(String promql, Instant from, Instant to, Duration step) {
    Objects.requireNonNull(promql, "promql");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(step, "step");
    if (promql.isBlank()) {
      throw new IllegalArgumentException("promql must be a PromQL expression, but was blank");
    }
    steps(from, to, step);
    Instant start = gridStart(from, to, step);
    int n = (int) rangeSteps(Duration.between(start, to), step);
    double[] out = new double[n];
    Arrays.fill(out, Double.NaN);
    if (!fetch(promql, start, step, 0, n, out)) {
      throw new PrometheusException("range query interrupted (query: " + PromQl.shown(promql)
          + ")");
    }
    return MetricSeries.of(start, step, out);
  }

  /** The steps of {@code [from, to)} by {@code step}, at most 10,000,000, after checking them. */
  private static long steps(Instant from, Instant to, Duration step) {
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to (" + to + "), but was " + from);
    }
    // Prometheus takes the step in milliseconds: a finer part would be cut off on the wire while
    // the grid here kept it, and every point would drift further from its step. It counts the
    // step in 64-bit nanoseconds: a longer one overflowed toMillis() here before it was refused.
    if (step.compareTo(Duration.ofMillis(1)) < 0 || step.compareTo(MAX_STEP) > 0
        || step.getNano() % 1_000_000 != 0) {
      throw new IllegalArgumentException("step must be in [1 ms, " + MAX_STEP.toDays()
          + " days] in whole milliseconds, but was " + step);
    }
    long n = rangeSteps(Duration.between(from, to), step);
    if (n > MAX_RANGE_STEPS) {
      throw new IllegalArgumentException("a range must span at most 10,000,000 steps, but "
          + from + " to " + to + " by " + step + " is " + n);
    }
    return n;
  }

  /**
   * The first instant at or after {@code from} that is a whole number of steps since the epoch,
   * or {@code to} when there is none before {@code to}: where a range read starts. Thanos's
   * query-frontend, Mimir and Cortex with step alignment, and VictoriaMetrics move a range
   * query's start to such an instant; reading from there, every backend evaluates the same grid,
   * and a sample off it means the query was evaluated elsewhere. Exact for any instants (a step
   * of years from 1970 is more nanoseconds than a long holds).
   */
  static Instant gridStart(Instant from, Instant to, Duration step) {
    BigInteger s = nanos(step);
    BigInteger[] qr = nanos(Duration.between(Instant.EPOCH, from)).divideAndRemainder(s);
    // divideAndRemainder truncates towards 0, which rounds a negative quotient up already.
    BigInteger up = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
    BigInteger at = up.multiply(s);
    if (at.compareTo(nanos(Duration.between(Instant.EPOCH, to))) >= 0) {
      return to;
    }
    BigInteger[] secs = at.divideAndRemainder(BigInteger.valueOf(1_000_000_000L));
    return Instant.ofEpochSecond(secs[0].longValueExact(), secs[1].longValueExact());
  }

  /**
   * The steps of a range: ⌈{@code span} / {@code step}⌉, exact for any durations (in
   * nanoseconds a span of 300 years overflows a long), {@link Long#MAX_VALUE} when more.
   *
   * @param span the range's length, &ge; 0
   * @param step its step, &gt; 0
   * @return the number of steps
   */
  public static long rangeSteps(Duration span, Duration step) {
    BigInteger[] qr = nanos(span).divideAndRemainder(nanos(step));
    BigInteger n = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
    return n.bitLength() < Long.SIZE ? n.longValue() : Long.MAX_VALUE;
  }

  private static BigInteger nanos(Duration d) {
    return BigInteger.valueOf(d.getSeconds()).multiply(BigInteger.valueOf(1_000_000_000L))
        .add(BigInteger.valueOf(d.getNano()));
  }

  /** Fills {@code out[first..n)}; false when interrupted (flag restored). */
  private boolean fetch(String query, Instant from, Duration step, int first, int n,
      double[] out) {
    // Chunk by chunk, the series must stay the same one: a series that ends in one chunk and
    // another that starts in the next are two, as the whole span read at once would show.
    QueryResult.Series seen = null;
    for (int i0 = first; i0 < n; i0 += maxPointsPerRequest) {
      int i1 = Math.min(n, i0 + maxPointsPerRequest);
      Instant start = from.plus(step.multipliedBy(i0));
      Instant end = from.plus(step.multipliedBy(i1 - 1L));
      QueryResult r;
      try {
        r = http.queryRange(query, start, end, step).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof PrometheusException) {
          throw (PrometheusException) c;
        }
        throw new PrometheusException("range query failed: " + c + " (query: "
            + PromQl.shown(query) + ")", c);
      }
      seen = Hygiene.fillGrid(r, query, from, step, i0, i1, out, seen);
    }
    return true;
  }

  @Override
  public String toString() {
    return "PrometheusMetricSource{metrics=" + metrics.keySet() + ", replicaKinds="
        + replicaQueries.keySet() + "}";
  }

  /**
   * Builds a {@link PrometheusMetricSource}. Setters reject a bad argument at once; {@link
   * #build()} checks the rest and reports every problem in one {@link
   * InvalidConfigurationException}. Last write wins.
   */
  public static final class Builder {
    private URI baseUri;
    private final Map<String, String> metricTemplates = new LinkedHashMap<>();
    private final Map<String, ReplicaQueries> replicaTemplates = new LinkedHashMap<>();
    private Function<WorkloadRef, List<LabelMatcher>> podSelector =
        PrometheusMetricSource::defaultPodSelector;
    private Duration rateWindow = DEFAULT_RATE_WINDOW;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private Duration maxSampleAge = DEFAULT_MAX_SAMPLE_AGE;
    private Duration maxBackfill = DEFAULT_MAX_BACKFILL;
    private int maxPointsPerRequest = DEFAULT_MAX_POINTS_PER_REQUEST;
    private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private Path bearerTokenFile;
    private String basicUser;
    private String basicPassword;
    private Path caCertificate;
    private SSLContext sslContext;
    // Header names are case-insensitive (RFC 9110): one entry per name, whatever its case.
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private Function<Duration, Executor> delays = PrometheusHttp.REAL_DELAYS;

    private Builder() {}

    /**
     * Where Prometheus serves its API, e.g. {@code http://prometheus:9090} or, behind a path
     * prefix, {@code https://host/prometheus/}; {@code api/v1/...} is resolved against it.
     * Required; http or https, with a host, without query, fragment or user info: credentials go
     * in {@link #basicAuth} or {@link #bearerTokenFile}, never in the URI ({@code
     * http://user:password@host} is refused, and messages name the server by host and port only).
     */
    public Builder baseUri(URI baseUri) {
      this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
      return this;
    }

    /**
     * The PromQL template of the spec's metric {@code name} (replacing any earlier one). Its
     * placeholders are replaced per workload; each is checked when {@link #build()} parses the
     * template:
     *
     * <ul>
     *   <li>inside a quoted string literal: {@code {namespace}}, {@code {name}}, {@code {kind}}
     *       (escaped values), {@code {namespace_regex}}, {@code {name_regex}} (RE2-quoted, then
     *       escaped), {@code {pod_regex}} (see {@link PrometheusMetricSource#defaultPodRegex});
     *   <li>outside literals: {@code {selector}} (the {@link #podSelector} matchers, comma
     *       separated, for use inside {@code {...}}), {@code {rate_window}} (a duration such as
     *       {@code 5m}).
     * </ul>
     *
     * A UTILIZATION metric's template must return the mean percent of request over ready pods;
     * an AVERAGE_VALUE metric's, the workload's total. See {@link PromQlTemplates}.
     */
    public Builder metric(String name, String template) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(template, "template of metric " + name);
      metricTemplates.put(name, template);
      return this;
    }

    /**
     * Replica-count templates for workloads of {@code kind} (e.g. {@code Deployment}): the
     * desired count, the ready pods and, optionally, the pods that exist; without them,
     * observations of that kind carry no replica counts. Default: none.
     */
    public Builder replicaQueries(String kind, ReplicaQueries queries) {
      Objects.requireNonNull(kind, "kind");
      replicaTemplates.put(kind, Objects.requireNonNull(queries, "replicaQueries of " + kind));
      return this;
    }

    /** Adds the replica-count templates of every kind in {@code byKind}. */
    public Builder replicaQueries(Map<String, ReplicaQueries> byKind) {
      byKind.forEach(this::replicaQueries);
      return this;
    }

    /**
     * The matchers {@code {selector}} expands to for a workload; must return at least one.
     * Default {@link PrometheusMetricSource#defaultPodSelector}: namespace and pod-name regex.
     */
    public Builder podSelector(Function<WorkloadRef, List<LabelMatcher>> podSelector) {
      this.podSelector = Objects.requireNonNull(podSelector, "podSelector");
      return this;
    }

    /**
     * The {@code {rate_window}} duration, in [1 s, 30 d], whole milliseconds; default 5 minutes.
     */
    public Builder rateWindow(Duration rateWindow) {
      this.rateWindow = Objects.requireNonNull(rateWindow, "rateWindow");
      return this;
    }

    /**
     * The timeout of one request attempt, body included, in [1 ms, 10 min]; also sent as
     * Prometheus's query {@code timeout}. Default 10 s. A timed-out request is cancelled, its
     * connection closed, and not retried.
     */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
      return this;
    }

    /** The TCP connect timeout, in [1 ms, 10 min]; default 5 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Retries after a 5xx answer or a connection error, in [0, 10]; default 2. A 5xx whose
     * {@code errorType} is {@code timeout} or {@code canceled} (the server gave up on the query)
     * is not retried, as a request that timed out is not.
     */
    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    /**
     * The wait before the first retry, doubled for each further one up to {@link #maxBackoff};
     * in [0, 1 min] (zero retries at once); default 200 ms.
     */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
      return this;
    }

    /**
     * The longest wait between retries, in [{@link #initialBackoff}, 5 min]; default 2 s.
     */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
      return this;
    }

    /**
     * The age, before the read's {@code now}, beyond which a sample is stale and the reading
     * unavailable; in (0, 1 day], as the engine's {@code maxMetricAge}; default 5 minutes.
     * Instant vectors carry the evaluation time; a template that returns a range vector ({@code
     * x[2m]}) is judged by its newest raw sample.
     */
    public Builder maxSampleAge(Duration maxSampleAge) {
      this.maxSampleAge = Objects.requireNonNull(maxSampleAge, "maxSampleAge");
      return this;
    }

    /** The longest span a {@link #history} call reads, in (0, 7 days]; default 7 days. */
    public Builder maxBackfill(Duration maxBackfill) {
      this.maxBackfill = Objects.requireNonNull(maxBackfill, "maxBackfill");
      return this;
    }

    /** Points per range request, in [1, 11,000] (Prometheus's limit); default 10,000. */
    public Builder maxPointsPerRequest(int maxPointsPerRequest) {
      this.maxPointsPerRequest = maxPointsPerRequest;
      return this;
    }

    /**
     * The most bytes one response body may hold, in [1 KiB, 1 GiB]; default 16 MiB. The cap holds
     * on the wire (past it the read stops, the connection is closed and the rest is never
     * buffered) and again once a gzip body is decompressed. A larger answer fails the request
     * without a retry: a reading is unavailable with the reason, a backfill throws {@link
     * PrometheusException}. The usual cause is a template that returns a series per pod where
     * it should aggregate them with {@code sum(...)}: the source would refuse the several series
     * anyway, after parsing them all.
     */
    public Builder maxResponseBytes(long maxResponseBytes) {
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /**
     * A file holding a bearer token (e.g. a projected service-account token), sent as {@code
     * Authorization: Bearer ...} and read again whenever the file changes. Default: none.
     * Excludes {@link #basicAuth}.
     */
    public Builder bearerTokenFile(Path bearerTokenFile) {
      this.bearerTokenFile = Objects.requireNonNull(bearerTokenFile, "bearerTokenFile");
      return this;
    }

    /**
     * HTTP basic authentication. Default: none. Excludes {@link #bearerTokenFile}. {@link
     * #build()} refuses a username holding a colon (RFC 7617: the server splits the user from the
     * password at the first one); the message shows neither.
     */
    public Builder basicAuth(String username, String password) {
      this.basicUser = Objects.requireNonNull(username, "username");
      this.basicPassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * A PEM file of the CA certificates to trust for an https {@link #baseUri}, instead of the
     * JVM's default trust store. Read when {@link #build()} runs. Excludes {@link #sslContext}.
     */
    public Builder caCertificate(Path caCertificate) {
      this.caCertificate = Objects.requireNonNull(caCertificate, "caCertificate");
      return this;
    }

    /** A full TLS setup (client certificates, say). Excludes {@link #caCertificate}. */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * An extra header sent with every request, e.g. {@code X-Scope-OrgID} for a multi-tenant
     * Prometheus-compatible store. {@link #build()} refuses a name that is not an RFC 7230 token,
     * {@code Authorization} (set by the authentication options), the headers the JDK's HTTP client
     * sets itself ({@code Connection}, {@code Content-Length}, {@code Expect}, {@code Host}, {@code
     * Upgrade}), those the source sets ({@code Accept}, {@code Accept-Encoding}, {@code
     * Content-Type}) or {@code Transfer-Encoding}, and a value with a control character (tabs
     * aside) or one above U+00FF. Names are case-insensitive: a later call with the same name in
     * any case replaces the value, and the name is sent as that call spells it.
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "value of header " + name);
      // A TreeMap keeps the first key of equal ones: removed first, the last spelling is kept.
      headers.remove(name);
      headers.put(name, value);
      return this;
    }

    /** Test hook: how the wait before a retry is made. */
    Builder delays(Function<Duration, Executor> delays) {
      this.delays = Objects.requireNonNull(delays, "delays");
      return this;
    }

    /**
     * Builds the source: parses every template, loads the CA file, creates the HTTP client.
     *
     * @throws InvalidConfigurationException listing every problem, each naming the field and value
     */
    public PrometheusMetricSource build() {
      List<String> p = new ArrayList<>();
      if (baseUri == null) {
        p.add("baseUri must be set: call baseUri(...)");
      } else {
        String scheme = baseUri.getScheme();
        String shown = UrlCredentials.redacted(baseUri.toString());
        if (UrlCredentials.present(baseUri.toString())) {
          p.add("baseUri must not hold user info (credentials in the URL are not sent, and would "
              + "show in messages): use basicAuth(username, password) or bearerTokenFile(path), "
              + "but was " + shown);
        }
        String form = baseUriFormProblem(baseUri);
        if (form != null) {
          p.add("baseUri " + form + ", but was " + shown);
        }
        if ((caCertificate != null || sslContext != null) && "http".equalsIgnoreCase(scheme)) {
          p.add("baseUri must be https when caCertificate or sslContext is set, but was "
              + shown);
        }
      }
      if (metricTemplates.isEmpty()) {
        p.add("metrics must hold at least one template: call metric(name, template)");
      }
      Map<String, QueryTemplate> parsed = new LinkedHashMap<>();
      metricTemplates.forEach((name, template) -> {
        if (!name.matches(MetricTarget.NAME_PATTERN)) { // no workload's metric could use it
          p.add("metric name must match " + MetricTarget.NAME_PATTERN + ", but was "
              + Headers.quoted(name));
        }
        try {
          parsed.put(name, QueryTemplate.parse("template of metric " + name, template));
        } catch (IllegalArgumentException e) {
          p.add(e.getMessage());
        }
      });
      Map<String, Replicas> replicas = new LinkedHashMap<>();
      replicaTemplates.forEach((kind, q) -> {
        try {
          replicas.put(kind, new Replicas(
              QueryTemplate.parse("current-replicas template of kind " + kind, q.current()),
              QueryTemplate.parse("ready-replicas template of kind " + kind, q.ready()),
              q.existing().map(e -> QueryTemplate.parse("existing-replicas template of kind "
                  + kind, e)).orElse(null)));
        } catch (IllegalArgumentException e) {
          p.add(e.getMessage());
        }
      });
      if (rateWindow.compareTo(Duration.ofSeconds(1)) < 0
          || rateWindow.compareTo(Duration.ofDays(30)) > 0
          || rateWindow.getNano() % 1_000_000 != 0) {
        p.add("rateWindow must be in [1s, 30d] in whole milliseconds, but was " + rateWindow);
      }
      range(p, "requestTimeout", requestTimeout, Duration.ofMillis(1), Duration.ofMinutes(10));
      range(p, "connectTimeout", connectTimeout, Duration.ofMillis(1), Duration.ofMinutes(10));
      if (maxRetries < 0 || maxRetries > 10) {
        p.add("maxRetries must be in [0, 10], but was " + maxRetries);
      }
      // Bounded as the Kubernetes adapter's RetryPolicy bounds its waits, 0 aside (retry at
      // once): a wait past them is a mistake, and one of centuries overflowed toNanos() at the
      // first retry, failing the request with "long overflow" instead of the server's answer.
      range(p, "initialBackoff", initialBackoff, Duration.ZERO, MAX_INITIAL_BACKOFF);
      if (maxBackoff.compareTo(initialBackoff) < 0 || maxBackoff.compareTo(MAX_BACKOFF) > 0) {
        p.add("maxBackoff must be in [initialBackoff (" + initialBackoff + "), " + MAX_BACKOFF
            + "], but was " + maxBackoff);
      }
      // The engine's maxMetricAge stops at 1 day too; past it, now.minus(maxSampleAge) could
      // overflow at every read and leave every reading unavailable.
      if (maxSampleAge.isNegative() || maxSampleAge.isZero()
          || maxSampleAge.compareTo(MAX_SAMPLE_AGE) > 0) {
        p.add("maxSampleAge must be in (0, 1d], but was " + maxSampleAge);
      }
      if (maxBackfill.isNegative() || maxBackfill.isZero()
          || maxBackfill.compareTo(DEFAULT_MAX_BACKFILL) > 0) {
        p.add("maxBackfill must be in (0, 7d], but was " + maxBackfill);
      }
      if (maxPointsPerRequest < 1 || maxPointsPerRequest > PROMETHEUS_MAX_POINTS) {
        p.add("maxPointsPerRequest must be in [1, 11000], but was " + maxPointsPerRequest);
      }
      if (maxResponseBytes < MIN_MAX_RESPONSE_BYTES
          || maxResponseBytes > MAX_MAX_RESPONSE_BYTES) {
        p.add("maxResponseBytes must be in [" + MIN_MAX_RESPONSE_BYTES + ", "
            + MAX_MAX_RESPONSE_BYTES + "] bytes, but was " + maxResponseBytes);
      }
      if (basicUser != null && basicUser.indexOf(':') >= 0) {
        // Not shown: a password put in the username by mistake would leak.
        p.add("basicAuth username must not hold a colon (RFC 7617: the server splits the user "
            + "from the password at the first one), but its character "
            + (basicUser.codePointCount(0, basicUser.indexOf(':')) + 1) + " is one");
      }
      if (bearerTokenFile != null && basicUser != null) {
        p.add("bearerTokenFile and basicAuth cannot both be set, but both were");
      }
      if (caCertificate != null && sslContext != null) {
        p.add("caCertificate and sslContext cannot both be set, but both were");
      }
      headers.forEach((name, value) -> {
        String problem = Headers.problem(name, value);
        if (problem != null) {
          p.add(problem);
        }
      });
      SSLContext ssl = sslContext;
      if (caCertificate != null && p.isEmpty()) {
        try {
          ssl = Tls.trusting(caCertificate);
        } catch (IllegalArgumentException e) {
          p.add(e.getMessage());
        }
      }
      if (!p.isEmpty()) {
        throw new InvalidConfigurationException("PrometheusMetricSource", p);
      }
      HttpClient.Builder client = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(connectTimeout);
      if (ssl != null) {
        client.sslContext(ssl);
      }
      return new PrometheusMetricSource(this, parsed, replicas, client.build());
    }

    private static void range(List<String> p, String field, Duration d, Duration min,
        Duration max) {
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        p.add(field + " must be in [" + min + ", " + max + "], but was " + d);
      }
    }
  }
}
