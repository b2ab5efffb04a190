package dev.prescaler.benchmarks;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.decision.Policies;
import dev.prescaler.forecast.Forecasters;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@link AutoscalerEngine#tick()} over every workload of an {@link EngineFixture}: in-memory
 * synthetic sources with 7 days of 1-minute history each (backfilled through
 * {@code MetricSource.history}, so the engine's rings are full), the default predictive stack
 * ({@link Policies#predictive()} with {@link Forecasters#auto()}), observe-only executor and mode,
 * and a {@code ManualClock} advanced by the sync period (15 s) before each tick.
 *
 * <p>With 15 s ticks and 60 s history steps, one tick in four closes a history step and refreshes
 * every workload's forecast; the other three only read, check, decide and journal. The mean is
 * over all ticks, so it carries a quarter of a forecast refresh per workload. It also carries the
 * scheduled refits ({@link Forecasters#DEFAULT_REFIT_EVERY}, 6 h of data = 1,440 ticks) at their
 * steady-state rate: each workload's first fit, in the setup, puts its next refit a data-derived
 * fraction of the 6 hours later, so about one workload in 1,440 refits in every tick (see {@code
 * BENCHMARKS.md}).
 *
 * <p>{@link CpuTime} adds the CPU time per tick ({@code tick:cpuMillis} ÷ {@code tick:calls}).
 *
 * <p>Setup runs {@link #SETUP_TICKS} ticks first, which fits every workload's forecaster once (the
 * first refresh): tens of milliseconds of CPU per workload with {@code auto}, so the
 * 10,000-workload case needs a long setup.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx12g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class EngineTickBenchmark {
  /** The number of workloads the engine carries. */
  @Param({"100", "1000", "10000"})
  public int workloads;

  /**
   * The decision stack: {@code predictive} ({@link Policies#predictive()} with {@link
   * Forecasters#auto()}, the default stack) or {@code hpa} ({@link Policies#hpa()} without a
   * forecaster: the reactive baseline, which shows the engine's own cost per workload).
   */
  @Param({"predictive", "hpa"})
  public String stack;

  /** Ticks run before measuring: 10 simulated minutes. */
  public static final int SETUP_TICKS = 40;

  private EngineFixture fixture;

  /**
   * Builds the engine and ticks it through 10 simulated minutes (40 ticks) so that measurement
   * starts in the steady state: every forecaster fitted (at the first tick), journal
   * follow-ups flowing (due 5 minutes after each decision) and the decision memory full (10
   * minutes).
   */
  @Setup(Level.Trial)
  public void setUp() {
    fixture = switch (stack) {
      case "predictive" -> EngineFixture.build(workloads, Forecasters.auto(),
          Policies.predictive());
      case "hpa" -> EngineFixture.build(workloads, Policies.hpa());
      default -> throw new IllegalArgumentException(
          "stack must be predictive or hpa, but was " + stack);
    };
    for (int i = 0; i < SETUP_TICKS; i++) {
      fixture.tick();
    }
  }

  /** Closes the engine. */
  @TearDown(Level.Trial)
  public void tearDown() {
    fixture.engine().close();
  }

  /** Advances the clock by one sync period and ticks every workload once. */
  @Benchmark
  public AutoscalerEngine tick(CpuTime cpu) {
    cpu.begin();
    fixture.tick();
    cpu.end();
    return fixture.engine();
  }
}
