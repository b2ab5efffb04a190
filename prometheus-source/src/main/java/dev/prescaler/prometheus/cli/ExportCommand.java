package dev.prescaler.prometheus.cli;

import dev.prescaler.core.DurationText;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.cli.Arguments;
import dev.prescaler.core.cli.IntegerText;
import dev.prescaler.core.cli.OutputFile;
import dev.prescaler.core.cli.Printable;
import dev.prescaler.core.cli.TraceTimes;
import dev.prescaler.prometheus.PrometheusException;
import dev.prescaler.prometheus.PrometheusMetricSource;
import dev.prescaler.prometheus.UrlCredentials;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code export} command: reads one PromQL expression over a span of the past from a
 * Prometheus server and writes it as a {@code timestamp,value} trace, the input of {@code
 * prescaler simulate}. This is how a team backtests Prescaler on its own metric history.
 *
 * <p>The expression is evaluated on a grid of {@code --step} with range queries, in chunks under
 * Prometheus's 11,000-point limit; the grid is whole steps since the epoch, so the first row is
 * the first such instant at or after {@code --from}. A step without a finite value (no sample,
 * NaN, a gap in the scrape) is left out of the file, as the bundled traces leave out what their
 * sources did not record; the simulator interpolates across it. A history {@code simulate} could
 * not read (a value below 0, a time outside 1900 to 2199) is refused before anything is written.
 * The first line, a comment, names what was read, escaped as the errors are. {@code --out} is
 * written as {@code simulate} writes its files ({@link OutputFile}): a device, a pipe or a
 * process's stream in place, appended to ({@code /dev/stdout} through the process's own
 * descriptor, so that what is written after it follows it), any other file whole or not at all,
 * where its links lead, with the mode a new file gets or that of the file it replaces; it must
 * not be one of the files the export reads. Every error is one line, escaped as {@link
 * Printable#escape} escapes.
 */
public final class ExportCommand {
  /** Default span read when neither {@code --from} nor {@code --last} is given: 7 days. */
  public static final Duration DEFAULT_LAST = Duration.ofDays(7);
  /** Default grid step: 60 s, the engine's history step. */
  public static final Duration DEFAULT_STEP = Duration.ofSeconds(60);
  /** Default timeout of one range request: 30 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** The longest {@code --timeout}: 10 minutes, the most the source's builder takes. */
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
  /** The longest {@code --step} and {@code --last}: 3650 days. */
  static final Duration MAX_DURATION = Duration.ofDays(3650);

  static final String USAGE = String.join("\n",
      "usage: prescaler export --prometheus URL --query PROMQL [--last 7d | --from T [--to T]]",
      "                        [--step 60s] [--out FILE] [--bearer-token-file FILE]",
      "                        [--basic-auth-file FILE] [--header 'NAME: VALUE']...",
      "                        [--ca-cert FILE] [--timeout 30s]",
      "",
      "Reads one PromQL expression over a span of the past and writes it as a trace",
      "(timestamp,value) for 'prescaler simulate --trace FILE'. The expression must return one",
      "series: aggregate it, e.g. sum(rate(http_requests_total{job=\"web\"}[5m])).",
      "",
      "Options (defaults in brackets):",
      "  --prometheus URL         where Prometheus serves its API, http or https, without",
      "                           user:password@ (see --basic-auth-file)",
      "  --query PROMQL           the load of the workload, in units one replica serves; sent",
      "                           as it is (no template placeholders such as {rate_window})",
      "  --last D                 span ending now [7d]",
      "  --from T, --to T         span [from, to), ISO-8601 (2026-11-29T10:00:00Z) or epoch",
      "                           seconds; --to defaults to now",
      "  --step D                 grid step [60s]",
      "  --out FILE               the trace file, written whole or not at all; a device, a",
      "                           pipe is appended to in place (/dev/stdout through export's",
      "                           own stdout), a link where it leads; not a file read",
      "                           (--bearer-token-file...) [stdout]",
      "  --bearer-token-file F    send the token in this file (re-read when it changes)",
      "  --basic-auth-file F      basic authentication, the file's first line user:password",
      "  --header 'NAME: VALUE'   send this header too, e.g. 'X-Scope-OrgID: tenant-1' for a",
      "                           multi-tenant Mimir, Cortex or Thanos (repeatable, once",
      "                           per header name, in any case)",
      "  --ca-cert FILE           trust this PEM certificate for an https URL",
      "  --timeout D              timeout of one range request, at most 10m [30s]",
      "Durations: 90 (seconds), 90s, 15m, 1h, 7d or ISO-8601 (PT15M), from 1ms to 3650d",
      "(--timeout to 10m), in whole milliseconds (60s, not 60.0004s or 0.5ms).",
      "Steps without a finite value are left out; the simulator interpolates across them.",
      "A value below 0, or one at a time outside 1900 to 2199, is refused, as simulate would",
      "refuse the trace: nothing is written.",
      "",
      "Exit status: 0 written; 1 Prometheus failed or returned nothing, the history holds a",
      "value simulate cannot read, or the trace could not be written; 2 bad arguments.");

  private static final Arguments PARSER = new Arguments(Set.of("--prometheus", "--query",
      "--last", "--from", "--to", "--step", "--out", "--bearer-token-file", "--basic-auth-file",
      "--ca-cert", "--timeout"), Set.of("--header"), Set.of(), false);
  /** The fields of the source's builder that options set, by the option that sets each. */
  private static final Map<String, String> BUILDER_FIELDS = Map.of("baseUri", "--prometheus",
      "requestTimeout", "--timeout", "caCertificate", "--ca-cert");
  /** The template the source's builder asks for; the export never runs it. */
  private static final String UNUSED_TEMPLATE = "vector(0)";
  /** What a header name may hold besides letters and digits (an RFC 7230 token). */
  private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";
  private static final String TOKEN_CHAR = "[!#$%&'*+.^_`|~0-9A-Za-z-]";
  private static final Pattern TOKEN = Pattern.compile(TOKEN_CHAR + "*");
  private static final Pattern HEADER =
      Pattern.compile("(" + TOKEN_CHAR + "+):\\s*(.*)", Pattern.DOTALL);

  private ExportCommand() {}

  /**
   * Runs the command with the system clock.
   *
   * @return 0 when the trace was written, 1 when Prometheus failed or returned no value, the
   *     history holds a row {@code simulate --trace} would refuse (a value below 0, a time outside
   *     1900 to 2199: nothing is written) or the trace could not be written (to its file or to
   *     {@code out}), 2 on bad arguments; every error is one escaped line on {@code err}, never a
   *     stack trace
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, Clock.systemUTC());
  }

  /** Runs the command; "now" comes from {@code clock}. */
  public static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
    Request r;
    try {
      Arguments.Parsed a = PARSER.parse(args);
      if (a.help()) {
        out.println(USAGE);
        return 0;
      }
      r = request(a.values(), a.repeats().getOrDefault("--header", List.of()), clock);
    } catch (IllegalArgumentException e) {
      // One harmless line: a value quoted in it may hold a newline or an ESC sequence.
      err.println("export: " + Printable.escape(e.getMessage().replace("\n- ", "; ")
          .replace('\n', ' ')));
      return 2;
    }
    MetricSeries series;
    try {
      series = r.source.rangeQuery(r.query, r.from, r.to, r.step);
    } catch (PrometheusException e) {
      // It quotes the query and what the server sent: labels, error text.
      return error(err, e.getMessage(), 1);
    } catch (IllegalArgumentException e) {
      // The options were checked above; should the source still refuse them, say so on one line.
      return error(err, e.getMessage(), 2);
    }
    if (series.size() == 0) {
      return error(err, "--from " + r.from + " --to " + r.to + ": no whole step of "
          + seconds(r.step) + " (counted from 1970-01-01T00:00:00Z, as the rows are) falls in "
          + "the span; widen it", 2);
    }
    int present = series.countPresent();
    if (present == 0) {
      return error(err, "the query returned no value from " + r.from + " to " + r.to
          + " (query: " + r.query + ")", 1);
    }
    String unreadable = unreadable(series);
    if (unreadable != null) {
      return error(err, unreadable, 1);
    }
    // Escaped as the error lines are: the query and the URL's path (decoded) are the user's
    // text, and an ESC sequence or a line separator in them would land in the file raw.
    String provenance = Printable.escape("# exported from Prometheus " + r.where
        + " by prescaler export: query " + oneLine(r.query) + ", from " + series.start()
        + (series.start().equals(r.from) ? ""
            : " (--from " + r.from + " rounded up to a whole step)")
        + " to " + r.to + ", step " + seconds(r.step)
        + ", " + present + " of " + series.size() + " steps with a value");
    try {
      if (r.out == null) {
        Writer stdout = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        write(series, provenance, stdout);
        stdout.flush();
        // A PrintStream swallows its IOExceptions: a closed pipe or a full disk shows only here.
        if (out.checkError()) {
          return error(err, "cannot write stdout (a closed pipe or a full disk?): the trace "
              + "written there is incomplete", 1);
        }
      } else {
        OutputFile.write(r.out, w -> write(series, provenance, w));
        err.println("export: wrote " + present + " rows to "
            + Printable.escapeName(r.out.toString()) + " (" + (series.size() - present)
            + " steps without a value left out)");
      }
    } catch (IOException e) {
      return error(err, "cannot write " + (r.out == null ? "stdout" : r.out) + ": "
          + e.getMessage(), 1);
    }
    return 0;
  }

  /**
   * Prints {@code message} as export's one-line error, {@code export: ...}: each run of white
   * space one space, and every other character a terminal would not print as itself escaped
   * ({@link Printable#escape}), since it may quote the query, a file name or what Prometheus
   * sent. Returns {@code code}, the exit status.
   */
  private static int error(PrintStream err, String message, int code) {
    err.println("export: " + Printable.escape(oneLine(String.valueOf(message))));
    return code;
  }

  /**
   * Why {@code simulate --trace} could not read the trace of {@code series}, or null when it
   * could: the first row, in time order, that its reader ({@code CsvTraceReader}) refuses, a
   * value below 0 or a time outside 1900 to 2199. Steps without a value are not rows.
   */
  private static String unreadable(MetricSeries series) {
    for (int i = 0; i < series.size(); i++) {
      double v = series.value(i);
      if (Double.isNaN(v)) {
        continue;
      }
      Instant t = series.timeOf(i);
      String why;
      if (!TraceTimes.contains(t)) {
        why = "a trace's times must be from 1900 to 2199 (narrow the span)";
      } else if (v < 0) {
        why = "a trace's values must be >= 0 (a load is never negative: check the query, or "
            + "wrap it in clamp_min(..., 0) to read such steps as 0)";
      } else {
        continue;
      }
      return "the query returned " + number(v) + " at " + t + ", which simulate --trace cannot "
          + "read: " + why + "; nothing was written";
    }
    return null;
  }

  /**
   * {@code v} as a row holds it: a whole number under 10^15 without a fraction ({@code 12}, not
   * {@code 12.0}), any other as {@link Double#toString} writes it.
   */
  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /** What the options ask for, checked; the first problem throws. */
  private record Request(PrometheusMetricSource source, String where, String query, Instant from,
      Instant to, Duration step, Path out) {}

  private static Request request(Map<String, String> opts, List<String> headers, Clock clock) {
    String url = required(opts, "--prometheus");
    String query = required(opts, "--query");
    if (query.isBlank()) {
      throw new IllegalArgumentException("--query must be a PromQL expression, but was blank");
    }
    if (UrlCredentials.present(url)) {
      throw new IllegalArgumentException("--prometheus must not hold credentials (user info): use"
          + " --basic-auth-file or --bearer-token-file, which keep them off the command line, but"
          + " was \"" + UrlCredentials.redacted(url) + "\"");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || uri.getHost() == null || !("http".equalsIgnoreCase(uri.getScheme())
        || "https".equalsIgnoreCase(uri.getScheme())) || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("--prometheus must be an http or https URL with a host"
          + " and no query, such as http://prometheus:9090, but was \""
          + UrlCredentials.redacted(url) + "\"");
    }
    Duration step = opts.containsKey("--step")
        ? wholeMillis("--step", opts.get("--step")) : DEFAULT_STEP;
    Duration timeout = opts.containsKey("--timeout")
        ? wholeMillis("--timeout", opts.get("--timeout")) : DEFAULT_TIMEOUT;
    if (opts.containsKey("--last") && (opts.containsKey("--from") || opts.containsKey("--to"))) {
      throw new IllegalArgumentException("--last cannot be combined with --from or --to");
    }
    if (opts.containsKey("--to") && !opts.containsKey("--from")) {
      throw new IllegalArgumentException("--to needs --from");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant to = opts.containsKey("--to") ? instant("--to", opts.get("--to")) : now;
    Instant from = opts.containsKey("--from") ? instant("--from", opts.get("--from"))
        : to.minus(opts.containsKey("--last") ? wholeMillis("--last", opts.get("--last"))
            : DEFAULT_LAST);
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("--from must be before --to (" + to + "), but was "
          + from);
    }
    long steps = PrometheusMetricSource.rangeSteps(Duration.between(from, to), step);
    if (steps > PrometheusMetricSource.MAX_RANGE_STEPS) {
      throw new IllegalArgumentException("the span " + (opts.containsKey("--from")
          ? "from --from to --to" : "of --last") + " must hold at most 10,000,000 steps of "
          + "--step, but " + from + " to " + to + " by " + seconds(step) + " holds "
          + (steps == Long.MAX_VALUE ? "more than " + steps : steps));
    }
    PrometheusMetricSource.Builder b = PrometheusMetricSource.builder().baseUri(uri)
        // The builder wants a metric template. The query is not one: rangeQuery sends it as it
        // is, so that braces in it are PromQL ("{job}" in a label_replace), never placeholders.
        .metric("export", UNUSED_TEMPLATE)
        .requestTimeout(timeout);
    distinctFromInputs(opts);
    if (opts.containsKey("--bearer-token-file") && opts.containsKey("--basic-auth-file")) {
      throw new IllegalArgumentException("--bearer-token-file and --basic-auth-file cannot both "
          + "be given");
    }
    if (opts.containsKey("--bearer-token-file")) {
      Path token = path(opts, "--bearer-token-file");
      // Read now, not at the first request: a bad file is a bad argument (exit 2).
      PrometheusMetricSource.checkBearerTokenFile("--bearer-token-file", token);
      b.bearerTokenFile(token);
    }
    if (opts.containsKey("--basic-auth-file")) {
      String[] user = basicAuth(path(opts, "--basic-auth-file"));
      b.basicAuth(user[0], user[1]);
    }
    Map<String, String> headerNames = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String h : headers) {
      Matcher m = HEADER.matcher(h);
      if (!m.matches()) {
        throw new IllegalArgumentException(notAHeader(h));
      }
      if (m.group(1).equalsIgnoreCase("Authorization")) {
        throw new IllegalArgumentException(headerShown(m.group(1)) + " cannot set "
            + "Authorization: use --bearer-token-file or --basic-auth-file, which keep it off "
            + "the command line");
      }
      String first = headerNames.putIfAbsent(m.group(1), m.group(1));
      if (first != null) {
        // The builder would keep the last value silently. Names only: a value may be a credential.
        throw new IllegalArgumentException("--header " + first + " must be given once, but was "
            + "given twice" + (first.equals(m.group(1)) ? ""
                : " (as " + first + " and " + m.group(1) + ": header names are case-insensitive)")
            + "; values not shown: they may hold a credential");
      }
      b.header(m.group(1), m.group(2).strip());
    }
    if (opts.containsKey("--ca-cert")) {
      if (!"https".equalsIgnoreCase(uri.getScheme())) {
        throw new IllegalArgumentException("--ca-cert needs an https --prometheus URL, but it "
            + "was \"" + UrlCredentials.redacted(url) + "\"");
      }
      b.caCertificate(path(opts, "--ca-cert"));
    }
    PrometheusMetricSource source;
    try {
      source = b.build();
    } catch (InvalidConfigurationException e) {
      throw new IllegalArgumentException(String.join("; ", e.problems().stream()
          .map(p -> asOption(p, headerNames.keySet())).toList()));
    }
    // Checked before the range query runs, which may take minutes.
    Path out = opts.containsKey("--out") ? OutputFile.check("--out", opts.get("--out")) : null;
    String where;
    try {
      // Never write credentials given in the URL into the file.
      where = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null,
          null).toString();
    } catch (URISyntaxException e) {
      where = uri.getHost();
    }
    return new Request(source, where, query, from, to, step, out);
  }

  /**
   * Refuses an {@code --out} that is one of the files the export reads ({@code
   * --bearer-token-file}, {@code --basic-auth-file}, {@code --ca-cert}): the trace overwrote the
   * credential. Compared as {@code simulate} compares its outputs with its inputs ({@link
   * OutputFile#sameFile}: through links and real paths, and as the same file, a hard link too).
   */
  private static void distinctFromInputs(Map<String, String> opts) {
    if (!opts.containsKey("--out")) {
      return;
    }
    for (String input : List.of("--bearer-token-file", "--basic-auth-file", "--ca-cert")) {
      if (opts.containsKey(input)
          && OutputFile.sameFile(path(opts, "--out"), path(opts, input))) {
        throw new IllegalArgumentException("--out must name another file than " + input
            + ", but both name \"" + opts.get("--out") + "\"");
      }
    }
  }

  /** The path the option {@code name} gives. */
  private static Path path(Map<String, String> opts, String name) {
    String value = opts.get(name);
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(name + " must be a file path, but was \"" + value
          + "\" (" + e.getReason() + ")");
    }
  }

  /** The first line of {@code file} as {user, password}, split at its first colon. */
  private static String[] basicAuth(Path file) {
    String line;
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      line = lines.findFirst().orElse("");
    } catch (IOException | UncheckedIOException e) {
      throw new IllegalArgumentException("--basic-auth-file " + file + " cannot be read ("
          + e.getClass().getSimpleName() + ")");
    }
    int colon = line.indexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("--basic-auth-file " + file + " must hold "
          + "user:password on its first line, but it holds no user before a colon");
    }
    return new String[] {line.substring(0, colon), line.substring(colon + 1)};
  }

  private static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) {
      throw new IllegalArgumentException(name + " is required (see --help)");
    }
    return v;
  }

  /**
   * {@code value} as the duration option {@code name}, in its range: from 1 ms to 10 minutes for
   * {@code --timeout} (the most the source's builder takes), to 3650 days for the others; the
   * message names the option's own range, with examples inside it.
   */
  static Duration duration(String name, String value) {
    boolean timeout = name.equals("--timeout");
    Duration max = timeout ? MAX_TIMEOUT : MAX_DURATION;
    return DurationText.parse(value)
        .filter(d -> d.compareTo(Duration.ofMillis(1)) >= 0 && d.compareTo(max) <= 0)
        .orElseThrow(() -> new IllegalArgumentException(name + " must be a duration from 1ms to "
            + (timeout ? "10m such as 30s, 2m or PT30S" : "3650d such as 60s, 15m, 7d or PT15M")
            + ", but was \"" + value + "\""));
  }

  /**
   * {@code value} as the duration option {@code name} ({@code --step}, {@code --last}, {@code
   * --timeout}): from 1 ms to 3650 days (10 minutes for {@code --timeout}), of whole
   * milliseconds, as Prometheus and the source take them. {@code DurationText} rounds a decimal
   * form to the millisecond ({@code 0.5ms} to 1 ms, {@code 60.0004s} to 60 s); its exact reading
   * of the digits given decides instead, so that a duration that is not whole milliseconds is
   * refused in every form, as the ISO one ({@code PT0.0015S}) already was, never taken as
   * another duration than the one asked for.
   */
  private static Duration wholeMillis(String name, String value) {
    duration(name, value); // the form and the range
    BigDecimal millis = DurationText.exactSeconds(value).orElseThrow().movePointRight(3);
    if (millis.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException(name + " must be a whole number of milliseconds, but "
          + "was \"" + value + "\"");
    }
    return Duration.ofMillis(millis.longValueExact());
  }

  /**
   * A problem of the source's builder, named by the option that sets the field it names ({@code
   * caCertificate must be ...} is {@code --ca-cert must be ...}); a problem of one of the {@code
   * headers} given ({@code header Host must not be set ...}) by the {@code --header} that gives
   * it ({@code --header "Host: (value not shown)" must not be set ...}). The builder decides
   * what a header may be; this only names the option.
   */
  private static String asOption(String problem, Set<String> headers) {
    for (String name : headers) {
      String prefix = "header " + name + " ";
      if (problem.startsWith(prefix)) {
        return headerShown(name) + problem.substring(prefix.length() - 1);
      }
    }
    int space = problem.indexOf(' ');
    String option = space < 0 ? null : BUILDER_FIELDS.get(problem.substring(0, space));
    return option == null ? problem : option + problem.substring(space);
  }

  /**
   * The option and the header it gives, as an error names them: the name is a token, so it is
   * shown as written; the value is not, since it may be a credential (an API key).
   */
  private static String headerShown(String name) {
    return "--header \"" + name + ": (value not shown)\"";
  }

  /**
   * Why {@code given} is not {@code NAME: VALUE} with NAME a token, as the builder takes header
   * names (RFC 7230): where it goes wrong, by position and code point. None of it is shown:
   * without a name and colon before it, all of it may be a credential ({@code --header
   * "$API_KEY"}, a name forgotten).
   */
  private static String notAHeader(String given) {
    int colon = given.indexOf(':');
    String why;
    if (colon < 0) {
      why = "it has no colon";
    } else if (colon == 0) {
      why = "it has no name before its colon";
    } else {
      Matcher token = TOKEN.matcher(given.substring(0, colon));
      token.lookingAt();
      int at = token.end();
      why = "its name, before the colon, holds U+" + String.format(Locale.ROOT, "%04X",
          given.codePointAt(at)) + " at character " + (given.codePointCount(0, at) + 1)
          + ", which a header name cannot (letters, digits and " + TOKEN_SYMBOLS + " only)";
    }
    return "--header must be NAME: VALUE, such as 'X-Scope-OrgID: tenant-1', but " + why
        + " (not shown: it may hold a credential)";
  }

  static Instant instant(String name, String value) {
    Instant t;
    try {
      // Epoch seconds in ASCII digits, read as every command reads an integer (IntegerText).
      t = value.matches("[0-9]{1,11}")
          ? Instant.ofEpochSecond(IntegerText.parseLong(value).orElseThrow())
          : Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + " must be an ISO-8601 instant such as "
          + "2026-11-29T10:00:00Z or epoch seconds, but was \"" + value + "\"");
    }
    try {
      t.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(name + " must be within about 292 million years of "
          + "1970 (Prometheus counts time in 64-bit milliseconds), but was \"" + value + "\"");
    }
    return t;
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").trim();
  }

  /** Writes the trace: the provenance line, the header, one row per step with a value. */
  private static void write(MetricSeries series, String provenance, Writer w)
      throws IOException {
    StringBuilder line = new StringBuilder(64);
    w.write(provenance);
    w.write("\ntimestamp,value\n");
    for (int i = 0; i < series.size(); i++) {
      double v = series.value(i);
      if (Double.isNaN(v)) {
        continue;
      }
      line.setLength(0);
      line.append(series.timeOf(i)).append(',').append(number(v));
      w.write(line.append('\n').toString());
    }
  }
}
