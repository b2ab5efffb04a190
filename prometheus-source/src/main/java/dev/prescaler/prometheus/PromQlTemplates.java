package dev.prescaler.prometheus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Built-in PromQL templates for common scaling signals, for {@link
 * PrometheusMetricSource.Builder#metric}. They assume the usual Kubernetes metric pipelines:
 * cAdvisor (the kubelet's {@code /metrics/cadvisor}: {@code container_*} series with {@code
 * namespace}, {@code pod}, {@code container} labels) and kube-state-metrics scraped with {@code
 * honor_labels: true} (so its {@code namespace} and {@code pod} labels are kept). Pods are chosen
 * with the {@code {selector}} placeholder (namespace and pod-name regex by default). Each method
 * states the unit and the {@link dev.prescaler.core.MetricTarget} type to pair it with; the module
 * README lists the PromQL each one runs.
 *
 * <p>kube-state-metrics often runs as an HA pair: every one of its series then comes twice, with
 * different {@code instance} labels. Each template collapses those copies with {@code max} before
 * anything adds them up, so a pair reads as one.
 *
 * <p>The totals hold the workload rather than read a sum over part of its pods, which with an
 * averageValue target reads as less load than there is; the utilizations hold it rather than
 * read a mean over part of them, which the engine spreads over every ready pod (the HPA
 * controller counts a ready pod without metrics at 100 % of its request on a scale-down).
 * {@link #cpuCores()}, {@link #memoryWorkingSetBytes()}, {@link #cpuUtilization()} and {@link
 * #memoryUtilization()} are unavailable while a pod that has been ready for {@value
 * #SETTLED_SECONDS} s has no cAdvisor series (its node's scrape failed, and Prometheus marked
 * the series stale); a pod ready for less may not have been scraped twice yet, which a {@code
 * rate()} needs, and counts on neither side of a utilization. {@link #requestRate} is
 * unavailable while a ready pod's scrape fails in a job that exported the counter within the
 * rate window ({@code up} is 0 for any target of the pod in that job; another scrape job of the
 * pod, such as a mesh sidecar's, does not count): the application's counters may not exist
 * before its first request, so a missing series says nothing there. The counter must keep its
 * target's {@code job} label (with {@code honor_labels}, an application that sets its own
 * {@code job} defeats the guard). Which pods are ready, and since when, comes from
 * kube-state-metrics ({@code kube_pod_status_ready}, and {@code kube_pod_status_ready_time} from
 * its version 2.8); a pod with a {@code kube_pod_deletion_timestamp} (being deleted, though it
 * may still be ready while it drains) is not one of them, as the HPA controller ignores it. The
 * series must carry {@code namespace} and {@code pod} labels. Without those series the guards
 * find nothing to compare and the sums and means are read over the pods that have series. The
 * totals' sums count every pod's series, a draining pod's too: only their guards leave it out.
 */
public final class PromQlTemplates {
  private static final String CONTAINERS = "container!=\"\",container!=\"POD\",{selector}";
  /**
   * The ready pods that are not being deleted: a pod with a deletion timestamp may stay ready
   * while it drains (a preStop hook), and the HPA controller leaves it out whatever its
   * readiness ({@code groupPods}).
   */
  private static final String READY_PODS = "max by (namespace, pod) "
      + "(kube_pod_status_ready{condition=\"true\",{selector}}) == 1 "
      + "unless on (namespace, pod) kube_pod_deletion_timestamp{{selector}}";
  private static final String READY = "and on (namespace, pod) (" + READY_PODS + ")";
  /** How long a pod must have been ready before a total or a utilization needs its series. */
  static final int SETTLED_SECONDS = 180;
  /** The ready pods that have been ready for {@link #SETTLED_SECONDS} or more. */
  private static final String SETTLED_PODS = "(" + READY_PODS + ") and on (namespace, pod) "
      + "(time() - max by (namespace, pod) (kube_pod_status_ready_time{{selector}}) >= "
      + SETTLED_SECONDS + ")";

  private PromQlTemplates() {}

  /**
   * CPU usage as the mean percent of the CPU request over ready pods: the summed cAdvisor usage
   * rate over the summed CPU requests, × 100, both over the ready pods that have both series
   * (not over pods being deleted: see {@link PromQlTemplates}). A
   * pod's request, as the HPA counts it, is the sum of its containers' requests and of its
   * native sidecars' (init containers with {@code restartPolicy: Always}), whose usage cAdvisor
   * reports beside the application's; see {@link #memoryUtilization()} for exactly what is read.
   * A pod without requests, or ready for less than {@value #SETTLED_SECONDS} s and without usage
   * (too new for a rate), counts on neither side, so it cannot dilute or inflate the mean; a pod
   * ready for longer without usage (its kubelet's scrape failed) makes the reading unavailable
   * (see {@link PromQlTemplates}), as the mean of the others could read half the load there is.
   * Pair with {@code MetricTarget.utilization(name, percent)}.
   */
  public static String cpuUtilization() {
    return utilization("rate(container_cpu_usage_seconds_total{" + CONTAINERS
        + "}[{rate_window}])", "cpu");
  }

  /**
   * CPU usage of all the workload's pods, in cores (the summed cAdvisor usage rate); unavailable
   * while a pod ready for 3 minutes has no usage series (see {@link PromQlTemplates}). Pair
   * with {@code MetricTarget.averageValue(name, coresPerReplica)}.
   */
  public static String cpuCores() {
    return total("rate(container_cpu_usage_seconds_total{" + CONTAINERS + "}[{rate_window}])");
  }

  /**
   * Memory working set of all the workload's pods, in bytes (cAdvisor's {@code
   * container_memory_working_set_bytes}, what the kubelet evicts on); unavailable while a pod
   * ready for 3 minutes has no series (see {@link PromQlTemplates}). Pair with {@code
   * MetricTarget.averageValue(name, bytesPerReplica)}.
   */
  public static String memoryWorkingSetBytes() {
    return total("container_memory_working_set_bytes{" + CONTAINERS + "}");
  }

  /**
   * {@code sum(U) unless on () (SETTLED_PODS unless on (namespace, pod) (sum by (namespace, pod)
   * (U)))}, where U is {@code usage} and SETTLED_PODS the pods ready for {@value
   * #SETTLED_SECONDS} s or more: the sum, or nothing (an unavailable reading, so the engine
   * holds) while such a pod has no series in it.
   */
  private static String total(String usage) {
    return "sum(" + usage + ") unless on () (" + SETTLED_PODS + " unless on (namespace, pod) "
        + "sum by (namespace, pod) (" + usage + "))";
  }


  /**
   * Memory working set as the mean percent of the memory request over ready pods, over the ready
   * pods that have both series (see {@link #cpuUtilization()}). Pair with {@code
   * MetricTarget.utilization(name, percent)}.
   *
   * <p>Both utilization templates count, per pod, what the HPA controller counts in {@code
   * calculatePodRequests} (replica_calculator.go) when the pod has no pod-level resources:
   *
   * <ul>
   *   <li>every {@code kube_pod_container_resource_requests} series of the resource (the
   *       containers of {@code spec.containers} that have a request);
   *   <li>every {@code kube_pod_init_container_resource_requests} series of the resource whose
   *       container has a {@code kube_pod_init_container_info} series with {@code
   *       restart_policy="Always"} (a native sidecar).
   * </ul>
   *
   * <p>Not counted: an init container without that label, which ran to completion before the
   * containers started (it holds nothing after, and the HPA does not count it); every init
   * container when kube-state-metrics is too old to export, on its info series, the {@code
   * restart_policy} label (the figure is then what it was before sidecars were counted, too
   * high for a pod with one); pod-level resources ({@code spec.resources}: the HPA takes the
   * pod-level request instead where there is one, and adds the RuntimeClass overhead when they
   * name only another resource); and the containers without a request, left out here, where the
   * HPA fails the metric.
   */
  public static String memoryUtilization() {
    return utilization("container_memory_working_set_bytes{" + CONTAINERS + "}", "memory");
  }

  /**
   * {@code 100 * sum(U and on (namespace, pod) READY and on (namespace, pod) R) / sum(R and on
   * (namespace, pod) READY and on (namespace, pod) U)}, where U is {@code usage} and R the
   * requests of {@code resource}, each summed by pod: numerator and denominator count the same
   * pods. R adds, per pod, the containers' requests {@code or} the native sidecars' (the init
   * containers' requests {@code and} their info with {@code restart_policy="Always"}); {@code
   * or} keeps both, as a container's name is unique among all of a pod's containers, init
   * containers included. The requests and the ready flag come from kube-state-metrics, one copy
   * per container (per pod for the flag) kept by {@code max}: an HA pair would double the
   * requests and halve the utilization. The info series needs no {@code max}: {@code and} only
   * filters, however many copies match. The whole is {@code unless on () (SETTLED_PODS unless
   * on (namespace, pod) U)}, as in {@link #total}: nothing while a pod ready for {@value
   * #SETTLED_SECONDS} s or more has no usage.
   */
  private static String utilization(String usage, String resource) {
    String u = "sum by (namespace, pod) (" + usage + ")";
    String matchers = "{resource=\"" + resource + "\",{selector}}";
    String containers = "max by (namespace, pod, container) "
        + "(kube_pod_container_resource_requests" + matchers + ")";
    String sidecars = "max by (namespace, pod, container) "
        + "(kube_pod_init_container_resource_requests" + matchers + ") and on (namespace, pod, "
        + "container) kube_pod_init_container_info{restart_policy=\"Always\",{selector}}";
    String r = "sum by (namespace, pod) (" + containers + " or (" + sidecars + "))";
    return "100 * sum(" + u + " " + READY + " and on (namespace, pod) " + r + ")"
        + " / sum(" + r + " " + READY + " and on (namespace, pod) " + u + ")"
        + " unless on () (" + SETTLED_PODS + " unless on (namespace, pod) " + u + ")";
  }

  /**
   * Requests per second served by all the workload's pods: the summed rate of the counter {@code
   * counter} (e.g. {@code http_requests_total} or {@code http_server_requests_seconds_count});
   * unavailable while the scrape of a ready pod fails in a job that exports the counter ({@code
   * up} 0; see {@link PromQlTemplates}), so the counter and {@code up} must carry the pods'
   * {@code namespace} and {@code pod} labels. Pair with {@code
   * MetricTarget.averageValue(name, requestsPerSecondPerReplica)}.
   *
   * @throws IllegalArgumentException when {@code counter} is not a metric name
   */
  public static String requestRate(String counter) {
    requireMetricName("counter", counter);
    return "sum(rate(" + counter + "{{selector}}[{rate_window}])) unless on () ((min by "
        + "(namespace, pod, job) (up{{selector}}) == 0) and on (job) group by (job) "
        + "(last_over_time(" + counter + "{{selector}}[{rate_window}])) " + READY + ")";
  }

  /**
   * The 95th percentile latency of the workload, in the histogram's unit (usually seconds), from
   * the buckets of the classic histogram {@code histogram} ({@code <histogram>_bucket} series).
   * Latency is not a total: scale on it only with a target chosen for that meaning, as an
   * AVERAGE_VALUE metric.
   *
   * @throws IllegalArgumentException when {@code histogram} is not a metric name
   */
  public static String latencyP95(String histogram) {
    return latencyQuantile(histogram, 0.95);
  }

  /**
   * The {@code quantile} latency of the workload from the buckets of the classic histogram {@code
   * histogram}, in the histogram's unit.
   *
   * @throws IllegalArgumentException when {@code histogram} is not a metric name or {@code
   *     quantile} is not in (0, 1)
   */
  public static String latencyQuantile(String histogram, double quantile) {
    requireMetricName("histogram", histogram);
    if (!(quantile > 0 && quantile < 1)) {
      throw new IllegalArgumentException("quantile must be in (0, 1), but was " + quantile);
    }
    return "histogram_quantile(" + quantile + ", sum by (le) (rate(" + histogram
        + "_bucket{{selector}}[{rate_window}])))";
  }

  /**
   * The share of requests that failed, in [0, 1]: the rate of {@code counter} with a 5xx {@code
   * statusLabel} over its total rate. Without any 5xx series (most client libraries create it on
   * the first error) the failed rate is 0, so the ratio reads 0 rather than nothing, which would
   * make the reading unavailable and hold the workload. With no traffic the ratio is 0/0 = NaN, or
   * empty when the counter does not exist, and the reading is unavailable.
   *
   * @throws IllegalArgumentException when {@code counter} is not a metric name or {@code
   *     statusLabel} not a label name
   */
  public static String errorRatio(String counter, String statusLabel) {
    requireMetricName("counter", counter);
    if (!PromQl.isLabelName(statusLabel)) {
      throw new IllegalArgumentException("statusLabel must match [a-zA-Z_][a-zA-Z0-9_]*, but was "
          + PromQl.quote(statusLabel));
    }
    return "(sum(rate(" + counter + "{" + statusLabel + "=~\"5..\",{selector}}[{rate_window}]))"
        + " or on () vector(0)) / sum(rate(" + counter + "{{selector}}[{rate_window}]))";
  }

  /**
   * Replica queries from kube-state-metrics for Deployments ({@code kube_deployment_spec_replicas},
   * {@code kube_deployment_status_replicas_ready}, {@code kube_deployment_status_replicas}) and
   * StatefulSets ({@code kube_statefulset_replicas}, {@code
   * kube_statefulset_status_replicas_ready}, {@code kube_statefulset_status_replicas}): the
   * desired count, the ready pods and the pods that exist ({@code status.replicas}). Each is
   * wrapped in {@code max(...)} so that two kube-state-metrics replicas (an HA pair) do not make
   * the result ambiguous. Where the existing count has no series (kube-state-metrics run with a
   * metric allowlist that leaves it out, say), the pods that exist are taken as the desired count;
   * see {@link ReplicaQueries}.
   */
  public static Map<String, ReplicaQueries> kubeStateMetricsReplicas() {
    Map<String, ReplicaQueries> m = new LinkedHashMap<>();
    m.put("Deployment", new ReplicaQueries(
        "max(kube_deployment_spec_replicas{namespace=\"{namespace}\",deployment=\"{name}\"})",
        "max(kube_deployment_status_replicas_ready{namespace=\"{namespace}\","
            + "deployment=\"{name}\"})")
        .withExisting("max(kube_deployment_status_replicas{namespace=\"{namespace}\","
            + "deployment=\"{name}\"})"));
    m.put("StatefulSet", new ReplicaQueries(
        "max(kube_statefulset_replicas{namespace=\"{namespace}\",statefulset=\"{name}\"})",
        "max(kube_statefulset_status_replicas_ready{namespace=\"{namespace}\","
            + "statefulset=\"{name}\"})")
        .withExisting("max(kube_statefulset_status_replicas{namespace=\"{namespace}\","
            + "statefulset=\"{name}\"})"));
    return m;
  }

  private static void requireMetricName(String field, String name) {
    if (!PromQl.isMetricName(name)) {
      throw new IllegalArgumentException(field + " must be a metric name matching "
          + "[a-zA-Z_:][a-zA-Z0-9_:]*, but was " + (name == null ? "null" : PromQl.quote(name)));
    }
  }
}
