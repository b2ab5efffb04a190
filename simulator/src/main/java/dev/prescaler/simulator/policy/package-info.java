/**
 * The policies a simulation compares: {@link dev.prescaler.simulator.policy.PolicyRegistry} names
 * them, each {@link dev.prescaler.simulator.policy.PolicyFactory} builds the decision policy (and
 * forecaster) of one engine, and the reference bounds live here:
 * {@link dev.prescaler.simulator.policy.StaticPeakPolicy} and
 * {@link dev.prescaler.simulator.policy.OraclePolicy}. The HPA and the predictive stack come from
 * the decision and forecast modules; nothing here re-implements them.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.simulator.policy;
