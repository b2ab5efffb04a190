package dev.prescaler.decision;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The Kubernetes HPA's replica calculator as a pure function of per-pod inputs: the algorithm of
 * {@code pkg/controller/podautoscaler/replica_calculator.go} (resource utilization, plain per-pod
 * values, and per-pod targets on an object or external metric), restated, not copied.
 *
 * <p>Resource utilization: pods being deleted or failed are ignored; pending pods are unready; pods
 * with no sample are missing; for CPU, a pod inside its CPU initialization period counts as unready
 * while its Ready condition is false or its sample predates one sample window after the last
 * readiness change, and after that period a pod that is not ready and never became ready within
 * the initial readiness delay counts as unready. {@code utilization = floor(100 × Σ usage / Σ
 * request)} over the pods with samples; {@code ratio = utilization / target}. With no missing pods
 * and no unready pods (or a ratio ≤ 1), the result is {@code current} when the ratio is within the
 * tolerance, else {@code ceil(ratio × readyPods)}. Otherwise missing pods count as {@code max(100,
 * target)} % of their request when scaling down and 0 % when scaling up, unready pods as 0 % when
 * scaling up, the ratio is recomputed, and nothing changes when it is within the tolerance, when it
 * flips direction, or when the new count would move the other way; else {@code ceil(newRatio ×
 * pods counted)}.
 *
 * <p>Thread-safe and immutable.
 */
public final class HpaReplicaCalculator {
  /** Default CPU initialization period: 5 minutes (the controller's flag default). */
  public static final Duration DEFAULT_CPU_INITIALIZATION_PERIOD = Duration.ofMinutes(5);
  /** Default initial readiness delay: 30 s (the controller's flag default). */
  public static final Duration DEFAULT_INITIAL_READINESS_DELAY = Duration.ofSeconds(30);

  private final Tolerances tolerances;
  private final Duration cpuInitializationPeriod;
  private final Duration initialReadinessDelay;

  /**
   * A calculator.
   *
   * @param tolerances the dead band around ratio 1
   * @param cpuInitializationPeriod how long after its start a pod's CPU samples may be ignored
   * @param initialReadinessDelay how long after start a not-ready pod is assumed to be starting
   */
  public HpaReplicaCalculator(Tolerances tolerances, Duration cpuInitializationPeriod,
      Duration initialReadinessDelay) {
    this.tolerances = Objects.requireNonNull(tolerances, "tolerances");
    this.cpuInitializationPeriod =
        requireNonNegative(cpuInitializationPeriod, "cpuInitializationPeriod");
    this.initialReadinessDelay =
        requireNonNegative(initialReadinessDelay, "initialReadinessDelay");
  }

  /** A calculator with the controller's defaults (tolerance 0.1, 5 min, 30 s). */
  public static HpaReplicaCalculator ofDefaults() {
    return new HpaReplicaCalculator(Tolerances.DEFAULT, DEFAULT_CPU_INITIALIZATION_PERIOD,
        DEFAULT_INITIAL_READINESS_DELAY);
  }

  private static Duration requireNonNegative(Duration d, String field) {
    Objects.requireNonNull(d, field);
    if (d.isNegative()) {
      throw new IllegalArgumentException(field + " must be >= 0, but was " + d);
    }
    return d;
  }

  /** The tolerances in use. */
  public Tolerances tolerances() {
    return tolerances;
  }

  /**
   * The outcome of one calculation: a replica count, or why there is none (the controller's
   * error, which holds the workload).
   *
   * @param replicas the recommended count; -1 when {@code error} is set
   * @param ratio the usage ratio before any correction (NaN on error)
   * @param explanation how the count was reached, or the error
   * @param error whether the calculation failed
   */
  public record Result(int replicas, double ratio, String explanation, boolean error) {
    /** Requires the explanation. */
    public Result {
      Objects.requireNonNull(explanation, "explanation");
    }

    static Result of(int replicas, double ratio, String explanation) {
      return new Result(replicas, ratio, explanation, false);
    }

    static Result failed(String why) {
      return new Result(-1, Double.NaN, why, true);
    }
  }

  /**
   * The count for a resource metric with a utilization target ({@code Resource} metric,
   * {@code type: Utilization}).
   *
   * @param pods the pods the selector matches
   * @param currentReplicas the scale's {@code spec.replicas}
   * @param targetPercent the target utilization in percent of the request, &gt; 0
   * @param cpu whether the resource is CPU (only CPU applies the readiness rules)
   * @param now the controller's clock
   */
  public Result resourceUtilization(List<PodSample> pods, int currentReplicas,
      double targetPercent, boolean cpu, Instant now) {
    requirePositive(targetPercent, "targetPercent");
    Groups g = group(pods, cpu, now);
    if (g.error != null) {
      return Result.failed(g.error);
    }
    for (PodSample p : g.withSample.values()) {
      if (p.requestMilli() == 0) {
        return Result.failed("missing request for pod " + p.name());
      }
    }
    Map<String, long[]> metrics = new LinkedHashMap<>(); // name -> {usage, request}
    g.withSample.forEach((n, p) -> metrics.put(n, new long[] {p.usageMilli().getAsLong(),
        p.requestMilli()}));
    double ratio = utilizationRatio(metrics, targetPercent);
    long utilization = utilization(metrics);
    boolean scaleUpWithUnready = !g.unready.isEmpty() && ratio > 1.0;
    if (!scaleUpWithUnready && g.missing.isEmpty()) {
      if (tolerances.isWithin(ratio)) {
        return Result.of(currentReplicas, ratio, String.format(Locale.ROOT,
            "utilization %d%% of target %s%% (ratio %.3f) is within tolerance", utilization,
            fmt(targetPercent), ratio));
      }
      int n = ceil(ratio * g.readyCount);
      return Result.of(n, ratio, String.format(Locale.ROOT,
          "utilization %d%% of target %s%%: ceil(%.3f x %d ready) = %d", utilization,
          fmt(targetPercent), ratio, g.readyCount, n));
    }
    if (!g.missing.isEmpty()) {
      if (ratio < 1.0) {
        long fallback = (long) Math.max(100, targetPercent);
        for (PodSample p : g.missing) {
          metrics.put(p.name(), new long[] {p.requestMilli() * fallback / 100, p.requestMilli()});
        }
      } else if (ratio > 1.0) {
        for (PodSample p : g.missing) {
          metrics.put(p.name(), new long[] {0, p.requestMilli()});
        }
      }
    }
    if (scaleUpWithUnready) {
      for (PodSample p : g.unready) {
        metrics.put(p.name(), new long[] {0, p.requestMilli()});
      }
    }
    return corrected(metrics.size(), ratio, utilizationRatio(metrics, targetPercent),
        currentReplicas, g, String.format(Locale.ROOT, "utilization %d%% of target %s%%",
            utilization, fmt(targetPercent)));
  }

  /**
   * The count for a per-pod value target ({@code Pods} metrics, and {@code Resource} metrics with
   * an {@code AverageValue} target): {@code ratio = floor(Σ usage / pods with samples) / target}.
   *
   * @param pods the pods the selector matches
   * @param currentReplicas the scale's {@code spec.replicas}
   * @param targetMilli the target value per pod in milli-units, &gt; 0
   * @param cpu whether the metric is the CPU resource (readiness rules apply)
   * @param now the controller's clock
   */
  public Result plainValue(List<PodSample> pods, int currentReplicas, long targetMilli,
      boolean cpu, Instant now) {
    requirePositive(targetMilli, "targetMilli");
    Groups g = group(pods, cpu, now);
    if (g.error != null) {
      return Result.failed(g.error);
    }
    Map<String, Long> metrics = new LinkedHashMap<>();
    g.withSample.forEach((n, p) -> metrics.put(n, p.usageMilli().getAsLong()));
    double ratio = usageRatio(metrics, targetMilli);
    boolean scaleUpWithUnready = !g.unready.isEmpty() && ratio > 1.0;
    if (!scaleUpWithUnready && g.missing.isEmpty()) {
      if (tolerances.isWithin(ratio)) {
        return Result.of(currentReplicas, ratio, String.format(Locale.ROOT,
            "usage ratio %.3f is within tolerance", ratio));
      }
      int n = ceil(ratio * g.readyCount);
      return Result.of(n, ratio, String.format(Locale.ROOT, "ceil(%.3f x %d ready) = %d", ratio,
          g.readyCount, n));
    }
    if (!g.missing.isEmpty()) {
      for (PodSample p : g.missing) {
        metrics.put(p.name(), ratio < 1.0 ? targetMilli : 0L);
      }
    }
    if (scaleUpWithUnready) {
      for (PodSample p : g.unready) {
        metrics.put(p.name(), 0L);
      }
    }
    return corrected(metrics.size(), ratio, usageRatio(metrics, targetMilli), currentReplicas,
        g, "per-pod value");
  }

  /**
   * The count for an object or external metric with an {@code AverageValue} target: {@code ratio =
   * total / (target × statusReplicas)}; within the tolerance the count stays at {@code
   * statusReplicas}, else it is {@code ceil(total / target)}.
   *
   * @param totalMilli the metric's total in milli-units, &ge; 0
   * @param statusReplicas the scale's {@code status.replicas} (pods that exist), &ge; 1
   * @param targetPerPodMilli the target per pod in milli-units, &gt; 0
   */
  public Result averageValue(long totalMilli, int statusReplicas, long targetPerPodMilli) {
    requirePositive(targetPerPodMilli, "targetPerPodMilli");
    if (totalMilli < 0) {
      throw new IllegalArgumentException("totalMilli must be >= 0, but was " + totalMilli);
    }
    if (statusReplicas < 1) {
      throw new IllegalArgumentException(
          "statusReplicas must be >= 1, but was " + statusReplicas);
    }
    double ratio = (double) totalMilli / ((double) targetPerPodMilli * statusReplicas);
    if (tolerances.isWithin(ratio)) {
      return Result.of(statusReplicas, ratio, String.format(Locale.ROOT,
          "ratio %.3f of %d replicas is within tolerance", ratio, statusReplicas));
    }
    int n = ceil((double) totalMilli / targetPerPodMilli);
    return Result.of(n, ratio, String.format(Locale.ROOT, "ceil(%s / %s per replica) = %d",
        fmt(totalMilli / 1000.0), fmt(targetPerPodMilli / 1000.0), n));
  }

  private Result corrected(int counted, double ratio, double newRatio, int currentReplicas,
      Groups g, String what) {
    String detail = String.format(Locale.ROOT,
        "%s, ratio %.3f; with %d missing and %d unready pods corrected: ratio %.3f", what, ratio,
        g.missing.size(), g.unready.size(), newRatio);
    if (tolerances.isWithin(newRatio)) {
      return Result.of(currentReplicas, ratio, detail + " is within tolerance");
    }
    if ((ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0)) {
      return Result.of(currentReplicas, ratio, detail + " flips direction: no change");
    }
    int n = ceil(newRatio * counted);
    if ((newRatio < 1.0 && n > currentReplicas) || (newRatio > 1.0 && n < currentReplicas)) {
      return Result.of(currentReplicas, ratio,
          detail + "; " + n + " would move the other way: no change");
    }
    return Result.of(n, ratio, detail + String.format(Locale.ROOT, ": ceil(%.3f x %d) = %d",
        newRatio, counted, n));
  }

  private static final class Groups {
    final Map<String, PodSample> withSample = new LinkedHashMap<>();
    final List<PodSample> unready = new java.util.ArrayList<>();
    final List<PodSample> missing = new java.util.ArrayList<>();
    int readyCount;
    String error;
  }

  private Groups group(List<PodSample> pods, boolean cpu, Instant now) {
    Objects.requireNonNull(pods, "pods");
    Objects.requireNonNull(now, "now");
    Groups g = new Groups();
    if (pods.isEmpty()) {
      g.error = "no pods returned by selector while calculating replica count";
      return g;
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (PodSample p : pods) {
      if (!names.add(p.name())) {
        throw new IllegalArgumentException("pod names must be unique, but " + p.name()
            + " appears twice");
      }
      if (p.deleting() || p.phase() == PodSample.Phase.FAILED
          || p.phase() == PodSample.Phase.SUCCEEDED) {
        continue; // ignored
      }
      if (p.phase() == PodSample.Phase.PENDING) {
        g.unready.add(p);
        continue;
      }
      if (p.usageMilli().isEmpty()) {
        g.missing.add(p);
        continue;
      }
      if (cpu && unreadyForCpu(p, now)) {
        g.unready.add(p);
        continue;
      }
      g.readyCount++;
      g.withSample.put(p.name(), p);
    }
    if (g.withSample.isEmpty()) {
      g.error = "did not receive metrics for targeted pods (pods might be unready)";
    }
    return g;
  }

  private boolean unreadyForCpu(PodSample p, Instant now) {
    if (p.ready().isEmpty() || p.startTime().isEmpty()) {
      return true;
    }
    boolean ready = p.ready().get();
    Instant start = p.startTime().get();
    Instant transition = p.readyTransition().get();
    if (start.plus(cpuInitializationPeriod).isAfter(now)) {
      // Still initializing: ignore unless ready and a full sample window passed since it became so.
      return !ready || p.sampleTime().isBefore(transition.plus(p.sampleWindow()));
    }
    // Past initialization: ignore only a pod that is not ready and never became ready.
    return !ready && start.plus(initialReadinessDelay).isAfter(transition);
  }

  private static long utilization(Map<String, long[]> metrics) {
    long usage = 0;
    long request = 0;
    for (long[] m : metrics.values()) {
      usage += m[0];
      request += m[1];
    }
    return request == 0 ? 0 : usage * 100 / request;
  }

  private static double utilizationRatio(Map<String, long[]> metrics, double targetPercent) {
    return utilization(metrics) / targetPercent;
  }

  private static double usageRatio(Map<String, Long> metrics, long targetMilli) {
    long total = 0;
    for (long v : metrics.values()) {
      total += v;
    }
    long mean = total / metrics.size();
    return (double) mean / targetMilli;
  }

  private static int ceil(double v) {
    double c = Math.ceil(v);
    return c >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) c;
  }

  private static void requirePositive(double v, String field) {
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException(field + " must be > 0 and finite, but was " + v);
    }
  }

  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
