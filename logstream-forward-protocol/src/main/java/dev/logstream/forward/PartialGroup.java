package dev.logstream.forward;

import dev.logstream.core.GrowableBytes;
import java.util.Arrays;

/**
 * The pieces of one split line held by a {@link PartialMessageAssembler}.
 *
 * <p>Log bytes are appended to {@link #data} in arrival order; the per-piece bookkeeping (ordinal,
 * offset, length, time) is kept sorted by ordinal. The fields of the lowest-ordinal piece (the
 * first piece, once it has arrived) are the template of the assembled record. Not thread-safe.
 */
final class PartialGroup {
  final String tag;
  final byte[] id;

  /** The log bytes of the held pieces, in arrival order; null once passing through. */
  GrowableBytes data = new GrowableBytes(0);

  /** The lowest-ordinal piece's fields (see {@link PartialPiece#fields}). */
  GrowableBytes fields = new GrowableBytes(0);

  int fieldPairs;
  int logIndex;

  int count;
  int[] ordinals = new int[4];
  int[] offsets = new int[4];
  int[] lengths = new int[4];
  long[] seconds = new long[4];
  int[] nanos = new int[4];

  /** Whether every piece so far arrived after all lower ordinals: {@link #data} is in order. */
  boolean inOrder = true;

  /** The ordinal of the piece marked {@code partial_last}, or 0 while unknown. */
  int lastOrdinal;

  /** After a size flush: the group's further pieces go to the sink as they arrive. */
  boolean passingThrough;

  /** When a piece of this group last arrived, in ticker nanoseconds. */
  long touchedNanos;

  PartialGroup(String tag, byte[] id, long nowNanos) {
    this.tag = tag;
    this.id = id;
    this.touchedNanos = nowNanos;
  }

  /** Returns the index of {@code ordinal} among the held pieces, or a negative insertion point. */
  int indexOf(int ordinal) {
    return Arrays.binarySearch(ordinals, 0, count, ordinal);
  }

  /** The log bytes held. */
  int logBytes() {
    return data == null ? 0 : data.length();
  }

  /** The bytes held: log bytes and copied fields. */
  long heldBytes() {
    return logBytes() + (fields == null ? 0 : fields.length());
  }

  /** Adds a piece (its ordinal must not be held) and returns its index. */
  int add(int ordinal, long pieceSeconds, int pieceNanos, GrowableBytes log, int maxLogBytes) {
    int index = -indexOf(ordinal) - 1;
    if (count == ordinals.length) {
      int capacity = count * 2;
      ordinals = Arrays.copyOf(ordinals, capacity);
      offsets = Arrays.copyOf(offsets, capacity);
      lengths = Arrays.copyOf(lengths, capacity);
      seconds = Arrays.copyOf(seconds, capacity);
      nanos = Arrays.copyOf(nanos, capacity);
    }
    int tail = count - index;
    System.arraycopy(ordinals, index, ordinals, index + 1, tail);
    System.arraycopy(offsets, index, offsets, index + 1, tail);
    System.arraycopy(lengths, index, lengths, index + 1, tail);
    System.arraycopy(seconds, index, seconds, index + 1, tail);
    System.arraycopy(nanos, index, nanos, index + 1, tail);
    ordinals[index] = ordinal;
    offsets[index] = data.length();
    lengths[index] = log.length();
    seconds[index] = pieceSeconds;
    nanos[index] = pieceNanos;
    count++;
    data.ensureCapacity(data.length() + log.length(), maxLogBytes);
    data.write(log.array(), 0, log.length());
    if (index != count - 1) {
      inOrder = false;
    }
    return index;
  }

  /** Undoes the {@link #add} that returned {@code index}: it must be the latest one. */
  void removeLatest(int index, boolean wasInOrder) {
    data.truncate(offsets[index]);
    int tail = count - index - 1;
    System.arraycopy(ordinals, index + 1, ordinals, index, tail);
    System.arraycopy(offsets, index + 1, offsets, index, tail);
    System.arraycopy(lengths, index + 1, lengths, index, tail);
    System.arraycopy(seconds, index + 1, seconds, index, tail);
    System.arraycopy(nanos, index + 1, nanos, index, tail);
    count--;
    inOrder = wasInOrder;
  }

  /** Whether pieces {@code 1..n} are all held and piece {@code n} is the last. */
  boolean complete() {
    return lastOrdinal > 0 && count == lastOrdinal && ordinals[count - 1] == lastOrdinal;
  }

  /**
   * Writes the held log bytes in ordinal order: returns {@link #data} itself when the pieces
   * arrived in order, else {@code scratch} filled with the concatenation.
   */
  GrowableBytes assembledLog(GrowableBytes scratch) {
    if (inOrder) {
      return data;
    }
    scratch.clear();
    byte[] bytes = data.array();
    for (int i = 0; i < count; i++) {
      scratch.write(bytes, offsets[i], lengths[i]);
    }
    return scratch;
  }

  /** Drops the held pieces and switches to passing further pieces through. */
  void passThrough() {
    passingThrough = true;
    data = null;
    fields = null;
    count = 0;
    ordinals = null;
    offsets = null;
    lengths = null;
    seconds = null;
    nanos = null;
  }
}
