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
