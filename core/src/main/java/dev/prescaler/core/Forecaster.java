package dev.prescaler.core;

import java.time.Duration;

/**
 * Turns a load history into a forecast with a prediction interval: the second stage of the loop.
 *
 * <p>A forecaster is a pure function of its inputs and may be shared across workloads. One that
 * keeps per-series state (fitted parameters updated in O(1) per observation, a refit schedule,
 * its own error record) returns a fresh instance from {@link #forSeries()}; the engine calls it
 * once per workload and metric and holds the result (the engine owns the state, not the
 * forecaster).
 *
 * <p>Contract (checked by the testkit's {@code ForecasterContract}): the forecast has exactly
 * {@code ceil(horizon / history.step())} steps starting at {@code history.end()}; every value is
 * finite and non-negative; the interval contains the point; the history is not mutated; a history
 * with a single present value forecasts flat; an empty or all-NaN history, and a horizon of more
 * than {@link #MAX_STEPS} steps, may throw {@link IllegalArgumentException}.
 */
@FunctionalInterface
public interface Forecaster {

  /**
   * Forecasts the steps after the history.
   *
   * @param history load on a regular grid, oldest first; NaN where missing
   * @param horizon how far ahead, &gt; 0 and at most {@link #MAX_STEPS} steps
   * @param level nominal coverage of the central prediction interval, in [0, 1)
   */
  Forecast forecast(MetricSeries history, Duration horizon, double level);

  /**
   * A short name for reports and the journal: not blank (the testkit's {@code ForecasterContract}
   * reports a blank one). Default: the class's simple name; for an anonymous class or a
   * lambda a name that is the same on every run ({@code MyTest$1}, {@code MyTest$$Lambda}).
   */
  default String name() {
    return PluginNames.of(getClass());
  }

  /**
   * The forecaster to use for one series. Stateless forecasters return {@code this}; stateful ones
   * a new instance that will only ever see that series (each call's history extends the last).
   */
  default Forecaster forSeries() {
    return this;
  }

  /**
   * The most steps a forecast may have: 1,000,000. The engine's widest forecast, 7 days of
   * 1-second steps, is 604,800; a 30-day horizon at a 1-ms step (2.6e9) is not a forecast.
   */
  int MAX_STEPS = 1_000_000;

  /**
   * The number of steps a horizon needs on a grid: {@code ceil(horizon / step)}, at least 1.
   *
   * @throws IllegalArgumentException when {@code step} is under 1 ms, or when the count is more
   *     than {@link #MAX_STEPS} (the message names the horizon, the step and the count)
   */
  static int steps(Duration horizon, Duration step) {
    long h;
    long s;
    try {
      h = horizon.toMillis();
      s = step.toMillis();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("horizon and step must be under 2^63 ms, but were "
          + horizon + " and " + step);
    }
    if (s < 1) {
      throw new IllegalArgumentException("step must be at least 1 ms, but was " + step);
    }
    long n = Math.max(1, h / s + (h % s > 0 ? 1 : 0)); // h + s - 1 could overflow
    if (n > MAX_STEPS) {
      throw new IllegalArgumentException("horizon must be at most " + MAX_STEPS + " steps, but"
          + " was " + horizon + " at a step of " + step + " (" + n + " steps)");
    }
    return (int) n;
  }
}
