package dev.prescaler.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The CPU time a benchmark thread spent in the measured calls, as JMH secondary results: {@code
 * <benchmark>:cpuMillis} and {@code <benchmark>:calls}, each summed over the measurement
 * iterations, so CPU time per call = cpuMillis ÷ calls. On a shared machine the primary
 * (wall-clock) score also counts the time the thread waited for a core; this one does not. Each
 * call costs two reads of the thread's CPU clock (well under a microsecond), so it is used only
 * where one call takes microseconds or more.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuTime {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private long start;
  /** CPU time spent in measured calls during the iteration, in milliseconds. */
  public double cpuMillis;
  /** Measured calls during the iteration. */
  public long calls;

  /** Resets the counters for a new iteration (JMH sums them over iterations). */
  @Setup(Level.Iteration)
  public void reset() {
    cpuMillis = 0;
    calls = 0;
  }

  /** Marks the start of a measured call. */
  public void begin() {
    start = threads.getCurrentThreadCpuTime();
  }

  /** Marks the end of the measured call begun last. */
  public void end() {
    cpuMillis += (threads.getCurrentThreadCpuTime() - start) / 1e6;
    calls++;
  }
}
