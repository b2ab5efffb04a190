package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP side against a stub server: requests on the wire, auth, retries, TLS, errors. */
class TransportTest {
  private static final Instant NOW = Instant.parse("2026-11-29T10:00:00.123Z");
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final WorkloadSpec SPEC = WorkloadSpec.builder(WEB).maxReplicas(5)
      .metric(MetricTarget.averageValue("rps", 10)).build();
  private static final String OK = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
      + "\"result\":[{\"metric\":{},\"value\":[1795946400.123,\"42.5\"]}]}}";

  @TempDir Path dir;
  private StubPrometheus stub;

  @AfterEach
  void close() {
    if (stub != null) {
      stub.close();
    }
  }

  private PrometheusMetricSource.Builder source() throws IOException {
    if (stub == null) {
      stub = new StubPrometheus();
    }
    return PrometheusMetricSource.builder().baseUri(stub.uri())
        .metric("rps", "sum(rate(http_requests_total{{selector}}[{rate_window}]))")
        .initialBackoff(Duration.ZERO);
  }

  private MetricReading read(PrometheusMetricSource source) {
    return source.read(SPEC, NOW).reading("rps");
  }

  @Test
  void instantQueryIsAFormPostAtTheEnginesNow() throws IOException {
    PrometheusMetricSource source = source().requestTimeout(Duration.ofSeconds(7)).build();
    stub.answer(StubPrometheus.vector(1795946400.123, "42.5"));

    MetricReading r = read(source);

    assertThat(r.value()).isEqualTo(42.5);
    assertThat(r.timestamp()).isEqualTo(Instant.ofEpochMilli(1795946400123L));
    StubPrometheus.Request req = stub.requests().get(0);
    assertThat(req.method()).isEqualTo("POST");
    assertThat(req.path()).isEqualTo("/api/v1/query");
    assertThat(req.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
    assertThat(req.form()).containsEntry("query",
        "sum(rate(http_requests_total{namespace=\"shop\",pod=~\"web-[bcdfghjklmnpqrstvwxz2456789]"
            + "{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}\"}[5m]))")
        .containsEntry("time", "1795946400.123").containsEntry("timeout", "7s");
    assertThat(req.header("Authorization")).isNull();
  }

  @Test
  void aPathPrefixInTheBaseUriIsKept() throws IOException {
    stub = new StubPrometheus();
    PrometheusMetricSource source = source()
        .baseUri(URI.create(stub.uri() + "prometheus")).build();
    stub.answer(StubPrometheus.json(200, OK));

    read(source);

    assertThat(stub.requests().get(0).path()).isEqualTo("/prometheus/api/v1/query");
  }

  @Test
  void bearerTokenIsReadFromItsFileAndReReadWhenItChanges() throws IOException {
    Path token = dir.resolve("token");
    Files.writeString(token, "first-token\n");
    PrometheusMetricSource source = source().bearerTokenFile(token).build();
    stub.answer(StubPrometheus.json(200, OK));

    read(source);
    read(source);
    Files.writeString(token, "second-token-that-is-longer");
    Files.setLastModifiedTime(token, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
    read(source);

    assertThat(stub.requests()).extracting(r -> r.header("Authorization"))
        .containsExactly("Bearer first-token", "Bearer first-token",
            "Bearer second-token-that-is-longer");
  }

  @Test
  void aMissingOrEmptyTokenFileMakesTheReadingUnavailable() throws IOException {
    Path token = dir.resolve("token");
    PrometheusMetricSource source = source().bearerTokenFile(token).build();
    stub.answer(StubPrometheus.json(200, OK));

    MetricReading missing = read(source);
    Files.writeString(token, "  \n");
    MetricReading empty = read(source);

    assertThat(missing.reason()).startsWith("bearer token file " + token + " cannot be read");
    assertThat(empty.reason()).isEqualTo("bearer token file " + token + " is empty");
    assertThat(stub.requests()).isEmpty();
  }

  @Test
  void basicAuthAndCustomHeadersAreSent() throws IOException {
    PrometheusMetricSource source = source().basicAuth("scaler", "s3cret:x")
        .header("X-Scope-OrgID", "team-a").build();
    stub.answer(StubPrometheus.json(200, OK));

    read(source);

    StubPrometheus.Request req = stub.requests().get(0);
    assertThat(req.header("Authorization")).isEqualTo("Basic "
        + Base64.getEncoder().encodeToString("scaler:s3cret:x".getBytes(StandardCharsets.UTF_8)));
    assertThat(req.header("X-Scope-OrgID")).isEqualTo("team-a");
  }

  /**
   * Header names are case-insensitive: a second header(...) with the same name in another case
   * replaces the first, as the builder's "last write wins" says, instead of sending both values.
   */
  @Test
  void aHeaderGivenTwiceInAnyCaseIsSentOnceWithTheLastValue() throws IOException {
    PrometheusMetricSource source = source().header("X-Scope-OrgID", "team-a")
        .header("X-Team", "shop").header("x-scope-orgid", "team-b").build();
    stub.answer(StubPrometheus.json(200, OK));

    read(source);

    StubPrometheus.Request req = stub.requests().get(0);
    assertThat(req.headers().entrySet()).filteredOn(e -> e.getKey().startsWith("X-scope"))
        .singleElement().satisfies(e -> assertThat(e.getValue()).containsExactly("team-b"));
    assertThat(req.header("X-Team")).isEqualTo("shop");
  }

  /** The name goes on the wire as the last call spelled it (the stub's server normalizes it). */
  @Test
  void aReplacedHeaderIsSentAsTheLastCallSpellsIt() throws Exception {
    try (java.net.ServerSocket server =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      PrometheusMetricSource source = PrometheusMetricSource.builder()
          .baseUri(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/"))
          .metric("rps", "up").maxRetries(0).header("X-Scope-OrgID", "team-a")
          .header("x-scope-orgid", "team-b").build();
      List<String> lines = new ArrayList<>();
      Thread answer = new Thread(() -> {
        try (java.net.Socket s = server.accept()) {
          java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
              s.getInputStream(), StandardCharsets.ISO_8859_1));
          for (String line = in.readLine(); line != null && !line.isEmpty();
              line = in.readLine()) {
            lines.add(line);
          }
          byte[] ok = OK.getBytes(StandardCharsets.UTF_8);
          s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              + "Content-Length: " + ok.length + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
          s.getOutputStream().write(ok);
        } catch (IOException e) {
          lines.add("failed: " + e);
        }
      });
      answer.start();

      MetricReading r = read(source);
      answer.join(TimeUnit.SECONDS.toMillis(60));

      assertThat(r.value()).isEqualTo(42.5);
      assertThat(lines).filteredOn(l -> l.regionMatches(true, 0, "x-scope-orgid:", 0, 14))
          .containsExactly("x-scope-orgid: team-b");
    }
  }

  @Test
  void aPartialResponseWithWarningsIsUnavailableAndHoldsNoReplicaCounts() throws IOException {
    // Thanos, Mimir and Prometheus with remote read answer "success" with warnings when some
    // stores did not answer: the sum is then too low, and must not be read as the load.
    String partial = "{\"status\":\"success\",\"warnings\":[\"partial response: 2 of 3 store "
        + "APIs unavailable\"],\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
        + "\"value\":[1795946400.123,\"3\"]}]}}";
    PrometheusMetricSource source = source()
        .replicaQueries("Deployment", new ReplicaQueries("current", "ready")).build();
    stub.answer(StubPrometheus.json(200, partial));

    Observation obs = source.read(SPEC, NOW);

    MetricReading r = obs.reading("rps");
    assertThat(r.isAvailable()).isFalse();
    assertThat(r.reason()).startsWith("partial: Prometheus warned \"partial response: 2 of 3 "
        + "store APIs unavailable\"; a result with warnings may lack series and is not used "
        + "(query: sum(rate(http_requests_total{");
    assertThat(obs.replicas()).isEmpty();
    assertThat(stub.requests()).hasSize(3);
  }

  @Test
  void serverErrorsAreRetriedWithCappedExponentialBackoff() throws IOException {
    List<Duration> waits = new ArrayList<>();
    Function<Duration, Executor> recording = d -> {
      synchronized (waits) {
        waits.add(d);
      }
      return Runnable::run;
    };
    PrometheusMetricSource source = source().maxRetries(4)
        .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofMillis(300))
        .delays(recording).build();
    stub.answer(StubPrometheus.json(503, "{\"status\":\"error\",\"errorType\":\"unavailable\","
            + "\"error\":\"try later\"}"),
        StubPrometheus.json(502, "<html>bad gateway</html>"),
        StubPrometheus.json(500, ""),
        StubPrometheus.json(503, "{}"),
        StubPrometheus.json(200, OK));

    MetricReading r = read(source);

    assertThat(r.value()).isEqualTo(42.5);
    assertThat(stub.requests()).hasSize(5);
    assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
        Duration.ofMillis(300), Duration.ofMillis(300));
  }

  @Test
  void whenRetriesRunOutTheLastErrorIsTheReason() throws IOException {
    PrometheusMetricSource source = source().maxRetries(2).build();
    stub.answer(StubPrometheus.json(503, "{\"status\":\"error\",\"errorType\":\"unavailable\","
        + "\"error\":\"TSDB not ready\"}"));

    MetricReading r = read(source);

    assertThat(r.isAvailable()).isFalse();
    assertThat(r.reason()).startsWith("Prometheus answered HTTP 503 unavailable: TSDB not ready "
        + "(query: sum(rate(").endsWith("(gave up after 3 attempts)");
    assertThat(stub.requests()).hasSize(3);
  }

  /**
   * The server gave up on the query itself: the same query would cost it as much again, when it
   * is loaded most, and a slow server would cost three timeouts per read instead of one.
   */
  @Test
  void aQueryTheServerTimedOutOrCanceledIsNotRetried() throws IOException {
    PrometheusMetricSource source = source().maxRetries(2).build();
    stub.answer(StubPrometheus.json(503, "{\"status\":\"error\",\"errorType\":\"timeout\","
            + "\"error\":\"query timed out in expression evaluation\"}"),
        StubPrometheus.json(503, "{\"status\":\"error\",\"errorType\":\"canceled\","
            + "\"error\":\"query was canceled in expression evaluation\"}"));

    MetricReading timedOut = read(source);
    MetricReading canceled = read(source);

    assertThat(timedOut.reason()).isEqualTo("Prometheus answered HTTP 503 timeout: query timed "
        + "out in expression evaluation (query: " + source.query(WEB, "rps").orElseThrow() + ")");
    assertThat(canceled.reason()).startsWith("Prometheus answered HTTP 503 canceled: query was "
        + "canceled").doesNotContain("gave up after");
    assertThat(stub.requests()).hasSize(2);
  }

  @Test
  void clientErrorsAreNotRetriedAndCarryErrorTypeAndError() throws IOException {
    PrometheusMetricSource source = source().build();
    stub.answer(StubPrometheus.json(422, "{\"status\":\"error\",\"errorType\":\"execution\","
        + "\"error\":\"many-to-many matching not allowed\"}"));

    MetricReading r = read(source);

    assertThat(r.reason()).startsWith("Prometheus answered HTTP 422 execution: many-to-many "
        + "matching not allowed (query: ");
    assertThat(stub.requests()).hasSize(1);
  }

  /**
   * Catches an unavailable reading's reason carrying what a terminal acts on, over several lines,
   * into the logs and the journal: it quotes the query, a template written over several lines,
   * the label values the server returned, which are whatever was scraped, and its warnings.
   * Each reason is one printable line now (as {@code Printable.escape} makes one).
   */
  @Test
  void aReasonIsOnePrintableLineWhateverItQuotes() throws IOException {
    PrometheusMetricSource source = source().metric("rps", "sum(\n  rate(x[5m])\n) \u001b[31m")
        .build();
    String shown = " (query: sum( rate(x[5m]) ) \\x1b[31m)";
    stub.answer(StubPrometheus.json(200, "{\"status\":\"success\",\"data\":{\"resultType\":"
            + "\"vector\",\"result\":[{\"metric\":{\"pod\":\"new\\nline\\u001b[2J\"},"
            + "\"value\":[1795946400.123,\"1\"]},{\"metric\":{\"pod\":\"b\"},"
            + "\"value\":[1795946400.123,\"2\"]}]}}"),
        StubPrometheus.json(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
            + "\"error\":\"parse error\\u2028at char 4\"}"),
        StubPrometheus.json(200, "{\"status\":\"success\",\"warnings\":[\"a\\u202eb\"],"
            + "\"data\":{\"resultType\":\"vector\",\"result\":[]}}"));

    assertThat(read(source).reason()).isEqualTo("ambiguous: the query returned 2 series where "
        + "one was expected: {pod=new\\x0aline\\x1b[2J}, {pod=b}; aggregate them, e.g. with "
        + "sum(...)" + shown);
    assertThat(read(source).reason())
        .isEqualTo("Prometheus answered HTTP 400 bad_data: parse error\\u2028at char 4" + shown);
    assertThat(read(source).reason()).isEqualTo("partial: Prometheus warned \"a\\u202eb\"; a "
        + "result with warnings may lack series and is not used" + shown);
  }

  @Test
  void aNonJsonErrorBodyIsQuoted() throws IOException {
    PrometheusMetricSource source = source().build();
    stub.answer(StubPrometheus.json(403, "<html>\nforbidden by proxy</html>"));

    assertThat(read(source).reason())
        .startsWith("Prometheus answered HTTP 403: <html> forbidden by proxy</html> (query: ");
  }

  @Test
  void unauthorizedMakesTheTokenFileBeReadAgain() throws IOException {
    Path token = dir.resolve("token");
    Files.writeString(token, "old");
    FileTime fixed = FileTime.from(Instant.parse("2030-01-01T00:00:00Z"));
    Files.setLastModifiedTime(token, fixed);
    PrometheusMetricSource source = source().bearerTokenFile(token).build();
    stub.answer(StubPrometheus.json(401, "unauthorized"), StubPrometheus.json(200, OK));

    MetricReading first = read(source);
    // Same size and time: only the 401 makes the source read the file again.
    Files.writeString(token, "new");
    Files.setLastModifiedTime(token, fixed);
    MetricReading second = read(source);

    assertThat(first.reason()).startsWith("Prometheus answered HTTP 401: unauthorized");
    assertThat(second.value()).isEqualTo(42.5);
    assertThat(stub.requests()).extracting(r -> r.header("Authorization"))
        .containsExactly("Bearer old", "Bearer new");
  }

  @Test
  void connectionErrorsAreRetriedThenReported() throws IOException {
    stub = new StubPrometheus();
    URI closed = stub.uri();
    stub.close();
    stub = null;
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUri(closed)
        .metric("rps", "up").initialBackoff(Duration.ZERO).maxRetries(1).build();

    MetricReading r = read(source);

    assertThat(r.reason()).startsWith("cannot connect to Prometheus at " + closed.getAuthority())
        .endsWith("(gave up after 2 attempts)");
  }

  @Test
  void connectionErrorsNameHostAndPortOnlyNeverUserInfo() throws Exception {
    // The builder refuses user info; the HTTP layer still never prints it.
    stub = new StubPrometheus();
    URI closed = stub.uri();
    stub.close();
    stub = null;
    URI withUserInfo = URI.create("http://admin:s3cret@127.0.0.1:" + closed.getPort() + "/");
    PrometheusHttp http = new PrometheusHttp(java.net.http.HttpClient.newHttpClient(),
        withUserInfo, Duration.ofSeconds(5), 0, Duration.ZERO, Duration.ZERO,
        PrometheusMetricSource.DEFAULT_MAX_RESPONSE_BYTES, null, null,
        java.util.Map.of(), PrometheusHttp.REAL_DELAYS);

    assertThatThrownBy(() -> http.query("up", NOW).get()).cause()
        .isInstanceOf(PrometheusException.class)
        .hasMessageStartingWith("cannot connect to Prometheus at 127.0.0.1:" + closed.getPort()
            + ": ")
        .message().doesNotContain("s3cret").doesNotContain("admin");
  }

  @Test
  void aRequestTheHttpClientRefusesIsAFailedFutureNotAThrow() {
    // The builder refuses such headers; whatever else the client refuses must not escape read().
    PrometheusHttp http = new PrometheusHttp(java.net.http.HttpClient.newHttpClient(),
        URI.create("http://127.0.0.1:9/"), Duration.ofSeconds(5), 0, Duration.ZERO,
        Duration.ZERO, PrometheusMetricSource.DEFAULT_MAX_RESPONSE_BYTES, null, null,
        java.util.Map.of("Host", "prometheus.internal"),
        PrometheusHttp.REAL_DELAYS);

    var instant = http.query("up", NOW);
    var range = http.queryRange("up", NOW.minusSeconds(60), NOW, Duration.ofSeconds(15));

    for (var f : List.of(instant, range)) {
      assertThatThrownBy(f::get).cause().isInstanceOf(PrometheusException.class)
          .hasMessage("cannot make the request: java.lang.IllegalArgumentException: restricted "
              + "header name: \"Host\" (query: up)");
    }
  }

  @Test
  void hostPortDefaultsThePortFromTheScheme() {
    assertThat(PrometheusHttp.hostPort(URI.create("https://u:p@prom.example/x")))
        .isEqualTo("prom.example:443");
    assertThat(PrometheusHttp.hostPort(URI.create("http://prom.example/"))).isEqualTo(
        "prom.example:80");
    assertThat(PrometheusHttp.hostPort(URI.create("http://[::1]:9090/"))).isEqualTo("[::1]:9090");
  }

  @Test
  void gzipBodiesAreDecompressed() throws IOException {
    PrometheusMetricSource source = source().build();
    stub.answer(exchange -> {
      assertThat(exchange.getRequestHeaders().getFirst("Accept-Encoding")).isEqualTo("gzip");
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
        gz.write(OK.getBytes(StandardCharsets.UTF_8));
      }
      exchange.getResponseHeaders().add("Content-Encoding", "gzip");
      exchange.sendResponseHeaders(200, bytes.size());
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes.toByteArray());
      }
    });

    assertThat(read(source).value()).isEqualTo(42.5);
  }

  // ---------------------------------------------------------------------------------------------
  // The cap on a response body: on the wire and once decompressed.

  /** The reason a read past a cap of {@code max} bytes gives, for the source's rps query. */
  private String tooLarge(PrometheusMetricSource source, long max, boolean decompressed) {
    return "the answer exceeded " + max + " bytes" + (decompressed ? " once decompressed" : "")
        + " (maxResponseBytes) and was not read further; the usual cause is a query that "
        + "returns many series, such as one per pod: aggregate it, e.g. with sum(...) (query: "
        + source.query(WEB, "rps").orElseThrow() + ")";
  }

  /** {@link #OK} padded with spaces inside the JSON to {@code size} bytes. */
  private static byte[] okOfSize(int size) {
    byte[] ok = OK.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[size];
    java.util.Arrays.fill(b, (byte) ' ');
    b[0] = '{';
    System.arraycopy(ok, 1, b, size - ok.length + 1, ok.length - 1);
    return b;
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(plain);
    }
    return bytes.toByteArray();
  }

  /** Answers 200 with {@code body}, gzip-encoded or not, its length declared or chunked. */
  private static StubPrometheus.Answer body(byte[] body, boolean gzipped, boolean declared) {
    return exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      if (gzipped) {
        exchange.getResponseHeaders().add("Content-Encoding", "gzip");
      }
      exchange.sendResponseHeaders(200, declared ? body.length : 0);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    };
  }

  @Test
  void aBodyOverTheCapFailsTheReadAndIsNotRetried() throws IOException {
    PrometheusMetricSource source = source().maxResponseBytes(4096).maxRetries(2).build();
    byte[] random = new byte[8192];
    new java.util.Random(7).nextBytes(random);
    byte[] incompressible = gzip(random);
    assertThat(incompressible.length).isGreaterThan(4096);
    StubPrometheus.Answer[] answers = {
        body(okOfSize(4097), false, true),
        body(okOfSize(4097), false, false),
        body(okOfSize(1 << 20), false, false),
        body(incompressible, true, true),
        body(incompressible, true, false),
    };
    for (int i = 0; i < answers.length; i++) {
      stub.answer(answers[i]);
      int before = stub.requests().size();

      MetricReading r = read(source);

      assertThat(r.isAvailable()).as("case %d", i).isFalse();
      assertThat(r.reason()).as("case %d", i).isEqualTo(tooLarge(source, 4096, false));
      assertThat(stub.requests()).as("case %d", i).hasSize(before + 1);
    }
  }

  @Test
  void aSmallGzipBodyThatInflatesPastTheCapIsRefused() throws IOException {
    PrometheusMetricSource source = source().maxResponseBytes(4096).build();
    byte[] bomb = gzip(okOfSize(1 << 20));
    assertThat(bomb.length).isLessThan(4096);

    for (boolean declared : new boolean[] {true, false}) {
      stub.answer(body(bomb, true, declared));

      assertThat(read(source).reason()).isEqualTo(tooLarge(source, 4096, true));
    }
    assertThat(stub.requests()).hasSize(2);
  }

  @Test
  void aBodyOfExactlyTheCapIsRead() throws IOException {
    PrometheusMetricSource source = source().maxResponseBytes(4096).build();
    byte[] ok = okOfSize(4096);
    stub.answer(body(ok, false, true), body(ok, false, false), body(gzip(ok), true, true));

    for (int i = 0; i < 3; i++) {
      assertThat(read(source).value()).as("case %d", i).isEqualTo(42.5);
    }
  }

  /** 16 MiB holds any answer the source can use (one series of 11,000 points is under 1 MB). */
  @Test
  void theDefaultCapIs16MiB() throws IOException {
    PrometheusMetricSource source = source().build();
    byte[] over = okOfSize((16 << 20) + 1);
    stub.answer(body(over, false, false), body(gzip(over), true, false),
        body(okOfSize(16 << 20), false, true));

    MetricReading plain = read(source);
    MetricReading bomb = read(source);
    MetricReading atTheCap = read(source);

    assertThat(plain.reason()).isEqualTo(tooLarge(source, 16 << 20, false));
    assertThat(bomb.reason()).isEqualTo(tooLarge(source, 16 << 20, true));
    assertThat(atTheCap.value()).isEqualTo(42.5);
  }

  /**
   * Past the cap the client stops reading and closes the connection: the server cannot write the
   * rest of an endless body, and the failure comes long before the request's timeout.
   */
  @Test
  void theReadStopsAtTheCapAndClosesTheConnection() throws Exception {
    PrometheusMetricSource source = source().maxResponseBytes(4096)
        .requestTimeout(Duration.ofMinutes(5)).build();
    long endless = 1L << 40;
    AtomicLong written = new AtomicLong();
    CountDownLatch refused = new CountDownLatch(1);
    stub.answer(exchange -> {
      exchange.sendResponseHeaders(200, 0);
      byte[] chunk = new byte[8192];
      java.util.Arrays.fill(chunk, (byte) ' ');
      try (OutputStream out = exchange.getResponseBody()) {
        while (written.get() < endless) {
          out.write(chunk);
          written.addAndGet(chunk.length);
        }
      } catch (IOException e) {
        refused.countDown();
      }
    });

    MetricReading r = read(source);

    assertThat(r.reason()).isEqualTo(tooLarge(source, 4096, false));
    assertThat(refused.await(60, TimeUnit.SECONDS)).as("the server's write failed").isTrue();
    assertThat(written.get()).isLessThan(endless);
  }

  /** What a template without its sum(...) returns on a large cluster: a series per pod. */
  @Test
  void aRangeQueryOverTheCapThrowsNamingTheQuery() throws IOException {
    PrometheusMetricSource source = source().maxResponseBytes(64 << 10).build();
    stub.answer(stub.range(100, (q, t) -> "1"));
    Instant to = Instant.parse("2026-11-29T10:00:00Z");

    assertThatThrownBy(() -> source.rangeQuery("rate(http_requests_total[5m])",
        to.minus(Duration.ofHours(1)), to, Duration.ofSeconds(15)))
        .isInstanceOf(PrometheusException.class)
        .hasMessage("the answer exceeded 65536 bytes (maxResponseBytes) and was not read "
            + "further; the usual cause is a query that returns many series, such as one per "
            + "pod: aggregate it, e.g. with sum(...) (query: rate(http_requests_total[5m]))");
    assertThat(stub.requests()).hasSize(1);
  }

  @Test
  void backoffDoublesAndIsCapped() {
    Duration i = Duration.ofMillis(200);
    Duration max = Duration.ofSeconds(2);
    assertThat(PrometheusHttp.backoff(1, i, max)).isEqualTo(Duration.ofMillis(200));
    assertThat(PrometheusHttp.backoff(2, i, max)).isEqualTo(Duration.ofMillis(400));
    assertThat(PrometheusHttp.backoff(4, i, max)).isEqualTo(Duration.ofMillis(1600));
    assertThat(PrometheusHttp.backoff(5, i, max)).isEqualTo(max);
    assertThat(PrometheusHttp.backoff(64, i, max)).isEqualTo(max);
    assertThat(PrometheusHttp.backoff(3, Duration.ZERO, max)).isEqualTo(Duration.ZERO);
  }

  // ---------------------------------------------------------------------------------------------
  // TLS with a CA from a PEM file: a self-signed certificate for 127.0.0.1 made by keytool.

  private static void keytool(Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
  }

  private StubPrometheus tlsStub(Path keystore) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx));
    return new StubPrometheus(server);
  }

  @Test
  void httpsWithACaCertificateFromAPemFile() throws Exception {
    Path keystore = dir.resolve("server.p12");
    Path pem = dir.resolve("ca.pem");
    keytool(dir.resolve("gen.log"), "-genkeypair", "-keystore", keystore.toString(),
        "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit",
        "-alias", "server", "-keyalg", "EC", "-dname", "CN=prometheus-test",
        "-ext", "SAN=ip:127.0.0.1", "-validity", "2");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'})
            .encodeToString(ks.getCertificate("server").getEncoded())
        + "\n-----END CERTIFICATE-----\n");
    stub = tlsStub(keystore);
    stub.answer(StubPrometheus.json(200, OK));

    PrometheusMetricSource trusting = source().baseUri(stub.uri()).caCertificate(pem).build();
    PrometheusMetricSource defaultTrust = source().baseUri(stub.uri()).maxRetries(0).build();

    assertThat(stub.uri().getScheme()).isEqualTo("https");
    assertThat(read(trusting).value()).isEqualTo(42.5);
    MetricReading refused = read(defaultTrust);
    assertThat(refused.isAvailable()).isFalse();
    assertThat(refused.reason()).contains("SSLHandshakeException");
  }

  @Test
  void caCertificate_notPem() throws IOException {
    Path bad = dir.resolve("bad.pem");
    Files.writeString(bad, "not a certificate");

    assertThatThrownBy(() -> PrometheusMetricSource.builder()
        .baseUri(URI.create("https://127.0.0.1:1/")).metric("rps", "up").caCertificate(bad)
        .build())
        .hasMessageContaining("- caCertificate must ")
        .hasMessageContaining(bad.toString());
  }
}
