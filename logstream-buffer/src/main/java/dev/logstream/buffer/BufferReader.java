package dev.logstream.buffer;

import static dev.logstream.buffer.SegmentFormat.FRAME_HEADER_SIZE;
import static dev.logstream.buffer.SegmentFormat.F_LENGTH;
import static dev.logstream.buffer.SegmentFormat.F_SEQUENCE;
import static dev.logstream.buffer.SegmentFormat.HEADER_SIZE;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * Reads a {@link SegmentBuffer}'s records in sequence order, from the first undelivered record at
 * the time it was opened. Reading does not deliver: call {@link SegmentBuffer#commit(long)} once
 * records are delivered. Records deleted by {@code drop-oldest} are skipped.
 *
 * <p>A reader is used by one thread at a time. While it is inside a segment, that segment stays
 * mapped even if its records are committed or dropped; {@link #close()} lets go.
 */
public final class BufferReader implements AutoCloseable, RecordSource {
  private final SegmentBuffer buffer;
  private Segment segment;
  private ByteBuffer view;
  private ByteBuffer frames;
  private int offset;
  private int skipIndex;
  private long nextSequence;
  private boolean closed;

  BufferReader(SegmentBuffer buffer, long firstSequence) {
    this.buffer = buffer;
    this.nextSequence = firstSequence;
  }

  /**
   * Passes up to {@code maxRecords} records, whose payloads total at most {@code maxBytes}, to
   * {@code consumer}; never blocks. When a record is available, at least one is passed even if it
   * alone is larger than {@code maxBytes}.
   *
   * @param maxRecords the most records to pass, at least 1
   * @param maxBytes the most payload bytes to pass, at least 1
   * @param consumer receives each record; its payload view is valid only during the call
   * @return the number of records passed
   * @throws IllegalArgumentException if a limit is below 1, naming it
   * @throws BufferFailedException if the reader or its buffer is closed
   */
  @Override
  public int read(int maxRecords, long maxBytes, RecordConsumer consumer) {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
    }
    Objects.requireNonNull(consumer, "consumer");
    if (closed || buffer.isClosed()) {
      throw new BufferFailedException("reader of " + buffer.directory() + " is closed", null);
    }
    long floor = buffer.committedSequence() + 1;
    if (nextSequence < floor) {
      nextSequence = floor; // records committed or dropped meanwhile
    }
    int count = 0;
    long bytes = 0;
    while (count < maxRecords) {
      if (segment == null || segment.dropped) {
        if (!reposition()) {
          break;
        }
      }
      Segment s = segment;
      int[] skips = s.skips;
      if (skipIndex < skips.length && offset == skips[skipIndex]) {
        offset = skips[skipIndex + 1];
        skipIndex += 2;
        continue;
      }
      if (offset >= s.publishedEnd) {
        if (!s.sealed) {
          break;
        }
        if (offset < s.publishedEnd) {
          continue; // frames published just before the segment was sealed
        }
        Segment next = s.next;
        if (next == null || !next.pin()) {
          if (!reposition()) {
            break;
          }
          if (segment == s) {
            break;
          }
          continue;
        }
        enter(next);
        s.unpin();
        continue;
      }
      int length = frames.getInt(offset + F_LENGTH);
      long sequence = frames.getLong(offset + F_SEQUENCE);
      if (sequence < nextSequence) {
        offset += (int) SegmentFormat.frameSize(length);
        continue;
      }
      if (count > 0 && bytes + length > maxBytes) {
        break;
      }
      int start = offset + FRAME_HEADER_SIZE;
      offset += (int) SegmentFormat.frameSize(length);
      view.limit(start + length);
      view.position(start);
      consumer.accept(sequence, view);
      nextSequence = sequence + 1;
      count++;
      bytes += length;
    }
    return count;
  }

  /**
   * Waits until a record this reader has not read yet is appended, or the timeout passes.
   *
   * @param timeout the longest wait
   * @return whether such a record is available
   * @throws InterruptedException if interrupted while waiting
   */
  @Override
  public boolean awaitRecords(Duration timeout) throws InterruptedException {
    return buffer.awaitAppended(
        Math.max(nextSequence, buffer.committedSequence() + 1), timeout.toNanos());
  }

  /**
   * Arms a one-shot {@code listener} run on the appending thread when a record this reader has not
   * read yet is appended; it must not block. Lets a consumer wait without a thread or polling.
   *
   * @param listener runs once, under the buffer's append lock: hand work to another thread
   * @return {@code true} without arming if such a record is already there
   */
  @Override
  public boolean notifyWhenReadable(Runnable listener) {
    return buffer.notifyWhenAppended(
        Math.max(nextSequence, buffer.committedSequence() + 1), listener);
  }

  /**
   * Commits through the buffer; see {@link SegmentBuffer#commit(long)}.
   *
   * @param sequence the highest delivered sequence
   */
  @Override
  public void commit(long sequence) {
    buffer.commit(sequence);
  }

  /**
   * The sequence the next record read will have at least.
   *
   * @return the next sequence
   */
  public long nextSequence() {
    return nextSequence;
  }

  /** Lets go of the segment the reader is in. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (segment != null) {
        segment.unpin();
        segment = null;
        view = null;
        frames = null;
      }
    }
  }

  private boolean reposition() {
    Segment found = buffer.pinSegmentFor(nextSequence);
    if (found == null) {
      return false;
    }
    if (found == segment) {
      found.unpin(); // already inside it
      return true;
    }
    Segment old = segment;
    enter(found);
    if (old != null) {
      old.unpin();
    }
    return true;
  }

  private void enter(Segment s) {
    segment = s;
    view = s.map.asReadOnlyBuffer();
    frames = s.view();
    offset = HEADER_SIZE;
    skipIndex = 0;
  }
}
