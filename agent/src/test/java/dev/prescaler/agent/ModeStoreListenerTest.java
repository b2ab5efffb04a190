package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.k8s.ModeStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ModeStoreListenerTest {
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

  private final List<ModeChangedEvent> written = new ArrayList<>();
  private final AtomicBoolean storeUp = new AtomicBoolean(true);
  private final AtomicBoolean leading = new AtomicBoolean(true);
  private final ModeStoreListener listener = new ModeStoreListener(e -> {
    written.add(e);
    return storeUp.get();
  }, leading::get);

  private static ModeChangedEvent change(int seconds, Mode from, Mode to) {
    return new ModeChangedEvent(WEB, T0.plusSeconds(seconds), from, to, "test " + seconds);
  }

  @Test
  void aDemotionTheStoreDidNotTakeIsSentAgainUntilItIs() {
    listener.onModeChanged(change(0, Mode.OBSERVE_ONLY, Mode.ACT));
    storeUp.set(false);
    ModeChangedEvent demotion = change(60, Mode.ACT, Mode.OBSERVE_ONLY);
    listener.onModeChanged(demotion);
    assertThat(listener.unstored()).containsExactly(WEB);

    listener.writeUnstored();
    assertThat(written).hasSize(3).last().isEqualTo(demotion);
    storeUp.set(true);
    listener.writeUnstored();
    assertThat(written).hasSize(4).last().isEqualTo(demotion);
    assertThat(listener.unstored()).isEmpty();
    listener.writeUnstored();
    assertThat(written).as("nothing left to send").hasSize(4);
  }

  @Test
  void onlyTheLatestUnstoredChangeIsKept() {
    storeUp.set(false);
    listener.onModeChanged(change(0, Mode.OBSERVE_ONLY, Mode.ACT));
    ModeChangedEvent latest = change(60, Mode.ACT, Mode.OBSERVE_ONLY);
    listener.onModeChanged(latest);
    storeUp.set(true);
    listener.writeUnstored();
    assertThat(written).hasSize(3).last().isEqualTo(latest);
    assertThat(listener.unstored()).isEmpty();
  }

  @Test
  void aChangeMadeWhileNotLeadingIsNotWrittenThenButKeptForTheNextRoundAsLeader() {
    // The Lease lapsed in the middle of a round: the demotion comes past the renew deadline.
    leading.set(false);
    ModeChangedEvent demotion = change(120, Mode.ACT, Mode.OBSERVE_ONLY);
    listener.onModeChanged(demotion);
    assertThat(written).as("a replica that does not lead never writes").isEmpty();
    assertThat(listener.unstored()).containsExactly(WEB);

    leading.set(true);
    listener.writeUnstored();
    assertThat(written).containsExactly(demotion);
    assertThat(listener.unstored()).isEmpty();
  }

  @Test
  void aResumeIsNeitherWrittenNorKeptNorThisReplicasOwnChange() {
    ModeChangedEvent promoted = change(0, Mode.OBSERVE_ONLY, Mode.ACT);
    listener.journaled(List.of(promoted));
    leading.set(false);
    listener.resuming(() -> listener.onModeChanged(change(60, Mode.ACT, Mode.OBSERVE_ONLY)));
    leading.set(true);
    listener.resuming(() -> listener.onModeChanged(change(120, Mode.OBSERVE_ONLY, Mode.ACT)));
    assertThat(written).isEmpty();
    assertThat(listener.unstored()).isEmpty();
    assertThat(listener.latestOwn(WEB)).as("the journal's own change, not the resumes")
        .contains(promoted);
  }

  @Test
  void aJournaledChangeNoNewerThanTheStoresEntryIsDroppedNotWritten() {
    ModeChangedEvent demotion = new ModeChangedEvent(WEB, T0.plusMillis(60_700), Mode.ACT,
        Mode.OBSERVE_ONLY, "demoted");
    listener.journaled(List.of(demotion));
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.of(entry(59, Mode.ACT)), e -> true))
        .as("the store's entry is older: the journal's change wins").contains(demotion);
    assertThat(listener.unstored()).containsExactly(WEB);
    listener.newTerm();
    // Another leader's entry of the same second (whole seconds in the store) or later wins.
    assertThat(listener.read(WEB, Optional.of(entry(60, Mode.ACT)), e -> true)).isEmpty();
    assertThat(listener.unstored()).isEmpty();
    listener.writeUnstored();
    assertThat(written).as("a journaled change is not written on its own").isEmpty();
  }

  @Test
  void aChangeTheStoreTookIsNeverSentAgainWhateverTheTimeOfTheLaterEntry() {
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.empty(), e -> true)).isEmpty();
    ModeChangedEvent promotion = change(3600, Mode.OBSERVE_ONLY, Mode.ACT);
    listener.onModeChanged(promotion);
    // Another leader, whose clock is an hour behind, demoted web later: its entry looks older.
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.of(entry(315, Mode.OBSERVE_ONLY)), e -> true))
        .isEmpty();
    listener.writeUnstored();
    assertThat(written).containsExactly(promotion);
  }

  @Test
  void aChangeTheStoreDidNotTakeIsSentAgainOnlyOverTheEntryThisReplicaSawBeforeIt() {
    listener.newTerm();
    listener.read(WEB, Optional.of(entry(0, Mode.ACT)), e -> true);
    storeUp.set(false);
    ModeChangedEvent demotion = change(7200, Mode.ACT, Mode.OBSERVE_ONLY);
    listener.onModeChanged(demotion);
    storeUp.set(true);

    listener.newTerm();
    assertThat(listener.read(WEB, Optional.of(entry(0, Mode.ACT)), e -> true))
        .as("nobody wrote since").contains(demotion);
    listener.writeUnstored();
    assertThat(written).containsExactly(demotion, demotion);

    storeUp.set(false);
    ModeChangedEvent promotion = change(7300, Mode.OBSERVE_ONLY, Mode.ACT);
    listener.onModeChanged(promotion);
    storeUp.set(true);
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.of(entry(60, Mode.OBSERVE_ONLY)), e -> true))
        .as("another leader wrote after this replica's term, with an earlier clock").isEmpty();
    assertThat(listener.unstored()).isEmpty();
  }

  @Test
  void changesAreKeptInTheOrderTheyWereMadeNotByTheirTimes() {
    storeUp.set(false);
    listener.onModeChanged(change(60, Mode.OBSERVE_ONLY, Mode.ACT));
    // The clock is set back two minutes; the demotion carries an earlier time.
    ModeChangedEvent demotion = change(-60, Mode.ACT, Mode.OBSERVE_ONLY);
    listener.onModeChanged(demotion);
    assertThat(listener.latestOwn(WEB)).contains(demotion);
    storeUp.set(true);
    listener.writeUnstored();
    assertThat(written).last().isEqualTo(demotion);
    assertThat(listener.unstored()).isEmpty();
  }

  private static ModeStore.Entry entry(int seconds, Mode mode) {
    return new ModeStore.Entry(WEB, mode, T0.plusSeconds(seconds), "entry " + seconds);
  }
}
