package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.Forecaster;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.testkit.DecisionInvariants;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The policies inside the real {@link AutoscalerEngine}: a small cluster model (replicas ready
 * 120 s after they are asked for, metrics 60 s late) on a daily-like ramp; the journal must pass
 * the testkit's {@link DecisionInvariants}, and the predictive stack must be short of capacity
 * less often than the HPA.
 */
class PredictiveEngineTest {
  private static final WorkloadRef REF = WorkloadRef.deployment("sim", "web");
  private static final Instant START = Instant.parse("2026-01-05T00:00:00Z");
  private static final double PER_REPLICA = 10; // rps one replica should carry (its target)
  private static final double CAPACITY = PER_REPLICA / 0.7; // rps one replica can serve

  /** A linear-trend forecaster over the last 10 steps, with a ±15 % interval. */
  static final class TrendForecaster implements Forecaster {
    @Override
    public Forecast forecast(MetricSeries h, Duration horizon, double level) {
      int n = Forecaster.steps(horizon, h.step());
      int k = Math.min(10, h.size());
      double last = Double.NaN;
      double first = Double.NaN;
      for (int i = h.size() - k; i < h.size(); i++) {
        double v = h.value(i);
        if (!Double.isNaN(v)) {
          first = Double.isNaN(first) ? v : first;
          last = v;
        }
      }
      double slope = k > 1 && !Double.isNaN(first) ? (last - first) / (k - 1) : 0;
      double[] p = new double[n];
      double[] lo = new double[n];
      double[] up = new double[n];
      for (int i = 0; i < n; i++) {
        p[i] = Math.max(0, last + slope * (i + 1));
        lo[i] = p[i] * 0.85;
        up[i] = p[i] * 1.15;
      }
      return new Forecast("trend", h.end(), h.step(), p, lo, up, level);
    }
  }

  /**
   * Runs one policy for {@code minutes} and returns {ticks short of capacity, violations, the
   * highest desired count}. A demand of NaN is an outage: the metric is unavailable.
   */
  private static int[] run(DecisionPolicy policy, Forecaster forecaster, DoubleUnaryOperator demand,
      int minutes) {
    return run(policy, forecaster, demand, minutes, 0);
  }

  /** The same, counting the ticks short of capacity and the highest count from minute {@code
   * countFrom} on. */
  private static int[] run(DecisionPolicy policy, Forecaster forecaster, DoubleUnaryOperator demand,
      int minutes, int countFrom) {
    ManualClock clock = new ManualClock(START);
    WorkloadSpec spec = WorkloadSpec.builder(REF).minReplicas(2).maxReplicas(60).mode(Mode.ACT)
        .metric(MetricTarget.averageValue("rps", PER_REPLICA)).build();
    int[] desired = {2};
    Deque<Instant[]> starting = new ArrayDeque<>();
    int[] ready = {2};
    ScaleExecutor cluster = new ScaleExecutor() {
      @Override
      public ScaleOutcome apply(ScaleRequest r) {
        if (r.to() > desired[0]) {
          for (int i = desired[0]; i < r.to(); i++) {
            starting.add(new Instant[] {clock.instant().plusSeconds(120)});
          }
        } else {
          int drop = desired[0] - r.to();
          while (drop > 0 && !starting.isEmpty()) {
            starting.removeLast();
            drop--;
          }
          ready[0] -= drop;
        }
        desired[0] = r.to();
        return ScaleOutcome.applied(r.to(), "ok");
      }
    };
    InMemoryJournal journal = new InMemoryJournal(100_000);
    AutoscalerEngine.Builder b = AutoscalerEngine.builder().clock(clock).journal(journal)
        .policy(policy).executor(cluster).workload(spec).backfill(false)
        .metricSource((s, now) -> {
          while (!starting.isEmpty() && !starting.peekFirst()[0].isAfter(now)) {
            starting.removeFirst();
            ready[0]++;
          }
          Instant seen = now.minusSeconds(60);
          double t = Duration.between(START, seen).toSeconds() / 60.0;
          double load = demand.applyAsDouble(t); // NaN: the metric is missing (an outage)
          return Observation.of(now, new ReplicaStatus(desired[0], ready[0], 0),
              Double.isNaN(load) ? MetricReading.unavailable("rps", "outage")
                  : MetricReading.of("rps", load, seen));
        });
    if (forecaster != null) {
      b.forecaster(forecaster);
    }
    int short_ = 0;
    int highest = 0;
    try (AutoscalerEngine engine = b.build()) {
      for (int i = 0; i < minutes * 4; i++) {
        engine.tick();
        double t = Duration.between(START, clock.instant()).toSeconds() / 60.0;
        if (t >= countFrom) {
          highest = Math.max(highest, desired[0]);
        }
        if (t >= countFrom && demand.applyAsDouble(t) > ready[0] * CAPACITY) {
          short_++;
        }
        clock.advance(Duration.ofSeconds(15));
      }
      List<DecisionRecord> records = journal.records(REF);
      return new int[] {short_, DecisionInvariants.check(records, spec).size(), highest};
    }
  }

  @Test
  void predictiveIsShortLessOftenThanTheHpaOnARampAndKeepsTheInvariants() {
    // 70 min flat at 30 rps (a forecast counts after an hour of history), a 30 min ramp to 300
    // rps, 30 min flat, a 30 min ramp down
    DoubleUnaryOperator demand = t -> t < 70 ? 30
        : t < 100 ? 30 + (t - 70) * 9
        : t < 130 ? 300
        : t < 160 ? 300 - (t - 130) * 9 : 30;
    int[] hpa = run(Policies.hpa(), null, demand, 190);
    int[] predictive = run(Policies.predictive(), new TrendForecaster(), demand, 190);
    assertThat(hpa[1]).as("HPA invariant violations").isZero();
    assertThat(predictive[1]).as("predictive invariant violations").isZero();
    // healthy: the HPA is short for 31 ticks of the ramp, the predictive stack for 12; a stack
    // that ignored the forecast would be short as often as the HPA
    assertThat(hpa[0]).isGreaterThan(20);
    assertThat(predictive[0]).as("short ticks: predictive %d, hpa %d", predictive[0], hpa[0])
        .isLessThanOrEqualTo(hpa[0] * 6 / 10);
  }

  @Test
  void anHourlyCronJobIsScaledForOnceItHasComeBackFourTimes() {
    // 100 rps, and 300 from minute 5 to 10 of every hour: the trend forecaster only follows it,
    // late. From the fifth hour on the history shows the job in each of the last four hours.
    DoubleUnaryOperator demand = t -> t % 60 >= 5 && t % 60 < 10 ? 300 : 100;
    DecisionPolicy off = Policies.predictive(PredictivePolicy.builder().recurringPeaks(false)
        .build());
    int[] with = run(Policies.predictive(), new TrendForecaster(), demand, 7 * 60, 5 * 60);
    int[] without = run(off, new TrendForecaster(), demand, 7 * 60, 5 * 60);
    assertThat(with[1]).as("invariant violations").isZero();
    // healthy: never short in hours 5 and 6 with recurring peaks; without, short from each job's
    // start until replicas asked for a metrics delay later are ready (24 ticks, 12 a job)
    assertThat(without[0]).as("short ticks without recurring peaks").isGreaterThanOrEqualTo(20);
    assertThat(with[0]).as("short ticks with recurring peaks").isZero();
  }

  // Caught a forecast made before a metrics outage used on the first tick after it: the trend
  // of the ramp before the hour without data, carried across it, asked for 24 replicas where
  // the same run without the outage asked for 17.
  @Test
  void aMetricsOutageDoesNotScaleUpOnTheForecastMadeBeforeIt() {
    // 20 rps rising by 1 a minute to 140 at minute 120, flat after; no data from 120 to 180.
    // The forecaster carries the trend of the last measured steps across missing ones, as a
    // model with a trend does.
    Forecaster trend = (h, horizon, level) -> {
      int n = Forecaster.steps(horizon, h.step());
      int last = h.size() - 1;
      while (last >= 0 && Double.isNaN(h.value(last))) {
        last--;
      }
      double slope = last >= 10 ? (h.value(last) - h.value(last - 10)) / 10 : 0;
      double[] p = new double[n];
      double[] up = new double[n];
      for (int i = 0; i < n; i++) {
        p[i] = h.value(last) + slope * (h.size() + i - last);
        up[i] = p[i] * 1.15;
      }
      return new Forecast("trend", h.end(), h.step(), p, p, up, level);
    };
    DoubleUnaryOperator measured = t -> t < 120 ? 20 + t : 140;
    DoubleUnaryOperator outage = t -> t >= 120 && t < 180 ? Double.NaN : measured.applyAsDouble(t);
    // The five minutes after it: without a usable forecast the stack is the HPA (14) until the
    // forecaster has data after the gap again.
    int[] without = run(Policies.predictive(), trend, measured, 186, 181);
    int[] with = run(Policies.predictive(), trend, outage, 186, 181);
    assertThat(with[1]).as("invariant violations").isZero();
    // healthy: 16 without the outage (a need of 16.1 inside the dead band), 14 with it
    assertThat(with[2]).as("highest count after the outage (%d without it)", without[2])
        .isLessThanOrEqualTo(without[2]);
  }

  @Test
  void aForecasterThatRunsAwayCannotPreScaleToTheCeiling() {
    // 30 rps all along (3 replicas at 10 each); once it counts, the forecaster says 50 times the
    // last value. Uncapped, the stack asks for the ceiling (60); capped at twice the highest load
    // seen it asks for 6, and the HPA floor alone would keep 3.
    Forecaster runaway = (h, horizon, level) -> {
      Forecast f = new TrendForecaster().forecast(h, horizon, level);
      double[] x = new double[f.steps()];
      for (int i = 0; i < x.length; i++) {
        x[i] = f.point(i) * 50;
      }
      return new Forecast("runaway", f.start(), f.step(), x, x, x, level);
    };
    DecisionPolicy uncapped = Policies.predictive(PredictivePolicy.builder()
        .forecastCap(Double.POSITIVE_INFINITY).build());
    int[] capped = run(Policies.predictive(), runaway, t -> 30, 90);
    int[] off = run(uncapped, runaway, t -> 30, 90);
    assertThat(capped[1]).as("invariant violations").isZero();
    assertThat(off[2]).as("highest desired count without the cap").isEqualTo(60);
    assertThat(capped[2]).as("highest desired count with the cap").isEqualTo(6);
  }
}
