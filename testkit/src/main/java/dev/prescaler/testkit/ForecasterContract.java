package dev.prescaler.testkit;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * The contract every {@link Forecaster} must honour, checked on generated histories. Use it from
 * any test framework:
 *
 * <pre>{@code
 * assertThat(ForecasterContract.check(new MyForecaster(), 42, 200)).isEmpty();
 * }</pre>
 *
 * <p>What is checked, on each example (a generated demand history with daily seasonality, trend,
 * noise, bursts, zeros and NaN gaps, a horizon of one step to seven days, a level in [0, 0.998]):
 *
 * <ul>
 *   <li>the call returns a forecast and does not throw;
 *   <li>the forecast has exactly {@link Forecaster#steps(Duration, Duration) steps(horizon,
 *       history.step())} steps of {@code history.step()}, starting at {@code history.end()};
 *   <li>every value is finite and non-negative, and each interval contains its point;
 *   <li>its {@link Forecast#level() level} is the level asked (within 1e-9): the engine asks for
 *       level {@code 2q − 1} to plan for a risk quantile {@code q}, and a forecast of another
 *       level, such as {@link Forecast#flat}'s 0, plans for another quantile without a word;
 *   <li>the history is not mutated;
 *   <li>a history with a single present value (alone, or among NaNs) forecasts flat;
 *   <li>all-zero histories and histories with gaps are handled like any other;
 *   <li>an empty or all-NaN history either gives a valid forecast or throws {@link
 *       IllegalArgumentException}, nothing else;
 *   <li>two {@link Forecaster#forSeries()} instances fed two different growing series on the
 *       same grid, interleaved as the engine feeds two workloads (each through a single view
 *       whose contents move on between calls, as the engine's ring buffer does), keep honouring
 *       all of the above, and each forecasts exactly as another {@code forSeries()} instance fed
 *       its series alone: a forecaster that keeps the view instead of copying it, that is not
 *       deterministic, or whose per-series state is shared across series (a {@code forSeries()}
 *       that returns {@code this} while the forecaster learns from its calls) fails here. This
 *       runs on every other example, before the example's own forecast.
 * </ul>
 *
 * <p>Once per check, its {@link Forecaster#name() name} must not be blank (the default never is),
 * and on a noisy history (two days of 1-minute steps around 100 with a daily swing of 20 and
 * Gaussian noise of standard deviation 10, generated from the seed) its forecast at level 0.9 has
 * an interval of some width at one step at least: a zero-width interval that claims the level
 * plans for the point alone.
 *
 * <p>Besides the examples, every check tries three full-ring histories, the length the engine
 * hands a forecaster once it has run for a while (or backfilled): 1-minute steps of 2 to 7 days,
 * up to the engine's default {@link AutoscalerEngine#DEFAULT_HISTORY_LENGTH 7 days} = 10,080
 * steps. The first holds exactly 10,080 steps and is fed, as above, with a second series of
 * that length, to four {@code forSeries()} instances (two interleaved, two alone) for four calls
 * while the full ring slides on. That is 18 forecasts of 2,880 to 10,080 steps per check,
 * whatever {@code examples} is.
 *
 * <p>Examples are derived from the seed, each from the seed and its index alone, so a failing
 * seed reproduces exactly, and example {@code i} of a seed is the same whatever the forecaster
 * did on the examples before it. Expensive forecasters: keep {@code examples} modest (an example
 * makes one forecast, and every other one up to 40 more: four per call of ten growing calls).
 */
public final class ForecasterContract {
  /** Relative tolerance of the flatness check. */
  private static final double FLAT_TOLERANCE = 1e-9;
  /** Steps of the engine's default history ring: 7 days at 60 s, 10,080. */
  static final int FULL_RING = (int) AutoscalerEngine.DEFAULT_HISTORY_LENGTH.dividedBy(
      AutoscalerEngine.DEFAULT_HISTORY_STEP);
  /** Full-ring histories tried per check. */
  static final int LONG_HISTORIES = 3;
  /** Calls of the sliding full-ring check, each to two forSeries() instances. */
  private static final int RING_CALLS = 4;
  /** Shortest long history: 2 days at 60 s. */
  private static final int TWO_DAYS = 2 * 1440;
  /**
   * The odd constant of {@link #exampleRandom} that spaces the examples' seeds apart: 2^64 over
   * the golden ratio, as {@link java.util.SplittableRandom} uses.
   */
  static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  /**
   * The odd constant of {@link #longHistoryRandom}, another than {@link #GOLDEN_GAMMA} (the
   * first 64 bits of the fractional part of the square root of 3), so that the long histories
   * draw from their own stream and leave the examples as they were.
   */
  static final long LONG_GAMMA = 0xBB67AE8584CAA73BL;
  /** Mixed into the seed for the noisy history of the width check. */
  private static final long NOISY_SEED = 0xC2B2AE3D27D4EB4FL;
  /** How far the forecast's level may be from the level asked. */
  private static final double LEVEL_TOLERANCE = 1e-9;
  /** The level of the width check: a riskQuantile of 0.95. */
  static final double NOISY_LEVEL = 0.9;

  private ForecasterContract() {}

  /**
   * Checks {@code forecaster} on {@code examples} generated histories.
   *
   * @param forecaster the forecaster under test
   * @param seed seed of the generated examples
   * @param examples number of examples, &ge; 1
   * @return the violations found, each naming the example and what was wrong; empty when none
   * @throws IllegalArgumentException when {@code examples < 1}
   */
  public static List<String> check(Forecaster forecaster, long seed, int examples) {
    Objects.requireNonNull(forecaster, "forecaster");
    if (examples < 1) {
      throw new IllegalArgumentException("examples must be >= 1, but was " + examples);
    }
    Violations v = new Violations();
    v.checkName("forecaster", forecaster::name);
    checkDegenerate(forecaster, new Random(seed), v);
    for (int i = 0; i < examples && v.list().size() < Violations.MAX; i++) {
      String where = "example " + i + " of seed " + seed;
      // Each example draws from its own generator, so that what it is given does not depend on
      // how the forecaster did on the examples before it (a check that stops early draws less).
      Random random = exampleRandom(seed, i);
      MetricSeries history = history(random, i);
      Duration horizon = horizon(random, history.step());
      double level = level(random);
      // The growing series first: a forecaster that shares state across series and has just
      // seen the whole history would ignore their steps as old ones and pass.
      if (history.size() >= 4 && i % 2 == 0) {
        int end = Math.max(1, history.size() / 2);
        // The ring keeps at most `capacity` steps, so once full its start moves too.
        int capacity = Math.max(1, end - random.nextInt(end));
        checkGrowing(forecaster, random, history, end, capacity, 10, where, v);
      }
      Forecast f = forecastChecked(forecaster, history, horizon, level, where, v);
      if (f != null && history.countPresent() == 1) {
        checkFlat(f, where + " " + describe(history, horizon, level), v);
      }
    }
    checkLongHistories(forecaster, seed, v);
    checkIntervalWidth(forecaster, seed, v);
    return v.list();
  }

  /**
   * A noisy history of two days of 1-minute steps: 100 plus a daily swing of 20 plus Gaussian
   * noise of standard deviation 10, never below 0.
   */
  static MetricSeries noisyHistory(long seed) {
    Random random = new Random(seed ^ NOISY_SEED);
    Duration step = AutoscalerEngine.DEFAULT_HISTORY_STEP;
    double[] values = new double[TWO_DAYS];
    for (int i = 0; i < values.length; i++) {
      double swing = 20 * Math.sin(2 * Math.PI * i / 1440.0);
      values[i] = Math.max(0, 100 + swing + 10 * random.nextGaussian());
    }
    return MetricSeries.of(Generators.alignedTime(random, step), step, values);
  }

  /** At a level above 0, a noisy history's forecast has an interval of some width somewhere. */
  private static void checkIntervalWidth(Forecaster forecaster, long seed, Violations v) {
    if (v.list().size() >= Violations.MAX) {
      return;
    }
    MetricSeries history = noisyHistory(seed);
    Duration horizon = Duration.ofMinutes(30);
    String where = "noisy history of seed " + seed + " (around 100, noise sd 10)";
    Forecast f = forecastChecked(forecaster, history, horizon, NOISY_LEVEL, where, v);
    if (f == null) {
      return;
    }
    for (int i = 0; i < f.steps(); i++) {
      if (f.upper(i) > f.lower(i)) {
        return;
      }
    }
    v.add(where + " " + describe(history, horizon, NOISY_LEVEL) + ": a forecast at a level above"
        + " 0 must have an interval of some width on a noisy history, but every step's interval "
        + "was its point (first [" + f.lower(0) + ", " + f.upper(0) + "]): it plans for the "
        + "point, not the quantile the level stands for");
  }

  /**
   * Full-ring histories of 1-minute steps: one of exactly 10,080 steps whose ring
   * slides on under two {@code forSeries()} instances, then others of 2 to 7 days.
   */
  private static void checkLongHistories(Forecaster forecaster, long seed, Violations v) {
    Duration step = AutoscalerEngine.DEFAULT_HISTORY_STEP;
    for (int k = 0; k < LONG_HISTORIES && v.list().size() < Violations.MAX; k++) {
      Random random = longHistoryRandom(seed, k);
      String where = "full-ring history " + k + " of seed " + seed;
      int steps = k == 0 ? FULL_RING : TWO_DAYS + random.nextInt(FULL_RING - TWO_DAYS + 1);
      int extra = k == 0 ? 3 * RING_CALLS : 0;
      MetricSeries history = Generators.demandSeries(random, Generators.alignedTime(random, step),
          step, steps + extra, random.nextBoolean() ? 0 : 0.05);
      if (k == 0) {
        checkGrowing(forecaster, random, history, steps, steps, RING_CALLS, where, v);
      } else {
        forecastChecked(forecaster, history, horizon(random, step), level(random), where, v);
      }
    }
  }

  /**
   * The generator of example {@code i} of {@code seed}: a function of both alone, mixed as
   * {@link java.util.SplittableRandom} mixes its seeds (Stafford's variant 13 of MurmurHash3's
   * finalizer), so that neighbouring seeds and indexes give unrelated examples.
   */
  static Random exampleRandom(long seed, int i) {
    return mixed(seed + (i + 1L) * GOLDEN_GAMMA);
  }

  /**
   * The generator of full-ring history {@code k} of {@code seed}, mixed as {@link #exampleRandom}
   * but spaced by another constant: the seed of history {@code k} would be that of example
   * {@code i} only if {@code (k + 1) * LONG_GAMMA == (i + 1) * GOLDEN_GAMMA} (mod 2^64), which no
   * index below 2^31 meets, whatever the seed. (A single constant with the seed xor-ed by that
   * same constant, as before, gave seed 0's history {@code k} example {@code k + 1}'s
   * generator.)
   */
  static Random longHistoryRandom(long seed, int k) {
    return mixed(seed + (k + 1L) * LONG_GAMMA);
  }

  /** A generator seeded with {@code z} through Stafford's variant 13 finalizer. */
  private static Random mixed(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return new Random(z ^ (z >>> 31));
  }

  /** The example's history: special shapes for the first indexes of every ten, else random. */
  private static MetricSeries history(Random random, int i) {
    Duration step = random.nextBoolean() ? Duration.ofSeconds(60) : Duration.ofSeconds(
        new long[] {15, 300, 3600}[random.nextInt(3)]);
    Instant start = Generators.alignedTime(random, step);
    switch (i % 10) {
      case 0:
        return MetricSeries.of(start, step, 100 * random.nextDouble());
      case 1: {
        double[] v = new double[2 + random.nextInt(50)];
        Arrays.fill(v, Double.NaN);
        v[random.nextInt(v.length)] = 50 * random.nextDouble();
        return MetricSeries.of(start, step, v);
      }
      case 2:
        return MetricSeries.of(start, step, new double[1 + random.nextInt(500)]);
      case 3:
        return Generators.demandSeries(random, start, step, 2 + random.nextInt(3000), 0.3);
      default:
        return Generators.demandSeries(random);
    }
  }

  private static Duration horizon(Random random, Duration step) {
    switch (random.nextInt(5)) {
      case 0:
        return step;
      case 1:
        // Not a multiple of the step: the count must round up.
        return step.plus(Duration.ofMillis(1 + random.nextInt((int) step.toMillis() - 1)));
      case 2:
        // Up to the longest forecastHorizon a workload may have: 7 days.
        return Duration.ofSeconds(1 + random.nextInt(7 * 86400));
      default:
        return Duration.ofSeconds(1 + random.nextInt(3 * 3600));
    }
  }

  /** Levels up to 0.998, the highest the engine asks for (a riskQuantile of 0.999). */
  private static double level(Random random) {
    double[] common = {0, 0.5, 0.8, 0.9, 0.95, 0.99, 0.995, 0.998};
    return random.nextBoolean() ? common[random.nextInt(common.length)]
        : 0.998 * random.nextDouble();
  }

  /** Empty and all-NaN histories: a valid forecast or IllegalArgumentException. */
  private static void checkDegenerate(Forecaster forecaster, Random random, Violations v) {
    Duration step = Duration.ofSeconds(60);
    Instant start = Generators.alignedTime(random, step);
    double[] nan = new double[1 + random.nextInt(20)];
    Arrays.fill(nan, Double.NaN);
    List<MetricSeries> degenerate = List.of(MetricSeries.of(start, step),
        MetricSeries.of(start, step, nan));
    for (MetricSeries h : degenerate) {
      String where = (h.isEmpty() ? "empty" : "all-NaN") + " history";
      try {
        Forecast f = forecaster.forecast(h, Duration.ofMinutes(30), 0.9);
        if (f == null) {
          v.add(where + ": forecast must be a Forecast or IllegalArgumentException, but was null");
        } else {
          checkShape(f, h, Duration.ofMinutes(30), where, v);
        }
      } catch (IllegalArgumentException expected) {
        // Allowed by the contract.
      } catch (RuntimeException | Error e) {
        v.add(where + ": forecast must return a Forecast or throw IllegalArgumentException, but "
            + "threw " + Violations.describe(e));
      }
    }
  }

  /** Calls the forecaster and checks the result; returns it, or null when there was none. */
  private static Forecast forecastChecked(Forecaster forecaster, MetricSeries history,
      Duration horizon, double level, String where, Violations v) {
    double[] before = history.toArray();
    String context = where + " " + describe(history, horizon, level);
    Forecast f;
    try {
      f = forecaster.forecast(history, horizon, level);
    } catch (RuntimeException | StackOverflowError e) {
      v.add(context + ": forecast must not throw, but threw " + Violations.describe(e));
      return null;
    }
    if (!sameValues(before, history)) {
      v.add(context + ": the history must not be mutated, but its values changed");
    }
    if (f == null) {
      v.add(context + ": forecast must return a Forecast, but was null");
      return null;
    }
    checkShape(f, history, horizon, context, v);
    v.check(Math.abs(f.level() - level) <= LEVEL_TOLERANCE, context + ": forecast level must be "
        + "the level asked, " + level + ", but was " + f.level() + " (the engine asks for level "
        + "2q - 1 to plan for the risk quantile q)");
    return f;
  }

  private static void checkShape(Forecast f, MetricSeries history, Duration horizon,
      String context, Violations v) {
    int expected = Forecaster.steps(horizon, history.step());
    v.check(f.steps() == expected, context + ": forecast must have " + expected
        + " steps (ceil(horizon / step)), but had " + f.steps());
    v.check(f.step().equals(history.step()), context + ": forecast step must be the history's "
        + history.step() + ", but was " + f.step());
    v.check(f.start().equals(history.end()), context + ": forecast must start at the history's "
        + "end " + history.end() + ", but started at " + f.start());
    for (int i = 0; i < f.steps(); i++) {
      double p = f.point(i);
      double lo = f.lower(i);
      double hi = f.upper(i);
      if (!(Double.isFinite(p) && Double.isFinite(lo) && Double.isFinite(hi))) {
        v.add(context + ": forecast values must be finite, but step " + i + " was [" + lo + ", "
            + hi + "] around " + p);
      } else if (lo < 0 || p < 0) {
        v.add(context + ": forecast values must be >= 0, but step " + i + " was [" + lo + ", "
            + hi + "] around " + p);
      } else if (lo > p || hi < p) {
        v.add(context + ": forecast interval must contain the point, but step " + i + " was ["
            + lo + ", " + hi + "] around " + p);
      } else {
        continue;
      }
      break;
    }
  }

  private static void checkFlat(Forecast f, String context, Violations v) {
    double first = f.point(0);
    for (int i = 1; i < f.steps(); i++) {
      if (Math.abs(f.point(i) - first) > FLAT_TOLERANCE * Math.max(1, Math.abs(first))) {
        v.add(context + ": a history with a single present value must forecast flat, but step "
            + i + " was " + f.point(i) + " after " + first + " at step 0");
        return;
      }
    }
  }

  /**
   * Feeds two {@code forSeries()} instances two different growing series on the same grid,
   * interleaved as the engine feeds two workloads, each through a single view that moves on
   * between calls (as the engine's ring buffer does); then feeds two more instances each one
   * series alone, through fresh copies. Each interleaved forecast must equal the one of its
   * series alone: a forecaster that keeps the view instead of copying it, that is not
   * deterministic, or that shares state across series (a {@code forSeries()} that returns {@code
   * this} while the forecaster learns from its calls) fails here. The series are {@code full}
   * and an independent demand series on its grid; the first call sees the steps before {@code
   * end}, at most {@code capacity} of them, and each call adds 1 to 3 steps.
   */
  private static void checkGrowing(Forecaster forecaster, Random random, MetricSeries full,
      int end, int capacity, int calls, String where, Violations v) {
    Forecaster[] instances = new Forecaster[4];
    try {
      for (int k = 0; k < instances.length; k++) {
        instances[k] = forecaster.forSeries();
      }
    } catch (RuntimeException e) {
      v.add(where + ": forSeries() must not throw, but threw " + Violations.describe(e));
      return;
    }
    for (Forecaster f : instances) {
      if (f == null) {
        v.add(where + ": forSeries() must return a Forecaster, but was null");
        return;
      }
    }
    int n = full.size();
    Duration horizon = horizon(random, full.step());
    double level = level(random);
    double[][] series = {full.toArray(),
        Generators.demandValues(random, full.start(), full.step(), n, 0.05)};
    List<int[]> windows = new ArrayList<>();
    for (int call = 0; call < calls && end <= n; call++) {
      windows.add(new int[] {Math.max(0, end - capacity), end});
      end += 1 + random.nextInt(3);
    }
    String[] names = {"a growing history", "a second growing history"};
    // Interleaved, through views, as the engine feeds two workloads on one tick after another.
    SlidingView[] views = {new SlidingView(full.start(), full.step(), series[0]),
        new SlidingView(full.start(), full.step(), series[1])};
    Forecast[][] interleaved = new Forecast[2][windows.size()];
    for (int w = 0; w < windows.size(); w++) {
      boolean failed = false;
      for (int s = 0; s < 2; s++) {
        views[s].show(windows.get(w)[0], windows.get(w)[1]);
        if (views[s].countPresent() == 0) {
          continue; // The engine forecasts only histories with a present value.
        }
        String context = where + ", forSeries() call " + w + " of " + names[s];
        interleaved[s][w] = forecastChecked(instances[s], views[s], horizon, level,
            context + " (engine-like view)", v);
        failed |= interleaved[s][w] == null;
      }
      if (failed) {
        return;
      }
    }
    // Each series alone, through fresh copies, to other forSeries() instances.
    for (int s = 0; s < 2; s++) {
      for (int w = 0; w < windows.size(); w++) {
        if (interleaved[s][w] == null) {
          continue;
        }
        int from = windows.get(w)[0];
        MetricSeries copy = MetricSeries.of(full.timeOf(from), full.step(),
            Arrays.copyOfRange(series[s], from, windows.get(w)[1]));
        String context = where + ", forSeries() call " + w + " of " + names[s];
        // What the view's call reported, this one would repeat: only its failure is reported.
        Violations repeated = new Violations();
        Forecast alone = forecastChecked(instances[2 + s], copy, horizon, level,
            context + " (alone, copies)", repeated);
        if (alone == null) {
          repeated.list().forEach(v::add);
          return;
        }
        if (!alone.equals(interleaved[s][w])) {
          v.add(context + " " + describe(copy, horizon, level) + ": a forSeries() instance fed "
              + "its series interleaved with another instance's must forecast as one fed that "
              + "series alone (return a new instance from forSeries() when the forecaster keeps "
              + "state; keep copies, not the view; be deterministic), but gave "
              + interleaved[s][w] + " interleaved and " + alone + " alone");
          return;
        }
      }
    }
  }

  private static boolean sameValues(double[] before, MetricSeries after) {
    if (after.size() != before.length) {
      return false;
    }
    for (int i = 0; i < before.length; i++) {
      if (Double.doubleToLongBits(before[i]) != Double.doubleToLongBits(after.value(i))) {
        return false;
      }
    }
    return true;
  }

  private static String describe(MetricSeries h, Duration horizon, double level) {
    int zeros = 0;
    for (int i = 0; i < h.size(); i++) {
      if (h.value(i) == 0) {
        zeros++;
      }
    }
    return "(history of " + h.size() + " steps of " + h.step() + " from " + h.start() + ", "
        + h.countPresent() + " present, " + zeros + " zero; horizon " + horizon + ", level "
        + level + ")";
  }

  /**
   * One series object whose window over a fixed array moves between calls, as the engine's ring
   * buffer does: a forecaster that keeps it instead of copying sees other values next time.
   */
  private static final class SlidingView implements MetricSeries {
    private final Instant origin;
    private final Duration step;
    private final double[] values;
    private int from;
    private int to;

    SlidingView(Instant origin, Duration step, double[] values) {
      this.origin = origin;
      this.step = step;
      this.values = values;
    }

    void show(int newFrom, int newTo) {
      this.from = newFrom;
      this.to = newTo;
    }

    @Override
    public Instant start() {
      return origin.plus(step.multipliedBy(from));
    }

    @Override
    public Duration step() {
      return step;
    }

    @Override
    public int size() {
      return to - from;
    }

    @Override
    public double value(int i) {
      if (i < 0 || i >= size()) {
        throw new IndexOutOfBoundsException("index " + i + " of " + size());
      }
      return values[from + i];
    }
  }
}
