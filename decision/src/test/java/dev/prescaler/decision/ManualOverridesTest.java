package dev.prescaler.decision;

import static dev.prescaler.decision.Fixtures.NOW;
import static dev.prescaler.decision.Fixtures.WEB;
import static dev.prescaler.decision.Fixtures.ctx;
import static dev.prescaler.decision.Fixtures.rps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.WorkloadRef;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ManualOverridesTest {
  private final DecisionContext c = ctx(rps(10, 1, 100), 10, "rps", 100).build();

  @Test
  void aPinReplacesTheProposalUntilItExpires() {
    ManualOverrides o = new ManualOverrides();
    o.pin(WEB, 7, NOW.plusSeconds(60), "incident 42");
    Proposal p = o.apply(c, Proposal.keep(10).to("x", 20, "y"));
    assertThat(p.replicas()).isEqualTo(7);
    assertThat(p.explain()).contains("pinned at 7").contains("incident 42");
    o.pin(WEB, 7, NOW, "expired");
    assertThat(o.apply(c, Proposal.keep(10).to("x", 20, "y")).replicas()).isEqualTo(20);
  }

  @Test
  void floorAndCeilingBound() {
    ManualOverrides o = new ManualOverrides();
    o.floor(WEB, 12, NOW.plusSeconds(60), "launch");
    assertThat(o.apply(c, Proposal.keep(10)).replicas()).isEqualTo(12);
    o.ceiling(WEB, 15, NOW.plusSeconds(60), "budget");
    assertThat(o.apply(c, Proposal.keep(10).to("x", 30, "y")).replicas()).isEqualTo(15);
    assertThat(o.apply(c, Proposal.keep(10).to("x", 3, "y")).replicas()).isEqualTo(12);
    assertThat(o.active(WEB, NOW).orElseThrow().floor()).contains(12);
  }

  @Test
  void otherWorkloadsAreUntouchedAndClearRemoves() {
    ManualOverrides o = new ManualOverrides();
    o.pin(WorkloadRef.deployment("default", "api"), 1, NOW.plusSeconds(60), "x");
    assertThat(o.apply(c, Proposal.keep(10)).replicas()).isEqualTo(10);
    o.pin(WEB, 1, NOW.plusSeconds(60), "x");
    assertThat(o.clear(WEB)).isTrue();
    assertThat(o.apply(c, Proposal.keep(10)).replicas()).isEqualTo(10);
    o.pin(WEB, 1, NOW.minusSeconds(1), "old");
    assertThat(o.purgeExpired(NOW)).isEqualTo(1);
  }

  @Test
  void writesFromOtherThreadsAreSafe() throws Exception {
    ManualOverrides o = new ManualOverrides();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int id = t;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < 500; i++) {
            o.pin(WorkloadRef.deployment("default", "w" + id + "-" + i), i,
                NOW.plusSeconds(60), "t");
            o.apply(c, Proposal.keep(10));
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(o.purgeExpired(NOW.plusSeconds(61))).isEqualTo(2000);
  }

  @Test
  void badInputNamesTheField() {
    ManualOverrides o = new ManualOverrides();
    assertThatThrownBy(() -> o.pin(WEB, -1, NOW, "x")).hasMessage("pin must be >= 0, but was -1");
    assertThatThrownBy(() -> o.floor(WEB, -2, NOW, "x"))
        .hasMessage("floor must be >= 0, but was -2");
  }
}
