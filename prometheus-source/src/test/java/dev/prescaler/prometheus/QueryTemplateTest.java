package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.WorkloadRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryTemplateTest {
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web.v2");
  private static final String POD_CHAR = "[bcdfghjklmnpqrstvwxz2456789]";

  private static QueryTemplate.Values values(List<LabelMatcher> selector) {
    return new QueryTemplate.Values(WEB, selector,
        PrometheusMetricSource.defaultPodRegex(WEB), "5m");
  }

  private static String render(String template) {
    return QueryTemplate.parse("t", template)
        .render(values(PrometheusMetricSource.defaultPodSelector(WEB)));
  }

  @Test
  void rendersEveryPlaceholder() {
    assertThat(render("x{namespace=\"{namespace}\",deployment=\"{name}\",kind=\"{kind}\"}"))
        .isEqualTo("x{namespace=\"shop\",deployment=\"web.v2\",kind=\"Deployment\"}");
    String pods = "web\\\\.v2-" + POD_CHAR + "{1,10}-" + POD_CHAR + "{5}";
    assertThat(render("x{ns=~\"{namespace_regex}\",d=~\"{name_regex}\",pod=~\"{pod_regex}\"}"))
        .isEqualTo("x{ns=~\"shop\",d=~\"web\\\\.v2\",pod=~\"" + pods + "\"}");
    assertThat(render("sum(rate(x{{selector}}[{rate_window}]))"))
        .isEqualTo("sum(rate(x{namespace=\"shop\",pod=~\"" + pods + "\"}[5m]))");
  }

  @Test
  void singleQuotedPlaceholdersEscapeSingleQuotes() {
    QueryTemplate t = QueryTemplate.parse("t", "x{a='{name}'}");
    assertThat(t.render(values(List.of(LabelMatcher.eq("a", "b"))))).isEqualTo("x{a='web.v2'}");
  }

  @Test
  void selectorValuesAreEscaped() {
    String q = QueryTemplate.parse("t", "x{{selector}}")
        .render(values(List.of(LabelMatcher.eq("note", "a\"}\n or vector(1) #"))));
    assertThat(q).isEqualTo("x{note=\"a\\\"}\\n or vector(1) #\"}");
  }

  @Test
  void bracesThatAreNotPlaceholdersStayText() {
    assertThat(render("x{pod=~\"a{2,3}\"} + y{job=\"{}\"}"))
        .isEqualTo("x{pod=~\"a{2,3}\"} + y{job=\"{}\"}");
  }

  @Test
  void escapedQuotesInsideLiteralsKeepTheContext() {
    assertThat(render("x{a=\"\\\"{name}\"}")).isEqualTo("x{a=\"\\\"web.v2\"}");
  }

  @Test
  void template_unknownPlaceholder() {
    assertThatThrownBy(() -> QueryTemplate.parse("template of metric cpu", "x{a=\"{namspace}\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("template of metric cpu has unknown placeholder {namspace}; "
            + "known: {namespace}, {name}, {kind}, {namespace_regex}, {name_regex}, {pod_regex}, "
            + "{selector}, {rate_window}; template was ");
  }

  @Test
  void template_valuePlaceholderOutsideQuotes() {
    assertThatThrownBy(() -> QueryTemplate.parse("t", "x{namespace={namespace}}"))
        .hasMessageStartingWith("t must not place {namespace} in no string literal; write it "
            + "inside quotes, e.g. namespace=\"{namespace}\"");
  }

  @Test
  void template_selectorInsideQuotes() {
    assertThatThrownBy(() -> QueryTemplate.parse("t", "x{a=\"{selector}\"}"))
        .hasMessageStartingWith("t must not place {selector} in a string literal");
  }

  @Test
  void template_placeholderInBacktickLiteral() {
    assertThatThrownBy(() -> QueryTemplate.parse("t", "x{a=`{name}`}"))
        .hasMessageStartingWith("t must not place {name} in a backtick string literal");
  }

  @Test
  void template_placeholderInComment() {
    assertThatThrownBy(() -> QueryTemplate.parse("t", "x # for {name}\n"))
        .hasMessageStartingWith("t must not place {name} in a comment");
    assertThat(render("x # a comment\n+ y{a=\"{name}\"}")).endsWith("y{a=\"web.v2\"}");
  }

  /**
   * Prometheus's lexer ends a comment at a carriage return as at a newline (isEndOfLine): what
   * follows "# c\r" is PromQL, here a backtick literal, whatever comes after the next newline.
   */
  @Test
  void template_commentEndsAtACarriageReturn() {
    assertThatThrownBy(() -> QueryTemplate.parse("t", "x # c\r+ `\n{selector}`"))
        .hasMessageStartingWith("t must not place {selector} in a backtick string literal");
    assertThat(render("x # a comment\r+ y{a=\"{name}\"}")).endsWith("y{a=\"web.v2\"}");
  }

  @Test
  void template_unterminatedLiteral() {
    assertThatThrownBy(() -> QueryTemplate.parse("t", "x{a=\"b}"))
        .hasMessageStartingWith("t has an unterminated \"-quoted string literal");
  }

  @Test
  void template_blank() {
    assertThatThrownBy(() -> QueryTemplate.parse("t", "  "))
        .hasMessage("t must be a PromQL expression, but was blank");
  }

  @Test
  void defaultPodRegexDependsOnTheKind() {
    assertThat(PrometheusMetricSource.defaultPodRegex(WorkloadRef.statefulSet("a", "db")))
        .isEqualTo("db-(0|[1-9][0-9]*)");
    assertThat(PrometheusMetricSource.defaultPodRegex(new WorkloadRef("a", "ReplicaSet", "rs")))
        .isEqualTo("rs-" + POD_CHAR + "{5}");
    assertThat(PrometheusMetricSource.defaultPodRegex(new WorkloadRef("a", "Rollout", "r")))
        .isEqualTo("r-.+");
  }
}
