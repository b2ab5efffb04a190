package dev.prescaler.testkit;

import dev.prescaler.core.Mode;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An in-memory cluster of workloads, and the {@link ScaleExecutor} that scales it: for testing
 * policies, forecasters and whole engine stacks without Kubernetes. The simulator runs every
 * policy against it.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.ofDefault();
 * InMemoryCluster cluster = new InMemoryCluster(clock, Duration.ofSeconds(90)).add(web, 2);
 * AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock)
 *     .metricSource(source).policy(policy).executor(cluster).workload(spec).build();
 * engine.tick();                                // an ACT request 2 -> 5 is applied at once,
 * clock.advance(Duration.ofSeconds(90));        // and its 3 new pods are ready 90 s later
 * assertThat(cluster.status(web)).isEqualTo(ReplicaStatus.of(5, 5));
 * }</pre>
 *
 * <ul>
 *   <li>{@link Mode#ACT}: a request sets the workload's desired count. A pod asked for when the
 *       clock reads {@code t} is ready at {@code t + startupDelay}, as the clock reads when the
 *       counts are next looked at; a removal is immediate and takes pending (not yet ready) pods
 *       first, newest first, as a ReplicaSet deletes unready pods first. A request whose {@code
 *       from} is not the current count is refused (someone else changed it in between), as the
 *       scale subresource refuses a stale update, and so is a request for a workload never
 *       {@link #add added}.
 *   <li>{@link Mode#HPA_FLOOR}: there is no HPA here; the request sets the floor that {@link
 *       #floor} reports, and {@link #release} clears it. No replica count changes.
 *   <li>Every request is recorded ({@link #requests()}), applied or not; {@link #actions()} counts
 *       the applied changes of a desired count.
 * </ul>
 *
 * <p>{@link #replicas(WorkloadRef)} reports the counts, so a metric source that does not know
 * them (an {@link InMemoryMetricSource} without replica counts) can leave them out: the engine
 * then asks this executor. Thread-safe: every method holds the cluster's lock.
 */
public final class InMemoryCluster implements ScaleExecutor {
  private final Clock clock;
  private final Duration startupDelay;
  private final Map<WorkloadRef, Pods> workloads = new HashMap<>();
  private final List<ScaleRequest> requests = new ArrayList<>();
  private final List<WorkloadRef> released = new ArrayList<>();
  private long actions;

  /** The pods of one workload: ready ones, and the instants the starting ones get ready. */
  private static final class Pods {
    int ready;
    /** Ready-at instants of the pods still starting, in the order they were asked for. */
    final ArrayDeque<Instant> starting = new ArrayDeque<>();
    Integer floor;
  }

  /**
   * An empty cluster.
   *
   * @param clock the clock that makes pods ready, usually the engine's {@link ManualClock}
   * @param startupDelay from a pod being asked for to its being ready, &ge; 0
   * @throws IllegalArgumentException when the delay is negative
   */
  public InMemoryCluster(Clock clock, Duration startupDelay) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.startupDelay = Objects.requireNonNull(startupDelay, "startupDelay");
    if (startupDelay.isNegative()) {
      throw new IllegalArgumentException("startupDelay must be >= 0, but was " + startupDelay);
    }
  }

  /**
   * Adds a workload with {@code replicas} ready pods and none starting, or resets one to that
   * (someone else scaled it), keeping its floor.
   *
   * @throws IllegalArgumentException when {@code replicas} is negative
   */
  public synchronized InMemoryCluster add(WorkloadRef workload, int replicas) {
    Objects.requireNonNull(workload, "workload");
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas must be >= 0, but was " + replicas);
    }
    Pods p = workloads.computeIfAbsent(workload, w -> new Pods());
    p.ready = replicas;
    p.starting.clear();
    return this;
  }

  /**
   * The workload's counts at the clock's instant: the desired count (ready plus starting pods)
   * and the ready pods, none warming.
   *
   * @throws IllegalArgumentException when the workload was never added
   */
  public synchronized ReplicaStatus status(WorkloadRef workload) {
    Pods p = pods(workload);
    return ReplicaStatus.of(p.ready + p.starting.size(), p.ready);
  }

  /** The desired count: ready plus starting pods. */
  public int current(WorkloadRef workload) {
    return status(workload).current();
  }

  /** The pods ready to serve. */
  public int ready(WorkloadRef workload) {
    return status(workload).ready();
  }

  /** The floor the last applied {@link Mode#HPA_FLOOR} request set, until released. */
  public synchronized OptionalInt floor(WorkloadRef workload) {
    Integer f = pods(workload).floor;
    return f == null ? OptionalInt.empty() : OptionalInt.of(f);
  }

  /** Every request received, in order, applied or not. */
  public synchronized List<ScaleRequest> requests() {
    return List.copyOf(requests);
  }

  /** The workloads released, in order, once per call of {@link #release}. */
  public synchronized List<WorkloadRef> released() {
    return List.copyOf(released);
  }

  /** The number of applied changes of a desired count, over all workloads. */
  public synchronized long actions() {
    return actions;
  }

  @Override
  public synchronized ScaleOutcome apply(ScaleRequest request) {
    requests.add(request);
    WorkloadRef w = request.workload();
    Pods p = workloads.get(w);
    if (p == null) {
      return ScaleOutcome.refused("no workload " + w + " in the in-memory cluster: add it first");
    }
    if (request.mode() == Mode.HPA_FLOOR) {
      p.floor = request.to();
      return ScaleOutcome.applied(request.to(), "floor of " + w + " set to " + request.to());
    }
    if (request.mode() != Mode.ACT) {
      return ScaleOutcome.refused(request.mode() + " request: nothing changed");
    }
    int current = status(w).current();
    if (request.from() != current) {
      return ScaleOutcome.refused("conflict: the request expected " + request.from()
          + " replicas, but the cluster has " + current);
    }
    int to = request.to();
    if (to == current) {
      return ScaleOutcome.applied(to, "already at " + to);
    }
    if (to > current) {
      Instant readyAt = clock.instant().plus(startupDelay);
      for (int i = current; i < to; i++) {
        p.starting.addLast(readyAt);
      }
    } else {
      int remove = current - to;
      while (remove > 0 && !p.starting.isEmpty()) {
        p.starting.removeLast();
        remove--;
      }
      p.ready -= remove;
    }
    actions++;
    return ScaleOutcome.applied(to, "scaled " + current + " -> " + to);
  }

  /** The workload's counts, or empty when it was never added. */
  @Override
  public synchronized Optional<ReplicaStatus> replicas(WorkloadRef workload) {
    return workloads.containsKey(workload) ? Optional.of(status(workload)) : Optional.empty();
  }

  /** Clears the workload's floor, and records the release. */
  @Override
  public synchronized void release(WorkloadRef workload) {
    released.add(workload);
    Pods p = workloads.get(workload);
    if (p != null) {
      p.floor = null;
    }
  }

  /** The workload's pods, with those whose startup has ended at the clock's instant ready. */
  private Pods pods(WorkloadRef workload) {
    Pods p = workloads.get(Objects.requireNonNull(workload, "workload"));
    if (p == null) {
      throw new IllegalArgumentException("workload must have been added, but " + workload
          + " was not: call add(workload, replicas)");
    }
    Instant now = clock.instant();
    int before = p.starting.size();
    p.starting.removeIf(readyAt -> !readyAt.isAfter(now));
    p.ready += before - p.starting.size();
    return p;
  }
}
