package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.WorkloadRef;
import dev.prescaler.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link HpaLookup} keeps of the namespaces it lists, with the official client over HTTP
 * against mockwebserver3: nothing with a TTL of 0 ({@link HpaFloorExecutor}'s), and with a TTL
 * ({@link ScaleSubresourceExecutor}'s) only the lists not yet expired, whatever namespaces came
 * and went before.
 */
class HpaLookupWireTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

  private final Wire wire = new Wire();
  private final ManualClock clock = new ManualClock(T0);

  @AfterEach
  void stop() {
    wire.close();
  }

  private HpaLookup lookup(Duration ttl) {
    ApiCalls calls = ScaleSubresourceExecutor.builder(wire.client()).clock(clock)
        .ticker(clock::nanos).sleeper(d -> { }).calls();
    return new HpaLookup(wire.client(), calls, ttl);
  }

  /** Looks up a workload in {@code namespace}, answered with an empty HPA list if it asks. */
  private void lookUpIn(HpaLookup lookup, String namespace) {
    wire.json(200, Wire.emptyList("autoscaling/v2", "HorizontalPodAutoscalerList"));
    var found = lookup.targeting(WorkloadRef.deployment(namespace, "web"));
    assertThat(found.ok()).as(namespace).isTrue();
    assertThat(found.value().orElseThrow()).isEmpty();
  }

  // Caught the lists of a TTL of 0 stored on every lookup and never read nor dropped: 5,000
  // preview namespaces left 5,000 lists (14.7 MB) in an HpaFloorExecutor for good.
  @Test
  void aTtlOfZeroKeepsNothingAndListsOnEveryLookup() {
    HpaLookup lookup = lookup(Duration.ZERO);
    for (int i = 0; i < 50; i++) {
      lookUpIn(lookup, "preview-" + i);
    }
    lookUpIn(lookup, "preview-0");
    assertThat(lookup.cached()).isZero();
    assertThat(wire.server.getRequestCount()).isEqualTo(51);
  }

  // Caught the same with a 30 s TTL (ScaleSubresourceExecutor's default): an expired list was
  // replaced when its namespace was listed again, never dropped when it was not.
  @Test
  void expiredListsAreDroppedWhenAListIsStored() {
    HpaLookup lookup = lookup(Duration.ofSeconds(30));
    for (int i = 0; i < 50; i++) {
      lookUpIn(lookup, "preview-" + i);
    }
    assertThat(lookup.cached()).isEqualTo(50);
    lookUpIn(lookup, "preview-0"); // within the TTL: from the cache, not asked
    assertThat(wire.server.getRequestCount()).isEqualTo(50);

    clock.advance(Duration.ofSeconds(30));
    lookUpIn(lookup, "preview-50");
    assertThat(lookup.cached()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(29));
    lookUpIn(lookup, "preview-50"); // still within its TTL: kept and read
    assertThat(wire.server.getRequestCount()).isEqualTo(51);
    lookUpIn(lookup, "preview-0"); // expired and dropped: listed again
    assertThat(wire.server.getRequestCount()).isEqualTo(52);
    assertThat(lookup.cached()).isEqualTo(2);
  }
}
