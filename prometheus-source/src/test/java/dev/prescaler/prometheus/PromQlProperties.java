package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.prescaler.core.WorkloadRef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Escaping properties: whatever a label value holds, the rendered PromQL keeps it as exactly one
 * string literal that decodes (by Go's rules, as Prometheus's lexer does) back to the value.
 */
class PromQlProperties {
  private static final String TEMPLATE =
      "sum(x{{selector}}) / sum(y{namespace=\"{namespace}\",k='{kind}'})";

  /**
   * Values rich in quotes, backslashes, newlines, braces, control and non-ASCII characters, and
   * U+FFFD, which Prometheus's lexer refuses raw.
   */
  private static Gen<String> nasty() {
    String alphabet = "\"'\\\n\r\t{}()#`=~,!aZ0 \u0000\u007f\u0085é😀\ufffd";
    return strings().betweenCodePoints(0, alphabet.codePointCount(0, alphabet.length()) - 1)
        .ofLengthBetween(0, 30).map(s -> {
          StringBuilder b = new StringBuilder();
          int[] cps = alphabet.codePoints().toArray();
          s.codePoints().forEach(i -> b.appendCodePoint(cps[i]));
          return b.toString();
        });
  }

  /** An escaped value, in either quote, decodes back to itself and never ends the literal early. */
  @Test
  void escapedValuesRoundTrip() {
    qt().withExamples(1000).forAll(nasty()).checkAssert(v -> {
      for (char quote : new char[] {'"', '\''}) {
        String literal = quote + PromQl.escape(v, quote) + quote;
        List<String> literals = GoLiterals.scan(literal);
        assertThat(literals).containsExactly(v);
      }
    });
  }

  /**
   * A rendered template holds exactly the literals of the template, each decoding to the value
   * put in: a selector value cannot add, remove or change any other part of the query.
   */
  @Test
  void selectorValuesCannotChangeTheQuery() {
    QueryTemplate t = QueryTemplate.parse("t", TEMPLATE);
    WorkloadRef ref = WorkloadRef.deployment("shop", "web");
    qt().withExamples(500).forAll(nasty(), nasty()).checkAssert((generated, b) -> {
      // An = matcher's value is never empty, nor does an =~ matcher's regex match the empty
      // string (LabelMatcher refuses both), so the regex goes in a !~ matcher.
      String a = "a" + generated;
      String q = t.render(new QueryTemplate.Values(ref, List.of(LabelMatcher.eq("note", a),
          new LabelMatcher("pod", LabelMatcher.Op.NRE, b)), "web-.+", "5m"));
      assertThat(GoLiterals.scan(q)).containsExactly(a, b, "shop", "Deployment");
      assertThat(GoLiterals.outside(q))
          .isEqualTo("sum(x{note=,pod!~}) / sum(y{namespace=,k=})");
    });
  }

  /**
   * A minimal PromQL literal scanner following Go's escape rules and what Prometheus's lexer
   * ({@code lexString}, {@code lexEscape}) refuses: a raw newline, a raw U+FFFD (which it takes
   * for a byte that is not UTF-8: "invalid UTF-8 rune") and a {@code \\u} escape of a surrogate.
   */
  static final class GoLiterals {
    private GoLiterals() {}

    /** The decoded string literals of {@code q}, in order. */
    static List<String> scan(String q) {
      List<String> out = new ArrayList<>();
      int i = 0;
      while (i < q.length()) {
        char c = q.charAt(i);
        if (c == '"' || c == '\'') {
          StringBuilder b = new StringBuilder();
          i++;
          while (true) {
            char d = q.charAt(i);
            assertThat(d).as("raw newline inside a literal").isNotEqualTo('\n');
            assertThat(d).as("raw U+FFFD inside a literal").isNotEqualTo('\ufffd');
            if (d == c) {
              break;
            }
            if (d == '\\') {
              char e = q.charAt(++i);
              switch (e) {
                case 'n': b.append('\n'); break;
                case 't': b.append('\t'); break;
                case 'r': b.append('\r'); break;
                case '\\': b.append('\\'); break;
                case 'u':
                  char u = (char) Integer.parseInt(q.substring(i + 1, i + 5), 16);
                  assertThat(Character.isSurrogate(u)).as("\\u escape of a surrogate").isFalse();
                  b.append(u);
                  i += 4;
                  break;
                default:
                  assertThat(e).as("escaped quote must be the enclosing one").isEqualTo(c);
                  b.append(e);
              }
            } else {
              b.append(d);
            }
            i++;
          }
          out.add(b.toString());
        }
        i++;
      }
      return out;
    }

    /** {@code q} with every literal removed. */
    static String outside(String q) {
      StringBuilder b = new StringBuilder();
      int i = 0;
      while (i < q.length()) {
        char c = q.charAt(i);
        if (c == '"' || c == '\'') {
          i++;
          while (q.charAt(i) != c) {
            i += q.charAt(i) == '\\' ? 2 : 1;
          }
        } else {
          b.append(c);
        }
        i++;
      }
      return b.toString();
    }
  }
}
