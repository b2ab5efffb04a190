package dev.prescaler.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole-file writer on its own; {@code SimulateCommandTest} and {@code ExportCommandTest}
 * check it through both commands, devices and pipes included.
 */
class OutputFileTest {
  @TempDir Path dir;

  @Test
  void aFailedWriteLeavesTheFileAsItWasAndNothingBesideIt() throws IOException {
    Path file = Files.writeString(dir.resolve("t.csv"), "old\n");

    assertThatThrownBy(() -> OutputFile.write(file, w -> {
      w.write("half");
      w.flush();
      throw new IOException("No space left on device");
    })).isInstanceOf(IOException.class).hasMessage("No space left on device");

    assertThat(Files.readString(file)).isEqualTo("old\n");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void aLinkIsWrittenThroughAndKeptAndTheReplacedFileKeepsItsMode() throws IOException {
    Path real = Files.writeString(dir.resolve("real.csv"), "old\n");
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r-----"));
    Path link = Files.createSymbolicLink(dir.resolve("link.csv"), real.getFileName());

    OutputFile.write(link, w -> w.write("new\n"));

    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(real)).isEqualTo("new\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(real)))
        .isEqualTo("rw-r-----");
  }

  @Test
  void aNewFileGetsTheModeAnyNewFileGetsThere() throws IOException {
    Path reference = Files.createFile(dir.resolve("reference"));
    Path file = dir.resolve("new.csv");

    OutputFile.write(file, w -> w.write("new\n"));

    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(Files.getPosixFilePermissions(reference));
  }

  @Test
  void check_namesTheOptionAndTheValue() {
    assertThatThrownBy(() -> OutputFile.check("--out", dir.toString()))
        .hasMessage("--out must name a file, not a directory, but was \"" + dir + "\"");
    assertThatThrownBy(() -> OutputFile.check("--out", ""))
        .hasMessage("--out must name a file, not a directory, but was \"\"");
    String missing = dir.resolve("no/t.csv").toString();
    assertThatThrownBy(() -> OutputFile.check("--out", missing))
        .hasMessage("--out must be in an existing directory that can be written, but was \""
            + missing + "\"");
    assertThatThrownBy(() -> OutputFile.check("--out", "a\0b"))
        .hasMessageStartingWith("--out must be a file path, but was \"a\0b\" (");
    assertThat(OutputFile.check("--out", dir.resolve("t.csv").toString()))
        .isEqualTo(dir.resolve("t.csv"));
  }

  /**
   * Catches {@code --out /dev/stdout} with stdout sent to a file ({@code >> all.csv}) replacing
   * that file by a rename: what was in it, and what the command had printed to it, was lost, and
   * the shell's stdout went on into the old, unlinked file. Now it is written in place, appended.
   * The stream is this JVM's own: a file opened for append, named by its /proc/self/fd link.
   */
  @Test
  void aStreamToAFileIsAppendedToInPlaceNeverReplaced() throws IOException {
    Path file = Files.writeString(dir.resolve("all.csv"), "earlier\n");
    Object inode = Files.getAttribute(file, "unix:ino");
    try (FileOutputStream stdout = new FileOutputStream(file.toFile(), true)) {
      stdout.write("printed\n".getBytes(StandardCharsets.UTF_8));
      Path fd = fdOf(file);
      Path link = Files.createSymbolicLink(dir.resolve("stdout-link"), fd);

      assertThat(OutputFile.isStream(fd)).isTrue();
      assertThat(OutputFile.inPlace(link)).as("a link to a stream").isTrue();
      assertThat(OutputFile.check("--out", fd.toString())).isEqualTo(fd);
      OutputFile.write(fd, w -> w.write("new\n"));
      OutputFile.write(link, w -> w.write("linked\n"));
      stdout.write("after\n".getBytes(StandardCharsets.UTF_8));
    }

    assertThat(Files.readString(file)).isEqualTo("earlier\nprinted\nnew\nlinked\nafter\n");
    assertThat(Files.getAttribute(file, "unix:ino")).isEqualTo(inode);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted())
          .containsExactly("all.csv", "stdout-link");
    }
  }

  /** The /proc/self/fd link of the one descriptor of this JVM open on {@code file}. */
  private static Path fdOf(Path file) throws IOException {
    List<Path> found = new ArrayList<>();
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          if (Files.readSymbolicLink(fd).equals(file.toRealPath())) {
            found.add(fd);
          }
        } catch (IOException e) {
          // closed since it was listed (the listing's own descriptor)
        }
      }
    }
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  @Test
  void check_aStreamOrDeviceThatDoesNotExistIsRefused() {
    String missing = "/dev/prescaler-test-no-such-device";
    assertThatThrownBy(() -> OutputFile.check("--out", missing))
        .hasMessage("--out must be a device or a stream that exists (it is under /dev or /proc), "
            + "but was \"" + missing + "\"");
    assertThat(Files.exists(Path.of(missing), LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  /**
   * Catches a private file readable by others while it was replaced: the file made beside it
   * had the default mode (0644 under umask 022) until the text was written, and a run killed
   * then left that copy. Now it is made with the mode of the file it replaces.
   */
  @Test
  void theFileMadeBesideAPrivateFileIsPrivateFromTheStart() throws IOException {
    Path file = Files.writeString(dir.resolve("private.csv"), "old\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    List<String> modes = new ArrayList<>();

    OutputFile.write(file, w -> {
      try (var files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          if (!p.equals(file)) {
            modes.add(p.getFileName() + " "
                + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
          }
        }
      }
      w.write("new\n");
    });

    assertThat(modes).containsExactly(".private.csv.tmp rw-------");
    assertThat(Files.readString(file)).isEqualTo("new\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  /**
   * Catches a loop of symbolic links taken for a file to make: check passed it, and the write
   * replaced the link {@code a} with a regular file. Now check refuses it, and write fails.
   */
  @Test
  void aLoopOfSymbolicLinksIsRefusedAndNeverReplaced() throws IOException {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Files.createSymbolicLink(a, b.getFileName());
    Files.createSymbolicLink(b, a.getFileName());

    assertThatThrownBy(() -> OutputFile.check("--out", a.toString()))
        .hasMessage("--out must lead to a file, not a loop of symbolic links, but was \"" + a
            + "\"");
    assertThatThrownBy(() -> OutputFile.write(a, w -> w.write("new\n")))
        .isInstanceOf(IOException.class).hasMessageContaining("a loop of symbolic links");
    assertThat(OutputFile.isStream(a)).isFalse();

    assertThat(Files.isSymbolicLink(a)).isTrue();
    assertThat(Files.isSymbolicLink(b)).isTrue();
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactlyInAnyOrder(a, b);
    }
  }

  @Test
  void sameFile_throughALinkYesADeviceNo() throws IOException {
    Path real = Files.writeString(dir.resolve("tok"), "secret\n");
    Path link = Files.createSymbolicLink(dir.resolve("link"), real.getFileName());

    assertThat(OutputFile.sameFile(link, real)).isTrue();
    assertThat(OutputFile.sameFile(dir.resolve("./new"), dir.resolve("new"))).isTrue();
    assertThat(OutputFile.sameFile(real, dir.resolve("other"))).isFalse();
    assertThat(OutputFile.sameFile(Path.of("/dev/null"), Path.of("/dev/null"))).isFalse();
    // This process's stdout sent to a file (> both.out): two outputs on /dev/stdout were refused
    // as one file, although both go through the one descriptor, one after the other. Here the
    // regular file stands for where stdout leads; in a test, stdout is the runner's pipe.
    assertThat(OutputFile.sameFile(real, real, p -> p.equals(real) ? 1 : 0)).isFalse();
    assertThat(OutputFile.sameFile(real, real, p -> 0)).isTrue();
  }

  @Test
  void inPlace_aDeviceYesAFileOrNothingNo() throws IOException {
    assertThat(OutputFile.inPlace(Path.of("/dev/null"))).isEqualTo(Files.exists(Path.of(
        "/dev/null")));
    assertThat(OutputFile.inPlace(Files.createFile(dir.resolve("f")))).isFalse();
    assertThat(OutputFile.inPlace(dir.resolve("none"))).isFalse();
  }

  @Test
  void isStream_underProcOrDevButNotDevShmAsGivenOrThroughALink() throws IOException {
    assertThat(OutputFile.isStream(Path.of("/dev/stdout"))).isTrue();
    assertThat(OutputFile.isStream(Path.of("/proc/self/fd/1"))).isTrue();
    assertThat(OutputFile.isStream(Path.of("/dev/shm/prescaler-test.csv"))).isFalse();
    assertThat(OutputFile.isStream(Path.of("/devices.csv"))).isFalse();
    Path link = Files.createSymbolicLink(dir.resolve("out"), Path.of("/dev/stdout"));
    Path linkToLink = Files.createSymbolicLink(dir.resolve("out2"), link.getFileName());
    assertThat(OutputFile.isStream(linkToLink)).isTrue();
    assertThat(OutputFile.isStream(Files.createFile(dir.resolve("f")))).isFalse();
  }

  /**
   * Catches {@code --series /dev/stdout} with stdout sent to a file by {@code >} (no append)
   * opened again: that description's writes left the shell's offset behind, and the next line
   * printed landed over the start of the series. Now this process's own standard streams are
   * written through its descriptors; every other stream is opened again.
   */
  @Test
  void ownStream_thisProcesssStdoutAndStderrByEveryNameOtherStreamsNot() throws IOException {
    long pid = 4242;
    for (String out : List.of("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1",
        "/proc/thread-self/fd/1", "/proc/4242/fd/1", "/dev/./stdout", "/proc/self/../self/fd/1")) {
      assertThat(OutputFile.ownStream(Path.of(out), pid)).as(out).isEqualTo(1);
    }
    for (String err : List.of("/dev/stderr", "/dev/fd/2", "/proc/self/fd/2",
        "/proc/thread-self/fd/2", "/proc/4242/fd/2")) {
      assertThat(OutputFile.ownStream(Path.of(err), pid)).as(err).isEqualTo(2);
    }
    for (String other : List.of("/dev/stdin", "/dev/fd/0", "/dev/fd/3", "/proc/self/fd/10",
        "/proc/4243/fd/1", "/proc/1/fd/2", "/dev/null", "/dev/shm/stdout", "/tmp/stdout",
        "/dev/stdout.csv", "/proc/self/fd", "/")) {
      assertThat(OutputFile.ownStream(Path.of(other), pid)).as(other).isZero();
    }
    long self = ProcessHandle.current().pid();
    assertThat(OutputFile.ownStream(Path.of("/proc/" + self + "/fd/1"))).isEqualTo(1);
    Path link = Files.createSymbolicLink(dir.resolve("err"), Path.of("/dev/stderr"));
    Path linkToLink = Files.createSymbolicLink(dir.resolve("err2"), link.getFileName());
    assertThat(OutputFile.ownStream(linkToLink)).isEqualTo(2);
    assertThat(OutputFile.ownStream(Files.createFile(dir.resolve("stdout")))).isZero();
  }

  /**
   * The descriptor a shell's {@code >} opens, without append, written through: the text lands
   * where that description's offset is, after what System.out held, and the next write follows
   * it instead of landing over it; the descriptor stays open.
   */
  @Test
  void writeThrough_movesTheDescriptorsOffsetAfterWhatSystemOutHeldAndKeepsItOpen()
      throws IOException {
    Path file = dir.resolve("sim.out");
    PrintStream saved = System.out;
    try (FileOutputStream shell = new FileOutputStream(file.toFile())) {
      System.setOut(new PrintStream(new BufferedOutputStream(shell), false,
          StandardCharsets.UTF_8));
      System.out.print("table\n"); // still buffered

      OutputFile.writeThrough(shell.getFD(), w -> w.write("series\n"));
      shell.write("END\n".getBytes(StandardCharsets.UTF_8));
    } finally {
      System.setOut(saved);
    }

    assertThat(Files.readString(file)).isEqualTo("table\nseries\nEND\n");
  }
}
