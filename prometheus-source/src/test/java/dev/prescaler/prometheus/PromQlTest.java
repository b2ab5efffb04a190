package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void escapeHandlesQuotesBackslashesAndNewlines() {
    assertThat(PromQl.escape("we\"b\\x\nend")).isEqualTo("we\\\"b\\\\x\\nend");
    assertThat(PromQl.quote("a\tb\rc")).isEqualTo("\"a\\tb\\rc\"");
  }

  @Test
  void escapeWritesOtherControlCharactersAsUnicodeEscapes() {
    assertThat(PromQl.escape("a\u0000b\u007fc\u0085")).isEqualTo("a\\u0000b\\u007fc\\u0085");
  }

  @Test
  void escapeOnlyEscapesTheEnclosingQuote() {
    assertThat(PromQl.escape("it's \"x\"", '"')).isEqualTo("it's \\\"x\\\"");
    assertThat(PromQl.escape("it's \"x\"", '\'')).isEqualTo("it\\'s \"x\"");
  }

  @Test
  void escapeKeepsUnicodeAndSurrogatePairs() {
    assertThat(PromQl.escape("café 😀")).isEqualTo("café 😀");
  }

  /**
   * Catches a raw U+FFFD in a literal: Prometheus's lexer takes it for the mark of a byte that is
   * not UTF-8 and refuses the query ("parse error: invalid UTF-8 rune", HTTP 400), so a label
   * value holding it made every read of the workload fail. {@code \\ufffd} is taken, and reads
   * as U+FFFD (checked against Prometheus 2.42).
   */
  @Test
  void escapeWritesTheReplacementCharacterAsAUnicodeEscape() {
    assertThat(PromQl.escape("a\ufffdb")).isEqualTo("a\\ufffdb");
    assertThat(PromQl.escape("\ufffd'", '\'')).isEqualTo("\\ufffd\\'");
    assertThat(PromQl.quote("\ufffd\ufffd")).isEqualTo("\"\\ufffd\\ufffd\"");
  }

  @Test
  void escape_loneSurrogate() {
    assertThatThrownBy(() -> PromQl.escape("ab\uD800c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label value must be valid Unicode, but had a lone surrogate at index 2 "
            + "(length 4)");
    assertThatThrownBy(() -> PromQl.escape("\uDC00"))
        .hasMessageContaining("lone surrogate at index 0");
  }

  @Test
  void escape_badQuote() {
    assertThatThrownBy(() -> PromQl.escape("x", '`'))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("quote must be \" or ', but was `");
  }

  @Test
  void quoteRegexEscapesEveryMetacharacter() {
    assertThat(PromQl.quoteRegex("a.b*c+d?e(f)g|h[i]j{k}l^m$n\\o"))
        .isEqualTo("a\\.b\\*c\\+d\\?e\\(f\\)g\\|h\\[i\\]j\\{k\\}l\\^m\\$n\\\\o");
    assertThat(PromQl.quoteRegex("web-api")).isEqualTo("web-api");
  }

  @Test
  void durationUsesTheLargestExactUnit() {
    assertThat(PromQl.duration(300_000)).isEqualTo("5m");
    assertThat(PromQl.duration(90_000)).isEqualTo("90s");
    assertThat(PromQl.duration(1500)).isEqualTo("1500ms");
    assertThat(PromQl.duration(7_200_000)).isEqualTo("2h");
    assertThat(PromQl.duration(604_800_000)).isEqualTo("1w");
    assertThatThrownBy(() -> PromQl.duration(0))
        .hasMessage("duration must be > 0 ms, but was 0 ms");
  }

  @Test
  void namesAreValidated() {
    assertThat(PromQl.isLabelName("pod")).isTrue();
    assertThat(PromQl.isLabelName("1pod")).isFalse();
    assertThat(PromQl.isLabelName("a:b")).isFalse();
    assertThat(PromQl.isMetricName("a:b_total")).isTrue();
    assertThat(PromQl.isMetricName("a-b")).isFalse();
    assertThat(PromQl.isMetricName(null)).isFalse();
  }

  @Test
  void labelMatcherRendersEscapedValues() {
    assertThat(LabelMatcher.eq("note", "a\"} or vector(1)").render())
        .isEqualTo("note=\"a\\\"} or vector(1)\"");
    assertThat(new LabelMatcher("pod", LabelMatcher.Op.NRE, "x.*").render())
        .isEqualTo("pod!~\"x.*\"");
    assertThatThrownBy(() -> LabelMatcher.eq("bad label", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label must match [a-zA-Z_][a-zA-Z0-9_]*, but was \"bad label\"");
  }

  /**
   * {@code app=""} matches every series without an {@code app} label: a selector with it would
   * take in other workloads' series. "Has the label" is {@code app!=""}, which stays allowed.
   */
  @Test
  void anEmptyValueForEqualsIsRefused() {
    assertThatThrownBy(() -> LabelMatcher.eq("app", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("value of the matcher on label app must not be empty with =: app=\"\" "
            + "matches every series without the label, other workloads' too");
    assertThat(new LabelMatcher("app", LabelMatcher.Op.NEQ, "").render()).isEqualTo("app!=\"\"");
  }

  @Test
  void aRegexThatMatchesTheEmptyStringIsRefused() {
    // app=~".*" widens a pod selector to every series without the label, as app="" does.
    for (String regex : new String[] {"", ".*", "web|", "(web)?", "(?P<n>web-.*)?"}) {
      assertThatThrownBy(() -> LabelMatcher.regex("app", regex)).as(regex)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("regex of the matcher on label app must not match the empty "
              + "string");
    }
    assertThat(LabelMatcher.regex("pod", "web-.+").render()).isEqualTo("pod=~\"web-.+\"");
    assertThat(LabelMatcher.regex("pod", "(?P<n>web)-.+").render())
        .isEqualTo("pod=~\"(?P<n>web)-.+\"");
    // RE2 group names Java would not take (an underscore) are read as plain groups.
    assertThat(LabelMatcher.regex("pod", "(?P<pod_name>web)-.+").render())
        .isEqualTo("pod=~\"(?P<pod_name>web)-.+\"");
    assertThatThrownBy(() -> LabelMatcher.regex("pod", "(?P<pod_name>web-.*)?"))
        .hasMessageContaining("must not match the empty string");
    // Only openings of groups are rewritten: not an escaped parenthesis, nor one in a class.
    assertThat(LabelMatcher.withPlainGroups("(?P<a_b>x)|\\(?P<y>|[(?P<z>]|\\Q(?P<q>\\E"))
        .isEqualTo("(?:x)|\\(?P<y>|[(?P<z>]|\\Q(?P<q>\\E");
    assertThatThrownBy(() -> LabelMatcher.regex("app", "x\\(?P<a|>?"))
        .hasMessageContaining("must not match the empty string");
    // One Java cannot read otherwise is refused rather than let through unchecked.
    assertThatThrownBy(() -> LabelMatcher.regex("app", "web(")).isInstanceOf(
        IllegalArgumentException.class).hasMessageStartingWith("regex of the matcher on label app "
        + "cannot be checked for matching the empty string, but was \"web(\"");
    assertThat(new LabelMatcher("app", LabelMatcher.Op.NRE, ".*").render())
        .isEqualTo("app!~\".*\"");
  }
}
