package dev.prescaler.simulator.cluster;

import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;

/**
 * One simulated workload, and the {@link ScaleExecutor} that scales it: a replica asked for at
 * {@code t} is ready at {@code t + startupDelay}; a removal is immediate and takes pending
 * (not yet ready) replicas first, newest first, as a ReplicaSet deletes unready pods first.
 *
 * <p>The clock of the cluster is moved by {@link #advanceTo(Instant)}; the engine's requests carry
 * their own instant. Thread-safe; in the simulator one thread drives it.
 */
public final class SimulatedCluster implements ScaleExecutor {
  private final long startupMillis;
  private final ArrayDeque<Long> pending = new ArrayDeque<>(); // ready-at instants, oldest first
  private int ready;
  private long actions;

  /**
   * A cluster with {@code initialReady} ready replicas.
   *
   * @param startupDelay time from being asked for to ready, &gt; 0
   * @param initialReady replicas ready at the start, &ge; 0
   */
  public SimulatedCluster(Duration startupDelay, int initialReady) {
    Objects.requireNonNull(startupDelay, "startupDelay");
    if (startupDelay.isNegative() || startupDelay.isZero()) {
      throw new IllegalArgumentException("startupDelay must be > 0, but was " + startupDelay);
    }
    if (initialReady < 0) {
      throw new IllegalArgumentException("initialReady must be >= 0, but was " + initialReady);
    }
    this.startupMillis = startupDelay.toMillis();
    this.ready = initialReady;
  }

  /** Makes ready every pending replica whose startup ended at or before {@code now}. */
  public synchronized void advanceTo(Instant now) {
    long t = now.toEpochMilli();
    while (!pending.isEmpty() && pending.peekFirst() <= t) {
      pending.removeFirst();
      ready++;
    }
  }

  /** Replicas ready to serve. */
  public synchronized int ready() {
    return ready;
  }

  /** Replicas asked for and still starting. */
  public synchronized int pending() {
    return pending.size();
  }

  /** The desired count: ready plus pending replicas. */
  public synchronized int current() {
    return ready + pending.size();
  }

  /** The number of applied changes of the desired count so far. */
  public synchronized long actions() {
    return actions;
  }

  /** The counts as the engine sees them (no pod is reported warming). */
  public synchronized ReplicaStatus status() {
    return ReplicaStatus.of(current(), ready);
  }

  /**
   * Sets the desired count. A request whose {@code from} is not the current count is refused
   * (someone else changed it in between), as the scale subresource refuses a stale update.
   */
  @Override
  public synchronized ScaleOutcome apply(ScaleRequest request) {
    int current = current();
    if (request.from() != current) {
      return ScaleOutcome.refused("conflict: the request expected " + request.from()
          + " replicas, but the cluster has " + current);
    }
    int to = request.to();
    if (to == current) {
      return ScaleOutcome.applied(to, "already at " + to);
    }
    if (to > current) {
      long readyAt = request.time().toEpochMilli() + startupMillis;
      for (int i = current; i < to; i++) {
        pending.addLast(readyAt);
      }
    } else {
      int remove = current - to;
      while (remove > 0 && !pending.isEmpty()) {
        pending.removeLast();
        remove--;
      }
      ready -= remove;
    }
    actions++;
    return ScaleOutcome.applied(to, "scaled " + current + " -> " + to);
  }

  @Override
  public Optional<ReplicaStatus> replicas(WorkloadRef workload) {
    return Optional.of(status());
  }
}
