package dev.prescaler.examples;

import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A minimal host for {@link EmbeddedEngine}: a worker pool whose queue depth follows a daily
 * cycle, and which changes its size when asked. In a real embedding this is your own system.
 */
public final class ControlPlane {
  private final Clock clock;
  private final Instant start;
  private volatile int replicas = 2;

  /** A host whose queue starts its cycle now. */
  public ControlPlane(Clock clock) {
    this.clock = clock;
    this.start = clock.instant();
  }

  /** Jobs waiting: 200 to 1,800 over a day. */
  public double queueDepth() {
    double days = Duration.between(start, clock.instant()).toSeconds() / 86_400.0;
    return 1000 - 800 * Math.cos(2 * Math.PI * days);
  }

  /** The pool's size; every worker is ready at once in this host. */
  public ReplicaStatus replicas() {
    return ReplicaStatus.of(replicas, replicas);
  }

  /** Resizes the pool. */
  public ScaleOutcome scaleTo(int n) {
    replicas = n;
    return ScaleOutcome.applied(n, "worker pool resized to " + n);
  }
}
