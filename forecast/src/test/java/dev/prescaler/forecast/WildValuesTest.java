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

  @Test
  void theBoundsAreThoseOfSortedValues() {
    // The bounds select their order statistics in linear time: the same as sorting them.
    Random r = new Random(11);
    for (int trial = 0; trial < 500; trial++) {
      int n = 3 + r.nextInt(60);
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        y[i] = trial % 3 == 0 ? r.nextInt(4) : trial % 3 == 1 ? r.nextGaussian() * 10
            : (r.nextInt(10) == 0 ? Double.NaN : Math.exp(5 * r.nextDouble()));
      }
      double[] s = Arrays.stream(y).filter(v -> !Double.isNaN(v)).sorted().toArray();
      double[] want = null;
      if (s.length >= 3) {
        double median = median(s);
        double[] d = Arrays.stream(s).map(v -> Math.abs(v - median)).sorted().toArray();
        double sigma = Math.max(1.4826 * median(d),
            d[(int) Math.floor(0.98 * (d.length - 1))] / 2.326);
        want = sigma > 0 ? new double[] {median - 8 * sigma, median + 8 * sigma} : null;
      }
      assertThat(WildValues.bounds(y)).as("trial %d: %s", trial, Arrays.toString(y))
          .isEqualTo(want);
    }
  }

  private static double median(double[] sorted) {
    int m = sorted.length;
    return m % 2 == 1 ? sorted[m / 2] : sorted[m / 2 - 1] / 2 + sorted[m / 2] / 2;
  }
}
