/**
 * Decision policies: the Kubernetes-HPA-faithful reactive path ({@link
 * dev.prescaler.decision.HpaPolicy}), the predictive lead ({@link
 * dev.prescaler.decision.PredictivePolicy}), noise guards, safety steps, manual overrides,
 * time-of-day bounds and the cluster capacity arbiter. {@link dev.prescaler.decision.Policies}
 * assembles the standard stacks.
 *
 * <p>Nullness: no {@code null} crosses this API, except where a parameter says it takes one for
 * "none": the optional steps of a {@link dev.prescaler.decision.Policies.Stack} (spike filter,
 * sustained scale-up, cooldown, gradual scale-down, time of day, arbiter, overrides), each
 * {@code null} for no such step, and the behavior given to {@link
 * dev.prescaler.decision.HpaBehavior#apply HpaBehavior.apply}, {@code null} for none (the
 * HPA's defaults). Absence is an {@link java.util.Optional}, and collections are empty, never
 * null.
 */
package dev.prescaler.decision;
