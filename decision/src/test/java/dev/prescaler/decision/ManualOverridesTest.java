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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
  void anUnregisteredWorkloadsOverrideIsDroppedAndNoOtherOne() {
    WorkloadRef api = WorkloadRef.deployment("default", "api");
    ManualOverrides o = new ManualOverrides();
    o.floor(WEB, 12, NOW.plusSeconds(60), "launch");
    o.ceiling(WEB, 15, NOW.plusSeconds(60), "budget");
    o.pin(api, 3, NOW.plusSeconds(60), "incident 42");
    o.unregistered(WEB);
    assertThat(o.active(WEB, NOW)).isEmpty();
    assertThat(o.apply(c, Proposal.keep(10)).replicas()).isEqualTo(10); // no floor of 12
    assertThat(o.active(api, NOW)).isPresent();
  }

  @Test
  void floorAndCeilingBound() {
    ManualOverrides o = new ManualOverrides();
    o.floor(WEB, 12, NOW.plusSeconds(60), "launch");
    assertThat(o.apply(c, Proposal.keep(10)).replicas()).isEqualTo(12);
    o.ceiling(WEB, 15, NOW.plusSeconds(60), "budget");
    assertThat(o.apply(c, Proposal.keep(10).to("x", 30, "y")).replicas()).isEqualTo(15);
    assertThat(o.apply(c, Proposal.keep(10).to("x", 3, "y")).replicas()).isEqualTo(12);
    assertThat(o.active(WEB, NOW).orElseThrow().floor())
        .contains(new ManualOverrides.Bound(12, NOW.plusSeconds(60), "launch"));
  }

  @Test
  void aCeilingExpiresAtItsOwnTimeWhenAFloorIsSetLater() {
    // The reviewer's case: ceiling 5 until 12:00, then floor 2 until 18:00; at 15:00 only the
    // floor applies, and each bound names its own expiry and reason.
    Instant noon = NOW.plus(Duration.ofHours(2));
    Instant six = NOW.plus(Duration.ofHours(8));
    ManualOverrides o = new ManualOverrides();
    o.ceiling(WEB, 5, noon, "budget freeze");
    o.floor(WEB, 2, six, "launch");
    Proposal before = o.apply(c, Proposal.keep(10).to("x", 9, "y"));
    assertThat(before.replicas()).isEqualTo(5);
    assertThat(before.reasons()).last().satisfies(r -> assertThat(r.message())
        .isEqualTo("ceiling 5 until " + noon + " (budget freeze)"));

    DecisionContext at15 = DecisionContext.builder(c.spec(), NOW.plus(Duration.ofHours(5)),
        c.replicas()).reading("rps", 100).build();
    assertThat(o.apply(at15, Proposal.keep(10).to("x", 9, "y")).replicas()).isEqualTo(9);
    Proposal low = o.apply(at15, Proposal.keep(10).to("x", 1, "y"));
    assertThat(low.replicas()).isEqualTo(2);
    assertThat(low.reasons()).last().satisfies(r -> assertThat(r.message())
        .isEqualTo("floor 2 until " + six + " (launch)"));
    ManualOverrides.Entry active = o.active(WEB, at15.now()).orElseThrow();
    assertThat(active.ceiling()).isEmpty();
    assertThat(active.floor()).contains(new ManualOverrides.Bound(2, six, "launch"));
    assertThat(o.purgeExpired(at15.now())).isEqualTo(1); // the ceiling only
    assertThat(o.active(WEB, at15.now())).isPresent();
    assertThat(o.purgeExpired(six)).isEqualTo(1);
    assertThat(o.active(WEB, NOW)).isEmpty();
  }

  @Test
  void aFloorSetLaterKeepsTheCeilingsOwnLongerExpiry() {
    ManualOverrides o = new ManualOverrides();
    o.ceiling(WEB, 15, NOW.plusSeconds(7200), "budget");
    o.floor(WEB, 12, NOW.plusSeconds(60), "launch");
    DecisionContext later = DecisionContext.builder(c.spec(), NOW.plusSeconds(600), c.replicas())
        .reading("rps", 100).build();
    assertThat(o.apply(later, Proposal.keep(10).to("x", 30, "y")).replicas()).isEqualTo(15);
    assertThat(o.apply(later, Proposal.keep(10).to("x", 3, "y")).replicas()).isEqualTo(3);
  }

  @Test
  void anEntryGivenWithOneExpiryAppliesItToEveryBound() {
    ManualOverrides o = new ManualOverrides();
    o.put(WEB, new ManualOverrides.Entry(Optional.empty(), Optional.of(4), Optional.of(8),
        NOW.plusSeconds(60), "maintenance"));
    ManualOverrides.Entry e = o.active(WEB, NOW).orElseThrow();
    assertThat(e.floor()).contains(new ManualOverrides.Bound(4, NOW.plusSeconds(60),
        "maintenance"));
    assertThat(e.ceiling()).contains(new ManualOverrides.Bound(8, NOW.plusSeconds(60),
        "maintenance"));
    assertThat(o.active(WEB, NOW.plusSeconds(60))).isEmpty();
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
    assertThatThrownBy(() -> o.ceiling(WEB, -3, NOW, "x"))
        .hasMessage("ceiling must be >= 0, but was -3");
    assertThatThrownBy(() -> new ManualOverrides.Bound(-4, NOW, "x"))
        .hasMessage("replicas must be >= 0, but was -4");
    assertThatThrownBy(() -> new ManualOverrides.Entry(Optional.empty(), Optional.empty(),
        Optional.empty())).hasMessage("override must set a pin, a floor or a ceiling, but set "
            + "none");
  }
}
