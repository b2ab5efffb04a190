package dev.prescaler.simulator.trace;

import dev.prescaler.forecast.trace.TraceException;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Streams the samples of one trace, validating each: a bad line throws a {@link TraceException}
 * naming the file, the line and the problem. Not thread-safe.
 */
public interface TraceReader extends AutoCloseable {

  /**
   * The next sample, or empty at the end of the trace.
   *
   * @throws TraceException when the next line is invalid or the file holds no sample at all
   */
  Optional<Sample> next();

  /** Closes the underlying file. */
  @Override
  void close();

  /**
   * Reads a whole trace named {@code format:path} or {@code path} (then {@link
   * TraceFormat#NAB_CSV}), as {@link TraceFormat#ofSpec} and {@link TraceFormat#pathOf} split it.
   * The file is UTF-8; a byte that is not is read as U+FFFD, so that a header or a comment in
   * Latin-1 is harmless and a timestamp or value holding one is refused naming its line.
   *
   * @throws TraceException when the file is missing, unreadable, empty or has an invalid line
   */
  static Trace read(String spec) {
    String file = TraceFormat.pathOf(spec);
    TraceReader reader = TraceFormat.ofSpec(spec).open(file);
    return readAll(Path.of(file).getFileName().toString(), reader);
  }

  /**
   * Reads a whole trace from a classpath resource (the bundled traces).
   *
   * @throws TraceException when the resource is missing or invalid
   */
  static Trace readResource(String resource, String name) {
    InputStream stream = TraceReader.class.getResourceAsStream(resource);
    if (stream == null) {
      throw new TraceException(resource, 0, "bundled trace not found on the classpath");
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
    return readAll(name, TraceFormat.NAB_CSV.reader(resource, in));
  }

  /**
   * Reads every sample of {@code reader} into a {@link Trace} named {@code name}, then closes it.
   */
  static Trace readAll(String name, TraceReader reader) {
    try (reader) {
      List<Sample> samples = new ArrayList<>();
      for (Optional<Sample> s = reader.next(); s.isPresent(); s = reader.next()) {
        samples.add(s.get());
      }
      return Trace.of(name, samples);
    } catch (UncheckedIOException e) {
      throw new TraceException(name, 0, "cannot be read: " + e.getCause().getMessage());
    }
  }
}
