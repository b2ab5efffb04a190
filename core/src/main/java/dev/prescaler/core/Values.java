package dev.prescaler.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Small helpers for validation messages shared by the value types. */
final class Values {
  private Values() {}

  /** A string quoted with its control characters escaped, so a message stays on one line. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /**
   * An unmodifiable copy of {@code list}, named {@code field} in the exception when it or one of
   * its elements is null ({@code reasons[0] must not be null}), where {@link List#copyOf} names
   * neither.
   */
  static <T> List<T> copyOf(List<T> list, String field) {
    Objects.requireNonNull(list, field);
    int i = 0;
    for (T element : list) {
      if (element == null) {
        throw new NullPointerException(field + "[" + i + "] must not be null");
      }
      i++;
    }
    return List.copyOf(list);
  }

  static void requireFinite(double value, String field) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(field + " must be finite, but was " + value);
    }
  }

  /** Collects every problem of a configuration, then reports them at once. */
  static final class Problems {
    private final List<String> problems = new ArrayList<>();

    void check(boolean ok, String message) {
      if (!ok) {
        problems.add(message);
      }
    }

    void add(String message) {
      problems.add(message);
    }

    void throwIfAny(String what) {
      if (!problems.isEmpty()) {
        throw new InvalidConfigurationException(what, problems);
      }
    }
  }
}
