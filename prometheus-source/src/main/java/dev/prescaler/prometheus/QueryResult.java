package dev.prescaler.prometheus;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A parsed successful answer of {@code /api/v1/query} or {@code /api/v1/query_range}. Every
 * {@link Sample} value is finite; values that were NaN, infinite or out of range are kept apart as
 * {@link Rejected} so that hygiene can say why there is no number.
 *
 * @param type the {@code resultType}
 * @param series the series; a scalar is one series with no labels; a string result has none
 * @param warnings Prometheus's warnings, then its infos (PromQL's info annotations), if any
 */
record QueryResult(Type type, List<Series> series, List<String> warnings) {

  /** Prometheus's {@code resultType}. */
  enum Type {
    VECTOR, MATRIX, SCALAR, STRING
  }

  QueryResult {
    Objects.requireNonNull(type, "type");
    series = List.copyOf(series);
    warnings = List.copyOf(warnings);
  }

  /** One finite sample. */
  record Sample(Instant timestamp, double value) {
    Sample {
      Objects.requireNonNull(timestamp, "timestamp");
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("sample value must be finite, but was " + value);
      }
    }
  }

  /** A sample whose value is not a finite number, with its text as Prometheus sent it. */
  record Rejected(Instant timestamp, String text) {
    Rejected {
      Objects.requireNonNull(timestamp, "timestamp");
      Objects.requireNonNull(text, "text");
    }
  }

  /** One labelled series (labels sorted by name), samples in the order received. */
  record Series(Map<String, String> labels, List<Sample> samples, List<Rejected> rejected) {
    Series {
      labels = Collections.unmodifiableMap(new TreeMap<>(labels));
      samples = List.copyOf(samples);
      rejected = List.copyOf(rejected);
    }
  }
}
