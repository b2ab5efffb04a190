/**
 * Tools for testing Prescaler plug-ins and engines with any test framework: {@link
 * dev.prescaler.testkit.ManualClock}, in-memory fakes to run an engine against ({@link
 * dev.prescaler.testkit.InMemoryMetricSource}, {@link dev.prescaler.testkit.InMemoryCluster}),
 * seeded generators ({@link dev.prescaler.testkit.Generators}, plain functions of {@link
 * java.util.Random}), contract checks that return the violations found ({@link
 * dev.prescaler.testkit.ForecasterContract}, {@link dev.prescaler.testkit.DecisionPolicyContract},
 * {@link dev.prescaler.testkit.MetricSourceContract}, {@link
 * dev.prescaler.testkit.ScaleExecutorContract}) and the one definition of the engine's decision
 * invariants ({@link dev.prescaler.testkit.DecisionInvariants}).
 *
 * <p>Every check returns an unmodifiable list: copy it ({@code new ArrayList<>(...)}) to add the
 * violations of another check to it.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.testkit;
