package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import java.time.Duration;
import java.util.Locale;

/**
 * A safety step that removes at most {@code percent} % of the count per {@code period}, counted
 * from the count at the start of the period (current minus the changes applied within it), and
 * always allows removing at least {@code minPods}: the count goes no lower than {@code
 * ceil(start × (100 − percent) / 100)} or {@code start − minPods}, whichever is lower.
 *
 * @param percent the share that may go per period, in (0, 100]; default 10
 * @param period the period, in (0, 1 h]; default 60 s
 * @param minPods pods that may always go per period, &ge; 0; default 1
 */
public record GradualScaleDown(double percent, Duration period, int minPods)
    implements DecisionPolicy {
  /** Default share per period: 10 %. */
  public static final double DEFAULT_PERCENT = 10;
  /** Default period: 60 s. */
  public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(60);

  /** Validates the fields. */
  public GradualScaleDown {
    if (!(percent > 0 && percent <= 100)) {
      throw new IllegalArgumentException("percent must be in (0, 100], but was " + percent);
    }
    Durations.inRange(period, "period", Duration.ofMillis(1), Duration.ofHours(1));
    if (minPods < 0) {
      throw new IllegalArgumentException("minPods must be >= 0, but was " + minPods);
    }
  }

  /** The defaults: 10 % per 60 s, at least 1 pod. */
  public static GradualScaleDown ofDefaults() {
    return new GradualScaleDown(DEFAULT_PERCENT, DEFAULT_PERIOD, 1);
  }

  @Override
  public String name() {
    return "gradual-scale-down";
  }

  /** The past decisions this step reads: its {@code period}. */
  @Override
  public Duration memory() {
    return period;
  }

  @Override
  public Proposal apply(DecisionContext ctx, Proposal p) {
    int current = ctx.replicas().current();
    if (p.replicas() >= current) {
      return p;
    }
    long start = HpaPolicy.periodStart(ctx, current, period);
    // The lowest count that keeps the removal within percent % of start: rounded up, and with
    // the float error of (100 - percent) / 100 (1 - 0.8 is 0.19999...) kept out of the rounding.
    long byPercent = (long) Math.ceil(start * (100 - percent) / 100.0 - 1e-9);
    long lowest = Math.min(byPercent, start - minPods);
    lowest = Math.min(current, Math.max(0, lowest));
    if (p.replicas() >= lowest) {
      return p;
    }
    return p.to(name(), (int) lowest, String.format(Locale.ROOT,
        "at most %s%% (or %d pods) fewer than %d per %d s", HpaReplicaCalculator.fmt(percent),
        minPods, start, period.toSeconds()));
  }
}
