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
  private final Map<WorkloadRef, Integer> replicaCalls = new ConcurrentHashMap<>();
  private volatile boolean deaf;

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

  /**
   * Makes hanging calls ignore interrupts, as a blocking socket read does: they return only when
   * their latch opens, even after the engine gave up on them. Default: an interrupt ends them.
   */
  void ignoreInterrupts(boolean deaf) {
    this.deaf = deaf;
  }

  /** How many times {@link #replicas} was called for {@code w}, hanging calls included. */
  int replicaCalls(WorkloadRef w) {
    return replicaCalls.getOrDefault(w, 0);
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
    replicaCalls.merge(workload, 1, Integer::sum);
    await(replicaHangs.get(workload));
    return Optional.empty();
  }

  private void await(CountDownLatch latch) {
    if (latch == null) {
      return;
    }
    if (deaf) {
      awaitIgnoringInterrupts(latch);
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

  /** Waits until {@code latch} opens whatever interrupts come, then restores the flag. */
  static void awaitIgnoringInterrupts(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
