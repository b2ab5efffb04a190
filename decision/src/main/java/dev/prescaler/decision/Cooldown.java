package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A safety step that holds the count for a while after a change: no scale-down within {@code
 * downAfterUp} of the last scale-up or within {@code downAfterDown} of the last scale-down, and no
 * scale-up within {@code upAfterAny} of any change (0 by default, so the reactive floor is never
 * delayed). Times come from {@link DecisionContext#lastScaleUp()} and {@link
 * DecisionContext#lastScaleDown()}; the window is half-open: at exactly {@code last + cooldown}
 * changes are allowed again.
 *
 * @param downAfterUp no scale-down this long after a scale-up; default 180 s
 * @param downAfterDown no scale-down this long after a scale-down; default 60 s
 * @param upAfterAny no scale-up this long after any change; default 0
 */
public record Cooldown(Duration downAfterUp, Duration downAfterDown, Duration upAfterAny)
    implements DecisionPolicy {
  /** Default hold on scale-down after a scale-up: 180 s. */
  public static final Duration DEFAULT_DOWN_AFTER_UP = Duration.ofSeconds(180);
  /** Default hold on scale-down after a scale-down: 60 s. */
  public static final Duration DEFAULT_DOWN_AFTER_DOWN = Duration.ofSeconds(60);

  /** Validates the windows, each in [0, 1 day]. */
  public Cooldown {
    Durations.inRange(downAfterUp, "downAfterUp", Duration.ZERO, Duration.ofDays(1));
    Durations.inRange(downAfterDown, "downAfterDown", Duration.ZERO, Duration.ofDays(1));
    Durations.inRange(upAfterAny, "upAfterAny", Duration.ZERO, Duration.ofDays(1));
  }

  /** The defaults: 180 s, 60 s, 0. */
  public static Cooldown ofDefaults() {
    return new Cooldown(DEFAULT_DOWN_AFTER_UP, DEFAULT_DOWN_AFTER_DOWN, Duration.ZERO);
  }

  @Override
  public String name() {
    return "cooldown";
  }

  @Override
  public Proposal apply(DecisionContext ctx, Proposal p) {
    int current = ctx.replicas().current();
    Instant now = ctx.now();
    if (p.replicas() < current) {
      Optional<Instant> until = later(ctx.lastScaleUp().map(t -> t.plus(downAfterUp)),
          ctx.lastScaleDown().map(t -> t.plus(downAfterDown)));
      if (until.isPresent() && now.isBefore(until.get())) {
        return p.to(name(), current, "no scale-down until " + until.get()
            + " (cooldown after the last change)");
      }
    } else if (p.replicas() > current && !upAfterAny.isZero()) {
      Optional<Instant> until = later(ctx.lastScaleUp().map(t -> t.plus(upAfterAny)),
          ctx.lastScaleDown().map(t -> t.plus(upAfterAny)));
      if (until.isPresent() && now.isBefore(until.get())) {
        return p.to(name(), current, "no scale-up until " + until.get()
            + " (cooldown after the last change)");
      }
    }
    return p;
  }

  private static Optional<Instant> later(Optional<Instant> a, Optional<Instant> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return Optional.of(a.get().isAfter(b.get()) ? a.get() : b.get());
  }
}
