package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a reading becomes when Prometheus misbehaves: the real server killed mid-run and restarted
 * on the same data dir; a server that answers too slowly (held by a latch) or never (a socket
 * that is never accepted); a body that trickles past the timeout; a malformed body. No test
 * sleeps: a test on a real socket waits on the socket.
 */
class FailureModesIT {
  private static final Clock WALL = Clock.systemUTC();
  private static final WorkloadRef API = WorkloadRef.deployment("shop", "api");
  private static final WorkloadSpec SPEC = WorkloadSpec.builder(API).maxReplicas(10)
      .metric(MetricTarget.averageValue("inflight", 5)).build();

  @TempDir Path dir;

  private static PrometheusMetricSource source(URI uri, Duration timeout) {
    return PrometheusMetricSource.builder().baseUri(uri).requestTimeout(timeout)
        .initialBackoff(Duration.ZERO).maxRetries(2)
        .metric("inflight", "sum(app_inflight{{selector}})").build();
  }

  @Test
  void serverKilledMidRunGivesUnavailableThenRecoversAfterRestart() throws Exception {
    try (LiveTarget target = new LiveTarget();
        PrometheusServer prometheus = new PrometheusServer(dir, null,
            List.of(target.address()))) {
      prometheus.start().awaitResult("app_inflight", Duration.ofSeconds(30));
      PrometheusMetricSource source = source(prometheus.uri(), Duration.ofSeconds(5));
      MetricReading before = source.read(SPEC, WALL.instant()).reading("inflight");

      prometheus.kill();
      MetricReading down = source.read(SPEC, WALL.instant()).reading("inflight");

      prometheus.start();
      MetricReading after = source.read(SPEC, WALL.instant()).reading("inflight");

      assertThat(before.isAvailable()).as(before.reason()).isTrue();
      assertThat(before.value()).isEqualTo(14.0);
      assertThat(down.isAvailable()).isFalse();
      assertThat(down.reason()).startsWith("cannot connect to Prometheus at 127.0.0.1:")
          .endsWith("(gave up after 3 attempts)");
      // The samples scraped before the crash are replayed from the write-ahead log.
      assertThat(after.isAvailable()).as(after.reason()).isTrue();
      assertThat(after.value()).isEqualTo(14.0);
    }
  }

  @Test
  void aSlowServerTimesOutWithoutRetrying() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (StubPrometheus stub = new StubPrometheus()) {
      stub.answer(exchange -> {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        StubPrometheus.vector(1, "3").handle(exchange);
      });
      try {
        MetricReading r = source(stub.uri(), Duration.ofMillis(300)).read(SPEC, WALL.instant())
            .reading("inflight");

        assertThat(r.isAvailable()).isFalse();
        assertThat(r.reason()).startsWith("request timed out after PT0.3S");
        assertThat(stub.requests()).hasSize(1);
      } finally {
        release.countDown();
      }
    }
  }

  @Test
  void aStalledSocketTimesOut() throws Exception {
    // The kernel completes the TCP handshake into the backlog; nobody ever accepts or answers.
    try (ServerSocket stalled = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      URI uri = URI.create("http://127.0.0.1:" + stalled.getLocalPort() + "/");

      MetricReading r = source(uri, Duration.ofMillis(300)).read(SPEC, WALL.instant())
          .reading("inflight");

      assertThat(r.isAvailable()).isFalse();
      assertThat(r.reason()).startsWith("request timed out after PT0.3S");
    }
  }

  @Test
  void aBodyThatStallsAfterTheHeadersTimesOut() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (StubPrometheus stub = new StubPrometheus()) {
      stub.answer(exchange -> {
        exchange.sendResponseHeaders(200, 1000);
        OutputStream out = exchange.getResponseBody();
        out.write("{\"status\":".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.flush();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      try {
        MetricReading r = source(stub.uri(), Duration.ofMillis(300)).read(SPEC, WALL.instant())
            .reading("inflight");

        assertThat(r.isAvailable()).isFalse();
        assertThat(r.reason()).startsWith("request timed out after PT0.3S");
      } finally {
        release.countDown();
      }
    }
  }

  @Test
  void aBodyThatTricklesPastTheTimeoutHasItsConnectionClosed() throws Exception {
    // The JDK's own request timeout stops at the headers: unless the exchange is cancelled, the
    // client goes on reading (and buffering) a body that trickles in, for ever.
    CountDownLatch returned = new CountDownLatch(1);
    ExecutorService serving = Executors.newSingleThreadExecutor();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Future<String> connection = serving.submit(() -> trickle(server, returned));
      URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");

      MetricReading r = source(uri, Duration.ofMillis(300)).read(SPEC, WALL.instant())
          .reading("inflight");
      returned.countDown();

      assertThat(r.reason()).startsWith("request timed out after PT0.3S");
      assertThat(connection.get(90, TimeUnit.SECONDS)).startsWith("closed by the client");
    } finally {
      serving.shutdownNow();
    }
  }

  /**
   * Serves one request: the headers of a 1 MB body, {@code {"status":}, then one space (JSON
   * whitespace) at a time, each followed by up to 50 ms of waiting on the socket for the client to
   * close it. Gives up 100 waits after {@code returned} opens (and after 1,500 in all).
   */
  private static String trickle(ServerSocket server, CountDownLatch returned) throws IOException {
    try (Socket s = server.accept()) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      int length = 0;
      for (String line = line(in); !line.isEmpty(); line = line(in)) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring("content-length:".length()).strip());
        }
      }
      in.readNBytes(length);
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
          + "Content-Length: 1000000\r\n\r\n{\"status\":").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      s.setSoTimeout(50);
      int sent = 0;
      int afterReturn = 0;
      for (int i = 0; i < 1500 && afterReturn < 100; i++) {
        afterReturn += returned.getCount() == 0 ? 1 : 0;
        try {
          out.write(' ');
          out.flush();
          sent++;
          if (in.read() < 0) {
            return "closed by the client (end of stream) after " + sent + " spaces";
          }
        } catch (SocketTimeoutException e) {
          // Still open: trickle on.
        } catch (IOException e) {
          return "closed by the client (" + e + ") after " + sent + " spaces";
        }
      }
      return "still open " + afterReturn + " waits after read() returned, " + sent + " spaces sent";
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      b.append((char) c);
    }
    return b.toString().strip();
  }

  @Test
  void aMalformedResponseIsUnavailableWithWhatWasWrong() throws IOException {
    try (StubPrometheus stub = new StubPrometheus()) {
      stub.answer(StubPrometheus.json(200, "{\"status\":\"success\",\"data\":{\"resultType\":"
              + "\"vector\",\"result\":[{\"metric\":{},\"value\":[1,"),
          StubPrometheus.json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
              + "\"result\":[{\"metric\":{},\"value\":[1795942891.847,\"12 apples\"]}]}}"),
          StubPrometheus.json(200, "<html>gateway</html>"));
      PrometheusMetricSource source = source(stub.uri(), Duration.ofSeconds(5));
      Instant now = WALL.instant();

      MetricReading truncated = source.read(SPEC, now).reading("inflight");
      MetricReading badNumber = source.read(SPEC, now).reading("inflight");
      MetricReading html = source.read(SPEC, now).reading("inflight");

      assertThat(truncated.reason()).startsWith("malformed Prometheus response: not JSON: ")
          .contains("HTTP 200");
      assertThat(badNumber.reason()).startsWith("malformed Prometheus response: "
          + "data.result[0].value value must be a decimal number, NaN or ±Inf, but was 12 apples");
      assertThat(html.reason()).startsWith("malformed Prometheus response: not JSON");
      assertThat(stub.requests()).hasSize(3); // parse errors are not retried
    }
  }
}
