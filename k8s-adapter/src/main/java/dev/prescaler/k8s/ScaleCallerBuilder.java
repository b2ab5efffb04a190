package dev.prescaler.k8s;

import io.kubernetes.client.openapi.ApiClient;
import java.util.Map;
import java.util.Objects;

/**
 * What the components that read or write a workload's scale subresource are built with besides
 * the {@link ApiCallerBuilder} settings: the resource type of each kind. Deployments,
 * StatefulSets and ReplicaSets are registered; add other kinds with {@link #resource}. The
 * builders of {@link MetricsServerSource} and {@link ScaleSubresourceExecutor} extend it; it is
 * not meant to be extended elsewhere.
 *
 * @param <B> the concrete builder, returned by every setter so that calls chain
 */
public abstract class ScaleCallerBuilder<B extends ScaleCallerBuilder<B>>
    extends ApiCallerBuilder<B> {
  private final Map<String, ScalableResource> resources = ScalableResource.builtInsByKind();

  ScaleCallerBuilder(ApiClient client) {
    super(client);
  }

  /** Registers (or replaces) the resource type of a kind. */
  public B resource(ScalableResource resource) {
    Objects.requireNonNull(resource, "resource");
    resources.put(resource.kind(), resource);
    return self();
  }

  /** The scale subresource client for the kinds registered. */
  ScaleClient scaleClient() {
    return new ScaleClient(client, resources);
  }
}
