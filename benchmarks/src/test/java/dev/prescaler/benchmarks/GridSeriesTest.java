package dev.prescaler.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.MetricSeries;
import dev.prescaler.core.MetricTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link GridSeries} and the benchmarks' two views on it: an array window and the synthetic
 * source's lazy history.
 */
class GridSeriesTest {
  static final Instant START = Instant.parse("2026-01-05T00:00:00Z");
  static final Duration STEP = Duration.ofMinutes(1);

  @Test
  void valueChecksTheIndexBeforeAskingTheSubclass() {
    List<Integer> asked = new ArrayList<>();
    GridSeries s = new GridSeries(START, STEP, 3) {
      @Override
      double at(int i) {
        asked.add(i);
        return i * 10;
      }
    };
    assertThat(s.toArray()).containsExactly(0, 10, 20);
    assertThat(s.timeOf(1)).isEqualTo(START.plus(STEP));
    assertThatThrownBy(() -> s.value(3)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("index 3 of 3");
    assertThatThrownBy(() -> s.value(-1)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("index -1 of 3");
    assertThat(asked).containsExactly(0, 1, 2);
  }

  @Test
  void windowIsAViewOfItsArrayFromAnOffset() {
    double[] values = {1, 2, 3, 4, 5};
    MetricSeries w = new ForecasterBenchmark.Window(values, 2, START, STEP, 3);
    assertThat(w.start()).isEqualTo(START);
    assertThat(w.step()).isEqualTo(STEP);
    assertThat(w.size()).isEqualTo(3);
    assertThat(w.toArray()).containsExactly(3, 4, 5);
    assertThat(w.timeOf(2)).isEqualTo(START.plus(STEP.multipliedBy(2)));
    assertThat(w.end()).isEqualTo(START.plus(STEP.multipliedBy(3)));
    values[4] = 9;
    assertThat(w.value(2)).isEqualTo(9);
  }

  @Test
  void windowRefusesAnIndexOutsideItsSize() {
    MetricSeries w = new ForecasterBenchmark.Window(new double[] {1, 2, 3, 4}, 1, START, STEP, 2);
    assertThatThrownBy(() -> w.value(2)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("index 2 of 2");
    assertThatThrownBy(() -> w.value(-1)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("index -1 of 2");
  }

  @Test
  void historyRefusesAnIndexOutsideTheGrid() {
    SyntheticLoadSource s =
        new SyntheticLoadSource(List.of(SyntheticLoadSourceTest.A), Duration.ZERO);
    MetricTarget rps = SyntheticLoadSourceTest.RPS;
    MetricSeries h = s.history(SyntheticLoadSourceTest.spec(SyntheticLoadSourceTest.A), rps,
        START, START.plus(STEP.multipliedBy(10)), STEP).orElseThrow();
    assertThat(h.step()).isEqualTo(STEP);
    assertThat(h.value(9)).isEqualTo(
        SyntheticLoadSource.load(0, START.plus(STEP.multipliedBy(9)).toEpochMilli()));
    assertThatThrownBy(() -> h.value(10)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("index 10 of 10");
    assertThatThrownBy(() -> h.value(-1)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("index -1 of 10");
  }
}
