package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.Proposal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
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
 *
 * <p>Each window happens once on each of its days, as an interval of instants: from its start
 * time on that day to its end time on the same day, or on the next when it wraps, each read on
 * the clock in the zone. So it ends at its end time on the clock also across a daylight-saving
 * change, and lasts that much longer or shorter: in Europe/Berlin, {@code SAT 22:00-06:00} lasts
 * 9 h on the night the clocks go back (2026-10-25, when 02:00–03:00 comes twice) and 7 h on the
 * night they go forward (2026-03-29). Both times are resolved as
 * {@link ZonedDateTime#of(LocalDate, LocalTime, ZoneId)} does: a time in the repeated hour is its
 * first occurrence (the earlier offset), so {@code * 22:00-02:30} ends at 02:30 CEST on
 * 2026-10-25 and is not on again at 02:15 CET; a time in a spring-forward gap moves later by the
 * gap's length ({@code * 02:30-04:00} runs from 03:30 to 04:00 CEST on 2026-03-29). A window
 * whose end, so resolved, is not after its start does not happen that day: {@code * 02:30-03:15}
 * would run from 03:30 to 03:15 CEST on 2026-03-29, so it is off all that day. The other way
 * round, a window off for less than the gap after its end ({@code * 03:15-02:30}) does not go off
 * on that day: the previous day's occurrence ends at 03:30 CEST, after the next one started.
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

    /**
     * Whether the window covers the instant of {@code t}, read in {@code t}'s zone: whether one
     * of its occurrences (from its start on one of its days to its end on that day, or the next
     * when it wraps) contains it.
     */
    public boolean covers(ZonedDateTime t) {
      Instant at = t.toInstant();
      ZoneId zone = t.getZone();
      LocalDate today = t.toLocalDate();
      // An occurrence ends on its day or the next, but a gap can move its end a day later (as
      // Samoa skipped 2011-12-30), and when the clocks go back across midnight an instant read
      // as today can come after tomorrow's first minutes: look a little further either way.
      for (LocalDate d = today.minusDays(2); !d.isAfter(today.plusDays(1)); d = d.plusDays(1)) {
        if (days.contains(d.getDayOfWeek())) {
          Instant from = ZonedDateTime.of(d, start, zone).toInstant();
          LocalDate endDay = start.isBefore(end) ? d : d.plusDays(1);
          Instant to = ZonedDateTime.of(endDay, end, zone).toInstant();
          if (!at.isBefore(from) && at.isBefore(to)) {
            return true;
          }
        }
      }
      return false;
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
  public Optional<Window> activeAt(Instant t) {
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
