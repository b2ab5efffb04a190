package dev.prescaler.simulator.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.forecast.trace.TraceException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator's side of trace reading: names, {@code format:path}, the bundled traces and
 * interpolation. What a trace file may hold is the forecast module's {@code CsvTraceReader}, tested
 * in {@code CsvTraceReaderTest}.
 */
class TraceReaderTest {
  @TempDir Path dir;

  private String write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p.toString();
  }

  @Test
  void aTraceIsNamedByItsFileAndHoldsItsSamples() throws IOException {
    String f = write("a.csv", "# provenance\ntimestamp,value\n2014-04-10T00:04:00Z,94\n"
        + "2014-04-10T00:09:00Z,3.5\n\n");
    Trace t = TraceReader.read(f);
    assertThat(t.name()).isEqualTo("a.csv");
    assertThat(t.size()).isEqualTo(2);
    assertThat(t.start()).isEqualTo(Instant.parse("2014-04-10T00:04:00Z"));
    assertThat(t.value(1)).isEqualTo(3.5);
  }

  @Test
  void acceptsFormatPrefix() throws IOException {
    String f = write("d.csv", "60,1\n");
    assertThat(TraceReader.read("nab-csv:" + f).size()).isEqualTo(1);
  }

  /**
   * Catches a format prefix matched in one case by {@code read} and in any case by {@code
   * TraceFormat.of}: "NAB-CSV:f.csv" was read as a path and not found.
   */
  @Test
  void aFormatPrefixIsReadInAnyCaseAndAnUnknownOneIsPartOfThePath() throws IOException {
    String f = write("u.csv", "60,1\n");
    assertThat(TraceReader.read("NAB-CSV:" + f).size()).isEqualTo(1);
    assertThat(TraceFormat.pathOf("Nab-Csv:" + f)).isEqualTo(f);
    assertThat(TraceFormat.ofSpec("Nab-Csv:" + f)).isEqualTo(TraceFormat.NAB_CSV);
    assertThat(TraceFormat.pathOf("C:\\traces\\a.csv")).isEqualTo("C:\\traces\\a.csv");
    assertThat(TraceFormat.pathOf("nab-csv:")).isEmpty();
  }

  @Test
  void interpolatesLinearlyBetweenSamples() throws IOException {
    Trace t = TraceReader.read(write("e.csv", "0,10\n60,40\n"));
    assertThat(t.valueAt(15_000)).isEqualTo(17.5);
    assertThat(t.valueAt(-5)).isEqualTo(10);
    assertThat(t.valueAt(600_000)).isEqualTo(40);
  }

  @Test
  void aBadLineNamesTheFileAsGivenWithoutItsFormatPrefix() throws IOException {
    String f = write("bad.csv", "timestamp,value\n60,1\n120,abc\n");
    assertThatThrownBy(() -> TraceReader.read("nab-csv:" + f))
        .isInstanceOf(TraceException.class)
        .hasMessage(f + ":3: value must be a number, but was \"abc\"");
  }

  @Test
  void missingFile_isRejected() {
    String f = dir.resolve("nope.csv").toString();
    assertThatThrownBy(() -> TraceReader.read(f)).isInstanceOf(TraceException.class)
        .hasMessage(f + ": file not found");
  }

  @Test
  void aFormatReaderStreamsSamples() {
    try (TraceReader r = TraceFormat.NAB_CSV.reader("mem.csv",
        new BufferedReader(new StringReader("60,1\n120,2\n")))) {
      assertThat(r.next()).contains(new Sample(Instant.ofEpochSecond(60), 1));
      assertThat(r.next()).contains(new Sample(Instant.ofEpochSecond(120), 2));
      assertThat(r.next()).isEmpty();
    }
  }

  @Test
  void bundledTraceCarriesItsProvenanceAndReads() {
    Trace t = TraceReader.readResource("/traces/nasa-http-1995-07-requests-per-minute.csv",
        "nasa");
    assertThat(t.size()).isEqualTo(39692);
    assertThat(t.max()).isEqualTo(405);
  }
}
