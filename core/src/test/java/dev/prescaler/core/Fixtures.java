package dev.prescaler.core;

import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.InMemoryJournal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/** Shared workloads, policies and an engine wiring for the engine's example tests. */
final class Fixtures {
  static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
  static final Duration SYNC = Duration.ofSeconds(15);
  static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  static final WorkloadRef API = WorkloadRef.deployment("shop", "api");
  static final WorkloadRef DB = WorkloadRef.statefulSet("shop", "db");

  private Fixtures() {}

  /** A workload on {@code rps} (target 100 per replica) in [min, max]. */
  static WorkloadSpec spec(WorkloadRef ref, int min, int max, Mode mode) {
    return WorkloadSpec.builder(ref).minReplicas(min).maxReplicas(max).mode(mode)
        .metric(MetricTarget.averageValue("rps", 100)).build();
  }

  /** Proposes ceil(rps / 100): the capacity formula. */
  static final DecisionPolicy CAPACITY = new DecisionPolicy() {
    @Override
    public Proposal apply(DecisionContext ctx, Proposal p) {
      int want = (int) Math.ceil(ctx.load("rps") / 100.0);
      return p.to("capacity", want, "rps " + ctx.load("rps") + " / 100");
    }

    @Override
    public String name() {
      return "capacity";
    }
  };

  /**
   * A step that keeps the proposal and records the workloads it hears are unregistered; for
   * {@code failOn} it then throws what {@code failure} makes of it (a RuntimeException or an
   * Error).
   */
  static DecisionPolicy hearing(List<WorkloadRef> heard, WorkloadRef failOn,
      Function<WorkloadRef, ? extends Throwable> failure) {
    return new DecisionPolicy() {
      @Override
      public Proposal apply(DecisionContext c, Proposal p) {
        return p;
      }

      @Override
      public void unregistered(WorkloadRef workload) {
        heard.add(workload);
        if (workload.equals(failOn)) {
          Throwable t = failure.apply(workload);
          if (t instanceof Error e) {
            throw e;
          }
          throw (RuntimeException) t;
        }
      }
    };
  }

  /** Always proposes {@code n}. */
  static DecisionPolicy fixed(int n) {
    return (ctx, p) -> p.to("fixed", n, "always " + n);
  }

  /** An engine on a test clock with a 15 s sync and history step, no metrics delay. */
  static AutoscalerEngine.Builder engine(TestClock clock, MetricSource source,
      DecisionPolicy policy, ScaleExecutor executor, DecisionJournal journal) {
    return AutoscalerEngine.builder()
        .clock(clock)
        .metricSource(source)
        .policy(policy)
        .executor(executor)
        .journal(journal)
        .syncPeriod(SYNC)
        .historyStep(SYNC)
        .historyLength(Duration.ofHours(6))
        .metricsDelay(Duration.ZERO)
        .backfill(false);
  }

  static DecisionRecord last(InMemoryJournal journal, WorkloadRef w) {
    List<DecisionRecord> r = journal.records(w);
    return r.get(r.size() - 1);
  }

  /**
   * What the code prints to {@code System.err} (where slf4j-simple logs) while it runs. The
   * engine's tests run one at a time, in one thread.
   */
  static String stderrOf(Runnable code) {
    PrintStream before = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      code.run();
    } finally {
      System.setErr(before);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
