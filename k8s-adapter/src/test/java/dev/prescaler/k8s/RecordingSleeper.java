package dev.prescaler.k8s;

import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A sleeper that records each wait and moves a manual clock by it instead of waiting. */
final class RecordingSleeper implements Sleeper {
  final List<Duration> sleeps = new ArrayList<>();
  private final ManualClock clock;

  RecordingSleeper(ManualClock clock) {
    this.clock = clock;
  }

  @Override
  public void sleep(Duration duration) {
    sleeps.add(duration);
    clock.advance(duration);
  }
}
