/**
 * Decision policies: the Kubernetes-HPA-faithful reactive path ({@link
 * dev.prescaler.decision.HpaPolicy}), the predictive lead ({@link
 * dev.prescaler.decision.PredictivePolicy}), noise guards, safety steps, manual overrides,
 * time-of-day bounds and the cluster capacity arbiter. {@link dev.prescaler.decision.Policies}
 * assembles the standard stacks.
 */
package dev.prescaler.decision;
