package dev.prescaler.simulator.score;

import java.time.Duration;

/**
 * The scorecard counts of one run, accumulated one sync step at a time. Not thread-safe: one run,
 * one thread.
 */
public final class RunStats {
  private final double stepHours;
  private final double unit;
  private long steps;
  private long underSteps;
  private double unserved;
  private double demand;
  private long replicaSteps;

  /**
   * Counts for a run on a grid of {@code step}.
   *
   * @param step the grid step
   * @param unit what the demand sums are kept in (a replica's capacity), so that a month of
   *     values near the largest double does not overflow them
   */
  public RunStats(Duration step, double unit) {
    this.stepHours = step.toMillis() / 3_600_000.0;
    this.unit = unit;
  }

  /**
   * Adds one step. The step is under-provisioned when the demand exceeds {@code servable} by more
   * than a relative 1e-9, the slack with which the policies round a need up to whole replicas
   * ({@code PolicyEnvironment.need}): a demand that needs exactly 14 replicas, served by 14, is
   * served, also when 14 × capacity rounds a hair below it in floating point.
   *
   * @param demandNow the demand during the step
   * @param servable ready replicas × capacity during the step
   * @param replicas replicas existing during the step (ready and pending)
   */
  public void add(double demandNow, double servable, int replicas) {
    steps++;
    demand += demandNow / unit;
    if (isShort(demandNow, servable)) {
      underSteps++;
      unserved += (demandNow - servable) / unit;
    }
    replicaSteps += replicas;
  }

  /** Whether {@code demand} exceeds {@code servable} by more than a relative 1e-9. */
  public static boolean isShort(double demand, double servable) {
    return demand - servable > 1e-9 * Math.max(Math.abs(demand), Math.abs(servable));
  }

  /** Steps counted. */
  public long steps() {
    return steps;
  }

  /** Steps where demand exceeded ready replicas × capacity. */
  public long underSteps() {
    return underSteps;
  }

  /** Σ of replicas existing at each step (ready and pending). */
  public long replicaSteps() {
    return replicaSteps;
  }

  /** Under-provisioned time, in percent of the steps. */
  public double underProvisionedPct() {
    return steps == 0 ? 0 : 100.0 * underSteps / steps;
  }

  /** Unserved demand, in percent of the total demand (0 when there was no demand). */
  public double unservedPct() {
    return demand > 0 ? 100.0 * unserved / demand : 0;
  }

  /** Replica-hours of ready and pending replicas. */
  public double replicaHours() {
    return replicaSteps * stepHours;
  }
}
