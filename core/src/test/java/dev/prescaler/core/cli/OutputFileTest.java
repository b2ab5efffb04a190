package dev.prescaler.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

  @Test
  void inPlace_aDeviceYesAFileOrNothingNo() throws IOException {
    assertThat(OutputFile.inPlace(Path.of("/dev/null"))).isEqualTo(Files.exists(Path.of(
        "/dev/null")));
    assertThat(OutputFile.inPlace(Files.createFile(dir.resolve("f")))).isFalse();
    assertThat(OutputFile.inPlace(dir.resolve("none"))).isFalse();
  }
}
