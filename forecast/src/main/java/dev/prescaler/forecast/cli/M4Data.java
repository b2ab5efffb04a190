package dev.prescaler.forecast.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads M4 files: no header, one series per line, {@code id,v1,v2,...}. */
final class M4Data {
  private M4Data() {}

  /** One series. */
  record Series(String id, double[] values, int line) {}

  static List<Series> read(Path file) {
    String name = file.toString();
    List<Series> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        String[] parts = line.split(",", -1);
        String id = parts[0].trim();
        if (id.isEmpty()) {
          throw InputException.at(name, no, "series id must not be empty");
        }
        int n = parts.length - 1;
        while (n > 0 && parts[n].trim().isEmpty()) {
          n--; // M4 pads ragged lines with empty cells
        }
        if (n < 1) {
          throw InputException.at(name, no, "series " + id + " must have at least 1 value, but "
              + "had none");
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          String cell = parts[i + 1].trim();
          try {
            v[i] = Double.parseDouble(cell);
          } catch (NumberFormatException e) {
            throw InputException.at(name, no, "value " + (i + 1) + " of series " + id
                + " must be a number, but was '" + cell + "'");
          }
          if (!Double.isFinite(v[i])) {
            throw InputException.at(name, no, "value " + (i + 1) + " of series " + id
                + " must be finite, but was '" + cell + "'");
          }
        }
        out.add(new Series(id, v, no));
      }
    } catch (IOException e) {
      throw new InputException(name + ":0: cannot read: " + e);
    }
    if (out.isEmpty()) {
      throw new InputException(name + ":1: file must hold at least one series, but was empty");
    }
    return out;
  }
}
