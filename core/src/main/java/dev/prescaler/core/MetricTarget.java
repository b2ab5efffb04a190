package dev.prescaler.core;

import java.util.Objects;

/**
 * One metric a workload scales on and the value each replica should carry.
 *
 * <p>The engine turns every reading into a <em>load</em>: the total amount of work across the
 * workload, in units where one replica at its target carries {@link #perReplicaTarget()}.
 *
 * <ul>
 *   <li>{@link Type#UTILIZATION}: the reading is the mean utilization of the ready pods, in percent
 *       of their request (as the HPA's {@code Resource} metrics); load = reading / 100 × ready
 *       replicas, in pod-requests; the per-replica target is {@code target / 100}.
 *   <li>{@link Type#AVERAGE_VALUE}: the reading is the workload's total (e.g. requests per second);
 *       load = reading; the per-replica target is {@code target} (as {@code AverageValue} targets).
 * </ul>
 *
 * @param name the metric name, unique within a workload, e.g. {@code cpu} or {@code rps}
 * @param type how readings relate to replicas
 * @param target the target per replica: percent for utilization, units per replica otherwise
 */
public record MetricTarget(String name, Type type, double target) {

  /** How a metric's readings relate to the replica count. */
  public enum Type {
    /** Mean utilization of ready pods in percent of their request. */
    UTILIZATION,
    /** The workload's total; the target is per replica. */
    AVERAGE_VALUE
  }

  /**
   * What a metric's name must match: a letter or underscore, then letters, digits, {@code _ . :
   * -}. A source that takes metrics by name (a Prometheus template per metric) checks its names
   * against it, so that a name no workload can use is refused where it is given.
   */
  public static final String NAME_PATTERN = "[A-Za-z_][A-Za-z0-9_.:-]*";

  /**
   * Validates the name and the target.
   *
   * <p>A metric target is checked when it is made, before a {@link WorkloadSpec.Builder} sees it,
   * so its problems are reported here, together, and without the workload: they cannot be in the
   * list of the spec's {@code build()}.
   *
   * @throws NullPointerException when the name or the type is null
   * @throws InvalidConfigurationException listing each invalid field (name, target) and its value
   */
  public MetricTarget {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Values.Problems p = new Values.Problems();
    p.check(name.matches(NAME_PATTERN),
        "name must match " + NAME_PATTERN + ", but was " + Values.quote(name));
    p.check(target > 0 && Double.isFinite(target),
        "target must be > 0 and finite, but was " + target);
    // A percent of 1e-322 is > 0, but its per-replica share (÷ 100) is 0: every division by it
    // gave NaN or infinity downstream.
    p.check(!(target > 0) || type != Type.UTILIZATION || target / 100.0 > 0,
        "target must be a percent whose hundredth is > 0, but was " + target);
    p.throwIfAny("MetricTarget " + Values.quote(name));
  }

  /**
   * A utilization target in percent of the pods' request (the HPA's {@code Resource} form).
   *
   * @throws InvalidConfigurationException when the name or the target is invalid
   */
  public static MetricTarget utilization(String name, double percent) {
    return new MetricTarget(name, Type.UTILIZATION, percent);
  }

  /**
   * A target value per replica for a metric reported as the workload's total.
   *
   * @throws InvalidConfigurationException when the name or the target is invalid
   */
  public static MetricTarget averageValue(String name, double perReplica) {
    return new MetricTarget(name, Type.AVERAGE_VALUE, perReplica);
  }

  /** The load one replica should carry, in load units. */
  public double perReplicaTarget() {
    return type == Type.UTILIZATION ? target / 100.0 : target;
  }

  /** The workload's total load for a reading, given the ready replicas. */
  public double load(double reading, int readyReplicas) {
    return type == Type.UTILIZATION ? reading / 100.0 * readyReplicas : reading;
  }
}
