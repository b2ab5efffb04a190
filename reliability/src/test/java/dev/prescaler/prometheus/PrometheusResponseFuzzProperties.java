package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the Prometheus HTTP API response parser (in this package because the parser is
 * package-private) by mutating real answers — vector, matrix, scalar, string and error bodies as
 * Prometheus sends them — rather than random tokens (the module's own properties do that): a field
 * replaced by a value of another type, removed, duplicated into an array, or the body cut or
 * spliced. The documented outcome: a result whose every sample is finite, or a {@link
 * PrometheusException} with a message; nothing else.
 */
class PrometheusResponseFuzzProperties {
  /** Generated responses per property. */
  static final int EXAMPLES = 1000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] ANSWERS = {
    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
        + "{\"pod\":\"web-1\",\"namespace\":\"shop\"},\"value\":[1795942891.847,\"12.5\"]},"
        + "{\"metric\":{\"pod\":\"web-2\"},\"value\":[1795942891.847,\"NaN\"]}]}}",
    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":"
        + "{\"__name__\":\"rps\"},\"values\":[[1795942800,\"1\"],[1795942860,\"+Inf\"],"
        + "[1795942920,\"3.25e2\"]]}]},\"warnings\":[\"partial data\"]}",
    "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":"
        + "[1795942891.847,\"42\"]}}",
    "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":"
        + "[1795942891.847,\"hello\"]}}",
    "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error at char 7\"}",
    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"
  };

  @Test
  void everyRealAnswerParses() {
    for (String a : ANSWERS) {
      Throwable t = catchThrowable(() -> ResponseParser.parse(bytes(a), 200, "rps"));
      assertThat(t == null || t instanceof PrometheusApiException).as(a).isTrue();
    }
  }

  /** Structurally mutated real answers: a finite result, or a PrometheusException. */
  @Test
  void structurallyMutatedAnswersParseOrFailCleanly() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(0, ANSWERS.length - 1), longs().all())
        .checkAssert((which, seed) -> {
          Random random = new Random(seed);
          JsonNode root = tree(ANSWERS[which]);
          int edits = 1 + random.nextInt(3);
          for (int i = 0; i < edits; i++) {
            mutate(root, random);
          }
          check(write(root));
        });
  }

  /** Cut or spliced real answers: a finite result, or a PrometheusException. */
  @Test
  void cutOrSplicedAnswersParseOrFailCleanly() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(0, ANSWERS.length - 1),
            integers().between(0, ANSWERS.length - 1), longs().all())
        .checkAssert((a, b, seed) -> {
          Random random = new Random(seed);
          String x = ANSWERS[a];
          String y = ANSWERS[b];
          String spliced = x.substring(0, random.nextInt(x.length() + 1))
              + y.substring(random.nextInt(y.length() + 1));
          check(spliced);
        });
  }

  private static void check(String body) {
    for (int status : new int[] {200, 400, 422, 503}) {
      Throwable t = catchThrowable(() -> {
        QueryResult r = ResponseParser.parse(bytes(body), status, "sum(rate(x[1m]))");
        for (QueryResult.Series s : r.series()) {
          for (QueryResult.Sample sample : s.samples()) {
            assertThat(sample.value()).isFinite();
          }
        }
      });
      if (t != null) {
        assertThat(t).as("body %s", body).isInstanceOf(PrometheusException.class);
        assertThat(t.getMessage()).isNotBlank();
      }
    }
  }

  private static void mutate(JsonNode root, Random random) {
    List<JsonNode> containers = new ArrayList<>();
    collect(root, containers);
    JsonNode target = containers.get(random.nextInt(containers.size()));
    JsonNode value = randomValue(random);
    if (target instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      if (names.isEmpty() || random.nextInt(6) == 0) {
        o.set(random.nextBoolean() ? "status" : "extra", value);
      } else {
        String f = names.get(random.nextInt(names.size()));
        if (random.nextInt(4) == 0) {
          o.remove(f);
        } else if (random.nextInt(5) == 0) {
          o.set(f, JsonNodeFactory.instance.arrayNode().add(o.get(f)));
        } else {
          o.set(f, value);
        }
      }
    } else if (target instanceof ArrayNode a) {
      if (a.isEmpty() || random.nextInt(4) == 0) {
        a.add(value);
      } else if (random.nextInt(3) == 0) {
        a.remove(random.nextInt(a.size()));
      } else {
        a.set(random.nextInt(a.size()), value);
      }
    }
  }

  private static void collect(JsonNode n, List<JsonNode> out) {
    if (n.isContainerNode()) {
      out.add(n);
    }
    for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
      collect(it.next(), out);
    }
  }

  private static JsonNode randomValue(Random random) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (random.nextInt(16)) {
      case 0 -> f.nullNode();
      case 1 -> f.textNode("");
      case 2 -> f.textNode("NaN");
      case 3 -> f.textNode("-Inf");
      case 4 -> f.textNode("1e400");
      case 5 -> f.numberNode(1e300);
      case 6 -> f.numberNode(-1795942891.5);
      case 7 -> f.numberNode(Long.MAX_VALUE);
      case 8 -> f.booleanNode(true);
      case 9 -> f.arrayNode();
      case 10 -> f.objectNode();
      case 11 -> f.textNode("error");
      case 12 -> f.textNode("matrix");
      case 13 -> f.arrayNode().add(1795942891).add("7");
      case 14 -> f.textNode("\u0000\ud83d\ude00");
      default -> f.numberNode(new java.math.BigDecimal("1e99999"));
    };
  }

  private static JsonNode tree(String s) {
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String write(JsonNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
