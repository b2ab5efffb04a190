package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ForecasterContractTest {

  /** Last present value, flat, with an interval of ±10 % (floored at zero). */
  static final class LastValue implements Forecaster {
    @Override
    public Forecast forecast(MetricSeries history, Duration horizon, double level) {
      double last = Double.NaN;
      for (int i = history.size() - 1; i >= 0 && Double.isNaN(last); i--) {
        last = history.value(i);
      }
      if (Double.isNaN(last)) {
        throw new IllegalArgumentException("history must hold a present value, but had none");
      }
      int n = Forecaster.steps(horizon, history.step());
      double[] p = new double[n];
      double[] lo = new double[n];
      double[] hi = new double[n];
      Arrays.fill(p, last);
      Arrays.fill(lo, last * 0.9);
      Arrays.fill(hi, last * 1.1);
      return new Forecast("last", history.end(), history.step(), p, lo, hi, level);
    }
  }

  /** Keeps the series it was given and forecasts the mean of the first one it ever saw. */
  static final class KeepsTheView implements Forecaster {
    private MetricSeries first;

    @Override
    public Forecast forecast(MetricSeries history, Duration horizon, double level) {
      if (first == null) {
        first = history;
      }
      double sum = 0;
      int n = 0;
      for (int i = 0; i < first.size(); i++) {
        if (!Double.isNaN(first.value(i))) {
          sum += first.value(i);
          n++;
        }
      }
      double mean = n == 0 ? 0 : sum / n;
      return Forecast.flat("keeps-view", history.end(), history.step(),
          Forecaster.steps(horizon, history.step()), mean);
    }

    @Override
    public Forecaster forSeries() {
      return new KeepsTheView();
    }
  }

  /**
   * A level smoothed from the steps after the last one it saw, kept in fields: per-series state,
   * but forSeries() is not overridden, so every series shares one level. Fed workload 1's
   * history (loads of 1000) and then workload 2's (loads of 10) on the same grid, it takes
   * workload 2's steps for old ones and forecasts workload 1's level for it.
   */
  static class SharedLevel implements Forecaster {
    private double level = Double.NaN;
    private Instant seenUpTo;

    @Override
    public Forecast forecast(MetricSeries history, Duration horizon, double lvl) {
      double last = Double.NaN;
      for (int i = 0; i < history.size(); i++) {
        double x = history.value(i);
        if (Double.isNaN(x)) {
          continue;
        }
        last = x;
        if (seenUpTo == null || !history.timeOf(i).isBefore(seenUpTo)) {
          level = Double.isNaN(level) ? x : 0.5 * level + 0.5 * x;
        }
      }
      seenUpTo = history.end();
      double l = Double.isNaN(level) ? last : level;
      if (Double.isNaN(l)) {
        throw new IllegalArgumentException("history must hold a present value, but had none");
      }
      int n = Forecaster.steps(horizon, history.step());
      double[] p = new double[n];
      double[] lo = new double[n];
      double[] hi = new double[n];
      Arrays.fill(p, l);
      Arrays.fill(lo, l * 0.9);
      Arrays.fill(hi, l * 1.1);
      return new Forecast("level", history.end(), history.step(), p, lo, hi, lvl);
    }
  }

  /** {@link SharedLevel} done right: a new instance per series. */
  static final class PerSeriesLevel extends SharedLevel {
    @Override
    public Forecaster forSeries() {
      return new PerSeriesLevel();
    }
  }

  /**
   * Catches a forecaster whose per-series state is shared across series: the growing-history
   * check fed two forSeries() instances the same history, so an instance shared by every series
   * (forSeries() returning this) saw nothing but one series and passed. Two series interleaved
   * must now each forecast as a series fed alone.
   */
  @Test
  void findsAForecasterThatSharesItsPerSeriesStateAcrossSeries() {
    Forecaster shared = new SharedLevel();
    Instant t = Instant.parse("2026-03-01T12:00:00Z");
    Duration minute = Duration.ofMinutes(1);
    double[] thousands = new double[60];
    double[] tens = new double[63];
    Arrays.fill(thousands, 1000);
    Arrays.fill(tens, 10);
    shared.forSeries().forecast(MetricSeries.of(t, minute, thousands), minute, 0.9);
    Forecast second = shared.forSeries().forecast(MetricSeries.of(t, minute, tens), minute, 0.9);
    assertThat(second.point(0)).as("workload 2's forecast, after workload 1's")
        .isEqualTo(133.75);
    assertThat(ForecasterContract.check(new SharedLevel(), 42, 200))
        .anyMatch(s -> s.contains("a forSeries() instance fed its series interleaved with "
            + "another instance's must forecast as one fed that series alone"));
    assertThat(ForecasterContract.check(new PerSeriesLevel(), 42, 100)).isEmpty();
  }

  @Test
  void aCorrectForecasterHasNoViolations() {
    assertThat(ForecasterContract.check(new LastValue(), 1, 200)).isEmpty();
  }

  // Catches a blank name going unnoticed: the engine then says "forecaster  failed in ...".
  @Test
  void findsABlankNameAndAcceptsTheDefaultOfALambda() {
    Forecaster last = new LastValue();
    Forecaster blank = new Forecaster() {
      @Override
      public Forecast forecast(MetricSeries history, Duration horizon, double level) {
        return last.forecast(history, horizon, level);
      }

      @Override
      public String name() {
        return " ";
      }
    };
    assertThat(ForecasterContract.check(blank, 1, 5)).containsExactly("forecaster name() must "
        + "not be blank (it names the forecaster in reasons and messages), but was \" \"");
    Forecaster lambda = last::forecast;
    assertThat(ForecasterContract.check(lambda, 1, 5)).isEmpty();
  }

  /**
   * Catches a check that never asked for what the engine asks: levels up to 0.998 (a
   * riskQuantile of 0.999) and horizons up to 7 days (the longest forecastHorizon). A forecaster
   * that threw above level 0.99 or beyond 3 hours passed every example.
   */
  @Test
  void tryTheEnginesHighestLevelsAndLongestHorizons() {
    Forecaster last = new LastValue();
    Forecaster highLevels = (h, horizon, level) -> {
      if (level > 0.99) {
        throw new IllegalStateException("level " + level);
      }
      return last.forecast(h, horizon, level);
    };
    Forecaster longHorizons = (h, horizon, level) -> {
      if (horizon.compareTo(Duration.ofHours(3)) > 0) {
        throw new IllegalStateException("horizon " + horizon);
      }
      return last.forecast(h, horizon, level);
    };
    assertThat(ForecasterContract.check(highLevels, 1, 200)).isNotEmpty()
        .anySatisfy(m -> assertThat(m).contains("IllegalStateException: level 0.99"));
    assertThat(ForecasterContract.check(longHorizons, 1, 200)).isNotEmpty()
        .anySatisfy(m -> assertThat(m).contains("IllegalStateException: horizon"));
  }

  @Test
  void theSameSeedGivesTheSameExamples() {
    Forecaster offByOne = (h, horizon, level) -> Forecast.flat("short", h.end(), h.step(),
        Math.max(1, Forecaster.steps(horizon, h.step()) - 1), 1);
    assertThat(ForecasterContract.check(offByOne, 7, 30))
        .isEqualTo(ForecasterContract.check(offByOne, 7, 30));
  }

  /**
   * Catches examples that depend on how the forecaster did before them: the growing-history
   * check returned early on a null forSeries() (or a failing forecast) and skipped its draws, so
   * every later example of a broken forecaster got other inputs than a good one's, and "example
   * 7 of seed 42" named different histories for the two.
   */
  @Test
  void eachExampleGetsTheSameInputsWhateverTheForecasterDidBefore() {
    List<String> good = new ArrayList<>();
    List<String> broken = new ArrayList<>();
    ForecasterContract.check(new Recording(good, new LastValue()), 42, 20);
    assertThat(ForecasterContract.check(new Recording(broken, null), 42, 20))
        .anyMatch(s -> s.contains("forSeries() must return a Forecaster, but was null"));
    assertThat(good).hasSizeGreaterThan(20);
    assertThat(broken).isEqualTo(good);
  }

  /**
   * Catches the long histories drawing from the examples' generators: they were seeded with
   * {@code seed ^ G} spaced by the same {@code G}, so for seed 0 full-ring history {@code k} got
   * exactly example {@code k + 1}'s inputs, and for other seeds whenever {@code seed ^ G == seed
   * + (i - k) G}.
   */
  @Test
  void theLongHistoriesDrawFromAStreamOfTheirOwn() {
    long[] seeds = {0, 1, -1, 42, Long.MIN_VALUE, ForecasterContract.GOLDEN_GAMMA,
        -ForecasterContract.GOLDEN_GAMMA};
    for (long seed : seeds) {
      Set<Long> examples = new HashSet<>();
      for (int i = 0; i < 10_000; i++) {
        examples.add(ForecasterContract.exampleRandom(seed, i).nextLong());
      }
      for (int k = 0; k < ForecasterContract.LONG_HISTORIES; k++) {
        long first = ForecasterContract.longHistoryRandom(seed, k).nextLong();
        assertThat(examples).as("seed %d, full-ring history %d", seed, k).doesNotContain(first);
      }
    }
    // For every seed: (k + 1) L == (i + 1) G (mod 2^64) for no index i of an int.
    long inverse = ForecasterContract.GOLDEN_GAMMA;
    for (int n = 0; n < 5; n++) {
      inverse *= 2 - ForecasterContract.GOLDEN_GAMMA * inverse;
    }
    assertThat(ForecasterContract.GOLDEN_GAMMA * inverse).isEqualTo(1);
    for (int k = 0; k < ForecasterContract.LONG_HISTORIES; k++) {
      long i = (k + 1L) * ForecasterContract.LONG_GAMMA * inverse - 1;
      assertThat(Long.compareUnsigned(i, Integer.MAX_VALUE)).as("k = %d", k).isPositive();
    }
  }

  /**
   * Records the inputs of every call made to it (not to its forSeries() instances), and answers
   * as LastValue; its forSeries() returns {@code perSeries}, which may be null.
   */
  record Recording(List<String> inputs, Forecaster perSeries) implements Forecaster {
    @Override
    public Forecast forecast(MetricSeries history, Duration horizon, double level) {
      inputs.add(history.start() + " " + history.step() + " " + Arrays.toString(history.toArray())
          + " " + horizon + " " + level);
      return new LastValue().forecast(history, horizon, level);
    }

    @Override
    public Forecaster forSeries() {
      return perSeries;
    }
  }

  @Test
  void findsAWrongStepCount() {
    Forecaster oneShort = (h, horizon, level) -> Forecast.flat("short", h.end(), h.step(),
        Forecaster.steps(horizon, h.step()) + 1, 1);
    assertThat(ForecasterContract.check(oneShort, 2, 20))
        .anyMatch(s -> s.contains("steps (ceil(horizon / step)), but had"));
  }

  @Test
  void findsAForecastStartingElsewhere() {
    Forecaster early = (h, horizon, level) -> Forecast.flat("early", h.start(), h.step(),
        Forecaster.steps(horizon, h.step()), 1);
    assertThat(ForecasterContract.check(early, 3, 20))
        .anyMatch(s -> s.contains("must start at the history's end"));
  }

  @Test
  void findsNegativeValues() {
    Forecaster negative = (h, horizon, level) -> Forecast.flat("neg", h.end(), h.step(),
        Forecaster.steps(horizon, h.step()), -1);
    assertThat(ForecasterContract.check(negative, 4, 5))
        .anyMatch(s -> s.contains("forecast values must be >= 0"));
  }

  @Test
  void findsAForecasterThatThrowsOnGaps() {
    Forecaster noGaps = (h, horizon, level) -> {
      for (int i = 0; i < h.size(); i++) {
        if (Double.isNaN(h.value(i))) {
          throw new IllegalStateException("gap at " + i);
        }
      }
      return new LastValue().forecast(h, horizon, level);
    };
    assertThat(ForecasterContract.check(noGaps, 5, 40))
        .anyMatch(s -> s.contains("forecast must not throw, but threw "
            + "java.lang.IllegalStateException: gap at"));
  }

  @Test
  void findsAForecastThatIsNotFlatForASinglePoint() {
    Forecaster ramp = (h, horizon, level) -> {
      int n = Forecaster.steps(horizon, h.step());
      double[] p = new double[n];
      for (int i = 0; i < n; i++) {
        p[i] = i;
      }
      return new Forecast("ramp", h.end(), h.step(), p, p, p, level);
    };
    assertThat(ForecasterContract.check(ramp, 6, 20))
        .anyMatch(s -> s.contains("a history with a single present value must forecast flat"));
  }

  @Test
  void findsAnEmptyHistoryFailureOtherThanIllegalArgument() {
    Forecaster npe = (h, horizon, level) -> {
      if (h.countPresent() == 0) {
        throw new NullPointerException("no values");
      }
      return new LastValue().forecast(h, horizon, level);
    };
    assertThat(ForecasterContract.check(npe, 8, 1))
        .anyMatch(s -> s.startsWith("empty history: forecast must return a Forecast or throw "
            + "IllegalArgumentException, but threw java.lang.NullPointerException"));
  }

  @Test
  void findsAStatefulForecasterThatKeepsTheEngineView() {
    assertThat(ForecasterContract.check(new KeepsTheView(), 9, 40))
        .anyMatch(s -> s.contains(": a forSeries() instance fed its series interleaved with "
            + "another instance's must forecast as one fed that series alone"));
  }

  @Test
  void findsANonDeterministicForecaster() {
    AtomicLong calls = new AtomicLong();
    Forecaster drifting = (h, horizon, level) -> Forecast.flat("drift", h.end(), h.step(),
        Forecaster.steps(horizon, h.step()), calls.incrementAndGet());
    assertThat(ForecasterContract.check(drifting, 10, 10))
        .anyMatch(s -> s.contains("must forecast as one fed that series alone"));
  }

  @Test
  void findsAForecasterThatBreaksOnAFullRingOfMinutes() {
    // Sized for 3 days of minutes: enough for the short examples, not for the engine's 7 days.
    Forecaster threeDays = (h, horizon, level) -> {
      if (h.size() > 3 * 1440) {
        throw new ArrayIndexOutOfBoundsException("Index 4320 out of bounds for length 4320");
      }
      return new LastValue().forecast(h, horizon, level);
    };
    assertThat(ForecasterContract.check(threeDays, 12, 1))
        .anyMatch(s -> s.startsWith("full-ring history 0 of seed 12, forSeries() call 0 of a "
            + "growing history (engine-like view) (history of 10080 steps of PT1M")
            && s.endsWith("forecast must not throw, but threw java.lang."
            + "ArrayIndexOutOfBoundsException: Index 4320 out of bounds for length 4320"));
  }

  @Test
  void triesFullRingHistoriesOfOneMinuteEvenWithFewExamples() {
    List<MetricSeries> seen = new ArrayList<>();
    Forecaster recording = (h, horizon, level) -> {
      seen.add(MetricSeries.of(h.start(), h.step(), h.toArray()));
      return new LastValue().forecast(h, horizon, level);
    };
    assertThat(ForecasterContract.check(recording, 13, 1)).isEmpty();
    List<MetricSeries> full = seen.stream().filter(h -> h.size() == ForecasterContract.FULL_RING)
        .toList();
    assertThat(ForecasterContract.FULL_RING).isEqualTo(10_080);
    assertThat(full).hasSizeGreaterThanOrEqualTo(2).allMatch(h -> h.step().equals(
        Duration.ofMinutes(1)));
    // The full ring slides on: the same length from a later start, as the engine's ring does.
    assertThat(full.stream().map(MetricSeries::start).distinct().count()).isGreaterThan(1);
    assertThat(seen.stream().filter(h -> h.size() >= 2 * 1440 && h.size() < 10_080).count())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void capsTheNumberOfViolations() {
    Forecaster bad = (h, horizon, level) -> {
      throw new IllegalStateException("always");
    };
    assertThat(ForecasterContract.check(bad, 11, 500))
        .hasSize(Violations.MAX + 1)
        .last().asString().startsWith("... and ");
  }

  /** The noisy history's description, as the contract writes it for {@code seed}. */
  static String noisy(long seed) {
    MetricSeries h = ForecasterContract.noisyHistory(seed);
    int zeros = 0;
    for (int i = 0; i < h.size(); i++) {
      zeros += h.value(i) == 0 ? 1 : 0;
    }
    return "noisy history of seed " + seed + " (around 100, noise sd 10) (history of 2880 steps "
        + "of PT1M from " + h.start() + ", 2880 present, " + zeros + " zero; horizon PT30M, "
        + "level 0.9)";
  }

  /**
   * Catches a forecaster that ignores the level asked: {@code Forecast.flat} is of level 0, so
   * the engine, which asks for level 2q - 1, plans for the point instead of the quantile q.
   */
  @Test
  void findsAForecastOfAnotherLevelThanAsked() {
    Forecaster flat = (history, horizon, level) -> {
      Forecast f = new LastValue().forecast(history, horizon, level);
      return Forecast.flat("flat", f.start(), f.step(), f.steps(), f.point(0));
    };
    List<String> violations = ForecasterContract.check(flat, 14, 1);
    assertThat(violations).contains(noisy(14) + ": forecast level must be the level asked, 0.9, "
        + "but was 0.0 (the engine asks for level 2q - 1 to plan for the risk quantile q)");
    assertThat(violations).filteredOn(s -> s.startsWith("example "))
        .allMatch(s -> s.contains(": forecast level must be the level asked, "))
        .isNotEmpty();
    // A level off by more than 1e-9: 0.9 asked, 0.9 + 1e-8 given.
    Forecaster nearly = (history, horizon, level) -> {
      Forecast f = new LastValue().forecast(history, horizon, level);
      return new Forecast("nearly", f.start(), f.step(), f.point(), f.lower(), f.upper(),
          level + 1e-8);
    };
    assertThat(ForecasterContract.check(nearly, 15, 5)).contains(noisy(15) + ": forecast level "
        + "must be the level asked, 0.9, but was 0.90000001 (the engine asks for level 2q - 1 to "
        + "plan for the risk quantile q)");
  }

  /** Catches a forecaster that claims the level with an interval of no width. */
  @Test
  void findsAZeroWidthIntervalOnANoisyHistory() {
    Forecaster pointOnly = (history, horizon, level) -> {
      Forecast f = new LastValue().forecast(history, horizon, level);
      return new Forecast("point", f.start(), f.step(), f.point(), f.point(), f.point(), level);
    };
    MetricSeries h = ForecasterContract.noisyHistory(16);
    double last = h.value(h.size() - 1);
    assertThat(ForecasterContract.check(pointOnly, 16, 20)).containsExactly(noisy(16)
        + ": a forecast at a level above 0 must have an interval of some width on a noisy "
        + "history, but every step's interval was its point (first [" + last + ", " + last
        + "]): it plans for the point, not the quantile the level stands for");
  }
}
