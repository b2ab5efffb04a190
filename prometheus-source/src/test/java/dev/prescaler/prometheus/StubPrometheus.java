package dev.prescaler.prometheus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A programmable HTTP server on a free loopback port standing in for Prometheus: it answers each
 * request with the next queued {@link Answer} (the last one repeats) and records every request's
 * path, headers and form fields. For exact wire-level checks and injected failures.
 */
final class StubPrometheus implements AutoCloseable {

  /** What the stub does with one request. */
  @FunctionalInterface
  interface Answer {
    void handle(HttpExchange exchange) throws IOException;
  }

  /** One recorded request. */
  record Request(String method, String path, Map<String, List<String>> headers,
      Map<String, String> form) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  private static final Pattern STEP = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Deque<Answer> answers = new ArrayDeque<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  StubPrometheus() throws IOException {
    this(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
  }

  StubPrometheus(HttpServer server) {
    this.server = server;
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** Answers with {@code status} and a JSON body. */
  static Answer json(int status, String body) {
    return exchange -> {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(b);
      }
    };
  }

  /** A successful vector answer holding one series {@code {}} with {@code value} at {@code t}. */
  static Answer vector(double t, String value) {
    return json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
        + "[{\"metric\":{},\"value\":[" + t + ",\"" + value + "\"]}]}}");
  }

  /** The text of a range answer's value for {@code query} at {@code t} (epoch seconds). */
  interface PointValue {
    String at(String query, long t);
  }

  /**
   * Answers a range query with {@code series} series ({@code {}} when one, else labelled {@code
   * pod=p0, p1, ...}), each with the value {@code value} gives at every point of the request's
   * whole-second {@code start, start + step, ..., end} (a step of whole seconds).
   */
  Answer range(int series, PointValue value) {
    return exchange -> {
      Request req = requests.get(requests.size() - 1);
      long start = new BigDecimal(req.form().get("start")).longValueExact();
      long end = new BigDecimal(req.form().get("end")).longValueExact();
      long step = stepMillis(req.form().get("step")) / 1000;
      String query = req.form().get("query");
      StringBuilder values = new StringBuilder();
      for (long t = start; t <= end; t += step) {
        values.append(values.length() == 0 ? "" : ",").append('[').append(t).append(",\"")
            .append(value.at(query, t)).append("\"]");
      }
      StringBuilder result = new StringBuilder();
      for (int i = 0; i < series; i++) {
        result.append(i == 0 ? "" : ",").append("{\"metric\":")
            .append(series == 1 ? "{}" : "{\"pod\":\"p" + i + "\"}")
            .append(",\"values\":[").append(values).append("]}");
      }
      json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
          + "\"result\":[" + result + "]}}").handle(exchange);
    };
  }

  /**
   * Answers as a backend that aligns range queries to the step does (VictoriaMetrics from 50
   * points on, Thanos's query-frontend, Mimir and Cortex with step alignment): the request's
   * start and end are moved down to whole steps since the epoch, and one series {@code {}} holds
   * the value {@code value} gives (at the whole second) at each of those instants. An instant
   * query ({@code /api/v1/query}) gets one series with that value at its time.
   */
  Answer aligningRange(PointValue value) {
    return exchange -> {
      Request req = requests.get(requests.size() - 1);
      String query = req.form().get("query");
      if (req.path().endsWith("/query")) {
        BigDecimal time = new BigDecimal(req.form().get("time"));
        vector(time.doubleValue(), value.at(query, time.longValue())).handle(exchange);
        return;
      }
      long step = stepMillis(req.form().get("step"));
      long start = Math.floorDiv(millis(req.form().get("start")), step) * step;
      long end = Math.floorDiv(millis(req.form().get("end")), step) * step;
      StringBuilder values = new StringBuilder();
      for (long t = start; t <= end; t += step) {
        values.append(values.length() == 0 ? "" : ",").append('[')
            .append(BigDecimal.valueOf(t, 3).toPlainString()).append(",\"")
            .append(value.at(query, Math.floorDiv(t, 1000))).append("\"]");
      }
      json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
          + "\"result\":[{\"metric\":{},\"values\":[" + values + "]}]}}").handle(exchange);
    };
  }

  private static long millis(String seconds) {
    return new BigDecimal(seconds).movePointRight(3).longValueExact();
  }

  /**
   * The milliseconds of a range query's step as the source sends it: a whole number and one unit
   * ({@code 4100ms}, {@code 15s}, {@code 1m}, {@code 1w}).
   */
  static long stepMillis(String step) {
    Matcher m = STEP.matcher(step);
    if (!m.matches()) {
      throw new IllegalArgumentException("step must be a whole number and a unit, but was "
          + step);
    }
    long unit = switch (m.group(2)) {
      case "ms" -> 1;
      case "s" -> 1000;
      case "m" -> 60_000;
      case "h" -> 3_600_000;
      case "d" -> 86_400_000;
      default -> 604_800_000;
    };
    return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
  }

  /** Queues answers, used in order; the last one repeats. */
  synchronized StubPrometheus answer(Answer... next) {
    answers.addAll(List.of(next));
    return this;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> form = new LinkedHashMap<>();
    if (!body.isEmpty()) {
      for (String pair : body.split("&")) {
        int eq = pair.indexOf('=');
        form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
        Map.copyOf(exchange.getRequestHeaders()), form));
    Answer a;
    synchronized (this) {
      a = answers.size() > 1 ? answers.poll() : answers.peek();
    }
    if (a == null) {
      json(500, "{\"status\":\"error\",\"errorType\":\"internal\",\"error\":\"no answer queued\"}")
          .handle(exchange);
    } else {
      a.handle(exchange);
    }
    exchange.close();
  }

  /** Every request so far. */
  List<Request> requests() {
    return List.copyOf(requests);
  }

  URI uri() {
    return URI.create((server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http")
        + "://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
