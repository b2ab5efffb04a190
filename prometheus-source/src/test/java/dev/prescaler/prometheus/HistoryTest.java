package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.testkit.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Range reads against a stub that answers each range query with a value per point. */
class HistoryTest {
  private static final Instant TO = Instant.parse("2026-11-29T10:00:00Z");
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final MetricTarget RPS = MetricTarget.averageValue("rps", 10);
  private static final MetricTarget CPU = MetricTarget.utilization("cpu", 70);
  private static final WorkloadSpec SPEC =
      WorkloadSpec.builder(WEB).maxReplicas(5).metric(RPS).metric(CPU).build();

  private StubPrometheus stub;

  @AfterEach
  void close() {
    if (stub != null) {
      stub.close();
    }
  }

  /**
   * Answers every range query with one series whose value at time t (seconds) is t mod 1000 for
   * queries containing "rps", and 3 for the ready-replicas query, 50 for "cpu".
   */
  private PrometheusMetricSource.Builder source() throws IOException {
    stub = new StubPrometheus();
    stub.answer(stub.range(1, (q, t) -> t % 7 == 0 ? "NaN"
        : q.contains("ready") ? "3" : q.contains("cpu") ? "50" : "" + (t % 1000)));
    return PrometheusMetricSource.builder().baseUri(stub.uri())
        .metric("rps", "sum(rate(rps_total{{selector}}[{rate_window}]))")
        .metric("cpu", "cpu{{selector}}")
        .initialBackoff(Duration.ZERO);
  }

  @Test
  void rangeReadsAreChunkedAndPlacedOnTheRequestedGrid() throws IOException {
    PrometheusMetricSource source = source().maxPointsPerRequest(1000).build();
    Instant from = TO.minus(Duration.ofSeconds(15 * 2500));

    MetricSeries s = source.history(SPEC, RPS, from, TO, Duration.ofSeconds(15)).orElseThrow();

    assertThat(s.size()).isEqualTo(2500);
    assertThat(s.start()).isEqualTo(from);
    assertThat(stub.requests()).hasSize(3);
    assertThat(stub.requests()).allSatisfy(r -> {
      assertThat(r.path()).isEqualTo("/api/v1/query_range");
      assertThat(r.form()).containsEntry("step", "15s");
    });
    long f = from.getEpochSecond();
    assertThat(stub.requests()).extracting(r -> r.form().get("start"))
        .containsExactly(f + ".000", (f + 15_000) + ".000", (f + 30_000) + ".000");
    assertThat(stub.requests()).extracting(r -> r.form().get("end"))
        .containsExactly((f + 14_985) + ".000", (f + 29_985) + ".000", (f + 37_485) + ".000");
    for (int i = 0; i < s.size(); i++) {
      long t = f + 15L * i;
      if (t % 7 == 0) {
        assertThat(s.value(i)).as("NaN at %d", i).isNaN();
      } else {
        assertThat(s.value(i)).as("value at %d", i).isEqualTo(t % 1000);
      }
    }
  }

  @Test
  void aBackendThatAlignsRangeQueriesToTheStepGetsTheGridItAlignsTo() throws IOException {
    // As the engine asks: from = now - step x (capacity + 1), which is off the minute.
    Instant now = TO.plusMillis(17_250);
    Instant from = now.minus(Duration.ofMinutes(1).multipliedBy(1441));
    Instant aligned = TO.minus(Duration.ofMinutes(1440));
    stub = new StubPrometheus();
    stub.answer(stub.aligningRange((q, t) -> q.contains("ready") ? "3" : "" + (t % 1000)));
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUri(stub.uri())
        .metric("rps", "rps{{selector}}").maxPointsPerRequest(100).build();

    MetricSeries h = source.history(SPEC, RPS, from, now, Duration.ofMinutes(1)).orElseThrow();
    MetricSeries r = source.rangeQuery("rps", from, now, Duration.ofMinutes(1));

    for (MetricSeries s : List.of(h, r)) {
      assertThat(s.start()).isEqualTo(aligned);
      assertThat(s.size()).isEqualTo(1441); // aligned, ..., TO: every whole minute in [from, now)
      assertThat(s.countPresent()).isEqualTo(1441);
      for (int i = 0; i < s.size(); i++) {
        assertThat(s.value(i)).as("value at %d", i)
            .isEqualTo(aligned.plus(Duration.ofMinutes(i)).getEpochSecond() % 1000);
      }
    }
    assertThat(stub.requests()).allSatisfy(q -> assertThat(
        Long.parseLong(q.form().get("start").replace(".", "")) % 60_000).isZero());
  }

  @Test
  void theEngineBackfillsFromABackendThatAlignsRangeQueriesToTheStep() throws IOException {
    ManualClock clock = new ManualClock(TO.plusMillis(17_250));
    stub = new StubPrometheus();
    stub.answer(stub.aligningRange((q, t) -> q.contains("replicas") ? "3" : "" + (t % 1000)));
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUri(stub.uri())
        .metric("rps", "rps{{selector}}")
        .replicaQueries(PromQlTemplates.kubeStateMetricsReplicas())
        .maxPointsPerRequest(100).build();
    List<DecisionContext> seen = new ArrayList<>();
    AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).metricSource(source)
        .journal(new InMemoryJournal())
        .policy((ctx, proposal) -> {
          seen.add(ctx);
          return proposal;
        })
        .historyLength(Duration.ofHours(6))
        .workload(WorkloadSpec.builder(WEB).maxReplicas(5).metric(RPS).build())
        .build();

    engine.tick();

    MetricSeries rps = seen.get(0).histories().get("rps");
    assertThat(rps.countPresent()).isEqualTo(360); // every closed minute of the 6 hours
    assertThat(rps.value(rps.size() - 1))
        .isEqualTo(TO.minus(Duration.ofMinutes(1)).getEpochSecond() % 1000);
  }

  @Test
  void noChunkExceedsPrometheussPointLimit() throws IOException {
    PrometheusMetricSource source = source().build();
    Instant from = TO.minus(Duration.ofDays(7));

    MetricSeries s = source.history(SPEC, RPS, from, TO, Duration.ofSeconds(15)).orElseThrow();

    assertThat(s.size()).isEqualTo(40_320);
    assertThat(stub.requests()).hasSize(5);
    for (StubPrometheus.Request r : stub.requests()) {
      double points = (Double.parseDouble(r.form().get("end"))
          - Double.parseDouble(r.form().get("start"))) / 15 + 1;
      assertThat(points).isLessThanOrEqualTo(10_000);
    }
  }

  @Test
  void nothingOlderThanMaxBackfillIsRead() throws IOException {
    PrometheusMetricSource source = source().build();
    Instant from = TO.minus(Duration.ofDays(9));

    MetricSeries s = source.history(SPEC, RPS, from, TO, Duration.ofMinutes(1)).orElseThrow();

    assertThat(s.size()).isEqualTo(9 * 1440);
    assertThat(s.value(2 * 1440 - 1)).isNaN();
    assertThat(stub.requests().get(0).form().get("start"))
        .isEqualTo(TO.minus(Duration.ofDays(7)).getEpochSecond() + ".000");
  }

  @Test
  void spansOfCenturiesAreCountedWithoutOverflow() throws IOException {
    // A thousand years is more nanoseconds than a long holds.
    PrometheusMetricSource source = source().build();
    Instant from = TO.minus(Duration.ofDays(365_250));
    Instant epoch = Instant.EPOCH;
    Duration tenYears = Duration.ofDays(3650);

    MetricSeries history = source.history(SPEC, RPS, from, TO, Duration.ofDays(1))
        .orElseThrow();
    MetricSeries range = source.rangeQuery("rps", epoch, Instant.ofEpochSecond(99_999_999_999L),
        tenYears);

    // On whole days since the epoch: from the midnight after from to the last one before TO.
    Instant midnight = TO.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    assertThat(history.start()).isEqualTo(midnight.minus(Duration.ofDays(365_249)));
    assertThat(history.size()).isEqualTo(365_250);
    assertThat(history.countPresent()).isEqualTo(6); // the last 7 days, one of them t % 7 == 0
    assertThat(history.value(365_249)).isEqualTo(midnight.getEpochSecond() % 1000);
    assertThat(range.size()).isEqualTo(318);
    assertThat(range.value(317)).isEqualTo(epoch.plus(tenYears.multipliedBy(317))
        .getEpochSecond() % 1000);
    assertThat(stub.requests()).extracting(r -> r.form().get("start")).containsExactly(
        midnight.minus(Duration.ofDays(6)).getEpochSecond() + ".000", "0.000");
  }

  @Test
  void utilizationHistoryIsLoadInPodRequests() throws IOException {
    PrometheusMetricSource source = source()
        .replicaQueries("Deployment", new ReplicaQueries("current", "ready{{selector}}")).build();

    MetricSeries s = source.history(SPEC, CPU, TO.minus(Duration.ofHours(1)), TO,
        Duration.ofMinutes(1)).orElseThrow();

    // 50 % of request on 3 ready pods: 1.5 pod-requests.
    assertThat(s.toArray()).containsOnly(1.5, Double.NaN);
    assertThat(s.countPresent()).isGreaterThan(40);
  }

  /** A mean over no ready pod measures nothing: live, the engine reads it as unknown, not 0. */
  @Test
  void utilizationHistoryIsUnknownWhereNoPodWasReady() throws IOException {
    assertUnknownWhereReadyIs("0");
  }

  /**
   * A ready count that is not a whole number (a template averaging two copies that disagree) is
   * refused live; a history step with one is missing, not rounded (2.5 was 3 pods: 1.5).
   */
  @Test
  void utilizationHistoryIsUnknownWhereTheReadyCountIsNotWhole() throws IOException {
    assertUnknownWhereReadyIs("2.5");
  }

  /**
   * A utilization history of 50 % with 3 ready pods, but {@code ready} of them at every even
   * minute: those steps must be missing, the others 1.5 pod-requests.
   */
  private void assertUnknownWhereReadyIs(String ready) throws IOException {
    stub = new StubPrometheus();
    stub.answer(stub.range(1, (q, t) -> q.contains("ready") ? (t % 120 == 0 ? ready : "3")
        : "50"));
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUri(stub.uri())
        .metric("cpu", "cpu{{selector}}")
        .replicaQueries("Deployment", new ReplicaQueries("current", "ready{{selector}}")).build();

    MetricSeries s = source.history(SPEC, CPU, TO.minus(Duration.ofHours(1)), TO,
        Duration.ofMinutes(1)).orElseThrow();

    for (int i = 0; i < s.size(); i++) {
      if (s.timeOf(i).getEpochSecond() % 120 == 0) {
        assertThat(s.value(i)).as("step %d, %s pods ready", i, ready).isNaN();
      } else {
        assertThat(s.value(i)).as("step %d, 3 pods ready", i).isEqualTo(1.5);
      }
    }
  }

  @Test
  void utilizationHistoryNeedsReplicaQueries() throws IOException {
    PrometheusMetricSource source = source().build();

    Optional<MetricSeries> s = source.history(SPEC, CPU, TO.minus(Duration.ofHours(1)), TO,
        Duration.ofMinutes(1));

    assertThat(s).isEmpty();
    assertThat(stub.requests()).isEmpty();
  }

  @Test
  void aMetricWithoutTemplateHasNoHistory() throws IOException {
    PrometheusMetricSource source = source().build();

    assertThat(source.history(SPEC, MetricTarget.averageValue("other", 1),
        TO.minus(Duration.ofHours(1)), TO, Duration.ofMinutes(1))).isEmpty();
  }

  @Test
  void severalSeriesInARangeResultFail() throws IOException {
    stub = new StubPrometheus();
    stub.answer(StubPrometheus.json(200, "{\"status\":\"success\",\"data\":{\"resultType\":"
        + "\"matrix\",\"result\":[{\"metric\":{\"pod\":\"a\"},\"values\":[]},"
        + "{\"metric\":{\"pod\":\"b\"},\"values\":[]}]}}"));
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUri(stub.uri())
        .metric("rps", "x").build();

    assertThatThrownBy(() -> source.history(SPEC, RPS, TO.minus(Duration.ofHours(1)), TO,
        Duration.ofMinutes(1)))
        .isInstanceOf(PrometheusException.class)
        .hasMessage("ambiguous history: the query returned 2 series where one was expected: "
            + "{pod=a}, {pod=b} (query: x)");
  }

  /**
   * Answers a range query with one point per request, at its start: in a series labelled {@code
   * labels} (JSON) when the request starts before {@code switchAt}, else in one labelled {@code
   * later} (no series at all when that is null).
   */
  private StubPrometheus.Answer labelledFrom(String labels, long switchAt, String later) {
    return exchange -> {
      StubPrometheus.Request req = stub.requests().get(stub.requests().size() - 1);
      long start = new java.math.BigDecimal(req.form().get("start")).longValueExact();
      String metric = start < switchAt ? labels : later;
      String result = metric == null ? ""
          : "{\"metric\":" + metric + ",\"values\":[[" + start + ",\"7\"]]}";
      StubPrometheus.json(200, "{\"status\":\"success\",\"data\":{\"resultType\":"
          + "\"matrix\",\"result\":[" + result + "]}}").handle(exchange);
    };
  }

  @Test
  void aSeriesThatChangesFromOneChunkToTheNextIsAmbiguous() throws IOException {
    // Read in one request, the span would hold two series; chunk by chunk, each holds one.
    Instant from = TO.minus(Duration.ofMinutes(10));
    stub = new StubPrometheus();
    stub.answer(labelledFrom("{\"pod\":\"a\"}", from.getEpochSecond() + 300,
        "{\"pod\":\"b\"}"));
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUri(stub.uri())
        .metric("rps", "x").maxPointsPerRequest(5).build();
    String ambiguous = "ambiguous history: the query returned 2 series where one was expected: "
        + "{pod=a}, {pod=b} (query: x)";

    assertThatThrownBy(() -> source.rangeQuery("x", from, TO, Duration.ofMinutes(1)))
        .isInstanceOf(PrometheusException.class).hasMessage(ambiguous);
    assertThatThrownBy(() -> source.history(SPEC, RPS, from, TO, Duration.ofMinutes(1)))
        .isInstanceOf(PrometheusException.class).hasMessage(ambiguous);
    assertThat(stub.requests()).hasSize(4);
  }

  @Test
  void aChunkWithoutSeriesDoesNotMakeTheNextOnesAmbiguous() throws IOException {
    Instant from = TO.minus(Duration.ofMinutes(15));
    stub = new StubPrometheus();
    stub.answer(labelledFrom(null, from.getEpochSecond() + 300, "{\"pod\":\"b\"}"));
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUri(stub.uri())
        .metric("rps", "x").maxPointsPerRequest(5).build();

    MetricSeries s = source.rangeQuery("x", from, TO, Duration.ofMinutes(1));

    assertThat(stub.requests()).hasSize(3);
    assertThat(s.toArray()).containsExactly(Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, 7, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 7, Double.NaN, Double.NaN,
        Double.NaN, Double.NaN);
  }

  @Test
  void aRangeResultWithWarningsFails() throws IOException {
    stub = new StubPrometheus();
    stub.answer(StubPrometheus.json(200, "{\"status\":\"success\",\"warnings\":[\"partial "
        + "response: store-2 unavailable\"],\"data\":{\"resultType\":\"matrix\",\"result\":"
        + "[{\"metric\":{},\"values\":[[1795946400,\"1\"]]}]}}"));
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUri(stub.uri())
        .metric("rps", "x").build();

    assertThatThrownBy(() -> source.history(SPEC, RPS, TO.minus(Duration.ofHours(1)), TO,
        Duration.ofMinutes(1)))
        .isInstanceOf(PrometheusException.class)
        .hasMessage("partial history: Prometheus warned \"partial response: store-2 "
            + "unavailable\"; a range with warnings may lack series and is not used (query: x)");
  }

  @Test
  void aFailedRangeReadThrowsWithPrometheussError() throws IOException {
    stub = new StubPrometheus();
    stub.answer(StubPrometheus.json(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
        + "\"error\":\"exceeded maximum resolution of 11,000 points per timeseries\"}"));
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUri(stub.uri())
        .metric("rps", "x").build();

    assertThatThrownBy(() -> source.history(SPEC, RPS, TO.minus(Duration.ofHours(1)), TO,
        Duration.ofMinutes(1)))
        .isInstanceOfSatisfying(PrometheusApiException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.errorType()).isEqualTo("bad_data");
          assertThat(e.error()).isEqualTo(
              "exceeded maximum resolution of 11,000 points per timeseries");
        });
  }

  @Test
  void history_badArguments() throws IOException {
    PrometheusMetricSource source = source().build();
    assertThatThrownBy(() -> source.history(SPEC, RPS, TO, TO, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("from must be before to (" + TO + "), but was " + TO);
    assertThatThrownBy(() -> source.history(SPEC, RPS, TO.minusSeconds(60), TO, Duration.ZERO))
        .hasMessage("step must be in [1 ms, 106751 days] in whole milliseconds, but was PT0S");
    assertThat(List.of(stub.requests())).containsExactly(List.of());
  }

  @Test
  void aStepWithASubMillisecondPartIsRefused() throws IOException {
    // Prometheus takes the step in milliseconds: 1.5 ms would be read on a grid of 1 ms.
    PrometheusMetricSource source = source().build();
    Duration subMillis = Duration.ofNanos(1_500_000);

    assertThatThrownBy(() -> source.history(SPEC, RPS, TO.minusSeconds(60), TO, subMillis))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step must be in [1 ms, 106751 days] in whole milliseconds, but was PT0.0015S");
    assertThatThrownBy(() -> source.rangeQuery("x", TO.minusSeconds(60), TO, subMillis))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step must be in [1 ms, 106751 days] in whole milliseconds, but was PT0.0015S");
    assertThat(stub.requests()).isEmpty();
  }

  /**
   * Catches a step whose milliseconds overflow a long thrown as an ArithmeticException, neither
   * documented nor caught by callers (export prints one line for an IllegalArgumentException):
   * across the epoch the grid holds one step, whose request overflowed {@code toMillis()}.
   * Prometheus counts a step in 64-bit nanoseconds, so 106,751 days is the longest it takes.
   */
  @Test
  void aStepLongerThanPrometheusTakesIsRefused() throws IOException {
    PrometheusMetricSource source = source().build();
    Instant from = Instant.parse("1960-01-01T00:00:00Z");
    for (Duration step : List.of(Duration.ofSeconds(Long.MAX_VALUE),
        Duration.ofDays(106_752))) {
      String message = "step must be in [1 ms, 106751 days] in whole milliseconds, but was "
          + step;
      assertThatThrownBy(() -> source.rangeQuery("x", from, TO, step))
          .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
      // history read nothing (the one step is past maxBackfill) and returned it as a series.
      assertThatThrownBy(() -> source.history(SPEC, RPS, from, TO, step))
          .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
    assertThat(stub.requests()).isEmpty();
  }
}
