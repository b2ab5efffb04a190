package dev.prescaler.prometheus;

import java.util.Objects;

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
   * Validates the label name, and refuses an empty value with {@link Op#EQ}: {@code label=""}
   * matches every series without that label, so a pod selector holding it would take in other
   * workloads' series. "Has the label" is {@code label!=""}.
   *
   * @throws IllegalArgumentException when the label is not a label name, or the value of an
   *     {@code =} matcher is empty
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
  }

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
