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
 * <p>Resource utilization: pods being deleted or failed are ignored (only those: a succeeded pod is
 * grouped like a running one, so without a sample it is missing); pending pods are unready; pods
 * with no sample are missing; for CPU, a pod inside its CPU initialization period counts as unready
 * while its Ready condition is false or its sample predates one sample window after the last
 * readiness change, and after that period a pod that is not ready and never became ready within the
 * initial readiness delay counts as unready. {@code utilization = floor(100 × Σ usage / Σ request)}
 * over the pods with samples: every listed pod needs a request, which may be 0 (a pod with none
 * fails the metric, as a total request of 0 over the sampled pods does); {@code ratio = utilization
 * / target}. With no missing pods and no unready pods (or a ratio ≤ 1), the result is {@code
 * current} when the ratio is within the tolerance, else {@code ceil(ratio × readyPods)}. Otherwise
 * missing pods count as {@code max(100, target)} % of their request when scaling down and 0 % when
 * scaling up, unready pods as 0 % when scaling up, the ratio is recomputed, and nothing changes
 * when it is within the tolerance, when it flips direction, or when the new count would move the
 * other way; else {@code ceil(newRatio × pods counted)}.
 *
 * <p>Thread-safe and immutable.
 */
public final class HpaReplicaCalculator {
  /** Default CPU initialization period: 5 minutes (the controller's flag default). */
  public static final Duration DEFAULT_CPU_INITIALIZATION_PERIOD = Duration.ofMinutes(5);
  /** Default initial readiness delay: 30 s (the controller's flag default). */
  public static final Duration DEFAULT_INITIAL_READINESS_DELAY = Duration.ofSeconds(30);
  /**
   * Longest CPU initialization period and initial readiness delay: 1 h, as {@code
   * MetricsServerSource} takes them. A pod's start time plus a longer one (ChronoUnit.FOREVER)
   * overflowed an {@code Instant}, and every CPU metric over a pod list threw
   * ArithmeticException.
   */
  public static final Duration MAX_STARTUP_SETTING = Duration.ofHours(1);

  private static final String NO_PODS =
      "no pods returned by selector while calculating replica count";
  private static final String NO_METRICS =
      "did not receive metrics for targeted pods (pods might be unready)";
  private static final String NO_REQUESTS = "no metrics returned matched known pods";

  private final Tolerances tolerances;
  private final Duration cpuInitializationPeriod;
  private final Duration initialReadinessDelay;

  /**
   * A calculator.
   *
   * @param tolerances the dead band around ratio 1
   * @param cpuInitializationPeriod how long after its start a pod's CPU samples may be ignored,
   *     in [0, {@link #MAX_STARTUP_SETTING 1 h}]
   * @param initialReadinessDelay how long after start a not-ready pod is assumed to be starting,
   *     in [0, 1 h]
   * @throws IllegalArgumentException when either is out of its range, naming it and its value
   */
  public HpaReplicaCalculator(Tolerances tolerances, Duration cpuInitializationPeriod,
      Duration initialReadinessDelay) {
    this.tolerances = Objects.requireNonNull(tolerances, "tolerances");
    this.cpuInitializationPeriod =
        requireStartupSetting(cpuInitializationPeriod, "cpuInitializationPeriod");
    this.initialReadinessDelay =
        requireStartupSetting(initialReadinessDelay, "initialReadinessDelay");
  }

  /** A calculator with the controller's defaults (tolerance 0.1, 5 min, 30 s). */
  public static HpaReplicaCalculator ofDefaults() {
    return new HpaReplicaCalculator(Tolerances.DEFAULT, DEFAULT_CPU_INITIALIZATION_PERIOD,
        DEFAULT_INITIAL_READINESS_DELAY);
  }

  private static Duration requireStartupSetting(Duration d, String field) {
    Objects.requireNonNull(d, field);
    String problem = startupSettingProblem(field, d);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return d;
  }

  /** The problem with a CPU initialization period or initial readiness delay, or null. */
  static String startupSettingProblem(String field, Duration d) {
    return !d.isNegative() && d.compareTo(MAX_STARTUP_SETTING) <= 0 ? null
        : field + " must be in [0, 1h], but was " + d;
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
    // calculatePodRequests: every listed pod needs a request, also one that is pending, unready,
    // missing its sample or ignored, or the metric is invalid. A request of 0 is a request.
    for (PodSample p : pods) {
      if (p.requestMilli().isEmpty()) {
        return Result.failed("missing request for " + (cpu ? "cpu" : "the resource") + " of pod "
            + p.name());
      }
    }
    Map<String, long[]> metrics = new LinkedHashMap<>(); // name -> {usage, request}
    long sampledRequest = 0;
    for (PodSample p : g.withSample.values()) {
      metrics.put(p.name(), new long[] {p.usageMilli().getAsLong(), request(p)});
      sampledRequest = saturatedSum(sampledRequest, request(p));
    }
    if (sampledRequest == 0) {
      // GetResourceUtilizationRatio fails on a total request of 0 rather than divide by it. The
      // corrected sums below add to this total, so only this first one can be 0.
      return Result.failed(NO_REQUESTS + " (the " + metrics.size() + " pods with a sample request 0"
          + " of " + (cpu ? "cpu" : "the resource") + ")");
    }
    double ratio = utilizationRatio(metrics, targetPercent);
    long utilization = utilization(metrics);
    boolean scaleUpWithUnready = !g.unready.isEmpty() && ratio > 1.0;
    if (!scaleUpWithUnready && g.missing.isEmpty()) {
      return direct(currentReplicas, utilization, targetPercent, ratio, g.readyCount);
    }
    if (!g.missing.isEmpty()) {
      if (ratio < 1.0) {
        long fallback = (long) Math.max(100, targetPercent);
        for (PodSample p : g.missing) {
          metrics.put(p.name(), new long[] {
              saturatedProduct(request(p), fallback) / 100, request(p)});
        }
      } else if (ratio > 1.0) {
        for (PodSample p : g.missing) {
          metrics.put(p.name(), new long[] {0, request(p)});
        }
      }
    }
    if (scaleUpWithUnready) {
      for (PodSample p : g.unready) {
        metrics.put(p.name(), new long[] {0, request(p)});
      }
    }
    return corrected(metrics.size(), ratio, utilizationRatio(metrics, targetPercent),
        currentReplicas, g.missing.size(), g.unready.size(),
        utilizationText(utilization, targetPercent).toString());
  }

  /**
   * {@link #resourceUtilization} for CPU ({@code cpu = true}) over pods that come in three uniform
   * groups, without building them. All pods request {@code requestMilli}; {@code sampled} pods
   * are running, became ready at least one sample window before their sample and have a sample of
   * {@code usageMilli}; {@code warming} pods are running and started, became ready and were
   * sampled (30 s window, {@code usageMilli}) at {@code now}; {@code pending} pods are pending.
   * The result, explanation included, is the one {@code resourceUtilization} gives for such a
   * list, which is what {@link HpaPolicy} maps a workload's aggregate reading to: O(1) instead of
   * one pod object per replica.
   *
   * @param sampled long-ready pods with a sample, &ge; 0
   * @param warming pods that became ready just now, &ge; 0
   * @param pending pending pods, &ge; 0
   * @param usageMilli each sampled and warming pod's usage, &ge; 0
   * @param requestMilli each pod's request, &gt; 0
   * @param currentReplicas the scale's {@code spec.replicas}
   * @param targetPercent the target utilization in percent of the request, &gt; 0
   */
  Result uniformCpuUtilization(int sampled, int warming, int pending, long usageMilli,
      long requestMilli, int currentReplicas, double targetPercent) {
    requirePositive(targetPercent, "targetPercent");
    if (sampled < 0 || warming < 0 || pending < 0 || usageMilli < 0 || requestMilli <= 0) {
      throw new IllegalArgumentException("pod groups must be >= 0 and the request > 0, but were "
          + sampled + ", " + warming + ", " + pending + " with usage " + usageMilli
          + " and request " + requestMilli);
    }
    Counts c = counts(sampled, warming, pending);
    Result none = c.unmeasurable();
    if (none != null) {
      return none;
    }
    int withSample = c.withSample();
    int unready = c.unready();
    // The same long sums, saturating as in utilization(metrics).
    long usage = saturatedProduct(usageMilli, withSample);
    long request = saturatedProduct(requestMilli, withSample);
    long utilization = utilization(usage, request);
    double ratio = utilization / targetPercent;
    if (!(unready > 0 && ratio > 1.0)) {
      return direct(currentReplicas, utilization, targetPercent, ratio, withSample);
    }
    double newRatio = utilization(usage,
        saturatedSum(request, saturatedProduct(requestMilli, unready))) / targetPercent;
    return corrected(withSample + unready, ratio, newRatio, currentReplicas, 0, unready,
        utilizationText(utilization, targetPercent).toString());
  }

  /** Uniform pod groups as the controller counts them: the pods with a sample, the unready. */
  private record Counts(int withSample, int unready) {
    /** The controller's failure when there is nothing to measure: no pod, or none sampled. */
    Result unmeasurable() {
      return withSample + unready == 0 ? Result.failed(NO_PODS)
          : withSample == 0 ? Result.failed(NO_METRICS) : null;
    }
  }

  /**
   * {@code sampled} long-ready pods, {@code warming} that became ready just now and {@code
   * pending} ones, counted: a long-ready pod counts as ready whether or not it is still
   * initializing (ready, and its sample is a full window after the readiness change); a pod that
   * became ready now is unready while its CPU initialization period lasts, which is every
   * non-zero period; a pending pod is unready.
   */
  private Counts counts(int sampled, int warming, int pending) {
    boolean warmingUnready = !cpuInitializationPeriod.isZero();
    return new Counts(sampled + (warmingUnready ? 0 : warming),
        pending + (warmingUnready ? warming : 0));
  }

  /** The count when no pod needs correcting: the current one within tolerance, else scaled. */
  private Result direct(int currentReplicas, long utilization, double targetPercent, double ratio,
      int readyCount) {
    if (tolerances.isWithin(ratio)) {
      return Result.of(currentReplicas, ratio, utilizationText(utilization, targetPercent)
          .append(" (ratio ").append(fixed3(ratio)).append(") is within tolerance").toString());
    }
    int n = ceil(ratio * readyCount);
    return Result.of(n, ratio, utilizationText(utilization, targetPercent).append(": ceil(")
        .append(fixed3(ratio)).append(" x ").append(readyCount).append(" ready) = ").append(n)
        .toString());
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
        return Result.of(currentReplicas, ratio, "usage ratio " + fixed3(ratio)
            + " is within tolerance");
      }
      int n = ceil(ratio * g.readyCount);
      return Result.of(n, ratio, "ceil(" + fixed3(ratio) + " x " + g.readyCount + " ready) = "
          + n);
    }
    // calcPlainMetricReplicas: missing pods count as the target below ratio 1, as 0 above it,
    // and at exactly 1 they are left out.
    if (ratio < 1.0) {
      for (PodSample p : g.missing) {
        metrics.put(p.name(), targetMilli);
      }
    } else if (ratio > 1.0) {
      for (PodSample p : g.missing) {
        metrics.put(p.name(), 0L);
      }
    }
    if (scaleUpWithUnready) {
      for (PodSample p : g.unready) {
        metrics.put(p.name(), 0L);
      }
    }
    return corrected(metrics.size(), ratio, usageRatio(metrics, targetMilli), currentReplicas,
        g.missing.size(), g.unready.size(), "per-pod value");
  }

  /**
   * {@link #plainValue} over pods that come in three uniform groups, without building them, as
   * {@link #uniformCpuUtilization} takes them: {@code sampled} long-ready pods and {@code warming}
   * pods that became ready, started and were sampled just now, each with a sample of {@code
   * usageMilli}, and {@code pending} pods. Warming pods are unready for CPU while the CPU
   * initialization period is not zero; for another resource give them as sampled. The result is
   * the one {@code plainValue} gives for such a list, which is what {@link HpaPolicy} maps a
   * {@code Resource} metric with an {@code AverageValue} target to (the controller's {@code
   * GetRawResourceReplicas}, then {@code calcPlainMetricReplicas}).
   *
   * @param sampled long-ready pods with a sample, &ge; 0
   * @param warming pods that became ready just now, &ge; 0
   * @param pending pending pods, &ge; 0
   * @param usageMilli each sampled and warming pod's value, &ge; 0
   * @param currentReplicas the scale's {@code spec.replicas}
   * @param targetMilli the target value per pod in milli-units, &gt; 0
   */
  Result uniformPlainValue(int sampled, int warming, int pending, long usageMilli,
      int currentReplicas, long targetMilli) {
    requirePositive(targetMilli, "targetMilli");
    if (sampled < 0 || warming < 0 || pending < 0 || usageMilli < 0) {
      throw new IllegalArgumentException("pod groups and the usage must be >= 0, but were "
          + sampled + ", " + warming + ", " + pending + " with usage " + usageMilli);
    }
    Counts c = counts(sampled, warming, pending);
    Result none = c.unmeasurable();
    if (none != null) {
      return none;
    }
    int withSample = c.withSample();
    int unready = c.unready();
    // The mean of equal values is the value (the controller's integer mean of their sum).
    double ratio = (double) usageMilli / targetMilli;
    if (!(unready > 0 && ratio > 1.0)) {
      if (tolerances.isWithin(ratio)) {
        return Result.of(currentReplicas, ratio, "usage ratio " + fixed3(ratio)
            + " is within tolerance");
      }
      int n = ceil(ratio * withSample);
      return Result.of(n, ratio, "ceil(" + fixed3(ratio) + " x " + withSample + " ready) = "
          + n);
    }
    long mean = saturatedProduct(usageMilli, withSample) / ((long) withSample + unready);
    return corrected(withSample + unready, ratio, (double) mean / targetMilli, currentReplicas,
        0, unready, "per-pod value");
  }

  /**
   * The count for an object or external metric with an {@code AverageValue} target: {@code ratio =
   * total / (target × statusReplicas)}; within the tolerance the count stays at {@code
   * statusReplicas}, else it is {@code ceil(total / target)}.
   *
   * @param totalMilli the metric's total in milli-units, &ge; 0
   * @param statusReplicas the scale's {@code status.replicas} (pods that exist), &ge; 0
   * @param targetPerPodMilli the target per pod in milli-units, &gt; 0
   */
  public Result averageValue(long totalMilli, int statusReplicas, long targetPerPodMilli) {
    requirePositive(targetPerPodMilli, "targetPerPodMilli");
    if (totalMilli < 0) {
      throw new IllegalArgumentException("totalMilli must be >= 0, but was " + totalMilli);
    }
    if (statusReplicas < 0) {
      throw new IllegalArgumentException(
          "statusReplicas must be >= 0, but was " + statusReplicas);
    }
    // With no pods (scaled to zero, minReplicas 0) the ratio is total / 0, outside the
    // tolerance (NaN for a total of 0), so the count is ceil(total / target), as in
    // GetExternalPerPodMetricReplicas and GetObjectPerPodMetricReplicas.
    double ratio = (double) totalMilli / ((double) targetPerPodMilli * statusReplicas);
    if (tolerances.isWithin(ratio)) {
      return Result.of(statusReplicas, ratio, "ratio " + fixed3(ratio) + " of " + statusReplicas
          + " replicas is within tolerance");
    }
    int n = ceil((double) totalMilli / targetPerPodMilli);
    return Result.of(n, ratio, "ceil(" + fmt(totalMilli / 1000.0) + " / "
        + fmt(targetPerPodMilli / 1000.0) + " per replica) = " + n);
  }

  private Result corrected(int counted, double ratio, double newRatio, int currentReplicas,
      int missing, int unready, String what) {
    String detail = what + ", ratio " + fixed3(ratio) + "; with " + missing + " missing and "
        + unready + " unready pods corrected: ratio " + fixed3(newRatio);
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
    return Result.of(n, ratio, detail + ": ceil(" + fixed3(newRatio) + " x " + counted + ") = "
        + n);
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
      g.error = NO_PODS;
      return g;
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (PodSample p : pods) {
      if (!names.add(p.name())) {
        throw new IllegalArgumentException("pod names must be unique, but " + p.name()
            + " appears twice");
      }
      // groupPods ignores only these two; a Succeeded pod goes on, and without a sample (it has
      // none once its containers exit) it is missing.
      if (p.deleting() || p.phase() == PodSample.Phase.FAILED) {
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
      g.error = NO_METRICS;
    }
    return g;
  }

  /** The pod's request, which {@code resourceUtilization} has checked is present. */
  private static long request(PodSample p) {
    return p.requestMilli().getAsLong();
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

  /**
   * The whole percent of the summed usage over the summed requests. The controller's int64 sums
   * and {@code metricsTotal * 100} wrap on absurd readings (1e15 % of a request gave a negative
   * count, 1e18 % a scale-down to the minimum); here they saturate at {@link Long#MAX_VALUE}, so
   * that a higher usage never gives a lower utilization, and more load never fewer replicas.
   */
  private static long utilization(Map<String, long[]> metrics) {
    long usage = 0;
    long request = 0;
    for (long[] m : metrics.values()) {
      usage = saturatedSum(usage, m[0]);
      request = saturatedSum(request, m[1]);
    }
    return utilization(usage, request);
  }

  /** {@code floor(usage × 100 / request)} of non-negative longs, exact, at most Long.MAX_VALUE. */
  private static long utilization(long usage, long request) {
    if (request == 0) {
      return 0;
    }
    if (usage <= Long.MAX_VALUE / 100) {
      return usage * 100 / request;
    }
    java.math.BigInteger u = java.math.BigInteger.valueOf(usage)
        .multiply(java.math.BigInteger.valueOf(100))
        .divide(java.math.BigInteger.valueOf(request));
    return u.bitLength() < 64 ? u.longValue() : Long.MAX_VALUE;
  }

  /** {@code a + b} of non-negative longs, at most Long.MAX_VALUE. */
  private static long saturatedSum(long a, long b) {
    long s = a + b;
    return s < 0 ? Long.MAX_VALUE : s;
  }

  /** {@code a × n} of non-negative numbers, at most Long.MAX_VALUE. */
  private static long saturatedProduct(long a, long n) {
    return n == 0 || a <= Long.MAX_VALUE / n ? a * n : Long.MAX_VALUE;
  }

  private static double utilizationRatio(Map<String, long[]> metrics, double targetPercent) {
    return utilization(metrics) / targetPercent;
  }

  private static double usageRatio(Map<String, Long> metrics, long targetMilli) {
    long total = 0;
    for (long v : metrics.values()) {
      total = saturatedSum(total, v);
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

  /** {@code v} as a whole number when it is one, else as {@code %.3f} ({@link Locale#ROOT}). */
  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Decimals.fixed3(v);
  }

  /** {@code v} in its shortest exact decimal form, without an exponent: 0.0001, 20.25. */
  static String fmtExact(double v) {
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private static String fixed3(double v) {
    return Decimals.fixed3(v);
  }

  /** {@code utilization U% of target T%}. */
  private static StringBuilder utilizationText(long utilization, double targetPercent) {
    return new StringBuilder(96).append("utilization ").append(utilization).append("% of target ")
        .append(fmt(targetPercent)).append('%');
  }
}
