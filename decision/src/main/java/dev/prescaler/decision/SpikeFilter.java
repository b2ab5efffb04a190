package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A noise guard on the live input: a Hampel filter that replaces a metric's current load by the
 * median of its recent history when it lies more than {@code threshold} robust standard deviations
 * from it, then runs the guarded policy on the filtered context.
 *
 * <p>Over the history steps within {@code window} before now (at least {@code minPoints} present
 * values), with median {@code m} and median absolute deviation {@code MAD}, the scale is {@code σ =
 * max(1.4826 × MAD, minRelativeScale × |m|)}; a load {@code x} with {@code |x − m| > threshold × σ}
 * is a spike. {@link Direction} limits which spikes are filtered. The reason says which metric was
 * replaced and by what. Pure and thread-safe.
 */
public final class SpikeFilter {
  /** Default window: 10 minutes of history. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
  /** Default threshold: 3 robust standard deviations. */
  public static final double DEFAULT_THRESHOLD = 3.0;
  /** Default minimum number of history values: 5. */
  public static final int DEFAULT_MIN_POINTS = 5;
  /** Default floor of the scale relative to the median: 0.05. */
  public static final double DEFAULT_MIN_RELATIVE_SCALE = 0.05;

  /** Which spikes are filtered. */
  public enum Direction {
    /** Spikes up and down. */
    BOTH,
    /** Only spikes above the median (they would scale up). */
    UP,
    /** Only dips below the median (they would scale down). */
    DOWN
  }

  private final Duration window;
  private final double threshold;
  private final int minPoints;
  private final double minRelativeScale;
  private final Direction direction;

  private SpikeFilter(Builder b) {
    this.window = b.window;
    this.threshold = b.threshold;
    this.minPoints = b.minPoints;
    this.minRelativeScale = b.minRelativeScale;
    this.direction = b.direction;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The filter with the defaults. */
  public static SpikeFilter ofDefaults() {
    return builder().build();
  }

  /**
   * A policy that runs {@code inner} on the context with spikes replaced. Its {@link
   * DecisionPolicy#memory()} is {@code inner}'s: the filter reads histories, not past decisions.
   * It passes {@link DecisionPolicy#unregistered(WorkloadRef)} on to {@code inner}, and answers
   * {@link DecisionPolicy#pinned} with {@code inner}'s pin.
   */
  public DecisionPolicy guard(DecisionPolicy inner) {
    Objects.requireNonNull(inner, "inner");
    return new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext ctx, Proposal proposal) {
        List<String> notes = new ArrayList<>();
        DecisionContext filtered = filter(ctx, notes);
        Proposal p = proposal;
        for (String n : notes) {
          p = p.note("spike-filter", n);
        }
        return inner.apply(filtered, p);
      }

      @Override
      public String name() {
        return "spike-filter(" + inner.name() + ")";
      }

      @Override
      public Duration memory() {
        return inner.memory();
      }

      @Override
      public double riskQuantile(WorkloadSpec spec) {
        return inner.riskQuantile(spec);
      }

      @Override
      public void unregistered(WorkloadRef workload) {
        inner.unregistered(workload);
      }

      @Override
      public Optional<Pin> pinned(WorkloadRef workload, Instant now) {
        return inner.pinned(workload, now);
      }
    };
  }

  /** The context with every spiking load replaced by its median; {@code notes} gets why. */
  public DecisionContext filter(DecisionContext ctx, List<String> notes) {
    Map<String, Double> loads = null; // copied at the first spike: most ticks have none
    Map<String, Double> readings = null;
    for (MetricTarget m : ctx.spec().metrics()) {
      Double x = ctx.loads().get(m.name());
      MetricSeries h = ctx.histories().get(m.name());
      if (x == null || h == null) {
        continue;
      }
      double[] values = recent(h, ctx.now());
      if (values.length < minPoints) {
        continue;
      }
      double median = medianInPlace(values);
      double[] dev = new double[values.length];
      for (int i = 0; i < values.length; i++) {
        dev[i] = Math.abs(values[i] - median);
      }
      double sigma = Math.max(1.4826 * medianInPlace(dev), minRelativeScale * Math.abs(median));
      double d = x - median;
      boolean spike = Math.abs(d) > threshold * sigma && sigma > 0
          && (direction == Direction.BOTH || (direction == Direction.UP) == (d > 0));
      if (spike) {
        if (loads == null) {
          loads = new LinkedHashMap<>(ctx.loads());
          readings = new LinkedHashMap<>(ctx.readings());
        }
        loads.put(m.name(), median);
        int ready = ctx.replicas().ready();
        double reading = m.type() == MetricTarget.Type.UTILIZATION
            ? (ready > 0 ? median / ready * 100.0 : readings.getOrDefault(m.name(), 0.0))
            : median;
        readings.put(m.name(), reading);
        // "%s: load %.3f is a spike (median %.3f, scale %.3f over %d values): using the median"
        StringBuilder note = new StringBuilder(128).append(m.name()).append(": load ");
        Decimals.appendFixed3(note, x).append(" is a spike (median ");
        Decimals.appendFixed3(note, median).append(", scale ");
        Decimals.appendFixed3(note, sigma).append(" over ").append(values.length)
            .append(" values): using the median");
        notes.add(note.toString());
      }
    }
    if (loads == null) {
      return ctx;
    }
    return new DecisionContext(ctx.spec(), ctx.now(), ctx.replicas(), readings, loads,
        ctx.sampleTime(), ctx.histories(), ctx.forecasts(), ctx.recent(), ctx.lastScaleUp(),
        ctx.lastScaleDown(), ctx.startupDelay(), ctx.startupDelayMeasured(),
        ctx.metricsDelay(), ctx.syncPeriod());
  }

  /**
   * The present values of the history steps starting within {@code window} before {@code now}
   * (and any after it), newest first: only the tail of the series is read.
   */
  private double[] recent(MetricSeries h, Instant now) {
    Instant from = now.minus(window);
    int first = h.size();
    int present = 0;
    while (first > 0 && !h.timeOf(first - 1).isBefore(from)) {
      first--;
      if (!Double.isNaN(h.value(first))) {
        present++;
      }
    }
    double[] out = new double[present];
    int n = 0;
    for (int i = h.size() - 1; i >= first; i--) {
      double v = h.value(i);
      if (!Double.isNaN(v)) {
        out[n++] = v;
      }
    }
    return out;
  }

  /** The median of {@code values}, which it sorts. */
  private static double medianInPlace(double[] s) {
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** Builds a {@link SpikeFilter}; setters validate at once. */
  public static final class Builder {
    private Duration window = DEFAULT_WINDOW;
    private double threshold = DEFAULT_THRESHOLD;
    private int minPoints = DEFAULT_MIN_POINTS;
    private double minRelativeScale = DEFAULT_MIN_RELATIVE_SCALE;
    private Direction direction = Direction.BOTH;

    private Builder() {}

    /** How much history the median covers, in [1 min, 1 day]; default 10 minutes. */
    public Builder window(Duration window) {
      this.window = Durations.inRange(window, "window", Duration.ofMinutes(1), Duration.ofDays(1));
      return this;
    }

    /** Robust standard deviations beyond which a value is a spike, in [1, 100]; default 3. */
    public Builder threshold(double threshold) {
      this.threshold = Durations.inRange(threshold, "threshold", 1, 100);
      return this;
    }

    /** Present history values needed before filtering, in [3, 10000]; default 5. */
    public Builder minPoints(int minPoints) {
      if (minPoints < 3 || minPoints > 10_000) {
        throw new IllegalArgumentException("minPoints must be in [3, 10000], but was " + minPoints);
      }
      this.minPoints = minPoints;
      return this;
    }

    /** Floor of the scale as a share of the median, in [0, 1]; default 0.05. */
    public Builder minRelativeScale(double share) {
      this.minRelativeScale = Durations.inRange(share, "minRelativeScale", 0, 1);
      return this;
    }

    /** Which spikes are filtered; default both. */
    public Builder direction(Direction direction) {
      this.direction = Objects.requireNonNull(direction, "direction");
      return this;
    }

    /** Builds the filter. */
    public SpikeFilter build() {
      return new SpikeFilter(this);
    }
  }
}
