package dev.prescaler.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class InARowTest {
  private static final Logger LOG = LoggerFactory.getLogger(InARowTest.class);

  @Test
  void aRunIsCountedAndEndedWithItsCount() {
    InARow run = new InARow();
    assertThat(run.next()).isEqualTo(1);
    assertThat(run.next()).isEqualTo(2);
    assertThat(run.count()).isEqualTo(2);
    assertThat(run.end()).isEqualTo(2);
    assertThat(run.count()).isZero();
    assertThat(run.end()).isZero();
  }

  // The first and every 20th at WARN, with the count; the others at DEBUG, not shown here.
  @Test
  void logWarnsOnTheFirstAndEvery20th() {
    String log = Fixtures.stderrOf(() -> {
      for (int n = 1; n <= 40; n++) {
        InARow.log(LOG, n, "source failed{}: {}", InARow.ofCount(n), "503");
      }
    });
    String warn = "[main] WARN dev.prescaler.core.InARowTest - source failed";
    assertThat(log.lines().toList()).containsExactly(warn + ": 503",
        warn + " (20 in a row): 503", warn + " (40 in a row): 503");
  }
}
