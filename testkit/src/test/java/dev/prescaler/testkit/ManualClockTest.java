package dev.prescaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class ManualClockTest {
  static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
  static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  @Test
  void movesOnlyWhenTold() {
    ManualClock clock = new ManualClock(START);
    assertThat(clock.instant()).isEqualTo(START);
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(clock.advance(Duration.ofSeconds(15)).instant()).isEqualTo(START.plusSeconds(15));
    assertThat(clock.advance(Duration.ofSeconds(-5)).millis())
        .isEqualTo(START.plusSeconds(10).toEpochMilli());
    assertThat(clock.set(START.plusSeconds(3600)).instant()).isEqualTo(START.plusSeconds(3600));
  }

  @Test
  void nanosAreTheInstantSinceTheEpochSoATickerMovesWithTheClock() {
    ManualClock clock = new ManualClock(START.plusNanos(7));
    LongSupplier ticker = clock::nanos;
    long before = ticker.getAsLong();
    assertThat(before).isEqualTo(START.getEpochSecond() * 1_000_000_000L + 7);
    clock.advance(Duration.ofMillis(1500));
    assertThat(ticker.getAsLong() - before).isEqualTo(1_500_000_000L);
  }

  @Test
  void aZonedCopyMovesWithTheClockBothWays() {
    ManualClock clock = new ManualClock(START);
    Clock paris = clock.withZone(PARIS);
    assertThat(paris.getZone()).isEqualTo(PARIS);
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(paris.instant()).isEqualTo(START);

    clock.advance(Duration.ofMinutes(90));
    assertThat(paris.instant()).isEqualTo(START.plus(Duration.ofMinutes(90)));
    assertThat(ZonedDateTime.now(paris).getHour()).isEqualTo(14); // 13:30Z is 14:30 in Paris

    clock.set(START.minusSeconds(60));
    assertThat(paris.instant()).isEqualTo(START.minusSeconds(60));

    // The copy is a ManualClock too: moving it moves the original, and copies of copies.
    ManualClock parisManual = (ManualClock) paris;
    Clock utcAgain = zoned(parisManual, ZoneOffset.UTC);
    parisManual.advance(Duration.ofSeconds(30));
    assertThat(clock.instant()).isEqualTo(START.minusSeconds(30));
    assertThat(utcAgain.instant()).isEqualTo(START.minusSeconds(30));
    assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
  }

  @Test
  void concurrentAdvancesThroughZonedCopiesAreNotLost() throws Exception {
    ManualClock clock = new ManualClock(START);
    List<ManualClock> views = List.of(clock, zoned(clock, PARIS),
        zoned(clock, ZoneOffset.ofHours(-5)), zoned(zoned(clock, PARIS), ZoneOffset.UTC));
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (ManualClock view : views) {
      Thread t = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < 20_000; i++) {
          view.advance(Duration.ofMillis(1));
        }
      });
      t.start();
      threads.add(t);
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    for (ManualClock view : views) {
      assertThat(view.instant()).isEqualTo(START.plusMillis(4 * 20_000));
    }
  }

  /** {@code clock.withZone(zone)} as a ManualClock. */
  private static ManualClock zoned(Clock clock, ZoneId zone) {
    return (ManualClock) clock.withZone(zone);
  }
}
