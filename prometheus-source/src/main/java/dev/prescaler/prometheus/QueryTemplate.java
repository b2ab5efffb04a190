package dev.prescaler.prometheus;

import dev.prescaler.core.WorkloadRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A parsed PromQL template: literal text and placeholders, each placeholder checked at parse time
 * for the context it sits in. Value placeholders ({@code {namespace}}, {@code {name}}, ...) must
 * sit inside a single- or double-quoted string literal and are rendered escaped for that quote;
 * {@code {selector}} and {@code {rate_window}} must sit outside any literal. Nothing may sit in a
 * backtick literal or a comment, where no escaping is possible. Immutable and thread-safe.
 */
final class QueryTemplate {

  /** The placeholders a template may use. */
  enum Placeholder {
    NAMESPACE("namespace", true),
    NAME("name", true),
    KIND("kind", true),
    NAMESPACE_REGEX("namespace_regex", true),
    NAME_REGEX("name_regex", true),
    POD_REGEX("pod_regex", true),
    SELECTOR("selector", false),
    RATE_WINDOW("rate_window", false);

    final String key;
    final boolean quoted;

    Placeholder(String key, boolean quoted) {
      this.key = key;
      this.quoted = quoted;
    }

    static Placeholder of(String key) {
      for (Placeholder p : values()) {
        if (p.key.equals(key)) {
          return p;
        }
      }
      return null;
    }

    static String known() {
      StringBuilder b = new StringBuilder();
      for (Placeholder p : values()) {
        b.append(b.length() == 0 ? "" : ", ").append('{').append(p.key).append('}');
      }
      return b.toString();
    }
  }

  /** What a placeholder is replaced by for one workload. */
  record Values(WorkloadRef workload, List<LabelMatcher> selector, String podRegex,
      String rateWindow) {
    Values {
      Objects.requireNonNull(workload, "workload");
      selector = List.copyOf(selector);
      Objects.requireNonNull(podRegex, "podRegex");
      Objects.requireNonNull(rateWindow, "rateWindow");
    }
  }

  private record Part(String text, Placeholder placeholder, char quote) {}

  private final String source;
  private final List<Part> parts;

  private QueryTemplate(String source, List<Part> parts) {
    this.source = source;
    this.parts = List.copyOf(parts);
  }

  /** The template as written. */
  String source() {
    return source;
  }

  /**
   * Parses a template; {@code field} names it in error messages.
   *
   * @throws IllegalArgumentException naming the field, the placeholder and the template when a
   *     placeholder is unknown or in a context where it cannot be rendered safely
   */
  static QueryTemplate parse(String field, String template) {
    Objects.requireNonNull(template, field);
    if (template.isBlank()) {
      throw new IllegalArgumentException(field + " must be a PromQL expression, but was blank");
    }
    List<Part> parts = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    char state = 0; // 0: expression, '"', '\'', '`': inside that literal, '#': comment
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c == '{') {
        int end = placeholderEnd(template, i);
        if (end > 0) {
          String key = template.substring(i + 1, end);
          Placeholder p = Placeholder.of(key);
          if (p == null) {
            throw new IllegalArgumentException(field + " has unknown placeholder {" + key
                + "}; known: " + Placeholder.known() + "; template was " + PromQl.quote(template));
          }
          checkContext(field, template, p, state);
          parts.add(new Part(text.toString(), null, (char) 0));
          text.setLength(0);
          parts.add(new Part("", p, state));
          i = end + 1;
          continue;
        }
      }
      text.append(c);
      if (state == 0) {
        if (c == '"' || c == '\'' || c == '`' || c == '#') {
          state = c;
        }
      } else if (state == '#') {
        // As Prometheus's lexer (isEndOfLine): a comment ends at a carriage return too.
        if (c == '\n' || c == '\r') {
          state = 0;
        }
      } else if (state != '`' && c == '\\' && i + 1 < template.length()) {
        text.append(template.charAt(++i));
      } else if (c == state) {
        state = 0;
      }
      i++;
    }
    if (state == '"' || state == '\'' || state == '`') {
      throw new IllegalArgumentException(field + " has an unterminated " + state
          + "-quoted string literal; template was " + PromQl.quote(template));
    }
    parts.add(new Part(text.toString(), null, (char) 0));
    return new QueryTemplate(template, parts);
  }

  private static int placeholderEnd(String s, int open) {
    int j = open + 1;
    while (j < s.length() && (s.charAt(j) == '_' || (s.charAt(j) >= 'a' && s.charAt(j) <= 'z'))) {
      j++;
    }
    return j > open + 1 && j < s.length() && s.charAt(j) == '}' ? j : -1;
  }

  private static void checkContext(String field, String template, Placeholder p, char state) {
    String where;
    if (state == '`') {
      where = "a backtick string literal, where it cannot be escaped";
    } else if (state == '#') {
      where = "a comment, where a line break in it would end the comment";
    } else if (p.quoted && state == 0) {
      where = "no string literal; write it inside quotes, e.g. namespace=\"{" + p.key + "}\"";
    } else if (!p.quoted && state != 0) {
      where = "a string literal; {" + p.key
          + "} renders PromQL syntax and must stand outside quotes";
    } else {
      return;
    }
    throw new IllegalArgumentException(field + " must not place {" + p.key + "} in " + where
        + ", but the template was " + PromQl.quote(template));
  }

  /**
   * The query for one workload.
   *
   * @throws IllegalArgumentException when a value holds a lone surrogate
   */
  String render(Values v) {
    StringBuilder b = new StringBuilder(source.length() + 64);
    for (Part part : parts) {
      if (part.placeholder == null) {
        b.append(part.text);
        continue;
      }
      WorkloadRef w = v.workload();
      switch (part.placeholder) {
        case NAMESPACE:
          b.append(PromQl.escape(w.namespace(), part.quote));
          break;
        case NAME:
          b.append(PromQl.escape(w.name(), part.quote));
          break;
        case KIND:
          b.append(PromQl.escape(w.kind(), part.quote));
          break;
        case NAMESPACE_REGEX:
          b.append(PromQl.escape(PromQl.quoteRegex(w.namespace()), part.quote));
          break;
        case NAME_REGEX:
          b.append(PromQl.escape(PromQl.quoteRegex(w.name()), part.quote));
          break;
        case POD_REGEX:
          b.append(PromQl.escape(v.podRegex(), part.quote));
          break;
        case SELECTOR:
          for (int i = 0; i < v.selector().size(); i++) {
            b.append(i == 0 ? "" : ",").append(v.selector().get(i).render());
          }
          break;
        case RATE_WINDOW:
          b.append(v.rateWindow());
          break;
        default:
          throw new AssertionError(part.placeholder);
      }
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return source;
  }
}
