package dev.prescaler.prometheus;

import java.time.Instant;
import java.util.Locale;

/**
 * An OpenMetrics fixture of {@code hours} of history at one sample a minute for the Deployment
 * {@code shop/web} (two pods), for {@code promtool tsdb create-blocks-from openmetrics}. Rates are
 * constant within each hour {@code h} (hours counted from the start), so {@code rate()} over a
 * window inside one hour is known exactly:
 *
 * <ul>
 *   <li>{@code http_requests_total}: {@link #rpsPerPod(long)} per pod;
 *   <li>{@code container_cpu_usage_seconds_total}: {@link #coresPerPod(long)} per pod, requests
 *       0.5 cores each, both pods ready ({@code kube_pod_status_ready}), {@code
 *       kube_deployment_status_replicas_ready} 2.
 * </ul>
 *
 * <p>Beside them, in the same namespace: {@link #NEIGHBOURS}, pods of other workloads whose names
 * begin with {@code web-}, using {@link #NEIGHBOUR_CORES} each; and the Deployment {@code
 * shop/cart} ({@link #CART_PODS}, all ready), where one pod has requests but no usage series (its
 * kubelet's scrape timed out) and one has usage but no requests:
 *
 * <ul>
 *   <li>pods 0 and 1: 0.25 cores of a 0.5-core request, 192 MiB of a 256 MiB request;
 *   <li>pod 2: requests (0.5 cores, 256 MiB), no usage;
 *   <li>pod 3: 0.4 cores and 300 MiB, no requests.
 * </ul>
 *
 * Over the pods with both series, cart's CPU utilization is 50 % and its memory utilization 75 %.
 */
final class HistoryFixture {
  static final String[] PODS = {"web-7d9f8b6c5d-b2c4f", "web-7d9f8b6c5d-d5f6g"};
  /** A StatefulSet's, a Job's and a DaemonSet's pods, and a Deployment web-api's. */
  static final String[] NEIGHBOURS = {"web-db-0", "web-migrate-x7k2p", "web-agent-x7k2p",
      "web-api-7d9f8c6b5-x2x4z"};
  static final double NEIGHBOUR_CORES = 1.0;
  static final String[] CART_PODS = {"cart-6b8f9c7d4-qx5zp", "cart-6b8f9c7d4-m2n4r",
      "cart-6b8f9c7d4-t7v9w", "cart-6b8f9c7d4-h8j2k"};
  private static final double MIB = 1048576.0;
  static final long STEP_S = 60;

  private HistoryFixture() {}

  static double rpsPerPod(long hour) {
    return 10 + 5 * (hour % 4);
  }

  static double coresPerPod(long hour) {
    return 0.2 + 0.1 * (hour % 3);
  }

  /** The text, from {@code start} (whole minutes) for {@code hours} hours. */
  static String openMetrics(Instant start, int hours) {
    long s0 = start.getEpochSecond();
    long s1 = s0 + hours * 3600L;
    StringBuilder b = new StringBuilder(1 << 20);
    b.append("# TYPE http_requests counter\n");
    for (String pod : PODS) {
      double c = 0;
      for (long t = s0; t <= s1; t += STEP_S) {
        line(b, "http_requests_total", labels(pod), c, t);
        c += rpsPerPod((t - s0) / 3600) * STEP_S;
      }
    }
    b.append("# TYPE container_cpu_usage_seconds counter\n");
    for (String pod : PODS) {
      double c = 0;
      for (long t = s0; t <= s1; t += STEP_S) {
        line(b, "container_cpu_usage_seconds_total", labels(pod) + ",container=\"app\"", c, t);
        c += coresPerPod((t - s0) / 3600) * STEP_S;
      }
    }
    for (String pod : NEIGHBOURS) {
      appCounter(b, "container_cpu_usage_seconds_total", pod, NEIGHBOUR_CORES, s0, s1);
    }
    String[] cartUsage = {CART_PODS[0], CART_PODS[1], CART_PODS[3]};
    double[] cartCores = {0.25, 0.25, 0.4};
    for (int i = 0; i < cartUsage.length; i++) {
      appCounter(b, "container_cpu_usage_seconds_total", cartUsage[i], cartCores[i], s0, s1);
    }
    b.append("# TYPE container_memory_working_set_bytes gauge\n");
    double[] cartBytes = {192 * MIB, 192 * MIB, 300 * MIB};
    for (int i = 0; i < cartUsage.length; i++) {
      gauge(b, "container_memory_working_set_bytes", labels(cartUsage[i])
          + ",container=\"app\"", cartBytes[i], s0, s1);
    }
    String[] cartRequested = {CART_PODS[0], CART_PODS[1], CART_PODS[2]};
    b.append("# TYPE kube_pod_container_resource_requests gauge\n");
    for (String pod : PODS) {
      gauge(b, "kube_pod_container_resource_requests", labels(pod)
          + ",container=\"app\",resource=\"cpu\",unit=\"core\"", 0.5, s0, s1);
    }
    for (String pod : cartRequested) {
      gauge(b, "kube_pod_container_resource_requests", labels(pod)
          + ",container=\"app\",resource=\"cpu\",unit=\"core\"", 0.5, s0, s1);
      gauge(b, "kube_pod_container_resource_requests", labels(pod)
          + ",container=\"app\",resource=\"memory\",unit=\"byte\"", 256 * MIB, s0, s1);
    }
    b.append("# TYPE kube_pod_status_ready gauge\n");
    for (String[] pods : new String[][] {PODS, CART_PODS}) {
      for (String pod : pods) {
        gauge(b, "kube_pod_status_ready", labels(pod) + ",condition=\"true\"", 1, s0, s1);
      }
    }
    b.append("# TYPE kube_deployment_status_replicas_ready gauge\n");
    for (long t = s0; t <= s1; t += STEP_S) {
      line(b, "kube_deployment_status_replicas_ready", "namespace=\"shop\",deployment=\"web\"",
          2, t);
    }
    b.append("# TYPE kube_deployment_spec_replicas gauge\n");
    for (long t = s0; t <= s1; t += STEP_S) {
      line(b, "kube_deployment_spec_replicas", "namespace=\"shop\",deployment=\"web\"", 2, t);
    }
    b.append("# EOF\n");
    return b.toString();
  }

  /** A counter of {@code container="app"} of {@code pod} growing by {@code perSecond}. */
  private static void appCounter(StringBuilder b, String name, String pod, double perSecond,
      long s0, long s1) {
    double c = 0;
    for (long t = s0; t <= s1; t += STEP_S) {
      line(b, name, labels(pod) + ",container=\"app\"", c, t);
      c += perSecond * STEP_S;
    }
  }

  /** {@code v} at every step from {@code s0} to {@code s1} (epoch seconds). */
  static void gauge(StringBuilder b, String name, String labels, double v, long s0, long s1) {
    for (long t = s0; t <= s1; t += STEP_S) {
      line(b, name, labels, v, t);
    }
  }

  /** A counter from 0 at {@code s0}, growing by {@code perSecond}, to {@code s1}. */
  static void counter(StringBuilder b, String name, String labels, double perSecond, long s0,
      long s1) {
    for (long t = s0; t <= s1; t += STEP_S) {
      line(b, name, labels, perSecond * (t - s0), t);
    }
  }

  private static String labels(String pod) {
    return "namespace=\"shop\",pod=\"" + pod + "\"";
  }

  /** One OpenMetrics sample line. */
  static void line(StringBuilder b, String name, String labels, double v, long t) {
    b.append(name).append('{').append(labels).append("} ")
        .append(String.format(Locale.ROOT, "%.4f", v)).append(' ').append(t).append('\n');
  }
}
