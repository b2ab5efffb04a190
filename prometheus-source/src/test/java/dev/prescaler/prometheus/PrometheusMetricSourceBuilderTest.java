package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import javax.net.ssl.SSLContext;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

class PrometheusMetricSourceBuilderTest {
  private static final URI URI_OK = URI.create("http://127.0.0.1:9/");
  private static final String POD_CHAR = "[bcdfghjklmnpqrstvwxz2456789]";

  private static PrometheusMetricSource.Builder valid() {
    return PrometheusMetricSource.builder().baseUri(URI_OK).metric("rps", "up");
  }

  private static void assertProblem(PrometheusMetricSource.Builder b, String problem) {
    assertThatThrownBy(b::build).isInstanceOfSatisfying(InvalidConfigurationException.class,
        e -> assertThat(e.problems()).contains(problem));
  }

  @Test
  void defaultsAreValid() {
    PrometheusMetricSource s = valid().build();
    assertThat(s.query(WorkloadRef.deployment("a", "b"), "rps")).contains("up");
    assertThat(s.query(WorkloadRef.deployment("a", "b"), "other")).isEmpty();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> PrometheusMetricSource.builder().maxRetries(-1).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid PrometheusMetricSource:\n"
            + "- baseUri must be set: call baseUri(...)\n"
            + "- metrics must hold at least one template: call metric(name, template)\n"
            + "- maxRetries must be in [0, 10], but was -1");
  }

  @Test
  void baseUri_notHttp() {
    assertProblem(valid().baseUri(URI.create("ftp://host/")), "baseUri must be an http or "
        + "https URI with a host and no query or fragment, but was ftp://host/");
    assertProblem(valid().baseUri(URI.create("http://host/?x=1")), "baseUri must be an http or "
        + "https URI with a host and no query or fragment, but was http://host/?x=1");
  }

  // Caught http://prom:99999 and http://prom:0 accepted: the agent's --validate said valid, and
  // every read then failed with "port out of range".
  @Test
  void baseUri_portOutOfRange() {
    for (String uri : new String[] {"http://prom:99999/", "http://prom:0/", "https://prom:65536"}) {
      assertProblem(valid().baseUri(URI.create(uri)), "baseUri must have a port from 1 to 65535 "
          + "(or none: the scheme's), but was " + uri);
    }
    assertThat(PrometheusMetricSource.baseUriFormProblem(URI.create("http://prom:65535/")))
        .isNull();
    assertThat(PrometheusMetricSource.baseUriFormProblem(URI.create("https://prom/"))).isNull();
  }

  @Test
  void baseUri_userInfo() {
    String problem = "baseUri must not hold user info (credentials in the URL are not sent, and "
        + "would show in messages): use basicAuth(username, password) or bearerTokenFile(path), "
        + "but was http://***@127.0.0.1:9090/";

    assertProblem(valid().baseUri(URI.create("http://admin:s3cret@127.0.0.1:9090/")), problem);
    assertProblem(valid().baseUri(URI.create("http://s3cret@127.0.0.1:9090/")), problem);
    assertThatThrownBy(() -> valid().baseUri(URI.create("http://admin:s3cret@127.0.0.1:9090/"))
        .build()).message().doesNotContain("s3cret").doesNotContain("admin");
  }

  @Test
  void baseUri_userInfoIsNeverEchoedByOtherProblems() {
    // A host with an underscore makes the authority registry-based: getUserInfo() is then null.
    URI registry = URI.create("http://admin:s3cret@prom_1:9090/");
    URI withQuery = URI.create("https://admin:s3cret@host/?x=1");

    assertThatThrownBy(() -> valid().baseUri(registry).build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
            .contains("baseUri must be an http or https URI with a host and no query or "
                + "fragment, but was http://***@prom_1:9090/")
            .anyMatch(p -> p.startsWith("baseUri must not hold user info")))
        .message().doesNotContain("s3cret").doesNotContain("admin");
    assertThatThrownBy(() -> valid().baseUri(withQuery).sslContext(SSLContext.getDefault())
        .build()).message().contains("https://***@host/?x=1").doesNotContain("s3cret")
        .doesNotContain("admin");
  }

  /** A password holding '/', '?' or '#' ends the authority early: still found, never shown. */
  @Test
  void baseUri_passwordWithSlashQuestionMarkOrHashIsNeverEchoed() {
    for (String uri : List.of("http://admin:pa/ss@prom:9090", "http://admin:pa?ss@prom:9090",
        "http://admin:pa#ss@prom:9090")) {
      assertThatThrownBy(() -> valid().baseUri(URI.create(uri)).build())
          .as(uri).isInstanceOfSatisfying(InvalidConfigurationException.class,
              e -> assertThat(e.problems()).anyMatch(p -> p.startsWith("baseUri must not hold "
                  + "user info")))
          .message().doesNotContain("ss@").doesNotContain("admin");
    }
    // A password of digits before the '#' reads as a port: refused for the fragment, not shown.
    assertThatThrownBy(() -> valid().baseUri(URI.create("http://admin:12#34@prom:9090/")).build())
        .message().contains("http://***@prom:9090/").doesNotContain("admin")
        .doesNotContain("34@");
  }

  @Test
  void template_invalid() {
    assertProblem(valid().metric("cpu", "x{a={name}}"), "template of metric cpu must not place "
        + "{name} in no string literal; write it inside quotes, e.g. namespace=\"{name}\", but "
        + "the template was \"x{a={name}}\"");
  }

  /**
   * Catches a template under a name no workload can use (MetricTarget refuses it) being accepted:
   * the source built, and the template could never be read.
   */
  @Test
  void metricName_invalid() {
    assertProblem(valid().metric("bad name", "up"),
        "metric name must match [A-Za-z_][A-Za-z0-9_.:-]*, but was \"bad name\"");
  }

  @Test
  void replicaQueries_invalid() {
    assertThatThrownBy(() -> valid().replicaQueries("Deployment",
        new ReplicaQueries("x{{bogus}}", "y")).build())
        .hasMessageContaining("- current-replicas template of kind Deployment has unknown "
            + "placeholder {bogus}");
  }

  @Test
  void replicaQueries_existingInvalid() {
    assertThatThrownBy(() -> valid().replicaQueries("StatefulSet",
        new ReplicaQueries("x", "y").withExisting("z{{bogus}}")).build())
        .hasMessageContaining("- existing-replicas template of kind StatefulSet has unknown "
            + "placeholder {bogus}");
    assertThatThrownBy(() -> new ReplicaQueries("x", "y").withExisting(null))
        .isInstanceOf(NullPointerException.class).hasMessage("existing");
  }

  @Test
  void durations_outOfRange() {
    assertProblem(valid().rateWindow(Duration.ofMillis(500)),
        "rateWindow must be in [1s, 30d] in whole milliseconds, but was PT0.5S");
    // Caught here, not as an overflow of toMillis() inside build().
    assertProblem(valid().rateWindow(Duration.ofSeconds(Long.MAX_VALUE)),
        "rateWindow must be in [1s, 30d] in whole milliseconds, but was "
            + Duration.ofSeconds(Long.MAX_VALUE));
    assertProblem(valid().requestTimeout(Duration.ZERO),
        "requestTimeout must be in [PT0.001S, PT10M], but was PT0S");
    assertProblem(valid().connectTimeout(Duration.ofHours(1)),
        "connectTimeout must be in [PT0.001S, PT10M], but was PT1H");
    assertProblem(valid().initialBackoff(Duration.ofSeconds(-1)),
        "initialBackoff must be in [PT0S, PT1M], but was PT-1S");
    assertProblem(valid().initialBackoff(Duration.ofSeconds(3)),
        "maxBackoff must be in [initialBackoff (PT3S), PT5M], but was PT2S");
    assertProblem(valid().maxSampleAge(Duration.ZERO),
        "maxSampleAge must be in (0, 1d], but was PT0S");
    assertProblem(valid().maxBackfill(Duration.ofDays(8)),
        "maxBackfill must be in (0, 7d], but was PT192H");
  }

  /**
   * Catches a maxSampleAge past the engine's 1-day maxMetricAge accepted: FOREVER built, and then
   * {@code now.minus(maxSampleAge)} overflowed at every read, so that each reading was unavailable
   * with "DateTimeException: Instant exceeds minimum or maximum instant".
   */
  @Test
  void maxSampleAge_aboveOneDay() {
    for (Duration d : List.of(ChronoUnit.FOREVER.getDuration(),
        Duration.ofSeconds(Long.MAX_VALUE), Duration.ofDays(1).plusNanos(1))) {
      assertProblem(valid().maxSampleAge(d), "maxSampleAge must be in (0, 1d], but was " + d);
    }
    assertThat(valid().maxSampleAge(Duration.ofDays(1)).build()).isNotNull();
    assertThat(valid().maxSampleAge(Duration.ofNanos(1)).build()).isNotNull();
  }

  /**
   * Catches a backoff no retry could wait accepted: 365,000 days built, and then the wait before
   * the first retry overflowed {@code toNanos()}, so that a 503's reason became "long overflow".
   * Bounded as the Kubernetes adapter's RetryPolicy bounds its own (a wait of at most 1 minute,
   * capped at 5), with 0 kept: retry at once.
   */
  @Test
  void backoffs_aboveTheirCaps() {
    Duration huge = Duration.ofDays(365_000);
    assertProblem(valid().initialBackoff(huge).maxBackoff(huge),
        "initialBackoff must be in [PT0S, PT1M], but was " + huge);
    assertProblem(valid().initialBackoff(huge).maxBackoff(huge),
        "maxBackoff must be in [initialBackoff (" + huge + "), PT5M], but was " + huge);
    assertProblem(valid().initialBackoff(Duration.ofMinutes(1).plusMillis(1)),
        "initialBackoff must be in [PT0S, PT1M], but was PT1M0.001S");
    assertProblem(valid().maxBackoff(Duration.ofMinutes(5).plusMillis(1)),
        "maxBackoff must be in [initialBackoff (PT0.2S), PT5M], but was PT5M0.001S");
    assertThat(valid().initialBackoff(Duration.ofMinutes(1)).maxBackoff(Duration.ofMinutes(5))
        .build()).isNotNull();
    assertThat(valid().initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO).build())
        .isNotNull();
  }

  /**
   * Every duration and number the builder takes, at the extremes that overflow a computation
   * ({@code FOREVER}, {@code Long.MAX_VALUE} seconds or nanoseconds, {@code Integer.MAX_VALUE},
   * {@code Long.MAX_VALUE}): each is one problem naming its field and value, never accepted and
   * never an exception from inside {@code build()}.
   */
  @Test
  void everySetting_refusesTheExtremesNamingFieldAndValue() {
    Map<String, BiFunction<PrometheusMetricSource.Builder, Duration,
        PrometheusMetricSource.Builder>> durations = new LinkedHashMap<>();
    durations.put("rateWindow", PrometheusMetricSource.Builder::rateWindow);
    durations.put("requestTimeout", PrometheusMetricSource.Builder::requestTimeout);
    durations.put("connectTimeout", PrometheusMetricSource.Builder::connectTimeout);
    durations.put("initialBackoff", (b, d) -> b.initialBackoff(d).maxBackoff(d));
    durations.put("maxBackoff", PrometheusMetricSource.Builder::maxBackoff);
    durations.put("maxSampleAge", PrometheusMetricSource.Builder::maxSampleAge);
    durations.put("maxBackfill", PrometheusMetricSource.Builder::maxBackfill);
    SoftAssertions.assertSoftly(soft -> {
      for (Duration d : List.of(ChronoUnit.FOREVER.getDuration(),
          Duration.ofSeconds(Long.MAX_VALUE), Duration.ofNanos(Long.MAX_VALUE),
          Duration.ofSeconds(Integer.MAX_VALUE))) {
        durations.forEach((field, set) -> soft.assertThatThrownBy(
            () -> set.apply(valid(), d).build()).as(field + " " + d)
            .isInstanceOfSatisfying(InvalidConfigurationException.class,
                e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                    .startsWith(field + " must be").endsWith(", but was " + d))));
      }
      for (int n : new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE}) {
        soft.assertThatThrownBy(() -> valid().maxRetries(n).build())
            .hasMessageContaining("maxRetries must be in [0, 10], but was " + n);
        soft.assertThatThrownBy(() -> valid().maxPointsPerRequest(n).build())
            .hasMessageContaining("maxPointsPerRequest must be in [1, 11000], but was " + n);
      }
      for (long n : new long[] {Long.MAX_VALUE, Integer.MAX_VALUE, Long.MIN_VALUE}) {
        soft.assertThatThrownBy(() -> valid().maxResponseBytes(n).build())
            .hasMessageContaining("maxResponseBytes must be in [1024, 1073741824] bytes, but "
                + "was " + n);
      }
    });
  }

  @Test
  void maxPointsPerRequest_aboveServerLimit() {
    assertProblem(valid().maxPointsPerRequest(11_001),
        "maxPointsPerRequest must be in [1, 11000], but was 11001");
    assertThat(valid().maxPointsPerRequest(11_000).build()).isNotNull();
  }

  @Test
  void maxResponseBytes_outOfRange() {
    assertProblem(valid().maxResponseBytes(1023),
        "maxResponseBytes must be in [1024, 1073741824] bytes, but was 1023");
    assertProblem(valid().maxResponseBytes(-1),
        "maxResponseBytes must be in [1024, 1073741824] bytes, but was -1");
    assertProblem(valid().maxResponseBytes((1L << 30) + 1),
        "maxResponseBytes must be in [1024, 1073741824] bytes, but was 1073741825");
    assertThat(valid().maxResponseBytes(1024).build()).isNotNull();
    assertThat(valid().maxResponseBytes(1L << 30).build()).isNotNull();
  }

  @Test
  void auth_bothKinds() {
    assertProblem(valid().bearerTokenFile(Path.of("t")).basicAuth("u", "p"),
        "bearerTokenFile and basicAuth cannot both be set, but both were");
  }

  @Test
  void tls_bothKindsOrPlainHttp() throws Exception {
    assertProblem(valid().baseUri(URI.create("https://h/")).caCertificate(Path.of("ca.pem"))
        .sslContext(SSLContext.getDefault()),
        "caCertificate and sslContext cannot both be set, but both were");
    assertProblem(valid().sslContext(SSLContext.getDefault()),
        "baseUri must be https when caCertificate or sslContext is set, but was " + URI_OK);
  }

  /**
   * RFC 7617: the user-id cannot hold a colon, the server splits at the first one. The message
   * shows neither: a password put in the username by mistake must not leak.
   */
  @Test
  void basicAuth_usernameWithAColon() {
    assertProblem(valid().basicAuth("admin:s3cr3t", "pw"), "basicAuth username must not hold a "
        + "colon (RFC 7617: the server splits the user from the password at the first one), but "
        + "its character 6 is one");
    assertThatThrownBy(() -> valid().basicAuth("admin:s3cr3t", "pw").build()).message()
        .doesNotContain("s3cr3t").doesNotContain("pw");
    assertThat(valid().basicAuth("admin", "pa:ss").build()).isNotNull();
  }

  @Test
  void header_authorization() {
    assertProblem(valid().header("authorization", "Bearer x"),
        "header Authorization must be set with bearerTokenFile or basicAuth, not header(...)");
  }

  @Test
  void header_whatTheHttpClientWouldRefuse() {
    // The JDK's client throws on these when a request is built: build() must refuse them first.
    assertProblem(valid().header("Host", "prometheus.internal"), "header Host must not be set "
        + "(the HTTP client sets Connection, Content-Length, Expect, Host and Upgrade itself)");
    for (String name : List.of("connection", "Content-Length", "EXPECT", "Upgrade")) {
      assertProblem(valid().header(name, "x"), "header " + name + " must not be set (the HTTP "
          + "client sets Connection, Content-Length, Expect, Host and Upgrade itself)");
    }
    // Sent by the source itself, or breaking the exchange: they would go out twice.
    for (String name : List.of("Accept", "accept-encoding", "Content-Type", "Transfer-Encoding")) {
      assertProblem(valid().header(name, "x"), "header " + name + " must not be set (the source "
          + "sets Accept, Accept-Encoding and Content-Type itself, and the body's framing is the "
          + "client's)");
    }
    assertProblem(valid().header("X Tenant", "a"), "header name must be a token (letters, "
        + "digits and !#$%&'*+-.^_`|~), but was \"X Tenant\"");
    assertProblem(valid().header("", "a"), "header name must be a token (letters, digits and "
        + "!#$%&'*+-.^_`|~), but was \"\"");
    assertProblem(valid().header("X-Tenant:", "a"), "header name must be a token (letters, "
        + "digits and !#$%&'*+-.^_`|~), but was \"X-Tenant:\"");
    String value = "header X-Scope-OrgID must have a value of visible characters, spaces and "
        + "tabs (no control character, none above U+00FF), but its character ";
    assertProblem(valid().header("X-Scope-OrgID", "team-a\r\nX-Evil: 1"), value + "7 is U+000D");
    assertProblem(valid().header("X-Scope-OrgID", "a\u0000b"), value + "2 is U+0000");
    assertProblem(valid().header("X-Scope-OrgID", "a\u007f"), value + "2 is U+007F");
    assertProblem(valid().header("X-Scope-OrgID", "team-\u0100"), value + "6 is U+0100");
  }

  /** A header's value may be a credential (an API key): messages name the header, never it. */
  @Test
  void header_valueIsNeverEchoed() {
    String value = "header X-Api-Key must have a value of visible characters, spaces and tabs "
        + "(no control character, none above U+00FF), but its character ";
    assertProblem(valid().header("X-Api-Key", "s3cr3t\n"), value + "7 is U+000A");
    assertProblem(valid().header("X-Api-Key", "s3\ud83d\ude00t"), value + "3 is U+1F600");
    for (String name : List.of("Host", "Accept", "X-Api-Key")) {
      assertThatThrownBy(() -> valid().header(name, "s3cr3t\r").build()).message()
          .doesNotContain("s3cr3t");
    }
  }

  @Test
  void header_whatTheHttpClientSendsIsAccepted() {
    assertThat(valid().header("X-Scope-OrgID", " team a\tb \u00e9").header("Date", "x")
        .header("!#$%&'*+-.^_`|~09azAZ", "v").build()).isNotNull();
  }

  @Test
  void aMetricWithoutTemplateIsUnavailableAndSaysWhatToCall() {
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment("a", "b")).maxReplicas(3)
        .metric(MetricTarget.averageValue("latency", 1)).build();

    Observation obs = valid().build().read(spec, Instant.parse("2026-01-01T00:00:00Z"));

    assertThat(obs.reading("latency").reason()).isEqualTo("no PromQL template for metric latency: "
        + "call metric(\"latency\", ...) on the PrometheusMetricSource builder");
  }

  @Test
  void aSelectorThatCannotBeRenderedMakesEveryReadingUnavailable() {
    WorkloadSpec spec = WorkloadSpec.builder(WorkloadRef.deployment("a", "b")).maxReplicas(3)
        .metric(MetricTarget.averageValue("rps", 1)).build();
    PrometheusMetricSource lone = valid().metric("rps", "sum(x{{selector}})")
        .podSelector(ref -> List.of(LabelMatcher.eq("note", "\uD800"))).build();
    PrometheusMetricSource none = valid().metric("rps", "sum(x{{selector}})")
        .podSelector(ref -> List.of()).build();

    MetricReading r1 = lone.read(spec, Instant.EPOCH).reading("rps");
    MetricReading r2 = none.read(spec, Instant.EPOCH).reading("rps");

    assertThat(r1.reason()).isEqualTo("cannot build the query: label value must be valid "
        + "Unicode, but had a lone surrogate at index 0 (length 1)");
    assertThat(r2.reason()).isEqualTo("cannot build the query: podSelector must return at least "
        + "one matcher for a/b, but returned []");
  }

  @Test
  void builtInTemplatesParse() {
    PrometheusMetricSource s = PrometheusMetricSource.builder().baseUri(URI_OK)
        .metric("cpu", PromQlTemplates.cpuUtilization())
        .metric("cores", PromQlTemplates.cpuCores())
        .metric("mem", PromQlTemplates.memoryWorkingSetBytes())
        .metric("memutil", PromQlTemplates.memoryUtilization())
        .metric("rps", PromQlTemplates.requestRate("http_requests_total"))
        .metric("p95", PromQlTemplates.latencyP95("http_request_duration_seconds"))
        .metric("errors", PromQlTemplates.errorRatio("http_requests_total", "code"))
        .replicaQueries(PromQlTemplates.kubeStateMetricsReplicas()).build();
    WorkloadRef web = WorkloadRef.deployment("shop", "web");

    String pods = "pod=~\"web-" + POD_CHAR + "{1,10}-" + POD_CHAR + "{5}\"";
    String usage = "rate(container_cpu_usage_seconds_total{container!=\"\",container!=\"POD\","
        + "namespace=\"shop\"," + pods + "}[5m])";
    assertThat(s.query(web, "cores")).contains("sum(" + usage + ") unless on () ((max by "
        + "(namespace, pod) (kube_pod_status_ready{condition=\"true\",namespace=\"shop\"," + pods
        + "}) == 1 unless on (namespace, pod) kube_pod_deletion_timestamp{namespace=\"shop\","
        + pods + "}) and on (namespace, pod) (time() - max by (namespace, pod) "
        + "(kube_pod_status_ready_time{namespace=\"shop\"," + pods + "}) >= 180) unless on "
        + "(namespace, pod) sum by (namespace, pod) (" + usage + "))");
    assertThat(s.query(web, "p95")).contains("histogram_quantile(0.95, sum by (le) (rate("
        + "http_request_duration_seconds_bucket{namespace=\"shop\"," + pods + "}[5m])))");
    // The requests of the pods' containers and native sidecars, over the same pods.
    assertThat(s.query(web, "memutil").orElseThrow()).contains("sum by (namespace, pod) (max by "
        + "(namespace, pod, container) (kube_pod_container_resource_requests{resource=\"memory\","
        + "namespace=\"shop\"," + pods + "}) or (max by (namespace, pod, container) "
        + "(kube_pod_init_container_resource_requests{resource=\"memory\",namespace=\"shop\","
        + pods + "}) and on (namespace, pod, container) kube_pod_init_container_info{"
        + "restart_policy=\"Always\",namespace=\"shop\"," + pods + "}))");
  }

  @Test
  void builtInTemplates_badNames() {
    assertThatThrownBy(() -> PromQlTemplates.requestRate("http-requests"))
        .hasMessage("counter must be a metric name matching [a-zA-Z_:][a-zA-Z0-9_:]*, but was "
            + "\"http-requests\"");
    assertThatThrownBy(() -> PromQlTemplates.errorRatio("x", "status code"))
        .hasMessage("statusLabel must match [a-zA-Z_][a-zA-Z0-9_]*, but was \"status code\"");
    assertThatThrownBy(() -> PromQlTemplates.latencyQuantile("x", 1.0))
        .hasMessage("quantile must be in (0, 1), but was 1.0");
  }
}
