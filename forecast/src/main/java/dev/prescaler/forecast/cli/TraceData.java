package dev.prescaler.forecast.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Reads a {@code timestamp,value} trace (ISO-8601 or epoch seconds). A UTF-8 byte order mark, blank
 * lines and {@code #} comments are skipped; the first other line is a header when its value is not
 * a number and its timestamp does not start like one (a digit or a sign), as the simulator's
 * trace reader decides. Any other line is a row: one that does not parse is an error naming it,
 * never dropped.
 */
final class TraceData {
  /** A number as the simulator's reader accepts one; possessive, so linear on a long bad run. */
  private static final Pattern NUMBER =
      Pattern.compile("[+-]?(\\d++(\\.\\d*+)?|\\.\\d++)([eE][+-]?\\d++)?");

  final long[] millis;
  final double[] values;

  private TraceData(long[] millis, double[] values) {
    this.millis = millis;
    this.values = values;
  }

  static TraceData read(Path file) {
    String name = file.toString();
    long[] t = new long[1024];
    double[] v = new double[1024];
    int n = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int no = 0;
      boolean seenLine = false;
      while ((line = r.readLine()) != null) {
        no++;
        line = line.strip();
        if (no == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1).strip(); // a byte order mark, which strip() leaves
        }
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        boolean first = !seenLine;
        seenLine = true;
        String[] parts = line.split(",", -1);
        if (parts.length != 2) {
          throw InputException.at(name, no, "row must have 2 fields (timestamp,value), but had "
              + parts.length);
        }
        String ts = parts[0].trim();
        String vs = parts[1].trim();
        // A header such as "timestamp,value"; a first field that starts like a timestamp (a
        // digit or a sign) is a bad row instead, reported below.
        if (first && !NUMBER.matcher(vs).matches() && (ts.isEmpty()
            || !Character.isDigit(ts.charAt(0)) && ts.charAt(0) != '+' && ts.charAt(0) != '-')) {
          continue;
        }
        long ms = parseTime(ts, name, no);
        double val;
        try {
          val = Double.parseDouble(vs);
        } catch (NumberFormatException e) {
          throw InputException.at(name, no, "value must be a number, but was '" + vs + "'");
        }
        if (!Double.isFinite(val) || val < 0) {
          throw InputException.at(name, no, "value must be finite and >= 0, but was '" + vs
              + "'");
        }
        if (n > 0 && ms <= t[n - 1]) {
          throw InputException.at(name, no, "timestamp must be after the previous row's ("
              + Instant.ofEpochMilli(t[n - 1]) + "), but was " + ts);
        }
        if (n == t.length) {
          t = Arrays.copyOf(t, 2 * n);
          v = Arrays.copyOf(v, 2 * n);
        }
        t[n] = ms;
        v[n] = val;
        n++;
      }
    } catch (IOException e) {
      throw new InputException(name + ":0: cannot read: " + e);
    }
    if (n < 2) {
      throw new InputException(name + ":1: trace must have at least 2 rows, but had " + n);
    }
    return new TraceData(Arrays.copyOf(t, n), Arrays.copyOf(v, n));
  }

  private static long parseTime(String s, String file, int line) {
    try {
      if (s.matches("-?\\d+(\\.\\d+)?")) {
        return Math.round(Double.parseDouble(s) * 1000);
      }
      return Instant.parse(s).toEpochMilli();
    } catch (DateTimeParseException | NumberFormatException e) {
      throw InputException.at(file, line, "timestamp must be ISO-8601 (2014-04-10T00:04:00Z) or "
          + "epoch seconds, but was '" + s + "'");
    }
  }

  /** The median spacing between rows. */
  long medianStepMillis() {
    long[] d = new long[millis.length - 1];
    for (int i = 1; i < millis.length; i++) {
      d[i - 1] = millis[i] - millis[i - 1];
    }
    Arrays.sort(d);
    return d[d.length / 2];
  }
}
