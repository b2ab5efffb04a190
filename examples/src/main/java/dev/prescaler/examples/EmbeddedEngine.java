package dev.prescaler.examples;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricReading;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Observation;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.decision.Policies;
import dev.prescaler.forecast.Forecasters;
import dev.prescaler.journal.JsonLinesJournal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;

/** Runs the engine inside another control plane: the host's metrics in, the host's actuator out. */
public final class EmbeddedEngine {
  private EmbeddedEngine() {}

  /** Starts the engine beside a host and runs until the JVM stops. */
  public static void main(String[] args) throws InterruptedException {
    ControlPlane host = new ControlPlane(Clock.systemUTC());       // stands for your own system
    AutoscalerEngine engine = create(host, Path.of(args.length > 0 ? args[0] : "decisions.jsonl"),
        Clock.systemUTC());
    engine.start(Executors.newSingleThreadScheduledExecutor());
    Runtime.getRuntime().addShutdownHook(new Thread(engine::close)); // finish the tick, flush
    Thread.currentThread().join();
  }

  /** The engine wired to the host: queue depth in, replica changes out, decisions to a file. */
  public static AutoscalerEngine create(ControlPlane host, Path journal, Clock clock) {
    return AutoscalerEngine.builder()
        .clock(clock)
        .metricSource((spec, now) -> Observation.of(now, host.replicas(),
            MetricReading.of("queue", host.queueDepth(), now)))
        .forecaster(Forecasters.auto())
        .policy(Policies.predictive())
        .executor(request -> host.scaleTo(request.to()))          // one call, whole or not at all
        .callTimeout(Duration.ofSeconds(5))                       // give up on a hung host call
        .journal(JsonLinesJournal.open(journal))
        .workload(WorkloadSpec.builder(WorkloadRef.deployment("jobs", "worker")).maxReplicas(20)
            .metric(MetricTarget.averageValue("queue", 100)).mode(Mode.ACT).build())
        .build();
  }
}
