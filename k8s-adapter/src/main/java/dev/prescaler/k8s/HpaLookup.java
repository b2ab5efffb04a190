package dev.prescaler.k8s;

import dev.prescaler.core.WorkloadRef;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AutoscalingV2Api;
import io.kubernetes.client.openapi.models.V2CrossVersionObjectReference;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the autoscaling/v2 HPAs that target a workload, listing each namespace at most once per
 * TTL. The TTL is timed on the callers' monotonic ticker, so a wall clock stepped back does not
 * keep a stale list. With a TTL of 0 nothing is kept. Otherwise the lists expired are dropped
 * when a list is stored (at most once per TTL), so that the cache holds only the namespaces
 * listed within the last two TTLs: namespaces that come and go (preview environments) do not
 * grow it for ever.
 */
final class HpaLookup {
  /** A namespace's list and the ticker reading (nanoseconds) when its listing started. */
  private record Cached(long at, List<V2HorizontalPodAutoscaler> items) {}

  /** The kinds an HPA list answer may carry: its own, or the generic one some servers send. */
  private static final Set<String> LIST_KINDS = Set.of("HorizontalPodAutoscalerList", "List");

  private final AutoscalingV2Api api;
  private final ApiCalls calls;
  private final Duration ttl;
  private final Map<String, Cached> cache = new HashMap<>();
  /** The ticker reading when expired lists were last dropped; null before. Guarded by cache. */
  private Long prunedAt;

  HpaLookup(ApiClient client, ApiCalls calls, Duration ttl) {
    this.api = new AutoscalingV2Api(client);
    this.calls = calls;
    this.ttl = ttl;
  }

  /**
   * The HPAs whose scaleTargetRef names the workload; an error when the list failed, and when
   * its answer cannot be read as an HPA list (a proxy's page, a cut body, a list of something
   * else, an item that is null): HTTP 200 "malformed answer", never an exception.
   */
  ApiCalls.Result<List<V2HorizontalPodAutoscaler>> targeting(WorkloadRef ref) {
    long now = calls.ticker().getAsLong();
    List<V2HorizontalPodAutoscaler> all;
    synchronized (cache) {
      Cached c = cache.get(ref.namespace());
      all = c != null && now - c.at() < ttl.toNanos() ? c.items() : null;
    }
    if (all == null) {
      ApiCalls.Result<List<V2HorizontalPodAutoscaler>> r = calls.read(
          () -> items(api.listNamespacedHorizontalPodAutoscaler(ref.namespace()).execute()));
      if (!r.ok()) {
        return r;
      }
      all = r.value().orElseThrow();
      store(ref.namespace(), new Cached(now, all));
    }
    List<V2HorizontalPodAutoscaler> out = new ArrayList<>();
    for (V2HorizontalPodAutoscaler h : all) {
      if (targets(h, ref)) {
        out.add(h);
      }
    }
    return new ApiCalls.Result<>(Optional.of(out), Optional.empty(), 1, false, Optional.empty());
  }

  /**
   * Keeps {@code listed} for {@code namespace}, unless the TTL is 0 (it would never be read), and
   * drops the lists expired at its time when none were dropped for a TTL.
   */
  private void store(String namespace, Cached listed) {
    long ttlNanos = ttl.toNanos();
    if (ttlNanos <= 0) {
      return;
    }
    synchronized (cache) {
      if (prunedAt == null || listed.at() - prunedAt >= ttlNanos) {
        cache.values().removeIf(c -> listed.at() - c.at() >= ttlNanos);
        prunedAt = listed.at();
      }
      cache.put(namespace, listed);
    }
  }

  /** How many namespaces' lists are kept. For tests. */
  int cached() {
    synchronized (cache) {
      return cache.size();
    }
  }

  /**
   * The items of an HPA list answer.
   *
   * @throws IllegalStateException when the answer is not an HPA list: no answer, another kind,
   *     no items, or a null item
   */
  private static List<V2HorizontalPodAutoscaler> items(V2HorizontalPodAutoscalerList list) {
    if (list == null || list.getItems() == null) {
      throw new IllegalStateException("not a HorizontalPodAutoscalerList: no items");
    }
    if (list.getKind() != null && !LIST_KINDS.contains(list.getKind())) {
      throw new IllegalStateException("not a HorizontalPodAutoscalerList: kind "
          + list.getKind());
    }
    for (V2HorizontalPodAutoscaler h : list.getItems()) {
      if (h == null) {
        throw new IllegalStateException("not a HorizontalPodAutoscalerList: a null item");
      }
    }
    return List.copyOf(list.getItems());
  }

  /** Forgets the cached list of a namespace (after this process changed an HPA there). */
  void invalidate(String namespace) {
    synchronized (cache) {
      cache.remove(namespace);
    }
  }

  static boolean targets(V2HorizontalPodAutoscaler h, WorkloadRef ref) {
    if (h.getSpec() == null || h.getSpec().getScaleTargetRef() == null) {
      return false;
    }
    V2CrossVersionObjectReference t = h.getSpec().getScaleTargetRef();
    return ref.kind().equals(t.getKind()) && ref.name().equals(t.getName());
  }

  static String name(V2HorizontalPodAutoscaler h) {
    return h.getMetadata() == null ? "?" : h.getMetadata().getName();
  }
}
