/**
 * The Prescaler agent: runs the engine in a cluster from a YAML configuration, starts every
 * workload observe-only, promotes it to acting once its measured forecast accuracy and its
 * counterfactual pass configured gates (or when the operator says so), demotes it when accuracy
 * degrades or metrics fail, and exposes its own metrics in Prometheus format.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.agent;
