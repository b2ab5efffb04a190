package dev.prescaler.core;

import dev.prescaler.core.AutoscalerEngine.PluginTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's timed plug-in calls: the call slots (at most one call in flight per workload and
 * {@link Stage}), the pool of daemon threads they run on when the engine has a call timeout, and
 * the waits for them. Without a call timeout, calls run inline on the calling thread and take no
 * slot.
 *
 * <p>Also knows which thread is closing the engine, from {@link #closeBegins()} to {@link
 * #closeEnds()}: that thread's waits are not ended by an interrupt, and its inline calls do not
 * start with one set: the interrupt is kept for it instead.
 *
 * <p>Thread-safe: the slots are a concurrent map, and any thread may call, wait or ask. The
 * interrupt kept while closing is guarded by the engine's lock, which the closing thread holds
 * from {@code closeBegins} to {@code closeEnds}.
 */
final class PluginCalls {
  /*
   * Call slots. `running` maps (workload, stage) to the call in flight, from its submission until
   * its body returns, whether or not the engine still waits for it. A call is submitted only into
   * a free slot (putIfAbsent), and the pool runs each call on its own thread (no queue), so the
   * pool's live threads are at most the busy slots plus the idle ones left by them (which die
   * after CALL_THREAD_KEEP_ALIVE): a source that never returns costs one thread per workload, not
   * one per tick. The slot is keyed by WorkloadRef, not held in WorkloadState, so that it survives
   * unregister/register. A call given up on before it started never runs (no late apply).
   */
  /** The engine's logger: what the calls log is the engine's log, under its name. */
  private static final Logger LOG = LoggerFactory.getLogger(AutoscalerEngine.class);
  private static final AtomicInteger CALL_THREADS = new AtomicInteger();
  /** How long an idle call thread is kept for the next call. */
  private static final Duration CALL_THREAD_KEEP_ALIVE = Duration.ofSeconds(60);
  private final Clock clock;
  private final Duration callTimeout;
  private final ThreadPoolExecutor callPool;
  private final Map<CallKey, InFlight> running = new ConcurrentHashMap<>();
  /**
   * Calls in a row not made for want of a thread, for the log: engine-wide, as running out of
   * threads is the process's condition, not a workload's, and reset by any thread started (per
   * workload and stage, the counts of workloads never called again stayed for good, and a later
   * episode went on from an old count, at DEBUG).
   */
  private final InARow noThreadInARow = new InARow();
  /** The thread running the engine's close(), while it does; written under the engine's lock. */
  private volatile Thread closer;
  /** Guarded by the engine's lock: an interrupt that came while close() waited for a release. */
  private boolean interruptedWhileClosing;

  /**
   * Calls timed out after {@code callTimeout}, on threads made by {@code threads} (null: daemon
   * threads named {@code prescaler-call-N}); inline, without a pool, when it is zero. A test's
   * {@code threads} makes the thread of every call: none is kept idle for the next, so that the
   * test knows which call a factory that fails fails (an idle thread taken or not would depend
   * on how fast the previous call's thread got back to the pool).
   */
  PluginCalls(Clock clock, Duration callTimeout, ThreadFactory threads) {
    this.clock = clock;
    this.callTimeout = callTimeout;
    long keepAlive = threads != null ? 0 : CALL_THREAD_KEEP_ALIVE.toSeconds();
    // No queue, a thread per call in flight: bounded by the call slots (see the notes above).
    this.callPool = callTimeout.isZero() ? null : new ThreadPoolExecutor(0, Integer.MAX_VALUE,
        keepAlive, TimeUnit.SECONDS, new SynchronousQueue<>(),
        threads != null ? threads : r -> {
          Thread t = new Thread(r, "prescaler-call-" + CALL_THREADS.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /** The plug-in calls the engine times, each with one slot per workload. */
  enum Stage {
    SOURCE("metric source"),
    HISTORY("metric source history"),
    REPLICAS("executor replicas"),
    APPLY("executor"),
    RELEASE("executor release");

    final String label;

    Stage(String label) {
      this.label = label;
    }
  }

  private record CallKey(WorkloadRef workload, Stage stage) {}

  /** A submitted call, from its submission until its body returns. */
  private static final class InFlight {
    final Instant since;
    /** Completed once the body returned (or was skipped) and the slot is free again. */
    final CompletableFuture<Void> finished = new CompletableFuture<>();
    private Thread runner; // guarded by this: the thread running the body, while it runs
    private boolean abandoned; // guarded by this: the engine gave up waiting
    private boolean started; // guarded by this: the body started (it may have returned since)

    InFlight(Instant since) {
      this.since = since;
    }

    /** Why a call of {@code stage} is not made while this one runs. */
    String stillRunning(Stage stage) {
      return stillRunningPrefix(stage) + " since " + since;
    }

    /** Whether the body may start on {@code t}: not when the engine already gave up. */
    synchronized boolean start(Thread t) {
      if (abandoned) {
        return false;
      }
      runner = t;
      started = true;
      return true;
    }

    /** The body returned; whether the engine had given up on it. */
    synchronized boolean end() {
      runner = null;
      return abandoned;
    }

    /**
     * The engine gives up: interrupt the body if it runs (a well-behaved plug-in stops). Returns
     * whether the body had started: if not, it never will.
     */
    synchronized boolean abandon() {
      abandoned = true;
      if (runner != null) {
        runner.interrupt();
      }
      return started;
    }
  }

  /**
   * Runs a plug-in call of {@code workload}, inline or, when a call timeout is set, on the call
   * pool with that timeout. A timeout or interruption becomes a {@link PluginTimeoutException};
   * the call keeps its slot until its body returns, and while it does, another call of the same
   * workload and stage fails at once with a {@link CallNotMadeException}. So does a call for
   * which no thread could be started (a process out of native threads): that workload is held
   * for that stage, and the next call tries again. And so does a call made on an interrupted
   * thread (but the closing one), or whose wait an interrupt ended before its body started:
   * nothing of it ran (an apply was not sent); the thread stays interrupted.
   */
  <T> T call(WorkloadRef workload, Stage stage, Callable<T> body) {
    if (callPool == null) {
      // At close, each release starts without an interrupt that came during the one before
      // (its blocking IO would fail at once, and the HPA keep its floor for good).
      keepCloserInterrupt();
      try {
        return body.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        Interrupts.keep(e);
        throw new IllegalStateException(e);
      }
    }
    if (closer != Thread.currentThread() && Thread.currentThread().isInterrupted()) {
      // Its wait would end at once, and the body might start meanwhile (an apply sent that
      // nobody waits for): not started at all.
      throw new CallNotMadeException(interruptedPrefix(stage));
    }
    CallKey key = new CallKey(workload, stage);
    InFlight slot = new InFlight(clock.instant());
    InFlight previous = running.putIfAbsent(key, slot);
    if (previous != null) {
      throw new CallNotMadeException(previous.stillRunning(stage));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      callPool.execute(() -> run(key, slot, body, result));
    } catch (RejectedExecutionException e) {
      free(key, slot);
      if (callPool.isShutdown()) {
        throw new IllegalStateException(stage.label + " not called: the engine is closed", e);
      }
      throw noThread(key, e); // the thread factory made no thread
    } catch (RuntimeException | Error e) {
      // "OutOfMemoryError: unable to create native thread", or a factory that threw: nothing
      // was started, so this one call is not made. The slot must not stay taken.
      free(key, slot);
      throw noThread(key, e);
    }
    if (noThreadInARow.count() > 0) {
      int failed = noThreadInARow.end();
      if (failed > 0) {
        LOG.info("{}: {} called, after {} calls not made for want of a thread", workload,
            stage.label, failed);
      }
    }
    try {
      return await(result);
    } catch (TimeoutException e) {
      if (!slot.abandon()) { // no thread started it in time: it never will
        throw new CallNotMadeException(notStartedPrefix(stage) + " " + callTimeout);
      }
      throw new PluginTimeoutException(stage.label + " timed out after " + callTimeout);
    } catch (InterruptedException e) {
      boolean started = slot.abandon();
      Thread.currentThread().interrupt();
      if (!started) {
        throw new CallNotMadeException(interruptedPrefix(stage)); // and it never will
      }
      throw new PluginTimeoutException(stage.label + " interrupted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c);
    }
  }

  /**
   * Waits at most one call timeout for {@code f}. While the engine closes, an interrupt does not
   * end the wait (it would abandon a release and leave an HPA steered): it is kept for the caller
   * of {@link AutoscalerEngine#close()}, which gets it back when close returns.
   */
  private <T> T await(Future<T> f)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + callTimeout.toNanos();
    while (true) {
      try {
        return f.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        if (closer != Thread.currentThread()) {
          throw e;
        }
        interruptedWhileClosing = true;
      }
    }
  }

  /** The body of a pooled call: runs unless given up on already, then frees the slot. */
  private <T> void run(CallKey key, InFlight slot, Callable<T> body, CompletableFuture<T> result) {
    if (!slot.start(Thread.currentThread())) {
      free(key, slot);
      return;
    }
    T value = null;
    Throwable error = null;
    try {
      value = body.call();
    } catch (Throwable t) { // handed to the caller, which rethrows what it is still waiting for
      error = t;
    }
    boolean late = slot.end();
    // An interrupt meant for this call must not reach the pool's next one.
    Thread.interrupted();
    if (late) {
      // Before the slot is freed, so that whoever waits for it (callsReturned) sees the line.
      logLate(key, slot, error);
    }
    // Free the slot before the caller sees the result: its next call of this stage must find it
    // free.
    free(key, slot);
    if (error != null) {
      result.completeExceptionally(error);
    } else {
      result.complete(value);
    }
  }

  /**
   * Logs how a call the engine gave up on ended ({@code error}: what it threw, or null when it
   * returned). Nobody waits for its result any more: a late failure of a write must not go
   * unseen (a release that did not restore the HPA; an apply, which may or may not have landed),
   * so a write's is logged at WARN and its late return at INFO. A read's is logged at DEBUG: the
   * engine has logged its timeout already, counted (at WARN on the first in a row and every 20th),
   * and nothing uses what it read; at WARN each, a source that hangs until interrupted logged a
   * second line per workload and tick.
   */
  private static void logLate(CallKey key, InFlight slot, Throwable error) {
    boolean write = key.stage() == Stage.APPLY || key.stage() == Stage.RELEASE;
    if (error != null && write) {
      LOG.warn("{}: {} call started at {} failed after the engine had given up on it: {}",
          key.workload(), key.stage().label, slot.since, error.toString());
    } else if (write) {
      LOG.info("{}: {} call started at {} returned after the engine had given up on it",
          key.workload(), key.stage().label, slot.since);
    } else if (error != null) {
      LOG.debug("{}: {} call started at {} failed after the engine had given up on it: {}",
          key.workload(), key.stage().label, slot.since, error.toString());
    } else {
      LOG.debug("{}: {} call started at {} returned after the engine had given up on it",
          key.workload(), key.stage().label, slot.since);
    }
  }

  /**
   * The exception for a call of {@code key} for which no thread could be started, logged: at
   * WARN on the first in a row (of any workload and stage) and every 20th, at DEBUG in between
   * (a process out of threads fails every call of every workload on every tick, and each holds
   * its workload, saying why).
   */
  private CallNotMadeException noThread(CallKey key, Throwable e) {
    String message = noThreadPrefix(key.stage()) + ": " + e;
    int failed = noThreadInARow.next();
    InARow.log(LOG, failed, "{}: {}{}", key.workload(), message, InARow.ofCount(failed));
    return new CallNotMadeException(message);
  }

  private void free(CallKey key, InFlight slot) {
    running.remove(key, slot);
    slot.finished.complete(null);
  }

  /**
   * How the message of a call of {@code stage} not made for want of a thread begins ({@code
   * "executor not called: no thread to run it"}): journaled, it tells a restore that nothing was
   * sent.
   */
  static String noThreadPrefix(Stage stage) {
    return stage.label + " not called: no thread to run it";
  }

  /**
   * How the message of a call of {@code stage} begins when no thread started it within the call
   * timeout ({@code "executor not called: no thread started it within the call timeout PT5S"}: a
   * starved pool), and it never will: journaled, it tells a restore that nothing was sent.
   */
  static String notStartedPrefix(Stage stage) {
    return stage.label + " not called: no thread started it within the call timeout";
  }

  /**
   * The message of a call of {@code stage} not made because the calling thread was interrupted
   * ({@code "executor not called: the calling thread was interrupted"}): journaled, it tells a
   * restore that nothing was sent.
   */
  static String interruptedPrefix(Stage stage) {
    return stage.label + " not called: the calling thread was interrupted";
  }

  /**
   * How the reason to hold while a call of {@code stage} runs begins ({@code "previous executor
   * call still running"}): journaled, it tells a restore that the call was still running.
   */
  static String stillRunningPrefix(Stage stage) {
    return "previous " + stage.label + " call still running";
  }

  /** The reason to hold while a call of {@code workload} and {@code stage} runs, or null. */
  String stillRunning(WorkloadRef workload, Stage stage) {
    InFlight slot = running.get(new CallKey(workload, stage));
    return slot == null ? null : slot.stillRunning(stage);
  }

  /** The workloads with a call of {@code stage} in flight now. */
  List<WorkloadRef> running(Stage stage) {
    List<WorkloadRef> out = new ArrayList<>();
    for (CallKey k : List.copyOf(running.keySet())) {
      if (k.stage() == stage) {
        out.add(k.workload());
      }
    }
    return out;
  }

  /**
   * Waits, at most one call timeout, until no call of {@code workload} and {@code stage} runs;
   * whether none does.
   */
  boolean awaitSlot(WorkloadRef workload, Stage stage) {
    InFlight slot = running.get(new CallKey(workload, stage)); // only pooled calls take slots
    if (slot == null) {
      return true;
    }
    try {
      await(slot.finished);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Completes when every call of {@code workload} in flight now has returned and freed its slot.
   * For tests, which must not sleep while a call they released finishes.
   */
  CompletableFuture<Void> callsReturned(WorkloadRef workload) {
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    running.forEach((k, slot) -> {
      if (k.workload().equals(workload)) {
        pending.add(slot.finished);
      }
    });
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
  }

  /** The call pool's live threads (busy or idle); 0 without a call timeout. For tests. */
  int callThreads() {
    return callPool == null ? 0 : callPool.getPoolSize();
  }

  /**
   * The calling thread begins to close the engine, holding the engine's lock until {@link
   * #closeEnds()}: until then, an interrupt does not end its waits (see {@link #await}).
   */
  void closeBegins() {
    closer = Thread.currentThread();
  }

  /**
   * When the calling thread closes the engine (see {@link #closeBegins()}): clears its interrupt
   * and keeps it for the caller of close, which gets it back when close returns, so that what
   * close runs next (the hook, an inline release) does not fail at once on the flag. Otherwise
   * does nothing.
   */
  void keepCloserInterrupt() {
    if (closer == Thread.currentThread() && Thread.interrupted()) {
      interruptedWhileClosing = true;
    }
  }

  /** Whether a thread is closing the engine. */
  boolean closing() {
    return closer != null;
  }

  /** Interrupts the pool's threads and starts no more: later calls fail (engine closed). */
  void shutdown() {
    if (callPool != null) {
      callPool.shutdownNow();
    }
  }

  /** The close begun by {@link #closeBegins()} is done; whether an interrupt came meanwhile. */
  boolean closeEnds() {
    closer = null;
    boolean interrupted = interruptedWhileClosing;
    interruptedWhileClosing = false;
    return interrupted;
  }

  /**
   * A call not made: the previous call of that workload and stage still runs, no thread could be
   * started for it, or the calling thread was interrupted before it started. Nothing of it ran,
   * so nothing of it can have been applied.
   */
  static final class CallNotMadeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CallNotMadeException(String message) {
      super(message, null, false, false);
    }
  }
}
