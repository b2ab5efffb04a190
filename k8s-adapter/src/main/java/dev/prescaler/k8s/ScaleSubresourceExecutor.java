package dev.prescaler.k8s;

import dev.prescaler.core.InARow;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link Mode#ACT} decisions by patching the {@code scale} subresource of a Deployment,
 * StatefulSet, ReplicaSet or any registered resource type with one.
 *
 * <p>Each {@link #apply} makes, in order: a list of the namespace's HPAs (cached for {@link
 * Builder#hpaCacheTtl}), refusing when one targets the workload (acting directly would fight the
 * HPA: use {@link Mode#HPA_FLOOR} with {@link HpaFloorExecutor}); a read of {@code /scale}; and one
 * JSON merge patch {@code {"metadata":{"resourceVersion":RV},"spec":{"replicas":N}}} carrying the
 * resourceVersion just read, so the server rejects it with 409 when anyone changed the object in
 * between. Outcomes:
 *
 * <ul>
 *   <li>409: {@code Refused}, "changed by someone else, re-read next tick"; nothing is overwritten.
 *   <li>The count read differs from the request's {@code from}: {@code Refused} for the same
 *       reason.
 *   <li>429: waits {@code Retry-After} when it fits in the {@link RetryPolicy} budget; otherwise
 *       {@code Failed}, and every request for any workload is refused until the wait is over,
 *       timed on the builder's monotonic {@link ApiCallerBuilder#ticker ticker}: a wall clock
 *       stepped back does not lengthen the hold, nor one stepped forward end it early.
 *   <li>5xx, timeouts and I/O errors: retried with capped exponential backoff within the budget.
 *   <li>403, 404, 422 and other 4xx: {@code Failed}, naming the status, the resource and the
 *       server's message.
 * </ul>
 *
 * <p>The PATCH's answer is the scale as the server stored it, which a mutating admission webhook
 * or policy may have changed from the count sent (asked 6, stored 4). The outcome follows the count
 * stored, and its message names both: {@code Applied} with the count stored when it moved from the
 * request's {@code from} towards the ask (a change was made: the engine journals the difference
 * and counts it as a scale, for its cooldowns and rate limits); {@code Refused} when it stayed at
 * {@code from} (nothing changed, as when the webhook holds the count at the next ask) or moved the
 * other way (not the change decided). An answer that is no readable Scale counts as the count
 * sent, as before.
 *
 * <p>One decision is one patch: it is applied whole or not at all. A try that timed out or met a
 * 5xx may still have been applied by the server, so: when such a try is followed by a 409, the
 * scale is read again and the outcome is {@code Applied} when it shows the requested count, or, as
 * for a PATCH's answer, a count moved from {@code from} towards the ask and short of it (a webhook
 * that cut the try that got through), with that count and a message naming both and that a re-read
 * confirmed it; {@code Refused} ("changed by someone else") when it shows {@code from}, a count
 * past the ask or one the other way (after a 409, unlike the answer to the executor's own write,
 * another writer was there: a count past the ask is taken for theirs); {@code Failed} when the
 * re-read fails. When the retries run out instead, the outcome is {@code Failed} with a message
 * that says the change may have been applied, not "nothing changed". Behind a leader guard ({@link
 * LeaseElector#guard}), the PATCH and every retry of it are sent only while the guard still lets
 * writes through. Thread-safe.
 */
public final class ScaleSubresourceExecutor implements ScaleExecutor {
  /** Default time a namespace's HPA list is reused for conflict detection: 30 s. */
  public static final Duration DEFAULT_HPA_CACHE_TTL = Duration.ofSeconds(30);

  /** The end of a failure whose write a timed-out (or 5xx) try may have applied. */

  private static final Logger LOG = LoggerFactory.getLogger(ScaleSubresourceExecutor.class);

  private final ScaleClient scales;
  private final CoreV1Api core;
  private final ApiCalls calls;
  private final HpaLookup hpas;
  private final boolean detectHpaConflicts;
  /** The end of the last 429's wait, timed on the ticker; null before any. */
  private final AtomicReference<ApiCalls.RetryAt> rateLimitedUntil = new AtomicReference<>();
  /**
   * Per workload, the replica reads failed in a row, for the log: the engine asks on every tick,
   * so a misspelt workload (404) would warn 5,760 times a day. Removed when the workload is read
   * again, and replaced when a failure comes after a gap (see {@link #replicas}).
   */
  private final ConcurrentMap<WorkloadRef, ReadFailures> readFailures = new ConcurrentHashMap<>();

  /**
   * The engine's sync period in ticker nanoseconds, from {@link Builder#syncPeriod}; -1 when not
   * given.
   */
  private final long syncPeriod;

  /**
   * A run of failed replica reads of one workload: their count, the ticker time of the last and
   * the shortest gap between two of them (-1 before the second).
   */
  private record ReadFailures(int count, long last, long period) {
    /**
     * Whether a failure at {@code now} starts a new run: when it comes more than three periods
     * after the last, a period being the longer of {@code syncPeriod} (-1 when unknown) and the
     * run's own shortest gap; never while neither is known.
     */
    boolean endedBy(long now, long syncPeriod) {
      long p = Math.max(syncPeriod, period);
      return p >= 0 && p <= Long.MAX_VALUE / GAP_PERIODS && now - last > GAP_PERIODS * p;
    }

    ReadFailures next(long now) {
      long gap = now - last;
      return new ReadFailures(count == Integer.MAX_VALUE ? count : count + 1, now,
          period < 0 ? gap : Math.min(period, gap));
    }
  }

  /** How many sync periods without a failed read end a run of them: 3. */
  private static final int GAP_PERIODS = 3;

  private ScaleSubresourceExecutor(Builder b) {
    this.calls = b.calls();
    this.scales = b.scaleClient();
    this.core = new CoreV1Api(b.client);
    this.hpas = new HpaLookup(b.client, calls, b.hpaCacheTtl);
    this.detectHpaConflicts = b.detectHpaConflicts;
    // Three periods must fit in a long: a longer one (past 97 years) is as good as endless.
    this.syncPeriod = b.syncPeriod == null ? -1
        : b.syncPeriod.compareTo(Duration.ofNanos(Long.MAX_VALUE / GAP_PERIODS)) > 0
        ? Long.MAX_VALUE / GAP_PERIODS : b.syncPeriod.toNanos();
  }

  /** A builder over an API client (see {@code io.kubernetes.client.util.Config.defaultClient}). */
  public static Builder builder(ApiClient client) {
    return new Builder(client);
  }

  @Override
  public ScaleOutcome apply(ScaleRequest request) {
    WorkloadRef ref = request.workload();
    if (request.mode() != Mode.ACT) {
      return ScaleOutcome.refused("ScaleSubresourceExecutor applies mode ACT only, but the request "
          + "for " + ref + " was " + request.mode() + ": use HpaFloorExecutor (or "
          + "ModeRoutingExecutor) for HPA_FLOOR");
    }
    Optional<ScalableResource> resource = scales.resource(ref);
    if (resource.isEmpty()) {
      return ScaleOutcome.failed("kind " + ref.kind() + " of " + ref + " has no registered scale "
          + "resource: call resource(new ScalableResource(\"" + ref.kind() + "\", group, version, "
          + "plural)) on the builder");
    }
    ScalableResource r = resource.get();
    String what = ScaleClient.describe(r, ref);
    long now = calls.ticker().getAsLong();
    ApiCalls.RetryAt until = rateLimitedUntil.get();
    if (until != null && until.pending(now)) {
      return ScaleOutcome.refused("API server rate limit (HTTP 429): no request before "
          + until.time() + " (" + until.left(now) + " left); " + ref + " not changed, decide "
          + "again next tick");
    }
    if (detectHpaConflicts) {
      ApiCalls.Result<List<V2HorizontalPodAutoscaler>> h = hpas.targeting(ref);
      if (!h.ok()) {
        return failed(h, "horizontalpodautoscalers.autoscaling in " + ref.namespace()
            + " (HPA conflict check)");
      }
      List<V2HorizontalPodAutoscaler> conflicting = h.value().orElse(List.of());
      if (!conflicting.isEmpty()) {
        String names = conflicting.stream().map(HpaLookup::name).collect(Collectors.joining(", "));
        return ScaleOutcome.refused("HorizontalPodAutoscaler " + ref.namespace() + "/" + names
            + " also targets " + ref.kind() + " " + ref.name() + ": acting directly would fight "
            + "it; use Mode.HPA_FLOOR (HpaFloorExecutor) to steer the HPA instead");
      }
    }
    ApiCalls.Result<ScaleClient.Scale> read = calls.run(scales.read(r, ref));
    if (!read.ok()) {
      return failed(read, what);
    }
    ScaleClient.Scale scale = read.value().orElseThrow();
    readAgain(ref);
    if (scale.specReplicas() != request.from()) {
      return ScaleOutcome.refused(what + " changed by someone else: spec.replicas is "
          + scale.specReplicas() + ", the decision was made at " + request.from()
          + "; re-read next tick");
    }
    if (scale.specReplicas() == request.to()) {
      return ScaleOutcome.applied(request.to(), what + " already at " + request.to());
    }
    ApiCalls.Result<Optional<ScaleClient.Scale>> patched = calls.write("PATCH " + what,
        scales.patch(r, ref, request.to(), scale.resourceVersion()));
    if (patched.ok()) {
      Optional<Integer> stored = patched.value().flatMap(answer -> answer)
          .map(ScaleClient.Scale::specReplicas);
      return written(ref, scale.specReplicas(), request.to(), stored, "PATCH " + what
          + " spec.replicas " + scale.specReplicas() + " -> " + request.to()
          + " (resourceVersion " + scale.resourceVersion() + ")");
    }
    if (patched.code() == 409) {
      if (patched.uncertain()) {
        ApiCalls.Result<ScaleClient.Scale> again = calls.run(scales.read(r, ref));
        if (!again.ok()) {
          return ScaleOutcome.failed(ApiCalls.conflictRereadFailed(again, what));
        }
        int seen = again.value().orElseThrow().specReplicas();
        String sent = "PATCH " + what + " spec.replicas " + scale.specReplicas() + " -> "
            + request.to() + " (applied by a try that timed out; confirmed by a re-read)";
        if (seen == request.to()) {
          return ScaleOutcome.applied(request.to(), sent);
        }
        if (ScaleOutcome.shortOfTheAsk(scale.specReplicas(), request.to(), seen)) {
          // As written(...) takes a count stored short of the ask: a webhook cut the late try.
          LOG.debug("{}: {}: the re-read shows {}", ref, sent, seen);
          return ScaleOutcome.applied(seen, sent + ": the server stored " + seen + ", not the "
              + request.to() + " asked for (a mutating admission webhook or policy changed it)");
        }
      }
      return ScaleOutcome.refused(what + " changed by someone else (HTTP 409 Conflict, "
          + "resourceVersion " + scale.resourceVersion() + " is stale): not overwritten; re-read "
          + "and decide again next tick");
    }
    return failed(patched, what, true);
  }

  /**
   * The outcome of a PATCH {@code sent} from {@code from} to {@code to} that the server took, by
   * the {@code spec.replicas} its answer says it {@code stored} (empty when the answer is no
   * readable Scale: then the count sent, as the status says the write was taken). A mutating
   * admission webhook or policy may store another count than the one sent: one that moved from
   * {@code from} towards the ask (or past it) is {@code Applied} with that count, as the change
   * made; one that stayed at {@code from}, or moved the other way, is {@code Refused}, as the
   * change decided was not made. Each message names both counts.
   */
  private static ScaleOutcome written(WorkloadRef ref, int from, int to, Optional<Integer> stored,
      String sent) {
    int kept = stored.orElse(to);
    if (kept == to) {
      LOG.debug("{}: {}", ref, sent);
      return ScaleOutcome.applied(to, sent);
    }
    LOG.debug("{}: {}: the server stored {}", ref, sent, kept);
    if (kept != from && (kept > from) == (to > from)) {
      return ScaleOutcome.applied(kept, sent + ": the server stored " + kept + ", not the " + to
          + " asked for (a mutating admission webhook or policy changed it)");
    }
    return ScaleOutcome.refused(sent + ": the server " + (kept == from ? "kept " : "stored ")
        + kept + ", not the " + to + " asked for (a mutating admission webhook or policy "
        + (kept == from ? "set it back): nothing changed" : "changed it): not the change "
        + "decided, not counted as one") + "; re-read and decide again next tick");
  }

  private ScaleOutcome failed(ApiCalls.Result<?> result, String what) {
    return failed(result, what, false);
  }

  /**
   * A failed call as an outcome. For a write ({@code write}) whose earlier try timed out or met a
   * server error, the server may have applied it: the text says so instead of "nothing changed".
   */
  private ScaleOutcome failed(ApiCalls.Result<?> result, String what, boolean write) {
    result.retryAt().ifPresent(t -> rateLimitedUntil.accumulateAndGet(t, ApiCalls.RetryAt::later));
    String retry = result.retryAt().map(t -> "; rate limited, no request before " + t.time())
        .orElse("");
    return ScaleOutcome.failed(ApiCalls.describe(result.error().orElseThrow(), what)
        + (result.attempts() > 1 ? " (after " + result.attempts() + " tries)" : "") + retry
        + (write && result.uncertain() ? ApiCalls.MAY_HAVE_BEEN_APPLIED : "; nothing changed"));
  }

  /**
   * The workload's replica counts, {@code ready} being the pods ready to serve. For a Deployment,
   * StatefulSet or ReplicaSet ({@code apps/v1}): one GET of the object, {@code current} is its
   * {@code spec.replicas} and {@code ready} its controller's {@code status.readyReplicas}. Any
   * other resource type has no standard field for ready pods: a GET of its {@code /scale} ({@code
   * spec.replicas} and {@code status.selector}) and one list of the selector's pods, counting
   * those Ready and not terminating, as {@link MetricsServerSource} does; without a selector the
   * ready count is unknown and so are the counts (empty). {@code existing} is the object's or
   * the scale's {@code status.replicas} (0 when absent, as the HPA reads it): it counts the pods
   * that exist, starting ones too, so it is never the ready count, which taken from it would
   * teach the engine that pods start within a tick. {@code warming} is 0 (unknown). Empty, with a
   * warning logged, when a read fails after its retries: on the first failure in a row for the
   * workload and every 20th (with the count), at DEBUG in between, and at INFO when the run ends.
   *
   * <p>A run ends when a read of the workload succeeds, here or in {@link #apply} (its read of
   * {@code /scale}), and when a failure comes more than three sync periods after the run's last:
   * the engine asks for the counts once a tick only while its metric source does not report them,
   * so after an outage whose counts came from the source it stops asking, and would otherwise log
   * the next outage's cause at DEBUG as the same run. The sync period is the one given to {@link
   * Builder#syncPeriod}, or else the run's own shortest gap between two failed reads, so that
   * without it a run of one failure is never ended by a gap, and a run whose failures came closer
   * than the ticks (an extra {@code tick()} a second after one) is ended at the next tick's
   * failure, once: the new run learns the ticks' gap. A period is not shared between runs: one
   * short gap seen once would end every later run of one failure at its next tick, a WARN a
   * tick. A run whose own shortest gap is longer than the sync period (ticks slower than it) is
   * ended by three of its own gaps instead. The end of a run by a gap is logged at INFO, before
   * the new run's WARN.
   *
   * <p>A tick made slow by timeouts (calls of other workloads that each wait their full timeout)
   * may bring a workload's failure more than three periods after its last: that run ends, with
   * one INFO and one WARN more, and the next ticks count on in the new run at the usual pace
   * (WARN again on its 20th), not a line a tick. Only ticks that each come more than three
   * periods after the last would end every run: a WARN a tick, while the engine cannot keep to
   * its period.
   */
  @Override
  public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
    Optional<ScalableResource> resource = scales.resource(workload);
    if (resource.isEmpty()) {
      return Optional.empty();
    }
    ScalableResource r = resource.get();
    if (ScaleClient.reportsReadyReplicas(r)) {
      ApiCalls.Result<ScaleClient.Counts> read = calls.run(scales.readCounts(r, workload));
      if (!read.ok()) {
        return cannotRead(workload, read, ScaleClient.describeObject(r, workload));
      }
      ScaleClient.Counts c = read.value().orElseThrow();
      readAgain(workload);
      return Optional.of(ReplicaStatus.of(c.specReplicas(), c.readyReplicas())
          .withExisting(c.statusReplicas()));
    }
    ApiCalls.Result<ScaleClient.Scale> read = calls.run(scales.read(r, workload));
    if (!read.ok()) {
      return cannotRead(workload, read, ScaleClient.describe(r, workload));
    }
    ScaleClient.Scale s = read.value().orElseThrow();
    if (s.selector().isEmpty()) {
      return cannotRead(workload, ScaleClient.describe(r, workload)
          + " has no status.selector to count the ready pods by");
    }
    ApiCalls.Result<V1PodList> pods = calls.read(() -> core
        .listNamespacedPod(workload.namespace()).labelSelector(s.selector()).execute());
    if (!pods.ok()) {
      return cannotRead(workload, pods, "pods in " + workload.namespace() + " (" + s.selector()
          + ")");
    }
    long ready = pods.value().map(V1PodList::getItems).orElse(List.of()).stream()
        .filter(p -> Pods.readyCondition(p).isPresent()).count();
    readAgain(workload);
    return Optional.of(ReplicaStatus.of(s.specReplicas(), (int) ready)
        .withExisting(s.statusReplicas()));
  }

  private Optional<ReplicaStatus> cannotRead(WorkloadRef workload, ApiCalls.Result<?> failed,
      String what) {
    return cannotRead(workload, ApiCalls.describe(failed.error().orElseThrow(), what)
        + (failed.attempts() > 1 ? " (after " + failed.attempts() + " tries)" : ""));
  }

  /** Logs a failed replica read of {@code workload}: the first in a row and every 20th. */
  private Optional<ReplicaStatus> cannotRead(WorkloadRef workload, String why) {
    long now = calls.ticker().getAsLong();
    ReadFailures[] ended = new ReadFailures[1];
    ReadFailures run = readFailures.compute(workload, (w, r) -> {
      if (r == null || r.endedBy(now, syncPeriod)) {
        ended[0] = r;
        return new ReadFailures(1, now, -1);
      }
      return r.next(now);
    });
    int n = run.count();
    if (ended[0] != null) {
      LOG.info("{}: no failed replica read for {} s, after {} failed in a row; counting anew",
          workload, Duration.ofNanos(now - ended[0].last()).toSeconds(), ended[0].count());
    }
    InARow.log(LOG, n, "{}: cannot read replicas{}: {}", workload, InARow.ofCount(n), why);
    return Optional.empty();
  }

  /** Ends the run of failed replica reads of {@code workload}, if any, at INFO. */
  private void readAgain(WorkloadRef workload) {
    ReadFailures failures = readFailures.remove(workload);
    int n = failures == null ? 0 : failures.count();
    if (n > 0) {
      LOG.info("{}: replicas read again, after {} failed in a row", workload, n);
    }
  }

  /**
   * Builds a {@link ScaleSubresourceExecutor}. Deployments, StatefulSets and ReplicaSets are
   * registered; add other kinds with {@link #resource}.
   */
  public static final class Builder extends ScaleCallerBuilder<Builder> {
    private Duration hpaCacheTtl = DEFAULT_HPA_CACHE_TTL;
    private boolean detectHpaConflicts = true;
    private Duration syncPeriod;

    private Builder(ApiClient client) {
      super(client);
    }

    /**
     * How long a namespace's HPA list is reused, in [0, 10 min] (0 lists on every request);
     * default 30 s.
     *
     * @throws IllegalArgumentException when out of range
     */
    public Builder hpaCacheTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "hpaCacheTtl");
      if (ttl.isNegative() || ttl.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("hpaCacheTtl must be in [PT0S, PT10M], but was " + ttl);
      }
      this.hpaCacheTtl = ttl;
      return this;
    }

    /**
     * Whether to refuse acting on a workload an HPA targets; default true. Turning it off needs
     * no HPA permissions but lets the engine and an HPA fight.
     */
    public Builder detectHpaConflicts(boolean detect) {
      this.detectHpaConflicts = detect;
      return this;
    }

    /**
     * The engine's sync period, by which a run of failed replica reads of a workload ends after
     * three periods without one (see {@link ScaleSubresourceExecutor#replicas}); positive, as
     * the engine's. Give it: without it, a run is ended only by a good read or by three of its
     * own shortest gap, so after a run of one failed read the next outage's first failure is
     * logged at DEBUG.
     *
     * @throws IllegalArgumentException when not positive
     */
    public Builder syncPeriod(Duration period) {
      Objects.requireNonNull(period, "syncPeriod");
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("syncPeriod must be positive, but was " + period);
      }
      this.syncPeriod = period;
      return this;
    }

    /** Builds the executor. */
    public ScaleSubresourceExecutor build() {
      return new ScaleSubresourceExecutor(this);
    }
  }
}
