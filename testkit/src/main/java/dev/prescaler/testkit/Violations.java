package dev.prescaler.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the violations a contract check finds, up to a cap, so that a badly broken plug-in
 * gives a readable list rather than thousands of lines.
 */
final class Violations {
  /** The most violations one check reports. */
  static final int MAX = 100;

  private final List<String> found = new ArrayList<>();
  private int suppressed;

  /** Records {@code message} when {@code ok} is false. */
  void check(boolean ok, String message) {
    if (!ok) {
      add(message);
    }
  }

  /** Records a violation. */
  void add(String message) {
    if (found.size() < MAX) {
      found.add(message);
    } else {
      suppressed++;
    }
  }

  /** Whether nothing was found. */
  boolean isEmpty() {
    return found.isEmpty();
  }

  /** The violations, with a last line counting those left out. */
  List<String> list() {
    List<String> out = new ArrayList<>(found);
    if (suppressed > 0) {
      out.add("... and " + suppressed + " more violations");
    }
    return List.copyOf(out);
  }

  /** A throwable in one line: its class and message. */
  static String describe(Throwable t) {
    return t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
