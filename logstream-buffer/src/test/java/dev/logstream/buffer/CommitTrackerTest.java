package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CommitTrackerTest {

  @Test
  void finish_inOrder_commitsEachRecord() {
    CommitTracker tracker = new CommitTracker();
    long first = tracker.track(10);
    long second = tracker.track(11);

    assertThat(tracker.finish(first)).isEqualTo(10);
    assertThat(tracker.finish(second)).isEqualTo(11);
    assertThat(tracker.size()).isZero();
  }

  @Test
  void finish_outOfOrder_commitsNothingUntilTheOldestIsFinished() {
    CommitTracker tracker = new CommitTracker();
    long a = tracker.track(1);
    long b = tracker.track(2);
    long c = tracker.track(5);

    assertThat(tracker.finish(c)).isEqualTo(CommitTracker.NO_PROGRESS);
    assertThat(tracker.finish(b)).isEqualTo(CommitTracker.NO_PROGRESS);
    assertThat(tracker.size()).isEqualTo(3);
    assertThat(tracker.finish(a)).isEqualTo(5);
    assertThat(tracker.size()).isZero();
  }

  @Test
  void track_beyondTheInitialCapacity_growsAndKeepsOrder() {
    CommitTracker tracker = new CommitTracker(2);
    long[] tickets = new long[100];
    for (int i = 0; i < 100; i++) {
      tickets[i] = tracker.track(i * 2L);
    }
    for (int i = 99; i >= 1; i--) {
      assertThat(tracker.finish(tickets[i])).isEqualTo(CommitTracker.NO_PROGRESS);
    }

    assertThat(tracker.finish(tickets[0])).isEqualTo(198);
  }

  @Test
  void track_wrappedRingThatGrows_keepsOrder() {
    CommitTracker tracker = new CommitTracker(4);
    tracker.finish(tracker.track(0));
    tracker.finish(tracker.track(1));
    long[] tickets = new long[6];
    for (int i = 0; i < 6; i++) {
      tickets[i] = tracker.track(2 + i);
    }

    assertThat(tracker.finish(tickets[1])).isEqualTo(CommitTracker.NO_PROGRESS);
    assertThat(tracker.finish(tickets[0])).isEqualTo(3);
    assertThat(tracker.size()).isEqualTo(4);
  }

  @Test
  void track_sequenceNotIncreasing_isRejectedWithBothSequences() {
    CommitTracker tracker = new CommitTracker();
    tracker.track(7);

    assertThatThrownBy(() -> tracker.track(7))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the source returned sequence 7 after 7");
  }

  @Test
  void finish_twice_isRejected() {
    CommitTracker tracker = new CommitTracker();
    tracker.track(1);
    long second = tracker.track(2);
    tracker.finish(second);

    assertThatThrownBy(() -> tracker.finish(second))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ticket 1 is already finished");
  }

  @Test
  void finish_unknownTicket_isRejected() {
    CommitTracker tracker = new CommitTracker();

    assertThatThrownBy(() -> tracker.finish(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ticket 0 is not pending");
  }
}
