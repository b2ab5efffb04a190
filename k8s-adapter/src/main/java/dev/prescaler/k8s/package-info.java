/**
 * The Kubernetes adapter: executors that apply decisions through the official Kubernetes Java
 * client ({@link dev.prescaler.k8s.ScaleSubresourceExecutor}, {@link
 * dev.prescaler.k8s.HpaFloorExecutor}), a metric source over the Metrics Server ({@link
 * dev.prescaler.k8s.MetricsServerSource}), a listener that records Kubernetes Events ({@link
 * dev.prescaler.k8s.KubernetesEventListener}), leader election on Leases ({@link
 * dev.prescaler.k8s.LeaseElector}, {@link dev.prescaler.k8s.ShardedLeaderElection}) and a
 * ConfigMap that keeps each workload's earned mode for the next leader ({@link
 * dev.prescaler.k8s.ModeStore}).
 *
 * <p>Nullness: no {@code null} crosses this API. Timestamps come only from an injected {@link
 * java.time.Clock}, elapsed times (leases, waits, retry budgets, caches) only from an injected
 * monotonic ticker ({@code System::nanoTime} by default); waits between retries go through an
 * injected {@link dev.prescaler.k8s.Sleeper}.
 */
package dev.prescaler.k8s;
