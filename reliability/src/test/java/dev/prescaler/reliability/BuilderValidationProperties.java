package dev.prescaler.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.StepLimits;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Generated values for every builder field and value record a user fills in: each is either
 * accepted, or rejected with exactly the documented one-line {@code <field> must be ..., but was
 * <value>} — never another exception, never a message without the value.
 */
class BuilderValidationProperties {
  /** Generated inputs per property. */
  static final int EXAMPLES = 1000;

  private static WorkloadSpec.Builder valid() {
    return WorkloadSpec.builder(WorkloadRef.deployment("shop", "web")).maxReplicas(10)
        .metric(MetricTarget.averageValue("rps", 50));
  }

  /** Random min/max/cost/quantile: accepted exactly when in range, else each bad one named. */
  @Test
  void workloadSpecNumbersAreAcceptedOrNamed() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(-5, 40), integers().between(-5, 40),
            doubles().any(), doubles().between(-1, 2))
        .checkAssert((min, max, cost, quantile) -> {
          Throwable t = catchThrowable(() -> valid().minReplicas(min).maxReplicas(max)
              .costWeight(cost).riskQuantile(quantile).build());
          boolean ok = min >= 0 && max >= 1 && max >= min && cost > 0 && Double.isFinite(cost)
              && quantile >= 0.5 && quantile <= 0.999;
          if (ok) {
            assertThat(t).isNull();
            return;
          }
          assertThat(t).isInstanceOf(InvalidConfigurationException.class);
          var problems = ((InvalidConfigurationException) t).problems();
          if (min < 0) {
            assertThat(problems).contains("minReplicas must be >= 0, but was " + min);
          }
          if (!(cost > 0 && Double.isFinite(cost))) {
            assertThat(problems).contains("costWeight must be > 0 and finite, but was " + cost);
          }
          if (!(quantile >= 0.5 && quantile <= 0.999)) {
            assertThat(problems)
                .contains("riskQuantile must be in [0.5, 0.999], but was " + quantile);
          }
          assertThat(problems).allSatisfy(p -> assertThat(p).contains(" must ")
              .contains(", but ").doesNotContain("\n"));
        });
  }

  /** Random engine durations: accepted when in range, else the field and value are named. */
  @Test
  void engineDurationsAreAcceptedOrNamed() {
    qt().withExamples(EXAMPLES)
        .forAll(longs().between(-10_000, 200_000), longs().between(-10_000, 10_000))
        .checkAssert((syncMillis, timeoutMillis) -> {
          Duration sync = Duration.ofMillis(syncMillis);
          Duration timeout = Duration.ofMillis(timeoutMillis);
          Throwable t = catchThrowable(() -> AutoscalerEngine.builder()
              .metricSource((spec, now) -> null).policy((c, p) -> p)
              .syncPeriod(sync).callTimeout(timeout).build().close());
          boolean syncOk = syncMillis >= 1000 && syncMillis <= 3_600_000;
          boolean timeoutOk = timeoutMillis >= 0;
          if (syncOk && timeoutOk) {
            assertThat(t).isNull();
            return;
          }
          assertThat(t).isInstanceOf(InvalidConfigurationException.class);
          var problems = ((InvalidConfigurationException) t).problems();
          if (!syncOk) {
            assertThat(problems).contains("syncPeriod must be in [PT1S, PT1H], but was " + sync);
          }
          if (!timeoutOk) {
            assertThat(problems)
                .contains("callTimeout must be in [PT0S, PT10M], but was " + timeout);
          }
        });
  }

  /**
   * Random step limits, including 0, 100 and non-finite percentages: accepted exactly when every
   * field is in its documented range and some scale-up is allowed, else named on one line.
   */
  @Test
  void stepLimitsAreAcceptedOrNamed() {
    Gen<Double> percents = integers().between(-100, 600).map(i -> i / 2.0)
        .mix(arbitrary().pick(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(-3, 10), percents, integers().between(-3, 10), percents)
        .checkAssert((upPods, upPct, downPods, downPct) -> {
          Throwable t = catchThrowable(() -> new StepLimits(upPods, upPct, downPods, downPct));
          boolean ok = upPods >= 0 && upPct >= 0 && Double.isFinite(upPct) && downPods >= 0
              && downPct >= 0 && downPct <= 100 && (upPods > 0 || upPct > 0);
          if (ok) {
            assertThat(t).isNull();
            return;
          }
          assertThat(t).isInstanceOf(IllegalArgumentException.class);
          assertThat(t.getMessage()).startsWith("stepLimits").contains(" must ")
              .contains(", but ").doesNotContain("\n");
        });
  }

  /**
   * Random strings as namespace, kind, name and metric name: accepted exactly when valid by the
   * documented rule, else rejected naming the field with the value quoted and escaped so that the
   * message stays on one line. Besides arbitrary text, strings drawn from the characters of
   * Kubernetes names, and valid-looking names of 0 to 300 characters (around the limits of 63 and
   * 253), make both outcomes common.
   */
  @Test
  void namesAreAcceptedOrNamedOnOneLine() {
    Gen<String> nameLike = lists().of(arbitrary().pick(
        'a', 'b', 'y', 'z', '0', '1', '9', '-', '-', '.', 'A', '_'))
        .ofSizeBetween(0, 70).map(BuilderValidationProperties::join);
    qt().withExamples(EXAMPLES)
        .forAll(strings().allPossible().ofLengthBetween(0, 70),
            strings().basicLatinAlphabet().ofLengthBetween(0, 70), nameLike,
            integers().between(0, 300))
        .checkAssert((anything, latin, name, length) -> {
          String lower = name.toLowerCase(Locale.ROOT);
          String letters = "a".repeat(length);
          String dotted = ("abcdefghi.").repeat(30).substring(0, length);
          for (String s : new String[] {anything, latin, latin.toLowerCase(Locale.ROOT), name,
              lower, lower.repeat(4), capitalized(name), letters, dotted, capitalized(letters)}) {
            check(() -> WorkloadRef.deployment(s, "web"), "namespace", isLabel(s));
            check(() -> WorkloadRef.deployment("shop", s), "name", isSubdomain(s));
            check(() -> new WorkloadRef("shop", s, "web"), "kind", isKind(s));
            check(() -> MetricTarget.averageValue(s, 1), "name", isMetricName(s));
          }
        });
  }

  /**
   * Accepted when {@code valid}, else rejected naming the field on one line: the message, or for
   * an {@link InvalidConfigurationException} (one line per problem after its heading) its one
   * problem.
   */
  private static void check(Runnable r, String field, boolean valid) {
    Throwable t = catchThrowable(r::run);
    if (valid) {
      assertThat(t).isNull();
      return;
    }
    assertThat(t).isInstanceOf(IllegalArgumentException.class);
    String problem = t.getMessage();
    if (t instanceof InvalidConfigurationException e) {
      assertThat(e.problems()).hasSize(1);
      problem = e.problems().get(0);
    }
    assertThat(problem).startsWith(field + " must ").contains(", but was \"")
        .doesNotContain("\n").doesNotContain("\r");
  }

  // The rules below are restated from the documentation (Kubernetes' DNS-1123 names, the kind and
  // metric-name patterns the messages state), not taken from the code under test.

  /** A DNS-1123 label: 1 to 63 of a-z, 0-9 and '-', starting and ending alphanumeric. */
  private static boolean isLabel(String s) {
    return s.length() <= 63 && isDnsWord(s);
  }

  /** A DNS-1123 subdomain: at most 253 characters, dot-separated words shaped as labels. */
  private static boolean isSubdomain(String s) {
    return s.length() <= 253
        && Arrays.stream(s.split("\\.", -1)).allMatch(BuilderValidationProperties::isDnsWord);
  }

  /** Nonempty, of a-z, 0-9 and '-', starting and ending with a letter or digit. */
  private static boolean isDnsWord(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> isLowerAlnum(c) || c == '-')
        && isLowerAlnum(s.charAt(0)) && isLowerAlnum(s.charAt(s.length() - 1));
  }

  /** A kind: an ASCII capital, then at most 62 ASCII letters and digits. */
  private static boolean isKind(String s) {
    return !s.isEmpty() && s.length() <= 63 && isUpper(s.charAt(0))
        && s.chars().allMatch(c -> isLowerAlnum(c) || isUpper(c));
  }

  /** A metric name: an ASCII letter or '_', then ASCII letters, digits and {@code _.:-}. */
  private static boolean isMetricName(String s) {
    return !s.isEmpty() && (isUpper(s.charAt(0)) || isLower(s.charAt(0)) || s.charAt(0) == '_')
        && s.chars().allMatch(c -> isLowerAlnum(c) || isUpper(c) || "_.:-".indexOf(c) >= 0);
  }

  private static boolean isLowerAlnum(int c) {
    return isLower(c) || (c >= '0' && c <= '9');
  }

  private static boolean isLower(int c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isUpper(int c) {
    return c >= 'A' && c <= 'Z';
  }

  private static String capitalized(String s) {
    return s.isEmpty() ? "D" : "D" + s.substring(1);
  }

  private static String join(List<Character> chars) {
    StringBuilder b = new StringBuilder();
    chars.forEach(b::append);
    return b.toString();
  }
}
