package dev.prescaler.simulator.score;

import java.util.Objects;
import java.util.Set;

/**
 * One policy's scorecard read against the HPA's from the same run: the comparisons a team
 * makes before it lets the policy replace its HPA. Each is a ratio (policy ÷ HPA) where both sides
 * give one, and words where they do not (only one of the two meets the SLO, the HPA was never
 * short, the HPA never scaled).
 *
 * <ul>
 *   <li>cost at the SLO: the replica-hours of each one's cheapest swept target that meets the SLO;
 *   <li>under-provisioned time at the run's target utilization;
 *   <li>replica-hours at the run's target utilization;
 *   <li>scaling actions at the run's target utilization.
 * </ul>
 *
 * @param policy the policy's scorecard
 * @param hpa the HPA's scorecard from the same run
 */
public record AgainstHpa(Scorecard policy, Scorecard hpa) {
  /** The name of the HPA policy the others are read against. */
  public static final String HPA = "hpa";

  /**
   * The reference policies of the standard registry. They know the peak or the future, so their
   * ratios to the HPA say nothing about what to deploy, and are not printed.
   */
  public static final Set<String> REFERENCES = Set.of("static-peak", "oracle", "oracle-100");

  /** Validates. */
  public AgainstHpa {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(hpa, "hpa");
  }

  /** Whether a policy of this name is read against the HPA: neither the HPA nor a reference. */
  public static boolean isCompared(String name) {
    return !HPA.equals(name) && !REFERENCES.contains(name);
  }

  /** Cost at the SLO, policy ÷ HPA; NaN unless both meet the SLO. */
  public double costAtSloRatio() {
    if (policy.atSlo().isEmpty() || hpa.atSlo().isEmpty()) {
      return Double.NaN;
    }
    return policy.atSlo().get().replicaHours() / hpa.atSlo().get().replicaHours();
  }

  /**
   * Under-provisioned time at the run's target, policy ÷ HPA: 1 when neither was ever short, NaN
   * when only the policy was.
   */
  public double underProvisionedRatio() {
    return ratio(policy.underProvisionedPct(), hpa.underProvisionedPct());
  }

  /** Replica-hours at the run's target, policy ÷ HPA. */
  public double replicaHoursRatio() {
    return policy.replicaHours() / hpa.replicaHours();
  }

  /** Scaling actions, policy ÷ HPA: 1 when neither scaled, NaN when only the policy did. */
  public double actionsRatio() {
    return ratio(policy.scalingActions(), hpa.scalingActions());
  }

  private static double ratio(double mine, double theirs) {
    if (theirs > 0) {
      return mine / theirs;
    }
    return mine > 0 ? Double.NaN : 1.0;
  }
}
