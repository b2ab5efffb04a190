package dev.prescaler.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bounds of {@link WildValues}: far outside a series' own spread, and only there. */
class WildValuesTest {
  private static final int DAY = 288;
  private static final int HISTORY = 7 * DAY;

  /** A daily cycle between about 15 and 185 with noise (σ 8), seeded. */
  private static double[] load(int n) {
    Random r = new Random(42);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = Math.max(0, 100 + 70 * Math.sin(2 * Math.PI * i / DAY) + 8 * r.nextGaussian());
    }
    return y;
  }

  @Test
  void burstsWithinTheSeriesSpreadAreFittedAsTheyAre() {
    // A load that doubles for 2 of every 24 hours: the bursts are the series' own, not wild.
    double[] y = load(HISTORY);
    for (int i = 0; i < y.length; i++) {
      if (i % DAY < 24) {
        y[i] += 200;
      }
    }
    assertThat(WildValues.winsorized(y)).isSameAs(y);
  }

  @Test
  void aCountSeriesMostlyZeroKeepsItsBursts() {
    // Half of the values 0 (a median absolute deviation of 0): the bounds come from the spread
    // of the rest, and no burst is cut. One wild sample is.
    Random r = new Random(7);
    double[] y = new double[HISTORY];
    for (int i = 0; i < y.length; i++) {
      y[i] = i % DAY < DAY / 2 ? 0 : r.nextInt(40);
    }
    assertThat(WildValues.winsorized(y)).isSameAs(y);
    y[1000] = 1e7;
    double[] w = WildValues.winsorized(y);
    assertThat(w[1000]).isLessThan(1000);
    w[1000] = y[1000];
    assertThat(w).containsExactly(y);
  }

  @Test
  void aConstantSeriesHasNoWildValue() {
    double[] y = new double[100];
    Arrays.fill(y, 3);
    assertThat(WildValues.bounds(y)).isNull();
    y[50] = Double.NaN;
    assertThat(WildValues.winsorized(y)).isSameAs(y);
  }
}
