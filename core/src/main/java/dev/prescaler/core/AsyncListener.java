package dev.prescaler.core;

import dev.prescaler.core.event.DecisionEvent;
import dev.prescaler.core.event.FailureEvent;
import dev.prescaler.core.event.HeldEvent;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the engine's events to another listener on a thread of its own, so that a listener
 * that calls a remote API (Kubernetes Events, a chat hook, a ticket system) cannot slow the
 * engine: the engine calls its listeners on the tick, under its lock, and a slow API server would
 * otherwise hold every workload's decisions back by as long as each call takes.
 *
 * <ul>
 *   <li>Events reach the delegate in the order the engine published them, one at a time.
 *   <li>Only the events the delegate handles are queued: a method it does not override (e.g.
 *       {@code onDecision}, published for every workload on every tick) costs nothing.
 *   <li>The queue is bounded ({@value #DEFAULT_CAPACITY} events by default). When it is full a
 *       new event is dropped, never waited for: the engine does not block. The first drop is
 *       logged at WARN; when the queue takes events again, how many were dropped is logged at
 *       INFO. {@link #dropped()} counts them all.
 *   <li>Whatever the delegate throws, an exception or any {@code Error} (an {@code
 *       OutOfMemoryError} too), is logged at WARN, the event counts as delivered, and the next
 *       one is delivered: the thread dies only of a {@code ThreadDeath} ({@code Thread.stop}).
 *   <li>{@link #close(Duration)} delivers what is queued, waiting at most that long, then stops
 *       the thread; what is still queued then, and events published after it, are dropped.
 *       Close it after the engine, so that the engine's last events (the releases of its close)
 *       are delivered.
 * </ul>
 *
 * <pre>{@code
 * AsyncListener events = AsyncListener.of(kubernetesEvents, "kubernetes-events");
 * AutoscalerEngine engine = AutoscalerEngine.builder()...listener(events).build();
 * ...
 * engine.close();
 * events.close();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class AsyncListener implements EngineListener, AutoCloseable {
  /** Default number of events the queue holds: {@value}. */
  public static final int DEFAULT_CAPACITY = 10_000;
  /** How long {@link #close()} waits for the queued events to be delivered: 10 seconds. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
  /** The longest wait {@link #awaitDelivered} and {@link #close(Duration)} make. */
  private static final Duration FOREVER = Duration.ofDays(36_500);

  private static final Logger LOG = LoggerFactory.getLogger(AsyncListener.class);

  private final EngineListener delegate;
  private final String name;
  private final BlockingQueue<Runnable> queue;
  private final Thread thread;
  private final boolean decisions;
  private final boolean scaled;
  private final boolean held;
  private final boolean failures;
  private final boolean modes;
  /** Events accepted and not yet delivered (guarded by this). */
  private long pending;
  /** Events dropped since this listener was built (guarded by this). */
  private long dropped;
  /** Events dropped since the queue last took one (guarded by this). */
  private long droppingNow;
  /** Whether close has begun (guarded by this). */
  private boolean closed;
  /** Set when close() interrupts the thread, so that it stops. */
  private boolean stopping;

  private AsyncListener(EngineListener delegate, String name, int capacity) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.name = Objects.requireNonNull(name, "name");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, but was " + capacity);
    }
    this.queue = new ArrayBlockingQueue<>(capacity);
    Class<?> type = delegate.getClass();
    this.decisions = overrides(type, "onDecision", DecisionEvent.class);
    this.scaled = overrides(type, "onScaled", ScaledEvent.class);
    this.held = overrides(type, "onHeld", HeldEvent.class);
    this.failures = overrides(type, "onFailure", FailureEvent.class);
    this.modes = overrides(type, "onModeChanged", ModeChangedEvent.class);
    this.thread = new Thread(this::deliver, "prescaler-listener-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Wraps {@code delegate}, with a queue of {@value #DEFAULT_CAPACITY} events.
   *
   * @param delegate the listener to call on the new thread
   * @param name a name for the thread ({@code prescaler-listener-<name>}) and the logs
   */
  public static AsyncListener of(EngineListener delegate, String name) {
    return of(delegate, name, DEFAULT_CAPACITY);
  }

  /**
   * Wraps {@code delegate}.
   *
   * @param delegate the listener to call on the new thread
   * @param name a name for the thread ({@code prescaler-listener-<name>}) and the logs
   * @param capacity how many events may wait, &ge; 1
   * @throws IllegalArgumentException when {@code capacity} is below 1
   */
  public static AsyncListener of(EngineListener delegate, String name, int capacity) {
    return new AsyncListener(delegate, name, capacity);
  }

  private static boolean overrides(Class<?> type, String method, Class<?> event) {
    try {
      return type.getMethod(method, event).getDeclaringClass() != EngineListener.class;
    } catch (NoSuchMethodException e) {
      throw new AssertionError("EngineListener." + method + " is missing", e);
    }
  }

  @Override
  public void onDecision(DecisionEvent event) {
    if (decisions) {
      enqueue(() -> delegate.onDecision(event));
    }
  }

  @Override
  public void onScaled(ScaledEvent event) {
    if (scaled) {
      enqueue(() -> delegate.onScaled(event));
    }
  }

  @Override
  public void onHeld(HeldEvent event) {
    if (held) {
      enqueue(() -> delegate.onHeld(event));
    }
  }

  @Override
  public void onFailure(FailureEvent event) {
    if (failures) {
      enqueue(() -> delegate.onFailure(event));
    }
  }

  @Override
  public void onModeChanged(ModeChangedEvent event) {
    if (modes) {
      enqueue(() -> delegate.onModeChanged(event));
    }
  }

  private synchronized void enqueue(Runnable delivery) {
    if (closed) {
      dropped++;
      return;
    }
    if (!queue.offer(delivery)) {
      dropped++;
      if (droppingNow++ == 0) {
        LOG.warn("listener {}: queue full ({} events), dropping events until it has room",
            name, queue.size());
      }
      return;
    }
    pending++;
    if (droppingNow > 0) {
      LOG.info("listener {}: queue has room again; {} events were dropped", name, droppingNow);
      droppingNow = 0;
    }
  }

  private void deliver() {
    while (true) {
      Runnable next;
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        synchronized (this) {
          if (stopping) {
            return; // close gave up waiting
          }
        }
        continue; // not close's: an interrupt from elsewhere stops nothing
      }
      try {
        next.run();
      } catch (Throwable e) {
        // Any Error too, as the engine's scheduled tick does: a dead thread delivers nothing
        // again, pending() never falls, every later event is dropped as "queue full" and close()
        // waits out its timeout; while the next event may well be delivered (memory freed). The
        // thread goes on, unless the interrupt close() sends came back as the delegate's
        // InterruptedException, or it is stopped (ThreadDeath, rethrown so that it dies).
        LOG.warn("listener {} failed: {}", name, e.toString());
        if (e instanceof ThreadDeath death) {
          synchronized (this) {
            pending--;
            notifyAll();
          }
          throw death;
        }
        if (e instanceof InterruptedException) {
          synchronized (this) {
            if (stopping) { // close() gave up waiting and interrupted this thread
              pending--;
              notifyAll();
              return;
            }
          }
        }
      }
      synchronized (this) {
        pending--;
        notifyAll();
        if (closed && pending == 0) {
          return;
        }
        if (!stopping) {
          // A listener that left the flag set (caught an interrupt, set it again, threw) would
          // end the next take(): the interrupts that stop this thread are close()'s alone.
          Thread.interrupted();
        }
      }
    }
  }

  /** How many events were dropped because the queue was full or the listener closed. */
  public synchronized long dropped() {
    return dropped;
  }

  /** How many events wait or are being delivered. */
  public synchronized long pending() {
    return pending;
  }

  /**
   * Waits until every event accepted so far has been delivered.
   *
   * @return whether it was, within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public synchronized boolean awaitDelivered(Duration timeout) throws InterruptedException {
    // Saturated: toNanos() overflows beyond 292 years, and a century is as good as forever.
    long wait = timeout.compareTo(FOREVER) > 0 ? FOREVER.toNanos() : timeout.toNanos();
    long deadline = System.nanoTime() + wait;
    while (pending > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /**
   * Delivers the queued events, waiting at most {@code timeout}, then stops the thread; events
   * published afterwards are dropped. What is still queued after the timeout is dropped and
   * logged at WARN.
   *
   * @return whether every queued event was delivered
   */
  public boolean close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    synchronized (this) {
      if (closed) {
        return pending == 0;
      }
      closed = true;
      if (pending == 0) {
        stopping = true;
        thread.interrupt();
        return true;
      }
    }
    boolean delivered;
    try {
      delivered = awaitDelivered(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      delivered = false;
    }
    if (!delivered) {
      long left;
      synchronized (this) {
        // Dropped: a stuck delegate that comes back delivers nothing more. One drain, so an
        // event the thread takes meanwhile is either delivered or dropped, never both.
        int queued = queue.drainTo(new ArrayList<>());
        pending -= queued;
        dropped += queued;
        left = pending + queued;
        stopping = true;
      }
      LOG.warn("listener {}: closed with {} events not delivered after {}", name, left,
          timeout);
      thread.interrupt();
    }
    return delivered;
  }

  /** {@link #close(Duration)} with {@link #DEFAULT_CLOSE_TIMEOUT}. */
  @Override
  public void close() {
    close(DEFAULT_CLOSE_TIMEOUT);
  }

  @Override
  public String toString() {
    return "AsyncListener{" + name + ", " + delegate + "}";
  }
}
