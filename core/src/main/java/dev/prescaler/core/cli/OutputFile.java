package dev.prescaler.core.cli;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * The command-line tools' whole-file writer: how {@code prescaler simulate} ({@code --report},
 * {@code --series}) and {@code prescaler export} ({@code --out}) check and write the file an
 * option names, one implementation so that both treat every kind of file alike.
 *
 * <ul>
 *   <li>A device or a pipe ({@code /dev/null}, a terminal, a FIFO), and a process's stream
 *       ({@code /dev/stdout}, {@code /proc/self/fd/1}, a link to one: {@link #isStream}),
 *       whatever it leads to, a regular file too, is written in place ({@link #inPlace}),
 *       appended to and never cut: it cannot be replaced, and must not be (run as root, a
 *       replaced {@code /dev/null} is a regular file for every program; {@code /dev/stdout} sent
 *       to a file with {@code >>} keeps that file, what the command printed there before, and
 *       what the file held). This process's own standard output or error ({@link #ownStream}:
 *       {@code /dev/stdout}, {@code /proc/self/fd/2}, a link to one) is written through the
 *       process's descriptor, not opened again, so that what is written after it follows it.
 *   <li>Any other file is written whole or not at all, where its symbolic links lead ({@link
 *       #resolved}: the link is kept, its target replaced; a loop of links is refused): the text
 *       goes to a new file beside the target, made with the mode a new file gets there, or with
 *       that of the file it replaces (so that a private file is never readable by others, even
 *       half-written), and is moved over it in one step when complete; it is removed when
 *       anything fails, so that a full disk leaves the old file as it was.
 * </ul>
 *
 * <p>Text is UTF-8; a character UTF-8 cannot hold (a lone surrogate) fails the write. Stateless
 * and thread-safe; two writers of one file at once end with one of their texts, whole.
 */
public final class OutputFile {
  /** At most this many names are tried for the file made beside the target. */
  private static final int MAX_TEMP_NAMES = 100;
  /**
   * At most this many links are followed by hand, to a target that does not exist yet or to a
   * stream: as many as Linux follows before it gives up on a path (a loop).
   */
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
   * exists must be writable (a read-only one is not replaced); a device, a pipe or a stream
   * ({@link #inPlace}) must exist and needs nothing more (its directory is not written, and
   * {@code /dev} is not writable by a user); any other file is made or replaced in its
   * directory, through its links ({@link #resolved}), which must end (not in a loop) in a
   * directory that exists and can be written.
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
      if (!Files.exists(file)) {
        // Under /dev or /proc: made by the system, never by a command (as root, it would be a
        // regular file in /dev).
        throw new IllegalArgumentException(option + " must be a device or a stream that exists "
            + "(it is under /dev or /proc), but was \"" + value + "\"");
      }
      return file;
    }
    Path target = resolved(file);
    if (Files.isSymbolicLink(target)) {
      throw new IllegalArgumentException(option + " must lead to a file, not a loop of symbolic "
          + "links, but was \"" + value + "\"");
    }
    Path dir = target.getParent();
    if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
      throw new IllegalArgumentException(option + " must be in an existing directory that can be "
          + "written, but was \"" + value + "\"");
    }
    return file;
  }

  /**
   * Whether {@code file} is written in place rather than replaced: it is a process's stream
   * ({@link #isStream}), or it exists and is no regular file (a device or a pipe). The second is
   * asked of the path as given, which the system follows to what it names: followed by hand,
   * the link of {@code /dev/stdout} to a pipe leads to no file.
   */
  public static boolean inPlace(Path file) {
    return isStream(file) || (Files.exists(file) && !Files.isRegularFile(file));
  }

  /**
   * Whether {@code file} is a process's stream: a path under {@code /proc}, or under {@code /dev}
   * but not {@code /dev/shm} (a file system for files), as given or at any symbolic link on the
   * way from it to its target ({@code /dev/stdout}, {@code /proc/self/fd/1}, a link to either).
   * Such a path names whatever the stream is, a log file that the shell opened with {@code >>}
   * too, which is to be written to, never replaced. A loop of links, or a link that cannot be
   * read, is no stream. The journal's files follow the same rule.
   */
  public static boolean isStream(Path file) {
    return onTheLinks(file, at -> {
      Path abs = at.toAbsolutePath().normalize();
      return abs.startsWith("/proc") || (abs.startsWith("/dev") && !abs.startsWith("/dev/shm"))
          ? 1 : 0;
    }) != 0;
  }

  /**
   * The first value other than 0 that {@code test} gives {@code file} or a symbolic link on the
   * way from it to its target, followed by hand; 0 when none does, at a loop of links (more than
   * {@value #MAX_LINKS}), or at a link that cannot be read.
   */
  private static int onTheLinks(Path file, ToIntFunction<Path> test) {
    Path at = file;
    try {
      for (int hops = 0; ; hops++) {
        int found = test.applyAsInt(at);
        if (found != 0 || !Files.isSymbolicLink(at) || hops == MAX_LINKS) {
          return found; // found, its target, or a loop
        }
        Path parent = at.toAbsolutePath().getParent();
        Path link = Files.readSymbolicLink(at);
        at = parent == null ? link : parent.resolve(link);
      }
    } catch (IOException | UnsupportedOperationException e) {
      return 0; // a link that cannot be read
    }
  }

  /**
   * Which of this process's standard streams {@code file} names: 1 for its output, 2 for its
   * error, 0 for neither. {@code /dev/stdout}, {@code /dev/fd/1}, {@code /proc/self/fd/1},
   * {@code /proc/thread-self/fd/1} and {@code /proc/<pid>/fd/1} name the output (the forms with
   * {@code stderr} and {@code 2} the error), as given or at any symbolic link on the way from
   * it to its target, as {@link #isStream} follows them. Another descriptor ({@code
   * /proc/self/fd/3}), another process's stream, or a path to the file a stream is open on
   * is neither.
   */
  public static int ownStream(Path file) {
    long pid = ProcessHandle.current().pid();
    return onTheLinks(file, at -> ownStream(at, pid));
  }

  /**
   * Which standard stream of the process {@code pid} the path {@code file} names by its text
   * alone (no link followed): 1, 2, or 0 (see {@link #ownStream(Path)}).
   */
  static int ownStream(Path file, long pid) {
    Path abs = file.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    Path name = abs.getFileName();
    if (dir == null || name == null) {
      return 0;
    }
    String n = name.toString();
    if (dir.equals(Path.of("/dev"))) {
      return n.equals("stdout") ? 1 : n.equals("stderr") ? 2 : 0;
    }
    boolean own = dir.equals(Path.of("/dev/fd")) || dir.equals(Path.of("/proc/self/fd"))
        || dir.equals(Path.of("/proc/thread-self/fd"))
        || dir.equals(Path.of("/proc", Long.toString(pid), "fd"));
    return own && (n.equals("1") || n.equals("2")) ? Integer.parseInt(n) : 0;
  }

  /**
   * Whether {@code a} and {@code b} name one file that writing one of them would overwrite for
   * the other: a regular file, or one not made yet, compared as the same file when both exist
   * (a hard link) and else by their {@link #resolved} paths. A device such as {@code /dev/null}
   * or a terminal's {@code /dev/stdout} can take both, and so can this process's own stdout or
   * stderr ({@link #ownStream}) whatever it leads to, a file too: both are written through the
   * one descriptor, one after the other, and neither replaces the file.
   */
  public static boolean sameFile(Path a, Path b) {
    return sameFile(a, b, OutputFile::ownStream);
  }

  /** {@link #sameFile(Path, Path)} with {@code own} for {@link #ownStream}; for tests. */
  static boolean sameFile(Path a, Path b, ToIntFunction<Path> own) {
    if (own.applyAsInt(a) != 0 && own.applyAsInt(b) != 0) {
      return false;
    }
    try {
      if (Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b)) {
        return Files.isRegularFile(a);
      }
    } catch (IOException e) {
      // compared by name below
    }
    Path ra = resolved(a);
    return ra.equals(resolved(b)) && (!Files.exists(ra) || Files.isRegularFile(ra));
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
   * Writes {@code content} to {@code file}: in place when {@link #inPlace}, through this
   * process's own descriptor when it names the process's standard output or error ({@link
   * #ownStream}), after flushing {@link System#out} and {@link System#err}, else appended
   * (opened without cutting it); any other file whole or not at all where its links lead (see
   * the class documentation).
   *
   * @throws IOException when it could not be written, or when its links loop (a link is never
   *     replaced); a replaced file is then as it was, and nothing is left beside it, but what
   *     reached a device, a pipe or a stream is incomplete
   */
  public static void write(Path file, Content content) throws IOException {
    int own = ownStream(file);
    if (own != 0) {
      writeThrough(own == 1 ? FileDescriptor.out : FileDescriptor.err, content);
      return;
    }
    if (inPlace(file)) {
      // APPEND keeps what a stream sent to a file already holds (a >> file's earlier lines,
      // what the command printed before); to a device or a pipe it changes nothing.
      writeTo(Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
          content);
      return;
    }
    Path target = resolved(file);
    if (Files.isSymbolicLink(target)) {
      // Its links do not end (a loop): moving a file there would replace the link.
      throw new FileSystemException(file.toString(), null, "a loop of symbolic links");
    }
    // A file that is replaced gives its mode to the new one from the start: made with the
    // default mode, a private file's copy would be readable by others until the move, and left
    // so by a run killed mid-write. The umask can only take bits away; they are set exactly
    // before the move.
    FileAttribute<?>[] mode = {};
    PosixFileAttributeView targetView = Files.exists(target)
        ? Files.getFileAttributeView(target, PosixFileAttributeView.class) : null;
    if (targetView != null) {
      mode = new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(targetView.readAttributes().permissions())};
    }
    Path tmp = null;
    try {
      OutputStream stream = null;
      for (int i = 0; stream == null; i++) {
        // Named by the target, so that one left by a killed run says whose it was; made new
        // (never a file or link already there), by a count rather than at random.
        Path candidate = target.resolveSibling("." + target.getFileName()
            + (i == 0 ? "" : "." + i) + ".tmp");
        try {
          stream = Channels.newOutputStream(Files.newByteChannel(candidate,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode));
          tmp = candidate; // ours to remove; one already there is not
        } catch (FileAlreadyExistsException e) {
          if (i >= MAX_TEMP_NAMES - 1) {
            throw e;
          }
        }
      }
      writeTo(stream, content);
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

  /**
   * Writes {@code content} to the open descriptor {@code fd}, after what {@link System#out} and
   * {@link System#err} hold, and leaves it open. The descriptor's own file description is
   * written, so its offset moves: opened again, {@code /dev/stdout} sent to a file by {@code >}
   * would be another description, whose writes leave the shell's offset behind, and the
   * process's or the shell's next write to it would land over the text.
   */
  static void writeThrough(FileDescriptor fd, Content content) throws IOException {
    System.out.flush();
    System.err.flush();
    FileOutputStream stream = new FileOutputStream(fd);
    writeTo(new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        stream.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        stream.write(b, off, len);
      }

      @Override
      public void close() {
        // the descriptor stays open: the process's, not this write's
      }
    }, content);
  }

  /** Writes {@code content} to {@code stream} as UTF-8, and closes it. */
  private static void writeTo(OutputStream stream, Content content) throws IOException {
    // The encoder reports what UTF-8 cannot hold, as Files.newBufferedWriter's does.
    try (OutputStream made = stream; Writer w = new BufferedWriter(new OutputStreamWriter(made,
        StandardCharsets.UTF_8.newEncoder()))) {
      content.writeTo(w);
    }
  }
}
