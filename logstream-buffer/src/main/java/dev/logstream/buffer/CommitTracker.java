package dev.logstream.buffer;

/**
 * Which prefix of the records read so far is finished (delivered or dead-lettered), so the
 * dispatcher commits only past records that are all finished, whatever order they finish in.
 *
 * <p>Each read record is {@link #track tracked} in read order and gets a ticket; {@link #finish}
 * marks it by ticket in O(1) and reports how far the finished prefix reached. Memory is one {@code
 * long} and one {@code boolean} per record between the oldest unfinished one and the newest read,
 * in a ring that doubles when full. Not thread-safe: the dispatcher calls it under its lock.
 */
final class CommitTracker {
  /** Returned by {@link #finish} when the finished prefix did not grow. */
  static final long NO_PROGRESS = -1;

  private long[] sequences;
  private boolean[] finished;
  private int head;
  private int size;
  private long headTicket;
  private long lastTracked = -1;

  CommitTracker() {
    this(64);
  }

  CommitTracker(int initialCapacity) {
    sequences = new long[initialCapacity];
    finished = new boolean[initialCapacity];
  }

  /**
   * Adds a record just read; sequences must increase.
   *
   * @return the record's ticket, for {@link #finish}
   * @throws IllegalStateException if {@code sequence} does not exceed the previous one
   */
  long track(long sequence) {
    if (sequence <= lastTracked) {
      throw new IllegalStateException(
          "the source returned sequence " + sequence + " after " + lastTracked);
    }
    if (size == sequences.length) {
      grow();
    }
    int slot = (head + size) % sequences.length;
    sequences[slot] = sequence;
    finished[slot] = false;
    lastTracked = sequence;
    return headTicket + size++;
  }

  /**
   * Marks a record finished and drops the finished prefix.
   *
   * @return the highest sequence of the finished prefix if it grew, else {@link #NO_PROGRESS}
   * @throws IllegalStateException if the ticket is unknown or already finished
   */
  long finish(long ticket) {
    long offset = ticket - headTicket;
    if (offset < 0 || offset >= size) {
      throw new IllegalStateException("ticket " + ticket + " is not pending");
    }
    int slot = (int) ((head + offset) % sequences.length);
    if (finished[slot]) {
      throw new IllegalStateException("ticket " + ticket + " is already finished");
    }
    finished[slot] = true;
    if (offset != 0) {
      return NO_PROGRESS;
    }
    long committable = NO_PROGRESS;
    while (size > 0 && finished[head]) {
      committable = sequences[head];
      head = (head + 1) % sequences.length;
      headTicket++;
      size--;
    }
    return committable;
  }

  /** The records tracked and not yet in the finished prefix. */
  int size() {
    return size;
  }

  private void grow() {
    int capacity = sequences.length;
    if (capacity > (Integer.MAX_VALUE - 8) / 2) {
      throw new IllegalStateException("too many uncommitted records: " + size);
    }
    long[] newSequences = new long[capacity * 2];
    boolean[] newFinished = new boolean[capacity * 2];
    for (int i = 0; i < size; i++) {
      int slot = (head + i) % capacity;
      newSequences[i] = sequences[slot];
      newFinished[i] = finished[slot];
    }
    sequences = newSequences;
    finished = newFinished;
    head = 0;
  }

  @Override
  public String toString() {
    return "CommitTracker{pending="
        + size
        + ", next="
        + (size == 0 ? "none" : sequences[head])
        + ", capacity="
        + sequences.length
        + '}';
  }
}
