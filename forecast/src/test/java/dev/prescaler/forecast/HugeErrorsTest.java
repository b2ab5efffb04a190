package dev.prescaler.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The out-of-sample MAE that weighs {@code auto}'s models beyond the float range its forecasts and
 * errors are kept in: it used to count every error beyond about 3.4e38 as 3.4e38, so that after a
 * sample beyond about 1e39 the models' MAEs were alike and their weights equal whatever their
 * errors. Below that range nothing may change, to the bit.
 */
class HugeErrorsTest {

  /** A tracker of horizon 1 whose forecasts were {@code forecast} and outcomes {@code y}. */
  private static ErrorTracker scored(double[] forecast, double[] y) {
    return scored(forecast, y, 400);
  }

  /** As {@link #scored(double[], double[])}, in a window of {@code window} errors. */
  private static ErrorTracker scored(double[] forecast, double[] y, int window) {
    ErrorTracker t = new ErrorTracker(1, window);
    for (int i = 0; i < y.length; i++) {
      t.store(new double[] {forecast[i]});
      t.observe(y[i]);
    }
    return t;
  }

  @Test
  void theMaeCountsErrorsBeyondTheFloatRangeAsThemselves() {
    for (double unit : new double[] {1e39, 1e100, 1e300, Double.MAX_VALUE / 4}) {
      ErrorTracker small = scored(new double[] {0, 0, 0}, new double[] {unit, unit, unit});
      ErrorTracker large = scored(new double[] {0, 0, 0}, new double[] {3 * unit, unit, 2 * unit});
      assertThat(small.mae(0)).as("unit %s", unit).isCloseTo(unit, withinPercentage(1e-9));
      assertThat(large.mae(0)).as("unit %s", unit).isCloseTo(2 * unit, withinPercentage(1e-9));
      assertThat(large.score(1, 1) / small.score(1, 1)).isCloseTo(2, withinPercentage(1e-9));
      // A forecast beyond the float range is scored as itself too, not as infinity.
      ErrorTracker over = scored(new double[] {2 * unit, unit}, new double[] {unit, unit});
      assertThat(over.mae(0)).as("unit %s", unit).isCloseTo(unit / 2, withinPercentage(1e-9));
    }
    // 400 errors of the largest doubles: the mean is finite.
    double[] zeros = new double[400];
    double[] top = new double[400];
    java.util.Arrays.fill(top, Double.MAX_VALUE);
    assertThat(scored(zeros, top).mae(0)).isCloseTo(Double.MAX_VALUE, withinPercentage(1e-9));
  }

  @Test
  void hugeErrorsLeaveTheMaeWhenTheyLeaveTheWindow() {
    ErrorTracker t = new ErrorTracker(1, 10);
    ErrorTracker plain = new ErrorTracker(1, 10);
    for (int i = 0; i < 200; i++) {
      double y = i < 5 ? 1e200 * (i + 1) : 3 + (i % 7);
      t.store(new double[] {i == 7 ? 1e250 : 1});
      t.observe(y);
      if (i >= 20) {
        plain.store(new double[] {1});
        plain.observe(y);
      }
      if (i == 5) {
        assertThat(t.mae(0)).isCloseTo(15e200 / 6, withinPercentage(1e-9));
      }
      if (i == 8) {
        assertThat(t.mae(0)).isCloseTo((1e250 + 10e200) / 9, withinPercentage(1e-6));
      }
    }
    assertThat(t.mae(0)).isEqualTo(plain.mae(0));
  }

  /**
   * The largest error leaves first: the MAE is the mean of the errors still in the window. It
   * used to subtract 1e300 from a running sum that had rounded both errors of 4e38 away, then 4e38
   * from the 0 left: 0.333 after the fourth outcome, -1.33e38 after the fifth, which ranked the
   * model with these errors first.
   */
  @Test
  void theMaeIsRightAtEveryStepWhenTheLargestErrorLeavesFirst() {
    ErrorTracker t = scored(new double[] {0, 0, 0, 0}, new double[] {1e300, 4e38, 4e38, 1}, 3);
    assertThat(t.mae(0)).isCloseTo((8e38 + 1) / 3, withinPercentage(1e-9));
    t.store(new double[] {0});
    t.observe(1);
    assertThat(t.mae(0)).isCloseTo((4e38 + 2) / 3, withinPercentage(1e-9));
    assertThat(t.score(1, 1)).isCloseTo((4e38 + 2) / 3, withinPercentage(1e-9));
    t.store(new double[] {0});
    t.observe(1);
    assertThat(t.mae(0)).isEqualTo(1);
  }

  /**
   * Errors of 1e300 × 0.8^i in a window of 400: the MAE follows them down at every step. It
   * used to stay at 1.14e282, the rounding 1e300 left in the running sum, while the true value
   * fell to 1e230 (656 of the 1,200 steps off by more than 1 %).
   */
  @Test
  void theMaeFollowsDecayingHugeErrorsAtEveryStep() {
    ErrorTracker t = new ErrorTracker(1, 400);
    double[] e = new double[1200];
    for (int i = 0; i < e.length; i++) {
      e[i] = 1e300 * Math.pow(0.8, i);
      t.store(new double[] {0});
      t.observe(e[i]);
      double sum = 0;
      int from = Math.max(0, i - 399);
      for (int j = i; j >= from; j--) { // smallest first
        sum += e[j];
      }
      // Within 1e-6: the sum is recomputed when it falls by 2^20, and rounded in between.
      assertThat(t.mae(0)).as("step %d", i).isCloseTo(sum / (i + 1 - from), withinPercentage(1e-4));
    }
  }

  /** The record of a combination weighs its parts' exact errors, not 3.4e38 each. */
  @Test
  void aCombinedRecordKeepsTheErrorsBeyondTheFloatRange() {
    ErrorTracker a = new ErrorTracker(2, 10);
    ErrorTracker b = new ErrorTracker(2, 10);
    for (int i = 0; i < 6; i++) {
      a.store(new double[] {0, 0});
      b.store(new double[] {4e40, 4e40});
      a.observe(1e40);
      b.observe(1e40);
    }
    ErrorTracker c = ErrorTracker.combine(List.of(a, b), new double[] {0.75, 0.25},
        new int[] {1, 2});
    // 0.75 × 1e40 + 0.25 × (1e40 − 4e40) = 0: the two models' errors cancel.
    assertThat(c.mae(0)).isZero();
    assertThat(a.mae(0)).isCloseTo(1e40, withinPercentage(1e-9));
    assertThat(b.mae(0)).isCloseTo(3e40, withinPercentage(1e-9));
  }

  /**
   * {@code auto} on a series beyond the float range weighs its two best models as it weighs them
   * on the same series in an ordinary unit: before, every MAE there was 3.4e38 and the weights
   * were equal, so the combined forecast was another one.
   */
  @Test
  void autoWeighsItsModelsBeyondTheFloatRangeAsInAnOrdinaryUnit() {
    Random r = new Random(5);
    double[] y = new double[40];
    for (int i = 0; i < y.length; i++) {
      y[i] = 100 + 3 * i + 8 * r.nextGaussian();
    }
    // No season (the candidates keep their state in double): 2^140 (1.4e42) times the series,
    // whose forecasts and errors are beyond the float range, is forecast as 2^140 times it.
    int k = 140;
    double[] scaled = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      scaled[i] = Math.scalb(y[i], k);
    }
    Instant t0 = Instant.parse("2026-01-05T00:00:00Z");
    Forecaster auto = Forecasters.auto();
    Forecast plain = auto.forecast(MetricSeries.of(t0, Duration.ofHours(1), y),
        Duration.ofHours(6), 0.9);
    Forecast big = auto.forecast(MetricSeries.of(t0, Duration.ofHours(1), scaled),
        Duration.ofHours(6), 0.9);
    assertThat(big.model()).isEqualTo(plain.model()).contains("+");
    for (int h = 0; h < 6; h++) {
      assertThat(Math.scalb(big.point(h), -k)).as("step %d", h)
          .isCloseTo(plain.point(h), withinPercentage(1e-3));
    }
  }

  /**
   * Every forecast, point and bounds, of {@code auto} (shared and per series, with its refits
   * and live errors) on a daily series with a spike and a gap, in units from 1e-100 to 1e30,
   * where no forecast or error leaves the float range: the checksum of their bits is the one
   * taken on the code before the exact record of errors beyond that range.
   */
  @Test
  void forecastsInsideTheFloatRangeAreWhatTheyWereToTheBit() {
    long sum = 0;
    for (double unit : new double[] {1e-100, 1e-30, 1e-3, 1, 1e6, 1e20, 1e30}) {
      Random r = new Random(17);
      double[] y = new double[288 * 4];
      for (int i = 0; i < y.length; i++) {
        y[i] = unit * (100 + 40 * Math.sin(2 * Math.PI * i / 288) + 6 * r.nextGaussian());
      }
      y[700] = unit * 5_000; // a spike
      for (int i = 800; i < 812; i++) {
        y[i] = Double.NaN; // a gap
      }
      Instant t0 = Instant.parse("2026-01-05T00:00:00Z");
      Duration step = Duration.ofMinutes(5);
      Forecaster auto = Forecasters.auto().forSeries();
      for (int n = 600; n <= y.length; n += 37) {
        MetricSeries h = MetricSeries.of(t0, step, java.util.Arrays.copyOf(y, n));
        sum = 31 * sum + bits(auto.forecast(h, Duration.ofHours(2), 0.9));
      }
      sum = 31 * sum + bits(Forecasters.auto().forecast(MetricSeries.of(t0, step, y),
          Duration.ofHours(4), 0.8));
    }
    assertThat(sum).isEqualTo(-8791576904522003591L);
  }

  private static long bits(Forecast f) {
    long h = f.model().hashCode();
    for (int i = 0; i < f.steps(); i++) {
      h = 31 * h + Double.doubleToLongBits(f.point(i));
      h = 31 * h + Double.doubleToLongBits(f.lower(i));
      h = 31 * h + Double.doubleToLongBits(f.upper(i));
    }
    return h;
  }
}
