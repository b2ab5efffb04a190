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
 */
final class HistoryFixture {
  static final String[] PODS = {"web-7d9f8b6c5d-a1b2c", "web-7d9f8b6c5d-d3e4f"};
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
    gauge(b, "kube_pod_container_resource_requests",
        ",container=\"app\",resource=\"cpu\",unit=\"core\"", 0.5, s0, s1);
    gauge(b, "kube_pod_status_ready", ",condition=\"true\"", 1, s0, s1);
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

  private static void gauge(StringBuilder b, String name, String extra, double v, long s0,
      long s1) {
    b.append("# TYPE ").append(name).append(" gauge\n");
    for (String pod : PODS) {
      for (long t = s0; t <= s1; t += STEP_S) {
        line(b, name, labels(pod) + extra, v, t);
      }
    }
  }

  private static String labels(String pod) {
    return "namespace=\"shop\",pod=\"" + pod + "\"";
  }

  private static void line(StringBuilder b, String name, String labels, double v, long t) {
    b.append(name).append('{').append(labels).append("} ")
        .append(String.format(Locale.ROOT, "%.4f", v)).append(' ').append(t).append('\n');
  }
}
