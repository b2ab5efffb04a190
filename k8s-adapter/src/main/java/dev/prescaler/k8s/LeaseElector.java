package dev.prescaler.k8s;

import dev.prescaler.core.InARow;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.KubernetesNames;
import dev.prescaler.core.ScaleExecutor;
import dev.prescaler.core.ScaleOutcome;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1LeaseSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on one {@code coordination.k8s.io/v1} Lease, so that several engine replicas run
 * and one acts. Each {@link #tryAcquireOrRenew()} reads the Lease and then: creates it when absent;
 * renews it when this candidate holds it; takes it over when it is free or its holder has not
 * renewed it for {@link Builder#leaseDuration}; otherwise leaves it. Writes are replaces carrying
 * the resourceVersion read, so of two candidates racing only one wins (the other gets 409).
 *
 * <p>Expiry is judged as Kubernetes' client-go does, by how long this candidate has seen the same
 * Lease record unchanged, not by the holder's {@code renewTime}, so clock skew between replicas
 * does not matter. This candidate counts as leader until {@link Builder#renewDeadline} after the
 * start of its last successful renewal; the deadline is shorter than the lease duration so that it
 * stops acting before another replica may take over. Both spans are measured on a monotonic
 * {@linkplain Builder#ticker ticker} ({@code System.nanoTime()}), as client-go measures them on
 * Go's monotonic clock: a wall clock stepped back (NTP, a VM restored) on the leader does not keep
 * it leading after another replica took over, nor does one stepped forward on a standby make it
 * take over early. The {@link Clock} gives only the times written into the Lease ({@code
 * renewTime}, {@code acquireTime}), which others read as a change, never as a time.
 *
 * <p>Call {@link #tryAcquireOrRenew()} every {@link Builder#retryPeriod} (or {@link
 * #start(ScheduledExecutorService)}), and wrap the engine's executor with {@link
 * #guard(ScaleExecutor)}, giving the builder the engine's call timeout ({@link
 * Builder#callTimeout}): the guard starts a call only when it ends, at the latest, at the renew
 * deadline, so that every write this candidate makes ends before another replica may take the
 * Lease over. {@link #close()} gives the Lease up at once. Thread-safe.
 */
public final class LeaseElector implements AutoCloseable {
  /** Default lease duration: 15 s (client-go's). */
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
  /**
   * Longest lease duration: 1 h. A Lease holds its duration as an int32 of seconds, which this
   * bound keeps exact (a longer one wrapped: 2^32 + 1 s was written as 1 s, and other candidates
   * took the Lease over while this one still led); the agent's own cap is 10 min.
   */
  public static final Duration MAX_LEASE_DURATION = Duration.ofHours(1);
  /** Default renew deadline: 10 s. */
  public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
  /** Default retry period: 2 s. */
  public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);
  /** Default call timeout of {@link #guard}: 0 (the guard checks that this candidate leads). */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ZERO;

  private static final Logger LOG = LoggerFactory.getLogger(LeaseElector.class);

  private final CoordinationV1Api api;
  private final ApiCalls calls;
  private final Clock clock;
  private final LongSupplier ticker;
  private final String namespace;
  private final String name;
  private final String identity;
  private final Duration leaseDuration;
  private final Duration renewDeadline;
  private final Duration retryPeriod;
  private final Duration callTimeout;

  /*
   * Rounds and close() hold `lock` for their API calls, which may take up to the client's
   * timeout. The three fields the other threads read (the executor guard, the Events listener,
   * the agent's round) are volatile, written only under the lock and read without it, so that a
   * slow API server never blocks isLeader(): each is one value, read on its own. Ticker readings
   * are compared by their difference only, as System.nanoTime() requires.
   */
  private final Object lock = new Object();
  /** The ticker at the start of the last successful renewal; null when not leading. */
  private volatile Long renewedAt;
  private volatile long acquisitions;
  private volatile String holder = "";
  private String observedRecord;
  /** The {@code observedRecord} of a Lease found absent (no record string has no '|'). */
  private static final String ABSENT = "absent";
  /** The ticker when the read that first showed {@code observedRecord} returned. */
  private long observedAt;
  private ScheduledFuture<?> scheduled;
  /** Rounds in a row whose read, update or create failed, for the log (guarded by lock). */
  private final InARow failedRounds = new InARow();
  /** Whether the round under way had a call fail (guarded by lock). */
  private boolean roundFailed;
  /**
   * Set by {@link #close()} under the lock: a round that was waiting for the lock meanwhile (a
   * scheduled one that cancel(false) cannot stop) then does nothing, so that it cannot take back
   * the Lease close() just gave up.
   */
  private boolean closed;

  private LeaseElector(Builder b) {
    this.api = new CoordinationV1Api(b.client);
    this.clock = b.clock;
    this.ticker = b.ticker;
    this.calls = new ApiCalls(b.clock, b.ticker, Sleeper.untilTicker(b.ticker), RetryPolicy.NONE);
    this.namespace = b.namespace;
    this.name = b.name;
    this.identity = b.identity;
    this.leaseDuration = b.leaseDuration;
    this.renewDeadline = b.renewDeadline;
    this.retryPeriod = b.retryPeriod;
    this.callTimeout = b.callTimeout;
  }

  /**
   * A builder.
   *
   * @param client the API client
   * @param namespace the Lease's namespace
   * @param name the Lease's name
   * @param identity this candidate's identity, unique among replicas (e.g. the pod name)
   */
  public static Builder builder(ApiClient client, String namespace, String name, String identity) {
    return new Builder(client, namespace, name, identity);
  }

  /** This candidate's identity. */
  public String identity() {
    return identity;
  }

  /** {@code namespace/name} of the Lease. */
  public String lease() {
    return namespace + "/" + name;
  }

  /** Whether this candidate leads now: it renewed the Lease less than the renew deadline ago. */
  public boolean isLeader() {
    return leadsFor(Duration.ZERO);
  }

  /**
   * Whether {@link #guard} would start a call now: this candidate leads and still will for the
   * call timeout ({@link Builder#callTimeout}) without renewing.
   */
  public boolean canStartCall() {
    return leadsFor(callTimeout);
  }

  /**
   * Whether this candidate leads now and still will for {@code span}: a write started now that
   * takes at most {@code span} ends by the renew deadline, so before another candidate may take
   * the Lease over.
   */
  boolean leadsFor(Duration span) {
    Long at = renewedAt;
    return at != null && ticker.getAsLong() - at + span.toNanos() < renewDeadline.toNanos();
  }

  /** Why {@link #guard} refuses now: who holds the Lease, or how little of the lease is left. */
  String whyNotLeading() {
    String h = holder;
    if (isLeader()) {
      return "lease " + lease() + ", held by this replica (" + identity + "), ends in less than "
          + "the call timeout (" + callTimeout + ") unless renewed first";
    }
    if (h.equals(identity)) {
      return "this replica (" + identity + ") has not renewed lease " + lease() + " within its "
          + "renew deadline (" + renewDeadline + ")";
    }
    return "lease " + lease() + " is held by " + (h.isEmpty() ? "nobody" : h) + ", this replica ("
        + identity + ") only observes";
  }

  /**
   * How many times this candidate has acquired the Lease (created it, taken it over, or renewed a
   * Lease that named it while it did not lead: a takeover whose answer was lost). A change
   * between two looks means it led anew, possibly after another candidate led in between, even if
   * {@link #isLeader()} was true at both.
   */
  public long acquisitions() {
    return acquisitions;
  }

  /** The holder seen at the last read; empty when none or not read yet. */
  public Optional<String> holder() {
    String h = holder;
    return h.isEmpty() ? Optional.empty() : Optional.of(h);
  }

  /**
   * One round of the election: read the Lease, then create, renew or take it over when allowed.
   * API errors are logged and count as not leading once the renew deadline has passed. After
   * {@link #close()}, also in a round that was waiting while it ran, does nothing and returns
   * false.
   *
   * @return whether this candidate leads after the round
   */
  public boolean tryAcquireOrRenew() {
    return tryAcquireOrRenewWithGrace(Duration.ZERO);
  }

  /**
   * A round of the election in which a Lease this candidate does not lead (another's, a free one,
   * or one that names this candidate) is taken only once this candidate has seen its record
   * unchanged for its lease duration plus {@code grace}, and a Lease that does not exist is
   * created only once seen absent for {@code grace}; a Lease it leads is renewed as always. With
   * a grace of 0, {@link #tryAcquireOrRenew()}. {@link ShardedLeaderElection} runs the rounds of
   * a replica at its cap of shards with a grace, so that the replicas under their cap get a shard
   * whose holder died first, and a capped one still takes it when none does. A takeover is the
   * same replace carrying the resourceVersion read, so of two candidates only one wins.
   */
  boolean tryAcquireOrRenewWithGrace(Duration grace) {
    synchronized (lock) {
      roundFailed = false;
      boolean leads = round(grace);
      if (!roundFailed && !closed) {
        int failed = failedRounds.end();
        if (failed > 0) {
          LOG.info("lease {}: the API server answered again, after {} failed rounds in a row",
              lease(), failed);
        }
      }
      return leads;
    }
  }

  /** The round of {@link #tryAcquireOrRenewWithGrace}; failed calls set {@code roundFailed}. */
  private boolean round(Duration grace) {
    synchronized (lock) {
      if (closed) {
        renewedAt = null;
        return false;
      }
      long start = ticker.getAsLong();
      Instant now = clock.instant();
      ApiCalls.Result<V1Lease> read =
          calls.read(() -> api.readNamespacedLease(name, namespace).execute());
      if (!read.ok() && read.code() == 404) {
        if (!grace.isZero() && !absentFor(grace, start)) {
          return false;
        }
        return create(start, now);
      }
      if (!read.ok()) {
        failedRound("read", read);
        return isLeader();
      }
      V1Lease l = read.value().orElseThrow();
      V1LeaseSpec spec = l.getSpec() != null ? l.getSpec() : new V1LeaseSpec();
      String current = spec.getHolderIdentity() == null ? "" : spec.getHolderIdentity();
      String record = current + "|" + spec.getRenewTime() + "|" + spec.getLeaseTransitions()
          + "|" + spec.getLeaseDurationSeconds();
      if (!record.equals(observedRecord)) {
        // Seen at the earliest when the read returned (client-go's observedTime): a slow read
        // must not make the holder's lease look older than it is. Its expiry is still judged at
        // the round's start, the earlier instant.
        observedRecord = record;
        observedAt = ticker.getAsLong();
      }
      holder = current;
      int seconds = spec.getLeaseDurationSeconds() != null ? spec.getLeaseDurationSeconds()
          : (int) leaseDuration.getSeconds();
      long unchanged = start - observedAt;
      boolean expired = unchanged >= Duration.ofSeconds(seconds).toNanos();
      boolean mayTake = grace.isZero()
          ? current.isEmpty() || current.equals(identity) || expired
          : isLeader() && current.equals(identity)
              || unchanged >= Duration.ofSeconds(seconds).plus(grace).toNanos();
      if (!mayTake) {
        renewedAt = null;
        return false;
      }
      boolean takeover = !current.equals(identity);
      // The record names this candidate while it does not lead: a takeover or a create whose
      // answer was lost (it timed out, yet was applied), or a restart under the same identity.
      // Renewing it acquires the Lease anew: another candidate may have led before.
      boolean regained = !takeover && renewedAt == null;
      spec.setHolderIdentity(identity);
      spec.setLeaseDurationSeconds((int) leaseDuration.getSeconds());
      spec.setRenewTime(now.atOffset(ZoneOffset.UTC));
      if (takeover) {
        spec.setAcquireTime(now.atOffset(ZoneOffset.UTC));
        spec.setLeaseTransitions(
            (spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions()) + 1);
      }
      l.setSpec(spec);
      ApiCalls.Result<V1Lease> put =
          calls.run(() -> api.replaceNamespacedLease(name, namespace, l).execute());
      if (!put.ok()) {
        if (put.code() != 409) {
          failedRound("update", put);
        }
        renewedAt = takeover ? null : renewedAt;
        return isLeader();
      }
      if (takeover || regained) {
        acquisitions++;
        LOG.info("lease {}: {} is now leader (was {})", lease(), identity,
            regained ? "already named in the Lease" : current.isEmpty() ? "free" : current);
      }
      holder = identity;
      renewedAt = start;
      return true;
    }
  }

  /** Whether the Lease has been seen absent, with no record in between, for {@code span}. */
  private boolean absentFor(Duration span, long start) {
    if (!ABSENT.equals(observedRecord)) {
      observedRecord = ABSENT;
      observedAt = ticker.getAsLong();
    }
    holder = "";
    renewedAt = null;
    return start - observedAt >= span.toNanos();
  }

  private boolean create(long start, Instant now) {
    V1Lease l = new V1Lease().apiVersion("coordination.k8s.io/v1").kind("Lease")
        .metadata(new V1ObjectMeta().name(name).namespace(namespace))
        .spec(new V1LeaseSpec().holderIdentity(identity)
            .leaseDurationSeconds((int) leaseDuration.getSeconds())
            .acquireTime(now.atOffset(ZoneOffset.UTC)).renewTime(now.atOffset(ZoneOffset.UTC))
            .leaseTransitions(0));
    ApiCalls.Result<V1Lease> r = calls.run(() -> api.createNamespacedLease(namespace, l).execute());
    if (!r.ok()) {
      if (r.code() != 409) {
        failedRound("create", r);
      }
      renewedAt = null;
      return false;
    }
    acquisitions++;
    LOG.info("lease {}: created, {} is leader", lease(), identity);
    holder = identity;
    renewedAt = start;
    return true;
  }

  /**
   * Logs a round's call that failed ({@code what}: read, update or create): at WARN on the first
   * failed round in a row and every 20th, with the count, at DEBUG in between. A round repeats
   * every retry period (2 s by default), so a Lease the Role does not grant (403) would warn
   * 43,200 times a day; the round that gets an answer again logs at INFO.
   */
  private void failedRound(String what, ApiCalls.Result<?> r) {
    roundFailed = true;
    int n = failedRounds.next();
    InARow.log(LOG, n, "lease {}: {} failed{}: {}", lease(), what, InARow.ofCount(n),
        describe(r));
  }

  private String describe(ApiCalls.Result<?> r) {
    return ApiCalls.describe(r.error().orElseThrow(), "leases.coordination.k8s.io " + lease());
  }

  /**
   * Runs {@link #tryAcquireOrRenew()} every retry period on {@code scheduler} until {@link
   * #close()}.
   *
   * @throws IllegalStateException when already started, or closed
   */
  public void start(ScheduledExecutorService scheduler) {
    Objects.requireNonNull(scheduler, "scheduler");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("lease elector " + lease() + " is closed");
      }
      if (scheduled != null) {
        throw new IllegalStateException("lease elector " + lease() + " is already started");
      }
      scheduled = scheduler.scheduleAtFixedRate(this::electionRound, 0, retryPeriod.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * One scheduled round. Nothing escapes it: an exception or error that escaped (an {@code
   * OutOfMemoryError} when the HTTP client cannot start a thread) would cancel every later round
   * of {@code scheduleAtFixedRate} without a word, and this replica would never lead again.
   */
  void electionRound() {
    try {
      tryAcquireOrRenew();
    } catch (RuntimeException e) {
      LOG.warn("lease {}: election round failed: {}", lease(), e.toString());
    } catch (Throwable e) {
      LOG.error("lease {}: election round failed; the next one runs as scheduled", lease(), e);
    }
  }

  /**
   * Gives the Lease up when this candidate holds it (clears the holder so another replica takes
   * over at once) and stops the election for good: no round writes anything once it returns,
   * not even one that was already waiting to start while it ran. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (scheduled != null) {
        scheduled.cancel(false);
        scheduled = null;
      }
      if (!isLeader()) {
        renewedAt = null;
        return;
      }
      renewedAt = null;
      ApiCalls.Result<V1Lease> read =
          calls.read(() -> api.readNamespacedLease(name, namespace).execute());
      if (!read.ok()) {
        LOG.warn("lease {}: release read failed: {}", lease(), describe(read));
        return;
      }
      V1Lease l = read.value().orElseThrow();
      if (l.getSpec() == null || !identity.equals(l.getSpec().getHolderIdentity())) {
        return;
      }
      l.getSpec().setHolderIdentity(null);
      l.getSpec().setLeaseDurationSeconds(1);
      l.getSpec().setRenewTime(clock.instant().atOffset(ZoneOffset.UTC));
      ApiCalls.Result<V1Lease> put =
          calls.run(() -> api.replaceNamespacedLease(name, namespace, l).execute());
      if (put.ok()) {
        holder = "";
        LOG.info("lease {}: released by {}", lease(), identity);
      } else {
        LOG.warn("lease {}: release failed: {}", lease(), describe(put));
      }
    }
  }

  /**
   * An executor that applies only while this candidate leads, and still will for the {@linkplain
   * Builder#callTimeout call timeout}: a call it starts ends, at the latest, at the renew deadline,
   * before another replica may take over. Otherwise it refuses. It asks again before each write
   * request the call makes through this module's executors (each PATCH, PUT and retry), then only
   * whether this candidate still leads ({@link #isLeader()}, the renew deadline not passed): the
   * call timeout was granted when the call started, so a write with less of it left still goes
   * out. A call that outlives the leadership it started under (held in a slow API server, or not
   * bounded by an engine's call timeout) so sends no write once this candidate no longer leads:
   * such a call is refused too, or {@code Failed} when an earlier try of its write may have been
   * applied.
   *
   * <p>Its {@code release} releases only while this candidate leads, so that a standby replica
   * that closes does not undo what the leader set; otherwise it throws {@link
   * IllegalStateException}, so that an engine keeps the release pending and sends it again on its
   * later ticks, which succeed once this candidate leads again (a release refused in a tick during
   * which the Lease lapsed is not lost). A standby engine that closes therefore logs one WARN per
   * workload it held in HPA-floor mode: the release was not sent.
   */
  public ScaleExecutor guard(ScaleExecutor executor) {
    return new LeaderGatedExecutor(executor, w -> leadsFor(callTimeout), w -> isLeader(),
        w -> LeaderGatedExecutor.NOT_LEADER + ": " + whyNotLeading());
  }

  /**
   * Whether {@code outcome} is the refusal of a {@link #guard} (or of a {@link
   * ShardedLeaderElection#guard}) because this replica did not lead the workload: it says
   * nothing of the workload or of the executor behind the guard.
   */
  public static boolean refusedForNotLeading(ScaleOutcome outcome) {
    return outcome.status() == ScaleOutcome.Status.REFUSED
        && outcome.message().startsWith(LeaderGatedExecutor.NOT_LEADER);
  }

  /** Builds a {@link LeaseElector}; {@link #build()} checks the durations against each other. */
  public static final class Builder {
    private final ApiClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private Clock clock = Clock.systemUTC();
    private LongSupplier ticker = System::nanoTime;
    private Duration leaseDuration = DEFAULT_LEASE_DURATION;
    private Duration renewDeadline = DEFAULT_RENEW_DEADLINE;
    private Duration retryPeriod = DEFAULT_RETRY_PERIOD;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;

    private Builder(ApiClient client, String namespace, String name, String identity) {
      this.client = Objects.requireNonNull(client, "client");
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      this.name = Objects.requireNonNull(name, "name");
      this.identity = Objects.requireNonNull(identity, "identity");
    }

    /**
     * The wall clock of the times written into the Lease ({@code renewTime}, {@code
     * acquireTime}); default {@link Clock#systemUTC()}. Leadership and expiry are timed by the
     * {@link #ticker}.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The monotonic time source, in nanoseconds, that the renew deadline and the lease expiry are
     * measured on; only differences of its readings count. Default {@code System::nanoTime}.
     * Tests pass one they move (a {@code ManualClock}'s {@code nanos}, or their own counter to
     * step the wall clock apart from it), so nothing sleeps.
     */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * How long a Lease not renewed stays with its holder, whole seconds in [1 s, {@link
     * #MAX_LEASE_DURATION 1 h}]; default 15 s.
     */
    public Builder leaseDuration(Duration leaseDuration) {
      this.leaseDuration = Objects.requireNonNull(leaseDuration, "leaseDuration");
      return this;
    }

    /**
     * How long after a renewal this candidate still counts as leader, &gt; 0 and &lt; {@code
     * leaseDuration} (so under 1 h); default 10 s.
     */
    public Builder renewDeadline(Duration renewDeadline) {
      this.renewDeadline = Objects.requireNonNull(renewDeadline, "renewDeadline");
      return this;
    }

    /** The period of {@link #start}, &gt; 0 and &lt; {@code renewDeadline}; default 2 s. */
    public Builder retryPeriod(Duration retryPeriod) {
      this.retryPeriod = Objects.requireNonNull(retryPeriod, "retryPeriod");
      return this;
    }

    /**
     * The longest one call through {@link #guard} may take: the call timeout of the engine the
     * guard is given to. The guard starts a call only while this candidate leads for at least
     * this long more, and otherwise refuses it as not leading. At least 0 and less than {@code
     * renewDeadline - retryPeriod}, so that a leader renewed every retry period can always start
     * one; default 0 (the guard checks only that this candidate leads, before the call and before
     * each of its writes).
     */
    public Builder callTimeout(Duration callTimeout) {
      this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
      return this;
    }

    /**
     * Builds the elector.
     *
     * @throws InvalidConfigurationException listing every invalid field and its value; a
     *     duration is compared with another only when that one can be (renewDeadline with a
     *     valid leaseDuration, retryPeriod with a positive renewDeadline, callTimeout with a
     *     positive window between them), so that a default is not blamed for a value given
     *     elsewhere
     */
    public LeaseElector build() {
      List<String> p = new ArrayList<>();
      if (!KubernetesNames.isLabel(namespace)) {
        p.add("namespace must be a DNS-1123 label, but was \"" + namespace + '"');
      }
      if (!KubernetesNames.isSubdomain(name)) {
        p.add("name must be a DNS-1123 subdomain, but was \"" + name + '"');
      }
      if (identity.isBlank() || identity.length() > 253) {
        p.add("identity must be 1 to 253 non-blank characters, but was \"" + identity + '"');
      }
      boolean leaseOk = leaseDuration.compareTo(Duration.ofSeconds(1)) >= 0
          && leaseDuration.compareTo(MAX_LEASE_DURATION) <= 0 && leaseDuration.getNano() == 0;
      if (!leaseOk) {
        p.add("leaseDuration must be whole seconds in [PT1S, " + MAX_LEASE_DURATION
            + "], but was " + leaseDuration);
      }
      // Against the longest lease when leaseDuration is invalid: renewDeadline is still bounded,
      // and a default is not blamed for the leaseDuration given.
      if (renewDeadline.compareTo(Duration.ZERO) <= 0
          || renewDeadline.compareTo(leaseOk ? leaseDuration : MAX_LEASE_DURATION) >= 0) {
        p.add("renewDeadline must be > 0 and < " + (leaseOk ? "leaseDuration (" + leaseDuration
            + ")" : MAX_LEASE_DURATION) + ", but was " + renewDeadline);
      }
      if (retryPeriod.compareTo(Duration.ZERO) <= 0 || renewDeadline.compareTo(Duration.ZERO) > 0
          && retryPeriod.compareTo(renewDeadline) >= 0) {
        p.add("retryPeriod must be > 0 and < renewDeadline (" + renewDeadline + "), but was "
            + retryPeriod);
      }
      // A window of 0 or less is retryPeriod's problem, reported above: not callTimeout's. Both
      // positive, the subtraction cannot overflow (FOREVER minus a negative period did).
      Duration window = renewDeadline.isNegative() || retryPeriod.isNegative() ? Duration.ZERO
          : renewDeadline.minus(retryPeriod);
      if (callTimeout.isNegative()
          || window.compareTo(Duration.ZERO) > 0 && callTimeout.compareTo(window) >= 0) {
        p.add("callTimeout must be >= 0 and < renewDeadline (" + renewDeadline
            + ") - retryPeriod (" + retryPeriod + "), but was " + callTimeout);
      }
      if (!p.isEmpty()) {
        throw new InvalidConfigurationException("LeaseElector", p);
      }
      return new LeaseElector(this);
    }
  }
}
