package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Time-of-day bounds: cron-like windows that change the lowest and highest count, e.g. at least 10
 * replicas on weekdays from 08:00 to 20:00. The first window active at the context's {@code now}
 * (in the configured zone) clamps the proposal; outside every window nothing changes.
 *
 * <p>A window is written {@code DAYS HH:MM-HH:MM}: days are {@code *}, a day ({@code MON}), a
 * range ({@code MON-FRI}) or a list ({@code SAT,SUN}); the start is inclusive and the end
 * exclusive; an end before the start wraps past midnight (the day is the start's day).
 */
public final class TimeOfDayBounds implements DecisionPolicy {

  /**
   * One window.
   *
   * @param days the days it starts on
   * @param start the start time (inclusive)
   * @param end the end time (exclusive); before {@code start} wraps past midnight
   * @param min the lowest count inside the window, if any
   * @param max the highest count inside the window, if any
   * @param text the window as written
   */
  public record Window(Set<DayOfWeek> days, LocalTime start, LocalTime end,
      Optional<Integer> min, Optional<Integer> max, String text) {
    /** Validates and copies. */
    public Window {
      days = Set.copyOf(days);
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(end, "end");
      Objects.requireNonNull(min, "min");
      Objects.requireNonNull(max, "max");
      Objects.requireNonNull(text, "text");
      if (days.isEmpty()) {
        throw new IllegalArgumentException("window days must not be empty, but was " + text);
      }
      if (start.equals(end)) {
        throw new IllegalArgumentException(
            "window end must differ from its start, but was " + text);
      }
      if (min.isPresent() && min.get() < 0) {
        throw new IllegalArgumentException("window min must be >= 0, but was " + min.get());
      }
      if (max.isPresent() && max.get() < 1) {
        throw new IllegalArgumentException("window max must be >= 1, but was " + max.get());
      }
      if (min.isPresent() && max.isPresent() && max.get() < min.get()) {
        throw new IllegalArgumentException("window max must be >= min (" + min.get()
            + "), but was " + max.get());
      }
      if (min.isEmpty() && max.isEmpty()) {
        throw new IllegalArgumentException("window must set min or max, but set neither: " + text);
      }
    }

    /**
     * Parses {@code DAYS HH:MM-HH:MM}.
     *
     * @throws IllegalArgumentException naming the bad text
     */
    public static Window parse(String spec, Optional<Integer> min, Optional<Integer> max) {
      Objects.requireNonNull(spec, "spec");
      String[] parts = spec.trim().split("\\s+");
      if (parts.length != 2) {
        throw new IllegalArgumentException(
            "window must look like \"MON-FRI 08:00-20:00\", but was \"" + spec + "\"");
      }
      String[] times = parts[1].split("-", -1);
      if (times.length != 2) {
        throw new IllegalArgumentException(
            "window times must look like 08:00-20:00, but was \"" + parts[1] + "\"");
      }
      try {
        return new Window(days(parts[0], spec), LocalTime.parse(times[0]),
            LocalTime.parse(times[1]), min, max, spec.trim());
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "window times must be HH:MM, but was \"" + parts[1] + "\"", e);
      }
    }

    private static Set<DayOfWeek> days(String s, String spec) {
      if (s.equals("*")) {
        return EnumSet.allOf(DayOfWeek.class);
      }
      Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
      // Limit -1: "MON-" and "MON," keep their empty part, which day() then refuses.
      for (String item : s.split(",", -1)) {
        String[] range = item.split("-", -1);
        if (range.length == 1) {
          out.add(day(range[0], spec));
        } else if (range.length == 2) {
          DayOfWeek a = day(range[0], spec);
          DayOfWeek b = day(range[1], spec);
          for (DayOfWeek d = a; ; d = d.plus(1)) {
            out.add(d);
            if (d == b) {
              break;
            }
          }
        } else {
          throw new IllegalArgumentException("window days must be like MON-FRI, but was \""
              + item + "\" in \"" + spec + "\"");
        }
      }
      return out;
    }

    private static DayOfWeek day(String s, String spec) {
      for (DayOfWeek d : DayOfWeek.values()) {
        if (d.name().substring(0, 3).equalsIgnoreCase(s)) {
          return d;
        }
      }
      throw new IllegalArgumentException("window day must be one of MON..SUN, but was \"" + s
          + "\" in \"" + spec + "\"");
    }

    /** Whether the window covers the local date-time {@code t}. */
    public boolean covers(ZonedDateTime t) {
      LocalTime time = t.toLocalTime();
      DayOfWeek day = t.getDayOfWeek();
      if (start.isBefore(end)) {
        return days.contains(day) && !time.isBefore(start) && time.isBefore(end);
      }
      return (days.contains(day) && !time.isBefore(start))
          || (days.contains(day.minus(1)) && time.isBefore(end));
    }
  }

  private final ZoneId zone;
  private final List<Window> windows;

  private TimeOfDayBounds(ZoneId zone, List<Window> windows) {
    this.zone = zone;
    this.windows = List.copyOf(windows);
  }

  /** A builder for windows read in {@code zone}. */
  public static Builder builder(ZoneId zone) {
    return new Builder(zone);
  }

  /** The windows, in order. */
  public List<Window> windows() {
    return windows;
  }

  /** The first window active at {@code t}. */
  public Optional<Window> activeAt(java.time.Instant t) {
    ZonedDateTime local = t.atZone(zone);
    for (Window w : windows) {
      if (w.covers(local)) {
        return Optional.of(w);
      }
    }
    return Optional.empty();
  }

  @Override
  public String name() {
    return "time-of-day";
  }

  @Override
  public Proposal apply(DecisionContext ctx, Proposal p) {
    Optional<Window> w = activeAt(ctx.now());
    if (w.isEmpty()) {
      return p;
    }
    int to = p.replicas();
    Window win = w.get();
    if (win.min().isPresent() && to < win.min().get()) {
      to = win.min().get();
    }
    if (win.max().isPresent() && to > win.max().get()) {
      to = win.max().get();
    }
    if (to == p.replicas()) {
      return p;
    }
    return p.to(name(), to, String.format(Locale.ROOT, "%s %d in window %s (%s)",
        to > p.replicas() ? "min" : "max", to, win.text(), zone));
  }

  /** Builds {@link TimeOfDayBounds}. */
  public static final class Builder {
    private final ZoneId zone;
    private final List<Window> windows = new ArrayList<>();

    private Builder(ZoneId zone) {
      this.zone = Objects.requireNonNull(zone, "zone");
    }

    /** Adds a window with both bounds, e.g. {@code window("MON-FRI 08:00-20:00", 10, 50)}. */
    public Builder window(String spec, int min, int max) {
      windows.add(Window.parse(spec, Optional.of(min), Optional.of(max)));
      return this;
    }

    /** Adds a window that only raises the lowest count. */
    public Builder minWindow(String spec, int min) {
      windows.add(Window.parse(spec, Optional.of(min), Optional.empty()));
      return this;
    }

    /** Adds a window that only lowers the highest count. */
    public Builder maxWindow(String spec, int max) {
      windows.add(Window.parse(spec, Optional.empty(), Optional.of(max)));
      return this;
    }

    /** Builds the bounds; an empty list is allowed and changes nothing. */
    public TimeOfDayBounds build() {
      return new TimeOfDayBounds(zone, windows);
    }
  }
}
