package dev.prescaler.simulator;

import dev.prescaler.simulator.score.RunJournal.ForecastPoint;
import java.util.List;
import java.util.Objects;

/**
 * One policy run at one target utilization.
 *
 * @param policy the policy's name
 * @param targetUtilization the target it ran at
 * @param underProvisionedPct percent of steps where demand &gt; ready × capacity
 * @param unservedPct unserved demand, percent of the total demand
 * @param replicaHours replica-hours of ready and pending replicas
 * @param scalingActions changes of the desired count
 * @param holds ticks the engine held (missing data at the start, plug-in failures)
 * @param ready ready replicas per grid step (empty unless kept for the report)
 * @param desired desired replicas (ready and pending) per grid step (empty unless kept)
 * @param forecasts the forecast one lead time ahead of each history step (empty unless kept)
 */
public record RunResult(String policy, double targetUtilization, double underProvisionedPct,
    double unservedPct, double replicaHours, long scalingActions, long holds, int[] ready,
    int[] desired, List<ForecastPoint> forecasts) {
  /** Validates and copies. */
  public RunResult {
    Objects.requireNonNull(policy, "policy");
    ready = ready.clone();
    desired = desired.clone();
    forecasts = List.copyOf(forecasts);
  }

  /** Whether the per-step series were kept. */
  public boolean hasSeries() {
    return ready.length > 0;
  }

  /** Ready replicas per grid step, a copy (empty unless kept). */
  @Override
  public int[] ready() {
    return ready.clone();
  }

  /** Desired replicas per grid step, a copy (empty unless kept). */
  @Override
  public int[] desired() {
    return desired.clone();
  }

  /** Ready replicas at step {@code i}, without copying the series. */
  public int readyAt(int i) {
    return ready[i];
  }

  /** Desired replicas at step {@code i}, without copying the series. */
  public int desiredAt(int i) {
    return desired[i];
  }

  /** Identity: runs hold large arrays and are never compared by value. */
  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  @Override
  public String toString() {
    return "RunResult{" + policy + " @" + targetUtilization + ", under=" + underProvisionedPct
        + "%, replicaHours=" + replicaHours + ", actions=" + scalingActions + "}";
  }
}
