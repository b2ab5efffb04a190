package dev.prescaler.benchmarks;

import dev.prescaler.forecast.HoltWintersModel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Holt-Winters model on its own: {@link #fit()} on 10,080 points (7 days at 1 minute, additive
 * season of one day = 1,440 steps, damped trend, the module's default), {@link #update()} of one
 * new observation (O(1)), and {@link #forecast()} of the 30 steps a default 30-minute horizon
 * needs. The data is workload 0 of {@link SyntheticLoadSource}.
 *
 * <p>Defaults below (1 fork, 3 × 2 s warm-up, 5 × 2 s measurement) match the command in
 * {@code BENCHMARKS.md}; the command line overrides them.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HoltWintersBenchmark {
  /** Seven days of one-minute steps. */
  public static final int WEEK = 10_080;
  /** One day of one-minute steps: the season. */
  public static final int DAY = 1_440;
  private static final int STREAM = 1 << 16;

  private double[] week;
  private double[] stream;
  private int next;
  private HoltWintersModel model;
  private final double[] horizon = new double[30];

  /** Generates the data and fits the model that {@link #update()} advances. */
  @Setup
  public void setUp() {
    long start = EngineFixture.START.minus(Duration.ofDays(7)).toEpochMilli();
    week = new double[WEEK];
    for (int i = 0; i < WEEK; i++) {
      week[i] = SyntheticLoadSource.load(0, start + i * 60_000L);
    }
    stream = new double[STREAM];
    for (int i = 0; i < STREAM; i++) {
      stream[i] = SyntheticLoadSource.load(0, start + (WEEK + i) * 60_000L);
    }
    model = HoltWintersModel.fit(week, DAY);
  }

  /** Fits α, β, γ, φ and the state on 10,080 points (Nelder-Mead, at most 400 evaluations). */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public HoltWintersModel fit() {
    return HoltWintersModel.fit(week, DAY);
  }

  /** Absorbs one observation into the fitted model. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public HoltWintersModel update() {
    model.update(stream[next]);
    next = (next + 1) & (STREAM - 1);
    return model;
  }

  /** Forecasts the next 30 steps from the fitted model. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public double[] forecast() {
    model.forecast(horizon);
    return horizon;
  }
}
