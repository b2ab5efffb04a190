package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.ReplicaStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HpaPolicy} hands the calculator a utilization reading as three counted groups of pods
 * ({@link HpaReplicaCalculator#uniformCpuUtilization}); the result must be exactly the one of the
 * calculator's general path over the pod list {@link HpaPolicy#pods} builds.
 */
class HpaUniformPodsProperties {
  /** Zero, short, the default and the longest the builder takes (1 h; it took 2 days). */
  private static final Duration[] CPU_INIT = {Duration.ZERO, Duration.ofSeconds(1),
      Duration.ofMinutes(5), Duration.ofHours(1)};

  private static double reading(Random r) {
    switch (r.nextInt(6)) {
      case 0:
        return r.nextInt(300); // whole percent
      case 1:
        return r.nextDouble() * 300;
      case 2:
        return 0;
      case 3:
        return r.nextDouble() * 1e6;
      case 4:
        return r.nextDouble() * Math.pow(10, r.nextInt(20)); // huge: long sums must not wrap
      default:
        return r.nextDouble() * Math.pow(10, r.nextInt(300)); // beyond every long
    }
  }

  /** Ready above or below {@code current} (sometimes none), some of them warming. */
  private static ReplicaStatus replicas(Random r, int current) {
    int ready = Math.max(0, current + r.nextInt(7) - 5 - (r.nextInt(4) == 0 ? current : 0));
    int warming = ready == 0 || r.nextBoolean() ? 0 : r.nextInt(ready + 1);
    return new ReplicaStatus(current, ready, warming);
  }

  private static double target(Random r) {
    return r.nextBoolean() ? 1 + r.nextInt(150) : 0.5 + r.nextDouble() * 200;
  }

  private static HpaPolicy policy(Random r) {
    return HpaPolicy.builder()
        .toleranceUp(r.nextInt(3) * 0.05)
        .toleranceDown(r.nextInt(3) * 0.05)
        .cpuInitializationPeriod(CPU_INIT[r.nextInt(CPU_INIT.length)])
        .build();
  }

  /**
   * For any replica counts (current, ready above or below it, warming), reading, target,
   * tolerances and CPU initialization period, the counted groups give the same result (count,
   * ratio, explanation, error) as the list of pods.
   */
  @Test
  void countedGroupsGiveTheResultOfThePodList() {
    qt().withExamples(5_000).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      int current = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(r.nextBoolean() ? 30 : 3000);
      ReplicaStatus replicas = replicas(r, current);
      double reading = reading(r);
      double target = target(r);
      HpaPolicy policy = policy(r);
      Instant now = Instant.ofEpochSecond(1_700_000_000L + r.nextInt(1_000_000));

      HpaReplicaCalculator.Result counted = policy.recommend(
          MetricTarget.utilization("cpu", target), reading, replicas, now);
      HpaReplicaCalculator.Result listed = policy.calculator().resourceUtilization(
          HpaPolicy.pods(replicas, reading, now), current, target, true, now);

      assertThat(counted).as("seed %d: %s at %s of %s", seed, replicas, reading, target)
          .isEqualTo(listed);
    });
  }

  /**
   * The same for a {@code Resource} metric with an {@code AverageValue} target ({@code cpu},
   * whose warming pods are unready, or {@code memory}, whose are not), against the calculator's
   * per-pod value path ({@code calcPlainMetricReplicas}) over that list, each pod with a sample
   * at the reading's share per ready pod.
   */
  @Test
  void countedGroupsGiveThePerPodValueOfThePodList() {
    qt().withExamples(3_000).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      int current = 1 + r.nextInt(r.nextBoolean() ? 30 : 3000);
      ReplicaStatus replicas =
          replicas(r, current).withExisting(Math.max(0, current + r.nextInt(5) - 2));
      double perPod = r.nextInt(3) == 0 ? r.nextInt(4000) / 1000.0 : r.nextDouble() * 4;
      double total = perPod * replicas.ready();
      long targetMilli = 1 + r.nextInt(3000);
      HpaPolicy policy = policy(r);
      Instant now = Instant.ofEpochSecond(1_700_000_000L + r.nextInt(1_000_000));
      boolean cpu = r.nextBoolean();

      HpaReplicaCalculator.Result counted = policy.recommend(MetricTarget.averageValue(
          cpu ? "cpu" : "memory", targetMilli / 1000.0), total, replicas, now);
      long usage = replicas.ready() == 0 ? 0 : HpaPolicy.milliPerPod(total, replicas.ready());
      HpaReplicaCalculator.Result listed = policy.calculator().plainValue(
          HpaPolicy.pods(replicas, usage / 10.0, now), current, targetMilli, cpu, now);

      assertThat(counted).as("seed %d: %s at %s of %s", seed, replicas, total, targetMilli)
          .isEqualTo(listed);
    });
  }

  /**
   * More load never gives fewer replicas: for any replica counts, target, tolerances and CPU
   * initialization period, a reading at least as high gives at least the count of a lower one,
   * never a negative one, however large (finite) it is: the sums saturate instead of wrapping.
   */
  @Test
  void aHigherReadingNeverGivesFewerReplicas() {
    qt().withExamples(5_000).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      int current = 1 + r.nextInt(r.nextBoolean() ? 30 : 3000);
      ReplicaStatus replicas = replicas(r, current);
      double low = reading(r);
      double high = switch (r.nextInt(3)) {
        case 0 -> low;
        case 1 -> low + reading(r);
        default -> Math.min(Double.MAX_VALUE, low * (1 + r.nextDouble() * 1e6));
      };
      double target = target(r);
      HpaPolicy policy = policy(r);
      Instant now = Instant.ofEpochSecond(1_700_000_000L);
      MetricTarget cpu = MetricTarget.utilization("cpu", target);
      HpaReplicaCalculator.Result a = policy.recommend(cpu, low, replicas, now);
      HpaReplicaCalculator.Result b = policy.recommend(cpu, high, replicas, now);
      assertThat(b.error()).as("seed %d", seed).isEqualTo(a.error());
      if (!a.error()) {
        assertThat(a.replicas()).as("seed %d: %s at %s", seed, replicas, low)
            .isGreaterThanOrEqualTo(0);
        assertThat(b.replicas()).as("seed %d: %s at %s, then %s of %s", seed, replicas, low,
            high, target).isGreaterThanOrEqualTo(a.replicas());
      }
    });
  }

  @Test
  void warmingPodsAreUnreadyOnlyWhileInitializing() {
    ReplicaStatus replicas = new ReplicaStatus(4, 4, 2);
    MetricTarget cpu = MetricTarget.utilization("cpu", 50);
    Instant now = Instant.parse("2026-01-05T00:00:00Z");
    // 2 long-ready pods at 150 % of 50: ratio 3; the 2 warming pods count as 0 % when scaling up.
    HpaReplicaCalculator.Result initializing = HpaPolicy.ofDefaults().recommend(cpu, 150,
        replicas, now);
    assertThat(initializing.explanation()).isEqualTo("utilization 150% of target 50%, ratio "
        + "3.000; with 0 missing and 2 unready pods corrected: ratio 1.500: ceil(1.500 x 4) = 6");
    assertThat(initializing.replicas()).isEqualTo(6);
    // Without an initialization period they are ready pods with the same sample.
    HpaReplicaCalculator.Result ready = HpaPolicy.builder().cpuInitializationPeriod(Duration.ZERO)
        .build().recommend(cpu, 150, replicas, now);
    assertThat(ready.explanation())
        .isEqualTo("utilization 150% of target 50%: ceil(3.000 x 4 ready) = 12");
    assertThat(ready.replicas()).isEqualTo(12);
  }
}
