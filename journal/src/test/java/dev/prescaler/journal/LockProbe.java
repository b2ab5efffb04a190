package dev.prescaler.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another process's view of a journal's lock file: whether it could take the lock ("free") or
 * not ("held"). A JVM's own lock table cannot tell that its process lost the file lock, another
 * process can.
 */
public final class LockProbe {
  private LockProbe() {}

  /** Prints "free" or "held" for the lock file {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock();
      System.out.print(lock == null ? "held" : "free");
    }
  }

  /** Runs the probe on {@code lockFile} in a new JVM and returns what it printed. */
  static String probe(Path lockFile) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LockProbe.class.getName());
    command.add(lockFile.toString());
    // Standard error is left out: a JVM may print notices there ("Picked up JAVA_TOOL_OPTIONS").
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("the lock probe did not finish in 60 s");
    }
    String out = new String(p.getInputStream().readAllBytes()).strip();
    if (p.exitValue() != 0) {
      throw new IllegalStateException("the lock probe failed (exit " + p.exitValue() + "): " + out);
    }
    return out;
  }
}
