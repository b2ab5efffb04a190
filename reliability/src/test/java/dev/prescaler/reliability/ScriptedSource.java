package dev.prescaler.reliability;

import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricSource;
import dev.prescaler.core.Observation;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A metric source whose every workload reports one total-demand metric ({@value #METRIC}) and can
 * be told to misbehave in one of the {@link SourceFault} ways, or to hang until a latch opens.
 * Replica counts come from a {@link SimCluster}. Thread-safe: the engine may call it from its call
 * pool.
 */
final class ScriptedSource implements MetricSource {
  static final String METRIC = "rps";

  private final SimCluster cluster;
  private final Duration maxMetricAge;
  private final Map<WorkloadRef, SourceFault> faults = new ConcurrentHashMap<>();
  private final Map<WorkloadRef, Double> demand = new ConcurrentHashMap<>();
  private final Map<WorkloadRef, Instant> accepted = new ConcurrentHashMap<>();
  private final Map<WorkloadRef, Instant> returned = new ConcurrentHashMap<>();
  private final Map<WorkloadRef, CountDownLatch> hangs = new ConcurrentHashMap<>();
  private final Map<WorkloadRef, Integer> reads = new ConcurrentHashMap<>();
  private volatile boolean deaf;

  ScriptedSource(SimCluster cluster, Duration maxMetricAge) {
    this.cluster = cluster;
    this.maxMetricAge = maxMetricAge;
  }

  void fault(WorkloadRef w, SourceFault fault) {
    faults.put(w, fault);
  }

  SourceFault fault(WorkloadRef w) {
    return faults.getOrDefault(w, SourceFault.NONE);
  }

  void demand(WorkloadRef w, double value) {
    demand.put(w, value);
  }

  /** Makes reads of {@code w} block until {@code latch} opens (or the engine gives up). */
  void hang(WorkloadRef w, CountDownLatch latch) {
    hangs.put(w, latch);
  }

  /**
   * Makes hanging reads ignore interrupts, as a blocking socket read does: they return only when
   * their latch opens, even after the engine gave up on them. Default: an interrupt ends them.
   */
  void ignoreInterrupts(boolean deaf) {
    this.deaf = deaf;
  }

  /** How many times {@link #read} was called for {@code w}, hanging calls included. */
  int reads(WorkloadRef w) {
    return reads.getOrDefault(w, 0);
  }

  /** Tells the source which sample the engine accepted last (duplicates repeat it). */
  void accepted(WorkloadRef w, Instant sampleTime) {
    accepted.put(w, sampleTime);
  }

  /**
   * Forgets the accepted sample times after {@code now}, as the engine does when it takes a clock
   * far behind its last tick as corrected.
   */
  void forgetAcceptedAfter(Instant now) {
    accepted.values().removeIf(t -> t.isAfter(now));
  }

  Optional<Instant> accepted(WorkloadRef w) {
    return Optional.ofNullable(accepted.get(w));
  }

  /** The sample time of the last reading returned for {@code w}. */
  Optional<Instant> lastReturned(WorkloadRef w) {
    return Optional.ofNullable(returned.get(w));
  }

  /**
   * The fragment of the hold reason that the current fault of {@code w} must cause at {@code now},
   * or empty when the data is good.
   */
  Optional<String> expectedHold(WorkloadRef w, Instant now) {
    SourceFault f = fault(w);
    Instant last = accepted.get(w);
    if ((f == SourceFault.DUPLICATE || f == SourceFault.OUT_OF_ORDER) && last == null) {
      return Optional.of(SourceFault.STALE.holdReason());
    }
    if ((f == SourceFault.DUPLICATE || f == SourceFault.OUT_OF_ORDER)
        && sampleTime(f, now, last).isBefore(now.minus(maxMetricAge))) {
      return Optional.of(SourceFault.STALE.holdReason());
    }
    if (f == SourceFault.NONE && last != null && !now.isAfter(last)) {
      return Optional.of(now.equals(last) ? "no new sample since" : "out of order");
    }
    return Optional.ofNullable(f.holdReason());
  }

  /** The sample time a fault reports at {@code now}, given the last accepted sample time. */
  private Instant sampleTime(SourceFault f, Instant now, Instant last) {
    Instant stale = now.minus(maxMetricAge).minusSeconds(60);
    return switch (f) {
      case STALE -> stale;
      case OUT_OF_ORDER -> last == null ? stale : last.minusSeconds(1);
      case DUPLICATE -> last == null ? stale : last;
      case FUTURE -> now.plus(Duration.ofHours(1));
      default -> now;
    };
  }

  @Override
  public Observation read(WorkloadSpec spec, Instant now) {
    WorkloadRef w = spec.workload();
    reads.merge(w, 1, Integer::sum);
    CountDownLatch latch = hangs.get(w);
    if (latch != null && deaf) {
      ScriptedExecutor.awaitIgnoringInterrupts(latch);
    } else if (latch != null) {
      try {
        latch.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("read of " + w + " interrupted", e);
      }
    }
    SourceFault f = fault(w);
    double value = demand.getOrDefault(w, 0.0);
    Instant last = accepted.get(w);
    Instant t = sampleTime(f, now, last);
    MetricReading reading;
    switch (f) {
      case THROWS -> throw new IllegalStateException("connection refused (scripted)");
      case NULL_OBSERVATION -> {
        return null;
      }
      case NAN -> reading = MetricReading.of(METRIC, Double.NaN, now);
      case POSITIVE_INFINITY -> reading = MetricReading.of(METRIC, Double.POSITIVE_INFINITY, now);
      case NEGATIVE_INFINITY -> reading = MetricReading.of(METRIC, Double.NEGATIVE_INFINITY, now);
      case NEGATIVE -> reading = MetricReading.of(METRIC, -value - 1, now);
      case STALE, OUT_OF_ORDER, DUPLICATE, FUTURE -> reading = MetricReading.of(METRIC, value, t);
      case UNAVAILABLE -> reading = MetricReading.unavailable(METRIC, "vanished (scripted)");
      case ABSENT -> reading = null;
      case NO_REPLICAS -> {
        returned.put(w, t);
        return new Observation(now, Map.of(METRIC, MetricReading.of(METRIC, value, t)),
            Optional.empty());
      }
      case NONE -> reading = MetricReading.of(METRIC, value, now);
      default -> throw new IllegalStateException("unknown fault " + f);
    }
    returned.put(w, t);
    Map<String, MetricReading> readings = new LinkedHashMap<>();
    if (reading != null) {
      readings.put(METRIC, reading);
    }
    return new Observation(now, readings, Optional.of(cluster.status(w)));
  }
}
