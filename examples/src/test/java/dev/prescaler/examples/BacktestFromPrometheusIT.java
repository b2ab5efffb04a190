package dev.prescaler.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prescaler.prometheus.PrometheusServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's backtest on your own history, end to end with the real Prometheus server: two days
 * of a request counter are backfilled, {@code prescaler export} writes their rate as a trace, and
 * {@code prescaler simulate} replays it.
 */
class BacktestFromPrometheusIT {
  private static final int DAYS = 2;

  @TempDir Path dir;

  /** Requests per second at {@code s} seconds from the start: a daily cycle from 20 to 180. */
  private static double rps(long s) {
    return 100 + 80 * Math.sin(2 * Math.PI * s / 86_400.0);
  }

  private static String fixture(Instant start) {
    StringBuilder b = new StringBuilder(1 << 20).append("# TYPE http_requests counter\n");
    double count = 1e6; // a counter that was already running: rate() extrapolates from its start
    long s0 = start.getEpochSecond();
    for (long s = 0; s <= DAYS * 86_400L; s += 60) {
      b.append("http_requests_total{job=\"web\"} ").append(count).append(' ').append(s0 + s)
          .append('\n');
      count += rps(s) * 60;
    }
    return b.append("# EOF\n").toString();
  }

  @Test
  void exportThenSimulate() throws Exception {
    Instant end = Clock.systemUTC().instant().minus(Duration.ofMinutes(3))
        .truncatedTo(ChronoUnit.MINUTES);
    Instant start = end.minus(Duration.ofDays(DAYS));
    Path trace = dir.resolve("web-rps.csv");
    try (PrometheusServer prometheus = new PrometheusServer(dir.resolve("prometheus"),
        fixture(start), List.of()).start()) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = Prescaler.run(new String[] {"export", "--prometheus",
          prometheus.uri().toString(), "--query", "sum(rate(http_requests_total{job=\"web\"}[2m]))",
          "--from", start.toString(), "--to", end.toString(), "--out", trace.toString()},
          System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
      assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    }
    List<String> lines = Files.readAllLines(trace);
    assertThat(lines).hasSize(2 + DAYS * 1440 - 1); // rate() has no value at the first sample
    // rate() is the counter's slope over the last two minutes, in which the rate moves by
    // under 0.7 requests per second.
    for (int i = 2; i < lines.size(); i += 97) {
      String[] f = lines.get(i).split(",");
      long s = Duration.between(start, Instant.parse(f[0])).getSeconds();
      assertThat(Double.parseDouble(f[1])).as(lines.get(i)).isCloseTo(rps(s - 60), within(1.0));
    }

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Prescaler.run(new String[] {"simulate", "--trace", trace.toString(), "--policies",
        "hpa,predictive", "--no-sweep", "--format", "json"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    String json = out.toString(StandardCharsets.UTF_8);
    assertThat(json).startsWith("{\"trace\":\"web-rps.csv\"")
        // two days less two minutes, on the 15 s grid
        .contains("\"steps\":" + ((DAYS * 86_400 - 120) / 15 + 1))
        .contains("{\"name\":\"hpa\"").contains("{\"name\":\"predictive\"");
  }
}
