package dev.prescaler.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.MetricSeries;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResamplerTest {
  private static final long[] T = {0, 1, 3};
  private static final double[] V = {1, 2, 3};

  @Test
  void aStepUnderOneMillisecondIsRefusedNamingIt() {
    // It used to divide by zero (step.toMillis() is 0).
    assertThatThrownBy(() -> Resampler.toGrid(T, V, Duration.ofNanos(500_000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step must be a whole number of milliseconds, at least 1 ms, but was "
            + "PT0.0005S");
  }

  @Test
  void aStepOfPartMillisecondsIsRefusedNamingIt() {
    // 1.5 ms used to bin at 1 ms and label the series 1.5 ms: 4 steps for samples at 0, 1, 3 ms.
    assertThatThrownBy(() -> Resampler.toGrid(T, V, Duration.ofNanos(1_500_000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step must be a whole number of milliseconds, at least 1 ms, but was "
            + "PT0.0015S");
  }

  @Test
  void wholeMillisecondStepsBinAtTheirLength() {
    MetricSeries s = Resampler.toGrid(T, V, Duration.ofMillis(2));
    assertThat(s.start()).isEqualTo(Instant.EPOCH);
    assertThat(s.step()).isEqualTo(Duration.ofMillis(2));
    assertThat(s.toArray()).containsExactly(1.5, 3);
  }

  @Test
  void finiteValuesWhoseSumOverflowsAverageToTheirMean() {
    // 1e308 + 1e308 is Infinity: the step's mean used to be Infinity, which MetricSeries refuses.
    long[] t = {0, 1, 1000, 1001, 1002, 1003, 2000, 2001, 2002};
    double m = Double.MAX_VALUE;
    double[] v = {1e308, 1e308, 1e308, 1e308, -1e308, -1e308, m, m, m};
    double[] out = Resampler.toGrid(t, v, Duration.ofSeconds(1)).toArray();
    assertThat(out[0]).isEqualTo(1e308);
    assertThat(out[1]).isEqualTo(0); // Infinity - 1e308 stays Infinity in a plain sum
    assertThat(out[2]).isEqualTo(m); // m / 3 summed 3 times rounds to Infinity
    assertThat(Resampler.toGrid(new long[] {0, 1}, new double[] {-1e308, -1e308},
        Duration.ofSeconds(1)).toArray()).containsExactly(-1e308);
  }

  @Test
  void ordinaryStepsKeepThePlainMeanToTheBit() {
    // The plain mean of 0.1, 0.2, 0.3 is 0.20000000000000004; an incremental or scaled mean
    // rounds differently, and the evaluation outputs would move. A step that overflows elsewhere
    // in the series must not change it either.
    double plain = (0.1 + 0.2 + 0.3) / 3;
    assertThat(Resampler.toGrid(new long[] {0, 1, 2}, new double[] {0.1, 0.2, 0.3},
        Duration.ofSeconds(1)).toArray()).containsExactly(plain);
    assertThat(Resampler.toGrid(new long[] {0, 1, 2, 1000, 1001},
        new double[] {0.1, 0.2, 0.3, 1e308, 1e308}, Duration.ofSeconds(1)).toArray())
        .containsExactly(plain, 1e308);
  }

  @Test
  void aSpanOfMoreThanMaxStepsIsRefusedNamingTheSpanAndTheStep() {
    // The only guard was 2^31 steps: a billion 1 ms steps allocated about 20 GB, an
    // OutOfMemoryError on any ordinary heap.
    assertThatThrownBy(() -> Resampler.toGrid(new long[] {0, 1_000_000_000L},
        new double[] {1, 2}, Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the samples must span at most 10000000 steps, but spanned 1000000001 steps"
            + " of PT0.001S (from 1970-01-01T00:00:00Z to 1970-01-12T13:46:40Z): use a longer"
            + " step");
    long limit = 10_000_000; // Resampler.MAX_STEPS
    assertThatThrownBy(() -> Resampler.toGrid(new long[] {0, limit * 1000},
        new double[] {1, 2}, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the samples must span at most 10000000 steps, but spanned "
            + "10000001 steps of PT1S");
    // Samples at both ends of the long range: the span passed 2^63 and wrapped to an empty grid.
    assertThatThrownBy(() -> Resampler.toGrid(new long[] {Long.MIN_VALUE, Long.MAX_VALUE},
        new double[] {1, 2}, Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the samples must span at most 10000000 steps, but spanned "
            + "18446744073709551616 steps of PT0.001S");
  }

  @Test
  void aYearOfFifteenSecondStepsIsResampled() {
    long step = 15_000;
    long year = 365L * 86_400_000;
    MetricSeries s = Resampler.toGrid(new long[] {0, 7_000, year - 1}, new double[] {1, 3, 5},
        Duration.ofMillis(step));
    assertThat(s.size()).isEqualTo(2_102_400);
    assertThat(s.value(0)).isEqualTo(2);
    assertThat(s.value(1)).isNaN();
    assertThat(s.value(s.size() - 1)).isEqualTo(5);
  }

  @Test
  void aTimeOutOfOrderInTheMiddleIsRefusedNamingIt() {
    // [1] was binned before [2] was checked: past the end of a grid that ends at 5 ms.
    assertThatThrownBy(() -> Resampler.toGrid(new long[] {0, 1_000_000, 5},
        new double[] {1, 2, 3}, Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("epochMillis must be non-decreasing, but [2] = 5 < 1000000");
  }

  @Test
  void aStepBeyondTheLongRangeOfMillisecondsIsRefusedNamingIt() {
    // step.toMillis() threw ArithmeticException: long overflow.
    assertThatThrownBy(() -> Resampler.toGrid(T, V, Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step must be at most PT2562047788015H12M55.807S (2^63 - 1 ms), but was "
            + "PT2562047788015215H30M7S");
  }
}
