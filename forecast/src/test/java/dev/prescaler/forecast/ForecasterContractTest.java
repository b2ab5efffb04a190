package dev.prescaler.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.Forecaster;
import dev.prescaler.forecast.HoltWintersModel.Seasonal;
import dev.prescaler.forecast.HoltWintersModel.Trend;
import dev.prescaler.testkit.ForecasterContract;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The testkit's forecaster contract, for every forecaster of this module. */
class ForecasterContractTest {
  private static final int EXAMPLES = 25;

  static Map<String, Forecaster> all() {
    Map<String, Forecaster> m = new LinkedHashMap<>();
    m.put("auto", Forecasters.auto());
    m.put("auto(1d)", Forecasters.auto(Duration.ofDays(1)));
    m.put("linearTrend", Forecasters.linearTrend());
    m.put("holtWinters", Forecasters.holtWinters());
    m.put("holtWinters(mul)", Forecasters.holtWinters(Duration.ofHours(1), Seasonal.MULTIPLICATIVE,
        Trend.DAMPED));
    m.put("seasonalNaive", Forecasters.seasonalNaive());
    m.put("seasonalNaive(1h)", Forecasters.seasonalNaive(Duration.ofHours(1)));
    m.put("fourier", Forecasters.fourier(Duration.ofDays(1), Duration.ofDays(7)));
    return m;
  }

  @Test
  void everyForecasterHonoursTheContract() {
    for (Map.Entry<String, Forecaster> e : all().entrySet()) {
      assertThat(ForecasterContract.check(e.getValue(), 42, EXAMPLES)).as(e.getKey()).isEmpty();
    }
  }

  @Test
  void everyNameTheCommandsTakeGivesItsOwnNewForecaster() {
    // Catches a name mapped to another model, and one shared instance handed to two runs.
    for (String name : Forecasters.NAMES) {
      Forecaster f = Forecasters.named(name).orElseThrow();
      assertThat(f.name()).as(name).isEqualTo(name);
      assertThat(Forecasters.named(name).orElseThrow()).as(name).isNotSameAs(f);
    }
    assertThat(Forecasters.named("prophet")).isEmpty();
    assertThat(Forecasters.named("Auto")).isEmpty();
  }

  @Test
  void everyPerSeriesInstanceHonoursTheContract() {
    for (Map.Entry<String, Forecaster> e : all().entrySet()) {
      assertThat(ForecasterContract.check(e.getValue().forSeries(), 7, EXAMPLES / 2))
          .as(e.getKey()).isEmpty();
    }
  }
}
