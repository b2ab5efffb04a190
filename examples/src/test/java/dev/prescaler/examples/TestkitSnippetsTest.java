package dev.prescaler.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.AutoscalerEngine;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.InMemoryJournal;
import dev.prescaler.decision.Policies;
import dev.prescaler.testkit.DecisionInvariants;
import dev.prescaler.testkit.InMemoryCluster;
import dev.prescaler.testkit.InMemoryMetricSource;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's testkit snippets, compiled and run: {@link #theReadmeShowsTheseSnippets()} checks
 * that the README shows exactly the lines between the markers of this file.
 */
class TestkitSnippetsTest {
  private static final String SELF =
      "examples/src/test/java/dev/prescaler/examples/TestkitSnippetsTest.java";

  // Catches a README snippet that drifted from the code that runs: the DecisionInvariants one
  // added to the unmodifiable list a check returns, and threw UnsupportedOperationException.
  @Test
  void theReadmeShowsTheseSnippets() {
    assertThat(ReadmeBlocks.javaBlockAfter("## Testing your own plug-ins (`prescaler-testkit`)"))
        .isEqualTo(ReadmeBlocks.region(SELF, "stack"));
    assertThat(ReadmeBlocks.javaBlockAfter("### DecisionInvariants"))
        .isEqualTo(ReadmeBlocks.region(SELF, "invariants"));
  }

  @Test
  void aWholeStackRunsAgainstTheInMemorySourceAndCluster() {
    WorkloadRef web = WorkloadRef.deployment("shop", "web");
    // README-BEGIN stack
    ManualClock clock = ManualClock.ofDefault();
    InMemoryMetricSource source = new InMemoryMetricSource().set(web, "rps", 200);
    InMemoryCluster cluster = new InMemoryCluster(clock, Duration.ofSeconds(90)).add(web, 2);
    AutoscalerEngine engine = AutoscalerEngine.builder().clock(clock).metricSource(source)
        .policy(Policies.hpa()).executor(cluster)
        .workload(WorkloadSpec.builder(web).maxReplicas(10).mode(Mode.ACT)
            .metric(MetricTarget.averageValue("rps", 50)).build())
        .build();
    engine.tick();                                            // 2 -> 4 asked for, 2 ready
    clock.advance(Duration.ofSeconds(90));                    // the 2 new pods are ready
    assertThat(cluster.status(web)).isEqualTo(ReplicaStatus.of(4, 4));
    // README-END stack
    engine.close();
  }

  @Test
  void theDecisionInvariantsSnippetChecksARealJournal() {
    ManualClock clock = ManualClock.ofDefault();
    WorkloadRef web = WorkloadRef.deployment("shop", "web");
    WorkloadRef api = WorkloadRef.deployment("shop", "api");
    List<WorkloadRef> refs = List.of(web, api);
    List<WorkloadSpec> specs = new ArrayList<>();
    InMemoryMetricSource source = new InMemoryMetricSource();
    InMemoryCluster cluster = new InMemoryCluster(clock, Duration.ofSeconds(60));
    for (WorkloadRef ref : refs) {
      specs.add(WorkloadSpec.builder(ref).maxReplicas(20).mode(Mode.ACT)
          .metric(MetricTarget.averageValue("rps", 50)).build());
      cluster.add(ref, 1);
    }
    InMemoryJournal journal = new InMemoryJournal();
    List<Instant> tickTimes = new ArrayList<>();
    AutoscalerEngine.Builder b = AutoscalerEngine.builder().clock(clock).metricSource(source)
        .policy(Policies.hpa()).executor(cluster).journal(journal);
    specs.forEach(b::workload);
    try (AutoscalerEngine engine = b.build()) {
      for (int i = 0; i < 40; i++) {
        source.set(web, "rps", 100 + 20 * i).set(api, "rps", i % 7 == 0 ? 10 : 400);
        tickTimes.add(clock.instant());
        engine.tick();
        clock.advance(Duration.ofSeconds(15));
      }
    }
    assertThat(cluster.actions()).isPositive();
    // README-BEGIN invariants
    List<DecisionRecord> records = journal.records();
    assertThat(DecisionInvariants.check(records, specs)).isEmpty();                // per record
    assertThat(DecisionInvariants.checkTicks(records, refs, tickTimes)).isEmpty(); // one per tick
    // README-END invariants
  }
}
