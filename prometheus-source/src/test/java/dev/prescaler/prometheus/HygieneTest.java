package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.ReplicaStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HygieneTest {
  private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
  private static final Duration AGE = Duration.ofMinutes(5);

  private static QueryResult vector(QueryResult.Series... s) {
    return new QueryResult(QueryResult.Type.VECTOR, List.of(s), List.of());
  }

  private static QueryResult.Series series(Map<String, String> labels, Instant t, double v) {
    return new QueryResult.Series(labels, List.of(new QueryResult.Sample(t, v)), List.of());
  }

  private static QueryResult.Series rejected(Instant t, String text) {
    return new QueryResult.Series(Map.of(), List.of(),
        List.of(new QueryResult.Rejected(t, text)));
  }

  private static MetricReading reading(QueryResult r) {
    return Hygiene.reading("m", r, NOW, AGE, "q");
  }

  @Test
  void oneFreshFiniteSampleIsAvailable() {
    MetricReading r = reading(vector(series(Map.of(), NOW, 3.5)));
    assertThat(r).isEqualTo(MetricReading.of("m", 3.5, NOW));
  }

  @Test
  void emptyResultIsUnavailable() {
    assertThat(reading(vector()).reason())
        .isEqualTo("no data: the query matched no series (query: q)");
  }

  @Test
  void severalSeriesAreAmbiguous() {
    QueryResult r = vector(series(Map.of("pod", "a"), NOW, 1), series(Map.of("pod", "b"), NOW, 2),
        series(Map.of("pod", "c"), NOW, 3), series(Map.of("pod", "d"), NOW, 4));
    assertThat(reading(r).reason()).isEqualTo("ambiguous: the query returned 4 series where one "
        + "was expected: {pod=a}, {pod=b}, {pod=c}, ...; aggregate them, e.g. with sum(...) "
        + "(query: q)");
  }

  @Test
  void nanAndInfinityAreUnavailable() {
    assertThat(reading(vector(rejected(NOW, "NaN"))).reason())
        .isEqualTo("value is NaN at " + NOW + ", not a finite number (query: q)");
    assertThat(reading(vector(rejected(NOW, "-Inf"))).reason()).startsWith("value is -Inf at ");
  }

  @Test
  void aNewerNonFiniteSampleWinsOverAnOlderFiniteOne() {
    QueryResult.Series s = new QueryResult.Series(Map.of(),
        List.of(new QueryResult.Sample(NOW.minusSeconds(30), 1)),
        List.of(new QueryResult.Rejected(NOW.minusSeconds(15), "NaN")));
    assertThat(reading(new QueryResult(QueryResult.Type.MATRIX, List.of(s), List.of()))
        .isAvailable()).isFalse();
  }

  @Test
  void theNewestSampleOfARangeVectorIsUsed() {
    QueryResult.Series s = new QueryResult.Series(Map.of(),
        List.of(new QueryResult.Sample(NOW.minusSeconds(30), 1),
            new QueryResult.Sample(NOW.minusSeconds(15), 2)),
        List.of(new QueryResult.Rejected(NOW.minusSeconds(45), "NaN")));
    MetricReading r = reading(new QueryResult(QueryResult.Type.MATRIX, List.of(s), List.of()));
    assertThat(r).isEqualTo(MetricReading.of("m", 2, NOW.minusSeconds(15)));
  }

  @Test
  void staleSamplesAreUnavailable() {
    Instant old = NOW.minus(AGE).minusMillis(1);
    assertThat(reading(vector(series(Map.of(), old, 1))).reason())
        .isEqualTo("stale: the newest sample is from " + old + ", more than maxSampleAge PT5M "
            + "before " + NOW + " (query: q)");
    assertThat(reading(vector(series(Map.of(), NOW.minus(AGE), 1))).isAvailable()).isTrue();
  }

  @Test
  void stringResultsAreUnavailable() {
    assertThat(reading(new QueryResult(QueryResult.Type.STRING, List.of(), List.of())).reason())
        .isEqualTo("the query returned a string, not a number (query: q)");
  }

  private static QueryResult warned(QueryResult.Type type, List<QueryResult.Series> series,
      String... warnings) {
    return new QueryResult(type, series, List.of(warnings));
  }

  @Test
  void aResultWithWarningsIsUnavailableAndQuotesTheWarning() {
    QueryResult r = warned(QueryResult.Type.VECTOR, List.of(series(Map.of(), NOW, 40)),
        "partial response: 2 of 3 store APIs unavailable");

    MetricReading m = reading(r);

    assertThat(m.isAvailable()).isFalse();
    assertThat(m.reason()).isEqualTo("partial: Prometheus warned \"partial response: 2 of 3 "
        + "store APIs unavailable\"; a result with warnings may lack series and is not used "
        + "(query: q)");
  }

  @Test
  void onlyTheFirstWarningIsQuotedTruncatedAndTheOthersCounted() {
    String first = "x".repeat(200) + "TAIL";
    QueryResult r = warned(QueryResult.Type.VECTOR, List.of(series(Map.of(), NOW, 40)), first,
        "second", "third");

    assertThat(reading(r).reason()).isEqualTo("partial: Prometheus warned \"" + "x".repeat(200)
        + "...\" (and 2 more warnings); a result with warnings may lack series and is not used "
        + "(query: q)");
  }

  @Test
  void promQlInfoAnnotationsAloneDoNotRefuseTheResult() {
    String info = "PromQL info: metric might not be a counter, name does not end in _total/_sum/"
        + "_count/_bucket: \"app_requests\" (1:6)";
    QueryResult infoOnly = warned(QueryResult.Type.VECTOR, List.of(series(Map.of(), NOW, 40)),
        info);
    QueryResult infoAndWarning = warned(QueryResult.Type.VECTOR,
        List.of(series(Map.of(), NOW, 40)), info, "PromQL warning: encountered a mix of "
            + "histograms and floats for metric name \"x\"");

    assertThat(reading(infoOnly)).isEqualTo(MetricReading.of("m", 40, NOW));
    assertThat(reading(infoAndWarning).reason())
        .startsWith("partial: Prometheus warned \"PromQL warning: encountered a mix");
  }

  /**
   * Infos that say samples or series were left out (Prometheus's util/annotations: a histogram
   * ignored by an aggregation or in a mixed range, series of incompatible types dropped by a
   * binary operator) mean the result may lack data, as a warning does. So does a note that
   * infos were omitted: the omitted ones may be such infos.
   */
  @Test
  void infosThatSayDataWasLeftOutRefuseTheResult() {
    for (String info : List.of("PromQL info: ignored histogram in sum aggregation (1:1)",
        "PromQL info: ignored histograms in a range containing both floats and histograms for "
            + "metric name \"x\" (1:6)",
        "PromQL info: incompatible sample types encountered for binary operator \"+\": float + "
            + "histogram (1:1)",
        "3 more info annotations omitted")) {
      QueryResult r = warned(QueryResult.Type.VECTOR, List.of(series(Map.of(), NOW, 40)), info);

      assertThat(reading(r).isAvailable()).as(info).isFalse();
      assertThat(reading(r).reason()).as(info)
          .startsWith("partial: Prometheus warned \"" + info + "\"");
      assertThatThrownBy(() -> Hygiene.fillGrid(r, "q", NOW, Duration.ofMinutes(1), 0, 1,
          new double[1], null)).as(info).hasMessageStartingWith("partial history: ");
    }
  }

  @Test
  void infosThatLeaveNoDataOutAreIgnored() {
    for (String info : List.of("PromQL info: input to histogram_quantile needed to be fixed for "
            + "monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/"
            + "#histogram_quantile) for metric name \"x\" (1:1)",
        "PromQL info: metric might not be a counter, __type__ label is not set to \"counter\" "
            + "or \"histogram\", got \"gauge\": \"x\" (1:6)",
        "PromQL info: input to histogram_quantile has NaN observations, result is skewed higher "
            + "(1:1)")) {
      QueryResult r = warned(QueryResult.Type.VECTOR, List.of(series(Map.of(), NOW, 40)), info);

      assertThat(reading(r)).as(info).isEqualTo(MetricReading.of("m", 40, NOW));
    }
  }

  @Test
  void aWarningOnAnEmptyResultIsReportedAsTheWarning() {
    assertThat(reading(warned(QueryResult.Type.VECTOR, List.of(), "store down")).reason())
        .startsWith("partial: Prometheus warned \"store down\"");
  }

  @Test
  void replicaCountsWithWarningsAreRefused() {
    QueryResult three = vector(series(Map.of(), NOW, 3));
    QueryResult partial = warned(QueryResult.Type.VECTOR, List.of(series(Map.of(), NOW, 1)),
        "partial response");

    assertThatThrownBy(() -> Hygiene.replicas(three, partial, NOW, AGE))
        .isInstanceOf(PrometheusException.class)
        .hasMessageStartingWith("ready replicas: partial: Prometheus warned \"partial response\"");
  }

  @Test
  void aRangeWithWarningsIsRefusedAndWritesNothing() {
    QueryResult partial = warned(QueryResult.Type.MATRIX,
        List.of(series(Map.of(), NOW, 5)), "partial response: store-2 unavailable");
    double[] out = {Double.NaN};

    assertThatThrownBy(() -> Hygiene.fillGrid(partial, "q", NOW, Duration.ofMinutes(1), 0, 1,
        out, null))
        .isInstanceOf(PrometheusException.class)
        .hasMessage("partial history: Prometheus warned \"partial response: store-2 "
            + "unavailable\"; a range with warnings may lack series and is not used (query: q)");
    assertThat(out[0]).isNaN();
  }

  /** A range result of one series with the values 1, 2, ... at {@code NOW} plus each offset. */
  private static QueryResult range(long... millisAfterNow) {
    List<QueryResult.Sample> samples = new ArrayList<>();
    for (int i = 0; i < millisAfterNow.length; i++) {
      samples.add(new QueryResult.Sample(NOW.plusMillis(millisAfterNow[i]), i + 1));
    }
    return new QueryResult(QueryResult.Type.MATRIX,
        List.of(new QueryResult.Series(Map.of(), samples, List.of())), List.of());
  }

  @Test
  void aRangeSampleWithin1MsOfItsGridTimeIsPlacedThere() {
    double[] out = {Double.NaN, Double.NaN, Double.NaN};

    Hygiene.fillGrid(range(0, 4101, 8199), "q", NOW, Duration.ofMillis(4100), 0, 3, out, null);

    assertThat(out).containsExactly(1, 2, 3);
  }

  @Test
  void aRangeSampleFurtherFromItsGridTimeIsRefusedNotRounded() {
    // As Prometheus evaluates a step of 4.1 s sent as float seconds: every 4099 ms.
    QueryResult r = range(0, 4099, 8198);
    double[] out = {Double.NaN, Double.NaN, Double.NaN};

    assertThatThrownBy(() -> Hygiene.fillGrid(r, "q", NOW, Duration.ofMillis(4100), 0, 3, out,
        null))
        .isInstanceOf(PrometheusException.class)
        .hasMessage("off-grid history: the query returned a sample at 2026-11-29T10:00:08.198Z "
            + "where the grid from 2026-11-29T10:00:00Z by 4100ms has 2026-11-29T10:00:08.200Z; "
            + "samples must lie within 1 ms of the grid (query: q)");
  }

  @Test
  void replicaCountsMustBeNonNegativeIntegers() {
    QueryResult three = vector(series(Map.of(), NOW, 3));
    QueryResult two = vector(series(Map.of(), NOW, 2.0));
    assertThat(Hygiene.replicas(three, two, NOW, AGE)).isEqualTo(ReplicaStatus.of(3, 2));
    assertThatThrownBy(() -> Hygiene.replicas(vector(series(Map.of(), NOW, 2.5)), two, NOW, AGE))
        .isInstanceOf(PrometheusException.class)
        .hasMessage("current replicas must be a non-negative integer, but was 2.5");
    assertThatThrownBy(() -> Hygiene.replicas(three, vector(series(Map.of(), NOW, -1)), NOW, AGE))
        .hasMessage("ready replicas must be a non-negative integer, but was -1.0");
    assertThatThrownBy(() -> Hygiene.replicas(three, vector(), NOW, AGE))
        .hasMessageStartingWith("ready replicas: no data");
  }
}
