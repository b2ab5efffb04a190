package dev.prescaler.simulator.cli;

import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.decision.HpaBehavior;
import dev.prescaler.decision.HpaPolicy;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads {@code --hpa-behavior FILE}: a HorizontalPodAutoscaler manifest ({@code autoscaling/v2}
 * or {@code v2beta2}, YAML or JSON, e.g. from {@code kubectl get hpa web -o yaml}) whose {@code
 * spec.behavior} is used, or the behavior object alone ({@code scaleUp}, {@code scaleDown}).
 *
 * <p>An unquoted scalar is read as {@code kubectl apply} reads it, and so as the API server gets
 * it: with sigs.k8s.io/yaml, that is go-yaml v2 (YAML 1.1 without base 60), not as SnakeYAML's
 * YAML 1.1 reads it. {@code 0123} is 83 (octal), {@code 0x10} 16 and {@code 1_000} 1000 in both,
 * but {@code 1:30} is the text "1:30" (SnakeYAML: 90), {@code 0o17} 15 and {@code y} the boolean
 * true (SnakeYAML: text). Such a number or boolean reaches {@link HpaBehavior} with its text, so
 * that a problem shows both ({@code 0x800 (YAML read the number 2048)}).
 */
final class HpaBehaviorFile {
  private HpaBehaviorFile() {}

  /**
   * The HPA with the file's behavior and Kubernetes' defaults for the rest.
   *
   * @throws IllegalArgumentException naming the file and every problem; naming the option and
   *     the value, as the other file options do, when {@code file} is empty, a directory or no
   *     path
   */
  static HpaPolicy read(String file) {
    Path path;
    try {
      path = Path.of(file);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("--hpa-behavior must be a file path, but was \"" + file
          + "\" (" + e.getReason() + ")");
    }
    // The empty path is the working directory: it was read as one ("IOException: Is a directory")
    // under an empty name, "simulate: : cannot read --hpa-behavior file".
    if (file.isEmpty() || Files.isDirectory(path)) {
      throw new IllegalArgumentException("--hpa-behavior must name a file, not a directory, but "
          + "was \"" + file + "\"");
    }
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": cannot read --hpa-behavior file ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
    List<Object> docs = new ArrayList<>();
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      Yaml yaml = new Yaml(new GoYamlConstructor(options), new Representer(new DumperOptions()),
          new DumperOptions(), options, new GoYamlResolver());
      for (Object doc : yaml.loadAll(text)) {
        if (doc != null) {
          docs.add(doc);
        }
      }
    } catch (YAMLException e) {
      throw new IllegalArgumentException(file + ": not YAML or JSON: "
          + e.getMessage().replaceAll("\\s+", " ").trim());
    }
    List<Map<?, ?>> hpas = new ArrayList<>();
    for (Object doc : docs) {
      if (doc instanceof Map<?, ?> m && (m.containsKey("scaleUp") || m.containsKey("scaleDown")
          || "HorizontalPodAutoscaler".equals(m.get("kind")))) {
        hpas.add(m);
      }
    }
    if (hpas.size() != 1) {
      throw new IllegalArgumentException(file + ": must hold one HorizontalPodAutoscaler or one "
          + "behavior object (scaleUp, scaleDown), but held " + hpas.size());
    }
    Map<?, ?> root = hpas.get(0);
    Object behavior = root;
    String where = file + ": behavior";
    if (root.containsKey("kind")) {
      Object api = root.get("apiVersion");
      if (!"autoscaling/v2".equals(api) && !"autoscaling/v2beta2".equals(api)) {
        throw new IllegalArgumentException(file + ": apiVersion must be autoscaling/v2 or "
            + "autoscaling/v2beta2 (autoscaling/v1 has no behavior), but was " + api);
      }
      behavior = root.get("spec") instanceof Map<?, ?> spec ? spec.get("behavior") : null;
      where = file + ": spec.behavior";
    }
    if (behavior != null && !(behavior instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(where + " must be an object, but was " + behavior);
    }
    try {
      return HpaBehavior.apply((Map<?, ?>) behavior, HpaPolicy.builder(), where).build();
    } catch (InvalidConfigurationException e) {
      throw new IllegalArgumentException(String.join("; ", e.problems()));
    }
  }

  /**
   * Leaves every unquoted scalar text to {@link GoYamlConstructor} but null and the merge key,
   * which go-yaml v2 reads as SnakeYAML does ({@code ~}, {@code null}, an empty value; {@code <<}).
   */
  private static final class GoYamlResolver extends Resolver {
    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.NULL, NULL, "~nN\0");
      addImplicitResolver(Tag.NULL, EMPTY, null);
      addImplicitResolver(Tag.MERGE, MERGE, "<");
    }
  }

  /** SnakeYAML's safe constructor, reading an unquoted scalar without a tag as go-yaml v2. */
  private static final class GoYamlConstructor extends SafeConstructor {
    GoYamlConstructor(LoaderOptions options) {
      super(options);
      AbstractConstruct text = (AbstractConstruct) yamlConstructors.get(Tag.STR);
      yamlConstructors.put(Tag.STR, new AbstractConstruct() {
        @Override
        public Object construct(Node node) {
          Object s = text.construct(node);
          if (!(node instanceof ScalarNode n) || !n.isPlain() || tagged(n)) {
            return s;
          }
          Object read = resolve(n.getValue());
          return read instanceof String ? s : new HpaBehavior.Scalar(read, n.getValue());
        }
      });
    }

    /** Whether the scalar carries a tag ({@code !!str 0123}): then it is text as written. */
    private static boolean tagged(ScalarNode n) {
      int[] b = n.getStartMark().getBuffer();
      int i = n.getStartMark().getPointer();
      return i < b.length && (b[i] == '!' || b[i] == '&' && anchoredTag(b, i));
    }

    private static boolean anchoredTag(int[] b, int i) {
      while (i < b.length && !Character.isWhitespace(b[i])) {
        i++;
      }
      while (i < b.length && Character.isWhitespace(b[i])) {
        i++;
      }
      return i < b.length && b[i] == '!';
    }
  }

  /** go-yaml v2's float form (yamlStyleFloat), tried after the integer forms. */
  private static final Pattern GO_FLOAT =
      Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  /** Go's strconv.ParseInt with base 0: a sign, then 0x, 0b, 0o or 0 (octal), or decimal. */
  private static final Pattern GO_INT = Pattern.compile(
      "([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]?([0-7]+)|([1-9][0-9]*|0))");
  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(
      BigInteger.ONE);

  /**
   * What go-yaml v2 ({@code resolve.go}, v2.4.0, the fork sigs.k8s.io/yaml vendors) makes of an
   * unquoted scalar that is not null: a Boolean, an Integer, a Long, a BigInteger (up to 2^64 -
   * 1), a Double, or the text itself. A timestamp ({@code 2024-01-01}) stays text here: every
   * field of a behavior refuses either.
   */
  static Object resolve(String in) {
    switch (in) {
      case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
        return Boolean.TRUE;
      case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
        return Boolean.FALSE;
      case ".nan", ".NaN", ".NAN":
        return Double.NaN;
      case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
        return Double.POSITIVE_INFINITY;
      case "-.inf", "-.Inf", "-.INF":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    char c = in.isEmpty() ? ' ' : in.charAt(0);
    if (c == '.') { // strconv.ParseFloat of the text as it is
      return in.matches("\\.[0-9]+([eE][-+]?[0-9]+)?") ? finite(in, in) : in;
    }
    if (!(c >= '0' && c <= '9' || c == '+' || c == '-')) {
      return in;
    }
    String plain = in.replace("_", "");
    java.util.regex.Matcher m = GO_INT.matcher(plain);
    if (m.matches()) {
      int radix = m.group(2) != null ? 16 : m.group(3) != null ? 2 : m.group(4) != null ? 8 : 10;
      String digits = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3)
          : m.group(4) != null ? m.group(4) : m.group(5);
      BigInteger n = new BigInteger(digits, radix);
      n = m.group(1).equals("-") ? n.negate() : n;
      if (n.bitLength() < 32) {
        return n.intValue();
      }
      if (n.bitLength() < 64) {
        return n.longValue();
      }
      if (n.signum() > 0 && n.compareTo(UINT64_MAX) <= 0 && m.group(1).isEmpty()) {
        return n; // strconv.ParseUint takes no sign
      }
    }
    return GO_FLOAT.matcher(plain).matches() ? finite(plain, in) : in;
  }

  /** The double {@code s} writes, or {@code in} when Go's ParseFloat fails (out of range). */
  private static Object finite(String s, String in) {
    double d = Double.parseDouble(s);
    return Double.isInfinite(d) ? in : (Object) d;
  }
}
