package dev.prescaler.k8s;

import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.WorkloadRef;
import io.kubernetes.client.openapi.ApiClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Leader election per shard: workloads are spread over {@code N} Leases
 * ({@code <prefix>-0 … <prefix>-(N-1)}) by a stable hash of {@code namespace/kind/name}, and a
 * replica acts on a workload only while it holds that workload's shard Lease. With {@link
 * Builder#maxShardsHeld} below N, replicas share the shards.
 *
 * <p>Availability wins over balance: {@code maxShardsHeld} is the most shards a replica
 * <em>seeks</em>, not a bound on what it leads. A replica under its cap takes a shard whose holder
 * stopped renewing after the lease duration, as {@link LeaseElector} does; a replica at its cap
 * takes it too, after one more lease duration (so two in all, 30 s by default, counted from when
 * it first saw the Lease's record unchanged), which gives the replicas under their cap the first
 * chance. So a shard never stays without a leader while one replica runs, and it is taken only
 * by the Lease takeover (a replace carrying the resourceVersion read, after the holder's renew
 * deadline), so it never has two. To see such shards, a replica at its cap reads every Lease it
 * does not hold each round.
 *
 * <p>A replica that took shards beyond its cap keeps them (renews them) until it stops: a replica
 * that holds no shard appears in no Lease, so a surplus holder cannot tell that another replica
 * could take them, and giving one up on the chance would leave it without a leader for a lease
 * duration or more whenever none could. The spread is restored when the surplus holder restarts
 * (its {@link #close()} frees its Leases at once, and replicas under their cap take them) or dies.
 * Thread-safe.
 */
public final class ShardedLeaderElection implements AutoCloseable {
  private final List<LeaseElector> shards;
  private final int maxHeld;
  private final Duration callTimeout;
  private final Duration takeoverGrace;

  private ShardedLeaderElection(List<LeaseElector> shards, int maxHeld, Duration callTimeout,
      Duration takeoverGrace) {
    this.shards = List.copyOf(shards);
    this.maxHeld = maxHeld;
    this.callTimeout = callTimeout;
    this.takeoverGrace = takeoverGrace;
  }

  /**
   * A builder.
   *
   * @param client the API client
   * @param namespace the namespace of the Leases
   * @param prefix the Leases' name prefix; shard {@code i} is {@code <prefix>-<i>}
   * @param identity this replica's identity
   */
  public static Builder builder(ApiClient client, String namespace, String prefix,
      String identity) {
    return new Builder(client, namespace, prefix, identity);
  }

  /**
   * The shard of a workload: FNV-1a (32 bit) of the UTF-8 bytes of {@code namespace/kind/name},
   * passed through MurmurHash3's 32-bit finalizer ({@code fmix32}), unsigned, modulo {@code
   * shards}. The same on every replica, JVM and run.
   *
   * @throws IllegalArgumentException when {@code shards} &lt; 1
   */
  public static int shardOf(WorkloadRef workload, int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, but was " + shards);
    }
    byte[] key = (workload.namespace() + "/" + workload.kind() + "/" + workload.name())
        .getBytes(StandardCharsets.UTF_8);
    int h = 0x811c9dc5;
    for (byte b : key) {
      h ^= b & 0xff;
      h *= 0x01000193;
    }
    // FNV-1a's low bits depend only on the bytes' low bits (keys that repeat digits cluster), so
    // mix all bits into all bits with MurmurHash3's 32-bit finalizer before taking the modulo.
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Integer.remainderUnsigned(h, shards);
  }

  /** The number of shards. */
  public int shards() {
    return shards.size();
  }

  /**
   * One election round over the shards: renews those held, tries the others as {@link
   * LeaseElector#tryAcquireOrRenew()} does while fewer than {@code maxShardsHeld} are held, and
   * past that takes only the shards whose Lease it has seen unchanged for two lease durations
   * (their holder is gone and no replica under its cap took them).
   *
   * @return the shards held after the round
   */
  public Set<Integer> tryAcquireOrRenew() {
    int held = 0;
    for (LeaseElector e : shards) {
      if (e.isLeader() && e.tryAcquireOrRenew()) {
        held++;
      }
    }
    for (LeaseElector e : shards) {
      if (!e.isLeader()
          && e.tryAcquireOrRenewWithGrace(held < maxHeld ? Duration.ZERO : takeoverGrace)) {
        held++;
      }
    }
    return held();
  }

  /** The shards this replica leads now. */
  public Set<Integer> held() {
    Set<Integer> out = new TreeSet<>();
    for (int i = 0; i < shards.size(); i++) {
      if (shards.get(i).isLeader()) {
        out.add(i);
      }
    }
    return out;
  }

  /**
   * How many times this replica has acquired a shard, over all shards (see {@link
   * LeaseElector#acquisitions()}). A change between two rounds means it leads a shard anew,
   * perhaps after another replica led it: call {@link
   * dev.prescaler.core.AutoscalerEngine#resendFloors()} then, since that replica may have raised
   * or given back the HPAs of the shard's workloads since this engine last sent their floors.
   */
  public long acquisitions() {
    long n = 0;
    for (LeaseElector e : shards) {
      n += e.acquisitions();
    }
    return n;
  }

  /** Whether this replica leads the workload's shard now. */
  public boolean owns(WorkloadRef workload) {
    return shardOf(workload).isLeader();
  }

  /**
   * An executor that applies only for workloads whose shard this replica leads, and still will for
   * the {@linkplain Builder#callTimeout call timeout}, asking again before each write request, as
   * {@link LeaseElector#guard} does. Its {@code release} throws {@link IllegalStateException} for
   * the others, as {@link LeaseElector#guard} does: the engine keeps the release pending, sends it
   * again every tick (logging a WARN) and it goes through once this replica leads the shard,
   * unless the workload is back in HPA-floor mode by then.
   */
  public ScaleExecutor guard(ScaleExecutor executor) {
    return new LeaderGatedExecutor(executor, w -> shardOf(w).leadsFor(callTimeout),
        w -> shardOf(w).isLeader(),
        w -> LeaderGatedExecutor.NOT_LEADER + " of " + w + "'s shard: "
            + shardOf(w).whyNotLeading());
  }

  private LeaseElector shardOf(WorkloadRef workload) {
    return shards.get(shardOf(workload, shards.size()));
  }

  /** Gives up every shard Lease held. */
  @Override
  public void close() {
    shards.forEach(LeaseElector::close);
  }

  /** Builds a {@link ShardedLeaderElection}. */
  public static final class Builder {
    private final ApiClient client;
    private final String namespace;
    private final String prefix;
    private final String identity;
    private int shards = 1;
    private int maxShardsHeld = -1;
    private Clock clock = Clock.systemUTC();
    private LongSupplier ticker = System::nanoTime;
    private Duration leaseDuration = LeaseElector.DEFAULT_LEASE_DURATION;
    private Duration renewDeadline = LeaseElector.DEFAULT_RENEW_DEADLINE;
    private Duration callTimeout = LeaseElector.DEFAULT_CALL_TIMEOUT;

    private Builder(ApiClient client, String namespace, String prefix, String identity) {
      this.client = Objects.requireNonNull(client, "client");
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      this.identity = Objects.requireNonNull(identity, "identity");
    }

    /** Number of shards (Leases), in [1, 1024]; default 1. */
    public Builder shards(int shards) {
      if (shards < 1 || shards > 1024) {
        throw new IllegalArgumentException("shards must be in [1, 1024], but was " + shards);
      }
      this.shards = shards;
      return this;
    }

    /**
     * Most shards one replica seeks, in [1, shards]; default all of them. A replica at this cap
     * still takes a shard nobody has renewed for two lease durations, and keeps it until it
     * stops (see the class documentation).
     */
    public Builder maxShardsHeld(int maxShardsHeld) {
      if (maxShardsHeld < 1) {
        throw new IllegalArgumentException("maxShardsHeld must be >= 1, but was " + maxShardsHeld);
      }
      this.maxShardsHeld = maxShardsHeld;
      return this;
    }

    /** The clock of the times written into the Leases; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The monotonic ticker of every shard; default {@code System::nanoTime} (see {@link
     * LeaseElector.Builder#ticker}).
     */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Lease duration of every shard; default 15 s (see {@link
     * LeaseElector.Builder#leaseDuration}).
     */
    public Builder leaseDuration(Duration leaseDuration) {
      this.leaseDuration = Objects.requireNonNull(leaseDuration, "leaseDuration");
      return this;
    }

    /**
     * Renew deadline of every shard; default 10 s (see {@link
     * LeaseElector.Builder#renewDeadline}).
     */
    public Builder renewDeadline(Duration renewDeadline) {
      this.renewDeadline = Objects.requireNonNull(renewDeadline, "renewDeadline");
      return this;
    }

    /**
     * The longest one call through {@link #guard} may take; default 0 (see {@link
     * LeaseElector.Builder#callTimeout}; each shard's retry period is a fifth of the renew
     * deadline).
     */
    public Builder callTimeout(Duration callTimeout) {
      this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
      return this;
    }

    /**
     * Builds the election.
     *
     * @throws IllegalArgumentException when {@code maxShardsHeld} exceeds {@code shards} or a
     *     shard's elector is invalid
     */
    public ShardedLeaderElection build() {
      int max = maxShardsHeld == -1 ? shards : maxShardsHeld;
      if (max > shards) {
        throw new IllegalArgumentException("maxShardsHeld must be <= shards (" + shards
            + "), but was " + max);
      }
      List<LeaseElector> list = new ArrayList<>();
      for (int i = 0; i < shards; i++) {
        list.add(LeaseElector.builder(client, namespace, prefix + "-" + i, identity).clock(clock)
            .ticker(ticker)
            .leaseDuration(leaseDuration).renewDeadline(renewDeadline)
            .retryPeriod(renewDeadline.dividedBy(5).isZero() ? Duration.ofMillis(1)
                : renewDeadline.dividedBy(5))
            .callTimeout(callTimeout).build());
      }
      // One more lease duration: replicas under their cap, which take a Lease left unrenewed for
      // one, get the first chance by a whole lease duration, far more than a round apart.
      return new ShardedLeaderElection(list, max, callTimeout, leaseDuration);
    }
  }
}
