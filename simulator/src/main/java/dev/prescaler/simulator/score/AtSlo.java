package dev.prescaler.simulator.score;

/**
 * A policy's cheapest setting that meets the SLO: "cost at SLO".
 *
 * @param targetUtilization the target utilization of that run
 * @param replicaHours its replica-hours
 * @param underProvisionedPct its under-provisioned time, in percent (&le; the SLO)
 */
public record AtSlo(double targetUtilization, double replicaHours, double underProvisionedPct) {
  /** Validates. */
  public AtSlo {
    if (!(targetUtilization > 0 && targetUtilization <= 1)) {
      throw new IllegalArgumentException(
          "targetUtilization must be in (0, 1], but was " + targetUtilization);
    }
    if (!(replicaHours >= 0)) {
      throw new IllegalArgumentException("replicaHours must be >= 0, but was " + replicaHours);
    }
  }
}
