package dev.prescaler.core.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InMemoryJournalTest {
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static DecisionRecord record(long seq) {
    return new DecisionRecord(seq, T0.plusSeconds(seq), WEB, Mode.ACT, DecisionRecord.Kind.KEEP,
        2, 2, Map.of(), Map.of(), Map.of(), Map.of(), 2, 2, List.of(), Map.of(),
        DecisionRecord.Action.NONE, "no change", Optional.empty());
  }

  @Test
  void keepsTheNewestRecordsInOrderAndCountsTheDropped() {
    InMemoryJournal j = new InMemoryJournal(3);
    for (long s = 0; s < 5; s++) {
      j.append(record(s));
    }
    assertThat(j.records()).extracting(DecisionRecord::sequence).containsExactly(2L, 3L, 4L);
    assertThat(j.dropped()).isEqualTo(2);
  }

  @Test
  void attachesFollowUpsAcrossTheRingsWrapAndIgnoresDroppedOnes() {
    InMemoryJournal j = new InMemoryJournal(4);
    for (long s = 0; s < 7; s++) {
      j.append(record(s));
    }
    FollowUp f = new FollowUp(T0.plusSeconds(300), 3, 3, Map.of());
    j.followUp(1, WEB, f); // dropped already
    j.followUp(4, WEB, f);
    j.followUp(6, WEB, f);
    j.followUp(9, WEB, f); // never written
    assertThat(j.records()).extracting(r -> r.sequence() + ":" + r.followUp().isPresent())
        .containsExactly("3:false", "4:true", "5:false", "6:true");
  }

  @Test
  void clearEmptiesIt() {
    InMemoryJournal j = new InMemoryJournal(2);
    j.append(record(0));
    j.clear();
    assertThat(j.records()).isEmpty();
    j.append(record(1));
    assertThat(j.records(WEB)).extracting(DecisionRecord::sequence).containsExactly(1L);
  }
}
