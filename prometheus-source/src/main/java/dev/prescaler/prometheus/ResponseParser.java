package dev.prescaler.prometheus;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.prescaler.core.cli.Printable;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses the JSON envelope of the Prometheus HTTP API ({@code status}, {@code data.resultType},
 * {@code data.result}, {@code errorType}, {@code error}, {@code warnings}, {@code infos}).
 *
 * <p>Contract, checked by {@code ResponseParserProperties}: for any input it returns a {@link
 * QueryResult} whose sample values are all finite, or throws {@link PrometheusParseException}; it
 * throws nothing else. Sample values are strings in the API ({@code "1.5"}, {@code "NaN"},
 * {@code "+Inf"}); a value that is not a finite decimal number is kept as {@link
 * QueryResult.Rejected}. Timestamps are float seconds and must lie within ±10^11 s of the epoch.
 * The body must be one JSON value, nothing after it, and no object in it may name a key twice:
 * read leniently, {@code {...}garbage} was the object before the garbage, and {@code
 * "status":"error","status":"success"} a success (the last key won). Text from the body is
 * quoted in messages on one printable line ({@link Printable#escape}). Thread-safe.
 */
final class ResponseParser {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  // Possessive: a long run of digits before a bad character fails in linear time.
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d++(\\.\\d*+)?|\\.\\d++)([eE][+-]?\\d++)?");
  private static final double MAX_SECONDS = 1e11;
  private static final int MAX_TEXT = 300;

  private ResponseParser() {}

  /** Prometheus's error fields. */
  record ApiError(String errorType, String error) {}

  /**
   * Parses a successful answer.
   *
   * @throws PrometheusParseException when the body is not a well-formed success answer
   * @throws PrometheusApiException when the body is a well-formed {@code "status":"error"} answer
   */
  static QueryResult parse(byte[] body, int statusCode, String query) {
    JsonNode root = readTree(body);
    String status = text(root, "status", "the response");
    if (status.equals("error")) {
      ApiError e = error(root);
      throw new PrometheusApiException(statusCode, e.errorType(), e.error(), query);
    }
    if (!status.equals("success")) {
      throw new PrometheusParseException(
          "status must be \"success\" or \"error\", but was " + snippet(status));
    }
    JsonNode data = root.get("data");
    if (data == null || !data.isObject()) {
      throw new PrometheusParseException("data must be an object, but was " + describe(data));
    }
    String type = text(data, "resultType", "data");
    JsonNode result = data.get("result");
    List<String> warnings = strings(root, "warnings");
    warnings.addAll(strings(root, "infos"));
    switch (type) {
      case "vector":
        return new QueryResult(QueryResult.Type.VECTOR, seriesList(result, false), warnings);
      case "matrix":
        return new QueryResult(QueryResult.Type.MATRIX, seriesList(result, true), warnings);
      case "scalar": {
        List<QueryResult.Sample> samples = new ArrayList<>(1);
        List<QueryResult.Rejected> rejected = new ArrayList<>(1);
        point(result, "data.result", samples, rejected);
        return new QueryResult(QueryResult.Type.SCALAR,
            List.of(new QueryResult.Series(Map.of(), samples, rejected)), warnings);
      }
      case "string":
        if (result == null || !result.isArray() || result.size() != 2) {
          throw new PrometheusParseException(
              "data.result of a string must be [time, text], but was " + describe(result));
        }
        return new QueryResult(QueryResult.Type.STRING, List.of(), warnings);
      default:
        throw new PrometheusParseException("resultType must be vector, matrix, scalar or string, "
            + "but was " + snippet(type));
    }
  }

  /**
   * Reads {@code errorType} and {@code error} from an error body, when it is Prometheus's JSON.
   * Never throws.
   */
  static Optional<ApiError> parseError(byte[] body) {
    try {
      JsonNode root = JSON.readTree(body);
      if (root == null || !root.isObject() || !root.has("error") && !root.has("errorType")) {
        return Optional.empty();
      }
      return Optional.of(error(root));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The start of a body as text, for messages: at most 300 characters, on one printable line.
   */
  static String bodySnippet(byte[] body) {
    int n = Math.min(body.length, MAX_TEXT * 2);
    return snippet(new String(body, 0, n, StandardCharsets.UTF_8));
  }

  private static ApiError error(JsonNode root) {
    JsonNode t = root.get("errorType");
    JsonNode e = root.get("error");
    return new ApiError(t != null && t.isTextual() ? snippet(t.asText()) : "",
        e != null && e.isTextual() ? snippet(e.asText()) : "(no error text)");
  }

  private static JsonNode readTree(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      String m = e instanceof JacksonException ? ((JacksonException) e).getOriginalMessage()
          : e.getMessage();
      throw new PrometheusParseException("not JSON: " + snippet(m), e);
    }
    if (root == null || !root.isObject()) {
      throw new PrometheusParseException(
          "the response must be a JSON object, but was " + describe(root));
    }
    return root;
  }

  /**
   * The {@code warnings} or {@code infos} ({@code field}): none when absent or null (Go's
   * encoding of no list). Anything but an array of strings is malformed, never ignored: the
   * warnings say the result may be partial, and some infos that data was left out.
   */
  private static List<String> strings(JsonNode root, String field) {
    JsonNode w = root.get(field);
    List<String> out = new ArrayList<>();
    if (w == null || w.isNull()) {
      return out;
    }
    if (!w.isArray()) {
      throw new PrometheusParseException(field + " must be an array of strings, but was "
          + describe(w));
    }
    for (int i = 0; i < w.size(); i++) {
      if (!w.get(i).isTextual()) {
        throw new PrometheusParseException(field + "[" + i + "] must be a string, but was "
            + describe(w.get(i)));
      }
      out.add(snippet(w.get(i).asText()));
    }
    return out;
  }

  private static List<QueryResult.Series> seriesList(JsonNode result, boolean matrix) {
    if (result == null || !result.isArray()) {
      throw new PrometheusParseException("data.result must be an array, but was "
          + describe(result));
    }
    List<QueryResult.Series> out = new ArrayList<>(result.size());
    for (int i = 0; i < result.size(); i++) {
      JsonNode s = result.get(i);
      String where = "data.result[" + i + "]";
      if (!s.isObject()) {
        throw new PrometheusParseException(where + " must be an object, but was " + describe(s));
      }
      Map<String, String> labels = labels(s.get("metric"), where);
      List<QueryResult.Sample> samples = new ArrayList<>();
      List<QueryResult.Rejected> rejected = new ArrayList<>();
      if (matrix) {
        JsonNode values = s.get("values");
        JsonNode histograms = s.get("histograms");
        if (values == null && histograms == null) {
          throw new PrometheusParseException(where + ".values must be an array, but was missing");
        }
        if (values != null) {
          if (!values.isArray()) {
            throw new PrometheusParseException(
                where + ".values must be an array, but was " + describe(values));
          }
          for (int j = 0; j < values.size(); j++) {
            point(values.get(j), where + ".values[" + j + "]", samples, rejected);
          }
        }
        if (histograms != null) {
          nativeHistograms(histograms, where + ".histograms", rejected, true);
        }
      } else {
        JsonNode value = s.get("value");
        if (value != null) {
          point(value, where + ".value", samples, rejected);
        } else if (s.get("histogram") != null) {
          nativeHistograms(s.get("histogram"), where + ".histogram", rejected, false);
        } else {
          throw new PrometheusParseException(where + ".value must be [time, \"value\"], but was "
              + "missing");
        }
      }
      out.add(new QueryResult.Series(labels, samples, rejected));
    }
    return out;
  }

  /** Native histogram samples have no single number: they are kept as rejected. */
  private static void nativeHistograms(JsonNode node, String where,
      List<QueryResult.Rejected> rejected, boolean list) {
    if (!list) {
      rejected.add(new QueryResult.Rejected(timestamp(pair(node, where).get(0), where),
          "native histogram"));
      return;
    }
    if (!node.isArray()) {
      throw new PrometheusParseException(where + " must be an array, but was " + describe(node));
    }
    for (int j = 0; j < node.size(); j++) {
      String w = where + "[" + j + "]";
      rejected.add(new QueryResult.Rejected(timestamp(pair(node.get(j), w).get(0), w),
          "native histogram"));
    }
  }

  private static Map<String, String> labels(JsonNode metric, String where) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (metric == null) {
      return labels;
    }
    if (!metric.isObject()) {
      throw new PrometheusParseException(
          where + ".metric must be an object, but was " + describe(metric));
    }
    for (Map.Entry<String, JsonNode> e : metric.properties()) {
      if (!e.getValue().isTextual()) {
        throw new PrometheusParseException(where + ".metric." + snippet(e.getKey())
            + " must be a string, but was " + describe(e.getValue()));
      }
      labels.put(e.getKey(), e.getValue().asText());
    }
    return labels;
  }

  private static JsonNode pair(JsonNode node, String where) {
    if (node == null || !node.isArray() || node.size() != 2) {
      throw new PrometheusParseException(
          where + " must be [time, \"value\"], but was " + describe(node));
    }
    return node;
  }

  private static void point(JsonNode node, String where, List<QueryResult.Sample> samples,
      List<QueryResult.Rejected> rejected) {
    pair(node, where);
    Instant t = timestamp(node.get(0), where);
    JsonNode v = node.get(1);
    if (!v.isTextual()) {
      throw new PrometheusParseException(
          where + " value must be a string such as \"1.5\", but was " + describe(v));
    }
    String text = v.asText();
    if (!DECIMAL.matcher(text).matches()) {
      if (text.equals("NaN") || text.equals("+Inf") || text.equals("-Inf")
          || text.equals("Inf")) {
        rejected.add(new QueryResult.Rejected(t, text));
        return;
      }
      throw new PrometheusParseException(
          where + " value must be a decimal number, NaN or ±Inf, but was " + snippet(text));
    }
    double d = Double.parseDouble(text);
    if (Double.isFinite(d)) {
      samples.add(new QueryResult.Sample(t, d));
    } else {
      rejected.add(new QueryResult.Rejected(t, snippet(text) + " (out of range)"));
    }
  }

  private static Instant timestamp(JsonNode n, String where) {
    if (n == null || !n.isNumber()) {
      throw new PrometheusParseException(
          where + " time must be a number of seconds, but was " + describe(n));
    }
    double seconds = n.asDouble();
    if (!Double.isFinite(seconds) || Math.abs(seconds) > MAX_SECONDS) {
      throw new PrometheusParseException(
          where + " time must be within ±1e11 s of the epoch, but was " + snippet(n.asText()));
    }
    BigDecimal millis = n.decimalValue().movePointRight(3).setScale(0, RoundingMode.HALF_EVEN);
    return Instant.ofEpochMilli(millis.longValue());
  }

  private static String text(JsonNode parent, String field, String where) {
    JsonNode n = parent.get(field);
    if (n == null || !n.isTextual()) {
      throw new PrometheusParseException(
          field + " of " + where + " must be a string, but was " + describe(n));
    }
    return n.asText();
  }

  private static String describe(JsonNode n) {
    if (n == null) {
      return "missing";
    }
    return snippet(n.toString());
  }

  private static String snippet(String s) {
    if (s == null) {
      return "null";
    }
    String one = s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) + "..." : s;
    StringBuilder b = new StringBuilder(one.length());
    for (int i = 0; i < one.length(); i++) {
      char c = one.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    // What else a terminal would not print as itself (U+202E, which turns the rest of the line
    // around, U+2028, a surrogate the cut above split) is escaped.
    return Printable.escape(b.toString());
  }
}
