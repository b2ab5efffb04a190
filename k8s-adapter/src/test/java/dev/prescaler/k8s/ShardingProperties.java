package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.prescaler.core.WorkloadRef;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Invariants of {@link ShardedLeaderElection#shardOf}. */
class ShardingProperties {
  private static Gen<WorkloadRef> workloads() {
    Gen<String> label = strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 20);
    return label.zip(label, (ns, name) -> WorkloadRef.deployment(ns, name));
  }

  /** Every workload has exactly one shard, in [0, shards), the same on every call. */
  @Test
  void eachWorkloadMapsToOneStableShardInRange() {
    qt().withExamples(500).forAll(workloads(), integers().between(1, 1024))
        .check((w, n) -> {
          int s = ShardedLeaderElection.shardOf(w, n);
          return s >= 0 && s < n && s == ShardedLeaderElection.shardOf(
              new WorkloadRef(w.namespace(), w.kind(), w.name()), n);
        });
  }

  /** With one shard, everything is shard 0. */
  @Test
  void oneShardHoldsEverything() {
    qt().withExamples(200).forAll(workloads())
        .check(w -> ShardedLeaderElection.shardOf(w, 1) == 0);
  }

  /**
   * The hash is fixed across JVMs and releases: these values must never change, or replicas of
   * two versions running side by side in a rolling update put one workload in two shards, and
   * both act on it. Literals, so that a change to the hash and to a copy of it cannot agree.
   */
  @Test
  void knownWorkloadsKeepTheirShard() {
    assertThat(ShardedLeaderElection.shardOf(WorkloadRef.deployment("shop", "web"), 1000))
        .isEqualTo(425);
    assertThat(ShardedLeaderElection.shardOf(WorkloadRef.deployment("shop", "cart"), 16))
        .isEqualTo(4);
    assertThat(ShardedLeaderElection.shardOf(WorkloadRef.statefulSet("db", "pg"), 7))
        .isEqualTo(3);
    assertThat(ShardedLeaderElection.shardOf(WorkloadRef.deployment("prod", "checkout"), 1024))
        .isEqualTo(1);
    assertThat(ShardedLeaderElection.shardOf(WorkloadRef.deployment("team-1", "svc"), 4))
        .isEqualTo(0);
    int[] counts = new int[4];
    for (int i = 0; i < 4000; i++) {
      counts[ShardedLeaderElection.shardOf(WorkloadRef.deployment("ns-" + i, "svc-" + i), 4)]++;
    }
    for (int c : counts) {
      assertThat(c).as("spread over 4 shards").isBetween(850, 1150);
    }
  }
}
