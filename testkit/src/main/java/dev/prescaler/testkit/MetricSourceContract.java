package dev.prescaler.testkit;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Observation;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * The contract every {@link MetricSource} must honour, checked against one workload at one
 * instant. The source is real (a Prometheus server, a trace, a Kubernetes API); the test arranges
 * what it serves, then:
 *
 * <pre>{@code
 * assertThat(MetricSourceContract.check(source, spec, clock.instant())).isEmpty();
 * }</pre>
 *
 * <p>It checks what the engine relies on, no more: data the engine itself rejects and holds the
 * workload for (a negative value, a stale sample) is the source's to report, not a violation.
 *
 * <ul>
 *   <li>{@code read} returns an observation, not null; each reading is keyed by its own metric
 *       name. A {@code read} that throws is not a violation: {@link MetricSource} allows it (the
 *       engine contains it and holds the workload), and the other checks then go on without an
 *       observation. That it prefers {@link MetricReading#unavailable(String, String)} is
 *       checked apart, by {@link #checkPreferences};
 *   <li>every metric of the spec has a reading (with {@link #checkAllowingAbsentMetrics}, a missing
 *       one is accepted: the engine treats it as unavailable);
 *   <li>available values are measured no later than one sync period after {@code now} (the
 *       engine's default {@link AutoscalerEngine#DEFAULT_SYNC_PERIOD}, or the one given): the
 *       engine holds a later sample as "in the future". Values are finite by type; a negative
 *       one is valid here (the engine holds it as "invalid negative value", see {@link
 *       MetricReading#of}), and so is any {@link Observation#time()} (the engine does not read
 *       it);
 *   <li>unavailable readings carry a non-blank reason;
 *   <li>{@code history} over the last hour on a 1-minute grid, when present, is on the grid asked
 *       for, inside the range asked for, and holds finite values or NaN (a
 *       negative one the engine's backfill skips as a missing step);
 *   <li>{@code history} is in load units, as the live reading is taken: the engine backfills its
 *       load history from it, so a history in percent or per pod is compared with loads of
 *       another scale, and its forecasts and spike filter drive the workload to one of its
 *       bounds. The contract compares the last present steps of the history (up to {@value
 *       #HISTORY_STEPS_COMPARED}, among the steps of the last {@value #HISTORY_MINUTES_COMPARED}
 *       minutes) with the live reading's load, {@link MetricTarget#load(double, int)
 *       target.load(value, ready)}, and reports a violation when every one of them is more than
 *       {@value #HISTORY_LOAD_FACTOR} times above or below it. The rule is generous, to spare a
 *       correct source: a load that changed {@value #HISTORY_LOAD_FACTOR}-fold within those
 *       minutes would be reported too, and the test should not arrange one. It is skipped for a
 *       metric read unavailable, negative or zero, for a history without a present positive step
 *       in those minutes, and for a utilization metric when the ready count is unknown (the
 *       observation carries no replica counts and none was given) or zero. A history in percent
 *       is {@code 100 / ready} times the load, so it is caught with fewer than {@code 100 /}
 *       {@value #HISTORY_LOAD_FACTOR} ready pods; one per pod rather than the workload's total is
 *       {@code ready} times too small, caught with more than {@value #HISTORY_LOAD_FACTOR}: arrange
 *       the check with a ready count that exposes the mistake you fear (1 or 2 pods for percent).
 * </ul>
 */
public final class MetricSourceContract {
  /**
   * How many times above or below the live reading's load the last present steps of a history
   * must all be to be reported as in the wrong units: 10.
   */
  public static final int HISTORY_LOAD_FACTOR = 10;
  /** The most present steps of a history compared with the live reading's load: 3. */
  public static final int HISTORY_STEPS_COMPARED = 3;
  /** The minutes before {@code now} whose history steps are compared with the live load: 10. */
  public static final int HISTORY_MINUTES_COMPARED = 10;

  private MetricSourceContract() {}

  /**
   * Checks one read of {@code spec} at {@code now}, for an engine with the default sync period;
   * every metric of the spec must be reported.
   *
   * @return the violations found; empty when none
   */
  public static List<String> check(MetricSource source, WorkloadSpec spec, Instant now) {
    return check(source, spec, now, AutoscalerEngine.DEFAULT_SYNC_PERIOD);
  }

  /**
   * Checks one read of {@code spec} at {@code now}, for an engine with the given sync period (a
   * sample may be stamped up to that much after {@code now}); every metric of the spec must be
   * reported.
   *
   * @param syncPeriod the sync period of the engine the source runs in, &ge; 0
   * @return the violations found; empty when none
   * @throws IllegalArgumentException when {@code syncPeriod} is negative
   */
  public static List<String> check(MetricSource source, WorkloadSpec spec, Instant now,
      Duration syncPeriod) {
    return check(source, spec, now, syncPeriod, false);
  }

  /**
   * Like {@link #check}, but a metric of the spec that the observation leaves out is accepted (the
   * engine treats it as unavailable with the reason "not reported by the metric source"), for
   * sources that document that absence.
   *
   * @return the violations found; empty when none
   */
  public static List<String> checkAllowingAbsentMetrics(MetricSource source, WorkloadSpec spec,
      Instant now) {
    return checkAllowingAbsentMetrics(source, spec, now, AutoscalerEngine.DEFAULT_SYNC_PERIOD);
  }

  /**
   * Like {@link #check(MetricSource, WorkloadSpec, Instant, Duration)}, but a metric of the spec
   * that the observation leaves out is accepted.
   *
   * @return the violations found; empty when none
   * @throws IllegalArgumentException when {@code syncPeriod} is negative
   */
  public static List<String> checkAllowingAbsentMetrics(MetricSource source, WorkloadSpec spec,
      Instant now, Duration syncPeriod) {
    return check(source, spec, now, syncPeriod, true);
  }

  /**
   * Like {@link #check(MetricSource, WorkloadSpec, Instant, Duration)}, for a source whose
   * observations leave the replica counts to the executor: {@code readyReplicas} is the ready
   * count the engine would then get from its {@link dev.prescaler.core.ScaleExecutor}, with which
   * the history of a utilization metric is compared with the live reading's load. The
   * observation's own counts win when it has them, as in the engine.
   *
   * @param readyReplicas the ready replicas of the workload, &ge; 0
   * @return the violations found; empty when none
   * @throws IllegalArgumentException when {@code syncPeriod} or {@code readyReplicas} is negative
   */
  public static List<String> check(MetricSource source, WorkloadSpec spec, Instant now,
      Duration syncPeriod, int readyReplicas) {
    return check(source, spec, now, syncPeriod, false, ready(readyReplicas));
  }

  /**
   * Like {@link #check(MetricSource, WorkloadSpec, Instant, Duration, int)}, but a metric of the
   * spec that the observation leaves out is accepted.
   *
   * @param readyReplicas the ready replicas of the workload, &ge; 0
   * @return the violations found; empty when none
   * @throws IllegalArgumentException when {@code syncPeriod} or {@code readyReplicas} is negative
   */
  public static List<String> checkAllowingAbsentMetrics(MetricSource source, WorkloadSpec spec,
      Instant now, Duration syncPeriod, int readyReplicas) {
    return check(source, spec, now, syncPeriod, true, ready(readyReplicas));
  }

  /**
   * What {@link MetricSource} prefers without requiring it, checked apart from the contract: a
   * source that does it otherwise honours the contract, and the engine copes. Two things: {@code
   * read} reports a metric it cannot read as {@link MetricReading#unavailable(String, String)}
   * with the reason, rather than throwing (the engine contains an exception and holds the whole
   * workload, with the exception as the reason, where an unavailable reading holds it with the
   * source's own reason and leaves the other metrics readable); and {@code history} of each
   * metric over the last hour on a 1-minute grid answers empty rather than throwing (the engine
   * then starts that metric without history either way, but logs the exception as a failure).
   *
   * @return what the source does otherwise than preferred, one line each; empty when nothing
   */
  public static List<String> checkPreferences(MetricSource source, WorkloadSpec spec,
      Instant now) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(now, "now");
    List<String> advice = new ArrayList<>();
    try {
      source.read(spec, now);
    } catch (RuntimeException e) {
      advice.add(spec.workload() + " at " + now + ": read should report "
          + "MetricReading.unavailable(metric, reason) rather than throw (allowed, but the engine "
          + "then holds the workload on the exception), but threw " + Violations.describe(e));
    }
    for (MetricTarget m : spec.metrics()) {
      try {
        source.history(spec, m, now.minus(Duration.ofHours(1)), now, Duration.ofMinutes(1));
      } catch (RuntimeException e) {
        advice.add(spec.workload() + " at " + now + ": history of " + m.name() + " should be "
            + "empty rather than throw (allowed: the engine starts the metric without history), "
            + "but threw " + Violations.describe(e));
      }
    }
    return List.copyOf(advice);
  }

  private static OptionalInt ready(int readyReplicas) {
    if (readyReplicas < 0) {
      throw new IllegalArgumentException("readyReplicas must be >= 0, but was " + readyReplicas);
    }
    return OptionalInt.of(readyReplicas);
  }

  private static List<String> check(MetricSource source, WorkloadSpec spec, Instant now,
      Duration syncPeriod, boolean absenceAllowed) {
    return check(source, spec, now, syncPeriod, absenceAllowed, OptionalInt.empty());
  }

  private static List<String> check(MetricSource source, WorkloadSpec spec, Instant now,
      Duration syncPeriod, boolean absenceAllowed, OptionalInt readyGiven) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(syncPeriod, "syncPeriod");
    if (syncPeriod.isNegative()) {
      throw new IllegalArgumentException("syncPeriod must be >= 0, but was " + syncPeriod);
    }
    Violations v = new Violations();
    String where = spec.workload() + " at " + now;
    Observation obs = null;
    boolean threw = false;
    try {
      obs = source.read(spec, now);
    } catch (RuntimeException e) {
      // Allowed by MetricSource: the engine contains it and holds the workload. An unavailable
      // reading is preferred, which checkPreferences reports.
      threw = true;
    }
    if (obs != null) {
      checkObservation(obs, spec, now, syncPeriod, absenceAllowed, where, v);
    } else if (!threw) {
      v.add(where + ": read must return an observation, but returned null");
    }
    // As the engine: the observation's counts, else the executor's (here: the count given).
    OptionalInt ready = obs != null && obs.replicas() != null && obs.replicas().isPresent()
        ? OptionalInt.of(obs.replicas().get().ready()) : readyGiven;
    for (MetricTarget m : spec.metrics()) {
      MetricReading live = obs == null ? null : obs.readings().get(m.name());
      checkHistory(source, spec, m, now, where, v, live, ready);
    }
    return v.list();
  }

  private static void checkObservation(Observation obs, WorkloadSpec spec, Instant now,
      Duration syncPeriod, boolean absenceAllowed, String where, Violations v) {
    // Spec metrics first, then any others by name: a stable order of violations.
    Set<String> names = new LinkedHashSet<>();
    spec.metrics().forEach(m -> names.add(m.name()));
    names.addAll(new TreeSet<>(obs.readings().keySet()));
    Instant latest = now.plus(syncPeriod);
    for (String metric : names) {
      MetricReading r = obs.readings().get(metric);
      if (r == null) {
        continue;
      }
      if (!metric.equals(r.metric())) {
        v.add(where + ": reading keyed " + metric + " must be of that metric, but was of "
            + r.metric());
      }
      if (r.isAvailable()) {
        // The engine's check: a sample after its read time + syncPeriod is "in the future".
        v.check(!r.timestamp().isAfter(latest), where + ": metric " + metric + " must not be "
            + "measured more than the sync period " + syncPeriod + " after now (the engine holds "
            + "it as in the future), but was measured at " + r.timestamp());
      } else {
        v.check(r.reason() != null && !r.reason().isBlank(), where + ": unavailable metric "
            + metric + " must carry a reason, but was " + quote(r.reason()));
      }
    }
    if (!absenceAllowed) {
      for (MetricTarget m : spec.metrics()) {
        v.check(obs.readings().containsKey(m.name()), where + ": metric " + m.name()
            + " of the spec must have a reading (unavailable with a reason if need be), but was "
            + "absent from " + obs.readings().keySet());
      }
    }
  }

  private static void checkHistory(MetricSource source, WorkloadSpec spec, MetricTarget m,
      Instant now, String where, Violations v, MetricReading live, OptionalInt ready) {
    Duration step = Duration.ofMinutes(1);
    Instant from = now.minus(Duration.ofHours(1));
    Optional<MetricSeries> history;
    try {
      history = source.history(spec, m, from, now, step);
    } catch (RuntimeException e) {
      return; // allowed: checkPreferences reports it
    }
    if (history == null) {
      v.add(where + ": history of " + m.name() + " must be an Optional, but was null");
      return;
    }
    if (history.isEmpty()) {
      return;
    }
    MetricSeries s = history.get();
    v.check(s.step().equals(step), where + ": history of " + m.name() + " must be on the step "
        + "asked for (" + step + "), but was on " + s.step());
    if (!s.isEmpty()) {
      v.check(!s.start().isBefore(from) && s.timeOf(s.size() - 1).isBefore(now), where
          + ": history of " + m.name() + " must have its steps start in [" + from + ", " + now
          + "), but they started from " + s.start() + " to " + s.timeOf(s.size() - 1));
    }
    for (int i = 0; i < s.size(); i++) {
      double x = s.value(i);
      // A negative value is not a violation: the engine's backfill skips it as a missing step.
      if (!Double.isNaN(x) && !Double.isFinite(x)) {
        v.add(where + ": history of " + m.name() + " must hold finite values or NaN, but step "
            + i + " was " + x);
        break;
      }
    }
    checkHistoryLoad(s, m, now, where, v, live, ready);
  }

  /**
   * The last present steps of the history against the live reading's load: all of them more
   * than {@link #HISTORY_LOAD_FACTOR} times off is a history in other units.
   */
  private static void checkHistoryLoad(MetricSeries s, MetricTarget m, Instant now, String where,
      Violations v, MetricReading live, OptionalInt ready) {
    if (live == null || !live.isAvailable() || !(live.value() > 0)) {
      return;
    }
    boolean utilization = m.type() == MetricTarget.Type.UTILIZATION;
    if (utilization && (ready.isEmpty() || ready.getAsInt() < 1)) {
      return;
    }
    int pods = utilization ? ready.getAsInt() : 0;
    double load = m.load(live.value(), pods);
    if (!(load > 0) || !Double.isFinite(load)) {
      return;
    }
    Instant since = now.minus(Duration.ofMinutes(HISTORY_MINUTES_COMPARED));
    List<Double> last = new ArrayList<>();
    Instant first = null;
    for (int i = s.size() - 1; i >= 0 && last.size() < HISTORY_STEPS_COMPARED; i--) {
      Instant t = s.timeOf(i);
      if (t.isBefore(since)) {
        break;
      }
      double x = s.value(i);
      // A negative or NaN step is missing to the engine; a zero one says nothing of units.
      if (x > 0 && Double.isFinite(x) && t.isBefore(now)) {
        last.add(0, x);
        first = t;
      }
    }
    if (last.isEmpty()) {
      return;
    }
    for (double x : last) {
      if (x <= load * HISTORY_LOAD_FACTOR && x >= load / HISTORY_LOAD_FACTOR) {
        return;
      }
    }
    String liveLoad = utilization
        ? live.value() + " % / 100 * " + pods + " ready pods = " + load
        : live.value() + ", the workload's total";
    String cause = utilization
        ? "is it in percent, or per pod, rather than load (percent / 100 * ready pods)?"
        : "is it per pod rather than the workload's total, or in other units than the reading?";
    v.add(where + ": history of " + m.name() + " must be in load units, as the engine takes the "
        + "live reading (" + liveLoad + "), but its last present steps " + last + " (from "
        + first + ") are all more than " + HISTORY_LOAD_FACTOR + " times above or below that "
        + "load: " + cause + " (The rule also reports a load that changed "
        + HISTORY_LOAD_FACTOR + "-fold within the last " + HISTORY_MINUTES_COMPARED
        + " minutes.)");
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }
}
