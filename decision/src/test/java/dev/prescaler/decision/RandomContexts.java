package dev.prescaler.decision;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.PastDecision;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/** Seeded random decision contexts for the property tests: plain functions of a Random. */
final class RandomContexts {
  private RandomContexts() {}

  static WorkloadSpec spec(Random r) {
    int min = r.nextInt(4);
    int max = Math.max(1, min) + r.nextInt(60);
    WorkloadSpec.Builder b = WorkloadSpec.builder(Fixtures.WEB).minReplicas(min).maxReplicas(max)
        .priority(r.nextInt(3));
    if (r.nextBoolean()) {
      b.metric(MetricTarget.utilization("cpu", 20 + r.nextInt(80)));
    } else {
      b.metric(MetricTarget.averageValue("rps", 1 + r.nextInt(100)));
    }
    return b.build();
  }

  static ReplicaStatus replicas(Random r, WorkloadSpec spec) {
    int current = Math.max(1, spec.minReplicas()) + r.nextInt(spec.maxReplicas()
        - Math.max(1, spec.minReplicas()) + 1);
    int ready = r.nextInt(4) == 0 ? r.nextInt(current + 1) : current;
    int warming = r.nextInt(4) == 0 ? r.nextInt(ready + 1) : 0;
    return new ReplicaStatus(current, ready, warming);
  }

  /** A random reading for the spec's metric, scaled by {@code factor}. */
  static double reading(Random r, WorkloadSpec spec, int current) {
    MetricTarget m = spec.metrics().get(0);
    return m.type() == MetricTarget.Type.UTILIZATION
        ? r.nextDouble() * 300
        : r.nextDouble() * m.target() * current * 3;
  }

  static Forecast forecast(Random r, Instant now, double scale) {
    int n = 5 + r.nextInt(30);
    double[] p = new double[n];
    double[] lo = new double[n];
    double[] up = new double[n];
    for (int i = 0; i < n; i++) {
      p[i] = r.nextDouble() * scale;
      lo[i] = p[i] * r.nextDouble();
      up[i] = p[i] + r.nextDouble() * scale * 0.5;
    }
    return new Forecast("random", now.minusSeconds(r.nextInt(120)), Duration.ofSeconds(60), p,
        lo, up, 0.9);
  }

  /** A full random context with history of past decisions and, maybe, a forecast. */
  static DecisionContext context(Random r) {
    WorkloadSpec spec = spec(r);
    ReplicaStatus rs = replicas(r, spec);
    Instant now = Fixtures.NOW;
    MetricTarget m = spec.metrics().get(0);
    DecisionContext.Builder b = DecisionContext.builder(spec, now, rs)
        .reading(m.name(), reading(r, spec, rs.current()))
        .metricsDelay(Duration.ofSeconds(60));
    int pasts = r.nextInt(30);
    int t = 600;
    for (int i = 0; i < pasts && t > 0; i++) {
      t -= 1 + r.nextInt(40);
      Map<String, Integer> marks = new HashMap<>();
      int v = r.nextInt(spec.maxReplicas() + 5);
      marks.put(HpaPolicy.DEFAULT_MARK, v);
      int target = r.nextInt(spec.maxReplicas() + 5);
      marks.put(PredictivePolicy.TARGET_MARK, target);
      marks.put(PredictivePolicy.NEED_MARK, Math.max(0, target * 1000 - r.nextInt(1000)));
      int cur = 1 + r.nextInt(spec.maxReplicas());
      int des = r.nextInt(3) == 0 ? 1 + r.nextInt(spec.maxReplicas()) : cur;
      b.past(new PastDecision(now.minusSeconds(Math.max(1, t)), cur, des,
          des != cur && r.nextBoolean(), marks));
    }
    if (r.nextInt(3) > 0) {
      double scale = m.perReplicaTarget() * spec.maxReplicas() * 1.5;
      b.forecast(m.name(), forecast(r, now, scale));
    }
    if (r.nextBoolean()) {
      b.lastScaleUp(now.minusSeconds(r.nextInt(600)));
    }
    if (r.nextBoolean()) {
      b.lastScaleDown(now.minusSeconds(r.nextInt(600)));
    }
    if (r.nextBoolean()) {
      b.measuredStartupDelay(Duration.ofSeconds(10 + r.nextInt(300)));
    }
    return b.build();
  }

  /** The same context with every load multiplied by {@code k} (readings too). */
  static DecisionContext scaled(DecisionContext c, double k) {
    Map<String, Double> loads = new HashMap<>();
    c.loads().forEach((n, v) -> loads.put(n, v * k));
    Map<String, Double> readings = new HashMap<>();
    c.readings().forEach((n, v) -> readings.put(n, v * k));
    Map<String, Forecast> forecasts = new HashMap<>();
    c.forecasts().forEach((n, f) -> {
      double[] p = f.point().clone();
      double[] lo = f.lower().clone();
      double[] up = f.upper().clone();
      for (int i = 0; i < p.length; i++) {
        p[i] *= k;
        lo[i] *= k;
        up[i] *= k;
      }
      forecasts.put(n, new Forecast(f.model(), f.start(), f.step(), p, lo, up, f.level()));
    });
    return new DecisionContext(c.spec(), c.now(), c.replicas(), readings, loads, c.sampleTime(),
        c.histories(), forecasts, c.recent(), c.lastScaleUp(), c.lastScaleDown(),
        c.startupDelay(), c.startupDelayMeasured(), c.metricsDelay(), c.syncPeriod());
  }
}
