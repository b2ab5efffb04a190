package dev.prescaler.benchmarks;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.forecast.Forecasters;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Every forecaster of {@link Forecasters} as the engine uses it, on 7 days of one-minute history
 * (workload 0 of {@link SyntheticLoadSource}, which has a daily season), with the engine's
 * defaults: a 30-minute horizon (30 steps) and a 90 % interval (risk quantile 0.95).
 *
 * <ul>
 *   <li>{@link #fit()}: the shared instance, which fits from scratch on every call (period
 *       detection, every candidate's fit, rolling-origin validation, the forecast).
 *   <li>{@link #update()}: the engine's per-series instance fed a history that moved on by one
 *       step since its previous call (one new observation, then the forecast). Its mean includes
 *       the scheduled refits ({@link Forecasters#DEFAULT_REFIT_EVERY}: one per 360 calls).
 * </ul>
 *
 * <p>{@link CpuTime} adds the CPU time per call ({@code :cpuMillis} ÷ {@code :calls}).
 *
 * <p>Defaults below (1 fork, 3 × 2 s warm-up, 5 × 2 s measurement) match the command in
 * {@code BENCHMARKS.md}; the command line overrides them.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ForecasterBenchmark {
  private static final int WEEK = 10_080;
  private static final int MORE = 1 << 20;
  private static final Duration STEP = Duration.ofMinutes(1);
  private static final Duration HORIZON = Duration.ofMinutes(30);
  private static final double LEVEL = 0.9;

  /** The forecaster: a {@link Forecasters} factory method with its defaults. */
  @Param({"auto", "holt-winters", "seasonal-naive", "linear-trend", "fourier"})
  public String forecaster;

  private Forecaster shared;
  private Forecaster perSeries;
  private double[] data;
  private Instant start;
  private int offset;

  /** Generates the data and primes the per-series instance with its first fit. */
  @Setup
  public void setUp() {
    shared = create(forecaster);
    start = EngineFixture.START.minus(Duration.ofDays(7));
    data = new double[WEEK + MORE];
    for (int i = 0; i < data.length; i++) {
      data[i] = SyntheticLoadSource.load(0, start.toEpochMilli() + i * 60_000L);
    }
    perSeries = shared.forSeries();
    perSeries.forecast(window(0), HORIZON, LEVEL);
    offset = 0;
  }

  /** The forecaster a {@link #forecaster} name stands for. */
  static Forecaster create(String name) {
    return switch (name) {
      case "auto" -> Forecasters.auto();
      case "holt-winters" -> Forecasters.holtWinters();
      case "seasonal-naive" -> Forecasters.seasonalNaive();
      case "linear-trend" -> Forecasters.linearTrend();
      case "fourier" -> Forecasters.fourier(Duration.ofDays(1));
      default -> throw new IllegalArgumentException("forecaster must be one of auto, "
          + "holt-winters, seasonal-naive, linear-trend, fourier, but was " + name);
    };
  }

  private MetricSeries window(int from) {
    return new Window(data, from, start.plus(STEP.multipliedBy(from)), STEP, WEEK);
  }

  /** Fits from scratch on 7 days and forecasts. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Forecast fit(CpuTime cpu) {
    cpu.begin();
    Forecast f = shared.forecast(window(0), HORIZON, LEVEL);
    cpu.end();
    return f;
  }

  /** Absorbs one new step and forecasts (the per-series instance). */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Forecast update(CpuTime cpu) {
    offset++;
    if (offset > MORE) {
      offset = 1; // a jump back: the forecaster sees a new history and refits (once per 2^20)
    }
    cpu.begin();
    Forecast f = perSeries.forecast(window(offset), HORIZON, LEVEL);
    cpu.end();
    return f;
  }

  /**
   * A window of {@code size} values of an array: what the engine's history ring looks like,
   * including its epoch-millisecond {@code timeOf} (the default goes through BigDecimal).
   */
  static final class Window extends GridSeries {
    private final double[] values;
    private final int from;

    Window(double[] values, int from, Instant start, Duration step, int size) {
      super(start, step, size);
      this.values = values;
      this.from = from;
    }

    @Override
    double at(int i) {
      return values[from + i];
    }

    @Override
    public Instant timeOf(int i) {
      return Instant.ofEpochMilli(start().toEpochMilli() + i * step().toMillis());
    }
  }
}
