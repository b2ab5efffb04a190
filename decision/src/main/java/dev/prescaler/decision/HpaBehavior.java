package dev.prescaler.decision;

import dev.prescaler.core.InvalidConfigurationException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code spec.behavior} of an {@code autoscaling/v2} HorizontalPodAutoscaler, read from the
 * tree a YAML or JSON parser gives (maps, lists, numbers and strings), onto an {@link HpaPolicy}
 * builder, so that a team's own HPA can be the baseline or the floor.
 *
 * <p>Kubernetes' defaulting ({@code pkg/apis/autoscaling/v2/defaults.go}) is applied: a direction
 * that is absent keeps the default rules, and in a direction that is present every absent field
 * ({@code stabilizationWindowSeconds}, {@code selectPolicy}, {@code policies}, {@code tolerance})
 * keeps its default. The API server's validation is applied too: {@code stabilizationWindowSeconds}
 * in [0, 3600], {@code selectPolicy} {@code Max}, {@code Min} or {@code Disabled}, at least one
 * policy, each with {@code type} {@code Pods} or {@code Percent}, {@code value} &gt; 0 and {@code
 * periodSeconds} in [1, 1800]. {@code tolerance} (Kubernetes 1.33+) is the direction's
 * tolerance: a {@code resource.Quantity} (a number, or a string such as {@code 0.05}, {@code 50m},
 * {@code 500u} or {@code 5e-2}, with any of its suffixes) that, as the API server requires, must
 * be greater than or equal to zero; a string that is not a quantity is refused, naming it.
 *
 * <p>Numbers are read as the API server receives them from {@code kubectl apply}, which sends
 * the JSON of what sigs.k8s.io/yaml read: an integer field takes a whole number, and a float with
 * a whole value too ({@code 60.0} is sent as {@code 60}), but not {@code 60.5}. A scalar may come
 * as a {@link Scalar}, its text as the file wrote it beside what its YAML reader made of it, so
 * that a problem shows both where they differ ({@code 0x800 (YAML read the number 2048)}, {@code
 * yes (YAML read the boolean true)}); {@code selectPolicy} and {@code type} must be strings.
 */
public final class HpaBehavior {
  private static final Set<String> BEHAVIOR_KEYS = Set.of("scaleUp", "scaleDown");
  private static final Set<String> RULES_KEYS =
      Set.of("stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance");
  private static final Set<String> POLICY_KEYS = Set.of("type", "value", "periodSeconds");

  private HpaBehavior() {}

  /**
   * A scalar of the tree as its file wrote it and as its YAML reader read it, for the messages:
   * a reader that knows the text of a number or a boolean puts this in place of the value.
   *
   * @param value what the reader made of the text: a number, a boolean or a string
   * @param text the scalar as written ({@code 0123}, {@code yes})
   */
  public record Scalar(Object value, String text) {
    /** Checks that neither is null. */
    public Scalar {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(text, "text");
    }

    /** The text as written. */
    @Override
    public String toString() {
      return text;
    }
  }

  /** The value of {@code v}: a {@link Scalar}'s value, or {@code v} itself. */
  private static Object value(Object v) {
    return v instanceof Scalar s ? s.value() : v;
  }

  /**
   * Applies {@code behavior} (the {@code spec.behavior} object; null or empty keeps the defaults)
   * to {@code builder}.
   *
   * @param where how to name the object in errors, e.g. {@code "hpa.yaml: spec.behavior"}
   * @return {@code builder}
   * @throws InvalidConfigurationException listing every problem, each with its path and value;
   *     nothing is applied then
   */
  public static HpaPolicy.Builder apply(Map<?, ?> behavior, HpaPolicy.Builder builder,
      String where) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(where, "where");
    List<String> problems = new ArrayList<>();
    if (behavior == null) {
      return builder;
    }
    unknownKeys(behavior, BEHAVIOR_KEYS, where, problems);
    Direction up = direction(behavior.get("scaleUp"), ScalingRules.DEFAULT_UP,
        where + ".scaleUp", problems);
    Direction down = direction(behavior.get("scaleDown"), ScalingRules.DEFAULT_DOWN,
        where + ".scaleDown", problems);
    if (!problems.isEmpty()) {
      throw new InvalidConfigurationException(where, problems);
    }
    builder.scaleUp(up.rules).scaleDown(down.rules);
    if (up.tolerance != null) {
      builder.toleranceUp(up.tolerance);
    }
    if (down.tolerance != null) {
      builder.toleranceDown(down.tolerance);
    }
    return builder;
  }

  private record Direction(ScalingRules rules, Double tolerance) {}

  private static Direction direction(Object node, ScalingRules defaults, String path,
      List<String> problems) {
    if (node == null) {
      return new Direction(defaults, null);
    }
    if (!(node instanceof Map<?, ?> m)) {
      problems.add(path + " must be an object, but was " + show(node));
      return new Direction(defaults, null);
    }
    int before = problems.size();
    unknownKeys(m, RULES_KEYS, path, problems);
    Duration window = defaults.stabilizationWindow();
    if (m.get("stabilizationWindowSeconds") != null) {
      Long s = integer(m.get("stabilizationWindowSeconds"), 0, 3600,
          path + ".stabilizationWindowSeconds", problems);
      if (s != null) {
        window = Duration.ofSeconds(s);
      }
    }
    ScalingRules.Select select = defaults.select();
    Object sp = m.get("selectPolicy");
    if (sp != null) {
      // A string only: a boolean or number YAML read is no policy, whatever it prints as.
      switch (value(sp) instanceof String text ? text : "") {
        case "Max" -> select = ScalingRules.Select.MAX;
        case "Min" -> select = ScalingRules.Select.MIN;
        case "Disabled" -> select = ScalingRules.Select.DISABLED;
        default -> problems.add(path + ".selectPolicy must be Max, Min or Disabled, but was "
            + show(sp));
      }
    }
    List<ScalingPolicy> policies = defaults.policies();
    Object ps = m.get("policies");
    if (ps != null) {
      if (!(ps instanceof List<?> list)) {
        problems.add(path + ".policies must be a list, but was " + show(ps));
      } else if (list.isEmpty()) {
        problems.add(path + ".policies must hold at least one policy, but was empty");
      } else {
        policies = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          ScalingPolicy p = policy(list.get(i), path + ".policies[" + i + "]", problems);
          if (p != null) {
            policies.add(p);
          }
        }
      }
    }
    Double tolerance = null;
    if (m.get("tolerance") != null) {
      tolerance = tolerance(m.get("tolerance"), path + ".tolerance", problems);
    }
    if (problems.size() > before) {
      return new Direction(defaults, null); // reported; the caller applies nothing
    }
    return new Direction(new ScalingRules(window, policies, select), tolerance);
  }

  private static ScalingPolicy policy(Object node, String path, List<String> problems) {
    if (!(node instanceof Map<?, ?> m)) {
      problems.add(path + " must be an object, but was " + show(node));
      return null;
    }
    unknownKeys(m, POLICY_KEYS, path, problems);
    int before = problems.size();
    Object type = value(m.get("type"));
    if (!"Pods".equals(type) && !"Percent".equals(type)) {
      problems.add(path + ".type must be Pods or Percent, but was " + show(m.get("type")));
    }
    Long value = required(m, "value", 1, Integer.MAX_VALUE, path, problems);
    Long period = required(m, "periodSeconds", 1, 1800, path, problems);
    if (problems.size() > before) {
      return null;
    }
    Duration d = Duration.ofSeconds(period);
    return "Pods".equals(type) ? ScalingPolicy.pods(value.intValue(), d)
        : ScalingPolicy.percent(value.intValue(), d);
  }

  private static Long required(Map<?, ?> m, String key, long min, long max, String path,
      List<String> problems) {
    if (m.get(key) == null) {
      problems.add(path + "." + key + " is required");
      return null;
    }
    return integer(m.get(key), min, max, path + "." + key, problems);
  }

  /**
   * An integer field: a whole number, or a float with a whole value below 1e21, which Go's JSON
   * encoder writes without a fraction or exponent ({@code 60.0} as {@code 60}), so the API server
   * reads it as that integer.
   */
  private static Long integer(Object given, long min, long max, String path,
      List<String> problems) {
    Object v = value(given);
    Long n = null;
    if (v instanceof Integer || v instanceof Long) {
      n = ((Number) v).longValue();
    } else if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e18) {
      n = d.longValue(); // beyond 1e18 (up to 1e21) out of every range anyway
    }
    if (n != null && n >= min && n <= max) {
      return n;
    }
    problems.add(path + " must be an integer in [" + min + ", " + max + "], but was "
        + show(given));
    return null;
  }

  /**
   * A {@code resource.Quantity}: an optionally signed decimal number, then a decimal exponent
   * ({@code e3}, {@code E-2}), a decimal suffix ({@code n u m k M G T P E}) or a binary one
   * ({@code Ki Mi Gi Ti Pi Ei}), or nothing.
   */
  private static final Pattern QUANTITY = Pattern.compile(
      "([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?");

  /** The quantity {@code s} as a number, or null when it is not one. */
  static BigDecimal quantity(String s) {
    Matcher m = QUANTITY.matcher(s);
    if (!m.matches()) {
      return null;
    }
    BigDecimal n = new BigDecimal(m.group(1));
    String suffix = m.group(2);
    if (suffix == null) {
      return n;
    }
    if (suffix.charAt(0) == 'e' || (suffix.charAt(0) == 'E' && suffix.length() > 1)) {
      int exp;
      try {
        exp = Integer.parseInt(suffix.substring(1));
      } catch (NumberFormatException e) {
        return null;
      }
      return Math.abs(exp) > 1000 ? null : n.scaleByPowerOfTen(exp);
    }
    if (suffix.endsWith("i")) {
      int power = "KMGTPE".indexOf(suffix.charAt(0)) + 1;
      return n.multiply(BigDecimal.valueOf(2).pow(10 * power));
    }
    int power = switch (suffix.charAt(0)) {
      case 'n' -> -9;
      case 'u' -> -6;
      case 'm' -> -3;
      case 'k' -> 3;
      case 'M' -> 6;
      case 'G' -> 9;
      case 'T' -> 12;
      case 'P' -> 15;
      default -> 18; // E
    };
    return n.scaleByPowerOfTen(power);
  }

  /** A tolerance: a number or a quantity string, &ge; 0 as the API server requires. */
  private static Double tolerance(Object given, String path, List<String> problems) {
    Object v = value(given);
    Double t = null;
    if (v instanceof Number n) {
      t = n.doubleValue();
    } else if (v instanceof String s) {
      BigDecimal q = quantity(s);
      t = q == null ? null : q.doubleValue();
    }
    if (t != null && t >= 0 && Double.isFinite(t)) {
      return t;
    }
    problems.add(path + " must be a quantity >= 0 such as 0.05, 50m or 500u, but was "
        + show(given));
    return null;
  }

  private static void unknownKeys(Map<?, ?> m, Set<String> known, String path,
      List<String> problems) {
    for (Object k : m.keySet()) {
      if (!known.contains(String.valueOf(k))) {
        problems.add(path + " has unknown field " + k + "; known: " + known.stream().sorted()
            .toList());
      }
    }
  }

  /**
   * A value for a message: a string quoted; a {@link Scalar} as written, followed by what YAML
   * read where that prints otherwise ({@code 0123 (YAML read the number 83)}).
   */
  private static String show(Object v) {
    if (v instanceof Scalar s) {
      Object read = s.value();
      if (read instanceof String) {
        return show(read);
      }
      return s.text().equals(String.valueOf(read)) ? s.text()
          : s.text() + " (YAML read the " + (read instanceof Boolean ? "boolean " : "number ")
              + read + ")";
    }
    return v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
  }
}
