package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Examples taken from real Prometheus 2.42 answers, and the ways they can be broken. */
class ResponseParserTest {

  private static QueryResult parse(String body) {
    return ResponseParser.parse(body.getBytes(StandardCharsets.UTF_8), 200, "q");
  }

  @Test
  void vector() {
    QueryResult r = parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
        + "[{\"metric\":{\"__name__\":\"probe_requests_total\",\"job\":\"probe\","
        + "\"pod\":\"web-0\"},"
        + "\"value\":[1795942891.847,\"176\"]}]}}");
    assertThat(r.type()).isEqualTo(QueryResult.Type.VECTOR);
    assertThat(r.series()).hasSize(1);
    assertThat(r.series().get(0).labels()).containsEntry("pod", "web-0").hasSize(3);
    assertThat(r.series().get(0).samples()).containsExactly(
        new QueryResult.Sample(Instant.ofEpochMilli(1795942891847L), 176));
  }

  @Test
  void matrixWithNonFiniteValues() {
    QueryResult r = parse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":"
        + "[{\"metric\":{},\"values\":[[1795942893,\"3.332\"],[1795942895,\"NaN\"],"
        + "[1795942897,\"+Inf\"],[1795942899,\"-Inf\"],[1795942901,\"1e400\"],"
        + "[1795942903,\"-2.5e-3\"]]}]}}");
    QueryResult.Series s = r.series().get(0);
    assertThat(s.samples()).extracting(QueryResult.Sample::value).containsExactly(3.332, -0.0025);
    assertThat(s.rejected()).extracting(QueryResult.Rejected::text)
        .containsExactly("NaN", "+Inf", "-Inf", "1e400 (out of range)");
  }

  @Test
  void scalarAndString() {
    QueryResult scalar = parse("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
        + "\"result\":[1795942891.5,\"2\"]}}");
    assertThat(scalar.series()).hasSize(1);
    assertThat(scalar.series().get(0).labels()).isEmpty();
    assertThat(scalar.series().get(0).samples().get(0).value()).isEqualTo(2.0);
    QueryResult string = parse("{\"status\":\"success\",\"data\":{\"resultType\":\"string\","
        + "\"result\":[1795942891.5,\"hello\"]}}");
    assertThat(string.type()).isEqualTo(QueryResult.Type.STRING);
    assertThat(string.series()).isEmpty();
  }

  /**
   * Newer Prometheus versions send PromQL's info annotations apart, in "infos": some say data
   * was left out, so they are kept with the warnings for hygiene to judge.
   */
  @Test
  void infosAreKeptWithTheWarnings() {
    String data = ",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
    QueryResult r = parse("{\"status\":\"success\",\"warnings\":[\"partial\"],\"infos\":"
        + "[\"PromQL info: ignored histogram in sum aggregation (1:1)\"]" + data);

    assertThat(r.warnings()).containsExactly("partial",
        "PromQL info: ignored histogram in sum aggregation (1:1)");
    assertThat(parse("{\"status\":\"success\",\"infos\":null" + data).warnings()).isEmpty();
    assertThatThrownBy(() -> parse("{\"status\":\"success\",\"infos\":\"x\"" + data))
        .isInstanceOf(PrometheusParseException.class)
        .hasMessage("malformed Prometheus response: infos must be an array of strings, but "
            + "was \"x\"");
  }

  @Test
  void warningsAreKept() {
    QueryResult r = parse("{\"status\":\"success\",\"warnings\":[\"partial\"],\"data\":"
        + "{\"resultType\":\"vector\",\"result\":[]}}");
    assertThat(r.warnings()).containsExactly("partial");
  }

  /**
   * A proxy that sends its warning as a plain string says the result may be partial, as an
   * array would: skipping it would let a partial sum through.
   */
  @Test
  void warningsThatAreNotAnArrayOfStringsAreMalformed() {
    String data = ",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
        + "\"value\":[1796000000,\"3\"]}]}}";

    assertThatThrownBy(() -> parse("{\"status\":\"success\",\"warnings\":\"store eu-1 "
        + "unreachable\"" + data))
        .isInstanceOf(PrometheusParseException.class)
        .hasMessage("malformed Prometheus response: warnings must be an array of strings, but "
            + "was \"store eu-1 unreachable\"");
    assertThatThrownBy(() -> parse("{\"status\":\"success\",\"warnings\":[\"a\",{}]" + data))
        .isInstanceOf(PrometheusParseException.class)
        .hasMessage("malformed Prometheus response: warnings[1] must be a string, but was {}");
    assertThat(parse("{\"status\":\"success\",\"warnings\":null" + data).warnings()).isEmpty();
  }

  @Test
  void nativeHistogramsAreRejectedNotNumbers() {
    QueryResult r = parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
        + "[{\"metric\":{},\"histogram\":[1795942891,{\"count\":\"3\",\"sum\":\"1\"}]}]}}");
    assertThat(r.series().get(0).samples()).isEmpty();
    assertThat(r.series().get(0).rejected()).extracting(QueryResult.Rejected::text)
        .containsExactly("native histogram");
  }

  @Test
  void aValueOfManyDigitsAndABadCharacterIsRefusedPromptly() {
    // Catches the decimal pattern backtracking: quadratic in the digits, minutes for this value.
    String value = "1".repeat(200_000) + "x";
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() -> parse(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
            + "[{\"metric\":{},\"value\":[1795942891,\"" + value + "\"]}]}}"))
        .isInstanceOf(PrometheusParseException.class)
        .hasMessageContaining("must be a decimal number, NaN or ±Inf"));
  }

  @Test
  void errorStatusBecomesAnApiError() {
    assertThatThrownBy(() -> parse("{\"status\":\"error\",\"errorType\":\"bad_data\","
        + "\"error\":\"parse error\"}"))
        .isInstanceOfSatisfying(PrometheusApiException.class, e -> {
          assertThat(e.errorType()).isEqualTo("bad_data");
          assertThat(e.error()).isEqualTo("parse error");
          assertThat(e.statusCode()).isEqualTo(200);
        });
    assertThat(ResponseParser.parseError("{\"errorType\":\"x\",\"error\":\"y\"}"
        .getBytes(StandardCharsets.UTF_8))).contains(new ResponseParser.ApiError("x", "y"));
    assertThat(ResponseParser.parseError("<html>".getBytes(StandardCharsets.UTF_8))).isEmpty();
  }

  @Test
  void malformedBodiesSayWhatIsWrong() {
    Map<String, String> cases = Map.of(
        "[]", "the response must be a JSON object, but was []",
        "{\"status\":\"ok\"}", "status must be \"success\" or \"error\", but was ok",
        "{\"status\":\"success\"}", "data must be an object, but was missing",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":{}}}",
        "data.result must be an array, but was {}",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"value\":"
            + "[\"1\",\"2\"]}]}}",
        "data.result[0].value time must be a number of seconds, but was \"1\"",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"value\":"
            + "[1e300,\"2\"]}]}}",
        "data.result[0].value time must be within ±1e11 s of the epoch, but was 1.0E300",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"value\":"
            + "[1,2]}]}}",
        "data.result[0].value value must be a string such as \"1.5\", but was 2",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
            + "{\"a\":1},\"value\":[1,\"2\"]}]}}",
        "data.result[0].metric.a must be a string, but was 1",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"table\",\"result\":[]}}",
        "resultType must be vector, matrix, scalar or string, but was table");
    cases.forEach((body, message) -> assertThatThrownBy(() -> parse(body))
        .as(body).isInstanceOf(PrometheusParseException.class)
        .hasMessage("malformed Prometheus response: " + message));
  }

  @Test
  void javaOnlyNumberFormsAreRefused() {
    for (String v : new String[] {"0x1p3", "1d", "1f", "Infinity", " 1", ""}) {
      assertThatThrownBy(() -> parse("{\"status\":\"success\",\"data\":{\"resultType\":"
          + "\"vector\",\"result\":[{\"value\":[1,\"" + v + "\"]}]}}"))
          .as(v).isInstanceOf(PrometheusParseException.class)
          .hasMessageContaining("must be a decimal number, NaN or ±Inf");
    }
  }

  /**
   * Catches a body that is not one well-formed answer read as a success: Jackson's lenient
   * default stopped at the end of the first value (<code>{...}garbage{{{</code> was the answer
   * before the garbage).
   */
  @Test
  void garbageAfterTheAnswerIsMalformed() {
    String ok = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
        + "[{\"metric\":{},\"value\":[1795942891.847,\"176\"]}]}}";
    assertThat(parse(ok).series()).hasSize(1);
    for (String tail : List.of("garbage{{{", "{}", "{\"status\":\"error\"}", "1", "]")) {
      assertThatThrownBy(() -> parse(ok + tail)).as(tail)
          .isInstanceOf(PrometheusParseException.class)
          .hasMessageStartingWith("malformed Prometheus response: not JSON: ");
    }
    // White space after the answer is no garbage.
    assertThat(parse(ok + " \n").series()).hasSize(1);
    // An error body with garbage after it is not Prometheus's JSON: its start is quoted instead.
    assertThat(ResponseParser.parseError("{\"errorType\":\"x\",\"error\":\"y\"}<html>"
        .getBytes(StandardCharsets.UTF_8))).isEmpty();
  }

  /**
   * Catches a key given twice read as its last value: {@code "status":"error",
   * "status":"success"} was a success, its data used.
   */
  @Test
  void aKeyGivenTwiceInAnObjectIsMalformed() {
    String[] duplicated = {
        "{\"status\":\"error\",\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
            + "\"result\":[]}}",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"resultType\":\"matrix\","
            + "\"result\":[]}}",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
            + "{\"pod\":\"a\",\"pod\":\"b\"},\"value\":[1,\"2\"]}]}}"};
    for (String body : duplicated) {
      assertThatThrownBy(() -> parse(body)).as(body)
          .isInstanceOf(PrometheusParseException.class)
          .hasMessageStartingWith("malformed Prometheus response: not JSON: Duplicate field '");
    }
  }

  @Test
  void notJson() {
    assertThatThrownBy(() -> parse("{\"status\":"))
        .isInstanceOf(PrometheusParseException.class)
        .hasMessageStartingWith("malformed Prometheus response: not JSON: ");
  }
}
