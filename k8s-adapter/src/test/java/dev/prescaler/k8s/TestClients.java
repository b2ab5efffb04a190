package dev.prescaler.k8s;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.FileReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** API clients for tests: the adapter's (with a read timeout) and the fixtures'. */
final class TestClients {
  private TestClients() {}

  /** An adapter client for {@code baseUrl} with the given read timeout. */
  static ApiClient adapter(String baseUrl, Duration readTimeout) {
    ApiClient c = new ClientBuilder().setBasePath(baseUrl).build();
    return withReadTimeout(c, readTimeout);
  }

  /** A fixture client for {@code baseUrl}. */
  static ApiClient fixture(String baseUrl) {
    return new ClientBuilder().setBasePath(baseUrl).build();
  }

  /** A client from a kubeconfig file; an adapter's gets a read timeout of 30 s. */
  static ApiClient fromKubeconfig(String path, boolean adapter) {
    try (Reader r = new FileReader(path, StandardCharsets.UTF_8)) {
      ApiClient c = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(r)).build();
      return adapter ? withReadTimeout(c, Duration.ofSeconds(30)) : c;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read kubeconfig " + path + ": " + e, e);
    }
  }

  private static ApiClient withReadTimeout(ApiClient c, Duration readTimeout) {
    c.setHttpClient(c.getHttpClient().newBuilder().readTimeout(readTimeout).build());
    return c;
  }
}
