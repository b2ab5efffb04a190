package dev.prescaler.benchmarks;

import dev.prescaler.decision.Policies;
import dev.prescaler.forecast.Forecasters;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;

/**
 * A command-line probe of the heap an engine retains per workload: builds an {@link
 * EngineFixture} (7 days of 1-minute history backfilled per workload), ticks it, forces garbage
 * collection and prints (heap used after − heap used before) ÷ workloads, where "before" is taken
 * after the metric source exists and before the engine is built, so only the engine, its
 * per-workload state, its forecasters' per-series state and its journal are counted.
 *
 * <p>Usage: {@code java -Xmx12g -XX:+UseSerialGC -cp benchmarks.jar
 * dev.prescaler.benchmarks.RetainedHeap [workloads] [stack] [ticks]} with {@code workloads}
 * default 10,000; {@code stack} {@code predictive} ({@link Policies#predictive()} and {@link
 * Forecasters#auto()}, the default) or {@code hpa} ({@link Policies#hpa()}, no forecaster); and
 * {@code ticks} default 0. The forecasters are fitted at the first tick; with {@code auto} that
 * costs tens of milliseconds of CPU per workload.
 */
public final class RetainedHeap {
  private RetainedHeap() {}

  /**
   * Runs the probe and prints one line of results.
   *
   * @param args workloads, stack, ticks (all optional)
   */
  public static void main(String[] args) {
    int workloads = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    String stack = args.length > 1 ? args[1] : "predictive";
    int ticks = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    if (!stack.equals("predictive") && !stack.equals("hpa")) {
      throw new IllegalArgumentException("stack must be predictive or hpa, but was " + stack);
    }
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = usedAfterGc(memory);
    EngineFixture fixture = stack.equals("predictive")
        ? EngineFixture.build(workloads, Forecasters.auto(), Policies.predictive())
        : EngineFixture.build(workloads, Policies.hpa());
    for (int i = 0; i < ticks; i++) {
      fixture.tick();
    }
    long after = usedAfterGc(memory);
    double perWorkload = (after - before) / (double) workloads;
    System.out.printf(Locale.ROOT,
        "workloads=%d stack=%s ticks=%d heapBefore=%d heapAfter=%d retainedPerWorkload=%.0f B"
            + " (%.1f KiB)%n",
        workloads, stack, ticks, before, after, perWorkload, perWorkload / 1024);
    // Keep the engine reachable until after the measurement.
    fixture.engine().close();
  }

  private static long usedAfterGc(MemoryMXBean memory) {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
