package dev.prescaler.prometheus;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.cli.Printable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Turns parsed results into readings, replica counts and grid values, refusing every number that
 * was not measured: a result with warnings, an empty result, several series where one was
 * expected, NaN, ±Inf and stale samples all give a reason instead of a value.
 */
final class Hygiene {
  /*
   * Warnings: Prometheus, Thanos, Mimir and Cortex answer "success" with a "warnings" list when
   * the result may be partial (a store or remote-read endpoint did not answer, a query limit cut
   * series). A partial sum under-reads, and an under-read scales down under load, so any warning
   * refuses the result. PromQL's info annotations ("PromQL info: ..."), which newer Prometheus
   * sends apart in "infos" (the parser adds them to the warnings) and older Prometheus and Thanos
   * in "warnings", are judged one by one (Prometheus's util/annotations). Most leave no data out:
   * "metric might not be a counter", the monotonicity fix of histogram_quantile, NaN observations
   * that skew a quantile (a NaN result is refused as NaN) or that histogram_fraction excludes (they
   * are no measurement). Three say samples or series were left out, and refuse the result as a
   * warning does: a histogram ignored by an aggregation or in a range mixing floats and
   * histograms, and series of incompatible types a binary operator dropped. So does any other
   * text, such as "3 more info annotations omitted", which may stand for such infos.
   */
  private static final int MAX_LISTED = 3;
  private static final int MAX_WARNING = 200;
  private static final String INFO_PREFIX = "PromQL info:";
  private static final List<String> LEFT_OUT = List.of(
      "PromQL info: ignored histogram in ",
      "PromQL info: ignored histograms in a range containing both floats and histograms",
      "PromQL info: incompatible sample types encountered for binary operator");
  /** How far a range sample may lie from its grid time: the API's timestamps are milliseconds. */
  private static final Duration MAX_GRID_DRIFT = Duration.ofMillis(1);

  private Hygiene() {}

  /** The one number of an instant result, or why there is none. */
  static MetricReading reading(String metric, QueryResult r, Instant now, Duration maxSampleAge,
      String query) {
    Newest n = newest(r, now, maxSampleAge, query);
    return n.reason != null ? MetricReading.unavailable(metric, n.reason)
        : MetricReading.of(metric, n.value, n.time);
  }

  /**
   * The replica counts from the current and ready results.
   *
   * @throws PrometheusException when either is unavailable or not a non-negative integer
   */
  static ReplicaStatus replicas(QueryResult current, QueryResult ready, Instant now,
      Duration maxSampleAge) {
    int c = count("current replicas", current, now, maxSampleAge);
    int r = count("ready replicas", ready, now, maxSampleAge);
    return ReplicaStatus.of(c, r);
  }

  /**
   * The pods that exist, from the result of an existing-count query.
   *
   * @throws PrometheusException when it is unavailable or not a non-negative integer, for the
   *     same reasons as the current and ready counts
   */
  static int existingReplicas(QueryResult existing, Instant now, Duration maxSampleAge) {
    return count("existing replicas", existing, now, maxSampleAge);
  }

  private static int count(String what, QueryResult result, Instant now, Duration maxAge) {
    Newest n = newest(result, now, maxAge, what);
    if (n.reason != null) {
      throw new PrometheusException(what + ": " + n.reason);
    }
    double v = n.value;
    if (!isCount(v)) {
      throw new PrometheusException(
          what + " must be a non-negative integer, but was " + v);
    }
    return (int) Math.rint(v);
  }

  /** Whether {@code v} is a replica count: a whole number (within 1e-9) in [0, 2^31 - 1]. */
  static boolean isCount(double v) {
    return v >= 0 && v <= Integer.MAX_VALUE && Math.abs(v - Math.rint(v)) <= 1e-9;
  }

  private record Newest(double value, Instant time, String reason) {
    static Newest no(String reason) {
      return new Newest(Double.NaN, Instant.EPOCH, reason);
    }
  }

  private static Newest newest(QueryResult r, Instant now, Duration maxAge, String asked) {
    String query = PromQl.shown(asked);
    String warned = warned(r);
    if (warned != null) {
      return Newest.no("partial: " + warned + "; a result with warnings may lack series and is "
          + "not used (query: " + query + ")");
    }
    if (r.type() == QueryResult.Type.STRING) {
      return Newest.no("the query returned a string, not a number (query: " + query + ")");
    }
    List<QueryResult.Series> series = r.series();
    if (series.isEmpty()) {
      return Newest.no("no data: the query matched no series (query: " + query + ")");
    }
    if (series.size() > 1) {
      return Newest.no("ambiguous: the query returned " + series.size()
          + " series where one was expected: " + labels(series)
          + "; aggregate them, e.g. with sum(...) (query: " + query + ")");
    }
    QueryResult.Series s = series.get(0);
    QueryResult.Sample best = null;
    for (QueryResult.Sample x : s.samples()) {
      if (best == null || !x.timestamp().isBefore(best.timestamp())) {
        best = x;
      }
    }
    QueryResult.Rejected bad = null;
    for (QueryResult.Rejected x : s.rejected()) {
      if (bad == null || !x.timestamp().isBefore(bad.timestamp())) {
        bad = x;
      }
    }
    if (bad != null && (best == null || !bad.timestamp().isBefore(best.timestamp()))) {
      return Newest.no("value is " + bad.text() + " at " + bad.timestamp()
          + ", not a finite number (query: " + query + ")");
    }
    if (best == null) {
      return Newest.no("no data: the series has no sample (query: " + query + ")");
    }
    if (best.timestamp().isBefore(now.minus(maxAge))) {
      return Newest.no("stale: the newest sample is from " + best.timestamp() + ", more than "
          + "maxSampleAge " + maxAge + " before " + now + " (query: " + query + ")");
    }
    return new Newest(best.value(), best.timestamp(), null);
  }

  /**
   * {@code Prometheus warned "<first warning>"}, truncated, with the count of further warnings,
   * when the result carries a warning other than a PromQL info annotation that leaves no data
   * out; null otherwise.
   */
  private static String warned(QueryResult r) {
    String first = null;
    int count = 0;
    for (String w : r.warnings()) {
      if (!harmless(w)) {
        first = first == null ? w : first;
        count++;
      }
    }
    if (first == null) {
      return null;
    }
    String quoted = first.length() > MAX_WARNING ? first.substring(0, MAX_WARNING) + "..." : first;
    // Escaped again: the cut may split a surrogate pair.
    return "Prometheus warned \"" + Printable.escape(quoted) + "\""
        + (count > 1 ? " (and " + (count - 1) + " more warning" + (count > 2 ? "s" : "") + ")"
            : "");
  }

  /** Whether {@code warning} is a PromQL info annotation that says no data was left out. */
  private static boolean harmless(String warning) {
    if (!warning.startsWith(INFO_PREFIX)) {
      return false;
    }
    for (String prefix : LEFT_OUT) {
      if (warning.startsWith(prefix)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The label sets of the first series, for a message: escaped as {@link Printable#escape}
   * escapes, since a label value is whatever was scraped ({@code {pod=new\x0aline}}).
   */
  private static String labels(List<QueryResult.Series> series) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(MAX_LISTED, series.size()); i++) {
      b.append(i == 0 ? "" : ", ").append(Printable.escape(series.get(i).labels().toString()));
    }
    if (series.size() > MAX_LISTED) {
      b.append(", ...");
    }
    return b.toString();
  }

  /**
   * Writes the finite samples of a range result, one chunk of a longer read, into {@code
   * out[i0..i1)}, where index {@code i} belongs to the instant {@code from + i × step}; everything
   * else stays as it was (NaN).
   *
   * @param earlier the series an earlier chunk of the same read returned, null if none did
   * @return the series of this chunk, or {@code earlier} when it has none
   * @throws PrometheusException when the result carries warnings or holds several series, its
   *     series is not the one an earlier chunk returned (the span read at once would hold both),
   *     or a sample lies more than 1 ms from the grid (the query was evaluated on another grid,
   *     and its values belong to other times)
   */
  static QueryResult.Series fillGrid(QueryResult r, String asked, Instant from, Duration step,
      int i0, int i1, double[] out, QueryResult.Series earlier) {
    String query = PromQl.shown(asked);
    String warned = warned(r);
    if (warned != null) {
      throw new PrometheusException("partial history: " + warned + "; a range with warnings may "
          + "lack series and is not used (query: " + query + ")");
    }
    if (r.series().size() > 1) {
      throw ambiguousHistory(r.series(), query);
    }
    if (r.series().isEmpty()) {
      return earlier;
    }
    QueryResult.Series series = r.series().get(0);
    if (earlier != null && !earlier.labels().equals(series.labels())) {
      throw ambiguousHistory(List.of(earlier, series), query);
    }
    // In seconds, not nanoseconds: a grid of long steps can span more than a long of nanoseconds.
    double stepSeconds = seconds(step);
    for (QueryResult.Sample s : series.samples()) {
      long idx = Math.round(seconds(Duration.between(from, s.timestamp())) / stepSeconds);
      if (idx < 0 || idx >= out.length) {
        continue;
      }
      Instant grid = from.plus(step.multipliedBy(idx));
      if (Duration.between(grid, s.timestamp()).abs().compareTo(MAX_GRID_DRIFT) > 0) {
        String by = PromQl.duration(step.toMillis());
        throw new PrometheusException("off-grid history: the query returned a sample at "
            + s.timestamp() + " where the grid from " + from + " by " + by + " has " + grid
            + "; samples must lie within 1 ms of the grid (query: " + query + ")");
      }
      if (idx >= i0 && idx < i1) {
        out[(int) idx] = s.value();
      }
    }
    return series;
  }

  private static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }

  private static PrometheusException ambiguousHistory(List<QueryResult.Series> series,
      String query) {
    return new PrometheusException("ambiguous history: the query returned " + series.size()
        + " series where one was expected: " + labels(series) + " (query: " + query + ")");
  }
}
