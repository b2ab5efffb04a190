package dev.prescaler.simulator.policy;

import dev.prescaler.decision.HpaPolicy;
import dev.prescaler.simulator.cluster.DemandCurve;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link PolicyFactory} may know about one simulated run. Real policies use only the
 * engine's view; the reference bounds (static peak, oracle) also read the whole demand curve.
 *
 * @param demand the demand on the sync grid (the future included: for reference policies only)
 * @param capacity what one ready replica serves, in demand units, &gt; 0
 * @param targetUtilization the share of capacity each replica is aimed at, in (0, 1]
 * @param startupDelay time from asking for a replica to its being ready
 * @param metricsDelay how late the engine sees the demand
 * @param hpa the run's HPA ({@code SimulationConfig.hpa}); empty: Kubernetes' defaults
 * @param forecaster the run's forecaster for the predictive stack, by name ({@code
 *     SimulationConfig.forecaster}, one of {@code Forecasters.NAMES})
 */
public record PolicyEnvironment(DemandCurve demand, double capacity, double targetUtilization,
    Duration startupDelay, Duration metricsDelay, Optional<HpaPolicy> hpa, String forecaster) {
  /** Validates. */
  public PolicyEnvironment {
    Objects.requireNonNull(demand, "demand");
    if (!(capacity > 0) || !Double.isFinite(capacity)) {
      throw new IllegalArgumentException("capacity must be > 0 and finite, but was " + capacity);
    }
    if (!(targetUtilization > 0 && targetUtilization <= 1)) {
      throw new IllegalArgumentException(
          "targetUtilization must be in (0, 1], but was " + targetUtilization);
    }
    Objects.requireNonNull(startupDelay, "startupDelay");
    Objects.requireNonNull(metricsDelay, "metricsDelay");
    Objects.requireNonNull(hpa, "hpa");
    Objects.requireNonNull(forecaster, "forecaster");
  }

  /** An environment with Kubernetes' default HPA and the {@code auto} forecaster. */
  public PolicyEnvironment(DemandCurve demand, double capacity, double targetUtilization,
      Duration startupDelay, Duration metricsDelay) {
    this(demand, capacity, targetUtilization, startupDelay, metricsDelay, Optional.empty(),
        "auto");
  }

  /** The demand one replica is aimed at: {@code targetUtilization × capacity}. */
  public double perReplicaTarget() {
    return targetUtilization * capacity;
  }

  /**
   * The replicas {@code demand} needs at the target: {@code ceil(demand / perReplicaTarget)}, at
   * least 1; a relative slack of 1e-9 keeps rounding noise from adding a replica.
   */
  public int need(double demand) {
    return need(demand, perReplicaTarget());
  }

  /**
   * {@code ceil(demand / perReplica)} with a 1e-9 relative slack, at least 1.
   *
   * @throws IllegalArgumentException when that is not a number an {@code int} holds: the
   *     quotient overflows (a {@code perReplica} of 1e-308 against a demand of 150 is Infinity,
   *     which once came back as 0 replicas) or exceeds {@link Integer#MAX_VALUE}
   */
  public static int need(double demand, double perReplica) {
    double n = replicasNeeded(demand, perReplica);
    if (!(n <= Integer.MAX_VALUE)) {
      throw new IllegalArgumentException("the demand " + demand + " ÷ " + perReplica
          + " per replica is " + demand / perReplica + ": not a replica count an int holds");
    }
    return (int) n;
  }

  /**
   * {@link #need(double, double)} as a double, unbounded: above {@link Integer#MAX_VALUE},
   * Infinity or NaN where the quotient overflows. What {@code Simulator} checks against its
   * replica limit before any run.
   */
  public static double replicasNeeded(double demand, double perReplica) {
    double x = demand / perReplica;
    // Infinity - 1e-9 × Infinity is NaN, and Math.max(1, NaN) is NaN: never a count.
    return Math.max(1, Math.ceil(x - 1e-9 * Math.max(1, x)));
  }
}
