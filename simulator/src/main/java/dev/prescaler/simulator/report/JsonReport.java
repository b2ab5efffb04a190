package dev.prescaler.simulator.report;

import dev.prescaler.forecast.cli.CliText;
import dev.prescaler.simulator.PolicyResult;
import dev.prescaler.simulator.SimulationConfig;
import dev.prescaler.simulator.SimulationResult;
import dev.prescaler.simulator.score.AtSlo;
import dev.prescaler.simulator.score.Scorecard;

/**
 * The scorecard as one JSON object: {@code {"trace":..,"config":{..},"policies":[{"name":..,
 * "underProvisionedPct":..,"unservedPct":..,"replicaHours":..,"costVsOracle":..,
 * "scalingActions":..,"atSlo":{"targetUtilization":..,"replicaHours":..,
 * "underProvisionedPct":..} or null},..]}}. Percentages are in percent; {@code costVsOracle} is
 * null when {@code oracle-100} did not run. Durations are in seconds, fractional only when not
 * whole. The config holds {@code "sweep":false} (after {@code steps}) only when the sweep was off:
 * then every {@code atSlo} is null because nothing was swept, not because nothing met the SLO. It
 * names {@code minReplicas}, {@code maxReplicas}, {@code forecaster} and {@code hpa} only when
 * they were given. The settings given are written exactly, with the digits that read back as
 * them ({@code "targetUtilization":0.000000001}); a derived capacity to nine decimals or six
 * significant digits. A score is rounded (percentages to 4 places, unserved to 5, replica-hours to
 * 3), but one that is not 0 is never written 0: it then gets three significant digits. Strings
 * are quoted as {@code forecast-eval}'s are ({@link CliText#quote}): a trace's name that holds a
 * newline or an ESC stays a valid, harmless string.
 */
public final class JsonReport {
  private JsonReport() {}

  /** The JSON text, ending with a newline. */
  public static String render(SimulationResult result) {
    SimulationConfig c = result.config();
    StringBuilder b = new StringBuilder("{");
    b.append("\"trace\":").append(CliText.quote(result.traceName()));
    b.append(",\"config\":{")
        .append("\"syncPeriodSeconds\":").append(Numbers.seconds(c.syncPeriod()))
        .append(",\"capacity\":").append(c.capacity().isPresent()
            ? Numbers.exactJson(c.capacity().getAsDouble())
            : Numbers.measure(result.capacity(), 9))
        .append(",\"peakReplicas\":")
        .append(c.capacity().isPresent() ? "null" : Integer.toString(c.peakReplicas()))
        .append(",\"targetUtilization\":").append(Numbers.exactJson(c.targetUtilization()))
        .append(",\"metricsDelaySeconds\":").append(Numbers.seconds(c.metricsDelay()))
        .append(",\"startupSeconds\":").append(Numbers.seconds(c.startupDelay()))
        .append(",\"slo\":").append(Numbers.exactJson(c.slo()))
        .append(",\"riskQuantile\":").append(Numbers.exactJson(c.riskQuantile()))
        .append(",\"steps\":").append(result.demand().size());
    if (!c.sweep()) {
      b.append(",\"sweep\":false");
    }
    c.givenOptionValues().forEach((k, v) -> b.append(',').append(CliText.quote(k)).append(':')
        .append(v instanceof String s ? CliText.quote(s) : v));
    c.hpa().ifPresent(h -> b.append(",\"hpa\":").append(CliText.quote(h.toString())));
    b.append('}');
    b.append(",\"policies\":[");
    boolean first = true;
    for (PolicyResult p : result.policies()) {
      Scorecard s = p.scorecard();
      b.append(first ? "" : ",");
      first = false;
      b.append("{\"name\":").append(CliText.quote(s.policy()))
          .append(",\"underProvisionedPct\":")
          .append(Numbers.jsonNonZero(s.underProvisionedPct(), 4))
          .append(",\"unservedPct\":").append(Numbers.jsonNonZero(s.unservedPct(), 5))
          .append(",\"replicaHours\":").append(Numbers.jsonNonZero(s.replicaHours(), 3))
          .append(",\"costVsOracle\":").append(Numbers.jsonNonZero(s.costVsOracle(), 4))
          .append(",\"scalingActions\":").append(s.scalingActions())
          .append(",\"atSlo\":");
      if (s.atSlo().isPresent()) {
        AtSlo a = s.atSlo().get();
        b.append("{\"targetUtilization\":").append(Numbers.jsonNonZero(a.targetUtilization(), 4))
            .append(",\"replicaHours\":").append(Numbers.jsonNonZero(a.replicaHours(), 3))
            .append(",\"underProvisionedPct\":")
            .append(Numbers.jsonNonZero(a.underProvisionedPct(), 4))
            .append('}');
      } else {
        b.append("null");
      }
      b.append('}');
    }
    return b.append("]}").append('\n').toString();
  }
}
