package dev.prescaler.forecast.cli;

import dev.prescaler.forecast.trace.CsvTraceReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads M4 files: no header, one series per line, {@code id,v1,v2,...}. Blank lines are skipped,
 * empty cells at the end of a line (M4's padding) are dropped, and a UTF-8 byte order mark
 * before the first line is ignored. Ids must be unique in a file, and values finite numbers.
 */
final class M4Data {
  private M4Data() {}

  /** One series and its 1-based line. */
  record Series(String id, double[] values, int line) {}

  /** The series of a file, in line order, and the number of lines the file holds. */
  record Contents(List<Series> series, int lines) {}

  /**
   * Reads {@code file}.
   *
   * @throws InputException naming the file and line of the first problem
   */
  static Contents read(Path file) {
    String name = file.toString();
    List<Series> out = new ArrayList<>();
    Map<String, Integer> firstLine = new HashMap<>();
    int no = 0;
    // Decoded leniently, as CsvTraceReader does: a byte that is not UTF-8 becomes U+FFFD, and the
    // line holding it is an error naming that line (a strict decoder fails the whole file while
    // reading ahead, naming no line).
    try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        no++;
        if (no == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (line.indexOf('\uFFFD') >= 0) {
          throw InputException.at(name, no, "the line is not valid UTF-8 (save the file as "
              + "UTF-8)");
        }
        if (line.isBlank()) {
          continue;
        }
        String[] parts = line.split(",", -1);
        String id = parts[0].trim();
        String shown = CsvTraceReader.escapeUnprintable(id);
        if (id.isEmpty()) {
          throw InputException.at(name, no, "series id must not be empty");
        }
        Integer first = firstLine.putIfAbsent(id, no);
        if (first != null) {
          throw InputException.at(name, no, "series id " + shown + " is repeated (first at line "
              + first + ")");
        }
        int n = parts.length - 1;
        while (n > 0 && parts[n].trim().isEmpty()) {
          n--; // M4 pads ragged lines with empty cells
        }
        if (n < 1) {
          throw InputException.at(name, no, "series " + shown + " must have at least 1 value, "
              + "but had none");
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          String cell = parts[i + 1].trim();
          try {
            v[i] = Double.parseDouble(cell);
          } catch (NumberFormatException e) {
            throw InputException.at(name, no, "value " + (i + 1) + " of series " + shown
                + " must be a number, but was '" + clip(cell) + "'");
          }
          if (!Double.isFinite(v[i])) {
            throw InputException.at(name, no, "value " + (i + 1) + " of series " + shown
                + " must be finite, but was '" + clip(cell) + "'");
          }
        }
        out.add(new Series(id, v, no));
      }
    } catch (IOException e) {
      throw new InputException(name + ":" + no + ": cannot read: " + e);
    }
    if (out.isEmpty()) {
      throw new InputException(name + ":1: file must hold at least one series, but was empty");
    }
    return new Contents(List.copyOf(out), no);
  }

  /** A cell for a message: at most 60 characters, unprintable ones escaped. */
  private static String clip(String s) {
    return CsvTraceReader.escapeUnprintable(s.length() > 60 ? s.substring(0, 60) + "..." : s);
  }
}
