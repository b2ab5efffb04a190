package dev.prescaler.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.DecisionRecord.Action;
import dev.prescaler.core.journal.DecisionRecord.Kind;
import dev.prescaler.journal.JsonLinesJournal;
import dev.prescaler.testkit.DecisionInvariants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts in the middle of a simulated trace. An uninterrupted engine runs the whole trace; a
 * second engine runs the first part with a JSON-lines journal and stops; a third, built with the
 * same configuration, restores from the journal file, backfills its history from the source and
 * runs the rest. From the restart on, its journal must equal the uninterrupted one's (but for the
 * HPA floor, which the restarted engine sends once more on its first decision), and its policies
 * must have seen the same past decisions, last scale times, history and forecasts — scale-down
 * stabilization and cooldowns included.
 */
class RestartTest {
  private static final int TICKS = 120;
  private static final long[] SEEDS = {1, 7, 42, 2026};

  @TempDir Path dir;

  @Test
  void restartedEngineMakesTheDecisionsOfAnUninterruptedOne() throws IOException {
    for (long seed : SEEDS) {
      int restartAt = TICKS / 2;
      RestartScenario sc = new RestartScenario(seed, TICKS, restartAt);
      Reference ref = reference(sc, seed);
      Path file = dir.resolve("clean-" + seed + ".jsonl");

      SimCluster cluster = sc.newCluster();
      RestartScenario.Run first = sc.new Run(cluster, JsonLinesJournal.open(file),
          sc.tickTime(0));
      first.ticks(0, restartAt);
      first.close();

      List<DecisionRecord> before = JsonLinesJournal.read(file);
      assertThat(before).hasSize(restartAt * sc.specs.size());
      RestartScenario.Run second = sc.new Run(cluster, JsonLinesJournal.open(file),
          sc.tickTime(restartAt));
      second.engine.restore(before);
      second.ticks(restartAt, TICKS);
      second.close();

      assertResumedLikeTheReference(sc, ref, file, restartAt, second);
    }
  }

  /**
   * A crash while a line was being written leaves half a line at the end of the file. The restart
   * skips it and redoes that tick, which changed nothing in the cluster, so its decisions still
   * equal the uninterrupted engine's.
   */
  @Test
  void truncatedLastJournalLineDoesNotStopTheRestart() throws IOException {
    for (long seed : SEEDS) {
      RestartScenario sc = new RestartScenario(seed, TICKS, TICKS / 2);
      Reference ref = reference(sc, seed);
      int crashAt = firstQuietTick(sc, ref.records, TICKS / 2);
      Path file = dir.resolve("crash-" + seed + ".jsonl");

      SimCluster cluster = sc.newCluster();
      RestartScenario.Run first = sc.new Run(cluster, JsonLinesJournal.open(file),
          sc.tickTime(0));
      first.ticks(0, crashAt + 1);
      first.close();
      cutMidLine(file, sc.tickTime(crashAt));

      List<DecisionRecord> before = JsonLinesJournal.read(file);
      assertThat(before).hasSize(crashAt * sc.specs.size());
      RestartScenario.Run second = sc.new Run(cluster, JsonLinesJournal.open(dir.resolve(
          "crash-" + seed + "-after.jsonl")), sc.tickTime(crashAt));
      second.engine.restore(before);
      second.ticks(crashAt, TICKS);
      second.close();

      assertResumedLikeTheReference(sc, ref, dir.resolve("crash-" + seed + "-after.jsonl"),
          crashAt, second);
    }
  }

  /**
   * A crash while the line of a tick whose acting workload scaled was written loses the record of
   * that scale, which the cluster already runs. The record is the only trace of it, so the
   * restarted engine does not count it (its cooldowns and past decisions lack it) and may decide
   * otherwise than the uninterrupted engine from then on. What holds: the redone tick decides
   * from the count it observes, does not send the lost scale again (it keeps the count when the
   * lost scale had reached what was asked), and every record after it keeps the invariants.
   */
  @Test
  void truncatedLineOfATickThatScaledIsRedoneFromTheObservedCount() throws IOException {
    WorkloadRef api = RestartScenario.API;
    for (long seed : SEEDS) {
      RestartScenario sc = new RestartScenario(seed, TICKS, TICKS / 2);
      Reference ref = reference(sc, seed);
      for (boolean up : new boolean[] {true, false}) {
        int crashAt = firstTickThatScaled(sc, ref.records, 1, api, up);
        Instant at = sc.tickTime(crashAt);
        DecisionRecord lost = ref.records.stream()
            .filter(r -> r.time().equals(at) && r.workload().equals(api))
            .findFirst().orElseThrow();
        String name = "scaled-" + seed + (up ? "-up" : "-down");
        Path file = dir.resolve(name + ".jsonl");

        SimCluster cluster = sc.newCluster();
        RestartScenario.Run first = sc.new Run(cluster, JsonLinesJournal.open(file),
            sc.tickTime(0));
        first.ticks(0, crashAt + 1);
        first.close();
        assertThat(cluster.get(api)).isEqualTo(lost.desired());
        cutMidLine(file, at);

        List<DecisionRecord> before = JsonLinesJournal.read(file);
        assertThat(before).hasSize(crashAt * sc.specs.size());
        Path after = dir.resolve(name + "-after.jsonl");
        RestartScenario.Run second = sc.new Run(cluster, JsonLinesJournal.open(after), at);
        second.engine.restore(before);
        second.ticks(crashAt, TICKS);
        second.close();

        List<DecisionRecord> resumed = JsonLinesJournal.read(after);
        DecisionRecord redone = resumed.stream().filter(r -> r.workload().equals(api))
            .findFirst().orElseThrow();
        String what = "seed " + seed + ", the tick at " + at + " that scaled " + lost.current()
            + " -> " + lost.desired() + " redone";
        assertThat(redone.time()).as(what).isEqualTo(at);
        assertThat(redone.current()).as(what).isEqualTo(lost.desired());
        assertThat(second.executor.requests(api)).as(what)
            .noneMatch(r -> r.from() == lost.current() && r.to() == lost.desired())
            .allMatch(r -> !r.time().equals(at) || r.from() == lost.desired());
        if (lost.desired() == lost.proposed()) {
          assertThat(redone.kind()).as(what).isEqualTo(Kind.KEEP);
          assertThat(redone.desired()).as(what).isEqualTo(lost.desired());
        }
        assertThat(DecisionInvariants.check(resumed, sc.specs)).as(what).isEmpty();
        List<Instant> tickTimes = new ArrayList<>();
        for (int i = crashAt; i < TICKS; i++) {
          tickTimes.add(sc.tickTime(i));
        }
        assertThat(DecisionInvariants.checkTicks(resumed, List.of(api, RestartScenario.GATEWAY),
            tickTimes)).as(what).isEmpty();
      }
    }
  }

  /**
   * After a crash left half a line, the restarted engine appends to the same file; the file must
   * still be readable at the next restart.
   */
  @Test
  void journalReopenedAfterACrashStaysReadable() throws IOException {
    RestartScenario sc = new RestartScenario(3, 20, 10);
    Path file = dir.resolve("reopened.jsonl");
    SimCluster cluster = sc.newCluster();
    RestartScenario.Run first = sc.new Run(cluster, JsonLinesJournal.open(file), sc.tickTime(0));
    first.ticks(0, 6);
    first.close();
    cutMidLine(file, sc.tickTime(5));
    RestartScenario.Run second = sc.new Run(cluster, JsonLinesJournal.open(file),
        sc.tickTime(5));
    second.engine.restore(JsonLinesJournal.read(file));
    second.ticks(5, 10);
    second.close();
    List<DecisionRecord> all = JsonLinesJournal.read(file);
    assertThat(all).hasSize(10 * sc.specs.size());
  }

  // ---------------------------------------------------------------------------------------------

  private record Reference(List<DecisionRecord> records, List<String> seen) {}

  private Reference reference(RestartScenario sc, long seed) {
    Path file = dir.resolve("reference-" + seed + ".jsonl");
    try (RestartScenario.Run all = sc.new Run(sc.newCluster(), JsonLinesJournal.open(file),
        sc.tickTime(0))) {
      all.ticks(0, sc.ticks);
      all.engine.journal().flush();
      List<DecisionRecord> records = JsonLinesJournal.read(file);
      assertThat(records).hasSize(sc.ticks * sc.specs.size());
      // The scenario must exercise what a restart can lose: scale-ups and -downs, cooldowns,
      // stabilization and holds with an unknown replica count.
      assertThat(records).anyMatch(r -> r.action() == Action.APPLIED && r.desired() > r.current());
      assertThat(records).anyMatch(r -> r.action() == Action.APPLIED && r.desired() < r.current());
      assertThat(records).anyMatch(r -> r.reasons().stream()
          .anyMatch(x -> x.step().equals("cooldown")));
      assertThat(records).anyMatch(r -> r.reasons().stream()
          .anyMatch(x -> x.step().equals("stabilization")));
      assertThat(records).anyMatch(r -> r.kind() == Kind.HOLD && r.current() == -1);
      for (var spec : sc.specs) {
        assertThat(DecisionInvariants.check(records.stream()
            .filter(r -> r.workload().equals(spec.workload())).toList(), spec)).isEmpty();
      }
      return new Reference(records, List.copyOf(all.seen));
    }
  }

  private static void assertResumedLikeTheReference(RestartScenario sc, Reference ref, Path file,
      int from, RestartScenario.Run resumed) {
    Instant at = sc.tickTime(from);
    List<DecisionRecord> expected = ref.records.stream().filter(r -> !r.time().isBefore(at))
        .map(RestartScenario::withoutFollowUp).toList();
    List<DecisionRecord> actual = JsonLinesJournal.read(file).stream()
        .filter(r -> !r.time().isBefore(at)).map(RestartScenario::withoutFollowUp).toList();
    assertThat(actual).hasSize(expected.size());
    Set<WorkloadRef> floorSent = new HashSet<>();
    for (int i = 0; i < expected.size(); i++) {
      DecisionRecord e = expected.get(i);
      DecisionRecord a = actual.get(i);
      if (e.mode() == Mode.HPA_FLOOR && e.kind() != Kind.HOLD && floorSent.add(e.workload())
          && e.action() == Action.NONE) {
        // The restarted engine does not assume the HPA still holds its floor (a graceful stop
        // gave the HPA its own spec back): its first decision sends the same floor again.
        assertThat(a.action()).as("floor re-sent after the restart: record %d", i)
            .isEqualTo(Action.APPLIED);
        a = withAction(a, e.action(), e.actionMessage());
      } else if (e.mode() == Mode.HPA_FLOOR && e.kind() != Kind.HOLD) {
        floorSent.add(e.workload());
      }
      assertThat(a).as("record %d after the restart at %s", i, at).isEqualTo(e);
    }
    List<String> expectedSeen = ref.seen.subList(ref.seen.size() - resumed.seen.size(),
        ref.seen.size());
    for (int i = 0; i < expectedSeen.size(); i++) {
      assertThat(resumed.seen.get(i)).as("what the policy saw, call %d after the restart", i)
          .isEqualTo(expectedSeen.get(i));
    }
  }

  private static DecisionRecord withAction(DecisionRecord r, Action action, String message) {
    return new DecisionRecord(r.sequence(), r.time(), r.workload(), r.mode(), r.kind(),
        r.current(), r.ready(), r.metrics(), r.unavailable(), r.loads(), r.forecasts(),
        r.proposed(), r.desired(), r.reasons(), r.marks(), action, message, r.followUp(),
        r.timing());
  }

  /**
   * The first tick at or after {@code from} where no workload's executor was called (the
   * scenario never holds an HPA floor under maxReplicas, whose quiet re-sends are NONE too).
   */
  private static int firstQuietTick(RestartScenario sc, List<DecisionRecord> records, int from) {
    for (int i = from; i < sc.ticks; i++) {
      Instant t = sc.tickTime(i);
      if (records.stream().filter(r -> r.time().equals(t))
          .allMatch(r -> r.action() == Action.NONE)) {
        return i;
      }
    }
    throw new AssertionError("no quiet tick after " + from);
  }

  /** The first tick at or after {@code from} where {@code w} (acting) applied a scale. */
  private static int firstTickThatScaled(RestartScenario sc, List<DecisionRecord> records,
      int from, WorkloadRef w, boolean up) {
    for (int i = from; i < sc.ticks; i++) {
      Instant t = sc.tickTime(i);
      if (records.stream().anyMatch(r -> r.time().equals(t) && r.workload().equals(w)
          && r.kind() == Kind.SCALE && r.action() == Action.APPLIED
          && (r.desired() > r.current()) == up)) {
        return i;
      }
    }
    throw new AssertionError("no scale of " + w + " after " + from);
  }

  /**
   * Simulates a crash while the first record of the tick at {@code t} was being written: the file
   * keeps what came before and half of that line.
   */
  private static void cutMidLine(Path file, Instant t) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    String marker = "\"time\":\"" + t + "\"";
    int cut = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("\"type\":\"decision\"") && lines.get(i).contains(marker)) {
        cut = i;
        break;
      }
    }
    assertThat(cut).as("a decision line at %s", t).isNotNegative();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cut; i++) {
      b.append(lines.get(i)).append('\n');
    }
    String half = lines.get(cut).substring(0, lines.get(cut).length() / 2);
    b.append(half);
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
  }
}
