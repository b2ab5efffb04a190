package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Decimals#fixed3} writes exactly what {@code String.format(Locale.ROOT, "%.3f", v)}
 * does.
 */
class DecimalsProperties {

  private static String format(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /**
   * A double of one of several shapes: any bit pattern (NaN, infinities, subnormals, huge), a
   * load-like value, a value at or next to a rounding boundary {@code (k + 0.5) / 1000}, a short
   * decimal string ending in 5 at the fourth decimal, or a value near the fast path's limit.
   */
  private static double sample(long seed) {
    Random r = new Random(seed);
    double sign = r.nextBoolean() ? 1 : -1;
    switch (r.nextInt(7)) {
      case 0:
        return Double.longBitsToDouble(r.nextLong());
      case 1:
        return sign * r.nextDouble() * Math.pow(10, r.nextInt(16) - 6);
      case 2: {
        double v = sign * (r.nextInt(2_000_000_000) + 0.5) / 1000;
        for (int i = r.nextInt(17) - 8; i != 0; i += i > 0 ? -1 : 1) {
          v = i > 0 ? Math.nextUp(v) : Math.nextDown(v);
        }
        return v;
      }
      case 3:
        return Double.parseDouble((sign < 0 ? "-" : "") + r.nextInt(100_000) + "."
            + String.format(Locale.ROOT, "%03d", r.nextInt(1000)) + "5");
      case 4:
        return sign * (1e12 + (r.nextDouble() - 0.5) * 1e6);
      case 5:
        return sign * r.nextInt(1000) / 1000.0;
      default:
        return sign * Double.MIN_VALUE * r.nextInt(1000);
    }
  }

  /** For every shape of double, the text equals String.format's, character for character. */
  @Test
  void matchesStringFormat() {
    qt().withExamples(40_000).forAll(longs().all()).checkAssert(seed -> {
      double v = sample(seed);
      assertThat(Decimals.fixed3(v)).as("%s (seed %d)", Double.toString(v), seed)
          .isEqualTo(format(v));
    });
  }

  /** Appending writes the same text after what the builder already holds. */
  @Test
  void appendsAfterExistingText() {
    qt().withExamples(10_000).forAll(longs().all()).checkAssert(seed -> {
      double v = sample(seed);
      StringBuilder b = new StringBuilder("x=");
      assertThat(Decimals.appendFixed3(b, v).toString()).isEqualTo("x=" + format(v));
    });
  }

  @Test
  void everyHalfBoundaryBelowAThousandMatches() {
    for (int k = 0; k < 100_000; k++) {
      double half = Double.parseDouble(k / 1000 + "." + String.format(Locale.ROOT, "%03d",
          k % 1000) + "5");
      for (double v : new double[] {half, Math.nextUp(half), Math.nextDown(half), -half}) {
        assertThat(Decimals.fixed3(v)).as("%s", Double.toString(v)).isEqualTo(format(v));
      }
    }
  }

  @Test
  void specialValuesMatch() {
    double[] values = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE,
        -Double.MAX_VALUE, 0.0005, 0.0015, 1.0005, 2.675, -0.0004, 999_999_999_999.9995, 1e12,
        123.4564999, 0.1 + 0.2};
    for (double v : values) {
      assertThat(Decimals.fixed3(v)).as("%s", Double.toString(v)).isEqualTo(format(v));
    }
    assertThat(Decimals.fixed3(-0.0)).isEqualTo("-0.000");
    assertThat(Decimals.fixed3(1.0005)).isEqualTo("1.001");
  }
}
