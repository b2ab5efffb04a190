package dev.prescaler.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * Random forecasts and instants around them, for the properties that check a window search over
 * forecast steps against its step-by-step definition ({@code ForecastWindowProperties} here,
 * {@code PeakUpperProperties} in the decision module, through this module's test jar).
 */
public final class RandomForecasts {
  private RandomForecasts() {}

  /**
   * A forecast of 1 to 40 steps at the given level: whole-second, whole-millisecond,
   * sub-millisecond or hour steps, and whole-second or nanosecond starts.
   */
  public static Forecast forecast(Random r, double level) {
    int n = 1 + r.nextInt(40);
    double[] point = new double[n];
    double[] lower = new double[n];
    double[] upper = new double[n];
    for (int i = 0; i < n; i++) {
      point[i] = r.nextGaussian() * 100;
      lower[i] = point[i] - r.nextDouble() * 20;
      upper[i] = point[i] + r.nextDouble() * 20;
    }
    Duration step = switch (r.nextInt(4)) {
      case 0 -> Duration.ofSeconds(60);
      case 1 -> Duration.ofMillis(1 + r.nextInt(100_000));
      case 2 -> Duration.ofNanos(1 + r.nextInt(2_000_000_000));
      default -> Duration.ofHours(1 + r.nextInt(24));
    };
    Instant start = Instant.ofEpochSecond(1_700_000_000L + r.nextInt(1_000_000),
        r.nextBoolean() ? 0 : r.nextInt(1_000_000_000));
    return new Forecast("test", start, step, point, lower, upper, level);
  }

  /** An instant around the forecast: before, inside, on a step boundary, after. */
  public static Instant around(Random r, Forecast f) {
    long span = f.step().toNanos() * (f.steps() + 4);
    Instant base = f.start().minusNanos(2 * f.step().toNanos());
    Instant t = base.plusNanos((long) (r.nextDouble() * span));
    return switch (r.nextInt(5)) {
      case 0 -> f.timeOf(r.nextInt(f.steps() + 1)); // exactly on a boundary
      case 1 -> f.timeOf(r.nextInt(f.steps() + 1)).plusNanos(r.nextInt(3) - 1);
      case 2 -> Instant.ofEpochSecond(t.getEpochSecond()); // whole seconds
      case 3 -> r.nextBoolean() ? Instant.MIN : Instant.MAX; // beyond any nanosecond range
      default -> t;
    };
  }
}
