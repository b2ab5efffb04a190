package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Test harness around the real {@code prometheus} binary: writes a config scraping the given
 * targets every second, backfills an OpenMetrics fixture with {@code promtool tsdb
 * create-blocks-from openmetrics} into a fresh data dir, starts the server on a free loopback
 * port, and waits for {@code /-/ready}. {@link #kill()} and {@link #start()} again restart it on
 * the same port and data dir. Waiting never sleeps: it polls over HTTP and, between polls, waits
 * on the process itself ({@link Process#waitFor(long, TimeUnit)}), which also notices a crash.
 * Published in this module's test-jar for other modules' integration tests (the agent's).
 */
public final class PrometheusServer implements AutoCloseable {
  static final String INSTALL = "apt-get install -y --no-install-recommends prometheus";
  private static final Clock WALL = Clock.systemUTC();

  private final Path dir;
  private final Path data;
  private final int port;
  private final List<String> targets;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
  private Process process;
  private int starts;

  /**
   * A server (not yet started) in {@code dir}, scraping {@code targets} ({@code host:port}).
   *
   * @param fixture OpenMetrics text to backfill before the first start, or null
   */
  public PrometheusServer(Path dir, String fixture, List<String> targets) throws IOException {
    this.dir = dir;
    this.data = dir.resolve("data");
    this.targets = List.copyOf(targets);
    this.port = freePort();
    Files.createDirectories(data);
    writeConfig();
    if (fixture != null) {
      Path om = dir.resolve("fixture.om");
      Files.writeString(om, fixture, StandardCharsets.UTF_8);
      run(List.of(binary("promtool").toString(), "tsdb", "create-blocks-from", "openmetrics",
          "-q", om.toString(), data.toString()), dir.resolve("promtool.log"));
    }
  }

  /** The binary {@code name} on the PATH; fails the test, naming the install command, if absent. */
  static Path binary(String name) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        Path p = Path.of(d, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return fail(name + " is not on the PATH: these integration tests run the real Prometheus "
        + "server. Install it with: " + INSTALL);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private void writeConfig() throws IOException {
    StringBuilder b = new StringBuilder("global:\n  scrape_interval: 1s\n"
        + "  evaluation_interval: 1s\nscrape_configs:\n");
    if (targets.isEmpty()) {
      b.setLength(b.length() - 1);
      b.append(" []\n");
    } else {
      b.append("  - job_name: live\n    honor_labels: true\n    static_configs:\n"
          + "      - targets: [");
      for (int i = 0; i < targets.size(); i++) {
        b.append(i == 0 ? "'" : ", '").append(targets.get(i)).append('\'');
      }
      b.append("]\n");
    }
    Files.writeString(dir.resolve("prometheus.yml"), b.toString(), StandardCharsets.UTF_8);
  }

  private static void run(List<String> command, Path log) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(command + " did not finish in 60 s; log: " + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      fail("interrupted running " + command);
    }
    if (p.exitValue() != 0) {
      fail(command + " failed with exit code " + p.exitValue() + ": " + Files.readString(log));
    }
  }

  /** Starts the server (again, after {@link #kill()}) and waits until it is ready. */
  public PrometheusServer start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("already running");
    }
    starts++;
    Path log = dir.resolve("prometheus-" + starts + ".log");
    process = new ProcessBuilder(binary("prometheus").toString(),
        "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + data,
        "--web.listen-address=127.0.0.1:" + port,
        "--storage.tsdb.retention.time=30d")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    awaitHttp("/-/ready", body -> true, Duration.ofSeconds(30));
    return this;
  }

  /** Kills the server at once (SIGKILL), as a crash would, and waits for it to exit. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** The base URI of the HTTP API. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /** Waits until {@code promql}, evaluated now, returns a non-empty result. */
  public void awaitResult(String promql, Duration timeout) throws IOException {
    String path = "/api/v1/query?query="
        + java.net.URLEncoder.encode(promql, StandardCharsets.UTF_8);
    awaitHttp(path, body -> body.contains("\"result\":[{"), timeout);
  }

  private void awaitHttp(String path, Predicate<String> ok, Duration timeout) throws IOException {
    Instant deadline = WALL.instant().plus(timeout);
    String last = "(no answer)";
    while (WALL.instant().isBefore(deadline)) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        last = r.statusCode() + " " + r.body();
        if (r.statusCode() == 200 && ok.test(r.body())) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted waiting for " + path);
      }
      try {
        if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
          fail("prometheus exited with " + process.exitValue() + ": " + log());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted waiting for " + path);
      }
    }
    fail("prometheus did not answer " + path + " as expected within " + timeout + "; last: "
        + last + "\nlog: " + log());
  }

  private String log() throws IOException {
    Path log = dir.resolve("prometheus-" + starts + ".log");
    String s = Files.exists(log) ? Files.readString(log) : "";
    return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
