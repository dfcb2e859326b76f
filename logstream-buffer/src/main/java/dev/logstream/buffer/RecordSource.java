package dev.logstream.buffer;

import java.time.Duration;

/**
 * What the Dispatcher needs from a buffer: in-order reads and commits of delivered records. The
 * seam exists so the Dispatcher's scheduling can be tested against an in-memory source; production
 * code uses a SegmentBuffer.
 */
interface RecordSource {
  /**
   * Reads up to {@code maxRecords} records, in sequence order, whose payloads total at most {@code
   * maxBytes}, and passes each to {@code consumer}; never blocks. Returns at least one record when
   * one is available, even if it alone is larger than {@code maxBytes}.
   *
   * @return the number of records passed to the consumer
   */
  int read(int maxRecords, long maxBytes, RecordConsumer consumer);

  /**
   * Waits until a record that has not been read yet is available, or the timeout passes.
   *
   * @return whether a record is available
   */
  boolean awaitRecords(Duration timeout) throws InterruptedException;

  /**
   * Arms a one-shot {@code listener} that runs, on an appending thread, when a record this source
   * has not read yet is appended; it must not block. Returns {@code true} without arming if such a
   * record is already there. A source that cannot notify returns {@code false} and the caller
   * polls.
   */
  default boolean notifyWhenReadable(Runnable listener) {
    return false;
  }

  /**
   * Marks every record up to and including {@code sequence} as delivered, so its space can be
   * released. Commits never go backwards: a lower sequence than an earlier commit is ignored.
   */
  void commit(long sequence);
}
