package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.PastDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.IntBinaryOperator;

/**
 * The highest or lowest value a step recorded under a mark within a window before now: what
 * folding {@link DecisionContext#marks(String, Duration)} gives, without building its list of
 * entries on every decision. The time is tested before the mark is looked up: most past decisions
 * are outside the window (the HPA's scale-up window is 0 s by default).
 */
final class RecentMarks {
  private RecentMarks() {}

  /** The highest of {@code start} and the values of {@code ctx.marks(mark, window)}. */
  static int highest(DecisionContext ctx, String mark, Duration window, int start) {
    return fold(ctx, mark, window, start, Math::max);
  }

  /** The lowest of {@code start} and the values of {@code ctx.marks(mark, window)}. */
  static int lowest(DecisionContext ctx, String mark, Duration window, int start) {
    return fold(ctx, mark, window, start, Math::min);
  }

  /**
   * Whether the step has recorded {@code mark} for the whole {@code window}: a past decision
   * carrying it is at least {@code window} old (always, for a window of zero). Until then, the
   * HPA's windows hold the count the workload had at the controller's first sync as one of their
   * recommendations, and the guards that copy them hold the current count so. A tick held for
   * missing data records no proposal: a hold, however long, leaves an older proposal (the engine
   * keeps its newest decision whatever its age), and the window's proposals alone decide, as in
   * the HPA, whose recommendations age out during an outage.
   */
  static boolean spans(DecisionContext ctx, String mark, Duration window) {
    if (window.isZero()) {
      return true;
    }
    Instant by = ctx.now().minus(window);
    for (PastDecision d : ctx.recent()) {
      if (!d.time().isAfter(by) && d.marks().containsKey(mark)) {
        return true;
      }
    }
    return false;
  }

  private static int fold(DecisionContext ctx, String mark, Duration window, int start,
      IntBinaryOperator op) {
    Instant from = ctx.now().minus(window);
    List<PastDecision> recent = ctx.recent();
    int best = start;
    for (int i = 0; i < recent.size(); i++) {
      PastDecision d = recent.get(i);
      Integer v;
      if (d.time().isAfter(from) && (v = d.marks().get(mark)) != null) {
        best = op.applyAsInt(best, v);
      }
    }
    return best;
  }
}
