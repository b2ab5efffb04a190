package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PrometheusMetricSource} against the real Prometheus server: 32 hours of backfilled
 * history for {@code shop/web}, its neighbours and {@code shop/cart} ({@link HistoryFixture}) and
 * a live scrape target for {@code shop/api} ({@link LiveTarget}), whose rates are known exactly.
 */
class PrometheusMetricSourceIT {
  private static final Clock WALL = Clock.systemUTC();
  private static final int HOURS = 32;
  private static final WorkloadRef API = WorkloadRef.deployment("shop", "api");
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final WorkloadRef CART = WorkloadRef.deployment("shop", "cart");

  @TempDir static Path dir;
  private static LiveTarget target;
  private static PrometheusServer prometheus;
  private static Instant fixtureStart;
  private static Instant fixtureEnd;

  @BeforeAll
  static void start() throws Exception {
    Instant end = WALL.instant().minus(Duration.ofMinutes(3)).truncatedTo(ChronoUnit.MINUTES);
    fixtureStart = end.minus(Duration.ofHours(HOURS));
    fixtureEnd = end;
    target = new LiveTarget();
    prometheus = new PrometheusServer(dir, HistoryFixture.openMetrics(fixtureStart, HOURS),
        List.of(target.address())).start();
    // Five scrapes within the last 5 s: every live rate window of 4 s is fully covered.
    prometheus.awaitResult("count_over_time(kube_deployment_spec_replicas{deployment=\"api\"}[5s])"
        + " >= 5", Duration.ofSeconds(45));
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (target != null) {
      target.close();
    }
  }

  private static PrometheusMetricSource.Builder source() {
    return PrometheusMetricSource.builder().baseUri(prometheus.uri())
        .rateWindow(Duration.ofSeconds(4)).initialBackoff(Duration.ZERO)
        .replicaQueries(PromQlTemplates.kubeStateMetricsReplicas());
  }

  private static WorkloadSpec spec(WorkloadRef ref, MetricTarget... metrics) {
    WorkloadSpec.Builder b = WorkloadSpec.builder(ref).maxReplicas(10);
    for (MetricTarget m : metrics) {
      b.metric(m);
    }
    return b.build();
  }

  private static MetricReading readOne(PrometheusMetricSource source, WorkloadRef ref,
      String metric) {
    return source.read(spec(ref, MetricTarget.averageValue(metric, 1)), WALL.instant())
        .reading(metric);
  }

  @Test
  void instantReadReturnsTheValueAtTheEnginesNow() {
    PrometheusMetricSource source = source().metric("inflight", "sum(app_inflight{{selector}})")
        .build();
    Instant now = WALL.instant().truncatedTo(ChronoUnit.MILLIS);
    Observation obs = source.read(spec(API, MetricTarget.averageValue("inflight", 5)), now);

    MetricReading r = obs.reading("inflight");
    assertThat(r.isAvailable()).as(r.reason()).isTrue();
    assertThat(r.value()).isEqualTo(14.0);
    assertThat(r.timestamp()).isEqualTo(now);
    assertThat(obs.replicas()).contains(ReplicaStatus.of(2, 2));
  }

  /** The replica counts of {@code ref} that {@code source} reads now. */
  private static Optional<ReplicaStatus> replicas(PrometheusMetricSource source, WorkloadRef ref) {
    return source.read(spec(ref, MetricTarget.averageValue("inflight", 5)), WALL.instant())
        .replicas();
  }

  private static WorkloadRef deployment(String name) {
    return WorkloadRef.deployment("shop", name);
  }

  /**
   * The HPA takes an AverageValue ratio against the pods that exist (status.replicas), which
   * differ from spec.replicas while a rollout surges or a pod cannot be created. Read as spec,
   * the surge's ratio is taken over 4 pods where 5 share the load.
   */
  @Test
  void thePodsThatExistComeFromKubeStateMetricsStatusReplicas() {
    PrometheusMetricSource source = source().metric("inflight", "sum(app_inflight{{selector}})")
        .build();

    assertThat(replicas(source, deployment("surge")))
        .contains(ReplicaStatus.of(4, 4).withExisting(5));
    assertThat(replicas(source, WorkloadRef.statefulSet("shop", "db")))
        .contains(ReplicaStatus.of(3, 2).withExisting(2));
    assertThat(replicas(source, API)).contains(ReplicaStatus.of(2, 2).withExisting(2));
  }

  /**
   * Without an existing-count series (a kube-state-metrics whose allowlist leaves it out), or
   * without an existing-count query (replica queries of one's own, made before there was one),
   * the pods that exist are the desired count, as before: the counts stay available. The surge
   * read beside them shows that the source does read the series where there is one.
   */
  @Test
  void withoutAnExistingCountThePodsThatExistAreTheDesiredCount() {
    PrometheusMetricSource source = source().metric("inflight", "sum(app_inflight{{selector}})")
        .build();
    ReplicaQueries own = PromQlTemplates.kubeStateMetricsReplicas().get("Deployment");
    PrometheusMetricSource ownSource = source().metric("inflight",
        "sum(app_inflight{{selector}})").replicaQueries("Deployment",
            new ReplicaQueries(own.current(), own.ready())).build();

    assertThat(replicas(source, deployment("legacy"))).contains(ReplicaStatus.of(3, 3));
    assertThat(replicas(ownSource, deployment("surge"))).contains(ReplicaStatus.of(4, 4));
    assertThat(replicas(source, deployment("surge"))).get()
        .extracting(ReplicaStatus::existing).isEqualTo(5);
  }

  /**
   * An existing count that is no count (NaN, negative, fractional) is refused as the current and
   * ready counts are, and then counts as missing: the pods that exist are the desired count. It
   * does not drop the whole replica status (the engine would ask the executor, or hold), which a
   * missing count does not do either; nor is it rounded or clamped into a count.
   */
  @Test
  void anInvalidExistingCountIsTakenAsTheDesiredCountAsAMissingOneIs() {
    PrometheusMetricSource source = source().metric("inflight", "sum(app_inflight{{selector}})")
        .build();

    for (String name : List.of("bad-nan", "bad-negative", "bad-fraction")) {
      assertThat(replicas(source, deployment(name))).as(name).contains(ReplicaStatus.of(3, 3));
    }
    assertThat(replicas(source, deployment("surge"))).get()
        .extracting(ReplicaStatus::existing).isEqualTo(5);
  }

  /**
   * The time of the newest live sample. Reading at exactly that time puts a sample on the end of
   * every rate window, so rate() extrapolates nothing there, however late a scrape ran.
   */
  private static Instant newestLiveSample() {
    MetricReading t = readOne(source().metric("t",
        "max(timestamp(kube_deployment_spec_replicas{deployment=\"api\"}))").build(), API, "t");
    return Instant.ofEpochMilli(Math.round(t.value() * 1000));
  }

  @Test
  void rateOverLiveCountersGivesTheirSlope() {
    PrometheusMetricSource source = source()
        .metric("rps", PromQlTemplates.requestRate("http_requests_total"))
        .metric("errors", PromQlTemplates.errorRatio("http_requests_total", "code"))
        .build();
    Observation obs = source.read(spec(API, MetricTarget.averageValue("rps", 10),
        MetricTarget.averageValue("errors", 1)), newestLiveSample());

    assertThat(obs.reading("rps").value()).isCloseTo(30.0, within(1.5));
    assertThat(obs.reading("errors").value()).isCloseTo(0.1, within(0.005));
  }

  /**
   * Most client libraries create a counter's 5xx series on the first error: until then the
   * ratio reads 0, not unavailable, which would hold the whole workload. Without traffic it stays
   * unavailable, whether the counter stands still (0 / 0) or does not exist.
   */
  @Test
  void errorRatioIsZeroBeforeTheFirstErrorAndUnavailableWithoutTraffic() {
    PrometheusMetricSource source = source()
        .metric("fine", PromQlTemplates.errorRatio("checkout_requests_total", "code"))
        .metric("idle", PromQlTemplates.errorRatio("idle_requests_total", "code"))
        .metric("absent", PromQlTemplates.errorRatio("no_requests_total", "code"))
        .build();
    Observation obs = source.read(spec(API, MetricTarget.averageValue("fine", 1),
        MetricTarget.averageValue("idle", 1), MetricTarget.averageValue("absent", 1)),
        newestLiveSample());

    assertThat(obs.reading("fine").isAvailable()).as(obs.reading("fine").reason()).isTrue();
    assertThat(obs.reading("fine").value()).isZero();
    assertThat(obs.reading("idle").reason()).startsWith("value is NaN at ");
    assertThat(obs.reading("absent").reason()).startsWith("no data: the query matched no series");
  }

  @Test
  void builtInCpuAndMemoryTemplatesReadCadvisorAndKubeStateMetrics() {
    PrometheusMetricSource source = source()
        .metric("cpu", PromQlTemplates.cpuUtilization())
        .metric("cores", PromQlTemplates.cpuCores())
        .metric("mem", PromQlTemplates.memoryWorkingSetBytes())
        .metric("memutil", PromQlTemplates.memoryUtilization())
        .build();
    Observation obs = source.read(spec(API, MetricTarget.utilization("cpu", 70),
        MetricTarget.averageValue("cores", 1), MetricTarget.averageValue("mem", 1e9),
        MetricTarget.utilization("memutil", 80)), newestLiveSample());

    assertThat(obs.reading("cpu").value()).isCloseTo(90.0, within(4.5));
    assertThat(obs.reading("cores").value()).isCloseTo(0.9, within(0.045));
    assertThat(obs.reading("mem").value()).isEqualTo(400 * 1048576.0);
    assertThat(obs.reading("memutil").value()).isCloseTo(78.125, within(1e-9));
  }

  /**
   * One cart pod has requests but no usage series (its kubelet's scrape timed out) and one has
   * usage but no requests: the mean is over the two pods with both. Dividing by every ready pod's
   * requests would read 60 % CPU and 89 % memory here; dividing only the pods with usage, but
   * counting the pod without requests in the usage, 90 % and 134 %. The fixture has no {@code
   * kube_pod_status_ready_time}, so nothing says the pod without usage has been ready long
   * enough to need a series; with it the reading is unavailable ({@link HpaPodGroupsIT}).
   */
  @Test
  void utilizationTemplatesCountOnlyPodsWithBothUsageAndRequests() {
    PrometheusMetricSource source = source().rateWindow(Duration.ofMinutes(5))
        .metric("cpu", PromQlTemplates.cpuUtilization())
        .metric("memutil", PromQlTemplates.memoryUtilization()).build();
    MetricTarget cpu = MetricTarget.utilization("cpu", 70);
    MetricTarget mem = MetricTarget.utilization("memutil", 80);

    Observation obs = source.read(spec(CART, cpu, mem), fixtureEnd);
    MetricSeries history = source.history(spec(WEB, cpu), cpu, fixtureEnd.minusSeconds(600),
        fixtureEnd, Duration.ofMinutes(1)).orElseThrow();

    assertThat(obs.reading("cpu").isAvailable()).as(obs.reading("cpu").reason()).isTrue();
    assertThat(obs.reading("cpu").value()).isCloseTo(50.0, within(1e-6));
    assertThat(obs.reading("memutil").value()).isCloseTo(75.0, within(1e-9));
    // The web pods, which have both, read as before.
    long hour = Duration.between(fixtureStart, fixtureEnd).toHours() - 1;
    assertThat(history.value(history.size() - 1))
        .isCloseTo(4 * HistoryFixture.coresPerPod(hour), within(1e-6));
  }

  @Test
  void aDeploymentsPodsLeaveOutNeighboursWhoseNamesBeginWithItsName() {
    PrometheusMetricSource source = source().rateWindow(Duration.ofMinutes(5))
        .metric("cores", PromQlTemplates.cpuCores()).build();
    long hour = Duration.between(fixtureStart, fixtureEnd).toHours() - 1;

    MetricReading r = source.read(spec(WEB, MetricTarget.averageValue("cores", 1)), fixtureEnd)
        .reading("cores");

    // web-db-0, web-migrate-x7k2p and web-agent-x7k2p would add 1 core each.
    assertThat(r.isAvailable()).as(r.reason()).isTrue();
    assertThat(r.value()).isCloseTo(2 * HistoryFixture.coresPerPod(hour), within(1e-6));
  }

  @Test
  void latencyP95InterpolatesTheHistogramBuckets() {
    PrometheusMetricSource source = source()
        .metric("p95", PromQlTemplates.latencyP95("request_duration_seconds")).build();

    MetricReading r = source.read(spec(API, MetricTarget.averageValue("p95", 1)),
        newestLiveSample()).reading("p95");

    assertThat(r.isAvailable()).as(r.reason()).isTrue();
    assertThat(r.value()).isCloseTo(0.75, within(0.01));
  }

  @Test
  void backfillOfManyHoursIsChunkedUnderTheServersPointLimit() {
    PrometheusMetricSource source = source().rateWindow(Duration.ofMinutes(5))
        .metric("rps", PromQlTemplates.requestRate("http_requests_total")).build();
    Duration step = Duration.ofSeconds(10);
    Instant to = fixtureEnd;
    Instant from = to.minus(Duration.ofHours(31));
    String query = source.query(WEB, "rps").orElseThrow();

    // One request for the whole span exceeds Prometheus's limit...
    PrometheusHttp direct = new PrometheusHttp(java.net.http.HttpClient.newHttpClient(),
        prometheus.uri(), Duration.ofSeconds(30), 0, Duration.ZERO, Duration.ZERO,
        PrometheusMetricSource.DEFAULT_MAX_RESPONSE_BYTES, null, null,
        Map.of(), PrometheusHttp.REAL_DELAYS);
    assertThatThrownBy(() -> direct.queryRange(query, from, to, step).get())
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOfSatisfying(PrometheusApiException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.errorType()).isEqualTo("bad_data");
          assertThat(e.error()).contains("11,000 points");
        });

    // ... so the source splits it.
    Optional<MetricSeries> history = source.history(spec(WEB, MetricTarget.averageValue("rps",
        10)), MetricTarget.averageValue("rps", 10), from, to, step);

    MetricSeries s = history.orElseThrow();
    assertThat(s.size()).isEqualTo(11_160);
    assertThat(s.start()).isEqualTo(from);
    assertThat(s.step()).isEqualTo(step);
    assertThat(s.countPresent()).isGreaterThanOrEqualTo(11_150);
    int checked = 0;
    for (int i = 0; i < s.size(); i++) {
      long sinceStart = Duration.between(fixtureStart, s.timeOf(i)).getSeconds();
      if (sinceStart % 3600 >= 6 * 60) { // the 5 m window lies inside one hour
        assertThat(s.value(i)).as("step %d at %s", i, s.timeOf(i))
            .isCloseTo(2 * HistoryFixture.rpsPerPod(sinceStart / 3600), within(1e-6));
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(9_900);
    assertThat(s.value(s.size() - 1)).isCloseTo(2 * HistoryFixture.rpsPerPod(HOURS - 1),
        within(1e-6));
  }

  @Test
  void utilizationHistoryIsConvertedToLoadWithTheReadyReplicas() {
    PrometheusMetricSource source = source().rateWindow(Duration.ofMinutes(5))
        .metric("cpu", PromQlTemplates.cpuUtilization()).build();
    MetricTarget cpu = MetricTarget.utilization("cpu", 70);
    Instant to = fixtureEnd;
    Instant from = to.minus(Duration.ofHours(6));

    MetricSeries s = source.history(spec(WEB, cpu), cpu, from, to, Duration.ofMinutes(1))
        .orElseThrow();

    assertThat(s.size()).isEqualTo(360);
    for (int i = 0; i < s.size(); i++) {
      long sinceStart = Duration.between(fixtureStart, s.timeOf(i)).getSeconds();
      if (sinceStart % 3600 >= 6 * 60) {
        // two pods at c cores each, 0.5-core requests: 4c pod-requests of load
        assertThat(s.value(i)).as("step %d", i)
            .isCloseTo(4 * HistoryFixture.coresPerPod(sinceStart / 3600), within(1e-6));
      }
    }
  }

  @Test
  void exportWritesTheBackfilledHistoryAsATrace() throws Exception {
    Path file = dir.resolve("web-rps.csv");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();

    int code = dev.prescaler.prometheus.cli.ExportCommand.run(new String[] {
        "--prometheus", prometheus.uri().toString(),
        "--query", "sum(rate(http_requests_total{namespace=\"shop\"}[5m]))",
        "--from", fixtureStart.toString(), "--to", fixtureEnd.toString(), "--step", "1m",
        "--out", file.toString()}, System.out, new java.io.PrintStream(err, true));

    assertThat(code).as(err.toString()).isZero();
    List<String> lines = java.nio.file.Files.readAllLines(file);
    assertThat(lines.get(0)).startsWith("# exported from Prometheus " + prometheus.uri())
        .contains("from " + fixtureStart + " to " + fixtureEnd + ", step 60s");
    assertThat(lines.get(1)).isEqualTo("timestamp,value");
    // The first step has no earlier sample for rate(); every later one has a value.
    assertThat(lines).hasSize(2 + HOURS * 60 - 1);
    int checked = 0;
    for (String line : lines.subList(2, lines.size())) {
      String[] f = line.split(",");
      long sinceStart = Duration.between(fixtureStart, Instant.parse(f[0])).getSeconds();
      if (sinceStart % 3600 >= 6 * 60) { // the 5 m window lies inside one hour
        assertThat(Double.parseDouble(f[1])).as(line)
            .isCloseTo(2 * HistoryFixture.rpsPerPod(sinceStart / 3600), within(1e-6));
        checked++;
      }
    }
    assertThat(checked).isEqualTo(HOURS * 54);
  }

  /**
   * Sent as float seconds, a step of 4.1 s reached Prometheus as 4099 ms (4.1 × 10^9 ns, cut
   * to a whole number, then to milliseconds), 1.001 s as 1000 ms: the k-th value was evaluated k ms
   * early, and placed on the grid by rounding. {@code time()} is the time each value was
   * evaluated at.
   */
  @Test
  void aStepOfMillisecondsIsEvaluatedOnItsOwnGrid() {
    PrometheusMetricSource source = source().metric("t", "time()").build();
    for (long stepMillis : new long[] {4100, 1001, 16_900}) {
      Duration step = Duration.ofMillis(stepMillis);

      MetricSeries s = source.rangeQuery("time()", fixtureStart,
          fixtureStart.plus(step.multipliedBy(10_000)), step);

      assertThat(s.countPresent()).as("step %s", step).isEqualTo(10_000);
      for (int i = 0; i < s.size(); i++) {
        assertThat(s.value(i)).as("step %s, point %d", step, i)
            .isEqualTo(s.timeOf(i).toEpochMilli() / 1000.0);
      }
    }
  }

  @Test
  void aRangeQueryOfSeveralSeriesIsRefused() {
    PrometheusMetricSource source = source().metric("rps", "unused").build();

    assertThatThrownBy(() -> source.rangeQuery("rate(http_requests_total[5m])",
        fixtureEnd.minus(Duration.ofHours(1)), fixtureEnd, Duration.ofMinutes(1)))
        .isInstanceOf(PrometheusException.class)
        .hasMessageStartingWith("ambiguous history: the query returned 2 series");
  }

  @Test
  void historyOlderThanTheBackfillLimitIsNotRead() {
    PrometheusMetricSource source = source().rateWindow(Duration.ofMinutes(5))
        .maxBackfill(Duration.ofHours(2))
        .metric("rps", PromQlTemplates.requestRate("http_requests_total")).build();
    MetricTarget rps = MetricTarget.averageValue("rps", 10);
    Instant to = fixtureEnd;

    MetricSeries s = source.history(spec(WEB, rps), rps, to.minus(Duration.ofHours(4)), to,
        Duration.ofMinutes(1)).orElseThrow();

    assertThat(s.size()).isEqualTo(240);
    assertThat(s.countPresent()).isEqualTo(120);
    assertThat(s.value(119)).isNaN();
    assertThat(s.value(120)).isPositive();
  }

  /**
   * Also catches a value holding U+FFFD sent raw in its literal: the server refused the whole
   * query ("invalid UTF-8 rune", HTTP 400), where it selects no series.
   */
  @Test
  void escapedLabelValuesSelectExactlyTheirSeriesAndCannotInjectPromQl() {
    Map<String, String> noteByWorkload = Map.of("api", LiveTarget.TRICKY,
        "evil", "x\"} or vector(42) or up{job=\"", "evil2", "\\\"} or vector(42) #\n",
        "replaced", "caf\ufffd");
    PrometheusMetricSource source = source().metric("tricky", "sum(tricky_gauge{{selector}})")
        .podSelector(ref -> List.of(LabelMatcher.eq("note", noteByWorkload.get(ref.name()))))
        .build();

    MetricReading exact = readOne(source, API, "tricky");
    MetricReading evil = readOne(source, WorkloadRef.deployment("shop", "evil"), "tricky");
    MetricReading evil2 = readOne(source, WorkloadRef.deployment("shop", "evil2"), "tricky");

    assertThat(exact.isAvailable()).as(exact.reason()).isTrue();
    assertThat(exact.value()).isEqualTo(1.0);
    assertThat(evil.isAvailable()).isFalse();
    assertThat(evil.reason()).startsWith("no data: the query matched no series");
    assertThat(evil2.isAvailable()).isFalse();
    assertThat(evil2.reason()).startsWith("no data: the query matched no series");
    MetricReading replaced = readOne(source, WorkloadRef.deployment("shop", "replaced"),
        "tricky");
    assertThat(replaced.reason()).startsWith("no data: the query matched no series");
  }

  @Test
  void nanAndInfinityAreUnavailableNeverANumber() {
    PrometheusMetricSource source = source().metric("nan", "sum(nan_gauge{{selector}})")
        .metric("inf", "sum(inf_gauge{{selector}})")
        .metric("zerodiv", "sum(app_inflight{{selector}}) / 0").build();
    Observation obs = source.read(spec(API, MetricTarget.averageValue("nan", 1),
        MetricTarget.averageValue("inf", 1), MetricTarget.averageValue("zerodiv", 1)),
        WALL.instant());

    assertThat(obs.reading("nan").reason()).startsWith("value is NaN at ");
    assertThat(obs.reading("inf").reason()).startsWith("value is +Inf at ");
    assertThat(obs.reading("zerodiv").reason()).startsWith("value is +Inf at ");
  }

  @Test
  void emptyAndAmbiguousResultsAreUnavailable() {
    PrometheusMetricSource source = source().metric("two", "app_inflight{{selector}}")
        .metric("none", "sum(app_inflight{namespace=\"nowhere\"})").build();
    Observation obs = source.read(spec(API, MetricTarget.averageValue("two", 1),
        MetricTarget.averageValue("none", 1)), WALL.instant());

    assertThat(obs.reading("two").reason())
        .startsWith("ambiguous: the query returned 2 series where one was expected")
        .contains(LiveTarget.POD_A).contains(LiveTarget.POD_B);
    assertThat(obs.reading("none").reason()).startsWith("no data");
  }

  @Test
  void staleSamplesAreUnavailable() {
    // A range-vector template keeps the raw samples' own timestamps. Read two minutes in the
    // future: the newest sample is then about two minutes old.
    PrometheusMetricSource source = source().maxSampleAge(Duration.ofMinutes(1))
        .metric("raw", "app_inflight{namespace=\"shop\",pod=\"" + LiveTarget.POD_A + "\"}[10m]")
        .build();
    MetricTarget raw = MetricTarget.averageValue("raw", 1);
    Instant now = WALL.instant();

    MetricReading fresh = source.read(spec(API, raw), now).reading("raw");
    MetricReading stale = source.read(spec(API, raw), now.plus(Duration.ofMinutes(2)))
        .reading("raw");

    assertThat(fresh.isAvailable()).as(fresh.reason()).isTrue();
    assertThat(fresh.value()).isEqualTo(7.0);
    assertThat(fresh.timestamp()).isBefore(now.plusMillis(1)).isAfter(now.minusSeconds(10));
    assertThat(stale.isAvailable()).isFalse();
    assertThat(stale.reason()).startsWith("stale: the newest sample is from");
  }

  @Test
  void aBadQueryCarriesPrometheussErrorTypeAndError() {
    PrometheusMetricSource source = source().metric("bad", "sum(app_inflight{{selector}}")
        .build();

    MetricReading r = readOne(source, API, "bad");

    assertThat(r.isAvailable()).isFalse();
    assertThat(r.reason()).startsWith("Prometheus answered HTTP 400 bad_data: ")
        .contains("unclosed left parenthesis");
  }

  @Test
  void theEngineBackfillsItsHistoryAndDecidesFromPrometheus() {
    PrometheusMetricSource source = source().rateWindow(Duration.ofMinutes(5))
        .metric("rps", PromQlTemplates.requestRate("http_requests_total"))
        .metric("cpu", PromQlTemplates.cpuUtilization()).build();
    ManualClock clock = new ManualClock(fixtureEnd);
    InMemoryJournal journal = new InMemoryJournal();
    List<DecisionContext> seen = new ArrayList<>();
    AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).metricSource(source)
        .journal(journal)
        .policy((ctx, proposal) -> {
          seen.add(ctx);
          return proposal;
        })
        .workload(WorkloadSpec.builder(WEB).maxReplicas(10)
            .metric(MetricTarget.averageValue("rps", 20))
            .metric(MetricTarget.utilization("cpu", 70)).build())
        .build();

    engine.tick();

    long hour = Duration.between(fixtureStart, fixtureEnd).toHours() - 1;
    DecisionRecord record = journal.records(WEB).get(0);
    assertThat(record.unavailable()).isEmpty();
    assertThat(record.ready()).isEqualTo(2);
    assertThat(record.metrics().get("rps")).isCloseTo(2 * HistoryFixture.rpsPerPod(hour),
        within(1e-6));
    assertThat(record.loads().get("cpu")).isCloseTo(4 * HistoryFixture.coresPerPod(hour),
        within(1e-6));
    MetricSeries rps = seen.get(0).histories().get("rps");
    MetricSeries cpu = seen.get(0).histories().get("cpu");
    // 32 hours of one-minute steps came from Prometheus before the first tick.
    assertThat(rps.countPresent()).isGreaterThanOrEqualTo(HOURS * 60 - 10);
    assertThat(cpu.countPresent()).isGreaterThanOrEqualTo(HOURS * 60 - 10);
    assertThat(rps.value(rps.size() - 30)).isCloseTo(2 * HistoryFixture.rpsPerPod(hour),
        within(1e-6));
  }

  @Test
  void withoutReplicaQueriesForTheKindTheEngineAsksTheExecutor() {
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUri(prometheus.uri())
        .metric("inflight", "sum(app_inflight{{selector}})").build();

    Observation obs = source.read(spec(API, MetricTarget.averageValue("inflight", 5)),
        WALL.instant());

    assertThat(obs.reading("inflight").value()).isEqualTo(14.0);
    assertThat(obs.replicas()).isEmpty();
  }
}
