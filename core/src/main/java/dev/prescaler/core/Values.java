package dev.prescaler.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
