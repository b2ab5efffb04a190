package dev.prescaler.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the engine remembers of one workload between ticks. Guarded by the engine's tick lock. */
final class WorkloadState {
  /** Measured startup delays kept for the median. */
  private static final int DELAY_SAMPLES = 9;
  /**
   * Measured startup delays needed before the median replaces the spec's startupDelay: the
   * median of three outvotes one wrong sample (a scale-up slowed by an image pull or a node that
   * had to be added, a readiness seen late), while one sample, or the upper of two, would put it
   * straight into the lead time.
   */
  static final int MIN_DELAY_SAMPLES = 3;

  WorkloadSpec spec;
  final Map<String, MetricState> metrics = new HashMap<>();
  final ArrayDeque<PastDecision> recent = new ArrayDeque<>();
  /**
   * The newest decided entry of {@link #recent} (a decision, not a hold nor a landed apply; one
   * with marks before one without: see the engine's decided), compared by identity: kept
   * whatever its age (the engine's pruneRecent). Null before any.
   */
  PastDecision lastDecided;
  final ArrayDeque<PendingFollowUp> followUps = new ArrayDeque<>();
  /** Held ticks in a row (quiet holds aside) and applies in a row not applied, for the log. */
  final InARow holds = new InARow();
  /** Whether a tick decided since the workload was registered (its first holds log at INFO). */
  boolean decided;
  final InARow notApplied = new InARow();
  /**
   * Failures in a row of the plug-in calls that hold the workload when they throw, for the log:
   * the metric source's read, the executor's replica lookup, the policy's proposal and its pin
   * (two counts: a policy may answer one and throw on the other, and ticks alternate between
   * them as the metrics come and go). Each is ended by the next call of its kind that answers.
   */
  final InARow sourceFailures = new InARow();
  final InARow replicasFailures = new InARow();
  final InARow policyFailures = new InARow();
  final InARow pinFailures = new InARow();
  Instant lastScaleUp;
  Instant lastScaleDown;
  /**
   * The replica count last observed (-1: none yet), never one the engine only asked for: a raise
   * is a count above it ({@link StartupDelayTracker}).
   */
  int lastObservedCount = -1;
  /** When replica counts were last observed (a tick that read them, or a restored record). */
  Instant lastObserved;
  /**
   * The floor the HPA holds as this engine last wrote it (-1: unknown, send again), and the plan
   * it was sent for: lower than the plan when the HPA's maxReplicas held it down.
   */
  int lastFloorSent = -1;
  int floorPlanned = -1;
  /** The executor's answer when it last reported the floor held under the plan, else null. */
  String floorHeldAnswer;
  /**
   * The latest apply in ACT mode, when it FAILED: it may all the same have landed (a call that
   * timed out, a write that got through before an error). Null once a newer apply was asked, or
   * an observed count told what became of it. See {@link UncertainApplies}.
   */
  UncertainApplies.Pending uncertain;
  // Startup measurement: the count we wait to see ready, and since when.
  int pendingReadyTarget = -1;
  Instant pendingSince;
  /**
   * This tick's instants after its start, for its record ({@code DecisionRecord.Timing}): when
   * the counts were read and when an applied scale-up returned; null when at the tick's instant
   * or not this tick. Reset at the start of each evaluation.
   */
  Instant countsReadAt;
  Instant scaleUpReturnedAt;
  final long[] delaysMillis = new long[DELAY_SAMPLES];
  int delayCount;
  int delayNext;
  private Optional<Duration> medianDelay; // null: to be computed from the samples

  WorkloadState(WorkloadSpec spec) {
    this.spec = spec;
  }

  /** The median of the measured startup delays, once there are {@link #MIN_DELAY_SAMPLES}. */
  Optional<Duration> measuredStartupDelay() {
    // Read twice per tick and changed only by a new measurement: computed once per change.
    if (medianDelay == null) {
      if (delayCount < MIN_DELAY_SAMPLES) {
        medianDelay = Optional.empty();
      } else {
        long[] copy = Arrays.copyOf(delaysMillis, delayCount);
        Arrays.sort(copy);
        medianDelay = Optional.of(Duration.ofMillis(copy[delayCount / 2]));
      }
    }
    return medianDelay;
  }

  /** The measured startup delays kept, oldest first. */
  List<Duration> startupDelaySamples() {
    List<Duration> out = new ArrayList<>(delayCount);
    int first = delayCount < DELAY_SAMPLES ? 0 : delayNext;
    for (int i = 0; i < delayCount; i++) {
      out.add(Duration.ofMillis(delaysMillis[(first + i) % DELAY_SAMPLES]));
    }
    return out;
  }

  void recordStartupDelay(Duration d) {
    delaysMillis[delayNext] = d.toMillis();
    delayNext = (delayNext + 1) % DELAY_SAMPLES;
    delayCount = Math.min(DELAY_SAMPLES, delayCount + 1);
    medianDelay = null;
  }

  /** Per-metric state: history ring, forecaster instance, latest forecast, accuracy. */
  static final class MetricState {
    final MetricTarget target;
    final LoadHistory history;
    final Forecaster forecaster;
    Forecast forecast;
    /** Times in a row the forecaster failed (asked on every tick meanwhile), for the log. */
    int forecastFailures;
    Instant lastSampleTime;
    // Accuracy: predictions waiting for their outcome, keyed by target step start.
    final ArrayDeque<Prediction> pending = new ArrayDeque<>();
    double ewAbsError;
    double ewNaiveError;
    double ewCovered;
    long evaluated;

    MetricState(MetricTarget target, LoadHistory history, Forecaster forecaster) {
      this.target = target;
      this.history = history;
      this.forecaster = forecaster;
    }

    /**
     * This metric's state under a new target of the same type: the loads do not depend on the
     * target, so the history, the forecaster, the latest forecast and the accuracy record carry
     * over (a new object, installed with the spec, so nothing changes when a registration fails).
     */
    MetricState retargeted(MetricTarget newTarget) {
      MetricState m = new MetricState(newTarget, history, forecaster);
      m.forecast = forecast;
      m.forecastFailures = forecastFailures;
      m.lastSampleTime = lastSampleTime;
      m.pending.addAll(pending);
      m.ewAbsError = ewAbsError;
      m.ewNaiveError = ewNaiveError;
      m.ewCovered = ewCovered;
      m.evaluated = evaluated;
      return m;
    }

    /** Remembers the forecast's value {@code k} steps ahead, to be scored when it is known. */
    void expect(Forecast f, int k, double naive) {
      pending.addLast(new Prediction(f.timeOf(k - 1), f.point(k - 1), f.lower(k - 1),
          f.upper(k - 1), naive));
      while (pending.size() > 4 * k + 16) {
        pending.removeFirst();
      }
    }

    /**
     * Scores a prediction against what happened: exponentially weighted absolute errors of the
     * forecast and of the naive forecast, and interval coverage, over about
     * {@link AutoscalerEngine#ACCURACY_WINDOW} evaluations (a plain mean before that).
     */
    void score(Prediction p, double actual) {
      double covered = actual >= p.lower() && actual <= p.upper() ? 1 : 0;
      double a = evaluated == 0 ? 1
          : Math.max(1.0 / AutoscalerEngine.ACCURACY_WINDOW, 1.0 / (evaluated + 1));
      ewAbsError += a * (Math.abs(actual - p.point()) - ewAbsError);
      ewNaiveError += a * (Math.abs(actual - p.naive()) - ewNaiveError);
      ewCovered += a * (covered - ewCovered);
      evaluated++;
    }
  }

  /** A forecast value awaiting the actual load of its step. */
  record Prediction(Instant stepStart, double point, double lower, double upper, double naive) {}

  /** A decision whose outcome is to be recorded later. */
  record PendingFollowUp(long sequence, Instant due) {}
}
