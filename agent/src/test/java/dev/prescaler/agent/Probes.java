package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;

/**
 * What the agent's probe tests share: the kubelet's view of {@code /healthz} and {@code /readyz},
 * and gates that hold the Kubernetes API requests about one workload, as a slow metric source
 * holds a round.
 */
final class Probes {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private Probes() {}

  /**
   * What a probe of {@code path} on loopback gets: the status and the body ({@code "200 ok\n"}),
   * or {@code "refused"} when nothing listens on the port.
   */
  static String probe(int port, String path) throws IOException, InterruptedException {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() + " " + r.body();
    } catch (ConnectException e) {
      return "refused";
    }
  }

  /** Blocks whoever passes it until opened, ignoring interrupts as a blocking socket read does. */
  static final class Gate {
    final CountDownLatch open = new CountDownLatch(1);
    final CountDownLatch reached = new CountDownLatch(1);

    void pass() {
      reached.countDown();
      boolean interrupted = false;
      while (true) {
        try {
          open.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    /** Waits (30 s at most) until a request reached the gate. */
    void awaitReached() throws InterruptedException {
      assertThat(reached.await(30, TimeUnit.SECONDS)).as("a request reached the gate").isTrue();
    }
  }

  /**
   * Holds every API request about workload {@code name} (its {@code scale}: the Metrics Server
   * source reads it first) at that workload's gate until the gate opens.
   */
  static final class WorkloadGates implements Interceptor {
    final Map<String, Gate> gates = new ConcurrentHashMap<>();

    Gate gate(String name) {
      return gates.computeIfAbsent(name, n -> new Gate());
    }

    void openAll() {
      gates.values().forEach(g -> g.open.countDown());
    }

    @Override
    public okhttp3.Response intercept(Chain chain) throws IOException {
      String path = chain.request().url().encodedPath();
      gates.forEach((name, gate) -> {
        if (path.endsWith("/" + name + "/scale")) {
          gate.pass();
        }
      });
      return chain.proceed(chain.request());
    }
  }

  /** Waits until {@code t} is blocked on a monitor, as a close waiting for a round's lock is. */
  static void awaitBlocked(Thread t) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (t.getState() != Thread.State.BLOCKED) {
      assertThat(System.nanoTime() - deadline).as(t.getName() + " blocked").isNegative();
      Thread.onSpinWait();
    }
  }
}
