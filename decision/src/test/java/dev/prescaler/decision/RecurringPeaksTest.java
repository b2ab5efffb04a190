package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.prescaler.core.MetricSeries;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class RecurringPeaksTest {
  private static final Duration STEP = Duration.ofSeconds(60);
  private static final Duration LEAD = Duration.ofSeconds(195);
  private static final Instant MIDNIGHT = Instant.parse("2026-01-05T00:00:00Z");
  /** Now in the hourly-job cases: 12:06, two minutes before the job's next run. */
  private static final Instant CRON_NOW = MIDNIGHT.plus(Duration.ofHours(12).plusMinutes(6));
  /** Start of the hourly-job histories: 07:00, five hours before. */
  private static final Instant CRON_START = MIDNIGHT.plus(Duration.ofHours(7));

  /** One-minute history over {@code [start, end)}; value of minute {@code i} after start. */
  private static MetricSeries history(Instant start, Instant end, IntToDoubleFunction value) {
    int n = (int) Duration.between(start, end).toMinutes();
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = value.applyAsDouble(i);
    }
    return MetricSeries.of(start, STEP, v);
  }

  /** Level 100, a cron job lifting it to 160 from minute 8 to 11 of every hour but {@code skip}. */
  private static MetricSeries hourlyCron(Instant start, Instant end, int skipHour) {
    return history(start, end, i -> {
      Instant t = start.plus(STEP.multipliedBy(i));
      long minute = t.getEpochSecond() / 60 % 60;
      long hour = t.getEpochSecond() / 3600 % 24;
      return hour != skipHour && minute >= 8 && minute < 12 ? 160 : 100;
    });
  }

  /** {@link #hourlyCron(Instant, Instant, int)} from 07:00 to a minute before {@code CRON_NOW}. */
  private static MetricSeries hourlyCron(int skipHour) {
    return hourlyCron(CRON_START, CRON_NOW.minusSeconds(60), skipHour);
  }

  @Test
  void findsAnHourlyCronJobBeforeItStarts() {
    Instant now = CRON_NOW;
    // 5 hours of history ending one minute ago (the metrics delay); no hour skipped
    MetricSeries h = hourlyCron(-1);
    RecurringPeaks.Peak p = RecurringPeaks.find(h, now, LEAD, 5);
    assertThat(p).isEqualTo(new RecurringPeaks.Peak(160, 100, 60, 4, "hour"));
  }

  @Test
  void aPeakMissingFromOneOfTheLastFourHoursDoesNotCount() {
    Instant now = CRON_NOW;
    MetricSeries h = hourlyCron(9);
    assertThat(RecurringPeaks.find(h, now, LEAD, 5)).isNull();
  }

  @Test
  void outsideThePeaksWindowThereIsNone() {
    // At :30 the window (+/- 75 s around the next 195 s) holds no cron minute
    Instant now = MIDNIGHT.plus(Duration.ofHours(12).plusMinutes(30));
    MetricSeries h = hourlyCron(CRON_START, now.minusSeconds(60), -1);
    assertThat(RecurringPeaks.find(h, now, LEAD, 5)).isNull();
  }

  @Test
  void peaksEveryTenMinutesDoNotRecurAtAnyHour() {
    // 200 at minutes 7 and 8 of every ten: each hourly window holds one, but the load is that
    // high for 12 steps of the last hour, more than the window's 7
    Instant now = CRON_NOW;
    Instant start = CRON_START;
    MetricSeries every10 = history(start, now.minusSeconds(60),
        i -> i % 10 == 7 || i % 10 == 8 ? 200 : 100);
    assertThat(RecurringPeaks.find(every10, now, LEAD, 5)).isNull();
    // the same peak at minutes 7 and 8 of each hour only is a recurring one
    MetricSeries hourly = history(start, now.minusSeconds(60),
        i -> i % 60 == 7 || i % 60 == 8 ? 200 : 100);
    assertThat(RecurringPeaks.find(hourly, now, LEAD, 5))
        .isEqualTo(new RecurringPeaks.Peak(200, 100, 100, 4, "hour"));
  }

  @Test
  void aLaterHistoryEndStillGivesTodaysLevel() {
    // Metrics 5 minutes late: the history ends at 12:01, before the 5 minutes before now - 75 s
    Instant now = CRON_NOW;
    MetricSeries h = hourlyCron(CRON_START, now.minusSeconds(300), -1);
    assertThat(RecurringPeaks.find(h, now, LEAD, 5))
        .isEqualTo(new RecurringPeaks.Peak(160, 100, 60, 4, "hour"));
  }

  @Test
  void aRiseBelowTheNoiseOrTenPercentOfTheLevelDoesNotCount() {
    Instant now = CRON_NOW;
    MetricSeries h = hourlyCron(-1);
    // the rise is 60: more noise than that hides it
    assertThat(RecurringPeaks.find(h, now, LEAD, 61)).isNull();
    assertThat(RecurringPeaks.find(h, now, LEAD, 60)).isNotNull();
    // a rise of 9 on a level of 100 is under 10 %
    MetricSeries small = history(h.start(), h.end(),
        i -> h.value(i) == 160 ? 109 : 100);
    assertThat(RecurringPeaks.find(small, now, LEAD, 0)).isNull();
    // a rise of 12 is a peak, unless the last hour reached 200 (at 11:40, outside every window)
    MetricSeries twelve = history(h.start(), h.end(), i -> h.value(i) == 160 ? 112 : 100);
    assertThat(RecurringPeaks.find(twelve, now, LEAD, 0)).isNotNull();
    Instant burst = MIDNIGHT.plus(Duration.ofHours(11).plusMinutes(40));
    MetricSeries burstLastHour = history(h.start(), h.end(),
        i -> h.timeOf(i).equals(burst) ? 200 : twelve.value(i));
    assertThat(RecurringPeaks.find(burstLastHour, now, LEAD, 0)).isNull();
  }

  @Test
  void needsFourHoursOfHistoryForAnHourlyPeak() {
    Instant now = CRON_NOW;
    // 3 h 59 min: the fourth hour's baseline starts before the history
    MetricSeries h = hourlyCron(now.minus(Duration.ofHours(4)).plusSeconds(60),
        now.minusSeconds(60), -1);
    assertThat(RecurringPeaks.find(h, now, LEAD, 5)).isNull();
  }

  @Test
  void findsADailyBatchWhoseStartWandersByHalfAnHour() {
    // Level 50; a batch lifts it to 110, 100, 90, 120 and 95 (5 days ago .. yesterday) for 10 min
    // from 03:00 shifted by -20, 0, +10, -5 and +5 minutes.
    int[] shift = {-20, 0, 10, -5, 5};
    double[] top = {110, 100, 90, 120, 95};
    Instant start = MIDNIGHT.minus(Duration.ofDays(5)).minus(Duration.ofHours(2));
    Instant now = MIDNIGHT.plus(Duration.ofHours(2).plusMinutes(50));
    MetricSeries h = history(start, now.minusSeconds(60), i -> {
      Instant t = start.plus(STEP.multipliedBy(i));
      for (int d = 0; d < 5; d++) {
        Instant batch = MIDNIGHT.minus(Duration.ofDays(5 - d)).plus(Duration.ofHours(3))
            .plus(Duration.ofMinutes(shift[d]));
        if (!t.isBefore(batch) && t.isBefore(batch.plus(Duration.ofMinutes(10)))) {
          return top[d];
        }
      }
      return 50;
    });
    // The smallest of the five rises counts: 40, three days ago
    assertThat(RecurringPeaks.find(h, now, LEAD, 5))
        .isEqualTo(new RecurringPeaks.Peak(90, 50, 40, 5, "day"));
    // With only the last four days of history there is no answer
    MetricSeries four = history(MIDNIGHT.minus(Duration.ofDays(4)), h.end(),
        i -> h.value(i + 24 * 60 + 120));
    assertThat(RecurringPeaks.find(four, now, LEAD, 5)).isNull();
    // Three hours later the window holds no batch
    Instant later = now.plus(Duration.ofHours(3));
    MetricSeries h2 = history(start, later.minusSeconds(60),
        i -> i < h.size() ? h.value(i) : 50);
    assertThat(RecurringPeaks.find(h2, later, LEAD, 5)).isNull();
  }

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  /**
   * One-minute history from {@code start} to a minute before {@code now}: 100, and 300 from
   * 09:00 to 09:20 Berlin time every day.
   */
  private static MetricSeries nineOClockInBerlin(Instant start, Instant now) {
    return history(start, now.minusSeconds(60), i -> {
      LocalTime t = start.plus(STEP.multipliedBy(i)).atZone(BERLIN).toLocalTime();
      return !t.isBefore(LocalTime.of(9, 0)) && t.isBefore(LocalTime.of(9, 20)) ? 300 : 100;
    });
  }

  /** Two minutes before the 09:00 Berlin job of {@code day}, as an instant. */
  private static Instant beforeNine(LocalDate day) {
    return ZonedDateTime.of(day, LocalTime.of(8, 58), BERLIN).toInstant();
  }

  /**
   * The review's case: a daily job at 09:00 Berlin time, history from a week before the change
   * to summer time (2026-03-29). In UTC days the job moved by an hour that day, beyond the 30
   * minutes of jitter: two minutes before it (06:58Z) nothing was found, after it (07:58Z) a
   * peak of 500 (1.67 × the highest load ever seen: a rise measured against the job itself),
   * and the job was missed on 03-30 and 04-02. With the days of Berlin, the windows are at the
   * same local time on each day before: found before every run, nothing after it.
   */
  @Test
  void aDailyJobInLocalTimeIsFoundAcrossTheChangeToSummerTime() {
    Instant start = Instant.parse("2026-03-22T00:00:00Z");
    RecurringPeaks.Peak job = new RecurringPeaks.Peak(300, 100, 200, 5, "day");
    for (String day : new String[] {"2026-03-29", "2026-03-30", "2026-04-02", "2026-04-03"}) {
      Instant now = beforeNine(LocalDate.parse(day));
      assertThat(RecurringPeaks.find(nineOClockInBerlin(start, now), now, LEAD, 5, BERLIN))
          .as(day).isEqualTo(job);
      Instant after = now.plus(Duration.ofHours(1));
      assertThat(RecurringPeaks.find(nineOClockInBerlin(start, after), after, LEAD, 5, BERLIN))
          .as("an hour later on %s", day).isNull();
    }
    Instant dst = Instant.parse("2026-03-29T06:58:00Z");
    assertThat(dst).isEqualTo(beforeNine(LocalDate.parse("2026-03-29")));
    // In UTC days (the default), as before: missed before the job, a wrong peak after it.
    assertThat(RecurringPeaks.find(nineOClockInBerlin(start, dst), dst, LEAD, 5)).isNull();
    assertThat(RecurringPeaks.find(nineOClockInBerlin(start, dst), dst, LEAD, 5,
        ZoneOffset.UTC)).isNull();
  }

  /** The same around the change back to winter time (2026-10-25), when the job moves later. */
  @Test
  void aDailyJobInLocalTimeIsFoundAcrossTheChangeToWinterTime() {
    Instant start = Instant.parse("2026-10-18T00:00:00Z");
    RecurringPeaks.Peak job = new RecurringPeaks.Peak(300, 100, 200, 5, "day");
    for (String day : new String[] {"2026-10-25", "2026-10-26", "2026-10-29", "2026-10-30"}) {
      Instant now = beforeNine(LocalDate.parse(day));
      assertThat(RecurringPeaks.find(nineOClockInBerlin(start, now), now, LEAD, 5, BERLIN))
          .as(day).isEqualTo(job);
      Instant early = now.minus(Duration.ofHours(1));
      assertThat(RecurringPeaks.find(nineOClockInBerlin(start, early), early, LEAD, 5, BERLIN))
          .as("an hour earlier on %s", day).isNull();
    }
  }

  /**
   * A nightly job at 02:30 Berlin on the night 02:00-03:00 comes twice (2026-10-25), run once, at
   * the first 02:30 (as cron runs it). The window of that day was put at the second 02:30, so the
   * job was missed on the five days after.
   */
  @Test
  void aNightlyJobInTheHourRepeatedAtTheChangeToWinterTimeIsFoundTheDaysAfter() {
    Instant start = Instant.parse("2026-10-18T00:00:00Z");
    RecurringPeaks.Peak job = new RecurringPeaks.Peak(300, 100, 200, 5, "day");
    for (String day : new String[] {"2026-10-26", "2026-10-27", "2026-10-30"}) {
      Instant now = ZonedDateTime.of(LocalDate.parse(day), LocalTime.of(2, 28), BERLIN)
          .toInstant();
      MetricSeries h = history(start, now.minusSeconds(60), i -> {
        ZonedDateTime z = start.plus(STEP.multipliedBy(i)).atZone(BERLIN);
        LocalTime t = z.toLocalTime();
        boolean first = z.getOffset().equals(z.withEarlierOffsetAtOverlap().getOffset());
        return first && !t.isBefore(LocalTime.of(2, 30)) && t.isBefore(LocalTime.of(2, 50))
            ? 300 : 100;
      });
      assertThat(RecurringPeaks.find(h, now, LEAD, 5, BERLIN)).as(day).isEqualTo(job);
    }
  }

  /** The policy takes the zone from its builder: UTC unless set, and null is refused. */
  @Test
  void thePolicyTakesTheZoneFromItsBuilder() {
    assertThat(PredictivePolicy.ofDefaults().toString()).contains("recurringPeaksZone=Z");
    PredictivePolicy berlin = PredictivePolicy.builder().recurringPeaksZone(BERLIN).build();
    assertThat(berlin.toBuilder().build().toString())
        .contains("recurringPeaksZone=Europe/Berlin");
    assertThatThrownBy(() -> PredictivePolicy.builder().recurringPeaksZone(null))
        .isInstanceOf(NullPointerException.class).hasMessage("recurringPeaksZone");
  }

  @Test
  void aDailyStepUpThatStaysUpIsNotAPeak() {
    // 50 until 03:00, 100 from then until midnight, every day: the load rises in the window but
    // does not come back down after it, so a forecast of the level is the right plan, not a peak.
    Instant start = MIDNIGHT.minus(Duration.ofDays(6));
    Instant now = MIDNIGHT.plus(Duration.ofHours(2).plusMinutes(50));
    MetricSeries h = history(start, now.minusSeconds(60),
        i -> (i % (24 * 60)) >= 3 * 60 ? 100 : 50);
    assertThat(RecurringPeaks.find(h, now, LEAD, 5)).isNull();
    // The same step, back down to 50 at 03:20 each day, is one
    MetricSeries peak = history(start, now.minusSeconds(60),
        i -> (i % (24 * 60)) >= 3 * 60 && (i % (24 * 60)) < 3 * 60 + 20 ? 100 : 50);
    assertThat(RecurringPeaks.find(peak, now, LEAD, 5))
        .isEqualTo(new RecurringPeaks.Peak(100, 50, 50, 5, "day"));
  }

  @Test
  void aBaselineMostlyMissingGivesNoAnswer() {
    Instant now = CRON_NOW;
    MetricSeries full = hourlyCron(-1);
    // today's baseline (the 5 minutes before now - 75 s) with 3 of its 5 or 6 steps missing
    Instant gapFrom = now.minusSeconds(75 + 300);
    MetricSeries gappy = history(full.start(), full.end(), i -> {
      Instant t = full.timeOf(i);
      return !t.isBefore(gapFrom.plusSeconds(60)) && t.isBefore(gapFrom.plusSeconds(240))
          ? Double.NaN : full.value(i);
    });
    assertThat(RecurringPeaks.find(gappy, now, LEAD, 5)).isNull();
    assertThat(RecurringPeaks.find(null, now, LEAD, 5)).isNull();
    assertThat(RecurringPeaks.find(MetricSeries.of(now, STEP), now, LEAD, 5)).isNull();
  }

  /**
   * Multiplying the load and the noise by a power of two (exact in floating point) multiplies the
   * answer by it (a unit or a scale can not make noise a peak); a rise is never below the
   * threshold nor above the history's range, and the level lies inside that range. A third of
   * the histories hold an hourly cron job starting a few minutes after now, a third a daily job
   * at a local time of UTC, Berlin or New York (the days of that zone, over dates around the
   * daylight-saving changes of 2026), with now a few minutes before its run and 5 days of
   * history or more; the rest none. Both periods must be found often enough (about three in
   * four hourly jobs and nearly every daily one are), or the generator would not test them.
   */
  @Test
  void theAnswerScalesWithTheLoadAndStaysInsideTheHistory() {
    ZoneId[] zones = {ZoneOffset.UTC, BERLIN, ZoneId.of("America/New_York")};
    AtomicInteger hourly = new AtomicInteger();
    AtomicInteger daily = new AtomicInteger();
    AtomicInteger dailyJobs = new AtomicInteger();
    AtomicInteger hourlyJobs = new AtomicInteger();
    qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      int kind = r.nextInt(3); // 0: none, 1: an hourly cron job, 2: a daily job
      ZoneId zone = zones[r.nextInt(zones.length)];
      double level = 1 + r.nextDouble() * 1000;
      double noise = r.nextDouble() * level * 0.1;
      Instant now;
      Instant start;
      LocalTime job = LocalTime.of(r.nextInt(24), r.nextInt(60));
      int jobMinutes = 10 + r.nextInt(21);
      double jobLoad = kind == 2 ? level * (0.5 + r.nextDouble()) : 0;
      if (kind == 2) {
        dailyJobs.incrementAndGet();
        LocalDate day = LocalDate.of(2026, 3, 20).plusDays(r.nextInt(230));
        now = ZonedDateTime.of(day, job, zone).toInstant().minusSeconds(60L * (1 + r.nextInt(3)));
        start = now.minus(Duration.ofDays(5).plusHours(2 + r.nextInt(40)));
      } else {
        now = MIDNIGHT.plus(Duration.ofMinutes(r.nextInt(3 * 24 * 60)));
        start = now.minus(Duration.ofHours(4 + r.nextInt(24 * 6)));
      }
      // an hourly job starts 2 or 3 minutes after now, a minute of the hour at random otherwise
      int cronMinute = kind == 1 ? (int) ((now.getEpochSecond() / 60 + 2 + r.nextInt(2)) % 60)
          : r.nextInt(60);
      double cron = kind == 1 ? level * r.nextDouble() : 0;
      if (kind == 1) {
        hourlyJobs.incrementAndGet();
      }
      MetricSeries h = history(start, now.minusSeconds(60), i -> {
        if (r.nextInt(50) == 0) {
          return Double.NaN;
        }
        Instant t = start.plusSeconds(60L * i);
        long minute = t.getEpochSecond() / 60 % 60;
        double bump = Math.abs(minute - cronMinute) < 3 ? cron : 0;
        LocalTime local = t.atZone(zone).toLocalTime();
        long since = Duration.between(job, local).toMinutes();
        if (since >= 0 && since < jobMinutes) {
          bump += jobLoad;
        }
        return level + bump + r.nextGaussian() * noise;
      });
      double threshold = r.nextDouble() * level * 0.3;
      RecurringPeaks.Peak p = RecurringPeaks.find(h, now, LEAD, threshold, zone);
      int k = r.nextInt(20) - 10;
      double c = Math.scalb(1.0, k);
      MetricSeries scaled = history(start, now.minusSeconds(60), i -> h.value(i) * c);
      RecurringPeaks.Peak q = RecurringPeaks.find(scaled, now, LEAD, threshold * c, zone);
      if (p != null) {
        (p.period().equals("day") ? daily : hourly).incrementAndGet();
      }
      if (p == null) {
        assertThat(q).as("seed %d", seed).isNull();
        return;
      }
      assertThat(q).as("seed %d", seed).isEqualTo(new RecurringPeaks.Peak(p.load() * c,
          p.level() * c, p.rise() * c, p.repeats(), p.period()));
      double max = Double.NEGATIVE_INFINITY;
      double min = Double.POSITIVE_INFINITY;
      for (int i = 0; i < h.size(); i++) {
        if (!Double.isNaN(h.value(i))) {
          max = Math.max(max, h.value(i));
          min = Math.min(min, h.value(i));
        }
      }
      assertThat(p.rise()).as("seed %d", seed)
          .isGreaterThanOrEqualTo(Math.max(threshold, 0.1 * Math.abs(p.level())))
          .isLessThanOrEqualTo(max - min);
      assertThat(p.level()).as("seed %d", seed).isBetween(min, max);
      assertThat(p.level() + p.rise()).isEqualTo(p.load());
    });
    assertThat(daily.get()).as("daily peaks found, of %d daily jobs", dailyJobs.get())
        .isGreaterThan(dailyJobs.get() / 2);
    assertThat(hourly.get()).as("hourly peaks found, of %d hourly jobs", hourlyJobs.get())
        .isGreaterThan(hourlyJobs.get() / 4);
  }
}
