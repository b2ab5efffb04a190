package dev.prescaler.simulator.cli;

import dev.prescaler.core.cli.Arguments;
import dev.prescaler.forecast.trace.CsvTraceReader;
import dev.prescaler.simulator.report.Numbers;
import dev.prescaler.simulator.score.AgainstHpa;
import dev.prescaler.simulator.score.AtSlo;
import dev.prescaler.simulator.score.Scorecard;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * {@code prescaler summarize}: reads the JSON of several {@code simulate} runs (one per trace) and
 * prints one markdown row per trace, a policy against the HPA, and the bars over all of
 * them: whether the policy meets the SLO wherever the HPA does, the median ratios of the cost at
 * the SLO, of the under-provisioned time and of the scaling actions, and the traces above 1.02 ×
 * the HPA's cost. This is how {@code BENCHMARKS.md}'s table is made from the runs' files.
 */
public final class SummarizeCommand {
  static final String USAGE = String.join("\n",
      "usage: prescaler summarize [--policy predictive] [--against hpa] FILE.json...",
      "",
      "Reads the --format json output of 'prescaler simulate' runs (each with both policies and",
      "oracle-100, made without --no-sweep) and prints, in markdown, one row per trace and the",
      "bars over all of them:",
      "  - the policy meets the SLO on every trace where the baseline does;",
      "  - the median of policy / baseline cost at the SLO over the traces where both meet it,",
      "    and the traces where it is above 1.02;",
      "  - the medians of policy / baseline under-provisioned time (1 when both are 0) and",
      "    scaling actions at the runs' target.",
      "",
      "Each run once: the same file given twice, or two files holding the same run (the same",
      "trace name, settings and results of both policies), is refused. Two traces that share a",
      "name (a/rps.csv and b/rps.csv) are two rows, each named with its JSON file as given.",
      "Each option once.",
      "",
      "Exit status: 0 printed; 1 stdout could not be written; 2 bad arguments, a file that is",
      "not such a run (a field missing, a policy listed twice, or a number no run can hold: a",
      "percentage outside [0, 100], replica-hours below 0, scaling actions not a whole number",
      ">= 0), or a run given twice (one line naming the file, and the policy and the field of",
      "a bad number).");

  private SummarizeCommand() {}

  /** The physical limit each policy's cost at the SLO is also read against. */
  private static final String ORACLE_100 = "oracle-100";

  /**
   * Settings of a run that may differ between rows: the trace's own, and the target, which the
   * table reads "at each run's target" when the runs differ in it.
   */
  private static final Set<String> PER_TRACE =
      Set.of("capacity", "peakReplicas", "steps", "targetUtilization");
  /** Settings a run names only when they were given (absent: the model's default). */
  private static final List<String> OPTIONAL =
      List.of("minReplicas", "maxReplicas", "forecaster", "hpa");

  /**
   * One trace: the policy, the baseline and oracle-100 (may be null), as simulate scored them,
   * the run's model settings (its JSON config without the trace's own entries), the JSON file as
   * given, and the whole JSON config.
   */
  record Row(String trace, double target, Scorecard policy, Scorecard baseline,
      Scorecard oracle, Map<String, String> settings, String file, Map<String, String> config) {

    /**
     * What makes two files the same run: the trace's name, the whole config (the trace's steps
     * and capacity among it) and the two policies' scores. The name alone is only the trace's
     * file name, which two traces may share; the config alone is shared by two traces of one
     * name and length run with one {@code --capacity}. A copy of a run, or a run made again
     * (simulate is deterministic), has all three; oracle-100 is left out, so that runs of other
     * policy lists are caught too.
     */
    List<Object> identity() {
      return List.of(trace, config, policy, baseline);
    }
  }

  /**
   * Runs the command.
   *
   * @return 0 when printed, 1 when {@code out} could not be written, 2 on bad arguments or
   *     input (one run given twice among them: the same file, or two files of the same run)
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Arguments.Parsed a;
    try {
      a = new Arguments(Set.of("--policy", "--against"), Set.of(), Set.of(), true).parse(args);
    } catch (IllegalArgumentException e) {
      err.println("summarize: " + e.getMessage());
      return 2;
    }
    if (a.help()) {
      out.println(USAGE);
      return 0;
    }
    if (a.positionals().isEmpty()) {
      err.println("summarize: give at least one JSON file of 'prescaler simulate' (see --help)");
      return 2;
    }
    String policy = a.values().getOrDefault("--policy", "predictive");
    String against = a.values().getOrDefault("--against", "hpa");
    if (policy.equals(against)) {
      err.println("summarize: --policy and --against must name two policies, but both were \""
          + policy + "\"");
      return 2;
    }
    List<Row> rows = new ArrayList<>();
    Map<Path, String> fileOfPath = new HashMap<>();
    Map<List<Object>, String> fileOfRun = new HashMap<>();
    try {
      for (String f : a.positionals()) {
        Row row = read(f, policy, against);
        // The medians would count one run twice. Two traces of one file name are two runs.
        String before = fileOfPath.putIfAbsent(realPath(f), f);
        if (before != null) {
          throw new IllegalArgumentException(before + " and " + f + " are the same file: give "
              + "each run once");
        }
        before = fileOfRun.putIfAbsent(row.identity(), f);
        if (before != null) {
          throw new IllegalArgumentException(before + " and " + f + " hold the same run of "
              + row.trace() + " (the same settings and results of " + policy + " and " + against
              + "): give each run once");
        }
        rows.add(row);
      }
    } catch (IllegalArgumentException e) {
      err.println("summarize: " + SimulateCommand.oneLine(e.getMessage()));
      return 2;
    }
    out.print(render(rows, policy, against));
    // A PrintStream swallows its IOExceptions: a closed pipe or a full disk shows only here.
    if (out.checkError()) {
      err.println("summarize: cannot write stdout (a closed pipe or a full disk?): the table "
          + "written there is incomplete");
      return 1;
    }
    return 0;
  }

  /** {@code file}'s real path, links resolved; read has opened it, so it exists. */
  private static Path realPath(String file) {
    try {
      return Path.of(file).toRealPath();
    } catch (IOException e) {
      return Path.of(file).toAbsolutePath().normalize();
    }
  }

  static Row read(String file, String policy, String against) {
    Object root;
    try {
      String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (IOException | RuntimeException e) {
      String why = e instanceof YAMLException ? "not JSON" : e.getClass().getSimpleName() + ": "
          + e.getMessage();
      throw new IllegalArgumentException(file + ": cannot read it (" + why.replaceAll("\\s+", " ")
          .trim() + ")");
    }
    if (!(root instanceof Map<?, ?> m) || !(m.get("trace") instanceof String trace)
        || !(m.get("config") instanceof Map<?, ?> config)
        || !(config.get("targetUtilization") instanceof Number target)
        || !(m.get("policies") instanceof List<?> policies)) {
      throw new IllegalArgumentException(file + ": not the --format json output of 'prescaler "
          + "simulate' (trace, config.targetUtilization and policies are needed)");
    }
    double t = target.doubleValue();
    if (!(t > 0 && t <= 1)) {
      // Every ratio "at the runs' target" would be read at a target no run can have.
      throw new IllegalArgumentException(file + ": config.targetUtilization must be in (0, 1], "
          + "but was " + target);
    }
    if (Boolean.FALSE.equals(config.get("sweep"))) {
      throw new IllegalArgumentException(file + ": made with --no-sweep, so it has no cost at "
          + "the SLO (run simulate without --no-sweep)");
    }
    Scorecard p = null;
    Scorecard b = null;
    Scorecard o = null;
    Set<String> seen = new HashSet<>();
    for (Object x : policies) {
      if (x instanceof Map<?, ?> e && e.get("name") instanceof String name) {
        // simulate runs each policy once: a second entry is no run of it, and would win.
        if (!seen.add(name)) {
          throw new IllegalArgumentException(file + ": not the --format json output of "
              + "'prescaler simulate': it lists the policy " + name + " twice");
        }
        // Not exclusive: --policy or --against may name oracle-100, whose column then reads it
        // against itself.
        if (name.equals(policy) || name.equals(against) || name.equals(ORACLE_100)) {
          Scorecard s = scorecard(file, name, target.doubleValue(), e);
          p = name.equals(policy) ? s : p;
          b = name.equals(against) ? s : b;
          o = name.equals(ORACLE_100) ? s : o;
        }
      }
    }
    if (p == null || b == null) {
      // Quoted: --policy '' printed "the policies  and hpa".
      throw new IllegalArgumentException(file + ": must hold the policies " + quoted(policy)
          + " and " + quoted(against) + ", but held " + names(policies));
    }
    Map<String, String> settings = new TreeMap<>();
    Map<String, String> all = new TreeMap<>();
    config.forEach((k, v) -> {
      all.put(String.valueOf(k), String.valueOf(v));
      if (!PER_TRACE.contains(String.valueOf(k))) {
        settings.put(String.valueOf(k), String.valueOf(v));
      }
    });
    return new Row(trace, target.doubleValue(), p, b, o, settings, file, all);
  }

  /**
   * The names of the file's {@code policies}, as a list of the names quoted ({@code ["hpa",
   * "predictive"]}); an entry without a string name as it is ({@code null}, a number).
   */
  private static String names(List<?> policies) {
    List<String> n = new ArrayList<>();
    for (Object x : policies) {
      Object name = x instanceof Map<?, ?> e ? e.get("name") : x;
      n.add(name instanceof String s ? quoted(s) : String.valueOf(name));
    }
    return n.toString();
  }

  /** A policy's name as a message quotes it, so that an empty one shows: {@code ""}. */
  private static String quoted(String name) {
    return "\"" + name + "\"";
  }

  /**
   * A policy's entry of the JSON back as the scorecard it was written from, each number checked
   * against what a {@code simulate} run can write: percentages in [0, 100], replica-hours and the
   * cost against oracle-100 finite and &ge; 0, scaling actions a whole number &ge; 0, a target
   * in (0, 1]. A hand-edited {@code -5} % was read as never short (ratio 1.00), {@code 2.7}
   * actions were cut to 2, and {@code 1e300} became Long.MAX_VALUE. The numbers {@code simulate}
   * writes as null where it has none (the cost against oracle-100 when it did not run) may be
   * null or absent, as may those the table does not read.
   *
   * @throws IllegalArgumentException naming the file, the policy, the field and the value
   */
  private static Scorecard scorecard(String file, String name, double target, Map<?, ?> e) {
    if (!(e.get("underProvisionedPct") instanceof Number)
        || !(e.get("scalingActions") instanceof Number)) {
      throw new IllegalArgumentException(file + ": policy " + name + " lacks "
          + "underProvisionedPct or scalingActions");
    }
    Field f = new Field(file, name);
    double under = f.number(e, "", "underProvisionedPct", 100);
    long actions = f.count(e, "scalingActions");
    double unserved = f.optional(e, "", "unservedPct", 100);
    double hours = f.optional(e, "", "replicaHours", Double.POSITIVE_INFINITY);
    double vsOracle = f.optional(e, "", "costVsOracle", Double.POSITIVE_INFINITY);
    Optional<AtSlo> atSlo = Optional.empty();
    if (e.get("atSlo") instanceof Map<?, ?> slo) {
      if (!(slo.get("replicaHours") instanceof Number)
          || !(slo.get("targetUtilization") instanceof Number t)) {
        throw new IllegalArgumentException(file + ": policy " + name + "'s atSlo lacks "
            + "replicaHours or targetUtilization");
      }
      if (!(t.doubleValue() > 0 && t.doubleValue() <= 1)) {
        throw f.bad("atSlo.targetUtilization", "in (0, 1]", t);
      }
      atSlo = Optional.of(new AtSlo(t.doubleValue(),
          f.number(slo, "atSlo.", "replicaHours", Double.POSITIVE_INFINITY),
          f.optional(slo, "atSlo.", "underProvisionedPct", 100)));
    } else if (!e.containsKey("atSlo")) {
      throw new IllegalArgumentException(file + ": policy " + name + " has no atSlo "
          + "(run without --no-sweep)");
    } else if (e.get("atSlo") != null) {
      throw f.bad("atSlo", "an object or null", e.get("atSlo"));
    }
    return new Scorecard(name, target, under, unserved, hours, vsOracle, actions, atSlo);
  }

  /** The checks of one policy's numbers, whose problems name the file and the policy. */
  private record Field(String file, String policy) {
    /** {@code m.get(key)}: a number in [0, max], finite (max may be infinite). */
    double number(Map<?, ?> m, String prefix, String key, double max) {
      Object v = m.get(key);
      String rule = max == 100 ? "in [0, 100]" : "finite and >= 0";
      if (!(v instanceof Number n)) {
        throw bad(prefix + key, "a number " + rule, v);
      }
      double d = n.doubleValue();
      if (!(d >= 0 && d <= max) || Double.isInfinite(d)) {
        throw bad(prefix + key, rule, v);
      }
      return d;
    }

    /** {@link #number}, or NaN when absent or null. */
    double optional(Map<?, ?> m, String prefix, String key, double max) {
      return m.get(key) == null ? Double.NaN : number(m, prefix, key, max);
    }

    /** {@code m.get(key)}: a whole number &ge; 0, as simulate writes a count. */
    long count(Map<?, ?> m, String key) {
      Object v = m.get(key);
      if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0) {
        return ((Number) v).longValue();
      }
      if (v instanceof BigInteger b && b.signum() >= 0 && b.bitLength() < Long.SIZE) {
        return b.longValue();
      }
      throw bad(key, "a whole number >= 0", v);
    }

    IllegalArgumentException bad(String field, String rule, Object value) {
      return new IllegalArgumentException(file + ": policy " + policy + ": " + field + " must be "
          + rule + ", but was " + (value instanceof String ? "\"" + value + "\"" : value));
    }
  }

  static String render(List<Row> rows, String policy, String against) {
    StringBuilder b = new StringBuilder();
    double target = rows.get(0).target();
    boolean oneTarget = rows.stream().allMatch(r -> r.target() == target);
    String at = oneTarget ? "at " + written(target, 2) : "at each run's target";
    b.append("| trace | ").append(against).append(" cost at SLO | ").append(policy)
        .append(" cost at SLO | ratio | ").append(policy).append(" ÷ oracle-100 | under-prov % ")
        .append(at).append(" (").append(against).append(" / ").append(policy)
        .append(") | ratio | actions (").append(against).append(" / ").append(policy)
        .append(") | ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    List<Double> costRatios = new ArrayList<>();
    List<Double> underRatios = new ArrayList<>();
    List<Double> actionRatios = new ArrayList<>();
    List<String> onlyPolicy = new ArrayList<>();
    List<String> onlyBaseline = new ArrayList<>();
    List<String> above = new ArrayList<>();
    int atMost95 = 0;
    Map<String, Integer> byName = new HashMap<>();
    rows.forEach(r -> byName.merge(r.trace(), 1, Integer::sum));
    for (Row r : rows) {
      // Two traces of one file name (a/rps.csv, b/rps.csv): each named with its JSON file too.
      // Escaped as simulate's reports escape it (no raw ESC sequence), and '|' for the table.
      String name = CsvTraceReader.escapeName(byName.get(r.trace()) > 1
          ? r.trace() + " (" + r.file() + ")" : r.trace()).replace("|", "\\|");
      Scorecard p = r.policy();
      Scorecard h = r.baseline();
      AgainstHpa vs = new AgainstHpa(p, h);
      String ratio;
      if (p.atSlo().isPresent() && h.atSlo().isPresent()) {
        double c = vs.costAtSloRatio();
        costRatios.add(c);
        ratio = costRatio(c);
        atMost95 += c <= 0.95 ? 1 : 0;
        if (c > 1.02) {
          above.add(name + " " + ratio);
        }
      } else if (p.atSlo().isPresent()) {
        ratio = policy + " only";
        onlyPolicy.add(name);
      } else if (h.atSlo().isPresent()) {
        ratio = against + " only";
        onlyBaseline.add(name);
      } else {
        ratio = "neither";
      }
      // Only the policy short, or only it scaling, has no ratio; for the medians it is the worst.
      double u = orWorst(vs.underProvisionedRatio());
      underRatios.add(u);
      double a = orWorst(vs.actionsRatio());
      actionRatios.add(a);
      String vsOracle = r.oracle() == null ? "-"
          : fmt(new AgainstHpa(p, r.oracle()).costAtSloRatio(), 2);
      b.append("| ").append(name).append(" | ").append(slo(h)).append(" | ")
          .append(slo(p)).append(" | ").append(ratio).append(" | ").append(vsOracle)
          .append(" | ").append(written(h.underProvisionedPct(), 4)).append(" / ")
          .append(written(p.underProvisionedPct(), 4)).append(" | ").append(fmt(u, 2))
          .append(" | ")
          .append(h.scalingActions()).append(" / ").append(p.scalingActions()).append(" | ")
          .append(fmt(a, 2)).append(" |\n");
    }
    int both = costRatios.size();
    int baselineMeets = both + onlyBaseline.size();
    b.append('\n').append(rows.size()).append(rows.size() == 1 ? " trace; " : " traces; ")
        .append(against)
        .append(" meets the SLO on ").append(baselineMeets).append(", ").append(policy)
        .append(" on ").append(both + onlyPolicy.size()).append(".\n\n");
    settings(b, rows);
    b.append("- ").append(policy).append(" meets the SLO wherever ").append(against)
        .append(" does: ").append(both).append(" of ").append(baselineMeets)
        .append(onlyBaseline.isEmpty() ? "" : " (not on " + String.join(", ", onlyBaseline)
            + ")")
        .append(onlyPolicy.isEmpty() ? "" : "; it also meets it where " + against
            + " never does: " + String.join(", ", onlyPolicy))
        .append('\n');
    b.append("- median cost at the SLO, ").append(policy).append(" ÷ ").append(against)
        .append(", over the ").append(both).append(both == 1 ? " trace" : " traces")
        .append(" where both meet it: ")
        .append(both == 0 ? "-" : fmt(median(costRatios), 3)).append(" (at most 0.95 on ")
        .append(atMost95).append(")\n");
    b.append("- above 1.02 × ").append(against).append("'s cost at the SLO: ")
        .append(above.isEmpty() ? "none" : above.size() + " (" + String.join(", ", above) + ")")
        .append('\n');
    b.append("- median under-provisioned time ").append(at).append(", ").append(policy)
        .append(" ÷ ").append(against).append(": ").append(fmt(median(underRatios), 3))
        .append('\n');
    b.append("- median scaling actions ").append(at).append(", ").append(policy).append(" ÷ ")
        .append(against).append(": ").append(fmt(median(actionRatios), 3)).append('\n');
    return b.toString();
  }

  /**
   * A line naming the settings that differ between the runs (whose rows then do not compare),
   * and one naming the optional settings every run shares (a summary over runs at minReplicas 2
   * says so). Nothing when every run used the model's defaults alike.
   */
  private static void settings(StringBuilder b, List<Row> rows) {
    Set<String> keys = new TreeSet<>();
    rows.forEach(r -> keys.addAll(r.settings().keySet()));
    List<String> differ = new ArrayList<>();
    List<String> shared = new ArrayList<>();
    for (String k : keys) {
      Set<String> values = new TreeSet<>();
      rows.forEach(r -> values.add(r.settings().getOrDefault(k, "absent")));
      if (values.size() > 1) {
        differ.add(k + " (" + String.join(", ", values) + ")");
      } else if (OPTIONAL.contains(k)) {
        shared.add(k + " " + values.iterator().next());
      }
    }
    if (!differ.isEmpty()) {
      b.append("**The runs differ in ").append(String.join("; ", differ))
          .append(": the medians below mix different models.**\n\n");
    }
    if (!shared.isEmpty()) {
      b.append("Every run with ").append(String.join(", ", shared)).append(".\n\n");
    }
  }

  /**
   * A cost ratio with three decimals, or more where three would round it onto a bar it is not on:
   * 1.0201 is listed above 1.02, so it is not printed 1.020; 0.9504 is not counted at most 0.95.
   */
  private static String costRatio(double c) {
    if (!Double.isFinite(c)) {
      return fmt(c, 3);
    }
    for (int decimals = 3; decimals < 17; decimals++) {
      String s = fmt(c, decimals);
      double shown = Double.parseDouble(s);
      if ((shown > 1.02) == (c > 1.02) && (shown <= 0.95) == (c <= 0.95)) {
        return s;
      }
    }
    return String.valueOf(c);
  }

  private static double orWorst(double ratio) {
    return Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : ratio;
  }

  private static String slo(Scorecard s) {
    return s.atSlo().map(a -> written(a.replicaHours(), 3) + " @ "
        + written(a.targetUtilization(), 2)).orElse("-");
  }

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /**
   * {@code v}, a number read from the JSON, as the JSON writes it, with at least {@code places}
   * places ({@code 46.3415}; {@code 0.5} is {@code 0.50} at 2): never rounded again. Rounding the
   * JSON's rounded number to fewer places rounds twice, and can disagree with {@code simulate}'s
   * table: 46.34146 % is 46.341 there, 46.3415 in the JSON and was 46.342 here. A number the
   * JSON writes with more places (a score that its places would round to 0, {@code 0.0000476})
   * keeps them all.
   */
  private static String written(double v, int places) {
    BigDecimal d = BigDecimal.valueOf(v).stripTrailingZeros();
    return (d.scale() < places ? d.setScale(places) : d).toPlainString();
  }

  /**
   * {@code v} with {@code decimals} places, as the reports write it ({@link Numbers#fixed}: a
   * value that is not 0 never shows as 0, so a policy short for a step of a year is not read as
   * never short); "-" when NaN, "inf" when infinite.
   */
  private static String fmt(double v, int decimals) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return Double.isInfinite(v) ? "inf" : Numbers.fixed(v, decimals);
  }
}
