package dev.prescaler.decision;

import static dev.prescaler.decision.Fixtures.ctx;
import static dev.prescaler.decision.Fixtures.rps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TimeOfDayBoundsTest {
  private final TimeOfDayBounds bounds = TimeOfDayBounds.builder(ZoneId.of("Europe/Berlin"))
      .window("MON-FRI 08:00-20:00", 10, 50)
      .maxWindow("SAT,SUN 22:00-06:00", 3)
      .build();

  private int at(String instant, int proposed) {
    DecisionContext c = DecisionContext.builder(rps(10, 1, 100), Instant.parse(instant),
        ReplicaStatus.of(5, 5)).reading("rps", 50).build();
    return bounds.apply(c, Proposal.keep(5).to("x", proposed, "y")).replicas();
  }

  @Test
  void weekdayWindowRaisesTheMinimum() {
    // 2026-01-05 is a Monday; 09:00 UTC = 10:00 Berlin
    assertThat(at("2026-01-05T09:00:00Z", 4)).isEqualTo(10);
    assertThat(at("2026-01-05T09:00:00Z", 60)).isEqualTo(50);
    assertThat(at("2026-01-05T06:00:00Z", 4)).isEqualTo(4); // 07:00 Berlin
    assertThat(at("2026-01-05T19:00:00Z", 4)).isEqualTo(4); // 20:00 Berlin, end exclusive
  }

  @Test
  void windowsWrapPastMidnight() {
    // Saturday 2026-01-10 23:00 Berlin and Sunday 05:00 Berlin are inside; Monday 05:00 after
    // a Sunday start is inside too; Friday 23:00 is not.
    assertThat(at("2026-01-10T22:00:00Z", 8)).isEqualTo(3);
    assertThat(at("2026-01-11T04:00:00Z", 8)).isEqualTo(3);
    assertThat(at("2026-01-12T04:00:00Z", 8)).isEqualTo(3);
    assertThat(at("2026-01-09T22:00:00Z", 8)).isEqualTo(8);
  }

  @Test
  void aWindowEndingInTheRepeatedHourHappensOnceOnTheFallBackNight() {
    // Europe/Berlin 2026-10-25: 03:00 CEST goes back to 02:00 CET, so 02:00-03:00 comes twice.
    // The window starts Saturday 22:00 CEST and ends at the first 02:30, in CEST.
    TimeOfDayBounds night = TimeOfDayBounds.builder(ZoneId.of("Europe/Berlin"))
        .maxWindow("* 22:00-02:30", 5).build();
    assertThat(night.activeAt(Instant.parse("2026-10-25T00:15:00Z"))).isPresent(); // 02:15 CEST
    assertThat(night.activeAt(Instant.parse("2026-10-25T00:29:00Z"))).isPresent(); // 02:29 CEST
    assertThat(night.activeAt(Instant.parse("2026-10-25T00:30:00Z"))).isEmpty(); // 02:30 CEST
    assertThat(night.activeAt(Instant.parse("2026-10-25T00:45:00Z"))).isEmpty(); // 02:45 CEST
    assertThat(night.activeAt(Instant.parse("2026-10-25T01:15:00Z"))).isEmpty(); // 02:15 CET
    assertThat(night.activeAt(Instant.parse("2026-10-25T01:45:00Z"))).isEmpty(); // 02:45 CET
    // The next night is an ordinary one: 22:00-02:30 CET
    assertThat(night.activeAt(Instant.parse("2026-10-25T21:00:00Z"))).isPresent();
    assertThat(night.activeAt(Instant.parse("2026-10-26T01:29:00Z"))).isPresent();
    assertThat(night.activeAt(Instant.parse("2026-10-26T01:30:00Z"))).isEmpty();
  }

  @Test
  void aWindowAcrossADaylightSavingChangeEndsAtItsEndOnTheClock() {
    TimeOfDayBounds night = TimeOfDayBounds.builder(ZoneId.of("Europe/Berlin"))
        .maxWindow("SAT 22:00-06:00", 5).build();
    // Fall back: Saturday 22:00 CEST (20:00Z) to Sunday 06:00 CET (05:00Z), 9 h
    assertThat(night.activeAt(Instant.parse("2026-10-24T19:59:00Z"))).isEmpty();
    assertThat(night.activeAt(Instant.parse("2026-10-24T20:00:00Z"))).isPresent();
    assertThat(night.activeAt(Instant.parse("2026-10-25T04:59:00Z"))).isPresent(); // 05:59 CET
    assertThat(night.activeAt(Instant.parse("2026-10-25T05:00:00Z"))).isEmpty(); // 06:00 CET
    // Spring forward: Saturday 22:00 CET (21:00Z) to Sunday 06:00 CEST (04:00Z), 7 h
    assertThat(night.activeAt(Instant.parse("2026-03-28T20:59:00Z"))).isEmpty();
    assertThat(night.activeAt(Instant.parse("2026-03-28T21:00:00Z"))).isPresent();
    assertThat(night.activeAt(Instant.parse("2026-03-29T03:59:00Z"))).isPresent(); // 05:59
    assertThat(night.activeAt(Instant.parse("2026-03-29T04:00:00Z"))).isEmpty(); // 06:00 CEST
  }

  @Test
  void aTimeInTheSpringForwardGapMovesLaterByTheGap() {
    // 2026-03-29 02:30 does not exist in Berlin: ZonedDateTime.of makes it 03:30 CEST (01:30Z).
    // As a start: the window runs from 03:30 to 04:00 CEST that day.
    TimeOfDayBounds early = TimeOfDayBounds.builder(ZoneId.of("Europe/Berlin"))
        .maxWindow("* 02:30-04:00", 5).build();
    assertThat(early.activeAt(Instant.parse("2026-03-29T01:15:00Z"))).isEmpty(); // 03:15 CEST
    assertThat(early.activeAt(Instant.parse("2026-03-29T01:30:00Z"))).isPresent(); // 03:30
    assertThat(early.activeAt(Instant.parse("2026-03-29T01:59:00Z"))).isPresent(); // 03:59
    assertThat(early.activeAt(Instant.parse("2026-03-29T02:00:00Z"))).isEmpty(); // 04:00 CEST
    // As an end: Saturday 22:00 CET (21:00Z) to 03:30 CEST (01:30Z)
    TimeOfDayBounds night = TimeOfDayBounds.builder(ZoneId.of("Europe/Berlin"))
        .maxWindow("* 22:00-02:30", 5).build();
    assertThat(night.activeAt(Instant.parse("2026-03-29T01:29:00Z"))).isPresent(); // 03:29
    assertThat(night.activeAt(Instant.parse("2026-03-29T01:30:00Z"))).isEmpty(); // 03:30 CEST
  }

  @Test
  void aWindowWhoseEndComesBeforeItsStartOnTheGapDayDoesNotHappenThatDay() {
    // On 2026-03-29 in Berlin, 02:30 resolves to 03:30 CEST, after 03:15 CEST: no window that day
    TimeOfDayBounds early = TimeOfDayBounds.builder(ZoneId.of("Europe/Berlin"))
        .maxWindow("* 02:30-03:15", 5).build();
    for (Instant t = Instant.parse("2026-03-28T23:00:00Z");
        t.isBefore(Instant.parse("2026-03-29T22:00:00Z")); t = t.plusSeconds(60)) {
      assertThat(early.activeAt(t)).as("%s", t).isEmpty();
    }
    // The days around it have it: 02:30-03:15 CET on the 28th, 02:30-03:15 CEST on the 30th
    assertThat(early.activeAt(Instant.parse("2026-03-28T01:30:00Z"))).isPresent();
    assertThat(early.activeAt(Instant.parse("2026-03-28T02:14:00Z"))).isPresent();
    assertThat(early.activeAt(Instant.parse("2026-03-28T02:15:00Z"))).isEmpty();
    assertThat(early.activeAt(Instant.parse("2026-03-30T00:30:00Z"))).isPresent();
    assertThat(early.activeAt(Instant.parse("2026-03-30T01:14:00Z"))).isPresent();
    assertThat(early.activeAt(Instant.parse("2026-03-30T01:15:00Z"))).isEmpty();
  }

  @Test
  void aStartInTheRepeatedHourIsItsFirstOccurrence() {
    // 2026-10-25 02:30 in Berlin comes twice: the window starts at the first, 02:30 CEST
    // (00:30Z), stays on through the second 02:00-03:00, and ends at 04:00 CET (03:00Z)
    TimeOfDayBounds early = TimeOfDayBounds.builder(ZoneId.of("Europe/Berlin"))
        .maxWindow("* 02:30-04:00", 5).build();
    assertThat(early.activeAt(Instant.parse("2026-10-25T00:29:00Z"))).isEmpty();
    assertThat(early.activeAt(Instant.parse("2026-10-25T00:30:00Z"))).isPresent();
    assertThat(early.activeAt(Instant.parse("2026-10-25T01:15:00Z"))).isPresent(); // 02:15 CET
    assertThat(early.activeAt(Instant.parse("2026-10-25T02:59:00Z"))).isPresent(); // 03:59 CET
    assertThat(early.activeAt(Instant.parse("2026-10-25T03:00:00Z"))).isEmpty();
  }

  @Test
  void aWindowOffForLessThanTheGapStaysOnThroughIt() {
    // * 03:15-02:30 is off 02:30-03:15; on 2026-03-29 in Berlin the 28th's occurrence ends at
    // 02:30 -> 03:30 CEST (01:30Z), after the 29th's started at 03:15 CEST (01:15Z)
    TimeOfDayBounds most = TimeOfDayBounds.builder(ZoneId.of("Europe/Berlin"))
        .maxWindow("* 03:15-02:30", 5).build();
    for (Instant t = Instant.parse("2026-03-29T00:00:00Z");
        t.isBefore(Instant.parse("2026-03-29T03:00:00Z")); t = t.plusSeconds(60)) {
      assertThat(most.activeAt(t)).as("%s", t).isPresent();
    }
    assertThat(most.activeAt(Instant.parse("2026-03-30T00:30:00Z"))).isEmpty(); // 02:30 CEST
  }

  @Test
  void reasonNamesTheWindow() {
    DecisionContext c = ctx(rps(10, 1, 100), 5, "rps", 50).build(); // Monday 13:00 Berlin
    assertThat(bounds.apply(c, Proposal.keep(5)).explain()).contains("MON-FRI 08:00-20:00");
  }

  @Test
  void badWindowsNameTheText() {
    assertThatThrownBy(() -> TimeOfDayBounds.builder(ZoneId.of("UTC")).window("MON-XYZ 08:00-20:00",
        1, 2)).hasMessage("window day must be one of MON..SUN, but was \"XYZ\" in "
            + "\"MON-XYZ 08:00-20:00\"");
    assertThatThrownBy(() -> TimeOfDayBounds.builder(ZoneId.of("UTC")).window("MON 8-20", 1, 2))
        .hasMessage("window times must be HH:MM, but was \"8-20\"");
    assertThatThrownBy(() -> TimeOfDayBounds.builder(ZoneId.of("UTC")).window("* 08:00-20:00",
        5, 2)).hasMessage("window max must be >= min (5), but was 2");
    // A list or range cut short is an error, not the days before the cut.
    assertThatThrownBy(() -> TimeOfDayBounds.builder(ZoneId.of("UTC")).window("MON- 08:00-20:00",
        1, 2)).hasMessage("window day must be one of MON..SUN, but was \"\" in "
            + "\"MON- 08:00-20:00\"");
    assertThatThrownBy(() -> TimeOfDayBounds.builder(ZoneId.of("UTC")).window("MON, 08:00-20:00",
        1, 2)).hasMessageStartingWith("window day must be one of MON..SUN, but was \"\"");
    assertThatThrownBy(() -> TimeOfDayBounds.builder(ZoneId.of("UTC")).window(
        "MON 08:00-20:00-", 1, 2))
        .hasMessage("window times must look like 08:00-20:00, but was \"08:00-20:00-\"");
  }
}
