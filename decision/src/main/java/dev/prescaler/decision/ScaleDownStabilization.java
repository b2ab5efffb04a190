package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import java.time.Duration;
import java.util.Objects;

/**
 * A safety step that scales down only to the highest count proposed within the window (the HPA's
 * scale-down stabilization, applied to whatever the chain proposed so far): each tick records the
 * incoming proposal under the mark {@code <mark>} and a lower proposal is raised to the highest
 * recorded within {@code window}, but never above the current count. Until it has recorded a
 * proposal a whole {@code window} old (on a workload's first ticks, and after a restart that
 * restored no decision), the current count counts as one of them, as the HPA's first sync
 * records it: no scale-down before then. A hold, however long, forgets only the proposals that
 * aged out of the window, as the HPA does: the engine keeps its newest decision whatever its
 * age.
 *
 * @param window how far back proposals count, in [0, 1 h]; default 300 s
 * @param mark the mark key; default {@code stabilization.proposal}
 */
public record ScaleDownStabilization(Duration window, String mark) implements DecisionPolicy {
  /** Default window: 300 s. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(300);

  /** Validates the window. */
  public ScaleDownStabilization {
    Durations.inRange(window, "window", Duration.ZERO, Duration.ofHours(1));
    Objects.requireNonNull(mark, "mark");
  }

  /** A stabilization over {@code window} with the default mark. */
  public static ScaleDownStabilization of(Duration window) {
    return new ScaleDownStabilization(window, "stabilization.proposal");
  }

  @Override
  public String name() {
    return "stabilization";
  }

  /**
   * The past decisions this step reads: twice its {@code window}, so that one recorded at least
   * {@code window} ago is kept between ticks (see {@link RecentMarks#spans}).
   */
  @Override
  public Duration memory() {
    return window.multipliedBy(2);
  }

  @Override
  public Proposal apply(DecisionContext ctx, Proposal p) {
    Proposal out = p.mark(mark, p.replicas());
    int current = ctx.replicas().current();
    if (p.replicas() >= current) {
      return out;
    }
    if (!RecentMarks.spans(ctx, mark, window)) {
      return out.to(name(), current, "no proposal recorded over the last " + window.toSeconds()
          + " s yet: the current count counts as one (the HPA's first sync)");
    }
    int highest = RecentMarks.highest(ctx, mark, window, p.replicas());
    int to = Math.min(current, highest);
    if (to == p.replicas()) {
      return out;
    }
    return out.to(name(), to, "highest proposal within the last " + window.toSeconds() + " s");
  }
}
