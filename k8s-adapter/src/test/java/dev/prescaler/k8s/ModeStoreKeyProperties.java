package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Invariants of {@link ModeStore#key} over workloads of every allowed length. */
class ModeStoreKeyProperties {
  /** What the API server accepts as a ConfigMap data key (besides the length). */
  private static final Pattern CONFIG_MAP_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

  /** A DNS-1123 label of {@code min} to {@code max} characters. */
  private static Gen<String> label(int min, int max) {
    return strings().betweenCodePoints('a', 'z').ofLengthBetween(min, max);
  }

  /**
   * Workloads up to the longest: namespace up to 63, kind up to 63, name up to 253 (labels of
   * up to 63 joined by dots).
   */
  private static Gen<WorkloadRef> workloads() {
    Gen<String> kind = strings().betweenCodePoints('a', 'z').ofLengthBetween(0, 62)
        .map(s -> "K" + s);
    Gen<String> name = integers().between(1, 253).zip(label(63, 63), (n, l) -> {
      String s = (l + "." + l + "." + l + "." + l).substring(0, n);
      return s.endsWith(".") ? s.substring(0, n - 1) : s;
    });
    return label(1, 63).zip(kind, name, WorkloadRef::new);
  }

  /**
   * Every key is a valid data key of at most 253 characters, the same on every call, the
   * three-part one whenever that fits, and the entry it is written with reads back as its
   * workload.
   */
  @Test
  void everyKeyIsValidStableAndReadsBackAsItsWorkload() {
    qt().withExamples(2000).forAll(workloads()).checkAssert(w -> {
      String key = ModeStore.key(w);
      assertThat(key.length()).isLessThanOrEqualTo(ModeStore.MAX_KEY);
      assertThat(key).matches(CONFIG_MAP_KEY);
      WorkloadRef same = new WorkloadRef(w.namespace(), w.kind(), w.name());
      assertThat(ModeStore.key(same)).isEqualTo(key);
      String full = w.namespace() + "_" + w.kind() + "_" + w.name();
      if (full.length() <= ModeStore.MAX_KEY) {
        assertThat(key).isEqualTo(full);
      } else {
        assertThat(key).hasSize(ModeStore.MAX_KEY);
        assertThat(ModeStore.workloadOf(key)).as("never read as a three-part key").isEmpty();
      }
      String value = new ModeStore.Entry(w, Mode.ACT, T0, "promoted by hand").value();
      assertThat(ModeStore.workloadOf(key, value)).contains(w);
      assertThat(ModeStore.Entry.parse(w, value).map(ModeStore.Entry::reason))
          .contains("promoted by hand");
    });
  }

  /** Two workloads never share a key, however much of their names they share. */
  @Test
  void workloadsThatDifferOnlyPastTheCutGetDifferentKeys() {
    qt().withExamples(500).forAll(label(1, 63), label(1, 1), label(1, 1))
        .assuming((ns, a, b) -> !a.equals(b))
        .checkAssert((ns, a, b) -> {
          String common = "x".repeat(63) + "." + "y".repeat(63) + "." + "z".repeat(63) + ".";
          WorkloadRef one = WorkloadRef.deployment(ns, common + "w".repeat(60) + a);
          WorkloadRef two = WorkloadRef.deployment(ns, common + "w".repeat(60) + b);
          assertThat(ModeStore.key(one)).isNotEqualTo(ModeStore.key(two));
          String valueOfOne = new ModeStore.Entry(one, Mode.ACT, T0, "").value();
          assertThat(ModeStore.workloadOf(ModeStore.key(two), valueOfOne))
              .as("a value naming another workload does not match the key")
              .isEqualTo(Optional.empty());
        });
  }
}
