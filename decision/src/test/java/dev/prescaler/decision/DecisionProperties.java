package dev.prescaler.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.DecisionPolicy;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.PastDecision;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.StepLimits;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.decision.ClusterCapacityArbiter.Claim;
import dev.prescaler.decision.ClusterCapacityArbiter.Grant;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property-based tests of the decision invariants (QuickTheories over seeded generators). */
class DecisionProperties {
  private static final int EXAMPLES = 200;
  private final HpaPolicy hpa = HpaPolicy.ofDefaults();
  private final PredictivePolicy predictive = PredictivePolicy.ofDefaults();
  private final DecisionPolicy stack = Policies.predictive();

  private static int run(DecisionPolicy p, DecisionContext c) {
    return p.apply(c, Proposal.keep(c.replicas().current())).replicas();
  }

  /** The HPA and the predictive stack stay within [min, max] when the count starts there. */
  @Test
  void boundsHold() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      DecisionContext c = RandomContexts.context(new Random(seed));
      WorkloadSpec s = c.spec();
      for (DecisionPolicy p : List.of(hpa, stack)) {
        assertThat(run(p, c)).as("%s seed %d", p.name(), seed)
            .isBetween(s.minReplicas(), s.maxReplicas());
      }
    });
  }

  /**
   * The HPA's change never exceeds its limit: with a behavior, the default rate (+4 or +100 %
   * over the period); without one, max(2 × current, 4).
   */
  @Test
  void hpaRateLimitsHold() {
    HpaPolicy withBehavior = HpaPolicy.builder().defaultBehavior().build();
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      DecisionContext c = RandomContexts.context(new Random(seed));
      int current = c.replicas().current();
      long start = HpaPolicy.periodStart(c, current, Duration.ofSeconds(15));
      long limit = Math.max(current, Math.max(start + 4, 2 * start));
      assertThat(run(withBehavior, c)).as("seed %d", seed).isLessThanOrEqualTo((int) limit);
      assertThat(run(hpa, c)).as("seed %d", seed)
          .isLessThanOrEqualTo((int) Math.max(current, Math.max(2L * current, 4)));
    });
  }

  /** The step-limit step keeps every decision within the absolute and percent limits. */
  @Test
  void stepLimitsHold() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      DecisionContext c = RandomContexts.context(r);
      StepLimits limits = new StepLimits(r.nextInt(5), r.nextInt(200) + 1, r.nextInt(5),
          r.nextInt(101));
      int current = c.replicas().current();
      int out = DecisionPolicy.chain(stack, new StepLimit(limits)).apply(c,
          Proposal.keep(current)).replicas();
      assertThat(out).isBetween(limits.maxDown(current), limits.maxUp(current));
    });
  }

  /** Nothing scales down inside a cooldown, whatever the proposal. */
  @Test
  void noScaleDownInsideCooldown() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      DecisionContext base = RandomContexts.context(r);
      Cooldown cooldown = Cooldown.ofDefaults();
      int current = base.replicas().current();
      DecisionContext c = DecisionContext.builder(base.spec(), base.now(), base.replicas())
          .reading(base.spec().metrics().get(0).name(),
              base.readings().values().iterator().next())
          .lastScaleUp(base.now().minusSeconds(r.nextInt(180))).build();
      int wanted = r.nextInt(current + 1);
      assertThat(cooldown.apply(c, Proposal.keep(current).to("x", wanted, "y")).replicas())
          .isEqualTo(current);
    });
  }

  /**
   * Inside the scale-down stabilization window, when every recommendation recorded there is at
   * least the current count, the HPA does not scale down.
   */
  @Test
  void noScaleDownInsideStabilization() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      DecisionContext base = RandomContexts.context(r);
      int current = base.replicas().current();
      DecisionContext.Builder b = DecisionContext.builder(base.spec(), base.now(),
          base.replicas()).reading(base.spec().metrics().get(0).name(),
              base.readings().values().iterator().next());
      b.past(new PastDecision(base.now().minusSeconds(1 + r.nextInt(299)), current, current,
          false, Map.of(HpaPolicy.DEFAULT_MARK, current + r.nextInt(3))));
      assertThat(run(hpa, b.build())).as("seed %d", seed).isGreaterThanOrEqualTo(
          Math.min(current, base.spec().maxReplicas()));
    });
  }

  /**
   * Missing or invalid data never reaches a policy, so no policy can scale on it: a context whose
   * metric has no reading, or a NaN, infinite or negative one, cannot be built. The engine holds
   * such a workload before the chain runs (the reliability suite's fault sequences check that
   * it never scales); {@code DecisionContext} refuses what the engine never hands on. (This
   * property was that the HPA and the predictive policy kept the count on a context with no
   * reading, which can no longer be made.)
   */
  @Test
  void missingOrInvalidDataCannotReachAPolicy() {
    double[] invalid = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1e-9};
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      WorkloadSpec spec = RandomContexts.spec(r);
      var rs = RandomContexts.replicas(r, spec);
      String metric = spec.metrics().get(0).name();
      DecisionContext.Builder b = DecisionContext.builder(spec, Fixtures.NOW, rs);
      assertThatThrownBy(b::build).as("seed %d", seed)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("readings must hold exactly the spec's metrics [" + metric + "], but was "
              + "{}");
      double bad = invalid[r.nextInt(invalid.length)];
      assertThatThrownBy(() -> b.reading(metric, bad)).as("seed %d", seed)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("reading of " + metric + " must be finite and >= 0, but was " + bad);
    });
  }

  /** More demand (live and forecast) never gives fewer replicas. */
  @Test
  void monotoneInDemand() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      DecisionContext c = RandomContexts.context(r);
      DecisionContext more = RandomContexts.scaled(c, 1 + r.nextDouble() * 2);
      for (DecisionPolicy p : List.of(hpa, predictive, stack)) {
        assertThat(run(p, more)).as("%s seed %d", p.name(), seed)
            .isGreaterThanOrEqualTo(run(p, c));
      }
    });
  }

  /** The same inputs twice give the same proposal: policies are pure. */
  @Test
  void sameInputsTwiceChangeNothing() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      DecisionContext c = RandomContexts.context(new Random(seed));
      Proposal a = stack.apply(c, Proposal.keep(c.replicas().current()));
      Proposal b = stack.apply(c, Proposal.keep(c.replicas().current()));
      assertThat(b).isEqualTo(a);
    });
  }

  /**
   * Repeating a tick with the memory of the first one (its marks recorded as a past decision)
   * gives the same count: a decision does not feed on itself.
   */
  @Test
  void repeatingATickWithItsOwnMemoryChangesNothing() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      DecisionContext c = RandomContexts.context(new Random(seed));
      int current = c.replicas().current();
      Proposal first = stack.apply(c, Proposal.keep(current));
      List<PastDecision> recent = new ArrayList<>(c.recent());
      recent.add(new PastDecision(c.now(), current, first.replicas(), false, first.marks()));
      DecisionContext next = new DecisionContext(c.spec(), c.now(),
          c.replicas(), c.readings(), c.loads(), c.sampleTime(), c.histories(), c.forecasts(),
          recent, c.lastScaleUp(), c.lastScaleDown(), c.startupDelay(),
          c.startupDelayMeasured(), c.metricsDelay(), c.syncPeriod());
      assertThat(stack.apply(next, Proposal.keep(current)).replicas()).as("seed %d", seed)
          .isEqualTo(first.replicas());
    });
  }

  /** An active pin is the result whatever came before; floors and ceilings bound it. */
  @Test
  void overridesWin() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      DecisionContext c = RandomContexts.context(r);
      ManualOverrides o = new ManualOverrides();
      DecisionPolicy chain = Policies.predictive(o);
      int pin = r.nextInt(50);
      o.pin(c.workload(), pin, c.now().plusSeconds(1 + r.nextInt(600)), "test");
      assertThat(run(chain, c)).isEqualTo(pin);
      int floor = r.nextInt(30);
      int ceiling = floor + r.nextInt(30);
      o.floor(c.workload(), floor, c.now().plusSeconds(1 + r.nextInt(600)), "test");
      o.ceiling(c.workload(), ceiling, c.now().plusSeconds(1 + r.nextInt(600)), "test");
      assertThat(run(chain, c)).isBetween(floor, ceiling);
      o.pin(c.workload(), pin, c.now(), "expired");
      assertThat(run(chain, c)).isEqualTo(run(Policies.predictive(), c));
    });
  }

  /**
   * Each bound of an override expires on its own: whatever order a floor and a ceiling were set
   * in and whatever their expiries, the result at any instant is the proposal bounded by the
   * floor and the ceiling active then (the ceiling winning when they cross), and nothing once both
   * have expired.
   */
  @Test
  void eachOverrideBoundExpiresOnItsOwn() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      DecisionContext c = RandomContexts.context(r);
      ManualOverrides o = new ManualOverrides();
      int floor = r.nextInt(30);
      int ceiling = r.nextInt(30);
      Instant floorUntil = c.now().plusSeconds(r.nextInt(600));
      Instant ceilingUntil = c.now().plusSeconds(r.nextInt(600));
      if (r.nextBoolean()) {
        o.floor(c.workload(), floor, floorUntil, "f");
        o.ceiling(c.workload(), ceiling, ceilingUntil, "c");
      } else {
        o.ceiling(c.workload(), ceiling, ceilingUntil, "c");
        o.floor(c.workload(), floor, floorUntil, "f");
      }
      Instant at = c.now().plusSeconds(r.nextInt(700));
      DecisionContext later = new DecisionContext(c.spec(), at, c.replicas(), c.readings(),
          c.loads(), c.sampleTime(), c.histories(), c.forecasts(), c.recent(), c.lastScaleUp(),
          c.lastScaleDown(), c.startupDelay(), c.startupDelayMeasured(), c.metricsDelay(),
          c.syncPeriod());
      int proposed = r.nextInt(40);
      int expected = proposed;
      if (at.isBefore(floorUntil)) {
        expected = Math.max(expected, floor);
      }
      if (at.isBefore(ceilingUntil)) {
        expected = Math.min(expected, ceiling);
      }
      int current = c.replicas().current();
      assertThat(o.apply(later, Proposal.keep(current).to("x", proposed, "y")).replicas())
          .as("seed %d", seed).isEqualTo(expected);
    });
  }

  /** The predictive policy and the default stack never go below the reactive HPA. */
  @Test
  void predictiveIsAtLeastReactive() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      DecisionContext c = RandomContexts.context(new Random(seed));
      int reactive = run(hpa, c);
      assertThat(run(predictive, c)).as("seed %d", seed).isGreaterThanOrEqualTo(reactive);
      assertThat(run(stack, c)).as("seed %d", seed).isGreaterThanOrEqualTo(reactive);
    });
  }

  /**
   * With no earlier need to hold, the predictive policy asks for at most twice the highest load
   * of the history or the live load, however far the forecast runs, unless the reactive floor or
   * the dead band (the current count) asks for more.
   */
  @Test
  void aForecastNeverAsksForMoreThanTwiceTheHighestLoadSeen() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      WorkloadSpec spec = RandomContexts.spec(r);
      ReplicaStatus rs = RandomContexts.replicas(r, spec);
      MetricTarget m = spec.metrics().get(0);
      double scale = m.perReplicaTarget() * spec.maxReplicas();
      double[] history = new double[60 + r.nextInt(600)];
      for (int i = 0; i < history.length; i++) {
        history[i] = r.nextInt(10) == 0 ? Double.NaN : r.nextDouble() * scale;
      }
      DecisionContext c = DecisionContext.builder(spec, Fixtures.NOW, rs)
          .reading(m.name(), RandomContexts.reading(r, spec, rs.current()))
          .history(m.name(), SpikeFilterTest.history(history))
          .forecast(m.name(), RandomContexts.forecast(r, Fixtures.NOW,
              scale * (1 + r.nextInt(100))))
          .build();
      double highest = c.loads().getOrDefault(m.name(), 0.0);
      for (double v : history) {
        highest = Double.isNaN(v) ? highest : Math.max(highest, v);
      }
      int capped = PredictivePolicy.replicasFor(2 * highest, m.perReplicaTarget());
      int allowed = Math.max(capped, Math.max(run(hpa, c), rs.current()));
      assertThat(run(predictive, c)).as("seed %d", seed).isLessThanOrEqualTo(allowed);
    });
  }

  /**
   * The arbiter never exceeds the budget unless the minimums force it, never cuts below
   * min(proposal, min), never grants more than proposed, leaves no budget idle that one more
   * replica of a cut claim would fit in, and gives a lower priority more than its floor while a
   * higher one is cut only from what that one has no room for: less than one of its replicas.
   */
  @Test
  void arbiterRespectsBudgetMinsAndPriorities() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      int n = 1 + r.nextInt(8);
      List<Claim> claims = new ArrayList<>();
      double floors = 0;
      for (int i = 0; i < n; i++) {
        Claim c = new Claim(dev.prescaler.core.WorkloadRef.deployment("default", "w" + i),
            r.nextInt(40), r.nextInt(6), r.nextInt(3), 0.1 + r.nextDouble() * 5,
            0.25 + r.nextInt(8) * 0.25);
        claims.add(c);
        floors += c.floor() * c.unitsPerReplica();
      }
      double budget = r.nextDouble() * 150;
      List<Grant> grants = ClusterCapacityArbiter.allocate(budget, claims);
      double used = 0;
      for (int i = 0; i < n; i++) {
        Claim c = claims.get(i);
        Grant g = grants.get(i);
        assertThat(g.replicas()).isBetween(c.floor(), c.proposed());
        assertThat(g.cut()).isEqualTo(g.replicas() < c.proposed());
        used += g.replicas() * c.unitsPerReplica();
      }
      assertThat(used).isLessThanOrEqualTo(Math.max(budget, floors) + 1e-6);
      for (int i = 0; i < n; i++) {
        if (!grants.get(i).cut()) {
          continue;
        }
        Claim cut = claims.get(i);
        assertThat(budget - used).as("seed %d: idle budget", seed)
            .isLessThan(cut.unitsPerReplica() + 1e-6);
        double below = 0;
        for (int j = 0; j < n; j++) {
          Claim c = claims.get(j);
          if (c.priority() < cut.priority()) {
            below += (grants.get(j).replicas() - c.floor()) * c.unitsPerReplica();
          }
        }
        assertThat(below).as("seed %d: given to lower priorities", seed)
            .isLessThan(cut.unitsPerReplica() + 1e-6);
      }
    });
  }

  /**
   * Time-of-day bounds keep the count inside the active window's [min, max], and leave it alone
   * outside every window. Whether a window is active is computed here (not asked of the bounds)
   * from the list of its occurrences, each an interval of instants: Mon–Fri 08:00–18:00 UTC, and
   * Fri and Sat 22:00–06:00 in Berlin, from 22:00 on one of those days to 06:00 the next on the
   * clock, which wraps past midnight and holds both daylight-saving changes of 2026 (early on
   * Sunday, 03-29 and 10-25: those nights last 7 h and 9 h). Instants are drawn from a week in
   * January and the weeks around those changes, and each case must come up often.
   */
  @Test
  void timeOfDayBoundsHold() {
    java.time.ZoneId berlin = java.time.ZoneId.of("Europe/Berlin");
    TimeOfDayBounds office = TimeOfDayBounds.builder(java.time.ZoneOffset.UTC)
        .window("MON-FRI 08:00-18:00", 5, 20).build();
    TimeOfDayBounds nights = TimeOfDayBounds.builder(berlin)
        .window("FRI-SAT 22:00-06:00", 30, 40).build();
    DecisionPolicy both = DecisionPolicy.chain(office, nights);
    Instant[] from = {Fixtures.NOW, Instant.parse("2026-03-25T00:00:00Z"),
        Instant.parse("2026-10-21T00:00:00Z")};
    List<Instant[]> nightList = new ArrayList<>();
    for (Instant f : from) {
      java.time.LocalDate first = f.atZone(berlin).toLocalDate().minusDays(1);
      for (int d = 0; d < 9; d++) {
        java.time.LocalDate day = first.plusDays(d);
        if (day.getDayOfWeek() == java.time.DayOfWeek.FRIDAY
            || day.getDayOfWeek() == java.time.DayOfWeek.SATURDAY) {
          Instant on = day.atTime(22, 0).atZone(berlin).toInstant();
          Instant off = day.plusDays(1).atTime(6, 0).atZone(berlin).toInstant();
          nightList.add(new Instant[] {on, off});
        }
      }
    }
    int[] seen = new int[3];
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      Instant t = from[r.nextInt(from.length)].plusSeconds(r.nextInt(7 * 86_400));
      java.time.ZonedDateTime utc = t.atZone(java.time.ZoneOffset.UTC);
      boolean weekday = utc.getDayOfWeek().getValue() <= 5;
      boolean inOffice = weekday && utc.getHour() >= 8 && utc.getHour() < 18;
      boolean atNight = nightList.stream()
          .anyMatch(n -> !t.isBefore(n[0]) && t.isBefore(n[1]));
      WorkloadSpec spec = Fixtures.rps(10, 1, 100);
      DecisionContext c = DecisionContext.builder(spec, t,
          dev.prescaler.core.ReplicaStatus.of(10, 10)).reading("rps", 100).build();
      int wanted = r.nextInt(60);
      int out = both.apply(c, Proposal.keep(10).to("x", wanted, "y")).replicas();
      int expected = inOffice ? Math.max(5, Math.min(20, wanted))
          : atNight ? Math.max(30, Math.min(40, wanted)) : wanted;
      seen[inOffice ? 0 : atNight ? 1 : 2]++;
      assertThat(out).as("seed %d: %s (%s)", seed, t, t.atZone(berlin)).isEqualTo(expected);
    });
    assertThat(seen[0]).as("in the office window").isGreaterThan(EXAMPLES / 10);
    assertThat(seen[1]).as("in the night window").isGreaterThan(EXAMPLES / 30);
    assertThat(seen[2]).as("in neither").isGreaterThan(EXAMPLES / 10);
  }

  /**
   * Each time-of-day window happens once per day, from its start time to its end time on the
   * clock, also across a daylight-saving change: scanned minute by minute over the four days
   * around a change (zones with 1 h changes at 02:00 or at midnight, and Lord Howe's 30 min), a
   * window of a random start and end (1 min to 22 h apart on the clock, so that two days'
   * windows never touch; in a quarter of the cases the start, in another the end, within 90 min
   * of the change on the clock, and in another the start in the skipped or repeated time and the
   * end after it, but not after the start moved by a gap) is active in runs that start on
   * distinct local dates, each at the start time on that date and ending at the end time on it
   * or, when it wraps, the next: both read on the clock (a time in the repeated hour at its first
   * occurrence, one in a spring-forward gap later by the gap) and equal to
   * {@code ZonedDateTime.of}'s resolution. Every date whose window, so resolved, is non-empty and
   * inside the scan has a run; a date whose end resolves to no later than its start has none
   * (such days must come up).
   */
  @Test
  void timeOfDayWindowsHappenOncePerDayFromStartToEndOnTheClock() {
    String[] zones = {"Europe/Berlin", "America/New_York", "America/Santiago",
        "Australia/Lord_Howe"};
    int[] emptyDays = new int[1];
    qt().withExamples(100).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      java.time.ZoneId zone = java.time.ZoneId.of(zones[r.nextInt(zones.length)]);
      java.time.zone.ZoneRules rules = zone.getRules();
      java.time.zone.ZoneOffsetTransition change = rules.nextTransition(
          Instant.parse("2026-01-01T00:00:00Z").plusSeconds(r.nextInt(365 * 86_400)));
      // The changed hour on the clock: [lo, hi) is skipped (a gap) or comes twice
      java.time.LocalTime lo = (change.isGap() ? change.getDateTimeBefore()
          : change.getDateTimeAfter()).toLocalTime();
      int loMinute = lo.toSecondOfDay() / 60;
      int changeMinutes = (int) change.getDuration().abs().toMinutes();
      int kind = r.nextInt(4);
      java.time.LocalTime start;
      java.time.LocalTime end;
      if (kind < 3) {
        int lengthMinutes = 1 + r.nextInt(22 * 60);
        int near = Math.floorMod(loMinute - 90 + r.nextInt(181), 1440);
        int startMinute = kind == 0 ? r.nextInt(1440)
            : kind == 1 ? near : Math.floorMod(near - lengthMinutes, 1440);
        start = java.time.LocalTime.MIN.plusMinutes(startMinute);
        end = start.plusMinutes(lengthMinutes);
      } else {
        // Start in the changed hour and end after it, no later than the start moved by the
        // gap: empty on the day of a gap
        int k = r.nextInt(changeMinutes);
        start = lo.plusMinutes(k);
        end = lo.plusMinutes(changeMinutes + r.nextInt(k + 1));
      }
      boolean wraps = end.isBefore(start);
      String spec = "* " + start + "-" + end;
      TimeOfDayBounds b = TimeOfDayBounds.builder(zone).maxWindow(spec, 5).build();
      Instant from = change.getInstant().minus(Duration.ofDays(2));
      Instant to = change.getInstant().plus(Duration.ofDays(2));
      List<Instant[]> runs = new ArrayList<>();
      Instant runStart = null;
      boolean wasOn = b.activeAt(from).isPresent();
      for (Instant t = from.plusSeconds(60); t.isBefore(to); t = t.plusSeconds(60)) {
        boolean on = b.activeAt(t).isPresent();
        if (on && !wasOn) {
          runStart = t;
        } else if (!on && wasOn && runStart != null) {
          runs.add(new Instant[] {runStart, t});
        }
        wasOn = on;
      }
      String what = String.format(java.util.Locale.ROOT, "seed %d: %s in %s around %s", seed,
          spec, zone, change);
      java.util.Set<java.time.LocalDate> dates = new java.util.HashSet<>();
      for (Instant[] run : runs) {
        java.time.LocalDate day = java.time.LocalDate.ofInstant(run[0], zone);
        assertThat(dates.add(day)).as(what + ", second run on " + day).isTrue();
        java.time.LocalDateTime on = day.atTime(start);
        java.time.LocalDateTime off = day.plusDays(wraps ? 1 : 0).atTime(end);
        assertThat(onTheClock(run[0], on, rules)).as(what + ", run from " + run[0]).isTrue();
        assertThat(onTheClock(run[1], off, rules)).as(what + ", run to " + run[1]).isTrue();
        assertThat(run[0]).as(what).isEqualTo(on.atZone(zone).toInstant());
        assertThat(run[1]).as(what).isEqualTo(off.atZone(zone).toInstant());
      }
      java.util.Set<java.time.LocalDate> expected = new java.util.HashSet<>();
      for (java.time.LocalDate d = java.time.LocalDate.ofInstant(from, zone).minusDays(1);
          !d.isAfter(java.time.LocalDate.ofInstant(to, zone)); d = d.plusDays(1)) {
        Instant on = d.atTime(start).atZone(zone).toInstant();
        Instant off = d.plusDays(wraps ? 1 : 0).atTime(end).atZone(zone).toInstant();
        if (!off.isAfter(on)) {
          emptyDays[0]++;
        } else if (on.isAfter(from) && off.isBefore(to)) {
          expected.add(d);
        }
      }
      assertThat(dates).as(what).isEqualTo(expected);
    });
    assertThat(emptyDays[0]).as("days whose window is empty").isGreaterThan(0);
  }

  /**
   * Whether {@code t} is the local date-time {@code at} on the clock of {@code rules}: its first
   * occurrence when the clocks went back over it, or later by the gap when they skipped it.
   */
  private static boolean onTheClock(Instant t, java.time.LocalDateTime at,
      java.time.zone.ZoneRules rules) {
    List<java.time.ZoneOffset> valid = rules.getValidOffsets(at);
    java.time.ZoneOffset offset = rules.getOffset(t);
    java.time.LocalDateTime clock = java.time.LocalDateTime.ofInstant(t, offset);
    if (valid.isEmpty()) {
      java.time.zone.ZoneOffsetTransition gap = rules.getTransition(at);
      return clock.equals(at.plus(gap.getDuration())) && offset.equals(gap.getOffsetAfter());
    }
    return clock.equals(at) && offset.equals(valid.get(0));
  }

  /** Every change of the count carries a reason naming the step. */
  @Test
  void everyChangeHasAReason() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      DecisionContext c = RandomContexts.context(new Random(seed));
      Proposal p = stack.apply(c, Proposal.keep(c.replicas().current()));
      int prev = c.replicas().current();
      for (var reason : p.reasons()) {
        assertThat(reason.from()).isEqualTo(prev);
        assertThat(reason.step()).isNotBlank();
        prev = reason.to();
      }
      assertThat(prev).isEqualTo(p.replicas());
      if (c.spec().metrics().get(0).type() == MetricTarget.Type.AVERAGE_VALUE) {
        assertThat(p.reasons()).isNotEmpty();
      }
    });
  }
}
