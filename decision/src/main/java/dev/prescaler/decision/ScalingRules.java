package dev.prescaler.decision;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The HPA's rules for one direction ({@code behavior.scaleUp} or {@code behavior.scaleDown}): a
 * stabilization window, the rate policies and how to pick among them.
 *
 * @param stabilizationWindow how far back recommendations are considered, in [0, 1 h]
 * @param policies the rate policies; may be empty only with {@link Select#DISABLED}
 * @param select which policy wins
 */
public record ScalingRules(Duration stabilizationWindow, List<ScalingPolicy> policies,
    Select select) {

  /** The {@code selectPolicy} field. */
  public enum Select {
    /** The policy allowing the largest change (default). */
    MAX,
    /** The policy allowing the smallest change. */
    MIN,
    /** No scaling in this direction. */
    DISABLED
  }

  /** The longest stabilization window the API server accepts: 1 h (3600 s). */
  public static final Duration MAX_STABILIZATION_WINDOW = Duration.ofHours(1);

  /** Default scale-up stabilization: 0 s. */
  public static final Duration DEFAULT_UP_STABILIZATION = Duration.ZERO;
  /** Default scale-down stabilization: 300 s. */
  public static final Duration DEFAULT_DOWN_STABILIZATION = Duration.ofSeconds(300);

  /** Kubernetes' default scale-up rules: no window; +4 pods or +100 % per 15 s, the larger. */
  public static final ScalingRules DEFAULT_UP = new ScalingRules(DEFAULT_UP_STABILIZATION,
      List.of(ScalingPolicy.pods(4, Duration.ofSeconds(15)),
          ScalingPolicy.percent(100, Duration.ofSeconds(15))), Select.MAX);
  /** Kubernetes' default scale-down rules: 300 s window; −100 % per 15 s. */
  public static final ScalingRules DEFAULT_DOWN = new ScalingRules(DEFAULT_DOWN_STABILIZATION,
      List.of(ScalingPolicy.percent(100, Duration.ofSeconds(15))), Select.MAX);

  /** Validates and copies. */
  public ScalingRules {
    Objects.requireNonNull(stabilizationWindow, "stabilizationWindow");
    Objects.requireNonNull(select, "select");
    policies = List.copyOf(policies);
    if (stabilizationWindow.isNegative()
        || stabilizationWindow.compareTo(MAX_STABILIZATION_WINDOW) > 0) {
      throw new IllegalArgumentException(
          "stabilizationWindow must be in [0, 1h], but was " + stabilizationWindow);
    }
    if (policies.isEmpty() && select != Select.DISABLED) {
      throw new IllegalArgumentException(
          "policies must not be empty unless select is DISABLED, but select was " + select);
    }
  }

  /**
   * As the fields of a manifest: {@code window 300s, Max of [Percent 100 per 15s]}, or {@code
   * window 0s, Disabled}.
   */
  @Override
  public String toString() {
    return "window " + ScalingPolicy.seconds(stabilizationWindow) + ", "
        + (select == Select.DISABLED ? "Disabled" : (select == Select.MAX ? "Max" : "Min")
        + " of " + policies);
  }

  /** The same rules with another stabilization window. */
  public ScalingRules withStabilizationWindow(Duration window) {
    return new ScalingRules(window, policies, select);
  }

  /** The same rules with another selection. */
  public ScalingRules withSelect(Select newSelect) {
    return new ScalingRules(stabilizationWindow, policies, newSelect);
  }

  /** The same rules with other policies. */
  public ScalingRules withPolicies(List<ScalingPolicy> newPolicies) {
    return new ScalingRules(stabilizationWindow, newPolicies, select);
  }

  /** The longest policy period (zero without policies). */
  Duration longestPeriod() {
    Duration d = Duration.ZERO;
    for (ScalingPolicy p : policies) {
      if (p.period().compareTo(d) > 0) {
        d = p.period();
      }
    }
    return d;
  }
}
