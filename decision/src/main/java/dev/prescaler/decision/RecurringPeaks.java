package dev.prescaler.decision;

import dev.prescaler.core.MetricSeries;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Finds a load peak that comes back at the same time every hour or every day (a cron job, a
 * nightly batch, the 09:00 report) in a metric's history, so that the policy can scale before the
 * next one, which a forecast fitted to the whole series smooths away when the peak is short or
 * its time wanders by minutes.
 *
 * <p>For a period {@code P} (one hour, looked at over the last 4 hours; one day, over the last 5
 * days), with jitter {@code J = max(step, P / 48)} (75 s, 30 min) and margin {@code B = max(5
 * steps, P / 48)} (5, 30 min): the window of period {@code k} ago is {@code [now − kP − J, now −
 * kP + lead + J]}, and its rise is the window's highest load minus the highest load of the
 * {@code B} before it, or minus the lowest load of the {@code B} after it when that is higher: a
 * peak rises above what came before and comes back down within {@code B}, while noise, whose
 * highest value is about as high before the window as in it, and a daily ramp, which does not
 * come back down, hardly rise at all. The peak recurs when every one of those periods rose by at
 * least the threshold: the larger of the given noise, 10 % of today's level (the highest load of
 * {@code [now − J − B, now − J)}) and 10 % of the highest load of the last period (one more
 * mention on a quiet night is not a peak of a series that reaches fifty), and the peak must be
 * rare: over the last period, the load was above {@code level + rise / 2} for at most as many
 * steps as today's window holds (a series with peaks at every hour of the day has one in every
 * window, but none that recurs). The load to plan for is that level plus the smallest rise, so
 * a peak that was missing or smaller on one of the days does not count or counts at its
 * smallest. Five days rather than three because noise that
 * happens to rise in the same hour-long window three days running is not rare on bursty series;
 * the price is that a job which skips weekends is not found (a weekly period needs more history
 * than the engine's 7 days).
 *
 * <p>Days are days of a zone (UTC unless given): the window of {@code k} days ago is around the
 * same local time {@code k} days before {@code now} in it ({@link
 * java.time.ZonedDateTime#minusDays(long)}), so a job that runs at 09:00 local time is found
 * across a daylight-saving change, when it moves by an hour in UTC (more than the jitter). A
 * local time that does not exist on that day (in the gap of a change forward) is taken one gap
 * later, as {@code java.time} does; in the overlap of a change back, the earlier of the two
 * (where a nightly job at 01:30 ran, once or first). Hours are hours of the instant line.
 *
 * <p>Needs the history to reach back {@code 4 P}/{@code 5 P} plus {@code J + B}, and a period of
 * at least 12 history steps; missing steps are skipped, and a margin more than half missing gives
 * no answer. Stateless.
 */
final class RecurringPeaks {
  /** The least rise that counts, relative to today's level and to the period's highest: 10 %. */
  static final double MIN_RELATIVE_RISE = 0.10;

  private static final Duration[] PERIODS = {Duration.ofHours(1), Duration.ofDays(1)};
  private static final int[] REPEATS = {4, 5};
  private static final String[] NAMES = {"hour", "day"};

  /**
   * A recurring peak.
   *
   * @param load the load to plan for: today's level plus the smallest rise
   * @param level today's level
   * @param rise the smallest rise of the periods looked at
   * @param repeats how many periods were looked at
   * @param period "hour" or "day"
   */
  record Peak(double load, double level, double rise, int repeats, String period) {}

  private RecurringPeaks() {}

  /**
   * The highest recurring peak over {@code [now, now + lead]}, or null when none: no period whose
   * every recent repetition rose by at least the threshold (see the class documentation).
   */
  static Peak find(MetricSeries history, Instant now, Duration lead, double noise) {
    return find(history, now, lead, noise, ZoneOffset.UTC);
  }

  /**
   * The same, with the days of {@code zone}: the daily windows are around the local time of
   * {@code now} on each of the days before.
   */
  static Peak find(MetricSeries history, Instant now, Duration lead, double noise,
      ZoneId zone) {
    if (history == null || history.isEmpty()) {
      return null;
    }
    long step = history.step().toMillis();
    long t = now.toEpochMilli();
    Peak best = null;
    for (int k = 0; k < PERIODS.length; k++) {
      long p = PERIODS[k].toMillis();
      if (p < 12 * step) {
        continue; // a period of fewer than 12 steps has no shape to find a peak in
      }
      long jitter = Math.max(step, p / 48);
      int margin = (int) Math.max(5, Math.ceil(p / 48.0 / step));
      if (index(history, ago(now, k, REPEATS[k], zone) - jitter) - margin < 0) {
        continue; // not enough history
      }
      // today's margin ends at now - J, or where the history ends when metrics come later
      long levelEnd = Math.min(index(history, t - jitter), history.size());
      double level = highest(history, levelEnd - margin, margin);
      if (Double.isNaN(level)) {
        continue;
      }
      double threshold = Math.max(noise, MIN_RELATIVE_RISE * Math.abs(level));
      double rise = Double.POSITIVE_INFINITY;
      for (int j = 1; j <= REPEATS[k] && rise >= threshold; j++) {
        long at = ago(now, k, j, zone);
        long from = index(history, at - jitter);
        long to = index(history, at + lead.toMillis() + jitter);
        double peak = highest(history, from, (int) (to - from + 1));
        double before = highest(history, from - margin, margin);
        double sides = Math.max(before, lowest(history, to + 1, margin));
        rise = Double.isNaN(peak) || Double.isNaN(sides) ? Double.NaN
            : Math.min(rise, peak - sides);
      }
      if (rise >= threshold) {
        // and a tenth of the highest load of the last period, and rare in it: above level +
        // rise / 2 for at most the window's length (a series with peaks at every hour of
        // the day has one in every window, but none that recurs)
        int steps = (int) (p / step);
        long first = history.size() - steps;
        double top = highest(history, first, steps);
        long window = index(history, t + lead.toMillis() + jitter)
            - index(history, t - jitter) + 1;
        if (!(rise >= MIN_RELATIVE_RISE * Math.abs(top))
            || above(history, first, steps, level + rise / 2) > window) {
          rise = Double.NaN;
        }
      }
      if (rise >= threshold && (best == null || level + rise > best.load())) {
        best = new Peak(level + rise, level, rise, REPEATS[k], NAMES[k]);
      }
    }
    return best;
  }

  /**
   * The epoch milli {@code j} periods of kind {@code k} before {@code now}: hours on the instant
   * line, days at the same local time in {@code zone}.
   */
  private static long ago(Instant now, int k, int j, ZoneId zone) {
    if (k == 0) {
      return now.toEpochMilli() - j * PERIODS[0].toMillis();
    }
    // In the overlap of a change back the earlier of the two, the first time that local time
    // came: a job run once that night (cron) ran then, and one run twice began then.
    return now.atZone(zone).minusDays(j).withEarlierOffsetAtOverlap().toInstant()
        .toEpochMilli();
  }

  /** The step holding {@code t} (negative before the history's start). */
  private static long index(MetricSeries h, long t) {
    return Math.floorDiv(t - h.start().toEpochMilli(), h.step().toMillis());
  }

  /**
   * The highest present value of the {@code count} steps from {@code first}; NaN when more than
   * half of them are missing or outside the history.
   */
  private static double highest(MetricSeries h, long first, int count) {
    return extreme(h, first, count, 1);
  }

  /** The lowest present value, as {@link #highest}. */
  private static double lowest(MetricSeries h, long first, int count) {
    return extreme(h, first, count, -1);
  }

  /** How many of the {@code count} steps from {@code first} are above {@code x}. */
  private static int above(MetricSeries h, long first, int count, double x) {
    int n = 0;
    for (long i = Math.max(0, first); i < Math.min(first + count, h.size()); i++) {
      if (h.value((int) i) > x) {
        n++;
      }
    }
    return n;
  }

  private static double extreme(MetricSeries h, long first, int count, int sign) {
    double m = Double.NaN;
    int present = 0;
    for (long i = Math.max(0, first); i < Math.min(first + count, h.size()); i++) {
      double v = h.value((int) i);
      if (!Double.isNaN(v)) {
        present++;
        m = present == 1 || sign * (v - m) > 0 ? v : m;
      }
    }
    return 2 * present < count ? Double.NaN : m;
  }
}
