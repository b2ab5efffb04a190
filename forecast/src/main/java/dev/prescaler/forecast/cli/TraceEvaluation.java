package dev.prescaler.forecast.cli;

import dev.prescaler.core.DurationText;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.forecast.Forecasters;
import dev.prescaler.forecast.Resampler;
import dev.prescaler.forecast.trace.CsvTraceReader;
import dev.prescaler.forecast.trace.TraceException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Rolling-origin evaluation on a trace, the way the engine uses a forecaster: one per-series
 * instance, called at every step with the last week of history, the steps since the previous
 * call absorbed incrementally.
 */
final class TraceEvaluation {
  /** History the engine keeps: one week. */
  static final Duration HISTORY = Duration.ofDays(7);
  /**
   * The most grid steps a trace is cut into (80 MB of values), {@link Resampler#MAX_STEPS}: more
   * is refused as bad input.
   */
  static final long MAX_GRID_STEPS = Resampler.MAX_STEPS;

  /** Why a MASE-sn is n/a where steps were scored: it would divide by 0. */
  static final String NOTE_EXACT_REFERENCE = "n/a MASE-sn: seasonal naive forecast every scored "
      + "step exactly, so its error, the MASE denominator, is 0 and the ratio is undefined";

  /** Why a whole row is n/a: nothing to score. */
  static final String NOTE_NOTHING_SCORED = "n/a MASE-sn, coverage, MAE: no step could be scored "
      + "at that horizon (the value or seasonal naive's forecast was missing at every one)";

  private TraceEvaluation() {}

  /** The samples of a trace file: times in epoch milliseconds and values, both in file order. */
  record Samples(long[] millis, double[] values) {
    /**
     * Reads {@code file} with the reader {@code simulate --trace} uses, so that both commands
     * accept the same files and report a bad one with the same line.
     *
     * @throws TraceException when the file cannot be read, has a bad line or fewer than 2 samples
     */
    static Samples read(String file) {
      long[] t = new long[1024];
      double[] v = new double[1024];
      int n = 0;
      try (CsvTraceReader r = CsvTraceReader.open(file)) {
        while (r.next()) {
          if (n == t.length) {
            t = Arrays.copyOf(t, 2 * n);
            v = Arrays.copyOf(v, 2 * n);
          }
          t[n] = r.time().toEpochMilli();
          v[n] = r.value();
          n++;
        }
      } catch (UncheckedIOException e) {
        throw new TraceException(file, 0, "cannot be read: " + e.getCause().getMessage());
      }
      if (n < 2) {
        throw new TraceException(file, 0, "trace must have at least 2 samples, but had " + n);
      }
      return new Samples(Arrays.copyOf(t, n), Arrays.copyOf(v, n));
    }

    /** The median spacing between samples. */
    long medianStepMillis() {
      long[] d = new long[millis.length - 1];
      for (int i = 1; i < millis.length; i++) {
        d[i - 1] = millis[i] - millis[i - 1];
      }
      Arrays.sort(d);
      return d[d.length / 2];
    }
  }

  static int run(Map<String, String> opts, String format, PrintStream out) {
    String file = opts.get("--trace");
    Samples data = Samples.read(file);
    Duration step = opts.containsKey("--step") ? wholeMillis(opts.get("--step"), "--step")
        : Duration.ofMillis(Math.max(1000, data.medianStepMillis()));
    double level = 0.95;
    if (opts.containsKey("--level")) {
      // Read as simulate reads its numbers: 0x1p-1 or 0.5d is no level anyone wrote.
      level = CliText.decimal(opts.get("--level")).orElse(Double.NaN);
      if (!(level > 0 && level < 1)) {
        throw new InputException("forecast-eval: --level must be a decimal number in (0, 1), "
            + "but was '" + opts.get("--level") + "'");
      }
    }
    String[] hs = opts.containsKey("--horizons") ? opts.get("--horizons").split(",")
        : distinctDefaults(ForecastEvalCommand.DEFAULT_HORIZONS.split(","), step);
    Duration[] asked = new Duration[hs.length];
    int[] horizons = horizonSteps(opts, hs, step, asked);
    int maxH = 0;
    for (int h : horizons) {
      maxH = Math.max(maxH, h);
    }
    long[] times = data.millis();
    long gridSteps = Math.floorDiv(times[times.length - 1], step.toMillis())
        - Math.floorDiv(times[0], step.toMillis()) + 1;
    if (gridSteps > MAX_GRID_STEPS) { // 1 ms over a month would take 2.6e9 doubles
      String given = opts.containsKey("--step") ? "--step '" + opts.get("--step") + "'"
          : "the default step of " + step.toMillis() + " ms (the samples' median spacing)";
      throw new InputException("forecast-eval: " + given + " cuts the trace's span into "
          + gridSteps + " steps, more than " + MAX_GRID_STEPS + ": use a longer --step");
    }
    MetricSeries grid = Resampler.toGrid(times, data.values(), step);
    double[] y = grid.toArray();
    int n = y.length;
    int cap = (int) Math.max(2, HISTORY.toMillis() / step.toMillis());
    int daily = (int) (Duration.ofDays(1).toMillis() / step.toMillis());
    int season = daily >= 2 && Duration.ofDays(1).toMillis() % step.toMillis() == 0 ? daily : 1;
    int warmup = Math.min(n / 3, Math.max(2 * season, 10));
    if (n - warmup <= maxH) {
      // The whole trace is too short, which no one line is to blame for.
      throw new TraceException(file, 0, "trace must span more than the warm-up (" + warmup
          + " steps) plus the longest horizon (" + maxH + " steps), but had " + n + " steps of "
          + step);
    }
    Map<String, Forecaster> models = new LinkedHashMap<>();
    for (String name : Forecasters.NAMES) {
      models.put(name, Forecasters.named(name).orElseThrow());
    }
    if (opts.containsKey("--methods")) {
      models = ForecastEvalCommand.chosen(opts.get("--methods"), models, "models");
    }
    // Seasonal-naive reference error per horizon, over the steps the models are scored on.
    int[] present = new int[n + 1]; // present[i] = present values among y[0..i)
    for (int i = 0; i < n; i++) {
      present[i + 1] = present[i] + (Double.isNaN(y[i]) ? 0 : 1);
    }
    double[] refAbs = new double[horizons.length];
    for (int t = warmup; t + maxH < n; t++) {
      if (present[t] == present[Math.max(0, t - cap)]) {
        continue; // no history: the models are not asked either
      }
      for (int k = 0; k < horizons.length; k++) {
        double actual = y[t + horizons[k] - 1];
        double ref = reference(y, t, horizons[k], season);
        if (!Double.isNaN(actual) && !Double.isNaN(ref)) {
          refAbs[k] += Math.abs(actual - ref);
        }
      }
    }
    List<String> rounded = new ArrayList<>(); // "7m is scored at 10m", for the note
    for (int k = 0; k < horizons.length; k++) {
      if (!step.multipliedBy(horizons[k]).equals(asked[k])) {
        rounded.add(label(asked[k]) + (rounded.isEmpty() ? " is scored at " : " at ")
            + label(step.multipliedBy(horizons[k])));
      }
    }
    List<String> lines = new ArrayList<>();
    // The file's name as simulate writes a trace's: a JSON string that stays valid whatever the
    // name holds (a newline, a quote), and in the table no raw ESC sequence or newline.
    String name = Path.of(file).getFileName().toString();
    StringBuilder json = new StringBuilder("{\"trace\":" + CliText.quote(name) + ",\"step\":\""
        + step + "\",\"steps\":" + n + ",\"level\":" + level + ",\"models\":[");
    // The level as given, not rounded: %.2f printed --level 0.999 as 1.00, a level refused.
    lines.add(String.format(Locale.ROOT, "trace %s: %d steps of %s (%d rows), warm-up %d steps,"
        + " history %d steps, interval level %s", CsvTraceReader.escapeName(name), n, step,
        data.millis().length, warmup, cap,
        BigDecimal.valueOf(level).stripTrailingZeros().toPlainString()));
    lines.add(String.format(Locale.ROOT, "%-16s %8s %10s %10s %10s", "model", "horizon",
        "MASE-sn", "coverage", "MAE"));
    int mi = 0;
    boolean exactReference = false;
    boolean nothingScored = false;
    for (Map.Entry<String, Forecaster> e : models.entrySet()) {
      Forecaster f = e.getValue().forSeries();
      double[] abs = new double[horizons.length];
      long[] inside = new long[horizons.length];
      long[] count = new long[horizons.length];
      for (int t = warmup; t + maxH < n; t++) {
        int from = Math.max(0, t - cap);
        MetricSeries hist = MetricSeries.of(grid.timeOf(from), step,
            Arrays.copyOfRange(y, from, t));
        if (hist.countPresent() == 0) {
          continue;
        }
        Forecast fc = f.forecast(hist, step.multipliedBy(maxH), level);
        for (int k = 0; k < horizons.length; k++) {
          int h = horizons[k];
          double actual = y[t + h - 1];
          if (Double.isNaN(actual) || Double.isNaN(reference(y, t, h, season))) {
            continue; // MASE-sn compares models and reference on the same steps
          }
          abs[k] += Math.abs(actual - fc.point(h - 1));
          count[k]++;
          if (actual >= fc.lower(h - 1) && actual <= fc.upper(h - 1)) {
            inside[k]++;
          }
        }
      }
      json.append(mi++ > 0 ? "," : "").append("{\"name\":").append(CliText.quote(e.getKey()))
          .append(",\"horizons\":[");
      for (int k = 0; k < horizons.length; k++) {
        // Undefined numbers print as n/a (null in JSON), with the reason in a note below.
        double mase = refAbs[k] > 0 ? abs[k] / refAbs[k] : Double.NaN;
        double cov = count[k] > 0 ? (double) inside[k] / count[k] : Double.NaN;
        double mae = count[k] > 0 ? abs[k] / count[k] : Double.NaN;
        nothingScored |= count[k] == 0;
        exactReference |= count[k] > 0 && !(refAbs[k] > 0);
        // The horizon scored, a whole number of steps; the one asked for beside it in the JSON
        // when it was rounded up to that (a note under the table says so).
        String hz = label(step.multipliedBy(horizons[k]));
        String ask = step.multipliedBy(horizons[k]).equals(asked[k]) ? ""
            : ",\"asked\":\"" + label(asked[k]) + "\"";
        lines.add(String.format(Locale.ROOT, "%-16s %8s %10s %10s %10s", e.getKey(), hz,
            cell("%.3f", mase), cell("%.3f", cov), cell("%.4g", mae)));
        json.append(k > 0 ? "," : "").append(String.format(Locale.ROOT,
            "{\"horizon\":\"%s\"%s,\"mase\":%s,\"coverage\":%s,\"mae\":%s}", hz, ask,
            num(mase), num(cov), num(mae)));
      }
      json.append("]}");
    }
    json.append("]");
    List<String> notes = new ArrayList<>();
    if (!rounded.isEmpty()) {
      notes.add(noteRounded(rounded, step));
    }
    if (exactReference) {
      notes.add(NOTE_EXACT_REFERENCE);
    }
    if (nothingScored) {
      notes.add(NOTE_NOTHING_SCORED);
    }
    lines.addAll(notes);
    if (!notes.isEmpty()) {
      json.append(",\"notes\":[").append(notes.stream()
          .map(CliText::quote).collect(Collectors.joining(",")))
          .append(']');
    }
    json.append("}");
    if (format.equals("json")) {
      out.println(json);
    } else {
      lines.forEach(out::println);
    }
    return 0;
  }

  /**
   * The note naming the horizons that are not a whole number of steps, each with the horizon it
   * is scored at: the next whole step, as the engine rounds a lead time ({@link
   * Forecaster#steps}).
   */
  static String noteRounded(List<String> rounded, Duration step) {
    return "rounded horizons: " + String.join(", ", rounded) + " (forecasts are made at whole "
        + "steps of " + label(step) + "; a horizon between two is rounded up to the next, as the "
        + "engine rounds its lead time)";
  }

  /**
   * The steps each horizon of {@code hs} (the {@code --horizons} given, or the default ones) is
   * scored at on a grid of {@code step}: {@code ceil(horizon / step)}, as the engine rounds a
   * lead time ({@link Forecaster#steps}). Each horizon as read goes into {@code asked}.
   *
   * @throws InputException when a horizon is not a duration, is more than {@link
   *     Forecaster#MAX_STEPS} steps, or is scored at the same step as another (the same horizon
   *     twice, or two rounded up to one step: each row would be the other's copy); when no
   *     {@code --horizons} was given, the message says that the default horizons fail and names
   *     the step
   */
  static int[] horizonSteps(Map<String, String> opts, String[] hs, Duration step,
      Duration[] asked) {
    boolean given = opts.containsKey("--horizons");
    String stepWhy = opts.containsKey("--step") ? "--step '" + opts.get("--step") + "'"
        : "the default step, the samples' median spacing";
    int[] horizons = new int[hs.length];
    for (int i = 0; i < hs.length; i++) {
      asked[i] = wholeMillis(hs[i], "--horizons");
      try {
        horizons[i] = Forecaster.steps(asked[i], step);
      } catch (IllegalArgumentException e) { // more than Forecaster.MAX_STEPS
        throw new InputException(given
            ? "forecast-eval: --horizons '" + hs[i] + "': " + e.getMessage()
            : "forecast-eval: " + stepWhy + " is too short for the default horizons "
                + ForecastEvalCommand.DEFAULT_HORIZONS + " (no --horizons given): "
                + e.getMessage() + "; give a longer --step, or --horizons");
      }
      for (int j = 0; j < i; j++) {
        if (horizons[j] != horizons[i]) {
          continue;
        }
        String which = given ? "--horizons" : "the default horizons "
            + ForecastEvalCommand.DEFAULT_HORIZONS + " (no --horizons given)";
        String why = hs[j].strip().equals(hs[i].strip()) ? "named '" + hs[i].strip()
            + "' more than once" : "'" + hs[j].strip() + "' and '" + hs[i].strip() + "' are both "
            + "scored at " + label(step.multipliedBy(horizons[i])) + ", " + horizons[i]
            + (horizons[i] == 1 ? " step" : " steps") + " of " + label(step) + " (" + stepWhy
            + ")";
        throw new InputException("forecast-eval: " + which + " must not repeat a horizon, but "
            + why + (given ? "" : ": give --horizons"));
      }
    }
    return horizons;
  }

  /**
   * The default horizons, each step count once: of those that land on the same whole step (at a
   * step of 15 minutes or more, 5m and 15m both do), the longest, so that a trace spaced 15 or 30
   * minutes is scored without --horizons (horizons the user gives are never dropped: a repeat
   * among them is refused). Left as they are when a step count cannot be computed, for {@link
   * #horizonSteps} to report.
   */
  static String[] distinctDefaults(String[] defaults, Duration step) {
    List<String> kept = new ArrayList<>();
    long last = -1;
    for (String h : defaults) { // ascending
      long steps;
      try {
        steps = Forecaster.steps(DurationText.parse(h).orElseThrow(), step);
      } catch (RuntimeException e) {
        return defaults;
      }
      if (steps == last) {
        kept.remove(kept.size() - 1);
      }
      kept.add(h);
      last = steps;
    }
    return kept.toArray(String[]::new);
  }

  /** {@code d} as the table and the JSON write a horizon or a step: {@code 5m}, {@code 1h30m}. */
  static String label(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  /**
   * The duration {@code text} writes as the {@code option} ({@code --step}, one of the {@code
   * --horizons}), which must be a whole number of milliseconds, at least 1 ms, in whatever form
   * it is written: the parser rounds the short forms to the millisecond ({@code 60.0004s} to 60
   * s, {@code 0.5ms} to 1 ms), so they are checked as written.
   *
   * @throws InputException when it is not a duration of whole milliseconds up to 3650 days
   */
  static Duration wholeMillis(String text, String option) {
    BigDecimal millis = DurationText.exactSeconds(text).map(s -> s.movePointRight(3))
        .orElse(null);
    // Not a duration, zero or negative: parseDuration names the form and the range.
    if (millis != null && millis.signum() > 0
        && (millis.compareTo(BigDecimal.ONE) < 0 || millis.stripTrailingZeros().scale() > 0)) {
      throw new InputException("forecast-eval: " + option + " must be a whole number of "
          + "milliseconds, at least 1 ms, but was '" + text + "'");
    }
    return ForecastEvalCommand.parseDuration(text, option);
  }

  /**
   * The seasonal-naive forecast made at origin {@code t} for {@code h} steps ahead: the value one
   * season before the target (the last value when there is no season); NaN when that value is
   * missing or before the trace.
   */
  static double reference(double[] y, int t, int h, int season) {
    int src = season == 1 ? t - 1 : t + h - 1 - season * ((h - 1) / season + 1);
    return src >= 0 ? y[src] : Double.NaN;
  }

  /** {@code v} in {@code format}, or n/a when it is undefined (NaN). */
  private static String cell(String format, double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, format, v);
  }

  private static String num(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "null";
  }
}
