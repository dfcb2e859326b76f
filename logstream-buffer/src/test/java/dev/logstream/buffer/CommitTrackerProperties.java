package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Whatever order records finish in, the tracker reports exactly the contiguous finished prefix,
 * checked against a sorted set of unfinished sequences.
 */
class CommitTrackerProperties {

  @Property(tries = 500)
  void finish_anyOrder_commitsExactlyTheHighestSequenceBeforeTheOldestUnfinished(
      @ForAll @IntRange(min = 1, max = 300) int records,
      @ForAll @IntRange(min = 1, max = 4) int gapLimit,
      @ForAll @LongRange(min = 0, max = 1_000_000) long firstSequence,
      @ForAll long seed) {
    Random random = new Random(seed);
    CommitTracker tracker = new CommitTracker(1 + random.nextInt(8));
    List<Long> sequences = new ArrayList<>();
    List<Long> tickets = new ArrayList<>();
    long sequence = firstSequence;
    for (int i = 0; i < records; i++) {
      sequences.add(sequence);
      tickets.add(tracker.track(sequence));
      sequence += 1 + random.nextInt(gapLimit);
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      order.add(i);
    }
    Collections.shuffle(order, random);
    TreeSet<Long> unfinished = new TreeSet<>(sequences);
    long lastCommit = -1;

    for (int index : order) {
      unfinished.remove(sequences.get(index));
      long committed = tracker.finish(tickets.get(index));

      Long oldest = unfinished.isEmpty() ? null : unfinished.first();
      long expected =
          oldest == null ? sequences.get(records - 1) : highestBelow(sequences, oldest, lastCommit);
      if (expected == lastCommit) {
        assertThat(committed).isEqualTo(CommitTracker.NO_PROGRESS);
      } else {
        assertThat(committed).isEqualTo(expected);
        lastCommit = committed;
      }
      assertThat(tracker.size()).isEqualTo(countFrom(sequences, oldest));
    }
    assertThat(lastCommit).isEqualTo(sequences.get(records - 1));
  }

  private static long highestBelow(List<Long> sequences, long oldest, long fallback) {
    long highest = fallback;
    for (long sequence : sequences) {
      if (sequence < oldest) {
        highest = Math.max(highest, sequence);
      }
    }
    return highest;
  }

  private static int countFrom(List<Long> sequences, Long oldest) {
    if (oldest == null) {
      return 0;
    }
    int count = 0;
    for (long sequence : sequences) {
      if (sequence >= oldest) {
        count++;
      }
    }
    return count;
  }
}
