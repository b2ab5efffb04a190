package dev.prescaler.prometheus;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * A scrape target in the test JVM imitating cAdvisor, kube-state-metrics and an application for
 * the Deployment {@code shop/api} with two pods. Counters grow linearly with wall-clock time, so
 * their rates are known exactly:
 *
 * Each sample carries an explicit timestamp (the wall-clock time its value was computed for).
 *
 * <ul>
 *   <li>CPU: 0.3 and 0.6 cores (0.9 in all); requests 0.5 cores each; both pods ready: 90 %.
 *   <li>Memory working set: 100 MiB and 300 MiB; requests 256 MiB each: 78.125 %.
 *   <li>Requests: 9 + 18 per second with code 200, 1 + 2 with code 500: 30 rps, error ratio 0.1.
 *   <li>{@code checkout_requests_total}: 4 + 6 per second, all with code 200 (no 5xx series, as
 *       before a client library's first error); {@code idle_requests_total}: no traffic (a
 *       counter that never grows).
 *   <li>Latency histogram: 100 observations per second, 50 % ≤ 0.1 s, 90 % ≤ 0.5 s, all ≤ 1 s:
 *       p95 = 0.75 s by linear interpolation.
 *   <li>Replicas: spec 2, ready 2, 2 existing ({@code status.replicas}); gauge {@code
 *       app_inflight} 7 per pod.
 *   <li>The replica series of other workloads of {@code shop}, without pods: {@link #REPLICAS}.
 *   <li>{@code tricky_gauge} with a label value holding a quote, a backslash and a newline.
 *   <li>{@code nan_gauge} NaN and {@code inf_gauge} +Inf.
 * </ul>
 *
 * A target may serve only some of these {@link Exporter}s, as separate scrape targets do.
 */
final class LiveTarget implements AutoCloseable {
  static final String POD_A = "api-5c6d7f8b9-x4z2w";
  static final String POD_B = "api-5c6d7f8b9-q7w8t";
  static final String TRICKY = "we\"b\\x\nend";
  /**
   * The workloads whose replica series kube-state-metrics exports. {@code surge}: a rollout one
   * pod above spec, its new pod not ready yet; {@code db}: a StatefulSet whose third pod cannot
   * be created (a quota); {@code legacy}: no existing count, as from a kube-state-metrics whose
   * metric allowlist leaves it out; {@code bad-*}: an existing count that is no count.
   */
  static final List<Replicas> REPLICAS = List.of(
      new Replicas("deployment", "api", 2, 2, "2"),
      new Replicas("deployment", "surge", 4, 4, "5"),
      new Replicas("statefulset", "db", 3, 2, "2"),
      new Replicas("deployment", "legacy", 3, 3, null),
      new Replicas("deployment", "bad-nan", 3, 3, "NaN"),
      new Replicas("deployment", "bad-negative", 3, 3, "-1"),
      new Replicas("deployment", "bad-fraction", 3, 3, "2.5"));
  private static final Clock WALL = Clock.systemUTC();

  /**
   * A workload's replica series: {@code kind} as in kube-state-metrics' metric names and labels
   * ({@code deployment}, {@code statefulset}), {@code existing} as exported ({@code
   * status.replicas}), null for no series.
   */
  record Replicas(String kind, String name, int spec, int ready, String existing) {}

  /** Who exports which series. */
  enum Exporter {
    /** {@code container_*}. */
    CADVISOR,
    /** {@code kube_*}: requests, readiness, replicas. */
    KUBE_STATE_METRICS,
    /** Everything else: requests, latency and the gauges. */
    APPLICATION
  }

  private final HttpServer server;
  private final Set<Exporter> exports;
  private final long startMillis = WALL.millis();

  /** A target serving the series of every exporter. */
  LiveTarget() throws IOException {
    this(EnumSet.allOf(Exporter.class));
  }

  /** A target serving only the series of {@code exports}. */
  LiveTarget(Set<Exporter> exports) throws IOException {
    this.exports = EnumSet.copyOf(exports);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/metrics", exchange -> {
      byte[] body = body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  /** {@code 127.0.0.1:port}. */
  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private String body() {
    long millis = WALL.millis();
    double t = (millis - startMillis) / 1000.0;
    StringBuilder b = new StringBuilder();
    if (exports.contains(Exporter.CADVISOR)) {
      cadvisor(b, millis, t);
    }
    if (exports.contains(Exporter.KUBE_STATE_METRICS)) {
      kubeStateMetrics(b, millis);
    }
    if (exports.contains(Exporter.APPLICATION)) {
      application(b, millis, t);
    }
    return b.toString();
  }

  private static void cadvisor(StringBuilder b, long millis, double t) {
    b.append("# TYPE container_cpu_usage_seconds_total counter\n");
    String app = ",container=\"app\"";
    sample(b, millis, "container_cpu_usage_seconds_total", pod(POD_A) + app, 0.3 * t);
    sample(b, millis, "container_cpu_usage_seconds_total", pod(POD_B) + app, 0.6 * t);
    b.append("# TYPE container_memory_working_set_bytes gauge\n");
    sample(b, millis, "container_memory_working_set_bytes", pod(POD_A) + ",container=\"app\"",
        100 * 1048576.0);
    sample(b, millis, "container_memory_working_set_bytes", pod(POD_B) + ",container=\"app\"",
        300 * 1048576.0);
  }

  private static void kubeStateMetrics(StringBuilder b, long millis) {
    b.append("# TYPE kube_pod_container_resource_requests gauge\n");
    for (String p : new String[] {POD_A, POD_B}) {
      sample(b, millis, "kube_pod_container_resource_requests",
          pod(p) + ",container=\"app\",resource=\"cpu\",unit=\"core\"", 0.5);
      sample(b, millis, "kube_pod_container_resource_requests",
          pod(p) + ",container=\"app\",resource=\"memory\",unit=\"byte\"", 256 * 1048576.0);
    }
    b.append("# TYPE kube_pod_status_ready gauge\n");
    for (String p : new String[] {POD_A, POD_B}) {
      sample(b, millis, "kube_pod_status_ready", pod(p) + ",condition=\"true\"", 1);
      sample(b, millis, "kube_pod_status_ready", pod(p) + ",condition=\"false\"", 0);
    }
    for (String kind : List.of("deployment", "statefulset")) {
      String status = "kube_" + kind + "_status_replicas";
      family(b, millis, kind, kind.equals("deployment") ? "kube_deployment_spec_replicas"
          : "kube_statefulset_replicas", Replicas::spec);
      family(b, millis, kind, status + "_ready", Replicas::ready);
      family(b, millis, kind, status, Replicas::existing);
    }
  }

  /** The gauge {@code name}: {@code value} of each of {@link #REPLICAS} of {@code kind}. */
  private static void family(StringBuilder b, long millis, String kind, String name,
      Function<Replicas, Object> value) {
    b.append("# TYPE ").append(name).append(" gauge\n");
    for (Replicas w : REPLICAS) {
      if (w.kind().equals(kind) && value.apply(w) != null) {
        sample(b, millis, name, "namespace=\"shop\"," + kind + "=\"" + w.name() + "\"",
            String.valueOf(value.apply(w)));
      }
    }
  }

  private static void application(StringBuilder b, long millis, double t) {
    b.append("# TYPE http_requests_total counter\n");
    sample(b, millis, "http_requests_total", pod(POD_A) + ",code=\"200\"", 9 * t);
    sample(b, millis, "http_requests_total", pod(POD_B) + ",code=\"200\"", 18 * t);
    sample(b, millis, "http_requests_total", pod(POD_A) + ",code=\"500\"", 1 * t);
    sample(b, millis, "http_requests_total", pod(POD_B) + ",code=\"500\"", 2 * t);
    b.append("# TYPE checkout_requests_total counter\n");
    sample(b, millis, "checkout_requests_total", pod(POD_A) + ",code=\"200\"", 4 * t);
    sample(b, millis, "checkout_requests_total", pod(POD_B) + ",code=\"200\"", 6 * t);
    b.append("# TYPE idle_requests_total counter\n");
    sample(b, millis, "idle_requests_total", pod(POD_A) + ",code=\"200\"", 42);
    b.append("# TYPE request_duration_seconds histogram\n");
    double n = 100 * t;
    String[][] buckets = {{"0.1", "0.5"}, {"0.5", "0.9"}, {"1", "1.0"}, {"+Inf", "1.0"}};
    for (String[] bucket : buckets) {
      sample(b, millis, "request_duration_seconds_bucket", pod(POD_A) + ",le=\"" + bucket[0] + "\"",
          n * Double.parseDouble(bucket[1]));
    }
    sample(b, millis, "request_duration_seconds_count", pod(POD_A), n);
    sample(b, millis, "request_duration_seconds_sum", pod(POD_A), n * 0.3);
    b.append("# TYPE app_inflight gauge\n");
    sample(b, millis, "app_inflight", pod(POD_A), 7);
    sample(b, millis, "app_inflight", pod(POD_B), 7);
    b.append("# TYPE tricky_gauge gauge\n");
    sample(b, millis, "tricky_gauge", pod(POD_A) + ",note=\"" + expositionEscape(TRICKY) + "\"", 1);
    sample(b, millis, "tricky_gauge", pod(POD_A) + ",note=\"other\"", 2);
    b.append("# TYPE nan_gauge gauge\n");
    sample(b, millis, "nan_gauge", pod(POD_A), "NaN");
    b.append("# TYPE inf_gauge gauge\n");
    sample(b, millis, "inf_gauge", pod(POD_A), "+Inf");
  }

  private static String pod(String pod) {
    return "namespace=\"shop\",pod=\"" + pod + "\"";
  }

  /**
   * One sample with an explicit timestamp, the time its value was computed for, so rates are
   * exact whatever the delay between Prometheus starting a scrape and this handler running.
   */
  private static void sample(StringBuilder b, long millis, String name, String labels,
      double value) {
    sample(b, millis, name, labels, String.format(Locale.ROOT, "%.6f", value));
  }

  private static void sample(StringBuilder b, long millis, String name, String labels,
      String value) {
    b.append(name).append('{').append(labels).append("} ").append(value).append(' ')
        .append(millis).append('\n');
  }

  /** Escapes a label value for the text exposition format: backslash, quote, newline. */
  static String expositionEscape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
