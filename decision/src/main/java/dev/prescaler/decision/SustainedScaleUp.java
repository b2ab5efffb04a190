package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import java.time.Duration;
import java.util.Objects;

/**
 * A noise guard that lets a scale-up trigger count only once it has lasted: the incoming proposal
 * is recorded under the mark {@code <mark>}, and a rise above the current count goes only as high
 * as the lowest proposal recorded within {@code duration} (never below the current count), as the
 * HPA's scale-up stabilization window does. Until it has recorded a proposal a whole {@code
 * duration} old (on a workload's first ticks, and after a restart that restored no decision),
 * the current count counts as one of them, as the HPA's first sync records it: a rise on the
 * first tick waits as any other. A hold, however long, forgets only the proposals that aged out
 * of the window, as the HPA does: the engine keeps its newest decision whatever its age.
 *
 * @param duration how long a scale-up must be asked for, in [0, 1 h]
 * @param mark the mark key; default {@code sustained.proposal}
 */
public record SustainedScaleUp(Duration duration, String mark) implements DecisionPolicy {
  /** Validates the duration. */
  public SustainedScaleUp {
    Durations.inRange(duration, "duration", Duration.ZERO, Duration.ofHours(1));
    Objects.requireNonNull(mark, "mark");
  }

  /** A guard over {@code duration} with the default mark. */
  public static SustainedScaleUp of(Duration duration) {
    return new SustainedScaleUp(duration, "sustained.proposal");
  }

  @Override
  public String name() {
    return "sustained-scale-up";
  }

  /**
   * The past decisions this step reads: twice its {@code duration}, so that one recorded at least
   * {@code duration} ago is kept between ticks (see {@link RecentMarks#spans}).
   */
  @Override
  public Duration memory() {
    return duration.multipliedBy(2);
  }

  @Override
  public Proposal apply(DecisionContext ctx, Proposal p) {
    Proposal out = p.mark(mark, p.replicas());
    int current = ctx.replicas().current();
    if (p.replicas() <= current) {
      return out;
    }
    if (!RecentMarks.spans(ctx, mark, duration)) {
      return out.to(name(), current, "no proposal recorded over the last " + duration.toSeconds()
          + " s yet: the current count counts as one (the HPA's first sync)");
    }
    int lowest = RecentMarks.lowest(ctx, mark, duration, p.replicas());
    int to = Math.max(current, lowest);
    if (to == p.replicas()) {
      return out;
    }
    return out.to(name(), to, "lowest proposal within the last " + duration.toSeconds()
        + " s: the rise has not lasted");
  }
}
