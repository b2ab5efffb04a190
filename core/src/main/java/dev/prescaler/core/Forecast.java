package dev.prescaler.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntToDoubleFunction;

/**
 * A forecast of a load over a horizon: per step a point value and a prediction interval that
 * should contain the outcome with probability {@code level}.
 *
 * <p>Step {@code i} covers {@code [start + i × step, start + (i+1) × step)}. Every value is finite
 * and {@code lower[i] <= point[i] <= upper[i]}.
 *
 * @param model name of the model that made it, e.g. {@code holt-winters}
 * @param start start of the first forecast step
 * @param step grid step
 * @param point point forecasts
 * @param lower lower interval bounds
 * @param upper upper interval bounds
 * @param level nominal coverage of the central interval, in [0, 1); kept rounded to 12 decimals,
 *     so that a level computed as {@code 2q − 1} reads as the decimal it stands for (0.9 for
 *     q = 0.95, not 0.8999999999999999)
 */
public record Forecast(String model, Instant start, Duration step, double[] point, double[] lower,
    double[] upper, double level) {
  /** Seconds beyond which nanosecond arithmetic gives up (about 136 years): no overflow below. */
  private static final long NANOS_SPAN_SECONDS = 1L << 32;

  /** Validates and copies the arrays. */
  public Forecast {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(step, "step");
    if (step.isZero() || step.isNegative()) {
      throw new IllegalArgumentException("forecast step must be > 0, but was " + step);
    }
    point = point.clone();
    lower = lower.clone();
    upper = upper.clone();
    if (point.length == 0 || lower.length != point.length || upper.length != point.length) {
      throw new IllegalArgumentException("forecast arrays must be non-empty and of equal length, "
          + "but were point=" + point.length + ", lower=" + lower.length + ", upper="
          + upper.length);
    }
    if (!(level >= 0 && level < 1)) {
      throw new IllegalArgumentException("forecast level must be in [0, 1), but was " + level);
    }
    // Rounded to 12 decimals: 2q - 1 in binary floating point is 0.8999999999999999 for q 0.95,
    // and a level that was a decimal must read back as that decimal (0.9).
    double rounded = Math.round(level * 1e12) / 1e12;
    level = rounded < 1 ? rounded : level;
    for (int i = 0; i < point.length; i++) {
      if (!Double.isFinite(point[i]) || !Double.isFinite(lower[i]) || !Double.isFinite(upper[i])) {
        throw new IllegalArgumentException("forecast values must be finite, but step " + i
            + " was [" + lower[i] + ", " + upper[i] + "] around " + point[i]);
      }
      if (lower[i] > point[i] || upper[i] < point[i]) {
        throw new IllegalArgumentException("forecast interval must contain the point, but step "
            + i + " was [" + lower[i] + ", " + upper[i] + "] around " + point[i]);
      }
    }
  }

  /** A flat forecast of {@code value} with no interval width. */
  public static Forecast flat(String model, Instant start, Duration step, int steps, double value) {
    double[] v = new double[steps];
    Arrays.fill(v, value);
    return new Forecast(model, start, step, v, v, v, 0);
  }

  /** Number of steps. */
  public int steps() {
    return point.length;
  }

  /** Start of step {@code i}. */
  public Instant timeOf(int i) {
    long stepMillis = step.toMillis();
    if (step.getNano() % 1_000_000 == 0) {
      // Millisecond arithmetic: Duration.multipliedBy goes through BigDecimal, and this runs for
      // every step of every forecast a policy looks at.
      return start.plusMillis(stepMillis * i);
    }
    return start.plus(step.multipliedBy(i));
  }

  /** End of the last step (exclusive). */
  public Instant end() {
    return timeOf(point.length);
  }

  /** A copy of the point forecasts: the forecast stays immutable whoever holds it. */
  @Override
  public double[] point() {
    return point.clone();
  }

  /** A copy of the lower interval bounds. */
  @Override
  public double[] lower() {
    return lower.clone();
  }

  /** A copy of the upper interval bounds. */
  @Override
  public double[] upper() {
    return upper.clone();
  }

  /** Point value of step {@code i}. */
  public double point(int i) {
    return point[i];
  }

  /** Lower bound of step {@code i}. */
  public double lower(int i) {
    return lower[i];
  }

  /** Upper bound of step {@code i}. */
  public double upper(int i) {
    return upper[i];
  }

  /**
   * The highest upper bound over the steps that overlap {@code [from, to]}; NaN when none does.
   */
  public double maxUpper(Instant from, Instant to) {
    return max(upper, from, to);
  }

  /** The highest point value over the steps that overlap {@code [from, to]}; NaN when none does. */
  public double maxPoint(Instant from, Instant to) {
    return max(point, from, to);
  }

  private double max(double[] values, Instant from, Instant to) {
    return max(from, to, i -> values[i]);
  }

  /**
   * The highest {@code value.applyAsDouble(i)} over the steps {@code i} that overlap {@code [from,
   * to]}; NaN when none does. For a policy that plans on something derived per step (a rescaled
   * interval, say) with the same window as {@link #maxUpper}.
   */
  public double max(Instant from, Instant to, IntToDoubleFunction value) {
    Objects.requireNonNull(value, "value");
    int n = point.length;
    long stepNanos = nanos(step);
    long sinceStart = between(start, from);
    long untilEnd = between(start, to);
    if (stepNanos > 0 && sinceStart != Long.MIN_VALUE && untilEnd != Long.MIN_VALUE) {
      // Step i = [start + i × step, start + (i+1) × step) overlaps [from, to] exactly when
      // (i+1) × step > from − start and i × step <= to − start: one index range, found once in
      // nanoseconds (exact, as Instant is), instead of two Instants per step.
      long first = Math.max(0, Math.floorDiv(sinceStart, stepNanos));
      long last = Math.min(n - 1L, Math.floorDiv(untilEnd, stepNanos));
      double best = Double.NaN;
      for (int i = (int) Math.min(first, n); i <= last; i++) {
        double v = value.applyAsDouble(i);
        best = Double.isNaN(best) ? v : Math.max(best, v);
      }
      return best;
    }
    double best = Double.NaN;
    for (int i = 0; i < n; i++) {
      Instant s = timeOf(i);
      Instant e = s.plus(step);
      if (e.isAfter(from) && !s.isAfter(to)) {
        double v = value.applyAsDouble(i);
        best = Double.isNaN(best) ? v : Math.max(best, v);
      }
    }
    return best;
  }

  /** {@code b − a} in nanoseconds; {@code Long.MIN_VALUE} when not within ±136 years. */
  private static long between(Instant a, Instant b) {
    long seconds = b.getEpochSecond() - a.getEpochSecond(); // no overflow in Instant's range
    if (Math.abs(seconds) >= NANOS_SPAN_SECONDS) {
      return Long.MIN_VALUE;
    }
    return seconds * 1_000_000_000L + (b.getNano() - a.getNano());
  }

  /** {@code d} in nanoseconds; -1 when not within 136 years. */
  private static long nanos(Duration d) {
    return d.getSeconds() >= NANOS_SPAN_SECONDS ? -1 : d.getSeconds() * 1_000_000_000L
        + d.getNano();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Forecast f && model.equals(f.model) && start.equals(f.start)
        && step.equals(f.step) && Arrays.equals(point, f.point) && Arrays.equals(lower, f.lower)
        && Arrays.equals(upper, f.upper) && Double.compare(level, f.level) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, start, step, Arrays.hashCode(point));
  }

  @Override
  public String toString() {
    return "Forecast{" + model + ", start=" + start + ", step=" + step + ", steps=" + point.length
        + ", first=" + point[0] + ", level=" + level + "}";
  }
}
