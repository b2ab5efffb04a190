package dev.prescaler.reliability;

import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * An executor over a {@link SimCluster} that answers each workload's requests as told by an
 * {@link ExecutorFault}, or hangs until a latch opens. It records every request it receives.
 * Thread-safe.
 */
final class ScriptedExecutor implements ScaleExecutor {
  private final SimCluster cluster;
  private final Map<WorkloadRef, ExecutorFault> faults = new ConcurrentHashMap<>();
  private final Map<WorkloadRef, CountDownLatch> hangs = new ConcurrentHashMap<>();
  private final Map<WorkloadRef, CountDownLatch> replicaHangs = new ConcurrentHashMap<>();
  private final List<ScaleRequest> requests = new ArrayList<>();

  ScriptedExecutor(SimCluster cluster) {
    this.cluster = cluster;
  }

  void fault(WorkloadRef w, ExecutorFault fault) {
    faults.put(w, fault);
  }

  ExecutorFault fault(WorkloadRef w) {
    return faults.getOrDefault(w, ExecutorFault.NONE);
  }

  /** Makes {@link #apply} for {@code w} block until {@code latch} opens. */
  void hang(WorkloadRef w, CountDownLatch latch) {
    hangs.put(w, latch);
  }

  /** Makes {@link #replicas} for {@code w} block until {@code latch} opens. */
  void hangReplicas(WorkloadRef w, CountDownLatch latch) {
    replicaHangs.put(w, latch);
  }

  synchronized List<ScaleRequest> requests() {
    return List.copyOf(requests);
  }

  synchronized List<ScaleRequest> requests(WorkloadRef w) {
    return requests.stream().filter(r -> r.workload().equals(w)).toList();
  }

  @Override
  public ScaleOutcome apply(ScaleRequest request) {
    WorkloadRef w = request.workload();
    synchronized (this) {
      requests.add(request);
    }
    await(hangs.get(w));
    String resource = "/apis/apps/v1/namespaces/" + w.namespace() + "/deployments/" + w.name()
        + "/scale";
    switch (fault(w)) {
      case NONE -> {
        cluster.set(w, request.to());
        return ScaleOutcome.applied(request.to(), "200 OK " + resource);
      }
      case NOT_FOUND -> {
        return ScaleOutcome.failed("404 Not Found " + resource);
      }
      case CONFLICT -> {
        return ScaleOutcome.refused("409 Conflict " + resource
            + ": the object has been modified");
      }
      case UNPROCESSABLE -> {
        return ScaleOutcome.refused("422 Unprocessable Entity " + resource);
      }
      case TOO_MANY_REQUESTS -> {
        return ScaleOutcome.failed("429 Too Many Requests " + resource);
      }
      case SERVER_ERROR -> {
        return ScaleOutcome.failed("500 Internal Server Error " + resource);
      }
      case THROWS -> throw new IllegalStateException("socket closed (scripted)");
      case NULL_OUTCOME -> {
        return null;
      }
      default -> throw new IllegalStateException("unknown fault " + fault(w));
    }
  }

  @Override
  public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
    await(replicaHangs.get(workload));
    return Optional.empty();
  }

  private static void await(CountDownLatch latch) {
    if (latch == null) {
      return;
    }
    try {
      latch.await();
    } catch (InterruptedException e) {
      // The engine gave up on the call: change nothing.
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while hanging (scripted)", e);
    }
  }
}
