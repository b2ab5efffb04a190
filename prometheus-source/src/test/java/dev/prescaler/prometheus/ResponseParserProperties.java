package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzz-style properties of {@link ResponseParser} over generated inputs: well-formed answers with
 * random values, the same answers mutated (truncated, bytes flipped, tokens swapped), and random
 * JSON-ish text. Inputs are built from a seed that QuickTheories draws, so any failure shrinks to
 * a seed that can be replayed.
 */
class ResponseParserProperties {
  private static final String[] VALUES = {"0", "1.5", "-3", "1e3", "2.5E-7", "NaN", "+Inf",
      "-Inf", "Inf", "1e400", "-1e999", "abc", "", "0x10", "1_000", "١٢", "1.", ".5", "+.5e+5"};
  private static final String[] TOKENS = {"{", "}", "[", "]", ",", ":", "\"", "null", "true",
      "1e309", "-0", "\"status\"", "\"success\"", "\"error\"", "\"data\"", "\"resultType\"",
      "\"vector\"", "\"matrix\"", "\"scalar\"", "\"string\"", "\"result\"", "\"metric\"",
      "\"value\"", "\"values\"", "\"histogram\"", "\"NaN\"", "\"+Inf\"", "1795942891.847",
      "99999999999999999999999", "1e99999999", "\"\\u0000\"", "\"\\ud800\""};

  /**
   * For any input the parser returns a result whose every sample is finite, or throws a {@link
   * PrometheusException} (a parse error, or an API error for a well-formed error answer) with a
   * message; it throws nothing else.
   */
  @Test
  void neverThrowsAnythingButAParseErrorAndNeverYieldsANonFiniteNumber() {
    qt().withExamples(1500).forAll(longs().all(), integers().between(0, 3))
        .checkAssert((seed, kind) -> check(input(new Random(seed), kind)));
  }

  /** Well-formed answers with finite numeric values always parse, and keep every value. */
  @Test
  void wellFormedAnswersParseExactly() {
    qt().withExamples(500).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      int n = r.nextInt(20);
      double[] values = new double[n];
      StringBuilder b = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":"
          + "\"matrix\",\"result\":[{\"metric\":{\"pod\":\"p\"},\"values\":[");
      for (int i = 0; i < n; i++) {
        values[i] = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(40) - 20);
        b.append(i == 0 ? "" : ",").append('[').append(1_700_000_000 + i * 15).append(".5,\"")
            .append(values[i]).append("\"]");
      }
      b.append("]}]}}");
      QueryResult q = ResponseParser.parse(b.toString().getBytes(StandardCharsets.UTF_8), 200,
          "q");
      assertThat(q.series().get(0).samples()).extracting(QueryResult.Sample::value)
          .containsExactly(java.util.Arrays.stream(values).boxed().toArray(Double[]::new));
      for (int i = 0; i < n; i++) {
        assertThat(q.series().get(0).samples().get(i).timestamp().toEpochMilli())
            .isEqualTo((1_700_000_000L + i * 15) * 1000 + 500);
      }
    });
  }

  private static void check(byte[] input) {
    QueryResult r;
    try {
      r = ResponseParser.parse(input, 200, "q");
    } catch (PrometheusParseException | PrometheusApiException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    for (QueryResult.Series s : r.series()) {
      for (QueryResult.Sample x : s.samples()) {
        assertThat(Double.isFinite(x.value())).as("value %s", x.value()).isTrue();
        assertThat(x.timestamp()).isNotNull();
      }
    }
  }

  private static byte[] input(Random r, int kind) {
    switch (kind) {
      case 0:
        return valid(r).getBytes(StandardCharsets.UTF_8);
      case 1: {
        byte[] b = valid(r).getBytes(StandardCharsets.UTF_8);
        int flips = 1 + r.nextInt(4);
        for (int i = 0; i < flips && b.length > 0; i++) {
          b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
        return b;
      }
      case 2: {
        String v = valid(r);
        return v.substring(0, r.nextInt(v.length() + 1)).getBytes(StandardCharsets.UTF_8);
      }
      default: {
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(40);
        for (int i = 0; i < n; i++) {
          b.append(TOKENS[r.nextInt(TOKENS.length)]);
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
      }
    }
  }

  private static String valid(Random r) {
    String[] types = {"vector", "matrix", "scalar", "string"};
    String type = types[r.nextInt(types.length)];
    StringBuilder b = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"")
        .append(type).append("\",\"result\":");
    if (type.equals("scalar") || type.equals("string")) {
      b.append(point(r));
    } else {
      b.append('[');
      int n = r.nextInt(4);
      for (int i = 0; i < n; i++) {
        b.append(i == 0 ? "" : ",").append("{\"metric\":{\"pod\":\"p").append(i).append("\"},");
        if (type.equals("vector")) {
          b.append("\"value\":").append(point(r));
        } else {
          b.append("\"values\":[");
          int m = r.nextInt(5);
          for (int j = 0; j < m; j++) {
            b.append(j == 0 ? "" : ",").append(point(r));
          }
          b.append(']');
        }
        b.append('}');
      }
      b.append(']');
    }
    return b.append("}}").toString();
  }

  private static String point(Random r) {
    String time = r.nextInt(10) == 0 ? "1e" + r.nextInt(400) : "" + r.nextInt() / 3.0;
    return "[" + time + ",\"" + VALUES[r.nextInt(VALUES.length)] + "\"]";
  }
}
