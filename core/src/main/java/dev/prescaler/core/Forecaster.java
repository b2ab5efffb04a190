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
 * with a single present value forecasts flat; an empty or all-NaN history may throw
 * {@link IllegalArgumentException}.
 */
@FunctionalInterface
public interface Forecaster {

  /**
   * Forecasts the steps after the history.
   *
   * @param history load on a regular grid, oldest first; NaN where missing
   * @param horizon how far ahead, &gt; 0
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

  /** The number of steps a horizon needs on a grid: {@code ceil(horizon / step)}, at least 1. */
  static int steps(Duration horizon, Duration step) {
    long h = horizon.toMillis();
    long s = step.toMillis();
    return (int) Math.max(1, (h + s - 1) / s);
  }
}
