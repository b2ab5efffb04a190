package dev.prescaler.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

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

  /**
   * Records a violation when a plug-in's {@code name()} throws, is null or is blank: the engine
   * puts it in reasons and messages ("forecaster NAME failed ..."), where a blank one reads as a
   * gap.
   *
   * @param kind what the plug-in is, e.g. {@code policy}
   */
  void checkName(String kind, Supplier<String> name) {
    String n;
    try {
      n = name.get();
    } catch (RuntimeException e) {
      add(kind + " name() must not throw, but threw " + describe(e));
      return;
    }
    check(n != null && !n.isBlank(), kind + " name() must not be blank (it names the " + kind
        + " in reasons and messages), but was " + (n == null ? "null" : "\"" + n + "\""));
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
