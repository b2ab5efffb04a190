package dev.prescaler.k8s;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What the adapters log, as slf4j-simple prints it on {@code System.err}. */
final class Logs {
  private Logs() {}

  /** What {@code code} prints to {@code System.err} while it runs (tests run one at a time). */
  static String stderrOf(Runnable code) {
    PrintStream before = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      code.run();
    } finally {
      System.setErr(before);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  /** The lines of {@code log} at {@code level} ("WARN", "INFO"). */
  static List<String> at(String log, String level) {
    return log.lines().filter(l -> l.contains("] " + level + " ")).toList();
  }
}
