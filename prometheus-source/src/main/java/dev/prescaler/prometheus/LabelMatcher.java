package dev.prescaler.prometheus;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One PromQL label matcher, such as {@code namespace="shop"} or {@code pod=~"web-.+"}: what the
 * {@code {selector}} placeholder of a template expands to. The value is always rendered as an
 * escaped string literal, so it cannot change the query.
 *
 * @param label the label name, {@code [a-zA-Z_][a-zA-Z0-9_]*}
 * @param op the match operator
 * @param value the value (not empty for {@code =}) or (for regex operators) the RE2 expression,
 *     matched in full
 */
public record LabelMatcher(String label, Op op, String value) {

  /** The four PromQL match operators. */
  public enum Op {
    /** {@code =}: equal. */
    EQ("="),
    /** {@code !=}: not equal. */
    NEQ("!="),
    /** {@code =~}: matches the regular expression. */
    RE("=~"),
    /** {@code !~}: does not match the regular expression. */
    NRE("!~");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    /** The operator as written in PromQL. */
    public String symbol() {
      return symbol;
    }
  }

  /**
   * Validates the label name, and refuses an empty value with {@link Op#EQ} and a regex that
   * matches the empty string with {@link Op#RE}: {@code label=""} and {@code label=~".*"} match
   * every series without that label, so a pod selector holding one would take in other
   * workloads' series. "Has the label" is {@code label!=""}.
   *
   * @throws IllegalArgumentException when the label is not a label name, the value of an {@code
   *     =} matcher is empty, or the regex of an {@code =~} matcher matches the empty string
   */
  public LabelMatcher {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(value, "value");
    if (!PromQl.isLabelName(label)) {
      throw new IllegalArgumentException(
          "label must match [a-zA-Z_][a-zA-Z0-9_]*, but was " + PromQl.quote(label));
    }
    if (op == Op.EQ && value.isEmpty()) {
      throw new IllegalArgumentException("value of the matcher on label " + label + " must not "
          + "be empty with =: " + label + "=\"\" matches every series without the label, other "
          + "workloads' too");
    }
    if (op == Op.RE && matchesEmpty(label, value)) {
      throw new IllegalArgumentException("regex of the matcher on label " + label + " must not "
          + "match the empty string: " + label + "=~" + PromQl.quote(value) + " matches every "
          + "series without the label too, other workloads' too");
    }
  }

  /**
   * Whether a regex matches the empty string, read by Java's regexes with RE2's named groups
   * ({@code (?P<name>…)}, {@code (?<name>…)}, whose names Java reads more narrowly) as plain
   * groups. One Java cannot read otherwise (a literal {@code {} that is no repeat count, say) is
   * refused: it cannot be checked; escape the brace.
   *
   * @throws IllegalArgumentException when Java cannot read the regex, naming the label and it
   */
  private static boolean matchesEmpty(String label, String regex) {
    try {
      return Pattern.matches(withPlainGroups(regex), "");
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("regex of the matcher on label " + label + " cannot be "
          + "checked for matching the empty string, but was " + PromQl.quote(regex) + ": "
          + e.getDescription());
    }
  }

  /**
   * {@code regex} with each RE2 named group's opening ({@code (?P<name>}, {@code (?<name>}, the
   * name of word characters) made a plain {@code (?:}: only where it opens a group, not escaped,
   * inside a character class or a {@code \Q…\E} quote.
   */
  static String withPlainGroups(String regex) {
    StringBuilder out = new StringBuilder(regex.length());
    boolean inClass = false;
    int i = 0;
    while (i < regex.length()) {
      char c = regex.charAt(i);
      if (c == '\\' && i + 1 < regex.length()) {
        if (regex.charAt(i + 1) == 'Q') {
          int end = regex.indexOf("\\E", i + 2);
          int stop = end < 0 ? regex.length() : end + 2;
          out.append(regex, i, stop);
          i = stop;
        } else {
          out.append(c).append(regex.charAt(i + 1));
          i += 2;
        }
        continue;
      }
      if (inClass) {
        inClass = c != ']';
      } else if (c == '[') {
        inClass = true;
        out.append(c);
        i++;
        if (i < regex.length() && regex.charAt(i) == '^') {
          out.append('^');
          i++;
        }
        if (i < regex.length() && regex.charAt(i) == ']') { // a leading ] is a member
          out.append(']');
          i++;
        }
        continue;
      } else if (c == '(') {
        java.util.regex.Matcher m = NAMED_GROUP.matcher(regex).region(i, regex.length());
        if (m.lookingAt()) {
          out.append("(?:");
          i = m.end();
          continue;
        }
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  /** An RE2 named group's opening: {@code (?P<name>} or {@code (?<name>}. */
  private static final Pattern NAMED_GROUP = Pattern.compile("\\(\\?P?<\\w+>");

  /** {@code label="value"}. */
  public static LabelMatcher eq(String label, String value) {
    return new LabelMatcher(label, Op.EQ, value);
  }

  /** {@code label=~"regex"}. */
  public static LabelMatcher regex(String label, String regex) {
    return new LabelMatcher(label, Op.RE, regex);
  }

  /**
   * The matcher in PromQL, e.g. {@code pod=~"web-.+"}.
   *
   * @throws IllegalArgumentException when the value holds a lone surrogate
   */
  public String render() {
    return label + op.symbol() + PromQl.quote(value);
  }
}
