package dev.prescaler.core.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;

/**
 * The command-line tools' whole-file writer: how {@code prescaler simulate} ({@code --report},
 * {@code --series}) and {@code prescaler export} ({@code --out}) check and write the file an
 * option names, one implementation so that both treat every kind of file alike.
 *
 * <ul>
 *   <li>A device or a pipe ({@code /dev/null}, a terminal, {@code /dev/stdout} into a pipe, a
 *       FIFO: {@link #inPlace}) is written in place: it cannot be replaced, and must not be (run
 *       as root, a replaced {@code /dev/null} is a regular file for every program).
 *   <li>Any other file is written whole or not at all, where its symbolic links lead ({@link
 *       #resolved}: the link is kept, its target replaced): the text goes to a new file beside
 *       the target, made with the mode a new file gets there, or that of the file it replaces,
 *       and is moved over it in one step when complete; it is removed when anything fails, so
 *       that a full disk leaves the old file as it was.
 * </ul>
 *
 * <p>Text is UTF-8; a character UTF-8 cannot hold (a lone surrogate) fails the write. Stateless
 * and thread-safe; two writers of one file at once end with one of their texts, whole.
 */
public final class OutputFile {
  /** At most this many names are tried for the file made beside the target. */
  private static final int MAX_TEMP_NAMES = 100;
  /** At most this many links are followed by hand to a target that does not exist yet. */
  private static final int MAX_LINKS = 40;

  private OutputFile() {}

  /** The text of a file, written to {@code w}; whatever it throws fails the write. */
  @FunctionalInterface
  public interface Content {
    /** Writes the text; need not flush or close {@code w}. */
    void writeTo(Writer w) throws IOException;
  }

  /**
   * {@code value} of the option {@code option} as the path of a file to write, checked before a
   * command does its work, which may take minutes: not empty, not a directory; a file that
   * exists must be writable (a read-only one is not replaced); a device or a pipe ({@link
   * #inPlace}) needs nothing more (its directory is not written, and {@code /dev} is not
   * writable by a user); any other file is made or replaced in its directory, through its links
   * ({@link #resolved}), which must exist and be writable.
   *
   * @return the path {@code value} names
   * @throws IllegalArgumentException with one line naming the option and the value
   */
  public static Path check(String option, String value) {
    Path file;
    try {
      file = Path.of(value);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(option + " must be a file path, but was \"" + value
          + "\" (" + e.getReason() + ")");
    }
    if (value.isEmpty() || Files.isDirectory(file)) {
      throw new IllegalArgumentException(option + " must name a file, not a directory, but was \""
          + value + "\"");
    }
    if (Files.exists(file) && !Files.isWritable(file)) {
      throw new IllegalArgumentException(option + " must be a file that can be written, but was \""
          + value + "\"");
    }
    if (inPlace(file)) {
      return file;
    }
    Path dir = resolved(file).getParent();
    if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
      throw new IllegalArgumentException(option + " must be in an existing directory that can be "
          + "written, but was \"" + value + "\"");
    }
    return file;
  }

  /**
   * Whether {@code file} is written in place rather than replaced: it exists and is no regular
   * file (a device or a pipe). Asked of the path as given, which the system follows to what it
   * names: followed by hand, the link of {@code /dev/stdout} to a pipe leads to no file.
   */
  public static boolean inPlace(Path file) {
    return Files.exists(file) && !Files.isRegularFile(file);
  }

  /**
   * {@code p} absolute, through the real path of it or of its directory, which follows the links
   * before a {@code ..} goes up (normalizing first would take {@code link/..} for {@code .});
   * normalized only when neither exists. A link whose target is not made yet names that target.
   * Two paths naming one file resolve to equal paths.
   */
  public static Path resolved(Path p) {
    Path abs = p.toAbsolutePath();
    // A link whose target is not made yet names that target: followed by hand, as far as a
    // file system follows links.
    for (int hops = 0; hops < MAX_LINKS; hops++) {
      try {
        return abs.toRealPath();
      } catch (IOException e) {
        // not there (yet): a dangling link's target, else its directory's real path
      }
      if (!Files.isSymbolicLink(abs)) {
        break;
      }
      try {
        abs = abs.resolveSibling(Files.readSymbolicLink(abs));
      } catch (IOException | UnsupportedOperationException e) {
        break;
      }
    }
    Path dir = abs.getParent();
    Path name = abs.getFileName();
    if (dir != null && name != null && !name.toString().equals("..")) {
      try {
        return dir.toRealPath().resolve(name);
      } catch (IOException e) {
        // no such directory: the normalized path
      }
    }
    return abs.normalize();
  }

  /**
   * Writes {@code content} to {@code file}: in place when {@link #inPlace}, else whole or not at
   * all where its links lead (see the class documentation).
   *
   * @throws IOException when it could not be written; a replaced file is then as it was, and
   *     nothing is left beside it, but what reached a device or a pipe is incomplete
   */
  public static void write(Path file, Content content) throws IOException {
    if (inPlace(file)) {
      try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        content.writeTo(w);
      }
      return;
    }
    Path target = resolved(file);
    Path tmp = null;
    try {
      OutputStream stream = null;
      for (int i = 0; stream == null; i++) {
        // Named by the target, so that one left by a killed run says whose it was; made new
        // (never a file or link already there), by a count rather than at random.
        Path candidate = target.resolveSibling("." + target.getFileName()
            + (i == 0 ? "" : "." + i) + ".tmp");
        try {
          stream = Files.newOutputStream(candidate, StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE);
          tmp = candidate; // ours to remove; one already there is not
        } catch (FileAlreadyExistsException e) {
          if (i >= MAX_TEMP_NAMES - 1) {
            throw e;
          }
        }
      }
      // The encoder reports what UTF-8 cannot hold, as Files.newBufferedWriter's does.
      try (OutputStream made = stream; Writer w = new BufferedWriter(new OutputStreamWriter(made,
          StandardCharsets.UTF_8.newEncoder()))) {
        content.writeTo(w);
      }
      if (Files.exists(target)) {
        PosixFileAttributeView view = Files.getFileAttributeView(target,
            PosixFileAttributeView.class);
        if (view != null) {
          Files.setPosixFilePermissions(tmp, view.readAttributes().permissions());
        }
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // the write failed already, and that is what is reported
        }
      }
    }
  }
}
