package dev.prescaler.k8s;

import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;

/** An okhttp mockwebserver3 on loopback with helpers for Kubernetes-shaped answers. */
final class Wire implements AutoCloseable {
  final MockWebServer server = new MockWebServer();

  Wire() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An adapter client with the given read timeout. */
  ApiClient client(Duration readTimeout) {
    String url = server.url("/").toString();
    return TestClients.adapter(url.substring(0, url.length() - 1), readTimeout);
  }

  ApiClient client() {
    return client(Duration.ofSeconds(5));
  }

  Wire json(int code, String body) {
    server.enqueue(new MockResponse.Builder().code(code)
        .setHeader("Content-Type", "application/json").body(body).build());
    return this;
  }

  Wire status(int code, String reason, String message) {
    return json(code, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
        + "\"message\":\"" + message.replace("\"", "\\\"") + "\",\"reason\":\"" + reason
        + "\",\"code\":" + code + "}");
  }

  Wire tooManyRequests(int retryAfterSeconds) {
    server.enqueue(new MockResponse.Builder().code(429)
        .setHeader("Content-Type", "application/json")
        .setHeader("Retry-After", Integer.toString(retryAfterSeconds))
        .body("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
            + "\"Too many requests, please try again later.\",\"reason\":\"TooManyRequests\","
            + "\"code\":429}").build());
    return this;
  }

  /** A response that never comes: the client's read times out. */
  Wire stall() {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE)
        .build());
    return this;
  }

  static String scale(String name, int spec, int status, String rv, String selector) {
    return "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\""
        + name + "\",\"namespace\":\"default\",\"resourceVersion\":\"" + rv + "\"},\"spec\":"
        + "{\"replicas\":" + spec + "},\"status\":{\"replicas\":" + status + ",\"selector\":\""
        + selector + "\"}}";
  }

  /** An apps/v1 Deployment as the API returns it, with its controller's status counts. */
  static String deployment(String name, int spec, int statusReplicas, int readyReplicas) {
    return "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\""
        + name + "\",\"namespace\":\"default\",\"resourceVersion\":\"1\"},\"spec\":"
        + "{\"replicas\":" + spec + ",\"selector\":{\"matchLabels\":{\"app\":\"" + name
        + "\"}}},\"status\":{\"replicas\":" + statusReplicas + ",\"readyReplicas\":"
        + readyReplicas + ",\"updatedReplicas\":" + statusReplicas + "}}";
  }

  static String emptyList(String apiVersion, String kind) {
    return "{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + kind
        + "\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}";
  }

  /** The requests received so far, in order (waits briefly for each). */
  List<RecordedRequest> requests() {
    List<RecordedRequest> out = new ArrayList<>();
    try {
      RecordedRequest r;
      while ((r = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
        out.add(r);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  static String line(RecordedRequest r) {
    return r.getMethod() + " " + r.getTarget();
  }

  @Override
  public void close() {
    server.close();
  }
}
