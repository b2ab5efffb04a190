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
import java.util.concurrent.atomic.AtomicReference;
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

  @Test
  void aDemotionMadeBeforeItsTermsReadIsComparedWithTheEntryThatReadFound() {
    listener.newTerm();
    listener.read(WEB, Optional.empty(), c -> true);
    listener.onModeChanged(change(0, Mode.OBSERVE_ONLY, Mode.ACT)); // term 1: stored
    ModeStore.Entry other = entry(100, Mode.ACT); // another leader's word between the terms
    listener.newTerm();
    storeUp.set(false); // term 2: its first read fails, the engine still ticks
    ModeChangedEvent demotion = change(200, Mode.ACT, Mode.OBSERVE_ONLY);
    listener.onModeChanged(demotion);
    assertThat(listener.read(WEB, Optional.of(other), c -> true))
        .as("made in this term").contains(demotion);
    listener.writeUnstored();
    listener.newTerm(); // the Lease lost and won back: nobody wrote meanwhile
    assertThat(listener.read(WEB, Optional.of(other), c -> true))
        .as("the store still holds the entry term 2 read before the demotion")
        .contains(demotion);
    assertThat(listener.unstored()).containsExactly(WEB);
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.of(entry(150, Mode.ACT)), c -> true))
        .as("a later leader wrote over that entry").isEmpty();
  }

  @Test
  void aDemotionMadeInATermThatNeverReadTheStoreHasAnUnknownBaseNotAnEarlierTermsEntry() {
    listener.newTerm();
    listener.read(WEB, Optional.empty(), c -> true);
    listener.onModeChanged(change(0, Mode.OBSERVE_ONLY, Mode.ACT));
    listener.newTerm();
    storeUp.set(false); // no read succeeds in term 2
    ModeChangedEvent demotion = change(200, Mode.ACT, Mode.OBSERVE_ONLY);
    listener.onModeChanged(demotion);
    listener.writeUnstored();
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.of(entry(100, Mode.ACT)), c -> true))
        .as("compared by time with an entry older than it").contains(demotion);
    assertThat(listener.unstored()).containsExactly(WEB);
  }

  @Test
  void aLaterChangeKeptWhileAnEarlierOneIsWrittenIsComparedWithTheEarlierOnesEntry() {
    ModeChangedEvent promotion = change(0, Mode.OBSERVE_ONLY, Mode.ACT);
    ModeChangedEvent demotion = change(60, Mode.ACT, Mode.OBSERVE_ONLY);
    AtomicReference<ModeStoreListener> self = new AtomicReference<>();
    ModeStoreListener racing = new ModeStoreListener(e -> {
      if (e.equals(promotion)) {
        // The engine demotes (from another thread) while the promotion is being written, and
        // the demotion's own write fails; then the promotion's write succeeds.
        self.get().onModeChanged(demotion);
        return true;
      }
      return false;
    }, leading::get);
    self.set(racing);
    racing.newTerm();
    racing.read(WEB, Optional.of(entry(-60, Mode.OBSERVE_ONLY)), c -> true);
    racing.onModeChanged(promotion);
    assertThat(racing.unstored()).containsExactly(WEB);
    racing.newTerm();
    assertThat(racing.read(WEB, Optional.of(ModeStoreListener.entry(promotion)), c -> true))
        .as("the store holds the promotion this replica wrote before the demotion")
        .contains(demotion);
  }

  @Test
  void aJournaledChangeTheStoreTookInThisRunIsNotSentAgainOverALaterLeadersEntry() {
    ModeChangedEvent promotion = change(3600, Mode.OBSERVE_ONLY, Mode.ACT);
    listener.journaled(List.of(promotion));
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.of(entry(0, Mode.OBSERVE_ONLY)), c -> true))
        .as("older than the journal's change").contains(promotion);
    listener.writeUnstored();
    assertThat(written).containsExactly(promotion);
    // A later leader, whose clock is 60 s behind, demoted web 30 s after the promotion.
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.of(entry(3570, Mode.OBSERVE_ONLY)), c -> true))
        .as("the store took it in this run").isEmpty();
    listener.writeUnstored();
    assertThat(written).containsExactly(promotion);
  }

  @Test
  void aJournaledChangeThatLostToAnEntryIsNotComparedByTimeAgain() {
    ModeChangedEvent promotion = change(3600, Mode.OBSERVE_ONLY, Mode.ACT);
    listener.journaled(List.of(promotion));
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.of(entry(3700, Mode.OBSERVE_ONLY)), c -> true))
        .isEmpty();
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.of(entry(3590, Mode.OBSERVE_ONLY)), c -> true))
        .as("another leader, its clock behind, wrote after this replica saw the entry")
        .isEmpty();
    listener.writeUnstored();
    assertThat(written).isEmpty();
  }

  @Test
  void aJournaledDemotionWinsOverNoEntryAndIsWritten() {
    // Its write failed before the restart, or the store was reset (renamed, the entry pruned).
    ModeChangedEvent demotion = change(60, Mode.ACT, Mode.OBSERVE_ONLY);
    listener.journaled(List.of(demotion));
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.empty(), c -> true))
        .as("a demotion is safe over no entry").contains(demotion);
    assertThat(listener.unstored()).containsExactly(WEB);
    listener.writeUnstored();
    assertThat(written).containsExactly(demotion);
    assertThat(listener.unstored()).isEmpty();
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.empty(), c -> true))
        .as("the store took it in this run: an entry pruned since is not written again")
        .isEmpty();
    listener.writeUnstored();
    assertThat(written).containsExactly(demotion);
  }

  @Test
  void aJournaledPromotionDoesNotWinOverNoEntryAndIsNeverWritten() {
    // No entry may be a reset: a store renamed, or the entry pruned while the workload was out
    // of the configuration. The promotion must not come back from before it.
    for (Mode promoted : List.of(Mode.ACT, Mode.HPA_FLOOR)) {
      ModeStoreListener fresh = new ModeStoreListener(e -> {
        written.add(e);
        return true;
      }, leading::get);
      fresh.journaled(List.of(change(0, Mode.OBSERVE_ONLY, Mode.ACT),
          change(60, Mode.ACT, Mode.OBSERVE_ONLY), change(120, Mode.OBSERVE_ONLY, promoted)));
      fresh.newTerm();
      assertThat(fresh.read(WEB, Optional.empty(), c -> true)).as("to %s", promoted).isEmpty();
      assertThat(fresh.unstored()).isEmpty();
      fresh.writeUnstored();
      fresh.newTerm();
      assertThat(fresh.read(WEB, Optional.empty(), c -> true))
          .as("compared once: it lost, and is not compared by time again").isEmpty();
      fresh.writeUnstored();
    }
    assertThat(written).isEmpty();
  }

  @Test
  void aJournaledDemotionThatWonOverNoEntryFollowsTheTermRuleAfterwards() {
    ModeChangedEvent demotion = change(3600, Mode.ACT, Mode.OBSERVE_ONLY);
    listener.journaled(List.of(demotion));
    storeUp.set(false);
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.empty(), c -> true)).contains(demotion);
    listener.writeUnstored();
    assertThat(listener.unstored()).as("the store did not take it").containsExactly(WEB);
    storeUp.set(true);
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.empty(), c -> true))
        .as("the store still holds no entry, as when the change was compared")
        .contains(demotion);
    storeUp.set(false);
    listener.writeUnstored();
    listener.newTerm();
    // Another leader, its clock an hour behind, wrote after this replica's term.
    assertThat(listener.read(WEB, Optional.of(entry(60, Mode.ACT)), c -> true))
        .as("compared by the term rule, not by time").isEmpty();
    assertThat(listener.unstored()).isEmpty();
  }

  @Test
  void aJournaledDemotionOverNoEntryIsNotKeptWhenTheEngineNoLongerHoldsItsMode() {
    // promoted: true in the configuration holds the configured mode over the journal.
    ModeChangedEvent demotion = change(60, Mode.ACT, Mode.OBSERVE_ONLY);
    listener.journaled(List.of(demotion));
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.empty(), c -> false))
        .as("it wins over no entry, as over an older one").contains(demotion);
    assertThat(listener.unstored()).isEmpty();
    listener.writeUnstored();
    assertThat(written).isEmpty();
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.empty(), c -> true))
        .as("compared once: not kept then, never sent").isEmpty();
    listener.writeUnstored();
    assertThat(written).isEmpty();
  }

  @Test
  void aJournaledDemotionThatWonOverNoEntryIsWrittenOnlyWhileThisReplicaLeads() {
    ModeChangedEvent demotion = change(60, Mode.ACT, Mode.OBSERVE_ONLY);
    listener.journaled(List.of(demotion));
    listener.newTerm();
    assertThat(listener.read(WEB, Optional.empty(), c -> true)).contains(demotion);
    leading.set(false); // the Lease lapsed after the read
    listener.writeUnstored();
    assertThat(written).as("a replica that does not lead never writes").isEmpty();
    assertThat(listener.unstored()).containsExactly(WEB);
    leading.set(true);
    listener.writeUnstored();
    assertThat(written).containsExactly(demotion);
  }

  @Test
  void aPromotionMadeInATermThatNeverReadTheStoreDoesNotWinOverNoEntry() {
    // Its base is unknown, as a journaled change's: the same rule holds.
    listener.newTerm();
    storeUp.set(false); // no read succeeds in term 1, and the write fails
    listener.onModeChanged(change(0, Mode.OBSERVE_ONLY, Mode.ACT));
    assertThat(listener.unstored()).containsExactly(WEB);
    listener.newTerm();
    storeUp.set(true);
    assertThat(listener.read(WEB, Optional.empty(), c -> true)).isEmpty();
    assertThat(listener.unstored()).isEmpty();
    listener.writeUnstored();
    assertThat(written).as("only the failed write").hasSize(1);
  }

  @Test
  void aDemotionMadeInATermThatNeverReadTheStoreWinsOverNoEntry() {
    listener.newTerm();
    storeUp.set(false); // no read succeeds in term 1, and the writes fail
    listener.onModeChanged(change(0, Mode.OBSERVE_ONLY, Mode.ACT));
    ModeChangedEvent demotion = change(60, Mode.ACT, Mode.OBSERVE_ONLY);
    listener.onModeChanged(demotion);
    listener.newTerm();
    storeUp.set(true);
    assertThat(listener.read(WEB, Optional.empty(), c -> true)).contains(demotion);
    listener.writeUnstored();
    assertThat(written).hasSize(3).last().isEqualTo(demotion);
    assertThat(listener.unstored()).isEmpty();
  }

  private static ModeStore.Entry entry(int seconds, Mode mode) {
    return new ModeStore.Entry(WEB, mode, T0.plusSeconds(seconds), "entry " + seconds);
  }
}
