package dev.prescaler.agent;

import dev.prescaler.core.DurationText;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.KubernetesNames;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.StepLimits;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.cli.Printable;
import dev.prescaler.decision.HpaBehavior;
import dev.prescaler.decision.HpaPolicy;
import dev.prescaler.forecast.Forecasters;
import dev.prescaler.journal.JsonLinesJournal;
import dev.prescaler.k8s.KubernetesEventListener;
import dev.prescaler.k8s.ModeStore;
import dev.prescaler.k8s.ScalableResource;
import dev.prescaler.prometheus.PrometheusMetricSource;
import dev.prescaler.prometheus.UrlCredentials;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Parses and validates the agent's YAML configuration. Every problem is reported at once, each
 * naming its key path and the bad value; unknown keys are errors (a typo must not silently fall
 * back to a default). A key that holds text, given a word YAML 1.1 reads as a boolean, a number or
 * a timestamp ({@code namespace: no}), is reported with the text as written, what YAML read and
 * how to write it. A key that holds a number (an integer, a decimal, a duration given as seconds)
 * takes it only as a plain decimal, as written: a sign, digits without a leading zero, and, where
 * the key takes a decimal or seconds, a fraction ({@code 0.95}, {@code .95}, {@code 70.}) and an
 * exponent ({@code 1e2}); a signed duration or size reads as its number ({@code +90} is 90 s,
 * {@code -0} is 0). What YAML 1.1 reads as a number in another
 * form ({@code 0123} octal 83, {@code 1:30} base 60 90, {@code 0x10}, {@code 1_000}, {@code
 * .inf}) is one problem naming the key, the text as written, the form expected and what YAML
 * read; and a number out of range is named as written ({@code 1.50}, not {@code 1.5}). See {@code
 * examples/deploy/prescaler-config.yaml} for a commented example.
 */
public final class AgentConfigParser {
  /** A size: digits and an optional binary suffix, as Kubernetes quantities write them. */
  private static final Pattern BYTES = Pattern.compile("([0-9]{1,19})(Ki|Mi|Gi|Ti)?");
  /** A plain decimal integer: an optional sign, then 0 or digits without a leading zero. */
  private static final Pattern INTEGER = Pattern.compile("[-+]?(0|[1-9][0-9]*)");
  /**
   * A plain decimal number: an optional sign, an integer part, a fraction or both ({@code 0.95},
   * {@code .95}, {@code 70.}), then an optional exponent: what every YAML reader reads as the
   * same number. Groups: the sign, the digits and point, the exponent's number.
   */
  private static final Pattern DECIMAL = Pattern.compile(
      "([-+]?)((?:0|[1-9][0-9]*)(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE]([-+]?[0-9]+))?");
  /**
   * A number of seconds of this power of ten or more is larger than any duration; one below its
   * inverse rounds to 0 ms.
   */
  private static final int MAX_EXPONENT = 30;

  private final String source;
  private final List<String> problems = new ArrayList<>();
  /**
   * The key paths whose value was refused (a default stands in for it), so that a check between
   * keys runs whenever the keys it reads were read cleanly, whatever else is wrong.
   */
  private final Set<String> refused = new HashSet<>();
  /** The node each mapping of the file was built from, to quote a value's text as written. */
  private final Map<Object, MappingNode> nodes;

  private AgentConfigParser(String source, Map<Object, MappingNode> nodes) {
    this.source = source;
    this.nodes = nodes;
  }

  /**
   * Reads and validates a configuration file.
   *
   * @throws ConfigException naming the file and every problem
   */
  public static AgentConfig parse(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(file.toString(), List.of("cannot be read: " + e.getMessage()));
    }
    return parse(utf8(bytes, file.toString()), file.toString());
  }

  /**
   * The text of a file's bytes, which must be UTF-8. Anything else (a Latin-1 {@code é}, a UTF-16
   * file) is refused naming the line and byte offset, not with the decoder's "Input length = 3".
   * A NUL is refused too: UTF-16 text without a byte order mark decodes as UTF-8 with a NUL after
   * every ASCII character, which YAML would report as a "special character".
   */
  private static String utf8(byte[] bytes, String source) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length); // never more chars than UTF-8 bytes
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    int nul = 0;
    while (nul < bytes.length && bytes[nul] != 0) {
      nul++;
    }
    int bad = Math.min(result.isError() ? in.position() : bytes.length, nul);
    if (bad == bytes.length) {
      return out.flip().toString();
    }
    int line = 1;
    for (int i = 0; i < bad; i++) {
      line += bytes[i] == '\n' ? 1 : 0;
    }
    boolean utf16 = bytes.length >= 2 && (bytes[0] == (byte) 0xfe && bytes[1] == (byte) 0xff
        || bytes[0] == (byte) 0xff && bytes[1] == (byte) 0xfe);
    String what = bad == 0 && utf16 ? "it starts with a UTF-16 byte order mark"
        : bytes[bad] == 0 ? "a NUL byte at line " + line + " (byte offset " + bad + "), as in "
            + "UTF-16 text"
        : String.format(Locale.ROOT, "byte 0x%02X at line %d (byte offset %d) cannot be decoded",
            bytes[bad] & 0xff, line, bad);
    throw new ConfigException(source, List.of("not UTF-8 text: " + what
        + " (save the file as UTF-8)"));
  }

  /**
   * Parses and validates configuration text.
   *
   * @param yaml the YAML text
   * @param source the file name used in messages
   * @throws ConfigException naming the source and every problem
   */
  public static AgentConfig parse(String yaml, String source) {
    Object root;
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    SourceConstructor constructor = new SourceConstructor(options);
    try {
      root = new Yaml(constructor).load(yaml);
    } catch (YAMLException e) {
      // SnakeYAML calls the text 'string'; the message already names the file.
      throw new ConfigException(source, List.of("not valid YAML: "
          + e.getMessage().replace("in 'string', ", "").replace('\n', ' ')
              .replaceAll(" +", " ")));
    }
    AgentConfigParser p = new AgentConfigParser(source, constructor.nodes);
    AgentConfig config = p.config(root);
    if (!p.problems.isEmpty()) {
      throw new ConfigException(source, p.problems);
    }
    return config;
  }

  private AgentConfig config(Object root) {
    if (root == null) {
      problems.add("the file is empty: at least 'workloads' is required");
      return null;
    }
    Map<String, Object> top = map(root, "(top level)");
    if (top == null) {
      return null;
    }
    known(top, "", "engine", "kubernetes", "prometheus", "server", "promotion", "workloads");
    AgentConfig.Engine engine = engine(section(top, "engine"));
    AgentConfig.Kubernetes kubernetes = kubernetes(section(top, "kubernetes"));
    Optional<AgentConfig.Prometheus> prometheus = top.containsKey("prometheus")
        ? Optional.ofNullable(prometheus(section(top, "prometheus"))) : Optional.empty();
    Map<String, Object> server = section(top, "server");
    known(server, "server", "port", "address");
    int port = integer(server, "server", "port", 9464, 0, 65535);
    Optional<InetAddress> address = ipAddress(server, "server", "address");
    AgentConfig.Promotion promotion = promotion(section(top, "promotion"));
    // The section counts as given even when it has problems of its own (reported already).
    if (top.get("workloads") == null) {
      required(top, "", "workloads", ": a list of at least one workload", false);
    }
    List<AgentConfig.Workload> workloads = workloads(top.get("workloads"),
        top.containsKey("prometheus"));
    if (kubernetes.leaderElection() && readCleanly("engine", "engine.callTimeout", "kubernetes",
        "kubernetes.leaderElection", "kubernetes.leaseDuration")) {
      Map<String, Object> e = section(top, "engine");
      callTimeoutWithinLease(engine.callTimeout(), kubernetes,
          e.get("callTimeout") == null ? null : shown(e, "callTimeout"));
    }
    if (!problems.isEmpty()) {
      return null;
    }
    return new AgentConfig(engine, kubernetes, prometheus, new AgentConfig.Server(port, address),
        promotion, workloads);
  }

  private AgentConfig.Engine engine(Map<String, Object> m) {
    known(m, "engine", "syncPeriod", "metricsDelay", "callTimeout", "journal",
        "journalMaxFileSize", "forecaster");
    Duration sync = duration(m, "engine", "syncPeriod", Duration.ofSeconds(15),
        Duration.ofSeconds(1), Duration.ofHours(1));
    Duration delay = duration(m, "engine", "metricsDelay", Duration.ofSeconds(60), Duration.ZERO,
        Duration.ofHours(1));
    Duration timeout = duration(m, "engine", "callTimeout", Duration.ofSeconds(5),
        Duration.ofMillis(1), Duration.ofMinutes(10));
    Optional<Path> journal = file(m, "engine", "journal");
    long journalMaxFileSize = bytes(m, "engine", "journalMaxFileSize",
        JsonLinesJournal.DEFAULT_MAX_FILE_SIZE, JsonLinesJournal.SMALLEST_MAX_FILE_SIZE,
        JsonLinesJournal.LARGEST_MAX_FILE_SIZE);
    String forecaster = text(m, "engine", "forecaster", "one of " + Forecasters.NAMES,
        Forecasters.NAMES::contains).orElse("auto");
    return new AgentConfig.Engine(sync, delay, timeout, journal, journalMaxFileSize,
        forecaster);
  }

  /**
   * The leader's guard starts a call only when the call timeout ends before its renew deadline,
   * so that every call ends a third of the lease before another replica may take over; after
   * each renewal it must leave the leader time to start calls until the next one.
   */
  private void callTimeoutWithinLease(Duration callTimeout, AgentConfig.Kubernetes k,
      String given) {
    Duration window = k.renewDeadline().minus(k.retryPeriod());
    if (callTimeout.compareTo(window) >= 0) {
      problems.add("engine.callTimeout must be < kubernetes.leaseDuration's renew deadline (2/3) "
          + "minus its retry period (1/7), " + seconds(window) + " for leaseDuration "
          + seconds(k.leaseDuration()) + " (a call the leader starts must end before the "
          + "deadline), but was "
          + (given == null ? seconds(callTimeout) + " (the default)" : given));
    }
  }

  /** A duration as seconds, to the millisecond: {@code 3.143s}, {@code 15s}. */
  private static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toNanos(), 9).setScale(3, java.math.RoundingMode.HALF_UP)
        .stripTrailingZeros().toPlainString() + "s";
  }

  private AgentConfig.Kubernetes kubernetes(Map<String, Object> m) {
    known(m, "kubernetes", "kubeconfig", "leaderElection", "leaseNamespace", "leaseName",
        "leaseDuration", "identity", "modeStore");
    // Its form only: the file may exist only where the agent runs (a Secret mounted in its pod),
    // not where the configuration is checked, so the agent looks for it at start (see Agent).
    Optional<Path> kubeconfig = file(m, "kubernetes", "kubeconfig");
    boolean election = bool(m, "kubernetes", "leaderElection", true);
    String ns = dnsLabel(m, "kubernetes", "leaseNamespace", "default");
    String name = dnsLabel(m, "kubernetes", "leaseName", "prescaler-agent");
    Duration lease = duration(m, "kubernetes", "leaseDuration", Duration.ofSeconds(15),
        Duration.ofSeconds(2), Duration.ofMinutes(10));
    if (lease.getNano() != 0) {
      // A Lease holds its duration in whole seconds.
      problems.add("kubernetes.leaseDuration must be whole seconds, but was "
          + shown(m, "leaseDuration"));
      refused.add("kubernetes.leaseDuration");
    }
    String identity = string(m, "kubernetes", "identity").orElse("");
    if (!identity.isEmpty()) {
      try {
        // The identity names this replica's Events and Lease: the listener's rule is the check.
        KubernetesEventListener.checkInstance(identity);
      } catch (IllegalArgumentException e) {
        problems.add("kubernetes.identity: " + e.getMessage());
      }
      if (election) {
        // Every replica mounts this file: one fixed identity makes them all one Lease candidate,
        // and a replica takes a Lease naming its own identity for its own, so all would lead.
        problems.add("kubernetes.identity must be unset when kubernetes.leaderElection is true "
            + "(every replica reads this file, and replicas of one identity all take the Lease "
            + "for their own and all act; unset, each replica takes its own: POD_NAME, else its "
            + "host name), but was " + quote(identity));
      }
    }
    String store = string(m, "kubernetes", "modeStore").orElse(ModeStore.DEFAULT_NAME);
    Optional<String> modeStore = Optional.empty();
    if (!store.equals("none") && KubernetesNames.isSubdomain(store)) {
      modeStore = Optional.of(store);
    } else if (!store.equals("none")) {
      problems.add("kubernetes.modeStore must be a ConfigMap name (a DNS-1123 subdomain) or "
          + "none, but was " + quote(store));
    }
    return new AgentConfig.Kubernetes(kubeconfig, election, ns, name, lease, identity, modeStore);
  }

  private AgentConfig.Prometheus prometheus(Map<String, Object> m) {
    known(m, "prometheus", "url", "bearerTokenFile", "timeout", "rateWindow");
    // No boolean, number or timestamp is a URL: quoting one would not do.
    Optional<String> url = yamlValue(m.get("url")) != null
        ? refuse(m, "prometheus", "url", "a URL", t -> false) : string(m, "prometheus", "url");
    URI uri = null;
    if (url.isEmpty()) {
      required(m, "prometheus", "url", " when a prometheus section is given", true);
    } else {
      // Never echo a password: user info is shown as ***.
      String shown = quote(UrlCredentials.redacted(url.get()));
      try {
        uri = new URI(url.get());
        if (UrlCredentials.present(url.get())) {
          problems.add("prometheus.url must not hold user info (credentials in the URL are not "
              + "sent): use prometheus.bearerTokenFile, but was " + shown);
          uri = null;
        } else {
          // What the source's builder refuses at start, --validate refuses: the same check.
          String form = PrometheusMetricSource.baseUriFormProblem(uri);
          if (form != null) {
            problems.add("prometheus.url " + form + ", but was " + shown);
            uri = null;
          }
        }
      } catch (URISyntaxException e) {
        problems.add("prometheus.url must be a URL, but was " + shown);
      }
    }
    Optional<Path> token = file(m, "prometheus", "bearerTokenFile");
    Duration timeout = duration(m, "prometheus", "timeout", Duration.ofSeconds(5),
        Duration.ofMillis(1), Duration.ofMinutes(5));
    Duration rateWindow = duration(m, "prometheus", "rateWindow",
        PrometheusMetricSource.DEFAULT_RATE_WINDOW, Duration.ofSeconds(1), Duration.ofDays(30));
    return uri == null ? null : new AgentConfig.Prometheus(uri, token, timeout, rateWindow);
  }

  private AgentConfig.Promotion promotion(Map<String, Object> m) {
    known(m, "promotion", "automatic", "minObservation", "minSamples", "maxRelativeMae",
        "maxShortfallIncrease", "demoteRelativeMae", "demoteAfterMetricsFailing",
        "demoteAfterRefused");
    boolean automatic = bool(m, "promotion", "automatic", true);
    Duration minObs = duration(m, "promotion", "minObservation", Duration.ofHours(24),
        Duration.ZERO, Duration.ofDays(60));
    int minSamples = integer(m, "promotion", "minSamples", 120, 1, 1_000_000);
    double maxRel = number(m, "promotion", "maxRelativeMae", 0.9, 0.01, 10);
    double shortfall = number(m, "promotion", "maxShortfallIncrease", 0.0, 0, 1);
    double demote = number(m, "promotion", "demoteRelativeMae", 1.2, 0.01, 10);
    if (demote < maxRel) {
      problems.add("promotion.demoteRelativeMae must be >= promotion.maxRelativeMae ("
          + (m.get("maxRelativeMae") == null ? maxRel + ", the default" : shown(m,
              "maxRelativeMae")) + "), but was "
          + (m.get("demoteRelativeMae") == null ? demote + " (the default)"
              : shown(m, "demoteRelativeMae")));
    }
    Duration failing = duration(m, "promotion", "demoteAfterMetricsFailing",
        Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofDays(1));
    Duration refused = duration(m, "promotion", "demoteAfterRefused",
        Duration.ofMinutes(AgentConfig.Promotion.DEFAULT_DEMOTE_AFTER_REFUSED_MINUTES),
        Duration.ofSeconds(1), Duration.ofDays(1));
    return new AgentConfig.Promotion(automatic, minObs, minSamples, maxRel, shortfall, demote,
        failing, refused);
  }

  private List<AgentConfig.Workload> workloads(Object value, boolean hasPrometheus) {
    List<AgentConfig.Workload> out = new ArrayList<>();
    if (value == null) {
      return out; // reported by the caller
    }
    if (!(value instanceof List<?> list)) {
      problems.add("workloads must be a list, but was " + describe(value));
      return out;
    }
    if (list.isEmpty()) {
      problems.add("workloads must hold at least one workload, but was empty");
    }
    Set<WorkloadRef> seen = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "workloads[" + i + "]";
      Map<String, Object> w = map(list.get(i), path);
      if (w == null) {
        continue;
      }
      AgentConfig.Workload workload = workload(w, path, hasPrometheus, seen);
      if (workload != null) {
        out.add(workload);
      }
    }
    return out;
  }

  /**
   * The workload at {@code path}, or null when it has problems (added to the list). A workload
   * already in {@code seen} is reported as a duplicate whatever else is wrong with either copy.
   */
  private AgentConfig.Workload workload(Map<String, Object> w, String path,
      boolean hasPrometheus, Set<WorkloadRef> seen) {
    known(w, path, "namespace", "kind", "name", "minReplicas", "maxReplicas", "mode", "promoted",
        "priority", "costWeight", "startupDelay", "riskQuantile", "forecastHorizon", "stepLimits",
        "metrics", "hpaBehavior");
    int before = problems.size();
    Optional<String> ns = string(w, path, "namespace");
    Optional<String> name = string(w, path, "name");
    if (ns.isEmpty()) {
      required(w, path, "namespace", "", true);
    }
    if (name.isEmpty()) {
      required(w, path, "name", "", true);
    }
    // The agent registers no scale resource of its own: another kind would hold on every tick.
    List<String> kinds = ScalableResource.builtInKinds();
    String kind = w.get("kind") == null ? "Deployment" : text(w, path, "kind", "one of "
        + String.join(", ", kinds) + " (the kinds the agent can scale)", kinds::contains)
        .orElse(null);
    // Each part is checked on its own: WorkloadRef's constructor reports only its first problem.
    boolean nsValid = ns.isPresent() && KubernetesNames.isLabel(ns.get());
    boolean nameValid = name.isPresent() && KubernetesNames.isSubdomain(name.get());
    if (ns.isPresent() && !nsValid) {
      problems.add(path + ".namespace must be a DNS-1123 label, but was " + quote(ns.get()));
    }
    if (name.isPresent() && !nameValid) {
      problems.add(path + ".name must be a DNS-1123 subdomain, but was " + quote(name.get()));
    }
    WorkloadRef ref = null;
    if (nsValid && nameValid && kind != null) {
      try {
        ref = new WorkloadRef(ns.get(), kind, name.get());
      } catch (IllegalArgumentException e) {
        problems.add(path + ": " + e.getMessage());
      }
    }
    if (ref != null && !seen.add(ref)) {
      problems.add(path + " duplicates workload " + ref);
    }
    Mode mode = text(w, path, "mode", "act, hpa-floor or observe-only (the mode a workload is "
        + "promoted to; every workload starts observe-only)", t -> Mode.ofText(t).isPresent())
        .flatMap(Mode::ofText).orElse(Mode.ACT);
    boolean promoted = bool(w, path, "promoted", false);
    Map<String, AgentConfig.MetricSource> sources = new LinkedHashMap<>();
    List<MetricTarget> targets = metrics(w.get("metrics"), path + ".metrics", sources,
        hasPrometheus);
    // Every key is checked before anything is built, so that all problems are listed at once.
    Integer min = w.get("minReplicas") == null ? null
        : integer(w, path, "minReplicas", 1, 0, 1_000_000);
    int max = integer(w, path, "maxReplicas", 1, 1, 1_000_000);
    if (w.get("maxReplicas") == null) {
      required(w, path, "maxReplicas", "", false);
    }
    for (String key : List.of("priority", "costWeight")) {
      // Only a ClusterCapacityArbiter reads them, and the agent's stack has none: accepted, they
      // would promise a workload that gives way under a capacity limit that does not exist.
      if (w.get(key) != null) { // an empty value is no value, as for every key
        problems.add(path + "." + key + " must be absent: the agent has no capacity budget, so "
            + "nothing reads it (priority and costWeight are read by ClusterCapacityArbiter, "
            + "for programs that embed the engine), but was " + shown(w, key));
      }
    }
    Duration startupDelay = duration(w, path, "startupDelay",
        WorkloadSpec.DEFAULT_STARTUP_DELAY, Duration.ofSeconds(1), Duration.ofHours(1));
    double riskQuantile = number(w, path, "riskQuantile", WorkloadSpec.DEFAULT_RISK_QUANTILE,
        WorkloadSpec.MIN_RISK_QUANTILE, WorkloadSpec.MAX_RISK_QUANTILE);
    Duration horizon = duration(w, path, "forecastHorizon",
        WorkloadSpec.DEFAULT_FORECAST_HORIZON, Duration.ofMinutes(1), Duration.ofDays(7));
    StepLimits stepLimits = null;
    if (w.containsKey("stepLimits")) {
      Map<String, Object> s = map(w.get("stepLimits"), path + ".stepLimits");
      if (s != null) {
        String sp = path + ".stepLimits";
        known(s, sp, "upPods", "upPercent", "downPods", "downPercent");
        StepLimits d = StepLimits.DEFAULT;
        try {
          stepLimits = new StepLimits(integer(s, sp, "upPods", d.upPods(), 0, 1_000_000),
              number(s, sp, "upPercent", d.upPercent(), 0, 1e6),
              integer(s, sp, "downPods", d.downPods(), 0, 1_000_000),
              number(s, sp, "downPercent", d.downPercent(), 0, 100));
        } catch (IllegalArgumentException e) {
          problems.add(path + "." + e.getMessage());
        }
      }
    }
    Optional<HpaPolicy> hpa = Optional.empty();
    if (w.get("hpaBehavior") != null) {
      Map<String, Object> behavior = map(w.get("hpaBehavior"), path + ".hpaBehavior");
      if (behavior != null) {
        // Its numbers are this file's: plain decimals, as every number key's. Its other problems
        // are listed too, but not a second one for a number refused for its form.
        Set<String> notPlain = new HashSet<>();
        plainNumbers(behavior, path + ".hpaBehavior", notPlain);
        try {
          hpa = Optional.of(HpaBehavior.apply((Map<?, ?>) withText(behavior),
              HpaPolicy.builder(), path + ".hpaBehavior").build());
        } catch (InvalidConfigurationException e) {
          e.problems().stream()
              .filter(p -> notPlain.stream().noneMatch(n -> p.startsWith(n + " ")))
              .forEach(problems::add);
        }
      }
    }
    if (ref == null || problems.size() > before) {
      return null;
    }
    WorkloadSpec.Builder b = WorkloadSpec.builder(ref).metrics(targets).mode(mode)
        .maxReplicas(max).startupDelay(startupDelay)
        .riskQuantile(riskQuantile).forecastHorizon(horizon);
    if (min != null) {
      b.minReplicas(min);
    }
    if (stepLimits != null) {
      b.stepLimits(stepLimits);
    }
    try {
      return new AgentConfig.Workload(b.build(), promoted, sources, hpa);
    } catch (IllegalArgumentException e) {
      for (String line : e.getMessage().split("\n")) {
        if (line.startsWith("- ")) {
          problems.add(path + "." + line.substring(2));
        }
      }
      return null;
    }
  }

  private List<MetricTarget> metrics(Object value, String path,
      Map<String, AgentConfig.MetricSource> sources, boolean hasPrometheus) {
    List<MetricTarget> out = new ArrayList<>();
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      problems.add(path + " must be a non-empty list of metrics, but was " + describe(value));
      return out;
    }
    for (int i = 0; i < list.size(); i++) {
      String mp = path + "[" + i + "]";
      Map<String, Object> m = map(list.get(i), mp);
      if (m == null) {
        continue;
      }
      known(m, mp, "name", "type", "target", "source", "query", "resource");
      Optional<String> name = string(m, mp, "name");
      if (name.isEmpty()) {
        // Its other keys are still checked, so that every problem is listed at once.
        required(m, mp, "name", "", true);
      }
      double target = number(m, mp, "target", Double.NaN, 1e-12, 1e12);
      if (m.get("target") == null) {
        required(m, mp, "target", "", false);
      }
      MetricTarget.Type t = choice(m, mp, "type", "utilization or averageValue",
          Set.of("utilization", "averageValue"))
          .map(type -> type.equals("utilization") ? MetricTarget.Type.UTILIZATION
              : MetricTarget.Type.AVERAGE_VALUE)
          .orElse(null);
      String src = choice(m, mp, "source", "prometheus or metrics-server",
          Set.of("prometheus", "metrics-server")).orElse("");
      Optional<String> query = Optional.empty();
      Optional<String> resource = Optional.empty();
      switch (src) {
        case "prometheus" -> {
          if (!hasPrometheus) {
            problems.add(mp + ".source is prometheus, but there is no prometheus section");
          }
          query = string(m, mp, "query");
          if (query.isEmpty()) {
            required(m, mp, "query", " for source prometheus (a PromQL template)", true);
          } else {
            try {
              PrometheusMetricSource.checkTemplate(mp + ".query", query.get());
            } catch (IllegalArgumentException e) {
              problems.add(e.getMessage());
            }
          }
          if (m.get("resource") != null) {
            problems.add(mp + ".resource applies to source metrics-server only");
          }
        }
        case "metrics-server" -> {
          resource = choice(m, mp, "resource", "cpu or memory for source metrics-server",
              Set.of("cpu", "memory"));
          if (resource.isPresent() && name.isPresent() && !resource.get().equals(name.get())) {
            // The Metrics Server source reads the resource a metric's name names.
            problems.add(mp + ".name must be the resource's name (" + resource.get()
                + ") for source metrics-server, but was " + quote(name.get()));
          }
          if (t != null && t != MetricTarget.Type.UTILIZATION) {
            problems.add(mp + ".type must be utilization for source metrics-server, but was "
                + describe(m.get("type")));
          }
          if (m.get("query") != null) {
            problems.add(mp + ".query applies to source prometheus only");
          }
        }
        default -> { } // refused by choice(...), which names the value
      }
      if (name.isPresent() && t != null && Double.isFinite(target)) {
        try {
          out.add(new MetricTarget(name.get(), t, target));
          sources.put(name.get(), new AgentConfig.MetricSource(src, query, resource));
        } catch (InvalidConfigurationException e) {
          e.problems().forEach(problem -> problems.add(mp + "." + problem));
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Typed access with messages naming the key path.

  @SuppressWarnings("unchecked")
  private Map<String, Object> map(Object value, String path) {
    if (value instanceof Map<?, ?> m) {
      for (Object k : m.keySet()) {
        if (!(k instanceof String)) {
          problems.add(path + " has a non-text key " + k);
          return null;
        }
      }
      return (Map<String, Object>) m;
    }
    problems.add(path + " must be a mapping, but was " + describe(value));
    return null;
  }

  private Map<String, Object> section(Map<String, Object> top, String key) {
    Object v = top.get(key);
    if (v == null) {
      return Map.of();
    }
    Map<String, Object> m = map(v, key);
    if (m == null) {
      refused.add(key);
      return Map.of();
    }
    return m;
  }

  /** Whether none of these key paths had its value refused. */
  private boolean readCleanly(String... paths) {
    for (String p : paths) {
      if (refused.contains(p)) {
        return false;
      }
    }
    return true;
  }

  private void known(Map<String, Object> m, String path, String... keys) {
    Set<String> allowed = Set.of(keys);
    for (String k : m.keySet()) {
      if (!allowed.contains(k)) {
        problems.add("unknown key " + (path.isEmpty() ? k : path + "." + k) + " (known: "
            + String.join(", ", keys) + ")");
      }
    }
  }

  /**
   * A key's text, or empty when the key is absent or its value refused: a blank text or a value
   * that is no text at all is reported, naming, for a scalar YAML read as a boolean, a number or a
   * timestamp ({@code no}, {@code 2048}, {@code 0123}, {@code 2024-01-01}), what it read and to
   * quote it.
   */
  private Optional<String> string(Map<String, Object> m, String path, String key) {
    Object v = m.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof String s && !s.isBlank()) {
      return Optional.of(s);
    }
    return refuse(m, path, key, yamlValue(v) != null ? "a string" : "a non-empty string",
        t -> true);
  }

  /**
   * A key's text when it {@code fits}, or empty when the key is absent or its value refused,
   * reported as {@code <path>.<key> must be <rule>, but was <value>}.
   */
  private Optional<String> text(Map<String, Object> m, String path, String key, String rule,
      Predicate<String> fits) {
    Object v = m.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof String s && fits.test(s)) {
      return Optional.of(s);
    }
    return refuse(m, path, key, rule, fits);
  }

  /**
   * The text of a required key that must be one of {@code allowed}, or empty when it is absent
   * or its value refused, reported as {@code <path>.<key> must be <rule>, but was <value>}.
   */
  private Optional<String> choice(Map<String, Object> m, String path, String key, String rule,
      Set<String> allowed) {
    if (m.get(key) == null) {
      problems.add(path + "." + key + " must be " + rule + ", but "
          + (m.containsKey(key) ? emptyValue(m, key, false) : "was absent"));
      refused.add(path + "." + key);
      return Optional.empty();
    }
    return text(m, path, key, rule, allowed::contains);
  }

  /**
   * Reports the value of a key that does not fit {@code rule}. A scalar that YAML read as a
   * boolean, a number or a timestamp is named as written and as read ({@code YAML read no as the
   * boolean false}), with how to keep it text ({@code quote it ("no")}) when that text {@code
   * fits}; its text is lost when it carried a tag ({@code !!int "0123"}), and then the value as
   * YAML read it is named, with how to write it.
   *
   * @return empty, for the caller to return
   */
  private Optional<String> refuse(Map<String, Object> m, String path, String key, String rule,
      Predicate<String> fits) {
    Object v = m.get(key);
    String read = yamlValue(v);
    String but;
    if (read == null) {
      but = "was " + describe(v);
    } else {
      Optional<String> written = written(m, key);
      but = "YAML read " + written.map(t -> t + " as ").orElse("") + read;
      if (written.isPresent() && fits.test(written.get())) {
        but += ": quote it (" + quote(written.get()) + ")";
      } else if (written.isEmpty() && fits.test(String.valueOf(v))) {
        but += ": write it as a quoted string, without a tag";
      }
    }
    problems.add(path + "." + key + " must be " + rule + ", but " + but);
    refused.add(path + "." + key);
    return Optional.empty();
  }

  /**
   * Reports a required key that has no value: {@code <path>.<key> is required} when the key is
   * absent, and, when it is given with an empty value ({@code key:}, {@code ~}, {@code null}),
   * that it is. Call it when the key's value was not read: a value its own check refused was
   * reported already, and is not reported again.
   *
   * @param what the words that follow "is required" ({@code " for source prometheus"}), or ""
   * @param text whether the key holds text, which a name spelt {@code null} may be
   */
  private void required(Map<String, Object> m, String path, String key, String what,
      boolean text) {
    String p = path.isEmpty() ? key : path + "." + key;
    if (!m.containsKey(key)) {
      problems.add(p + " is required" + what);
    } else if (m.get(key) == null) {
      problems.add(p + " is required" + what + ", but " + emptyValue(m, key, text));
    }
  }

  /**
   * Why a key given with no value has none: {@code its value is empty}, or {@code YAML read null
   * as no value} for a word YAML reads as null, with how to keep it text when {@code text}.
   */
  private String emptyValue(Map<String, Object> m, String key, boolean text) {
    Optional<String> written = written(m, key).filter(t -> !t.isEmpty());
    if (written.isEmpty()) {
      return "its value is empty";
    }
    String t = written.get();
    return "YAML read " + t + " as no value"
        + (text && t.chars().allMatch(Character::isLetter) ? ": quote it (" + quote(t) + ")" : "");
  }

  /**
   * A scalar value's text as the file wrote it, when YAML read it from a plain (unquoted) scalar
   * without a tag: empty when the mapping's node is not known, or the value is no such scalar.
   * An alias gives the text of the scalar it names.
   */
  private Optional<String> written(Map<String, Object> m, String key) {
    MappingNode node = nodes.get(m);
    if (node == null) {
      return Optional.empty();
    }
    for (NodeTuple t : node.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
        return t.getValueNode() instanceof ScalarNode v && v.isPlain()
            && !tagged(v.getStartMark()) ? Optional.of(v.getValue()) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** Whether the node starting at {@code start} has a tag: {@code !!int 5}, {@code &a !!int 5}. */
  private static boolean tagged(Mark start) {
    int[] b = start.getBuffer();
    int i = start.getPointer();
    if (i < b.length && b[i] == '&') { // an anchor comes first: skip it and the space after it
      while (i < b.length && !Character.isWhitespace(b[i])) {
        i++;
      }
      while (i < b.length && Character.isWhitespace(b[i])) {
        i++;
      }
    }
    return i < b.length && b[i] == '!';
  }

  /**
   * What YAML made of a scalar that is not text: {@code the boolean false}, {@code the number 83},
   * {@code the timestamp 2024-01-01T00:00:00Z}; null for text, a mapping, a list or null.
   */
  private static String yamlValue(Object v) {
    if (v instanceof Boolean b) {
      return "the boolean " + b;
    }
    if (v instanceof Number n) {
      return "the number " + n;
    }
    if (v instanceof Date d) {
      return "the timestamp " + d.toInstant();
    }
    return null;
  }

  /**
   * An IP address literal, IPv4 ({@code 127.0.0.1}) or IPv6 ({@code ::1}); empty when absent. A
   * host name is refused: a lookup at start could resolve differently from the check.
   */
  private Optional<InetAddress> ipAddress(Map<String, Object> m, String path, String key) {
    // YAML reads some IPv6 literals as numbers: 1:2:3:4:5:6:7:8 is a base 60 integer.
    Optional<String> v = text(m, path, key, "an IP address such as 127.0.0.1, 0.0.0.0 or ::",
        t -> ipLiteral(t).isPresent());
    if (v.isEmpty()) {
      return Optional.empty();
    }
    InetAddress a = ipLiteral(v.get()).orElseThrow();
    if (a.isMulticastAddress()) { // a server cannot listen there: start would fail
      problems.add(path + "." + key + " must be an address the server can listen on, but was "
          + "the multicast address " + quote(v.get()));
      return Optional.empty();
    }
    return Optional.of(a);
  }

  /**
   * A key's file path, or empty when the key is absent or its value refused: a text that names
   * no path, such as one holding a NUL (which a double-quoted YAML string can), is refused.
   */
  private Optional<Path> file(Map<String, Object> m, String path, String key) {
    Optional<String> v = string(m, path, key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(v.get()));
    } catch (InvalidPathException e) {
      problems.add(path + "." + key + " must be a file path, but was " + quote(v.get()) + " ("
          + e.getReason() + ")");
      refused.add(path + "." + key);
      return Optional.empty();
    }
  }

  /** The address {@code s} spells, without a name lookup; empty when it is not an IP literal. */
  static Optional<InetAddress> ipLiteral(String s) {
    String octet = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    boolean v4 = s.matches(octet + "(\\." + octet + "){3}");
    // Starting with a hex digit or ':' and holding a ':', InetAddress parses it as an IPv6
    // literal and never looks it up: it is an address or an UnknownHostException.
    boolean v6 = s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:][0-9A-Fa-f:.]*");
    if (!v4 && !v6) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(s));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private String dnsLabel(Map<String, Object> m, String path, String key, String dflt) {
    String v = string(m, path, key).orElse(dflt);
    if (!KubernetesNames.isLabel(v)) {
      problems.add(path + "." + key + " must be a DNS-1123 label, but was " + quote(v));
    }
    return v;
  }

  private boolean bool(Map<String, Object> m, String path, String key, boolean dflt) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Boolean b)) {
      problems.add(path + "." + key + " must be true or false, but was " + describe(v));
      refused.add(path + "." + key);
      return dflt;
    }
    return b;
  }

  private int integer(Map<String, Object> m, String path, String key, int dflt, int min,
      int max) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    String rule = "an integer in [" + min + ", " + max + "]";
    String text = numberText(m, path, key, rule, "digits and an optional sign");
    if (v instanceof Number && text == null) {
      return dflt; // reported
    }
    if (!(v instanceof Integer i) || text != null && !INTEGER.matcher(text).matches()
        || i < min || i > max) {
      problems.add(path + "." + key + " must be " + rule + ", but was " + shown(m, key));
      refused.add(path + "." + key);
      return dflt;
    }
    return i;
  }

  private double number(Map<String, Object> m, String path, String key, double dflt, double min,
      double max) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    String rule = "a number in [" + fmt(min) + ", " + fmt(max) + "]";
    String text = numberText(m, path, key, rule,
        "digits, an optional sign, fraction and exponent, such as 0.9 or 1e-3");
    if (v instanceof Number && text == null) {
      return dflt; // reported
    }
    // As written: YAML read the same digits, but a float of more than 2^63 it reads as an integer.
    // An exponent no BigDecimal holds (1e9999999999) is an infinity here, or a zero.
    double d = text != null ? Double.parseDouble(text)
        : v instanceof Number n ? n.doubleValue() : Double.NaN;
    if (!(v instanceof Number) || !(d >= min && d <= max)) {
      problems.add(path + "." + key + " must be " + rule + ", but was " + shown(m, key));
      refused.add(path + "." + key);
      return dflt;
    }
    return d + 0.0; // -0 is 0, as the durations read it, not -0.0 (a reason would print it)
  }

  /** A size in bytes: a whole number, or one with a binary suffix (Ki, Mi, Gi, Ti). */
  private long bytes(Map<String, Object> m, String path, String key, long dflt, long min,
      long max) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    String rule = "a size such as 256Mi, 1Gi or 1048576 (bytes) in [" + min + ", " + max
        + "] bytes";
    String text = numberText(m, path, key, rule, "digits");
    if (v instanceof Number && text == null) {
      return dflt; // reported
    }
    long size = -1;
    // The number YAML read from a plain decimal integer: +1048576 is 1048576, -0 is 0.
    Matcher q = BYTES.matcher(v instanceof Integer || v instanceof Long ? v.toString()
        : v instanceof String t ? t : "");
    if (q.matches()) {
      int shift = q.group(2) == null ? 0 : 10 * ("KMGT".indexOf(q.group(2).charAt(0)) + 1);
      try {
        long n = Long.parseLong(q.group(1));
        size = n > (Long.MAX_VALUE >> shift) ? -1 : n << shift;
      } catch (NumberFormatException e) {
        size = -1; // more than a long holds
      }
    }
    if (size < min || size > max) {
      problems.add(path + "." + key + " must be " + rule + ", but was " + shown(m, key));
      refused.add(path + "." + key);
      return dflt;
    }
    return size;
  }

  /**
   * A duration in [min, max], in whole milliseconds, for every duration key: the short form
   * ({@code 1.5s}) is rounded to them, but an ISO one finer than them ({@code PT15.0005S}) is
   * refused here, naming the key, as the agent's components would refuse it at start (the engine
   * keeps its grids in milliseconds) in a message that names no key.
   */
  private Duration duration(Map<String, Object> m, String path, String key, Duration dflt,
      Duration min, Duration max) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    String rule = "a duration such as 30s, 5m, 1h or 15 (seconds) in [" + min + ", " + max + "]";
    String number = v instanceof String ? null
        : numberText(m, path, key, rule, "seconds as digits, an optional sign, fraction and "
            + "exponent, such as 15, 1.5 or 1e2");
    if (v instanceof Number && number == null) {
      return dflt; // reported
    }
    String text = v instanceof String s ? s : number == null ? null : seconds(number);
    Duration d = text == null ? null : DurationText.parse(text).orElse(null);
    if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problems.add(path + "." + key + " must be " + rule + ", but was " + shown(m, key));
      refused.add(path + "." + key);
      return dflt;
    }
    boolean iso = text.strip().toLowerCase(Locale.ROOT).startsWith("p");
    if (iso && DurationText.exactSeconds(text).orElseThrow().movePointRight(3).stripTrailingZeros()
        .scale() > 0) {
      problems.add(path + "." + key + " must be a whole number of milliseconds, but was "
          + shown(m, key));
      refused.add(path + "." + key);
      return dflt;
    }
    return d;
  }

  /**
   * Seconds written as a plain decimal ({@link #DECIMAL}) in the form {@link DurationText} reads
   * them, digits and a fraction: {@code +1.5e1} is {@code 15.0}, {@code -0} is {@code 0}, and a
   * number too small for a millisecond ({@code 9e-9999999999}) is {@code 0}, as YAML reads it.
   * Null for a negative number, and for one larger than any duration ({@code 1e9999999999}),
   * whose exponent no BigDecimal holds.
   */
  private static String seconds(String decimal) {
    Matcher m = DECIMAL.matcher(decimal);
    if (!m.matches()) {
      return null;
    }
    BigDecimal digits = new BigDecimal(m.group(2)); // takes 1. and .5 too
    if (digits.signum() == 0) {
      return "0";
    }
    if (m.group(1).equals("-")) {
      return null;
    }
    BigInteger exponent = m.group(3) == null ? BigInteger.ZERO : new BigInteger(m.group(3));
    // The power of ten just above the number: beyond MAX_EXPONENT either way it is no duration.
    BigInteger above = exponent.add(BigInteger.valueOf(digits.precision() - digits.scale()));
    if (above.compareTo(BigInteger.valueOf(MAX_EXPONENT)) > 0) {
      return null;
    }
    if (above.compareTo(BigInteger.valueOf(-MAX_EXPONENT)) < 0) {
      return "0";
    }
    return digits.scaleByPowerOfTen(exponent.intValueExact()).toPlainString();
  }

  /**
   * The text as written of a key's value that YAML read as a number, when it is a plain decimal
   * ({@link #DECIMAL}): null for a value that is no number, and, reported, for one written in
   * another form YAML 1.1 reads as a number ({@code 0123}, {@code 1:30}, {@code 0x10}, {@code
   * 1_000}, {@code .inf}). The text is the node's, a tag's too ({@code !!int "0123"} is written
   * 0123), so the check cannot be got round.
   *
   * @param rule what the key must be, for the message
   * @param form how the number is to be written, for the message
   */
  private String numberText(Map<String, Object> m, String path, String key, String rule,
      String form) {
    Object v = m.get(key);
    if (!(v instanceof Number)) {
      return null;
    }
    String text = scalarText(m, key).orElse(null);
    if (text == null) {
      return v.toString(); // a value built by no node of the file (none is)
    }
    if (DECIMAL.matcher(text).matches()) {
      return text;
    }
    problems.add(path + "." + key + " must be " + rule + ", written as a plain decimal ("
        + form + "), but YAML read " + quoteIfNeeded(text) + " as " + yamlValue(v));
    refused.add(path + "." + key);
    return null;
  }

  /**
   * Reports every number of {@code tree} (a mapping of the file; its mappings and lists too) that
   * is not written as a plain decimal, and adds its path to {@code notPlain}. For a part of the
   * file that another reader checks (an HPA's behavior), which knows neither the file nor its
   * text.
   */
  @SuppressWarnings("unchecked")
  private void plainNumbers(Object tree, String path, Set<String> notPlain) {
    if (tree instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String p = path + "." + e.getKey();
        Optional<String> text = e.getValue() instanceof Number
            ? scalarText((Map<String, Object>) m, String.valueOf(e.getKey())) : Optional.empty();
        if (text.isPresent() && !DECIMAL.matcher(text.get()).matches()) {
          problems.add(p + " must be written as a plain decimal (digits, an optional sign, "
              + "fraction and exponent), but YAML read " + quoteIfNeeded(text.get()) + " as "
              + yamlValue(e.getValue()));
          notPlain.add(p);
        } else {
          plainNumbers(e.getValue(), p, notPlain);
        }
      }
    } else if (tree instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        plainNumbers(list.get(i), path + "[" + i + "]", notPlain);
      }
    }
  }

  /**
   * {@code tree} with each number and boolean a mapping holds given as an {@link
   * HpaBehavior.Scalar}, beside its text as written, so that HpaBehavior's problems show it
   * ({@code selectPolicy: yes} as {@code yes (YAML read the boolean true)}).
   */
  @SuppressWarnings("unchecked")
  private Object withText(Object tree) {
    if (tree instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        Object v = e.getValue();
        Optional<String> text = v instanceof Number || v instanceof Boolean
            ? scalarText((Map<String, Object>) m, String.valueOf(e.getKey())) : Optional.empty();
        out.put(e.getKey(), text.isPresent() ? new HpaBehavior.Scalar(v, text.get())
            : withText(v));
      }
      return out;
    }
    if (tree instanceof List<?> list) {
      return list.stream().map(this::withText).toList();
    }
    return tree;
  }

  /**
   * A key's value for a message: a number as written ({@code 1.50}, {@code +3}), anything else as
   * {@link #describe} shows it.
   */
  private String shown(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v instanceof Number ? scalarText(m, key).map(t -> quoteIfNeeded(t))
        .orElse(describe(v)) : describe(v);
  }

  /**
   * {@code t} as it is, or {@link #quote quoted} when it holds anything but the characters of a
   * number written in any YAML 1.1 form, so that a message shows it as one harmless word.
   */
  private static String quoteIfNeeded(String t) {
    return t.matches("[0-9A-Za-z+\\-._:]{1,40}") ? t : quote(t);
  }

  /**
   * The text of the scalar node a mapping's key holds, plain, quoted or tagged: empty when the
   * mapping's node is not known, or the value is no scalar.
   */
  private Optional<String> scalarText(Map<String, Object> m, String key) {
    MappingNode node = nodes.get(m);
    if (node == null) {
      return Optional.empty();
    }
    for (NodeTuple t : node.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
        return t.getValueNode() instanceof ScalarNode v ? Optional.of(v.getValue())
            : Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d)
        : String.format(Locale.ROOT, "%s", d);
  }

  /** The characters of a value a message quotes; a longer one is cut. */
  private static final int QUOTED = 60;

  private static String describe(Object v) {
    if (v == null) {
      return "absent";
    }
    if (v instanceof String s) {
      return quote(s);
    }
    if (v instanceof Map<?, ?>) {
      return "a mapping";
    }
    if (v instanceof List<?>) {
      return "a list";
    }
    return String.valueOf(v);
  }

  /**
   * {@code s} quoted, its first {@value #QUOTED} characters when longer, then "…" and its length:
   * a --config file that is not YAML is one long string, which the message would hold whole. A
   * newline is written {@code \n}, and any other character a terminal would not print as itself
   * as {@link Printable#escape} writes it (an ESC {@code \x1b}, a NUL {@code \x00}), so that
   * the problem prints as one harmless line.
   */
  static String quote(String s) {
    int n = s.codePointCount(0, s.length());
    String shown = n <= QUOTED ? s : s.substring(0, s.offsetByCodePoints(0, QUOTED));
    return "\"" + Printable.escape(shown.replace("\\", "\\\\").replace("\"", "\\\"")
        .replace("\n", "\\n")) + "\"" + (n <= QUOTED ? "" : "… (" + n + " characters)");
  }

  /** SnakeYAML's safe constructor, recording the node each mapping was built from. */
  private static final class SourceConstructor extends SafeConstructor {
    private final Map<Object, MappingNode> nodes = new IdentityHashMap<>();

    SourceConstructor(LoaderOptions options) {
      super(options);
    }

    @Override
    protected void constructMapping2ndStep(MappingNode node, Map<Object, Object> mapping) {
      super.constructMapping2ndStep(node, mapping); // merges any "<<" keys into the node first
      nodes.put(mapping, node);
    }
  }

  @Override
  public String toString() {
    return "AgentConfigParser[" + source + "]";
  }
}
